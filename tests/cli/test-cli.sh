#!/bin/bash
# test-cli.sh VMSCOPE TARGET SOURCE_ROOT: the command line and the output as
# users of pmap, ps, htop and git expect them (issue 15), on a captured
# process (tests/fixtures) and on live targets (TARGET, tests/live/target.c);
# TAP, one test per behaviour.
set -u
vmscope=${1:?usage: test-cli.sh VMSCOPE TARGET SOURCE_ROOT}
target=${2:?usage: test-cli.sh VMSCOPE TARGET SOURCE_ROOT}
src=${3:?usage: test-cli.sh VMSCOPE TARGET SOURCE_ROOT}
# tmp, pids killed on exit, TAP, state and wait_stopped
. "$(dirname "${BASH_SOURCE[0]}")/../snapshot/tap.sh"

fixture=$src/tests/fixtures/target/proc
fpid=$(ls "$fixture")
fix=(--proc-root "$fixture" --color never)

# run CMD...: runs it with stdin from /dev/null; its stdout in $tmp/out,
# stderr in $tmp/err, exit status in rc.
run() {
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# expect DESCRIPTION RC [REGEX]: the last run exited RC and its stderr
# matches the extended regex (when given).
expect() {
	local what=$1 want=$2 re=${3:-}
	if [ "$rc" -eq "$want" ] && { [ -z "$re" ] || grep -qE -- "$re" "$tmp/err"; }; then
		ok "$what"
	else
		not_ok "$what" "exit $rc (want $want)${re:+, stderr should match /$re/}:" \
			"$(cat "$tmp/err")"
	fi
}
# same DESCRIPTION FILE_A FILE_B
same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then ok "$1"; else not_ok "$1" "$(cat "$tmp/diff")"; fi
}

# start NAME ARGS...: a live target named NAME, stopped once ready; its pid in tpid.
start() {
	local name=$1
	shift
	"$target" --comm "$name" "$@" >"$tmp/$name.facts" </dev/null &
	tpid=$!
	pids+=("$tpid")
	wait_stopped "$tpid" && return 0
	echo "Bail out! the target $name did not stop"
	exit 1
}

# ---- options before and after the operands, one parser for all
run "$vmscope" "${fix[@]}" -w 100 -a "$fpid"
cp "$tmp/out" "$tmp/before"
run "$vmscope" "$fpid" "${fix[@]}" -w 100 -a
expect "report: options after the PID are options ('vmscope PID -a')" 0
same "report: 'PID -a' is 'report -a PID'" "$tmp/before" "$tmp/out"
run "$vmscope" report "$fpid" -a "${fix[@]}" -w 100
same "report: options between and after the operands" "$tmp/before" "$tmp/out"
run "$vmscope" "${fix[@]}" -w 100 -a -- "$fpid"
same "report: '--' ends the options" "$tmp/before" "$tmp/out"
run "$vmscope" "${fix[@]}" -- -a
expect "report: after '--', '-a' is a NAME" 1 "no process matches '-a'"

start cli-pages --anon-pages 16 --anon-touch 8
# the target's own anonymous region: its pages are shared with no one
read -r _ a len _ < <(grep '^anon ' "$tmp/cli-pages.facts")
anon=$(printf '%x-%x' "$((a))" "$((a + len))")
run "$vmscope" pages --format json --range "$anon" "$tpid"
cp "$tmp/out" "$tmp/before"
run "$vmscope" pages "$tpid" --format json --range "$anon"
expect "pages: options after the PID ('pages PID --format json')" 0
# (two runs, two instants: the kernel puts a frozen process's new pages on
# its LRU lists and ages them when it will; those flags' counts are left out)
sed -E -i 's/"(lru|active|referenced)": [0-9]+, //g' "$tmp/before" "$tmp/out"
same "pages: 'PID --format json' is '--format json PID'" "$tmp/before" "$tmp/out"
# the range in capitals with 0X, the sizes in bytes (-b): the region of 16
# pages, 8 of them written, so present
run "$vmscope" pages -b --range "$(printf '0X%X-0X%X' "$((a))" "$((a + len))")" "$tpid"
ps=$(getconf PAGESIZE)
if [ $rc -eq 0 ] && grep -qE "^region [0-9]+  ${anon%-*}-${anon#*-}  $((16 * ps))  anon$" "$tmp/out" &&
	grep -qE "^   present $((8 * ps)), " "$tmp/out"; then
	ok "pages -b --range 0XA-0XB: the region's size and present bytes, exact"
else
	not_ok "pages -b --range 0XA-0XB: sizes in bytes" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"
fi
run "$vmscope" watch "$tpid" -d 1
expect "watch: options after the PID ('watch PID -d 1'): only the terminal is missing" 2 \
	"needs a terminal"

# ---- command words: help, a mistyped command, a process named like a command
run "$vmscope" help
expect "'vmscope help' shows the help" 0
grep -q '^Commands:' "$tmp/out" && ok "'vmscope help' lists the commands" ||
	not_ok "'vmscope help' lists the commands" "$(head -5 "$tmp/out")"
"$vmscope" list --help >"$tmp/before"
run "$vmscope" help list
same "'vmscope help list' is 'vmscope list --help'" "$tmp/before" "$tmp/out"
run "$vmscope" lsit
expect "a mistyped command that names no process: did you mean, exit 2" 2 \
	"unknown command 'lsit'; did you mean 'list'\\?"
run "$vmscope" help lsit
expect "'help lsit': did you mean 'list', exit 2" 2 "did you mean 'list'"
start help
run "$vmscope" help
if [ $rc -eq 0 ] && head -1 "$tmp/out" | grep -q '^Usage:'; then
	ok "'vmscope help' is the help, even with a process named help"
else
	not_ok "'vmscope help' is the help, even with a process named help" "exit $rc" \
		"$(head -3 "$tmp/out")"
fi
# Processes named like command words, in a copy of the captured process
# (its mapped files are links to ../../../../objects).
mkdir "$tmp/fx"
cp -r "$src/tests/fixtures/target" "$src/tests/fixtures/objects" "$tmp/fx/"
named() { echo "$1" >"$tmp/fx/target/proc/$fpid/comm"; }
named list
"$vmscope" "${fix[@]}" -w 100 "$fpid" | sed 1d >"$tmp/before"
run "$vmscope" report --proc-root "$tmp/fx/target/proc" --color never -w 100 list
sed -i 1d "$tmp/out"
same "'vmscope report list' reports the process named list" "$tmp/before" "$tmp/out"
run "$vmscope" --proc-root "$tmp/fx/target/proc" --color never -w 100 -- list
sed -i 1d "$tmp/out"
same "'vmscope -- list' reports the process named list" "$tmp/before" "$tmp/out"
named lsit
run "$vmscope" --proc-root "$tmp/fx/target/proc" lsit
expect "a word near a command that names a process is that process" 0

# ---- an unknown user is a usage error
run "$vmscope" list -u vmscope-no-such-user
expect "list -u with an unknown user: exit 2 with a message" 2 "no user 'vmscope-no-such-user'"
[ -s "$tmp/out" ] && not_ok "list -u with an unknown user prints no table" "$(cat "$tmp/out")" ||
	ok "list -u with an unknown user prints no table"
run "$vmscope" top --once -u vmscope-no-such-user
expect "top -u with an unknown user: exit 2" 2 "no user"
run "$vmscope" list -u 0 -f csv
expect "list -u with a uid is taken as it is" 0

# ---- top and watch without a terminal they can draw on
# pty CMD...: runs CMD in a pseudo-terminal (script); what it printed in
# $tmp/out, its exit status in rc.
pty() {
	script -qec "timeout -s KILL 10 $(printf '%q ' "$@")" /dev/null </dev/null >"$tmp/out" 2>&1
	rc=$?
	tr -d '\r' <"$tmp/out" >"$tmp/err"
}
if script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	pty env -u TERM "$vmscope" top
	expect "top with TERM unset: says so, exit 2" 2 "top needs a terminal \(TERM is not set\); try 'vmscope list'"
	pty env TERM= "$vmscope" top
	expect "top with TERM empty: says so, exit 2" 2 "TERM is not set"
	pty env TERM=vmscope-no-such-term "$vmscope" top
	expect "top with an unknown TERM: says so, exit 2" 2 "terminfo does not know TERM 'vmscope-no-such-term'"
	pty env TERM=dumb "$vmscope" watch "$tpid"
	expect "watch on a dumb terminal: says so, exit 2" 2 "TERM 'dumb' cannot move the cursor"
	pty env -u TERM "$vmscope" watch "$tpid"
	expect "watch with TERM unset: suggests the report of that PID" 2 "try 'vmscope $tpid'"
	# the curses library is loaded when the live view starts: hidden under
	# /dev/null in a mount namespace of its own, top says so
	lib=$(ldconfig -p | awk '$1 == "libncursesw.so.6" { print $NF; exit }')
	if [ "$(id -u)" = 0 ] && [ -n "$lib" ] && unshare -m true 2>/dev/null; then
		pty unshare -m sh -c 'mount --bind /dev/null "$1" && exec "$2" top' sh "$lib" "$vmscope"
		expect "top without its curses library: says why, exit 1" 1 \
			"top needs the curses library, which cannot be loaded: .*libncursesw"
	else
		skip "top without its curses library" "needs root, libncursesw.so.6 in ldconfig's cache and unshare -m"
	fi
else
	skip "top and watch with TERM unset or unknown" "script cannot open a pseudo-terminal"
fi
run "$vmscope" top
expect "top without a terminal: suggests vmscope list, exit 2" 2 "top needs a terminal; try 'vmscope list'"
run "$vmscope" watch "$tpid"
expect "watch without a terminal: suggests the report of that PID, exit 2" 2 \
	"watch needs a terminal; try 'vmscope $tpid'"

