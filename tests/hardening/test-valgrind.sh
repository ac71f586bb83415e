#!/bin/bash
# test-valgrind.sh VMSCOPE TARGET: a representative run of each command
# under valgrind's memcheck: no invalid access, no use of uninitialized
# memory, no leak (definite or indirect); TAP. The target is frozen, so
# every run reads the same process.
set -u
vmscope=${1:?usage: test-valgrind.sh VMSCOPE TARGET}
target=${2:?usage: test-valgrind.sh VMSCOPE TARGET}
. "$(dirname "$0")/common.sh"
if ! command -v valgrind >/dev/null; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
tpid=
cleanup() {
	[ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/maps"
"$target" "$tmp/maps" valgrind-$$ >/dev/null </dev/null &
tpid=$!
for i in $(seq 100); do
	[ "$(awk '{print $3}' "/proc/$tpid/stat" 2>/dev/null)" = T ] && break
	sleep 0.05
done
"$vmscope" snapshot -o "$tmp/snap.json" "$tpid" || { echo "Bail out! no snapshot"; exit 1; }
echo '{"max_pss": "1G", "max": {"heap": "1G"}}' >"$tmp/budget.json"

cmds=(
	"$tpid"
	"--all --sections --by object --color always $tpid"
	"--format json --pages $tpid"
	"snapshot -o $tmp/snap2.json $tpid"
	"show --all $tmp/snap.json"
	"show --format openmetrics $tmp/snap.json"
	"pages $tpid"
	"list --format json"
	"list --by program --color always"
	"top --once -d 0.1"
	"diff $tmp/snap.json $tpid"
	"check --budget $tmp/budget.json --junit $tmp/junit.xml $tpid"
	"faults --duration 100ms $tpid"
	"999999999"
	"show $tmp/nonexistent.json"
)
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086 # the commands are split on purpose
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --track-origins=yes \
		"$vmscope" $c >/dev/null 2>"$tmp/vg" </dev/null
	rc=$?
	if [ $rc -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/vg"; then
		ok "valgrind: vmscope $c (exit $rc)"
	else
		not_ok "valgrind: vmscope $c" "$(grep '^==' "$tmp/vg" | head -n 25)"
	fi
done
finish
