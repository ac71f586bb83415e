#!/bin/bash
# test-nonregular.sh VMSCOPE RUSAGE_RUN [sanitized]: a --proc-root tree whose
# files are FIFOs (which block an open or a read forever) or links to
# /dev/zero (which never ends) blocks no command and costs no more memory
# than the caps: every such file is "not a regular file" and its source
# n/a; a snapshot file that is a device is refused before it is read, and a
# pipe is read only up to the 256 MiB cap. With "sanitized" (an ASan build)
# the peaks are not checked; TAP.
set -u
vmscope=${1:?usage: test-nonregular.sh VMSCOPE RUSAGE_RUN [sanitized]}
rusage_run=${2:?usage: test-nonregular.sh VMSCOPE RUSAGE_RUN [sanitized]}
sanitized=${3:-}
. "$(dirname "$0")/common.sh"
with_tmp

sleep 300 &
spid=$!
pids=$spid
kill -STOP "$spid"
wait_stopped "$spid" || { echo "Bail out! the target did not stop"; exit 1; }
if ! "$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err"; then
	echo "Bail out! cannot capture: $(cat "$tmp/err")"
	exit 1
fi
# The same tree twice: its files as FIFOs, and as links to /dev/zero (but stat,
# without which there is no process to show).
for kind in fifo zero; do
	cp -a "$tmp/cap" "$tmp/$kind"
	dir=$tmp/$kind/proc/$spid
	tid=$(ls "$dir/task" | head -n 1)
	mf=$(ls "$dir/map_files" | head -n 1)
	for f in "$dir"/{status,cmdline,comm,smaps,smaps_rollup,maps,limits,cgroup,exe,pagemap} \
		"$dir"/task/"$tid"/{stat,syscall,comm} "$dir/map_files/$mf" \
		"$tmp/$kind"/proc/{meminfo,kpageflags,kpagecount}; do
		rm -f "$f"
		if [ $kind = fifo ]; then mkfifo "$f"; else ln -s /dev/zero "$f"; fi
	done
done

# run NAME -- ARGS: vmscope ARGS under a 20 s timeout and rusage-run; sets rc,
# and peak (KiB).
run() {
	local name=$1
	shift 2
	timeout -s KILL 20 "$rusage_run" "$tmp/$name.ru" "$vmscope" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	rc=$?
	peak=$(awk '{print $4}' "$tmp/$name.ru" 2>/dev/null)
	peak=${peak:-0}
}

for kind in fifo zero; do
	root=$tmp/$kind/proc
	i=0
	while read -r -a args; do
		i=$((i + 1))
		run "$kind$i" -- "${args[@]}"
		d="$kind tree: vmscope ${args[*]//$tmp/T}"
		if [ $rc = 137 ] || [ $rc = 124 ]; then
			not_ok "$d ends" "killed after 20 s"
		elif [ $rc -gt 2 ]; then
			not_ok "$d ends" "exit status $rc" "$(head -c 600 "$tmp/$kind$i.err")"
		else
			ok "$d ends (exit status $rc)"
		fi
		if [ -z "$sanitized" ] && [ "$peak" -gt 65536 ]; then
			not_ok "$d stays under 64 MiB" "peak RSS $peak KiB"
		fi
	done <<EOF
--proc-root $root $spid
--proc-root $root --format json $spid
--proc-root $root --pages $spid
pages --proc-root $root $spid
list --proc-root $root
list --proc-root $root --format json
top --once --proc-root $root
snapshot --proc-root $root $spid -o $tmp/$kind.json
check --proc-root $root --max-pss 1G $spid
capture --proc-root $root $spid -o $tmp/$kind-again
EOF
	if grep -q "not a regular file" "$tmp/${kind}1.out" "$tmp/${kind}1.err"; then
		ok "$kind tree: the report says 'not a regular file'"
	else
		not_ok "$kind tree: the report says 'not a regular file'" "$(head -20 "$tmp/${kind}1.out")" \
			"$(cat "$tmp/${kind}1.ru" "$tmp/${kind}1.err" 2>&1 | head -20)"
	fi
	if python3 - "$tmp/${kind}2.out" 2>/dev/null <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
