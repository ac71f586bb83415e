#!/bin/bash
# The snapshot commands run as a user runs them, printing TAP.
# usage: test-commands.sh VMSCOPE DIFF_TARGET DIFFLIB STATIC_TARGET SOURCE_ROOT
set -u
vmscope=$1 target=$2 lib=$3 static_target=$4 src=$5
. "$(dirname "$0")/tap.sh"

# ---- round trip on a captured process: no /proc involved on the way back
fixture=$src/tests/fixtures/shell/proc
fpid=$(ls "$fixture")
"$vmscope" snapshot --proc-root "$fixture" "$fpid" -o "$tmp/fixture.json"
check "show of a fixture's snapshot is its report (text, every region)" \
	diff -u <("$vmscope" --proc-root "$fixture" -a -w 120 -b "$fpid") \
	<("$vmscope" show -a -w 120 -b "$tmp/fixture.json")
check "show --sections of a fixture's snapshot is its report --sections" \
	diff -u <("$vmscope" --proc-root "$fixture" --sections -w 120 -b "$fpid") \
	<("$vmscope" show --sections -w 120 -b "$tmp/fixture.json")
check "show --by object of a fixture's snapshot is its report --by object" \
	diff -u <("$vmscope" --proc-root "$fixture" --by object -w 120 -b "$fpid") \
	<("$vmscope" show --by object -w 120 -b "$tmp/fixture.json")
check "show of a fixture's snapshot is its report (default text)" \
	diff -u <("$vmscope" --proc-root "$fixture" -w 100 "$fpid") \
	<("$vmscope" show -w 100 "$tmp/fixture.json")
check "show --format json writes the snapshot back byte for byte" \
	cmp "$tmp/fixture.json" <("$vmscope" show -f json "$tmp/fixture.json")
check "show reads standard input" \
	cmp <("$vmscope" show -w 100 "$tmp/fixture.json") \
	<("$vmscope" show -w 100 - <"$tmp/fixture.json")

# ---- where -o writes: a file replaced whole, a link followed, a device as it is
fix=(--proc-root "$fixture" "$fpid")
# the same document but for the time it was taken
same_doc() { diff <(grep -v '"time": ' "$1") <(grep -v '"time": ' "$2"); }
"$vmscope" snapshot "${fix[@]}" >"$tmp/stdout.json"
check "snapshot to standard output is the -o file" same_doc "$tmp/fixture.json" "$tmp/stdout.json"
echo old >"$tmp/target.json"
ln -s target.json "$tmp/link.json"
"$vmscope" snapshot "${fix[@]}" -o "$tmp/link.json"
if [ -L "$tmp/link.json" ] && same_doc "$tmp/fixture.json" "$tmp/target.json" >/dev/null; then
	ok "-o through a symbolic link replaces the file it names, and the link stays"
else
	not_ok "-o through a symbolic link replaces the file it names" "$(ls -l "$tmp")"
fi
check "-o /dev/stdout writes to the pipe" \
	same_doc "$tmp/fixture.json" <("$vmscope" snapshot "${fix[@]}" -o /dev/stdout)
if [ -c /dev/full ]; then
	"$vmscope" snapshot "${fix[@]}" -o /dev/full 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && [ -c /dev/full ] && grep -q "No space left" "$tmp/err"; then
		ok "-o /dev/full: exit 1 with the write error, and /dev/full is still a device"
	else
		not_ok "-o /dev/full: exit 1 with the write error, the device kept" "exit $rc" \
			"$(cat "$tmp/err"; ls -l /dev/full)"
	fi
	"$vmscope" show -f json "$tmp/fixture.json" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "cannot write" "$tmp/err" && ok "show to a full device: exit 1" ||
		not_ok "show to a full device: exit 1" "exit $rc" "$(cat "$tmp/err")"
fi
umask_was=$(umask)
umask 027
"$vmscope" snapshot "${fix[@]}" -o "$tmp/mode.json"
umask "$umask_was"
mode=$(stat -c %a "$tmp/mode.json")
[ "$mode" = 640 ] && ok "-o makes the file with the mode the umask gives (640)" ||
	not_ok "-o makes the file with the mode the umask gives" "mode $mode, umask 027"
leftover=$(find "$tmp" -name '*.json.??????' | head -n 3)
[ -z "$leftover" ] && ok "no temporary file is left behind" || not_ok "temporary files left" "$leftover"

