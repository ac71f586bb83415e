#!/bin/bash
# test-answers.sh VMSCOPE: right answers and exit statuses where they were
# wrong: kernel threads and zombies, ports out of range, numbers under a
# locale with a decimal comma, budgets past 8 EiB, snapshots with null
# members, CSV cells a spreadsheet would run, arguments echoed raw, write
# errors, a pid past pid_max and a thread id; TAP.
set -u
vmscope=${1:?usage: test-answers.sh VMSCOPE}
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d) || exit 1
kids=()
cleanup() {
	local p
	for p in "${kids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect NAME WANT_RC [OUT_PATTERN] -- ARGS...: vmscope ARGS exits WANT_RC and
# its stdout matches the extended regular expression OUT_PATTERN (if given).
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 4
	"$vmscope" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" != "$want" ]; then
		not_ok "$name" "exit $rc, not $want" "$(head -c 600 "$tmp/err")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
		not_ok "$name" "stdout does not match /$pat/:" "$(head -c 600 "$tmp/out")"
	else
		ok "$name"
	fi
}

# ---- kernel threads and zombies: one line, exit 0, in every command
# A zombie: the child of a shell that execs into sleep, which never reaps it.
sh -c 'sleep 0 & exec sleep 60' &
kids+=($!)
zombie=
for _ in $(seq 100); do
	zombie=$(ps -o pid=,stat= --ppid "$!" | awk '$2 ~ /^Z/ { print $1 }')
	[ -n "$zombie" ] && break
	sleep 0.05
done
# A kernel thread: PF_KTHREAD (0x200000) in stat's flags (the 9th field).
kthread=$(for f in /proc/[0-9]*/stat; do
	awk '{ sub(/.*\) /, ""); if (int($7 / 2097152) % 2) { print FILENAME; exit } }' "$f" 2>/dev/null
done | head -n1 | cut -d/ -f3)
for what in "zombie:$zombie" "kernel thread:$kthread"; do
	kind=${what%%:*} pid=${what#*:}
	if [ -z "$pid" ]; then
		skip "a $kind: one line and exit 0 in every command" "no $kind here"
		continue
	fi
	line="^pid $pid \(.*\) is a $kind: "
	expect "$kind: report says so in one line, exit 0" 0 "$line" -- "$pid"
	[ "$(wc -l <"$tmp/out")" = 1 ] && ok "$kind: report is that one line" ||
		not_ok "$kind: report is that one line" "$(cat "$tmp/out")"
	expect "$kind: report --format json, exit 0" 0 '"state"' -- --format json "$pid"
	expect "$kind: pages says so, exit 0" 0 "$line" -- pages "$pid"
	expect "$kind: pages --format json, exit 0" 0 '"regions": \[' -- pages -f json "$pid"
	expect "$kind: faults says so, exit 0" 0 "$line" -- faults -d 0.2 "$pid"
	expect "$kind: faults --format json, exit 0" 0 '"why": "pid' -- faults -d 0.2 -f json "$pid"
	expect "$kind: report --faults says so, exit 0" 0 "$line" -- --faults 0.2 "$pid"
	expect "$kind: snapshot, exit 0" 0 '"regions": \[' -- snapshot "$pid"
	expect "$kind: check says so, exit 0" 0 "$line" -- check --max-pss 1K "$pid"
	expect "$kind: diff with itself, exit 0" 0 "" -- diff "$pid" "$pid"
	rm -rf "$tmp/cap"
	expect "$kind: capture, exit 0" 0 "" -- capture -o "$tmp/cap" "$pid"
	expect "$kind: its capture says so, exit 0" 0 "$line" -- --proc-root "$tmp/cap/proc" "$pid"
	# nothing to record: the line on stderr (stdout may be the recording),
	# exit 1 as for a process that exits before its first sample, no file
	rm -f "$tmp/rec"
	"$vmscope" record --duration 1s -o "$tmp/rec" "$pid" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ $rc = 1 ] && [ ! -e "$tmp/rec" ] && [ ! -s "$tmp/out" ] &&
		grep -Eq "^vmscope: pid $pid \(.*\) is a $kind: .*; there is nothing to record$" "$tmp/err"; then
		ok "$kind: record says so, writes no file, exit 1"
	else
		not_ok "$kind: record says so, writes no file, exit 1" "exit $rc" \
			"$(ls -l "$tmp/rec" 2>&1)" "$(head -c 600 "$tmp/err")"
	fi