bad = [k for k in ('smaps', 'smaps_rollup', 'status', 'cmdline') if not d['sources'][k]['error']]
sys.exit(1 if bad else 0)
PY
		ok "$kind tree: JSON marks smaps, smaps_rollup, status and cmdline unread"
	else
		not_ok "$kind tree: JSON marks smaps, smaps_rollup, status and cmdline unread" \
			"$(head -c 600 "$tmp/${kind}2.out")" "$(cat "$tmp/${kind}2.ru" "$tmp/${kind}2.err" 2>&1 | head -20)"
	fi
done

# show of a device: refused before a byte is read.
run show-zero -- show /dev/zero
if [ $rc = 2 ] && grep -q "not a regular file" "$tmp/show-zero.err"; then
	ok "show /dev/zero is refused: not a regular file"
else
	not_ok "show /dev/zero is refused: not a regular file" "exit status $rc" "$(cat "$tmp/show-zero.err")"
fi
[ -n "$sanitized" ] || [ "$peak" -le 65536 ] && ok "show /dev/zero stays under 64 MiB ($peak KiB)" ||
	not_ok "show /dev/zero stays under 64 MiB" "peak RSS $peak KiB"
# A pipe without end: read up to the cap and no further.
head -c 300M /dev/zero | timeout -s KILL 60 "$rusage_run" "$tmp/pipe.ru" "$vmscope" show /dev/stdin \
	>/dev/null 2>"$tmp/pipe.err"
rc=$(awk '{print $2}' "$tmp/pipe.ru" 2>/dev/null)
peak=$(awk '{print $4}' "$tmp/pipe.ru" 2>/dev/null)
if [ "${rc:-}" = 2 ] && grep -q "larger than 256 MiB" "$tmp/pipe.err"; then
	ok "show of a 300 MiB pipe is refused: larger than 256 MiB"
else
	not_ok "show of a 300 MiB pipe is refused: larger than 256 MiB" "exit status ${rc:-}" "$(cat "$tmp/pipe.err")"
fi
[ -n "$sanitized" ] || [ "${peak:-0}" -le $((300 * 1024)) ] &&
	ok "show of a 300 MiB pipe stays under 300 MiB (${peak:-?} KiB)" ||
	not_ok "show of a 300 MiB pipe stays under 300 MiB" "peak RSS ${peak:-?} KiB"
# A FIFO named as a snapshot, without a writer, ends at once, saying so
# (not "empty file"); so does an empty pipe on standard input.
mkfifo "$tmp/fifo.snap"
run show-fifo -- show "$tmp/fifo.snap"
why="vmscope: cannot load '$tmp/fifo.snap': nothing came through the pipe (its writer wrote nothing, or had not opened it)"
if [ $rc = 2 ] && [ "$(cat "$tmp/show-fifo.err")" = "$why" ]; then
	ok "show of a FIFO without a writer ends (exit status 2), saying the pipe gave nothing"
else
	not_ok "show of a FIFO without a writer ends (exit status 2), saying the pipe gave nothing" \
		"exit status $rc" "$(cat "$tmp/show-fifo.err")"
fi
timeout -s KILL 20 "$vmscope" show - </dev/null >/dev/null 2>"$tmp/devnull.err"
rc=$?
printf '' | timeout -s KILL 20 "$vmscope" show - >/dev/null 2>"$tmp/pipe.err"
prc=$?
if [ $prc = 2 ] && [ "$(cat "$tmp/pipe.err")" = "vmscope: cannot load '-': nothing came through the pipe (its writer wrote nothing, or had not opened it)" ] &&
	[ $rc = 2 ] && grep -q "^vmscope: cannot load '-': not a regular file$" "$tmp/devnull.err"; then
	ok "show - of an empty pipe says the pipe gave nothing; of /dev/null, not a regular file"
else
	not_ok "show - of an empty pipe says the pipe gave nothing; of /dev/null, not a regular file" \
		"exit statuses $prc, $rc" "$(cat "$tmp/pipe.err" "$tmp/devnull.err")"
fi

finish
