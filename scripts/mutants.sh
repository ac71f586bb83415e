#!/bin/bash
# mutants.sh [--check] [N...]: runs the mutants of scripts/mutants.list (or
# only those of the given line numbers among them, from 1), each applied
# alone to a clean copy of the committed tree (build-mutation/src), built
# there and run against the meson tests the list names for it. A mutant is
# killed when a test fails (or times out), survives when they all pass. Ends
# with the line
#   N mutants, N killed, N survived
# and names the survivors. --check only checks that each pattern is in its
# file exactly once. It takes minutes; scripts/test.sh does not run it.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
list=scripts/mutants.list
check_only=
if [ "${1:-}" = --check ]; then
	check_only=1
	shift
fi

# apply FILE PATTERN REPLACEMENT: the one occurrence replaced, in place.
apply() {
	python3 - "$@" <<'EOF'
import sys
path, pat, rep = sys.argv[1:4]
s = open(path).read()
n = s.count(pat)
if n != 1:
    print("pattern found %d times in %s: %s" % (n, path, pat), file=sys.stderr)
    sys.exit(1)
open(path, "w").write(s.replace(pat, rep))
EOF
}

mapfile -t mutants < <(grep -v -e '^#' -e '^$' "$list")
want=("$@")
[ ${#want[@]} -eq 0 ] && mapfile -t want < <(seq ${#mutants[@]})

if [ -n "$check_only" ]; then
	bad=0
	for i in "${want[@]}"; do
		IFS=$'\t' read -r file pat rep tests what <<<"${mutants[$((i - 1))]}"
		cp "$file" /tmp/vmscope-mutant-check.$$
		apply /tmp/vmscope-mutant-check.$$ "$pat" "$rep" || bad=$((bad + 1))
	done
	rm -f /tmp/vmscope-mutant-check.$$
	echo "${#want[@]} mutants, $bad with a pattern not found once"
	[ $bad -eq 0 ]
	exit
fi

bash scripts/deps.sh test || exit 1
work=build-mutation
rm -rf "$work/src"
mkdir -p "$work/src"
git archive HEAD | tar -x -C "$work/src" || exit 1
cd "$work/src" || exit 1
meson setup build -Dwerror=true >../setup.log 2>&1 || {
	cat ../setup.log >&2
	exit 1
}
ninja -C build >../build.log 2>&1 || {
	echo "mutants: the clean tree does not build" >&2
	exit 1
}

total=0 killed=0 survived=0
survivors=()
unbuilt=()
for i in "${want[@]}"; do
	IFS=$'\t' read -r file pat rep tests what <<<"${mutants[$((i - 1))]}"
	total=$((total + 1))
	cp "$file" ../orig
	if ! apply "$file" "$pat" "$rep"; then
		echo "mutants: #$i cannot be applied" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # the test names, one word each
	if ! ninja -C build >"../mutant-$i.log" 2>&1; then
		# not a bug the tests could see: the list is to be fixed
		result="NOT BUILT"
		unbuilt+=("#$i $file: $what")
	elif meson test -C build $tests >"../mutant-$i.log" 2>&1; then
		result=SURVIVED
		survived=$((survived + 1))
		survivors+=("#$i $file: $what")
	else
		result=killed
		killed=$((killed + 1))
	fi
	cp ../orig "$file"
	printf '#%-3s %-8s %s: %s (%s)\n' "$i" "$result" "$file" "$what" "$tests"
done
# the clean tree again, for a next run
ninja -C build >/dev/null 2>&1
for s in "${survivors[@]}"; do echo "survived: $s"; done
for s in "${unbuilt[@]}"; do echo "not built (fix the list): $s"; done
echo "$total mutants, $killed killed, $survived survived"
[ ${#unbuilt[@]} -eq 0 ]