done

# ---- serve: a port past 65535 is a usage error, not another port
for spec in 127.0.0.1:99999 127.0.0.1:65536 65536 :0000065536 '[::1]:70000'; do
	timeout 5 "$vmscope" serve --listen "$spec" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc = 2 ] && grep -q "port from 1 to 65535" "$tmp/err" &&
		ok "serve --listen $spec: exit 2" ||
		not_ok "serve --listen $spec: exit 2" "exit $rc" "$(cat "$tmp/err")"
done

# ---- list -f csv: no cell a spreadsheet would take for a formula (OWASP)
mkdir -p "$tmp/bin"
cp "$(command -v sleep)" "$tmp/bin/=HYPERLINK(1)"
for lead in '=1+2' '+SUM(1)' '-2+3' '@SUM(1)' $'\tx' '"=quoted'; do
	(exec -a "$lead" "$tmp/bin/=HYPERLINK(1)" 60) &
	kids+=($!)
done
# each one listed once it runs the program, not the shell that starts it
for p in "${kids[@]:1}"; do
	for _ in $(seq 200); do
		[ "$(readlink "/proc/$p/exe")" = "$tmp/bin/=HYPERLINK(1)" ] && break
		sleep 0.05
	done
done
"$vmscope" list -f csv >"$tmp/list.csv" 2>"$tmp/err"
for p in "${kids[@]:1}"; do
	row=$(grep "^$p," "$tmp/list.csv")
	bad=$(python3 - "$row" <<'PY'
import csv, sys
cells = next(csv.reader([sys.argv[1]])) if sys.argv[1] else []
if len(cells) < 5:
    print("no row: %r" % sys.argv[1]); sys.exit()
for c in cells[3:5]:  # command, cmdline
    if c[:1] in ("=", "+", "-", "@", "\t", "\r"):
        print("cell %r begins with %r" % (c, c[:1]))
    elif not c.startswith("'") and c.lstrip("'")[:1] in ("=", "+", "-", "@"):
        print("cell %r is not prefixed" % c)
PY
)
	[ -z "$bad" ] && ok "list -f csv: pid $p's cells are quoted and prefixed" ||
		not_ok "list -f csv: pid $p's cells are quoted and prefixed" "$bad" "$row"
done

# ---- numbers: read and written in the C locale's syntax whatever the locale
# de_DE.UTF-8 writes 0,5 for one half. Built into $tmp with localedef (the
# locales package has its source), so nothing on the machine changes.
fixture=$(cd "$(dirname "$0")/../fixtures/shell/proc" && pwd)
fpid=$(ls "$fixture")
"$vmscope" snapshot --proc-root "$fixture" "$fpid" -o "$tmp/snap.json"
loc=
mkdir -p "$tmp/locale"
if command -v localedef >/dev/null && [ -d /usr/share/i18n/locales ] &&
	localedef -i de_DE -f UTF-8 "$tmp/locale/de_DE.UTF-8" >/dev/null 2>&1 ||
	[ -d "$tmp/locale/de_DE.UTF-8" ]; then
	loc=de_DE.UTF-8
fi
[ -n "$loc" ] && [ "$(LOCPATH=$tmp/locale LC_ALL=$loc /usr/bin/printf '%.1f' 0.5 2>/dev/null)" = "0,5" ] || loc=
if [ -z "$loc" ]; then
	skip "numbers under de_DE.UTF-8" "cannot build the de_DE.UTF-8 locale (localedef, package locales)"