# ---- diff --exit-code; check's 1 is "a budget is exceeded", and only that
"$vmscope" snapshot --proc-root "$fixture" "$fpid" -o "$tmp/a.json"
run "$vmscope" diff --exit-code "$tmp/a.json" "$tmp/a.json"
expect "diff --exit-code of a snapshot with itself: 0" 0
# json-c is loaded when JSON is first read: hidden as curses is above, the
# report and the snapshot still work, and reading JSON says why it cannot
lib=$(ldconfig -p | awk '$1 == "libjson-c.so.5" { print $NF; exit }')
if [ "$(id -u)" = 0 ] && [ -n "$lib" ] && unshare -m true 2>/dev/null; then
	hide_jsonc() {
		unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" "$@"
	}
	run hide_jsonc "$vmscope" --proc-root "$fixture" "$fpid"
	expect "the report without json-c: 0" 0
	run hide_jsonc "$vmscope" snapshot --proc-root "$fixture" "$fpid" -o "$tmp/nojsonc.json"
	expect "a snapshot without json-c: 0" 0
	run "$vmscope" diff --exit-code "$tmp/a.json" "$tmp/nojsonc.json"
	expect "the snapshot written without json-c: no difference from the one written with it" 0
	run hide_jsonc "$vmscope" diff "$tmp/a.json" "$tmp/a.json"
	expect "diff without json-c: says why, exit 2" 2 \
		"cannot load '$tmp/a.json': no JSON reader: .*libjson-c"
	printf '{"max_pss": "1G"}' >"$tmp/budget.json"
	run hide_jsonc "$vmscope" check --budget "$tmp/budget.json" "$tmp/a.json"
	expect "check --budget without json-c: says why, exit 2" 2 \
		"cannot read budgets from '$tmp/budget.json': no JSON reader: .*libjson-c"
else
	skip "vmscope without json-c" "needs root, libjson-c.so.5 in ldconfig's cache and unshare -m"
fi
start cli-diff --anon-pages 64 --anon-touch 8
"$vmscope" snapshot "$tpid" -o "$tmp/live.json"
run "$vmscope" diff --exit-code "$tmp/a.json" "$tmp/live.json"
if [ $rc -eq 1 ] && [ -s "$tmp/out" ]; then
	ok "diff --exit-code of two processes: 1, and the diff printed"
else
	not_ok "diff --exit-code of two processes: 1, and the diff printed" "exit $rc" "$(cat "$tmp/err")"
fi
run "$vmscope" diff "$tmp/a.json" "$tmp/live.json"
expect "diff without --exit-code: 0 whatever changed" 0
run "$vmscope" diff --exit-code "$tmp/a.json" 999999999
expect "diff --exit-code with a process that does not exist: 3, not 1" 3 "no process"
run "$vmscope" check --max-pss 1 "$tmp/a.json"
expect "check: a budget exceeded is 1" 1
run "$vmscope" check --max-pss 1 999999999
expect "check of a process that does not exist: 3, not 1" 3 "no process"
run "$vmscope" check --max-pss 1 vmscope-no-such-process-name
expect "check of a NAME that matches nothing: 3" 3 "no process matches"
printf '{"schema": 1,' >"$tmp/bad.json"
run "$vmscope" check --max-pss 1 "$tmp/bad.json"
expect "check of an unreadable snapshot: 2, not 1" 2

# ---- piped: full lines unless -w or COLUMNS says a width (ps, git)
export LC_ALL=C.UTF-8
# widest WIDTH DESCRIPTION: the last run's stdout has no line wider than WIDTH.
widest() {
	local w
	w=$(wc -L <"$tmp/out")
	if [ "$rc" -eq 0 ] && [ "$w" -le "$1" ] && [ "$w" -ge $(($1 * 3 / 4)) ]; then
		ok "$2"
	else
		not_ok "$2" "exit $rc, widest line $w columns, want at most $1 and near it"
	fi
}
cmdline=$(tr '\0' ' ' <"$fixture/$fpid/cmdline" | sed 's/ $//')
run env -u COLUMNS "$vmscope" "${fix[@]}" "$fpid"
if [ "$(sed -n 2p "$tmp/out")" = "$cmdline" ]; then
	ok "report into a pipe: the command line whole (${#cmdline} columns), not cut at 80"
else
	not_ok "report into a pipe: the command line whole" "$(sed -n 2p "$tmp/out")"
fi
grep -v 'more regions not shown' "$tmp/out" | grep -q '…' && not_ok "report into a pipe: nothing cut with an ellipsis" \
	"$(grep '…' "$tmp/out")" || ok "report into a pipe: nothing cut with an ellipsis"
run env COLUMNS=100 "$vmscope" "${fix[@]}" "$fpid"
widest 100 "report into a pipe with COLUMNS=100: 100 columns"
run env -u COLUMNS "$vmscope" "${fix[@]}" -w 100 "$fpid"
widest 100 "report into a pipe with -w 100: 100 columns"
run env COLUMNS=100 "$vmscope" list --color never
widest 100 "list into a pipe with COLUMNS=100: 100 columns"
run env -u COLUMNS "$vmscope" list --color never --name cli-pages
grep -qF -- "$target --comm cli-pages --anon-pages 16 --anon-touch 8" "$tmp/out" &&
	ok "list into a pipe: the command line whole" ||
	not_ok "list into a pipe: the command line whole" "$(cat "$tmp/out")"
# a command line longer than the canvas's 1,024 columns (a JVM's class path),
# control bytes in it escaped, is still whole into a pipe, and cut with -w
long="cli-long-$$-$(printf '/x%.0s' $(seq 1500))"$'\x01'"end"
setsid bash -c 'exec -a "$0" sleep 300' "$long" </dev/null >/dev/null 2>&1 &
pids+=($!)
for i in $(seq 100); do
	grep -q "^cli-long-$$-" "/proc/${pids[-1]}/cmdline" 2>/dev/null && break
	sleep 0.05
done
run env -u COLUMNS "$vmscope" --color never "${pids[-1]}"
if [ "$(sed -n 2p "$tmp/out")" = "${long%$'\x01'end}\\x01end 300" ]; then
	ok "report into a pipe: a command line of ${#long} bytes whole, escaped"
else
	not_ok "report into a pipe: a command line of ${#long} bytes whole" \
		"$(sed -n 2p "$tmp/out" | wc -c) bytes: $(sed -n 2p "$tmp/out" | tail -c 40)"
fi
run env -u COLUMNS "$vmscope" list --color never --full --match "^cli-long-$$-"
if [ "$(grep -c -F -- "${long%$'\x01'end}\\x01end 300" "$tmp/out")" = 1 ]; then
	ok "list into a pipe: a command line of ${#long} bytes whole, escaped"
else
	not_ok "list into a pipe: a command line of ${#long} bytes whole" "$(wc -L <"$tmp/out")"
fi
# so is a mapped file's path of 1,300 bytes in the objects tables
ldir=$tmp$(printf '/%049d' $(seq 26))
mkdir -p "$ldir" && cp "$target" "$ldir/long-target"
target=$ldir/long-target start cli-lpath --anon-pages 1
for o in "" "--by object"; do
	# shellcheck disable=SC2086
	run env -u COLUMNS "$vmscope" --color never -a $o "$tpid"
	if [ "$(grep -c -- " $ldir/long-target\$" "$tmp/out")" -ge 1 ]; then
		ok "report ${o:+$o }into a pipe: a path of ${#ldir} bytes whole"
	else
		not_ok "report ${o:+$o }into a pipe: a path of ${#ldir} bytes whole" \
			"$(grep long-target "$tmp/out" | cut -c1-60)"
	fi
done
run env -u COLUMNS "$vmscope" list --color never -w 1024 --full --match "^cli-long-$$-"
widest 1024 "list into a pipe with -w 1024: 1024 columns"
run env -u COLUMNS "$vmscope" --color never -w 1024 "${pids[-1]}"
widest 1024 "report into a pipe with -w 1024: 1024 columns"

# ---- a charset that is not UTF-8: ASCII glyphs (#, ..., -) as htop does
# ascii_only DESCRIPTION: the last run printed only ASCII (and exited 0).
ascii_only() {
	if [ "$rc" -eq 0 ] && ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$tmp/out" &&
		[ -s "$tmp/out" ]; then
		ok "$1"
	else
		not_ok "$1" "exit $rc" "$(LC_ALL=C grep -n '[^[:print:][:space:]]' "$tmp/out" | head -5)"
	fi
}
run env LC_ALL=C "$vmscope" "${fix[@]}" -w 80 "$fpid"
ascii_only "report in the C locale: ASCII only"
grep -qE '^ +- end of user space -$' "$tmp/out" && grep -qE ' #+$' "$tmp/out" &&
	grep -qF '...' "$tmp/out" && ok "report in the C locale: '-' rules, '#' bars, '...' cuts" ||
	not_ok "report in the C locale: '-' rules, '#' bars, '...' cuts" "$(sed -n 14,24p "$tmp/out")"
# the report's character set is the one the locale's name says, the first
# of LC_ALL, LC_CTYPE and LANG set (it loads no locale to ask)
run env -u LC_ALL -u LC_CTYPE LANG=C.utf8 "$vmscope" "${fix[@]}" -w 80 "$fpid"
grep -q '█' "$tmp/out" && ok "report with LANG=C.utf8: its glyphs" ||
	not_ok "report with LANG=C.utf8: its glyphs" "exit $rc" "$(head -3 "$tmp/err")"
run env -u LC_ALL LC_CTYPE=C LANG=C.UTF-8 "$vmscope" "${fix[@]}" -w 80 "$fpid"
ascii_only "report with LC_CTYPE=C before LANG=C.UTF-8: ASCII only"
run env -u LC_ALL -u LC_CTYPE -u LANG "$vmscope" "${fix[@]}" -w 80 "$fpid"
ascii_only "report with no locale named: ASCII only"
run env LC_ALL=de_DE.ISO-8859-1 "$vmscope" "${fix[@]}" -w 80 "$fpid"
ascii_only "report with LC_ALL=de_DE.ISO-8859-1: ASCII only"
run env LC_ALL=de_DE.utf-8@euro "$vmscope" "${fix[@]}" -w 80 "$fpid"
grep -q '█' "$tmp/out" && ok "report with LC_ALL=de_DE.utf-8@euro: its glyphs" ||
	not_ok "report with LC_ALL=de_DE.utf-8@euro: its glyphs" "exit $rc" "$(head -3 "$tmp/err")"