# ---- the live target, frozen at its first stop
"$target" "$lib" "$tmp/grown" &
tpid=$!
pids+=("$tpid")
if ! wait_stopped "$tpid"; then
	not_ok "the diff target stops itself" "state $(state "$tpid")"
	echo "1..$n"
	exit 1
fi

# Round trip on a live process, "at that instant": a static target shares
# no page with anything, so its PSS does not move while vmscope runs.
# written back first: writeback of a just-linked binary turns its dirty
# page cache pages clean while the test reads (see test-capture.sh)
sync -- "$static_target"
"$static_target" &
spid=$!
pids+=("$spid")
if wait_stopped "$spid"; then
	# the cgroup and the machine hold other processes: their memory moves on
	volatile=(-e _ns -e '"current"' -e '"swap_current"' -e '"host_memory"' -e cgroup_headroom
		  -e cgroup_high_headroom)
	# the snapshot and the live reports, at one instant of the process
	snapshot_and_live() {
		"$vmscope" snapshot "$spid" -o "$tmp/static.json" &&
			"$vmscope" -a -w 120 "$spid" | stable_text >"$tmp/live.txt" &&
			"$vmscope" --sections -w 120 "$spid" | sed -n '/^sections/,$p' >"$tmp/live.sections" &&
			"$vmscope" --by object -w 120 "$spid" | sed -n '/^by object/,$p' >"$tmp/live.objects" &&
			"$vmscope" -f json "$spid" | grep -v "${volatile[@]}" >"$tmp/live.json"
	}
	at_one_instant "$spid" snapshot_and_live ||
		not_ok "a snapshot and the live reports of a frozen process at one instant"
	check "snapshot then show is the live report of a frozen process" \
		diff -u "$tmp/live.txt" <("$vmscope" show -a -w 120 "$tmp/static.json" | stable_text)
	check "snapshot then show --sections is the live report --sections (and has sections)" \
		bash -c "diff -u '$tmp/live.sections' \
			<('$vmscope' show --sections -w 120 '$tmp/static.json' | sed -n '/^sections/,\$p') &&
			'$vmscope' show --sections -w 120 '$tmp/static.json' | grep -q '^ *[0-9a-f]* .*\.text'"
	check "snapshot then show --by object is the live report --by object" \
		diff -u "$tmp/live.objects" \
		<("$vmscope" show --by object -w 120 "$tmp/static.json" | sed -n '/^by object/,$p')
	check "snapshot then show is the live report (JSON, but for the time)" \
		diff -u "$tmp/live.json" <("$vmscope" show -f json "$tmp/static.json" | grep -v "${volatile[@]}")
else
	not_ok "the static target stops itself"
fi
"$vmscope" snapshot "$tpid" -o "$tmp/before.json"


# ---- diff: the target grows its heap and loads a library
kill -CONT "$tpid"
for _ in $(seq 1 500); do [ -e "$tmp/grown" ] && break; sleep 0.01; done
wait_stopped "$tpid" && [ -e "$tmp/grown" ] || not_ok "the diff target grows and stops again"
"$vmscope" snapshot "$tpid" -o "$tmp/after.json"
"$vmscope" diff -f json "$tmp/before.json" "$tmp/after.json" >"$tmp/diff.json"
libname=$(basename "$lib")
# what changed in size or existence: exactly the heap and the library's regions
got=$(python3 - "$tmp/diff.json" "$libname" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lib = sys.argv[2]
out = []
for r in d["regions"]:
    structural = r["change"] in ("appeared", "vanished") or r["delta"]["size"] != 0
    if not structural:
        continue
    who = "heap" if r["kind"] == "heap" else (
        "lib" if (r["object"] or "").endswith("/" + lib) else r["kind"] + ":" + r["name"])
    out.append(r["change"] + " " + who)
print("\n".join(sorted(set(out))))
c = d["counts"]
print("appeared-lib-regions", sum(1 for r in d["regions"] if r["change"] == "appeared"
      and (r["object"] or "").endswith("/" + lib)))
PY
)
want="appeared lib
grew heap"
if [ "$(printf '%s\n' "$got" | head -n 2)" = "$want" ] &&
	[ "$(printf '%s\n' "$got" | sed -n 's/^appeared-lib-regions //p')" -ge 3 ]; then
	ok "diff names exactly the grown heap and the loaded library ($(printf '%s' "$got" | tail -n 1))"