else
	# glibc's newlocale() leaks its copy of LOCPATH (json-c calls it for
	# every document it parses): a leak of the C library's, not vmscope's,
	# which LeakSanitizer in the sanitizer build is told to pass over.
	printf 'leak:__argz_add_sep\n' >"$tmp/lsan-locpath.supp"
	de() {
		LOCPATH=$tmp/locale LC_ALL=$loc \
			LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$tmp/lsan-locpath.supp "$@"
	}
	printf '{"max_pss": "1.5G", "max": {"heap": "0.5M"}, "max_growth": "12.5%%"}\n' >"$tmp/budget.json"
	for args in "top --once -d 0.5" "top --once --interval 1.25" "check --max-pss 1.5G $$" \
		"check --budget $tmp/budget.json $$" "check --max-growth 2.5% --baseline $tmp/snap.json $tmp/snap.json" \
		"faults -d 0.2 $$" "--faults 0.2 $$"; do
		# shellcheck disable=SC2086
		de "$vmscope" $args >/dev/null 2>"$tmp/err" </dev/null
		rc=$?
		[ $rc -lt 2 ] && ok "under $loc: vmscope $args (exit $rc)" ||
			not_ok "under $loc: vmscope $args" "exit $rc" "$(cat "$tmp/err")"
	done
	# shellcheck disable=SC2086
	de "$vmscope" top --once -d 0,5 >/dev/null 2>&1
	[ $? = 2 ] && ok "under $loc: -d 0,5 is a usage error, as in every locale" ||
		not_ok "under $loc: -d 0,5 is a usage error"
	out=$(de "$vmscope" faults -d 0.2 "$$" 2>/dev/null | head -n1)
	grep -q " 0\.2 s:" <<<"$out" && ok "under $loc: faults writes 0.2 s" ||
		not_ok "under $loc: faults writes 0.2 s" "$out"
	for f in json openmetrics; do
		cmp -s <(de "$vmscope" show -f $f -a -b "$tmp/snap.json") \
			<(LC_ALL=C "$vmscope" show -f $f -a -b "$tmp/snap.json") &&
			ok "under $loc: show -f $f writes what it writes in the C locale" ||
			not_ok "under $loc: show -f $f writes what it writes in the C locale"
	done
	cmp -s <(de "$vmscope" list --proc-root "$fixture" -f csv 2>/dev/null) \
		<(LC_ALL=C "$vmscope" list --proc-root "$fixture" -f csv 2>/dev/null) &&
		ok "under $loc: list -f csv writes what it writes in the C locale" ||
		not_ok "under $loc: list -f csv writes what it writes in the C locale"
	# the C library's words are the locale's (libc-l10n, which locales
	# brings), also where the report loads the locale late (it waits for
	# the kernel's smaps to do so) and says why it cannot start
	enoent=$(de cat "$tmp/none" 2>&1 | sed 's/.*: //')
	if [ -n "$enoent" ] && [ "$enoent" != "No such file or directory" ]; then
		for args in "--proc-root $tmp/none 1" "show $tmp/none.json" "report --proc-root $tmp/none 1"; do
			# shellcheck disable=SC2086
			de "$vmscope" $args >/dev/null 2>"$tmp/err"
			grep -qF ": $enoent" "$tmp/err" &&
				ok "under $loc: vmscope $args says why in the locale's words" ||
				not_ok "under $loc: vmscope $args says why in the locale's words" \
					"want '$enoent'" "$(cat "$tmp/err")"
		done
	else
		skip "errors in the locale's words" "no translation of the C library's for $loc (libc-l10n)"
	fi
fi

# ---- snapshots with null values and too deep nesting: said as they are
python3 - "$tmp/snap.json" "$tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def put(name, doc):
    open("%s/%s.json" % (sys.argv[2], name), "w").write(doc if isinstance(doc, str) else json.dumps(doc))
put("null-unknown", dict(d, some_future_member=None))
put("null-known", dict(d, host=None))
put("null-region", dict(d, regions=[None] + d["regions"][1:]))
put("null", "null")
put("deep", "[" * 100000 + "]" * 100000)
put("deep-member", json.dumps(dict(d, extra=0))[:-1] + ', "more": ' + "[" * 1000 + "]" * 1000 + "}")
PY
loads() { # NAME WANT_RC MESSAGE_PATTERN
	"$vmscope" show "$tmp/$1.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = "$2" ] && { [ -z "$3" ] || grep -Eq -- "$3" "$tmp/err"; } &&
		ok "a snapshot with $1: exit $2${3:+, says /$3/}" ||
		not_ok "a snapshot with $1: exit $2${3:+, says /$3/}" "exit $rc" "$(cat "$tmp/err")"
}
loads null-unknown 0 ""
loads null-known 2 "host: expected an object, found null"
loads null-region 2 "regions\[0\]: expected an object, found null"
loads null 2 "expected a snapshot object, found null"
loads deep 2 ":1:[0-9]+: nesting too deep"
loads deep-member 2 "nesting too deep"
echo null >"$tmp/null-budget.json"
"$vmscope" check --budget "$tmp/null-budget.json" "$$" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "not a JSON object of budgets" "$tmp/err" &&
	ok "a budget file holding null: exit 2, says it is no object of budgets" ||
	not_ok "a budget file holding null: exit 2, says it is no object of budgets" "exit $rc" "$(cat "$tmp/err")"