run env LC_ALL=C "$vmscope" list --name cli-pages
ascii_only "list in the C locale: ASCII only (the sorted column's arrow too)"
run env LC_ALL=C "$vmscope" top --once -d 0.1 --name cli-pages
ascii_only "top --once in the C locale: ASCII only"
run env LC_ALL=C.UTF-8 "$vmscope" list --name cli-pages
grep -q '▼PSS' "$tmp/out" && ok "list in a UTF-8 locale keeps its glyphs" ||
	not_ok "list in a UTF-8 locale keeps its glyphs" "$(head -2 "$tmp/out")"

# ---- the report loads no locale for a process whose names are ASCII (a
# UTF-8 locale takes 0.3 to 0.5 ms to load; its own glyphs are one column
# in every UTF-8 locale), and draws its glyphs all the same. The thread
# that reads smaps was started before /proc was opened
# (thread_early_start: it begins on the other CPU while the options are
# parsed).
if can_strace; then
	start cli-locale --maps 20000
	LC_ALL=C.UTF-8 strace -f -qq -e trace=openat,read,clone,clone3 -e signal=none \
		-o "$tmp/strace" "$vmscope" --color never "$tpid" >"$tmp/out" 2>&1
	order=$(awk -v pid="$tpid" '
		fd == "" && $0 ~ "\"/proc/" pid "/smaps\"|\"smaps\"" && / = [0-9]+$/ { fd = $NF }
		/openat\(.*(locale-archive|\/LC_CTYPE)"/ { loc++ }
		fd != "" && index($0, "read(" fd ",") && reader == "" { reader = $1 }
		proc == "" && /openat\(AT_FDCWD, "\/proc", / { proc = NR }
		/clone3?\(/ && / = [0-9]+$/ { cloned[$NF] = NR }
		END { print loc + 0, proc + 0, cloned[reader] + 0 }' "$tmp/strace")
	read -r loc proc cloned <<<"$order"
	if [ "$loc" -eq 0 ] && grep -q '█' "$tmp/out"; then
		ok "report, names all ASCII, in a UTF-8 locale: no locale loaded, its glyphs drawn"
	else
		not_ok "report, names all ASCII, in a UTF-8 locale: no locale loaded, its glyphs drawn" \
			"$loc locale files opened; $(grep -E 'locale-archive|LC_CTYPE' "$tmp/strace" | head -3)"
	fi
	if [ "$cloned" -gt 0 ] && [ "$proc" -gt "$cloned" ]; then
		ok "report: smaps's reader started before /proc is opened (lines $cloned < $proc of strace)"
	else
		not_ok "report: smaps's reader started before /proc is opened" \
			"its thread made at line $cloned of strace, /proc opened at $proc"
	fi
	# the report's and the snapshot's memory is left to the exit: nothing
	# given back to the system (munmap, MADV_DONTNEED) once the output is
	# written; the regions of 20,000 mappings (6 MiB) were unmapped there
	# (README, Speed). Not in a sanitized build, whose runtime has work of
	# its own at the exit (its runtime linked in or not, the program calls
	# __asan_init).
	for args in "--color never" "snapshot"; do
		if grep -qa '__asan_init' "$vmscope"; then
			skip "$args: nothing given back after the output" "a sanitized build"
			continue
		fi
		# shellcheck disable=SC2086 # the words of args, one argument each
		strace -f -qq -e trace=write,munmap,madvise -e signal=none -o "$tmp/strace" \
			"$vmscope" $args "$tpid" >/dev/null 2>&1
		after=$(awk '/write\(1, / { n = 0; w = 1; next }
			w && /munmap\(|MADV_DONTNEED/ { n++; last = $0 }
			END { print (w ? n : -1), last }' "$tmp/strace")
		if [ "${after%% *}" = 0 ]; then
			ok "$args: nothing given back to the system after its output is written"
		else
			not_ok "$args: nothing given back after its output" "$after"
		fi
	done
	run env LC_ALL=C "$vmscope" --color never -w 80 "$tpid"
	ascii_only "report of 20,000 mappings in the C locale: ASCII only"
	run env LC_ALL=C.UTF-8 "$vmscope" --color never -w 80 "$tpid"
	grep -q '█' "$tmp/out" && ok "report of 20,000 mappings in a UTF-8 locale: its glyphs" ||
		not_ok "report of 20,000 mappings in a UTF-8 locale: its glyphs" "$(head -30 "$tmp/out")"
	kill -KILL "$tpid" 2>/dev/null
	# a snapshot (and check, diff, show of a live process) starts smaps's
	# reader as the report does: before the process's directory is opened
	start cli-snapshot-early --maps 2000
	strace -f -qq -e trace=openat,read,clone,clone3 -e signal=none -o "$tmp/strace" \
		"$vmscope" snapshot "$tpid" >/dev/null 2>&1
	order=$(awk -v pid="$tpid" '
		fd == "" && /"smaps"/ && / = [0-9]+$/ { fd = $NF }
		fd != "" && index($0, "read(" fd ",") && reader == "" { reader = $1 }
		dir == "" && $0 ~ "openat\\([0-9]+, \"" pid "\", " { dir = NR }
		/clone3?\(/ && / = [0-9]+$/ { cloned[$NF] = NR }
		END { print cloned[reader] + 0, dir + 0 }' "$tmp/strace")
	read -r cloned dir <<<"$order"
	if [ "$cloned" -gt 0 ] && [ "$dir" -gt "$cloned" ]; then
		ok "snapshot: smaps's reader started before the process's directory is opened (lines $cloned < $dir of strace)"
	else
		not_ok "snapshot: smaps's reader started before the process's directory is opened" \
			"its thread made at line $cloned of strace, the directory opened at $dir"
	fi
	# snapshot and check of a process of ASCII names load no locale, as
	# the report (the read would wait for it): in C.UTF-8 too. (Their exit
	# status is not asked: under strace, AddressSanitizer's leak check at
	# the exit may abort, after the output.)
	for args in "snapshot" "check --max-rss 1T"; do
		# shellcheck disable=SC2086 # the words of args, one argument each
		LC_ALL=C.UTF-8 strace -f -qq -e trace=openat -e signal=none -o "$tmp/strace" \
			"$vmscope" $args "$tpid" >"$tmp/out" 2>/dev/null
		if grep -qE '^\{|^ok ' "$tmp/out" &&
			! grep -qE 'openat\(.*(locale-archive|/LC_CTYPE)"' "$tmp/strace"; then
			ok "$args of a process of ASCII names in C.UTF-8: no locale loaded"
		else
			not_ok "$args of a process of ASCII names in C.UTF-8: no locale loaded" \
				"$(head -c 200 "$tmp/out"); $(grep -E 'locale-archive|LC_CTYPE' "$tmp/strace" | head -2)"
		fi
	done
	kill -KILL "$tpid" 2>/dev/null
	# nothing to report (the version, the help, a usage error): no thread
	# (a clone with CLONE_THREAD; AddressSanitizer's leak check, which
	# cannot work under strace, clones a task of its own at the exit, without
	# it, and may end the process with an abort)
	for args in "--version" "--help" "--sort nope 1"; do
		# shellcheck disable=SC2086 # the words of args, one argument each
		strace -f -qq -e trace=execve,clone,clone3 -e signal=none -o "$tmp/strace" \
			"$vmscope" $args >/dev/null 2>&1
		if grep -q 'execve(' "$tmp/strace" && ! grep -q 'CLONE_THREAD' "$tmp/strace"; then
			ok "vmscope $args: no thread started"
		else
			not_ok "vmscope $args: no thread started" "$(cat "$tmp/strace")"
		fi
	done
else
	skip "report, names all ASCII, in a UTF-8 locale: no locale loaded, its glyphs drawn" \
		"strace cannot run here"
fi
# ---- a name that is not ASCII (a file named by 40 wide characters): the
# report loads the locale for its width, two columns a character, and keeps
# to the width asked for (its names cut at 80 columns, not 80 characters)
wide_file="$tmp/$(for _ in $(seq 20); do printf '漢字'; done).bin"
head -c 16384 /dev/zero >"$wide_file"
start cli-wide --file "$wide_file"
run env LC_ALL=C.UTF-8 "$vmscope" --color never -a -w 80 "$tpid"
widest 80 "report -w 80 of a process mapping a file named by wide characters: 80 columns"
grep -q '漢字' "$tmp/out" && ok "report of a file named by wide characters: its name shown" ||
	not_ok "report of a file named by wide characters: its name shown" "$(grep -c . "$tmp/out") lines"
if can_strace; then
	LC_ALL=C.UTF-8 strace -f -qq -e trace=openat -e signal=none -o "$tmp/strace" \
		"$vmscope" --color never -a -w 80 "$tpid" >/dev/null 2>&1
	grep -qE 'openat\(.*(locale-archive|/LC_CTYPE)"' "$tmp/strace" &&
		ok "report of a file named by wide characters: the locale loaded for its width" ||
		not_ok "report of a file named by wide characters: the locale loaded for its width" \
			"$(grep -c openat "$tmp/strace") files opened, no locale"
else
	skip "report of a file named by wide characters: the locale loaded for its width" \
		"strace cannot run here"
fi
kill -KILL "$tpid" 2>/dev/null

# ---- a thread's id names its process: the report is the process's, and
# says so; a process's own id is known for one without reading its status
# (pidfd_open refuses a thread), so status is read once, after smaps; and
# stat is read once smaps's reader has started (only cmdline before it)
start cli-threads --threads 2
tid=$(ls "/proc/$tpid/task" | grep -vx "$tpid" | head -1)
run "$vmscope" --color never -w 80 "$tid"
expect "report of a thread's id: the process's, said on stderr" 0 \
	"^vmscope: $tid is a thread of process $tpid, which this shows\$"
grep -q "pid $tpid " "$tmp/out" && ok "report of a thread's id: headed by the process's pid" ||
	not_ok "report of a thread's id: headed by the process's pid" "$(head -3 "$tmp/out")"
run "$vmscope" --color never -w 80 "$tpid"
expect "report of a process's id: nothing said about threads" 0
[ -s "$tmp/err" ] && not_ok "report of a process's id: stderr empty" "$(cat "$tmp/err")" ||
	ok "report of a process's id: stderr empty"
if can_strace; then
	strace -f -qq -e trace=openat -e signal=none -o "$tmp/strace" \
		"$vmscope" --color never "$tpid" >/dev/null 2>&1
	order=$(awk -v pid="$tpid" '
		/"smaps"/ && smaps == "" { smaps = NR }
		$0 ~ "\"(" pid "/)?status\"" { n++; if (first == "") first = NR }
		$0 ~ "\"(" pid "/)?stat\"" && stat == "" { stat = NR }
		$0 ~ "\"(" pid "/)?cmdline\"" && cmdline == "" { cmdline = NR }
		END { print n + 0, first + 0, smaps + 0, stat + 0, cmdline + 0 }' "$tmp/strace")
	read -r opens first at_smaps at_stat at_cmdline <<<"$order"
	if [ "$opens" = 1 ] && [ "$at_smaps" -gt 0 ] && [ "$first" -gt "$at_smaps" ]; then
		ok "report of a process's id: its status read once, after smaps is opened"
	else
		not_ok "report of a process's id: its status read once, after smaps is opened" \
			"status opened $opens times, first at line $first, smaps at $at_smaps"
	fi
	if [ "$at_cmdline" -gt 0 ] && [ "$at_smaps" -gt "$at_cmdline" ] &&
		[ "$at_stat" -gt "$at_smaps" ]; then
		ok "report: cmdline read before smaps is opened, stat after (lines $at_cmdline < $at_smaps < $at_stat)"
	else
		not_ok "report: cmdline read before smaps is opened, stat after" \
			"cmdline at line $at_cmdline, smaps at $at_smaps, stat at $at_stat of strace"
	fi
	# the thread's: read to find its process (before), then the process's
	strace -f -qq -e trace=openat -e signal=none -o "$tmp/strace" \
		"$vmscope" --color never "$tid" >/dev/null 2>&1
	if grep -q "\"$tid/status\"" "$tmp/strace"; then
		ok "report of a thread's id: the thread's status read for its process"
	else
		not_ok "report of a thread's id: the thread's status read for its process" \
			"$(grep status "$tmp/strace")"
	fi
else
	skip "a process's status read once" "strace cannot run here"
fi
kill -KILL "$tpid" 2>/dev/null
# ---- a process of 100 threads: each task's stat and syscall opened once and
# read by one pread (the kernel writes them whole: PROCFILE_WHOLE), never
# asked of fstat, by two threads sharing them (64 or more); and every thread
# in the JSON with the comm and faults its task's files say, and its stack.
start cli-many-threads --threads 100
if can_strace; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -y -e trace=openat,pread64,read,newfstatat,fstat -e signal=none \
		-o "$tmp/strace" "$vmscope" --color never "$tpid" >/dev/null 2>&1
	counts=$(file_reads "$tmp/strace" 'task/[0-9]+/(stat|syscall)')
	read -r opened preads reads fstats readers <<<"$counts"
	if [ "$opened" = 202 ] && [ "$preads" = 202 ] && [ "$reads" = 0 ] && [ "$fstats" = 0 ] &&
		[ "$readers" = 2 ]; then
		ok "101 tasks: 202 files opened, each read by one pread, no fstat, on 2 threads"
	else
		not_ok "101 tasks: each task file read by one pread, no fstat, on 2 threads" \
			"opened $opened, pread $preads, read $reads, fstat $fstats, by $readers threads"
	fi
	# the process's own single_open files too: stat twice (read, then
	# read again to vouch that the process still ran), the others once
	own="proc/$tpid/(stat|status|smaps_rollup|limits|cgroup|oom_score|oom_score_adj)"
	read -r opened preads reads fstats readers <<<"$(file_reads "$tmp/strace" "$own")"
	if [ "$preads" = 8 ] && [ "$reads" = 0 ] && [ "$fstats" = 0 ]; then
		ok "the process's stat, status, smaps_rollup, limits, cgroup, oom files: one pread each, no fstat"
	else
		not_ok "the process's own files: one pread each, no fstat" \
			"pread $preads, read $reads, fstat $fstats"
	fi
else
	skip "101 tasks: each task file read by one pread" "strace cannot run here"
fi
"$vmscope" --format json "$tpid" >"$tmp/threads.json" 2>"$tmp/err"
out=$(python3 - "$tmp/threads.json" "$tpid" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
pid = sys.argv[2]
tasks = sorted(int(t) for t in os.listdir("/proc/%s/task" % pid))
threads = d["threads"]
bad = []
if [t["tid"] for t in threads] != tasks:
    bad.append("tids %d of %d" % (len(threads), len(tasks)))
for t in threads:
    base = "/proc/%s/task/%d/" % (pid, t["tid"])
    comm = open(base + "comm").read().rstrip("\n")
    stat = open(base + "stat").read()
    fields = stat[stat.rindex(")") + 2:].split()
    if t["comm"] != comm or t["minflt"] != int(fields[7]) or t["majflt"] != int(fields[9]):
        bad.append("%d: %s %s %s" % (t["tid"], t["comm"], t["minflt"], t["majflt"]))
    r = d["regions"][t["region"]] if t["region"] is not None else None
    want = "stack" if t["tid"] == int(pid) else "thread_stack"
    if r is None or r["kind"] != want or (want == "thread_stack" and r["tid"] != t["tid"]):
        bad.append("%d: region %s" % (t["tid"], r and (r["kind"], r["tid"])))
print(len(threads), "; ".join(bad[:5]))
PY
)
if [ "$out" = "101 " ]; then
	ok "101 tasks: each in the JSON with its comm, faults and stack, as its task's files say"
else
	not_ok "101 tasks: each in the JSON as its task's files say" "$out" "$(head -3 "$tmp/err")"
fi
kill -KILL "$tpid" 2>/dev/null
# ---- the threads vmscope starts apart (the early thread, which reads
# smaps) run on stacks of its own: a thread on one of glibc's gives its
# pages back as it ends (madvise MADV_DONTNEED), a TLB shootdown of the
# CPU the main thread runs on. A small process: its smaps fills a few
# chunks of the reader's, none of them given back either.
if can_strace; then
	start cli-stacks
	strace -f -qq -e trace=madvise,clone,clone3 -e signal=none -o "$tmp/strace" \
		"$vmscope" --color never "$tpid" >/dev/null 2>&1
	made=$(grep -cE 'clone3?\(.* = [0-9]+$' "$tmp/strace" || true)
	if [ "$made" -ge 1 ] && ! grep -q MADV_DONTNEED "$tmp/strace"; then
		ok "report: its thread ends without giving its stack back ($made made, no MADV_DONTNEED)"
	else
		not_ok "report: its thread ends without giving its stack back" \
			"$made threads made; $(grep -E 'clone|MADV_DONTNEED' "$tmp/strace" | head -5)"
	fi
	kill -KILL "$tpid" 2>/dev/null
else
	skip "report: its thread ends without giving its stack back" "strace cannot run here"
fi
# a captured process (--proc-root): a thread's directory there (its
# process's files, Tgid the process's) is known by its status alone, even
# named by a live process's pid and with a self that is vmscope's: no
# pidfd_open of a number from another /proc
ftid=$$
cp -r "$tmp/fx/target/proc/$fpid" "$tmp/fx/target/proc/$ftid"
# shellcheck disable=SC2016 # the inner shell's own $$: vmscope's pid once it execs
run sh -c 'ln -s "$$" "$1/self" && exec "$2" --proc-root "$1" --color never -w 80 "$3"' \
	sh "$tmp/fx/target/proc" "$vmscope" "$ftid"
expect "report of a captured thread's id: its process's, said on stderr" 0 \
	"^vmscope: $ftid is a thread of process $fpid, which this shows\$"
rm -rf "${tmp:?}/fx/target/proc/$ftid" "${tmp:?}/fx/target/proc/self"

# ---- several processes in the report: each headed, then a line of totals
# named for this run: another run of this test may have its own at the same time
many=cli-m$$
# from their own copy of the target: the pages of its file are then shared
# by these two alone, and not with the suite's other targets, which come and
# go and move the PSS of both (by 100 kB and more) between two reads
cp "$target" "$tmp/many-target"
target=$tmp/many-target start "$many" --anon-pages 16 --anon-touch 16
m1=$tpid
target=$tmp/many-target start "$many" --anon-pages 32 --anon-touch 24
m2=$tpid
# kb FIELD FILE: a "Field: N kB" line's N times 1024
kb() { awk -v f="$1:" '$1 == f { print $2 * 1024 }' "$2"; }
sums_ok=
# (what they still share with every process is the vdso's page, 4096/N
# bytes of PSS each, with N the processes that map it; their other pages
# make a multiple of 2 kB, so the vdso cannot move the kB the kernel prints
# while N > 4; the comparison is still made again until an instant with no
# change between the reads)
for try in $(seq 20); do
	[ "$try" -gt 1 ] && sleep 0.1
	run "$vmscope" -b --color never "$many"
	rss=0 pss=0 uss=0
	for p in $m1 $m2; do
		rss=$((rss + $(kb VmRSS /proc/$p/status)))
		cat /proc/$p/smaps_rollup >"$tmp/rollup"
		pss=$((pss + $(kb Pss "$tmp/rollup")))
		uss=$((uss + $(kb Private_Clean "$tmp/rollup") + $(kb Private_Dirty "$tmp/rollup")))
	done
	want="total of 2 processes  RSS $rss  PSS $pss  USS $uss  swap 0"
	if [ "$(tail -1 "$tmp/out")" = "$want" ]; then sums_ok=1; break; fi
done
[ -n "$sums_ok" ] && ok "report of a NAME that matches two: the totals are the sums of the kernel's" ||
	not_ok "report of a NAME that matches two: the totals are the sums of the kernel's" \
		"got:  $(tail -1 "$tmp/out")" "want: $want"
expect "report of a NAME that matches two: exit 0" 0
[ "$(grep -c '^==> pid' "$tmp/out")" = 2 ] && grep -q "^==> pid $m1, 1 of 2 <==" "$tmp/out" &&
	grep -q "^==> pid $m2, 2 of 2 <==" "$tmp/out" &&
	[ "$(grep -c "^$many  pid" "$tmp/out")" = 2 ] &&
	ok "report of a NAME that matches two: each report headed" ||
	not_ok "report of a NAME that matches two: each report headed" "$(grep -E "^(==>|$many)" "$tmp/out")"
# the second report, up to the totals' blank line; the machine's and the
# cgroup's figures move between two runs (PSS does not: see above)
for try in $(seq 20); do
	[ "$try" -gt 1 ] && sleep 0.1
	"$vmscope" -b --color never "$many" >"$tmp/both"
	"$vmscope" -b --color never "$m2" | grep -vE '^(cgroup|machine) ' >"$tmp/one"
	sed -n "/^==> pid $m2, /,/^total of/p" "$tmp/both" | sed '1d;$d' | sed '$d' |
		grep -vE '^(cgroup|machine) ' >"$tmp/two"
	cmp -s "$tmp/one" "$tmp/two" && break
done
same "the report of one of several is its report alone" "$tmp/one" "$tmp/two"
# as uid 65534 their smaps are refused, their status is not: the totals
# have the RSS of status, PSS and USS n/a
if command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$vmscope" -b --color never "$many"
	want="total of 2 processes  RSS $(($(kb VmRSS /proc/$m1/status) + $(kb VmRSS /proc/$m2/status)))  PSS n/a  USS n/a  swap 0"
	[ $rc -eq 0 ] && [ "$(tail -1 "$tmp/out")" = "$want" ] &&
		ok "as uid 65534, a NAME that matches two root processes: RSS summed, PSS and USS n/a" ||
		not_ok "as uid 65534: RSS summed, PSS and USS n/a" "exit $rc" "got:  $(tail -1 "$tmp/out")" "want: $want"
fi
run "$vmscope" --color never "$m1" "$m2"
expect "report of two PIDs: exit 0" 0
[ "$(grep -c '^==> pid' "$tmp/out")" = 2 ] && grep -q '^total of 2 processes' "$tmp/out" &&
	ok "report of two PIDs: two reports and the totals" ||
	not_ok "report of two PIDs: two reports and the totals" "$(grep -E '^(==>|total)' "$tmp/out")"
run "$vmscope" --color never "$m1" vmscope-no-such-process-name
expect "report of a PID and a NAME that matches nothing: the one, and exit 1" 1 "no process matches"
grep -q "^$many  pid $m1" "$tmp/out" && ok "report of a PID and a NAME that matches nothing: the PID's report" ||
	not_ok "report of a PID and a NAME that matches nothing: the PID's report" "$(head -3 "$tmp/out")"
# a PID gone (a child reaped) before another: said on stderr, no heading
# of its own, the other's report headed as the second of two
sh -c 'exit 0' &
gone=$!
wait $gone
run "$vmscope" --color never "$gone" "$m1"
expect "report of a gone PID and a live one: exit 1, the gone one said" 1 "no process with pid $gone"
[ "$(grep -c '^==> pid' "$tmp/out")" = 1 ] && grep -q "^==> pid $m1, 2 of 2 <==" "$tmp/out" &&
	grep -q '^total of 1 process  ' "$tmp/out" &&
	ok "report of a gone PID and a live one: the live one headed, the total of 1 process" ||
	not_ok "report of a gone PID and a live one: the live one headed, the total of 1 process" \
		"$(grep -E '^(==>|total)' "$tmp/out")"
run "$vmscope" -f json "$many"
expect "report --format json of two processes: a usage error" 2 "takes one process"
grep -q "'vmscope list --format json' lists them all" "$tmp/err" &&
	ok "report --format json of two processes: list --format json said" ||
	not_ok "report --format json of two processes: list --format json said" "$(cat "$tmp/err")"
run "$vmscope" -f html "$many"
expect "report --format html of two processes: a usage error, no list format named" 2 \
	"which 'vmscope show --format html' renders"
! grep -q "vmscope list --format html" "$tmp/err" &&
	ok "report --format html of two processes: no 'list --format html' (there is none)" ||
	not_ok "report --format html of two processes: no 'list --format html' (there is none)" "$(cat "$tmp/err")"
run "$vmscope" pages "$many"
expect "pages of a NAME that matches two: they are listed, exit 2" 2 "2 processes match '$many'"
run "$vmscope" snapshot "$many"
expect "snapshot of a NAME that matches two: exit 2" 2 "2 processes match"

# ---- widths from 40 to 79: used, not rounded up to 80; refused below 40
for w in 79 70 60 50 40; do
	run "$vmscope" "${fix[@]}" -w $w "$fpid"
	wide=$(wc -L <"$tmp/out")
	if [ $rc -eq 0 ] && [ "$wide" -le $w ] && [ "$wide" -ge $((w - 2)) ]; then
		ok "report -w $w: lines of $w columns at most, and the width used"
	else
		not_ok "report -w $w: lines of $w columns at most" "exit $rc, widest $wide"
	fi
done
grep -q '^ region  *size  *RSS  *PSS  *res' "$tmp/out" &&
	ok "report -w 40: the layout drops its address column, keeps size, RSS and PSS" ||
	not_ok "report -w 40: the layout drops its address column" "$(grep -m1 'region' "$tmp/out")"
grep -qE '^ +RSS +PSS +path$' "$tmp/out" &&
	ok "report -w 40: the objects table keeps RSS, PSS and the path" ||
	not_ok "report -w 40: the objects table keeps RSS, PSS and the path" "$(grep -m1 'path' "$tmp/out")"
run env COLUMNS=60 "$vmscope" "${fix[@]}" "$fpid"
widest 60 "report into a pipe with COLUMNS=60: 60 columns"
run "$vmscope" "${fix[@]}" -w 39 "$fpid"
expect "report -w 39: refused, exit 2" 2 "from 40"
run env COLUMNS=50 "$vmscope" top --once -d 0.1
widest 50 "top --once into a pipe with COLUMNS=50: 50 columns"
run "$vmscope" list -w 40
widest 40 "list -w 40: 40 columns"

# show of a recording (vmscope record) fits, as it is, in bytes and every region
for rec in "$src"/tests/fuzz/corpus/recording/*.rec; do
	for w in 40 60 79; do
		for o in "" -b --all; do
			# shellcheck disable=SC2086
			run "$vmscope" show $o -w $w "$rec"
			# display columns, not bytes (LC_ALL is C.UTF-8 here)
			wide=$(wc -L <"$tmp/out")
			what="show ${o:+$o }-w $w of the recording $(basename "$rec"): lines of $w columns at most"
			[ $rc -eq 0 ] && [ "$wide" -le $w ] && ok "$what" ||
				not_ok "$what" "exit $rc, widest $wide" "$(awk -v w=$w 'length($0) > w' "$tmp/out" | head -3)"
		done
	done
done
run "$vmscope" show -w 40 "$src/tests/fuzz/corpus/recording/grow.rec"
grep -qE '^ +RSS +growth +region$' "$tmp/out" &&
	ok "show -w 40 of a recording: the ranked table keeps RSS, growth and the region" ||
	not_ok "show -w 40 of a recording: the ranked table keeps RSS, growth and the region" \
		"$(grep -m1 'region$' "$tmp/out")"

# diff fits the terminal's width or COLUMNS too, down to 40
for w in 60 40; do
	run env COLUMNS=$w "$vmscope" diff "$tmp/a.json" "$tmp/live.json"
	widest $w "diff into a pipe with COLUMNS=$w: $w columns"
done
run env -u COLUMNS "$vmscope" diff "$tmp/a.json" "$tmp/live.json"
grep -q '^change  *address  *region  *size  *Δsize  *RSS  *ΔRSS$' "$tmp/out" &&
	ok "diff into a pipe: every column" || not_ok "diff into a pipe: every column" "$(grep -m1 '^change' "$tmp/out")"

# pages wraps its lists at the width; a file name too long for a line is
# cut at its head, its base name kept, as the report's regions table does
run env COLUMNS=40 "$vmscope" pages "$m1"
widest 40 "pages into a pipe with COLUMNS=40: 40 columns"
deep=$tmp/deep$(printf '/directory-%02d' $(seq 12))
mkdir -p "$deep"
head -c 16384 /dev/urandom >"$deep/mapped-file.bin"
start cli-deep --file "$deep/mapped-file.bin" --file-read 2
for w in 40 60 79; do
	run env COLUMNS=$w "$vmscope" pages "$tpid"
	widest $w "pages of a file under a path of ${#deep} columns, COLUMNS=$w: $w columns"
	grep -qE "^  /.*…mapped-file\.bin\$" "$tmp/out" &&
		ok "pages, COLUMNS=$w: the long path cut at its head, its file name whole" ||
		not_ok "pages, COLUMNS=$w: the long path cut at its head, its file name whole" \
			"$(grep -F 'mapped-file' "$tmp/out")"
done
run env COLUMNS=40 LC_ALL=C "$vmscope" pages "$tpid"
grep -qE '^  /.*\.\.\.mapped-file\.bin$' "$tmp/out" &&
	ok "pages in the C locale: the long path cut with '...'" ||
	not_ok "pages in the C locale: the long path cut with '...'" "$(grep -F 'mapped-file' "$tmp/out")"
run env -u COLUMNS "$vmscope" pages "$tpid"
grep -qE " $deep/mapped-file\.bin\$" "$tmp/out" && ok "pages into a pipe: the long path whole" ||
	not_ok "pages into a pipe: the long path whole" "$(grep -F 'mapped-file' "$tmp/out")"
# a file unlinked since it was mapped is said so, as maps says it and as the
# report's JSON flags it
head -c 16384 /dev/urandom >"$tmp/unlinked.bin"
start cli-unlinked --deleted "$tmp/unlinked.bin"
run env -u COLUMNS "$vmscope" pages "$tpid"
grep -qE "  [a-z_]+  $tmp/unlinked\.bin \(deleted\)\$" "$tmp/out" &&
	ok "pages of a mapped file since unlinked: '(deleted)' after its name" ||
	not_ok "pages of a mapped file since unlinked: '(deleted)' after its name" "$(grep -F unlinked "$tmp/out")"
run "$vmscope" pages --format json "$tpid"
python3 -c '
import json, sys
rs = [r for r in json.load(open(sys.argv[1]))["regions"] if r["name"] == sys.argv[2]]
assert len(rs) == 1 and rs[0]["deleted"] is True, rs
d = [r for r in json.load(open(sys.argv[1]))["regions"] if r["deleted"]]
assert d == rs, d' "$tmp/out" "$tmp/unlinked.bin" 2>"$tmp/err" &&
	ok "pages --format json: the unlinked file's region deleted, no other" ||
	not_ok "pages --format json: the unlinked file's region deleted" "$(cat "$tmp/err")"
run env -u COLUMNS "$vmscope" pages "$m1"
grep -q '^states known: present swapped file exclusive' "$tmp/out" &&
	ok "pages into a pipe: whole lines" || not_ok "pages into a pipe: whole lines" "$(head -3 "$tmp/out")"

# check's results wrap at the width, one line each into a pipe
run env COLUMNS=40 "$vmscope" check --max-pss 1 --max-rss 1G "$tmp/a.json"
rc=$((rc == 1 ? 0 : rc)) # the PSS budget fails, as it should
widest 40 "check into a pipe with COLUMNS=40: 40 columns"
run env -u COLUMNS "$vmscope" check --max-pss 1 --max-rss 1G "$tmp/a.json"
[ "$(wc -l <"$tmp/out")" = 2 ] && ok "check into a pipe: one line per budget" ||
	not_ok "check into a pipe: one line per budget" "$(cat "$tmp/out")"

# wait_watching: until vmscope faults, its stderr in $tmp/err, says it is
# watching (up to 30 s: a sanitizer build on a loaded machine can take
# seconds to start). The caller empties the file before it starts vmscope
# in the background: the line of the run before must not count.
wait_watching() {
	for _ in $(seq 600); do grep -q '^watching' "$tmp/err" && break; sleep 0.05; done
}
# faults_run PID ARGS...: "run" of vmscope ARGS..., the target PID sent
# SIGUSR1 (its faults) once vmscope is watching: a fixed delay raced a
# slow start, and the faults came before the events were on
faults_run() {
	local fpid=$1 vpid
	shift
	: >"$tmp/err"
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err" &
	vpid=$!
	wait_watching
	kill -USR1 "$fpid"
	wait "$vpid"
	rc=$?
}

# faults: its tables narrow, its prose wraps, at the width
"$target" --comm cli-faults --fault-anon 256 --no-stop >"$tmp/faults.facts" </dev/null &
fpid2=$!
pids+=("$fpid2")
for _ in $(seq 100); do grep -q '^ready$' "$tmp/faults.facts" && break; sleep 0.05; done
faults_run "$fpid2" env COLUMNS=40 "$vmscope" faults -d 1 --threads "$fpid2"
widest 40 "faults into a pipe with COLUMNS=40: 40 columns"
grep -qE '^anon +256 +0$' "$tmp/out" && ok "faults at 40 columns: the region table keeps its counts" ||
	not_ok "faults at 40 columns: the region table keeps its counts" "$(cat "$tmp/out")"

# faults --top 1: the region that faulted most, and how many more did
"$target" --comm cli-faults2 --fault-anon 256 --fault-thread 64 --no-stop \
	>"$tmp/faults2.facts" </dev/null &
fpid3=$!
pids+=("$fpid3")
for _ in $(seq 100); do grep -q '^ready$' "$tmp/faults2.facts" && break; sleep 0.05; done
faults_run "$fpid3" env -u COLUMNS "$vmscope" faults -d 1 --top 1 "$fpid3"
if [ $rc -eq 0 ] && [ "$(grep -cE '^[0-9a-f]+ +[a-z]' "$tmp/out")" -eq 1 ] &&
	grep -qE '^[0-9a-f]+ +anon +256 +0 ' "$tmp/out" && grep -qE '^ +\(1 more regions\)$' "$tmp/out"; then
	ok "faults --top 1: the anonymous region's 256 faults, then (1 more regions)"
else
	not_ok "faults --top 1: one region, then how many more" "exit $rc" "$(cat "$tmp/out")"
fi
# SIGINT ends a run early: the report of what was seen, and a line saying so
: >"$tmp/err"
"$vmscope" faults -d 20 "$fpid3" >"$tmp/out" 2>"$tmp/err" &
vpid=$!
# (a SIGINT sent before the line is lost where the shell ignores it)
wait_watching
kill -INT "$vpid"
wait "$vpid"
rc=$?
[ $rc -eq 0 ] && grep -qx 'interrupted: the run ended early' "$tmp/out" &&
	ok "faults ended by SIGINT: exit 0 and 'interrupted: the run ended early'" ||
	not_ok "faults ended by SIGINT: exit 0 and a line saying so" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"

# ---- options that exclude each other, and operands that are no target:
# exit 2 with what is wrong (exit 1 for what cannot be read), nothing printed
usage() { # description, status, regex, vmscope arguments...
	local what=$1 want=$2 re=$3
	shift 3
	run "$vmscope" "$@"
	if [ -s "$tmp/out" ]; then
		not_ok "$what" "stdout: $(head -c 200 "$tmp/out")"
	else
		expect "$what" "$want" "$re"
	fi
}
usage "--proc-root without a PID" 2 "^vmscope: with --proc-root, name a PID$" "${fix[@]}"
usage "--faults with --format json: faults --format json says it" 2 \
	"^vmscope: --faults goes with the text report; 'vmscope faults --format json'" \
	--faults 1 -f json "$m1"
usage "--faults with --proc-root" 2 "^vmscope: --faults watches a live process, not --proc-root$" \
	"${fix[@]}" --faults 1 "$fpid"
usage "--reset-refs with --proc-root" 2 \
	"^vmscope: --reset-refs writes to a live process, not to --proc-root$" \
	"${fix[@]}" --reset-refs 1 "$fpid"
# an empty NAME (an unset variable, say) would match every process
for args in "" pages faults "record -o $tmp/empty.rec" "capture -o $tmp/empty.d" watch; do
	read -r -a a <<<"$args"
	usage "${a[0]:-report} of an empty NAME: a usage error, not every process" 2 \
		"^vmscope: an empty NAME matches every process: give a PID or a NAME$" "${a[@]}" ''
done
usage "--faults of a NAME that matches two" 2 \
	"^vmscope: --faults and --reset-refs take one process, and 2 match$" --faults 1 "$many"
usage "a NAME that is no regular expression" 2 \
	"^vmscope: '\[x' is neither a PID nor a valid regular expression$" '[x'
usage "pages: --range and --region" 2 "^vmscope: --range and --region exclude each other$" \
	pages --range 0-1000 --region 1 "$m1"
usage "pages: a region past the last" 2 "^vmscope: pid $fpid has [0-9]+ regions: no region 9999$" \
	pages --proc-root "$fixture" --region 9999 "$fpid"
usage "list takes no operands" 2 "^vmscope: list takes no operands \('foo'\); see --user, --name, --match$" \
	list foo
usage "list --by library has no OpenMetrics" 2 \
	"^vmscope: --format openmetrics sums processes by program, user or cgroup, not by library$" \
	list --by library --format openmetrics
usage "diff of three operands" 2 "^vmscope: diff takes two operands: A and B" diff a b c
usage "diff of one snapshot" 2 "^vmscope: diff of one operand takes a recording; a snapshot or a PID needs a B$" \
	diff "$src/tests/snapshot/target-schema1.json"
usage "check of two operands" 2 "^vmscope: check takes one PID, NAME, snapshot FILE or recording$" \
	check "$src/tests/snapshot/target-schema1.json" "$src/tests/snapshot/target-schema1.json"
usage "record of two operands" 2 "^vmscope: record takes one PID or NAME$" record "$m1" "$m2" -o x
usage "record without -o" 2 "^vmscope: record needs -o FILE \('-o -' for standard output\)$" \
	record "$m1"
usage "record into a directory that does not exist" 1 \
	"^vmscope: cannot write '$tmp/none/x.rec': No such file or directory$" \
	record "$m1" -o "$tmp/none/x.rec"
mkdir -p "$tmp/adir"
usage "snapshot -o a directory" 1 "^vmscope: cannot write '$tmp/adir': Is a directory$" \
	snapshot --proc-root "$fixture" "$fpid" -o "$tmp/adir"
if command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	mkdir -m 555 "$tmp/ro"
	# a copy of the fixture that uid 65534 may read wherever the checkout is
	# (a clone under /root is not)
	cp -r "$fixture" "$tmp/fixture-proc" && chmod -R a+rX "$tmp/fixture-proc"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$vmscope" snapshot \
		--proc-root "$tmp/fixture-proc" "$fpid" -o "$tmp/ro/x.json"
	expect "snapshot -o into a directory it may not write (uid 65534)" 1 \
		"^vmscope: cannot write '$tmp/ro/x.json': Permission denied$"
fi
usage "pages of a capture: it holds no pagemap" 1 \
	"^vmscope: cannot read the pagemap of pid $fpid: No such file or directory \(a capture holds none\)$" \
	pages --proc-root "$fixture" -b "$fpid"

# ---- numbers that are none: the option, its range and the value said back
for w in 5x -5 '' 99999999999999999999 39 1025; do
	usage "-w '$w': exit 2 with the range" 2 \
		"^vmscope: --width takes a number from 40 to 1024, not '$w'$" "${fix[@]}" -w "$w" "$fpid"
done
usage "pid 0: no such process" 1 "^vmscope: no process with pid 0$" 0
usage "a pid past pid_max: no such process, not a name" 1 \
	"^vmscope: no process with pid 99999999999$" 99999999999
# each budget option whose value is none, said with what it takes
usage "check --max with an unknown measure" 2 \
	"^vmscope: --max takes KIND=SIZE or FILE=SIZE, with :pss :rss :uss :swap or :size after the name, not 'heap:vsz=1M'$" \
	check --max heap:vsz=1M "$tmp/a.json"
usage "check --max-growth with an unknown measure" 2 \
	"^vmscope: --max-growth takes \[MEASURE=\]SIZE or N%, not 'vsz=1%'$" \
	check --max-growth vsz=1% "$tmp/a.json"
usage "check --max-growth-rate without a unit of time" 2 \
	"^vmscope: --max-growth-rate takes \[MEASURE=\]SIZE/min \(or /s, /h\), not '1M'$" \
	check --max-growth-rate 1M "$tmp/a.json"
usage "check --min-stack-headroom of no size" 2 \
	"^vmscope: --min-stack-headroom takes a size like 64M, 1.5G or 4096 \(binary units, K = 1024; under 8E\), not '1Q'$" \
	check --min-stack-headroom 1Q "$tmp/a.json"
usage "check --max-regions of no number" 2 "^vmscope: --max-regions takes a number, not '12x'$" \
	check --max-regions 12x "$tmp/a.json"
usage "check --baseline that does not exist" 2 \
	"^vmscope: cannot load '$tmp/none.json': No such file or directory$" \
	check --max-pss 1M --baseline "$tmp/none.json" "$tmp/a.json"
run "$vmscope" check --max-pss 1G --junit "$tmp/none/j.xml" "$tmp/a.json"
expect "check --junit into a directory that does not exist: exit 2, the results printed" 2 \
	"^vmscope: cannot write '$tmp/none/j.xml': No such file or directory$"
echo '{"max_pss": "1"}' >"$tmp/budget.json"
"$vmscope" check --budget - "$tmp/a.json" <"$tmp/budget.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q '^FAIL  total PSS: .* > 1 (' "$tmp/out" &&
	ok "check --budget -: the budgets from standard input" ||
	not_ok "check --budget -: the budgets from standard input" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"
echo '{"max_pss": "1Q"}' | "$vmscope" check --budget - "$tmp/a.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "check --budget - of a bad budget: named as '-'" 2 "^vmscope: -: max_pss: a size like 64M"
# The JUnit report of a snapshot file with XML's and the terminal's
# specials in its name: escaped, a control character as '?'.
odd=$tmp/$'a<b&c"d\'e\x01f.json'
cp "$tmp/a.json" "$odd"
run "$vmscope" check --max-pss 1 --junit "$tmp/odd.xml" "$odd"
if [ $rc = 1 ] && grep -qF "<testsuite name=\"vmscope check $tmp/a&lt;b&amp;c&quot;d&apos;e?f.json\" tests=\"1\" failures=\"1\"" "$tmp/odd.xml" &&
	{ ! command -v xmllint >/dev/null || xmllint --noout "$tmp/odd.xml"; }; then
	ok "check --junit: a file name with < & \" ' and a control character escaped"
else
	not_ok "check --junit: a file name with < & \" ' and a control character escaped" "exit $rc" \
		"$(cat "$tmp/odd.xml" "$tmp/err")"
fi

# ---- standard input given twice: a usage error before anything is read
run bash -c "'$vmscope' diff - - <'$tmp/a.json'"
expect "diff - -: standard input as A and as B, a usage error" 2 "given as A and as B"
run bash -c "'$vmscope' check - --baseline - --max-pss 1G <'$tmp/a.json'"
expect "check - --baseline -: standard input twice, a usage error" 2 "given twice"
run bash -c "echo '{\"max_pss\": \"1G\"}' | '$vmscope' check - --budget -"
expect "check - --budget -: standard input twice, a usage error" 2 "given twice"
# the snapshot on standard input: the same error, not the snapshot read as budgets
run bash -c "'$vmscope' check - --budget - <'$tmp/a.json'"
expect "check - --budget - of a snapshot: standard input twice" 2 "^vmscope: standard input \(-\) given twice"
# the budgets of standard input, read after the options, keep their place
run bash -c "echo '{\"max_rss\": \"1G\"}' | '$vmscope' check --max-pss 1G --budget - --max-regions 99999 '$tmp/a.json'"
[ "$rc" = 0 ] && [ "$(cut -d: -f1 "$tmp/out" | tr -s ' ' | tr '\n' ,)" = "ok total PSS,ok total RSS,ok regions," ] &&
	ok "check --budget - among options: its budget in its place" ||
	not_ok "check --budget - among options: its budget in its place" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"

# ---- what cannot be written: /dev/full says why; a reader gone (SIGPIPE
# ignored, as some runners do) says nothing
if [ -c /dev/full ]; then
	for f in text json html; do
		"$vmscope" diff -f $f "$tmp/a.json" "$tmp/a.json" >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 1 ] && grep -qx "vmscope: cannot write the diff: No space left on device" "$tmp/err" &&
			ok "diff -f $f >/dev/full: exit 1, and why" ||
			not_ok "diff -f $f >/dev/full: exit 1, and why" "exit $rc" "$(cat "$tmp/err")"
	done
	"$vmscope" diff --exit-code "$tmp/a.json" "$tmp/a.json" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q "No space left on device" "$tmp/err" &&
		ok "diff --exit-code >/dev/full: exit 2, no verdict" ||
		not_ok "diff --exit-code >/dev/full: exit 2, no verdict" "exit $rc" "$(cat "$tmp/err")"
fi
# closed CMD...: runs it into a pipe whose reader has gone, SIGPIPE ignored
closed() {
	(trap '' PIPE; sleep 0.2; "$@" 2>"$tmp/err"; echo $? >"$tmp/rc") | true
	rc=$(cat "$tmp/rc")
}
closed "$vmscope" check --max-pss 1G "$tmp/a.json"
[ "$rc" = 2 ] && [ ! -s "$tmp/err" ] && ok "check into a closed pipe: exit 2, no verdict, silent" ||
	not_ok "check into a closed pipe: exit 2, no verdict, silent" "exit $rc" "$(cat "$tmp/err")"
closed "$vmscope" diff --exit-code "$tmp/a.json" "$tmp/live.json"
[ "$rc" = 1 ] && [ ! -s "$tmp/err" ] && ok "diff --exit-code into a closed pipe: the verdict (1), silent" ||
	not_ok "diff --exit-code into a closed pipe: the verdict (1), silent" "exit $rc" "$(cat "$tmp/err")"
# every command that writes a listing or a report: exit 1 and why into a
# full device, exit 1 and silent into a closed pipe (vmscope(1), EXIT STATUS)
for args in "list" "list -f json" "top --once" "pages $$" "faults -d 100ms $$" "snapshot $$" \
	"$$"; do
	if [ -c /dev/full ]; then
		# shellcheck disable=SC2086
		"$vmscope" $args >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 1 ] && grep -qE "^vmscope: cannot write .*No space left on device" "$tmp/err" &&
			ok "vmscope $args >/dev/full: exit 1, and why" ||
			not_ok "vmscope $args >/dev/full: exit 1, and why" "exit $rc" "$(cat "$tmp/err")"
	fi
	# shellcheck disable=SC2086
	closed "$vmscope" $args
	grep -v '^watching the page faults' "$tmp/err" >"$tmp/err2"
	[ "$rc" = 1 ] && [ ! -s "$tmp/err2" ] && ok "vmscope $args into a closed pipe: exit 1, silent" ||
		not_ok "vmscope $args into a closed pipe: exit 1, silent" "exit $rc" "$(cat "$tmp/err")"
done
closed "$vmscope" --help
[ "$rc" = 2 ] && [ ! -s "$tmp/err" ] && ok "vmscope --help into a closed pipe: exit 2, silent" ||
	not_ok "vmscope --help into a closed pipe: exit 2, silent" "exit $rc" "$(cat "$tmp/err")"

# ---- budgets a process's state leaves unchecked, or met without a limit
# A target whose stack has no limit (ulimit -s unlimited): its headroom is
# unlimited, and the region is /proc/PID/maps' [stack].
(ulimit -s unlimited && exec "$target" --comm cli-unl >"$tmp/unl.facts" </dev/null) &
upid=$!
pids+=("$upid")
if wait_stopped "$upid" && grep -q '^Max stack size *unlimited' "/proc/$upid/limits"; then
	stack=$(awk '$6 == "[stack]" { sub(/-.*/, "", $1); print $1 }' "/proc/$upid/maps")
	run "$vmscope" check --min-stack-headroom 1M "$upid"
	[ $rc = 0 ] && grep -q "^ok    stack headroom: unlimited >= 1.0M; tightest: stack at $stack " "$tmp/out" &&
		ok "check --min-stack-headroom of a stack without a limit: unlimited" ||
		not_ok "check --min-stack-headroom of a stack without a limit: unlimited" "exit $rc" \
			"$(cat "$tmp/out" "$tmp/err")"
	if command -v setpriv >/dev/null; then
		chmod 755 "$tmp"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$vmscope" check --max heap=1M \
			--max-pss 1G --min-stack-headroom 1M "$upid"
		if [ $rc = 1 ] &&
			grep -qx "FAIL  heap PSS: cannot be checked: smaps was not read (Permission denied)" "$tmp/out" &&
			grep -qx "FAIL  total PSS: cannot be checked: smaps_rollup was not read (Permission denied)" "$tmp/out" &&
			grep -qx "FAIL  stack headroom: cannot be checked: no stack with a known limit" "$tmp/out"; then
			ok "check of a process whose smaps it may not read (uid 65534): each budget unchecked, and why"
		else
			not_ok "check of a process whose smaps it may not read (uid 65534)" "exit $rc" \
				"$(cat "$tmp/out" "$tmp/err")"
		fi
		# its snapshot (taken as uid 65534) diffed: the regions of that side unknown
		setpriv --reuid=65534 --regid=65534 --clear-groups "$vmscope" snapshot "$upid" >"$tmp/u.json"
		run "$vmscope" diff "$tmp/a.json" "$tmp/u.json"
		[ $rc = 0 ] && [ "$(tail -1 "$tmp/out")" = "regions: n/a, those of after could not be read: Permission denied" ] &&
			ok "diff with a snapshot whose regions could not be read: says which side, and why" ||
			not_ok "diff with a snapshot whose regions could not be read" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"
	fi
else
	not_ok "a target under ulimit -s unlimited" "it did not stop, or its stack has a limit"
fi
run "$vmscope" check --max-growth-rate 1M/min "$tmp/a.json"
expect "check --max-growth-rate of one snapshot: cannot be checked, exit 1" 1
grep -qx "FAIL  PSS growth rate: cannot be checked: needs a recording, or a baseline taken earlier with this measure" "$tmp/out" &&
	ok "check --max-growth-rate of one snapshot: says it needs a recording" ||
	not_ok "check --max-growth-rate of one snapshot: says it needs a recording" "$(cat "$tmp/out")"

# ---- colors: auto on a terminal, but for NO_COLOR (not empty) and TERM=dumb
# or unset; the terminal's width (at least 40), else COLUMNS from 40 to 1024
if script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	for e in "TERM=xterm:1" "TERM=xterm NO_COLOR=1:0" "TERM=xterm NO_COLOR=:1" "TERM=dumb:0" "-u TERM:0"; do
		# shellcheck disable=SC2086
		pty env ${e%:*} "$vmscope" --proc-root "$fixture" -w 100 "$fpid"
		if [ "$rc" = 0 ] && [ "$(grep -c $'\e\[' "$tmp/out" | sed 's/^[1-9][0-9]*$/1/')" = "${e##*:}" ]; then
			ok "on a terminal with ${e%:*}: colors ${e##*:}"
		else
			not_ok "on a terminal with ${e%:*}: colors ${e##*:}" "exit $rc" "$(head -3 "$tmp/out" | cat -v)"
		fi
	done
	for c in 30:40 120:120; do
		pty sh -c "stty cols ${c%:*}; exec env TERM=dumb COLUMNS=77 $(printf '%q ' "$vmscope") --proc-root $(printf %q "$fixture") $fpid"
		[ "$rc" = 0 ] && [ "$(wc -L <"$tmp/err")" = "${c#*:}" ] &&
			ok "on a terminal of ${c%:*} columns: ${c#*:}, whatever COLUMNS says" ||
			not_ok "on a terminal of ${c%:*} columns: ${c#*:}" "exit $rc, $(wc -L <"$tmp/err") columns"
	done
fi
for c in 30 2000; do
	run env COLUMNS=$c "$vmscope" "${fix[@]}" "$fpid"
	[ "$(sed -n 2p "$tmp/out")" = "$cmdline" ] && ok "COLUMNS=$c is out of range: whole lines" ||
		not_ok "COLUMNS=$c is out of range: whole lines" "$(sed -n 2p "$tmp/out")"
done

# ---- operands: '+1' is no PID (a NAME, and no valid expression); a word
# past 64 letters is no misspelt command; --proc-root /proc is the live one
# a bare word that is a file here but no JSON (the program under test, run
# from its directory) is the process of that name; a JSON file is a file
cwdname=cli-cwd-$$ # one process of that name, whatever else runs the suite at once
mkdir -p "$tmp/cwd" && cp "$target" "$tmp/cwd/$cwdname" && cp "$tmp/a.json" "$tmp/cwd/cli-snap"
start "$cwdname" --anon-pages 4
run bash -c "cd '$tmp/cwd' && '$vmscope' check $cwdname --max-pss 1G"
expect "check NAME with a program of that name here: the process" 0
grep -q "^ok    total PSS" "$tmp/out" && ok "check NAME with a program of that name here: its budget" ||
	not_ok "check NAME with a program of that name here: its budget" "$(cat "$tmp/out")"
run bash -c "cd '$tmp/cwd' && '$vmscope' diff cli-snap $cwdname"
expect "diff FILE NAME with both here: the snapshot and the process" 0
grep -q "^after   $cwdname: pid $tpid ($cwdname)" "$tmp/out" && grep -q "^before  cli-snap: pid" "$tmp/out" &&
	ok "diff FILE NAME: each side said as what it is" ||
	not_ok "diff FILE NAME: each side said as what it is" "$(head -3 "$tmp/out")"
usage "'+1' is no PID: a NAME, and not a valid regular expression" 2 \
	"^vmscope: '\+1' is neither a PID nor a valid regular expression$" +1
long=$(printf 'l%.0s' $(seq 70))
usage "a word of 70 letters is a NAME, no command misspelt" 1 "^vmscope: no process matches '$long'$" "$long"
run "$vmscope" pages --proc-root /proc/ -b "$upid"
[ $rc = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
	ok "pages --proc-root /proc/: the live /proc, whose pagemap is read" ||
	not_ok "pages --proc-root /proc/: the live /proc" "exit $rc" "$(cat "$tmp/err")"

# ---- check: growth from a baseline of nothing; a cgroup that could not be read
run "$vmscope" check --baseline "$tmp/a.json" --max-growth swap=1K "$tmp/a.json"
[ $rc = 0 ] && grep -qx "ok    swap growth: 0 <= 1.0K (0 <= 1024 bytes); growth from nothing of the baseline's 0" "$tmp/out" &&
	ok "check --max-growth of a measure the baseline has none of: growth from nothing" ||
	not_ok "check --max-growth of a measure the baseline has none of" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"
python3 - "$tmp/a.json" "$tmp/cg.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['cgroup'] = dict.fromkeys(('version', 'path', 'current', 'max', 'high', 'swap_current'))
d['cgroup']['error'] = 'EACCES'
json.dump(d, open(sys.argv[2], 'w'))
PY
run "$vmscope" check --min-cgroup-headroom 1M "$tmp/cg.json"
[ $rc = 1 ] && grep -qx "FAIL  cgroup headroom: cannot be checked: no memory cgroup could be read" "$tmp/out" &&
	ok "check --min-cgroup-headroom of a snapshot whose cgroup was refused: unchecked, and why" ||
	not_ok "check --min-cgroup-headroom of a snapshot whose cgroup was refused" "exit $rc" "$(cat "$tmp/out" "$tmp/err")"

# ---- diff: exact bytes (-b) are the snapshots' own; an operand that is
# gone is 1, 3 with --exit-code, whichever side it is
run "$vmscope" diff -b "$tmp/a.json" "$tmp/live.json"
want=$(python3 -c 'import json, sys; a, b = (json.load(open(f))["totals"]["status"]["vm_size"] for f in sys.argv[1:]); print("VSZ %d %d %+d" % (a, b, b - a))' "$tmp/a.json" "$tmp/live.json")
[ $rc = 0 ] && [ "$(grep '^VSZ ' "$tmp/out" | tr -s ' ')" = "$want" ] &&
	ok "diff -b: VSZ before, after and its change in bytes, the snapshots' own ($want)" ||
	not_ok "diff -b: VSZ in bytes" "want '$want'" "$(grep '^VSZ ' "$tmp/out")"
usage "diff of a first operand that does not exist: 1" 1 "^vmscope: no process with pid 999999999$" \
	diff 999999999 "$tmp/a.json"
usage "diff --exit-code of a first operand that does not exist: 3" 3 "^vmscope: no process with pid 999999999$" \
	diff --exit-code 999999999 "$tmp/a.json"
usage "diff --exit-code of one operand that does not exist: 3" 3 "^vmscope: no process matches 'vmscope-none-$$'$" \
	diff --exit-code "vmscope-none-$$"

# ---- diff into a pipe as wide as COLUMNS: the columns that fit are kept
for c in 40 60 80; do
	run env COLUMNS=$c "$vmscope" diff "$tmp/a.json" "$tmp/live.json"
	widest $c "diff into a pipe with COLUMNS=$c: $c columns"
done

# ---- record: a --proc-root that does not exist; on a terminal, its
# progress on one line, rewritten, and a newline at the end
usage "record --proc-root that does not exist" 2 "^vmscope: cannot open $tmp/none: No such file or directory$" \
	record --proc-root "$tmp/none" 1 -o "$tmp/none.rec"
if script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	start cli-rec
	# --cpu 100: every sample reads the regions, however slow the build
	# (the sanitizers') or busy the machine; the budget is test-record's
	pty "$vmscope" record "$tpid" -o "$tmp/pty.rec" --duration 300ms --interval 100ms --cpu 100
	ns=$("$vmscope" show -f json "$tmp/pty.rec" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["samples"]))' 2>&1)
	if [ "$rc" = 0 ] && grep -qF $'\e[Krecording pid '"$tpid (cli-rec): $ns samples ($ns with regions), " "$tmp/out" &&
		[ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ]; then
		ok "record on a terminal: its progress rewritten in place, up to the $ns samples, then a newline"
	else
		not_ok "record on a terminal: its progress, then a newline" "exit $rc, $ns samples" "$(cat -v "$tmp/out")"
	fi
fi

# ---- a NAME that several kernel threads match: each listed by its comm
# (they have no command line), a PID asked for
kt=$(pgrep '^ksoftirqd/' | sort -n)
if [ "$(echo "$kt" | wc -l)" -ge 2 ]; then
	run "$vmscope" pages '^ksoftirqd/'
	{
		echo "vmscope: $(echo "$kt" | wc -l) processes match '^ksoftirqd/'; name one by its PID:"
		for p in $kt; do printf '  %7d  %s\n' "$p" "$(cat "/proc/$p/comm")"; done
	} >"$tmp/want"
	if [ $rc = 2 ] && [ ! -s "$tmp/out" ]; then
		same "pages of a NAME several kernel threads match: each by its comm" "$tmp/want" "$tmp/err"
	else
		not_ok "pages of a NAME several kernel threads match: exit 2" "exit $rc" "$(cat "$tmp/err")"
	fi
else
	skip "a NAME several kernel threads match" "fewer than two ksoftirqd threads"
fi

finish