else
	not_ok "diff names exactly the grown heap and the loaded library" "$got" "$(cat "$tmp/diff.json")"
fi
heap_delta=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["delta"]["size"] for r in d["regions"] if r["kind"]=="heap"][0])' "$tmp/diff.json")
if [ "$heap_delta" -ge $((64 * 4096)) ]; then
	ok "the heap grew by at least the 64 pages the target asked for ($heap_delta bytes)"
else
	not_ok "the heap grew by at least 64 pages" "delta $heap_delta"
fi
text=$("$vmscope" diff "$tmp/before.json" "$tpid")
if printf '%s\n' "$text" | grep -qE "^grew +[0-9a-f]+  heap " &&
	printf '%s\n' "$text" | grep -qE "^appeared +[0-9a-f]+  ${libname//./\\.} text "; then
	ok "diff against the live process says it in text"
else
	not_ok "diff against the live process says it in text" "$text"
fi
check "a snapshot does not differ from itself" \
	bash -c "'$vmscope' diff -f json '$tmp/after.json' '$tmp/after.json' | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(1 if d[\"regions\"] or d[\"counts\"][\"same\"] == 0 else 0)'"


# ---- check: budgets pass and fail at the right thresholds
pss=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["rollup"]["pss"])' "$tmp/after.json")
heap=$(python3 -c 'import json,sys; print(sum(r["mem"]["rss"] for r in json.load(open(sys.argv[1]))["regions"] if r["kind"]=="heap"))' "$tmp/after.json")
budget_case() { # description expected-status args...
	local what=$1 want=$2 out rc
	shift 2
	out=$("$vmscope" check "$tmp/after.json" "$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ]; then ok "$what"; else not_ok "$what" "exit $rc, not $want" "$out"; fi
}
budget_case "total PSS exactly at the budget passes" 0 --max-pss "$pss"
budget_case "total PSS one byte over the budget fails" 1 --max-pss $((pss - 1))
budget_case "heap RSS at the budget passes" 0 --max "heap:rss=$heap"
budget_case "heap RSS one byte over fails" 1 --max "heap:rss=$((heap - 1))"
budget_case "a library's budget, by file name" 0 --max "$libname=1G"
budget_case "a file the process does not map cannot be checked: fails" 1 --max "no-such.so=1G"
# a file whose name holds colons of its own (a memfd's, /memfd:cache): its
# budget by that name, the measure after the last colon
python3 -c '
import mmap, os, time
fd = os.memfd_create("cache")
os.ftruncate(fd, 4 << 20)
m = mmap.mmap(fd, 4 << 20)
m[:] = b"x" * (4 << 20)
print("ready", flush=True)
time.sleep(120)' >"$tmp/memfd.out" &
mpid=$!
for _ in $(seq 100); do grep -q ready "$tmp/memfd.out" && break; sleep 0.1; done
memfd_case() { # description expected-status expected-line-regex --max-spec
	local out rc
	out=$("$vmscope" check "$mpid" --max "$4" 2>&1)
	rc=$?
	if [ $rc -eq "$2" ] && printf '%s\n' "$out" | grep -qE "$3"; then ok "$1"; else
		not_ok "$1" "exit $rc, not $2" "$out"; fi
}
memfd_case "a memfd's budget by its path, over: fails" 1 '^FAIL  /memfd:cache PSS: 4\.0M > 1\.0M' '/memfd:cache=1M'
memfd_case "a memfd's budget by its path with :rss, within: passes" 0 '^ok    /memfd:cache RSS: 4\.0M <= 4\.0M' \
	'/memfd:cache:rss=4M'
memfd_case "a memfd's budget by its file name with :size" 1 '^FAIL  memfd:cache size: 4\.0M > 3\.0M' \
	'memfd:cache:size=3M'
kill "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null
budget_case "growth against the baseline within 100% passes" 0 --baseline "$tmp/before.json" --max-growth 'rss=100%'
budget_case "growth against the baseline over 1K fails" 1 --baseline "$tmp/before.json" --max-growth rss=1K
budget_case "growth without a baseline cannot be checked: fails" 1 --max-growth 10%
budget_case "no budget at all is a usage error" 2
budget_case "a bad size is a usage error" 2 --max-pss 12Q
out=$("$vmscope" check "$tmp/after.json" --max "heap:rss=$((heap - 1))")
if printf '%s\n' "$out" | grep -qE "^FAIL  heap RSS: .* > .* \\($heap > $((heap - 1)) bytes\\); most in heap at [0-9a-f]+ "; then
	ok "a failure names the region and the numbers"
else
	not_ok "a failure names the region and the numbers" "$out"
fi
# Of the regions a budget selects, the one named is the heaviest (the
# first of the heaviest), not the first: here libc's text, not the program's.
want_at=$(python3 -c '
import json, sys
text = [r for r in json.load(open(sys.argv[1]))["regions"] if r["kind"] == "text"]
top = max(r["mem"]["rss"] for r in text)
first = text[0]["mem"]["rss"]
print(next(r["start"][2:] for r in text if r["mem"]["rss"] == top) if top > first else "-")
' "$tmp/after.json")
out=$("$vmscope" check "$tmp/after.json" --max "text:rss=1")
if [ "$want_at" = - ]; then
	not_ok "the target's first text region is not its heaviest" "$out"
elif printf '%s\n' "$out" | grep -qE "^FAIL  text RSS: .*; most in .* text at $want_at "; then
	ok "a failure names the heaviest region of those selected ($want_at), not the first"
else
	not_ok "a failure names the heaviest region of those selected" "want at $want_at" "$out"
fi
# --max-regions takes every digit: the count itself passes, one less fails.
regions=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["insights"]["regions"])' \
	"$tmp/after.json")
budget_case "--max-regions at the count of regions ($regions) passes" 0 --max-regions "$regions"
budget_case "--max-regions one under the count fails" 1 --max-regions $((regions - 1))
out=$("$vmscope" check "$tmp/after.json" --max-regions 99999 --max-regions 9 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qx "ok    regions: $regions <= 99999" &&
	printf '%s\n' "$out" | grep -qx "FAIL  regions: $regions > 9"; then
	ok "--max-regions 99999 passes, --max-regions 9 fails"
else
	not_ok "--max-regions 99999 passes, --max-regions 9 fails" "exit $rc" "$out"
fi
# A growth limit in percent: the growth and the limit each said as what they are.
want_growth=$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["totals"]["rollup"]["pss"]
b = json.load(open(sys.argv[2]))["totals"]["rollup"]["pss"]
g = max(b - a, 0)
pm = int(g * 1000 / a + 0.5)
print("growth %d.%d%% of the baseline" % (pm // 10, pm % 10))' "$tmp/before.json" "$tmp/after.json")
out=$("$vmscope" check "$tmp/after.json" --baseline "$tmp/before.json" --max-growth 1%)
if printf '%s\n' "$out" | grep -qF "$want_growth" && printf '%s\n' "$out" | grep -qF ", limit 1.0% of it"; then
	ok "a growth in percent says the growth ($want_growth) and the limit (1.0%)"
else
	not_ok "a growth in percent says the growth and the limit" "want: $want_growth" "$out"
fi
# A growth absurdly fast (a TiB of PSS a nanosecond after the baseline) is
# past what 64 bits of bytes a minute hold: it fails at the most they hold,
# never wrapped to a rate that passes.
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
a["time"]["wall_ns"] += 1
a["totals"]["rollup"]["pss"] += 1 << 40
json.dump(a, sys.stdout)' "$tmp/before.json" >"$tmp/fast.json"
out=$("$vmscope" check "$tmp/fast.json" --baseline "$tmp/before.json" --max-growth-rate pss=1M/min 2>&1)
rc=$?
[ $rc = 1 ] && [ "$out" = "FAIL  PSS growth rate: 16E/min > 1.0M/min (18446744073709551615 > 1048576 bytes per minute)" ] &&
	ok "a TiB of growth in a nanosecond fails --max-growth-rate, not wrapped" ||
	not_ok "a TiB of growth in a nanosecond fails --max-growth-rate" "exit $rc" "$out"
# A growth limit in percent just under the real growth fails, just over it
# passes (in tenths of a percent, as the option takes them).
read -r under over < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["totals"]["rollup"]["pss"]
b = json.load(open(sys.argv[2]))["totals"]["rollup"]["pss"]
pm = max(b - a, 0) * 1000 // a
f = lambda t: "%d.%d%%" % (t // 10, t % 10)
print(f(pm - 1) if pm >= 1 else "-", f(pm + 1))' "$tmp/before.json" "$tmp/after.json")
if [ "$under" = - ]; then
	not_ok "the target grew by at least 0.1% of its PSS between the snapshots" "$want_growth"
else
	budget_case "growth in percent just under the real growth ($under, $want_growth) fails" 1 \
		--baseline "$tmp/before.json" --max-growth "$under"
fi
budget_case "growth in percent just over the real growth ($over, $want_growth) passes" 0 \
	--baseline "$tmp/before.json" --max-growth "$over"
# A budget on a kind the process has no region of passes, and says it found none.
absent=$(python3 -c '
import json, sys
have = {r["kind"] for r in json.load(open(sys.argv[1]))["regions"]}
print([k for k in ("thread_stack", "shm", "reserved", "file", "guard") if k not in have][0])' "$tmp/after.json")
out=$("$vmscope" check "$tmp/after.json" --max "$absent=1M")
rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -qF "found no $absent region in the process"; then
	ok "a budget on a kind it has none of ($absent) says it found none"
else
	not_ok "a budget on a kind it has none of says it found none" "exit $rc" "$out"
fi
printf '{"max_pss": %s, "max": {"heap:rss": "%s", "stacks": "1G"}, "max_growth": "1K", "baseline": "%s"}\n' \
	"$pss" "$heap" "$tmp/before.json" >"$tmp/budget.json"
"$vmscope" check "$tmp/after.json" --budget "$tmp/budget.json" --junit "$tmp/junit.xml" >"$tmp/check.out"
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c '^ok' "$tmp/check.out")" -eq 3 ] &&
	grep -q '^FAIL  PSS growth' "$tmp/check.out"; then
	ok "a budget file: three budgets pass, the growth fails"
else
	not_ok "a budget file: three budgets pass, the growth fails" "exit $rc" "$(cat "$tmp/check.out")"
fi
# A budget file that is wrong says where: the key, or the line and column.
budget_error() { # description file-content expected-message-regex
	local what=$1 out rc
	printf '%s\n' "$2" >"$tmp/bad-budget.json"
	out=$("$vmscope" check "$tmp/after.json" --budget "$tmp/bad-budget.json" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && printf '%s\n' "$out" | grep -qE -- "$3"; then
		ok "$what"
	else
		not_ok "$what" "exit $rc" "$out"
	fi
}
budget_error "a budget file's bad size names its key" '{"max": {"heap": "12Q"}}' \
	'bad-budget.json: max\.heap: .*"12Q"'
budget_error "a budget file's unknown key is named" '{"max_pssx": 1}' 'unknown budget "max_pssx"'
budget_error "a budget file that is no JSON: line and column" $'{\n  "max_pss": 1,\n}' \
	'bad-budget.json:3:1: '
budget_error "a budget file that is no object" '[1]' 'not a JSON object'
budget_error "max_regions takes a plain number" '{"max_regions": "1K"}' 'max_regions: a number'
out=$("$vmscope" check "$tmp/after.json" --budget "$tmp/budget.json" --baseline "$tmp/after.json" 2>&1)
rc=$?
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^ok    PSS growth: 0 ' &&
	ok "--baseline wins over the budget file's baseline" ||
	not_ok "--baseline wins over the budget file's baseline" "exit $rc" "$out"
if command -v xmllint >/dev/null; then
	check "the JUnit report is well-formed XML" xmllint --noout "$tmp/junit.xml"
	if [ "$(xmllint --xpath 'count(//testcase)' "$tmp/junit.xml")" = 4 ] &&
		[ "$(xmllint --xpath 'count(//testcase/failure)' "$tmp/junit.xml")" = 1 ] &&
		[ "$(xmllint --xpath 'string(//testsuite/@failures)' "$tmp/junit.xml")" = 1 ]; then
		ok "the JUnit report has four cases, one failed"
	else
		not_ok "the JUnit report has four cases, one failed" "$(cat "$tmp/junit.xml")"
	fi
else
	echo "ok $((n += 1)) # SKIP xmllint (libxml2-utils) is not installed"
fi


# ---- metrics: promtool accepts every Prometheus text output, and
# prometheus_client's parser every OpenMetrics one
# a hostile name: quote, backslash and newline in comm
hostile="$tmp/a\"b\\c"$'\n'"d"
cp "$static_target" "$hostile"
"$hostile" &
hpid=$!
pids+=("$hpid")
wait_stopped "$hpid" || not_ok "the hostile-named target stops itself"
if [ -n "$om_python" ]; then
	om_ok "OpenMetrics of a captured process parse" "$vmscope" show -f openmetrics "$tmp/fixture.json"
	om_ok "OpenMetrics of a live process parse" "$vmscope" -f openmetrics "$tpid"
	out=$("$vmscope" -f openmetrics "$hpid")
	if printf '%s\n' "$out" | om_check >/dev/null && printf '%s\n' "$out" | grep -qF 'comm="a\"b\\c\nd"'; then
		ok "OpenMetrics of a hostile process name parse, escaped"
	else
		not_ok "OpenMetrics of a hostile process name parse, escaped" "$out"
	fi
else
	skip "OpenMetrics parsed" "prometheus_client (Debian package python3-prometheus-client) is not installed"
fi
if command -v promtool >/dev/null; then
	check "promtool accepts the metrics of a captured process" \
		bash -c "'$vmscope' show -f prometheus '$tmp/fixture.json' | promtool check metrics"
	check "promtool accepts the metrics of a live process" \
		bash -c "'$vmscope' -f prometheus '$tpid' | promtool check metrics"
	out=$("$vmscope" -f prometheus "$hpid")
	if printf '%s\n' "$out" | promtool check metrics &&
		printf '%s\n' "$out" | grep -qF 'comm="a\"b\\c\nd"'; then
		ok "promtool accepts a hostile process name, escaped"
	else
		not_ok "promtool accepts a hostile process name, escaped" "$out"
	fi
	pss_metric=$("$vmscope" show -f openmetrics "$tmp/after.json" |
		sed -n 's/^vmscope_process_memory_bytes{.*measure="pss"} //p')
	if [ "$pss_metric" = "$pss" ]; then
		ok "the PSS metric is the snapshot's PSS ($pss)"
	else
		not_ok "the PSS metric is the snapshot's PSS" "metric '$pss_metric', snapshot $pss"
	fi
else
	echo "ok $((n += 1)) # SKIP promtool (Debian package prometheus) is not installed"
fi


# ---- the JSON Schema in doc/ against real output
if python3 -c 'import jsonschema' 2>/dev/null; then
	validate() {
		python3 - "$src/doc/snapshot.schema.json" "$@" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), schema, cls=jsonschema.Draft202012Validator)
PY
	}
	check "doc/snapshot.schema.json accepts real snapshots (captured, live, static)" \
		validate "$tmp/fixture.json" "$tmp/after.json" "$tmp/static.json"
	sed 's/"kind": "heap"/"kind": "hype"/' "$tmp/after.json" >"$tmp/hype.json"
	if ! validate "$tmp/hype.json" 2>/dev/null; then
		ok "doc/snapshot.schema.json refuses an unknown kind"
	else
		not_ok "doc/snapshot.schema.json refuses an unknown kind"
	fi
else
	echo "ok $((n += 1)) # SKIP python3-jsonschema is not installed"
fi

# ---- bad files: one line with file, line and column, exit status 2
printf '{"schema": 1,\n  "time": [}\n' >"$tmp/bad.json"
out=$("$vmscope" show "$tmp/bad.json" 2>&1)
rc=$?
if [ $rc -eq 2 ] && [ "$out" = "vmscope: $tmp/bad.json:2:12: unexpected character" ]; then
	ok "a malformed file: exit 2 and file:line:column"
else
	not_ok "a malformed file: exit 2 and file:line:column" "exit $rc" "$out"
fi
sed 's/"schema": 2/"schema": 7/' "$tmp/after.json" >"$tmp/v7.json"
out=$("$vmscope" diff "$tmp/v7.json" "$tmp/after.json" 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "v7.json:2:13: schema: schema version 7"; then
	ok "another schema version: exit 2 and where"
else
	not_ok "another schema version: exit 2 and where" "exit $rc" "$out"
fi
head -c 5000 "$tmp/after.json" >"$tmp/cut.json"
"$vmscope" show "$tmp/cut.json" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "cut.json:[0-9]*:[0-9]*: unexpected end of file" "$tmp/err"; then
	ok "a truncated file: exit 2 and where it ends"
else
	not_ok "a truncated file: exit 2 and where it ends" "exit $rc" "$(cat "$tmp/err")"
fi
"$vmscope" snapshot 999999999 -o "$tmp/none.json" 2>/dev/null
rc=$?
if [ $rc -eq 1 ] && [ ! -e "$tmp/none.json" ]; then
	ok "snapshot of no process: exit 1 and no file"
else
	not_ok "snapshot of no process: exit 1 and no file" "exit $rc"
fi

echo "1..$n"
[ $failed -eq 0 ]