# ---- budgets: one size parser for the options and the file, one limit
for v in 9223372036854775808 18446744073709551615 99999999999999999999999 '"8E"' '"9223372036854775808"'; do
	printf '{"max_pss": %s}\n' "$v" >"$tmp/big.json"
	"$vmscope" check --budget "$tmp/big.json" "$$" >/dev/null 2>"$tmp/err"
	rc=$?
	cli=${v//\"/}
	"$vmscope" check --max-pss "$cli" "$$" >/dev/null 2>"$tmp/err2"
	rc2=$?
	[ $rc = 2 ] && [ $rc2 = 2 ] && grep -q "under 8E" "$tmp/err" && grep -q "under 8E" "$tmp/err2" &&
		{ [ "$v" = 18446744073709551615 ] || ! grep -q 18446744073709551615 "$tmp/err"; } &&
		ok "a budget of $v: exit 2 from the file and the option alike" ||
		not_ok "a budget of $v: exit 2 from the file and the option alike" \
			"file: exit $rc: $(cat "$tmp/err")" "option: exit $rc2: $(cat "$tmp/err2")"
done

# ---- a pid past pid_max is no process, in every command
for args in "" "pages" "faults -d 0.1" "snapshot" "check --max-pss 1G"; do
	# shellcheck disable=SC2086
	"$vmscope" $args 999999999 >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	# check's 1 is "a budget is exceeded": a process that is gone is its 3
	want=1
	case $args in check*) want=3 ;; esac
	[ $rc = $want ] && grep -q "no process with pid 999999999" "$tmp/err" &&
		ok "vmscope $args 999999999: no process, exit $want" ||
		not_ok "vmscope $args 999999999: no process, exit $want" "exit $rc" "$(cat "$tmp/err")"
done

# ---- a process that execs while it is read is read again, not "exited"
# It touches 64 MiB and execs itself every few hundred milliseconds (the
# start of python3 and its faults); a read of its pages spans an exec now
# and then (7 reads in 40 here, 4 with 256 MiB, which took four times as long).
cat >"$tmp/reexec.py" <<'PY'
import os, sys, time
b = bytearray(64 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
time.sleep(0.01)
os.execv(sys.executable, [sys.executable, sys.argv[0]])
PY
python3 "$tmp/reexec.py" &
kids+=($!)
rp=$!
sleep 1
for args in "pages" "--pages"; do
	bad=0
	for _ in $(seq 40); do
		# shellcheck disable=SC2086
		"$vmscope" $args "$rp" >/dev/null 2>>"$tmp/exec.err" </dev/null || bad=$((bad + 1))
	done
	[ $bad = 0 ] && ok "$args of a process that keeps exec'ing: 40 reads, each exit 0" ||
		not_ok "$args of a process that keeps exec'ing: 40 reads, each exit 0" \
			"$bad failed" "$(sort "$tmp/exec.err" | uniq -c)"
done
kill -KILL "$rp" 2>/dev/null

# ---- a thread id: the process it belongs to, under its own pid
python3 -c 'import threading, time; threading.Thread(target=time.sleep, args=(60,)).start(); time.sleep(60)' &
tp=$!
kids+=($tp)
tid=
for _ in $(seq 100); do
	tid=$(ls "/proc/$tp/task" 2>/dev/null | grep -vx "$tp" | head -n1)
	[ -n "$tid" ] && break
	sleep 0.05
done
if [ -z "$tid" ]; then
	not_ok "a thread id names its process" "the threaded target did not start"
else
	got=$("$vmscope" snapshot "$tid" 2>"$tmp/err" | python3 -c 'import json, sys; print(json.load(sys.stdin)["process"]["pid"])' 2>&1)
	[ "$got" = "$tp" ] && grep -q "thread of process $tp" "$tmp/err" &&
		ok "a thread id names its process: pid $tp, and says so" ||
		not_ok "a thread id names its process" "pid in the snapshot: $got, not $tp" "$(cat "$tmp/err")"
fi

# ---- check: a results line that cannot be written is no verdict (not exit 1)
if [ -c /dev/full ]; then
	for lim in 1K 1E; do
		"$vmscope" check --max-pss $lim "$$" >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 2 ] && grep -q "cannot write the results" "$tmp/err" &&
			ok "check --max-pss $lim >/dev/full: exit 2" ||
			not_ok "check --max-pss $lim >/dev/full: exit 2" "exit $rc" "$(cat "$tmp/err")"
	done
