#!/bin/bash
# test-bench-tools.sh PAIR_RUN THREAD_READ: bench/'s programs. pair-run, the
# paired timer of the bench scripts: the order of its runs (pairs, the
# first name moving on each round), its output lines, and that a command
# that fails stops it with a message naming it; usage errors exit 2; with
# --from-cpu, each command begins on that CPU and may then use all that
# pair-run could. thread-read: its two forms' lines, one figure for each CPU it may use.
# TAP.
set -u
pair_run=${1:?usage: test-bench-tools.sh PAIR_RUN THREAD_READ}
thread_read=${2:?usage: test-bench-tools.sh PAIR_RUN THREAD_READ}
. "$(dirname "$0")/../tap.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# note WORD: a command that appends WORD to the log and prints to stdout.
note() { printf 'sh\n-c\necho %s >>"$1"; echo noise\nsh\n%s\n' "$1" "$log"; }
mapfile -t r < <(note R)
mapfile -t a < <(note a)
mapfile -t b < <(note b)

out=$("$pair_run" 3 "${r[@]}" -- a "${a[@]}" -- b "${b[@]}" 2>"$tmp/err")
rc=$?
order=$(tr '\n' ' ' <"$log")
if [ "$rc" -eq 0 ] && [ "$order" = "R a R b R b R a R a R b " ]; then
	ok "three rounds: a pair (REF, then CMD) for each name, the first name moving on each round"
else
	not_ok "three rounds in pairs, the first name moving on" "exit $rc, order: $order" "$(cat "$tmp/err")"
fi
if printf '%s\n' "$out" |
	awk 'NR == 1 && $1 != "a" { exit 1 } NR == 2 && $1 != "b" { exit 1 }
	     NF != 5 || $2 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ || $3 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ ||
	     $4 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/ || $5 !~ /^[1-9][0-9]*$/ { exit 1 }
	     END { exit NR != 2 }'; then
	ok "one line a name: NAME REF_MS CMD_MS RATIO PEAK_KIB, the commands' output not among them"
else
	not_ok "one line a name, the commands' output on /dev/null" "$out"
fi

# A CMD that sleeps 0.3 s against a REF that does nothing: its median is at
# least 300 ms (sleep does not return early) and its ratio above 1.
out=$("$pair_run" 1 true -- s sleep 0.3 2>&1)
if [ $? -eq 0 ] && printf '%s\n' "$out" | awk '$1 == "s" && $3 >= 300 && $4 > 1 { f = 1 } END { exit !f }'; then
	ok "a command's time is wall time from spawn to its end ($out)"
else
	not_ok "a command's time is wall time" "$out"
fi

# fails EXPECT ARGS...: pair-run ARGS exits 1 with EXPECT in its message.
fails() {
	local expect=$1 err rc
	shift
	err=$("$pair_run" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 1 ] && [[ $err == *"$expect"* ]]; then
		ok "stops when a command fails: $err"
	else
		not_ok "stops with \"$expect\" for: $*" "exit $rc: $err"
	fi
}
fails "false: exit status 1" 2 true -- x false
fails "sh: killed by signal 9" 2 true -- x sh -c 'kill -9 $$'
fails "$tmp/none: No such file or directory" 2 true -- x "$tmp/none"
fails "false: exit status 1" 2 false -- x true

# usage ARGS...: pair-run ARGS exits 2 with a message.
usage() {
	local err rc
	err=$("$pair_run" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ -n "$err" ]; then
		ok "usage error for: ${*:-no arguments}"
	else
		not_ok "usage error for: ${*:-no arguments}" "exit $rc: $err"
	fi
}
usage
usage 3 true
usage 0 true -- x true
usage 3x true -- x true
usage 3 -- x true
usage 3 true -- x
usage 3 true -- x -- y true

usage --from-cpu
usage --from-cpu x 3 true -- x true
usage --from-cpu -1 3 true -- x true
usage --from-cpu 100000 3 true -- x true
usage --from-cpu 0 3 true

# --from-cpu CPU: each command (a shell) notes the CPU it runs on as it
# begins and the CPUs it may use. A command alone on its CPU stays there
# (the other is idle): each CPU asked for is where at least one of five
# began, and every one may use all the CPUs this test may.
mine=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
# shellcheck disable=SC2016 # expanded by the command's shell
where='read -r s </proc/self/stat; set -- $s; echo "${39}" >>"$0";
	grep "^Cpus_allowed_list" /proc/self/status | cut -f2 >>"$0"'
for cpu in 0 1; do
	taskset -c "$cpu" true 2>/dev/null || { skip "--from-cpu $cpu" "CPU $cpu not usable"; continue; }
	: >"$tmp/where"
	out=$("$pair_run" --from-cpu "$cpu" 5 true -- w sh -c "$where" "$tmp/where" 2>&1)
	rc=$?
	began=$(awk 'NR % 2 == 1' "$tmp/where" | tr '
' ' ')
	sets=$(awk 'NR % 2 == 0' "$tmp/where" | sort -u | tr '
' ' ')
	if [ "$rc" -eq 0 ] && [[ " $began" == *" $cpu "* ]] && [ "$sets" = "$mine " ]; then
		ok "--from-cpu $cpu: began on CPUs $began, each then allowed $mine"
	else
		not_ok "--from-cpu $cpu: begins there, then allowed all" \
			"exit $rc, began on: $began, allowed: $sets (want $mine): $out"
	fi
done

# thread-read: a read of a file timed on each thread, on each CPU
num='[0-9]+\.[0-9][0-9]'
out=$("$thread_read" /proc/self/status 3 2>&1)
if [[ $out =~ ^"first thread "$num", a made thread "$num$ ]]; then
	ok "thread-read: the first thread and a made thread ($out)"
else
	not_ok "thread-read: the first thread and a made thread" "$out"
fi
# as many figures as CPUs it may use, each named
want=$(taskset -c 0 true 2>/dev/null && echo yes)
if [ -n "$want" ]; then
	out=$(taskset -c 0 "$thread_read" --cpus /proc/self/status 3 2>&1)
	if [[ $out =~ ^"cpu0 "$num$ ]]; then
		ok "thread-read --cpus, on CPU 0 alone: one figure ($out)"
	else
		not_ok "thread-read --cpus on CPU 0 alone" "$out"
	fi
else
	skip "thread-read --cpus on CPU 0 alone" "taskset cannot run there"
fi
out=$("$thread_read" --cpus /proc/self/status 3 2>&1)
cpus=$(grep -c '^processor' /proc/cpuinfo)
allowed=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status | tr ',' '\n' |
	awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }')
[ "$allowed" -gt 8 ] && allowed=8
got=$(printf '%s\n' "$out" | tr ',' '\n' | grep -cE "^ ?cpu[0-9]+ $num$")
if [ "$got" -eq "$allowed" ] && [ "$got" -le "$cpus" ]; then
	ok "thread-read --cpus: a figure for each of the $allowed CPUs it may use ($out)"
else
	not_ok "thread-read --cpus: a figure for each CPU it may use" "allowed $allowed, got $got: $out"
fi
err=$("$thread_read" --cpus /proc/self/status 2>&1)
rc=$?
if [ "$rc" -eq 2 ] && [[ $err == usage:* ]]; then
	ok "thread-read: usage error without N"
else
	not_ok "thread-read: usage error without N" "exit $rc: $err"
fi
err=$("$thread_read" "$tmp/none" 2 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [[ $err == *"$tmp/none: No such file or directory"* ]]; then
	ok "thread-read: a file that cannot be opened is named"
else
	not_ok "thread-read: a file that cannot be opened is named" "exit $rc: $err"
fi
finish