fi

# ---- no process at all (an empty --proc-root): no undefined behaviour
# (qsort and bsearch of a NULL array; the sanitizer build reports it)
mkdir -p "$tmp/noproc"
for args in "list" "list -f json" "top --once"; do
	# shellcheck disable=SC2086
	"$vmscope" $args --proc-root "$tmp/noproc" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc = 0 ] && ! grep -q "runtime error" "$tmp/err" &&
		ok "$args of no process: exit 0, no runtime error" ||
		not_ok "$args of no process: exit 0, no runtime error" "exit $rc" "$(cat "$tmp/err")"
done

# ---- arguments echoed on stderr: escaped like every other message
# raw_stderr NAME WANT_RC ARGS...: vmscope ARGS exits WANT_RC, its stderr holds
# no raw control byte and shows the escape as \x1b.
raw_stderr() {
	local name=$1 want=$2 rc why=
	shift 2
	"$vmscope" "$@" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	[ "$rc" = "$want" ] || why="exit $rc, not $want"
	[ -z "$why" ] && ! why=$(raw_controls "$tmp/err") && why="stderr: $why"
	[ -z "$why" ] && ! grep -qF '\x1b' "$tmp/err" && why="no \\x1b in: $(cat "$tmp/err")"
	if [ -z "$why" ]; then ok "$name: echoed escaped"; else not_ok "$name: echoed escaped" "$why"; fi
}
esc=$'\e]0;pwned\a\e[2J'
raw_stderr "an unknown long option" 2 "--no-such$esc" 1
raw_stderr "an unknown short option" 2 "-"$'\e'
raw_stderr "an unknown option of a command" 2 list "--x$esc"
raw_stderr "an option without its argument" 2 check --max-pss 1G "--budget"$'\e' 1
raw_stderr "serve NAME" 2 serve "($esc"
raw_stderr "serve --listen" 2 serve --listen "$esc"
raw_stderr "list -s" 2 list -s "$esc"
raw_stderr "list -f" 2 list -f "$esc"
raw_stderr "report -f" 2 -f "$esc" 1
raw_stderr "check --max" 2 check --max "$esc" 1
raw_stderr "pages --range" 2 pages --range "$esc" 1
raw_stderr "snapshot -o" 1 snapshot -o "$tmp/no/dir/$esc" "$$"
raw_stderr "a NAME that matches nothing" 1 "nothing-"$'\e'"x-$$"

# ---- --help whose output cannot be written fails
if [ -c /dev/full ]; then
	for args in "--help" "-h" "help" "help list" "list --help" "check --help" "serve -h"; do
		# shellcheck disable=SC2086
		"$vmscope" $args >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 2 ] && grep -q "cannot write the help" "$tmp/err" &&
			ok "vmscope $args >/dev/full: exit 2 and says why" ||
			not_ok "vmscope $args >/dev/full: exit 2 and says why" "exit $rc" "$(cat "$tmp/err")"
	done
	"$vmscope" --version >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q "cannot write the version" "$tmp/err" &&
		ok "vmscope --version >/dev/full: exit 2 and says why" ||
		not_ok "vmscope --version >/dev/full: exit 2 and says why" "exit $rc" "$(cat "$tmp/err")"
else
	skip "--help to a full device fails" "no /dev/full"
fi

finish
