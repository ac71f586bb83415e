#!/bin/bash
# test-size.sh VMSCOPE TARGET RUSAGE_RUN [sanitized]: vmscope on the biggest
# processes the kernel allows; TAP.
#
# Three frozen targets (tests/live/target.c): one at the map count limit
# (one-page mappings of alternating permissions until mmap fails with
# ENOMEM, vm.max_map_count left as it is), one with 4 TiB reserved
# (PROT_NONE, MAP_NORESERVE), one with 64 threads. On each, `vmscope PID`,
# `--format json`, `vmscope pages PID` and `vmscope list` exit 0 and count
# exactly the regions the maps file of the frozen process has.
#
# Memory: vmscope's peak RSS (wait4's ru_maxrss, via RUSAGE_RUN) stays under
# 64 MiB at the map count limit (65,530 VMAs by default), a generous bound:
# about 1 KiB per VMA, where the text report needs under 600 bytes. The JSON
# report and the snapshot file are streamed, so they have the same bound,
# whatever the size of the document. With "sanitized" (an ASan build) the
# peaks are not checked: the shadow memory and quarantine are not vmscope's own.
#
# Growth: the CPU time of the text and JSON reports at the limit is less
# than 30 times that on a tenth as many VMAs (linear is 10, a quadratic
# step would be about 100).
set -u
vmscope=${1:?usage: test-size.sh VMSCOPE TARGET RUSAGE_RUN [sanitized]}
target=${2:?usage: test-size.sh VMSCOPE TARGET RUSAGE_RUN [sanitized]}
rusage_run=${3:?usage: test-size.sh VMSCOPE TARGET RUSAGE_RUN [sanitized]}
sanitized=${4:-}
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d) || exit 1
tpids=()
limit_kib=$((64 * 1024))

cleanup() {
	local p
	for p in "${tpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

max_map_count=$(cat /proc/sys/vm/max_map_count) || { echo "Bail out! no vm.max_map_count"; exit 1; }
# Some distributions raise the limit to a million; that is minutes, not seconds.
if [ "$max_map_count" -gt 262144 ]; then
	echo "1..0 # SKIP vm.max_map_count is $max_map_count: too many mappings for a bounded test"
	exit 0
fi

# start NAME ARGS...: starts a target that stops itself once built; its
# pid goes in the variable NAME_pid and its lines in $tmp/NAME.facts.
start() {
	local name=$1 pid
	shift
	"$target" "$@" >"$tmp/$name.facts" </dev/null &
	pid=$!
	tpids+=("$pid")
	wait_stopped "$pid" 20 || { echo "Bail out! the $name target did not stop itself"; exit 1; }
	printf -v "${name}_pid" %s "$pid"
}

start maxmaps --maps-max
start reserve --reserve-gib 4096
start threads --threads 64
start tenth --maps $((max_map_count / 10))

# lines PID: the lines of its maps file, one per region vmscope must list.
lines() { wc -l <"/proc/$1/maps"; }

# run NAME CMD...: vmscope CMD with its output in $tmp/NAME.out and what it
# cost in the variables rc, peak (KiB), cpu (ms) and wall (ms).
run() {
	local name=$1
	shift
	"$rusage_run" "$tmp/$name.stats" "$vmscope" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	read -r _ rc _ peak _ cpu _ wall <"$tmp/$name.stats" || { rc=127 peak=0 cpu=0 wall=0; }
}

# check_peak WHAT BOUND_KIB: the last run's peak against a bound.
check_peak() {
	if [ -n "$sanitized" ]; then
		skip "$1: peak RSS ${peak} KiB" "sanitizer build: shadow memory is not vmscope's"
	elif [ "$peak" -lt "$2" ]; then
		ok "$1: peak RSS ${peak} KiB < $2 KiB"
	else
		not_ok "$1: peak RSS ${peak} KiB, not below $2 KiB"
	fi
}

# check_exit WHAT: the last run exited 0 and said nothing on stderr.
check_exit() {
	if [ "$rc" = 0 ] && [ ! -s "$tmp/$2.err" ]; then
		ok "$1: exit 0 in ${wall} ms (cpu ${cpu} ms)"
	else
		not_ok "$1: exit $rc" "$(cat "$tmp/$2.err")"
	fi
}

# text_regions NAME: N from the "layout N regions" line of a text report.
text_regions() { sed -n 's/^layout *\([0-9]*\) regions.*/\1/p' "$tmp/$1.out"; }

# json_check NAME EXPECT: EXPECT is a python expression over the report d
# (and kinds, the regions' kinds); prints what it saw when it is false.
json_check() {
	python3 - "$tmp/$1.out" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [r['kind'] for r in d['regions']]
ok = eval('(' + sys.argv[2] + ')')
if not ok:
    print('%d regions, dropped %s, threads %s' % (len(d['regions']), d['dropped_regions'],
          d['process']['threads']))
sys.exit(0 if ok else 1)
PY
}

# user_lines PID: the maps lines in user space, those pagemap can describe.
user_lines() { grep -vc ' \[vsyscall\]$' "/proc/$1/maps"; }

# check_pages NAME PID: "vmscope pages" said it read every region of user
# space and printed a "region N" block for each.
check_pages() {
	local said listed want
	said=$(sed -n 's/^pid [0-9]*: \([0-9]*\) regions\{0,1\},.*/\1/p' "$tmp/$1.out")
	listed=$(grep -c '^region [0-9]' "$tmp/$1.out")
	want=$(user_lines "$2")
	if [ "$said" = "$want" ] && [ "$listed" = "$want" ]; then
		ok "pages: $want regions, each listed"
	else
		not_ok "pages: $said regions said, $listed listed; maps has $want in user space"
	fi
}

# --- the map count limit
pid=$maxmaps_pid
n_maps=$(lines "$pid")
n_user=$(user_lines "$pid")
if [ "$n_user" -ge "$max_map_count" ]; then
	ok "the target is at the map count limit: $n_user mappings, vm.max_map_count $max_map_count"
else
	not_ok "the target stopped at $n_user mappings, below vm.max_map_count $max_map_count" \
		"$(cat "$tmp/maxmaps.facts")"
fi

run max-text --color never -w 100 "$pid"
check_exit "report of $n_maps regions" max-text
[ "$(text_regions max-text)" = "$n_maps" ] && ok "report: layout $n_maps regions" ||
	not_ok "report: layout of $(text_regions max-text) regions, maps has $n_maps" \
		"$(grep -m1 '^layout' "$tmp/max-text.out")"
check_peak "report of $n_maps regions" "$limit_kib"
text_cpu=$cpu

run max-json --format json "$pid"
check_exit "json of $n_maps regions" max-json
why=$(json_check max-json "len(d['regions']) == $n_maps and d['dropped_regions'] == 0") &&
	ok "json: $n_maps regions, none dropped" || not_ok "json: not the $n_maps regions of maps" "$why"
doc_kib=$(($(wc -c <"$tmp/max-json.out") / 1024))
check_peak "json of $n_maps regions (a ${doc_kib} KiB document)" "$limit_kib"
json_cpu=$cpu

run max-snap snapshot -o "$tmp/max-snapfile.out" "$pid"
check_exit "snapshot of $n_maps regions" max-snap
why=$(json_check max-snapfile "len(d['regions']) == $n_maps and d['dropped_regions'] == 0") &&
	ok "snapshot file: $n_maps regions" || not_ok "snapshot file: not the $n_maps regions of maps" "$why"
check_peak "snapshot of $n_maps regions to a file" "$limit_kib"
# Loading it holds the file whole, but its regions are parsed one at a time:
# the model and the file, not a JSON tree (that took 700 MiB).
run max-show show --color never -w 100 "$tmp/max-snapfile.out"
check_exit "show of the snapshot of $n_maps regions" max-show
[ "$(text_regions max-show)" = "$n_maps" ] && ok "show of the snapshot: layout $n_maps regions" ||
	not_ok "show of the snapshot: layout of $(text_regions max-show) regions, maps has $n_maps" \
		"$(grep -m1 '^layout' "$tmp/max-show.out")"
check_peak "show of the snapshot of $n_maps regions (${doc_kib} KiB, held whole)" \
	$((limit_kib + doc_kib))

run max-pages pages "$pid"
check_exit "pages of $n_maps regions" max-pages
check_pages max-pages "$pid"
check_peak "pages of $n_maps regions" "$limit_kib"

[ "$(lines "$pid")" = "$n_maps" ] && ok "the target stayed frozen: $n_maps regions throughout" ||
	not_ok "the target's maps changed during the test: $(lines "$pid") lines, was $n_maps"

# --- growth: the same reports on a tenth as many regions
pid=$tenth_pid
run tenth-text --color never -w 100 "$pid"
run tenth-json --format json "$pid"
small_text=$(awk '{print $6}' "$tmp/tenth-text.stats")
small_json=$(awk '{print $6}' "$tmp/tenth-json.stats")
m=$(lines "$pid")
# check_growth WHAT BIG_MS SMALL_MS
check_growth() {
	# a floor of 10 ms: below it the ratio measures the clock
	local small=$(($3 > 10 ? $3 : 10))
	if [ "$2" -lt $((30 * small)) ]; then
		ok "$1: cpu $2 ms at $n_maps regions, $3 ms at $m: no quadratic step"
	else
		not_ok "$1: cpu $2 ms at $n_maps regions against $3 ms at $m (30 times is the bound)"
	fi
}
check_growth "text report" "$text_cpu" "$small_text"
check_growth "json report" "$json_cpu" "$small_json"

# --- terabytes reserved
pid=$reserve_pid
n_maps=$(lines "$pid")
run tb-text --color never -w 100 "$pid"
check_exit "report of a process with 4 TiB reserved" tb-text
vsz=$(grep -m1 '^VSZ' "$tmp/tb-text.out" | awk '{print $2}')
[ "$(text_regions tb-text)" = "$n_maps" ] && [ "$vsz" = 4.0T ] &&
	ok "report: $n_maps regions, VSZ $vsz" ||
	not_ok "report: $(text_regions tb-text) regions and VSZ $vsz, maps has $n_maps (4 TiB reserved)"
check_peak "report of a process with 4 TiB reserved" "$limit_kib"
run tb-json --format json "$pid"
check_exit "json of a process with 4 TiB reserved" tb-json
bytes=$(awk '/^reserve/ {print $3}' "$tmp/reserve.facts")
why=$(json_check tb-json "len(d['regions']) == $n_maps and d['dropped_regions'] == 0 and
    any(r['size'] == $bytes and r['perms'] == '---p' and r['mem']['rss'] == 0 for r in d['regions'])
    and d['totals']['status']['vm_size'] >= $bytes") &&
	ok "json: $n_maps regions, the $bytes-byte reservation with RSS 0" ||
	not_ok "json: the regions or the reservation are not those of maps" "$why"
# Without PAGEMAP_SCAN (as on kernels before 6.7) an entry is read per page:
# the reservation, resident nowhere, is skipped, so the page data stays
# within the default read budget and equals the scan's.
VMSCOPE_TEST_NO_PAGEMAP_SCAN=1 run tb-pread --format json "$pid"
check_exit "json of a process with 4 TiB reserved, without PAGEMAP_SCAN" tb-pread
why=$(python3 - "$tmp/tb-json.out" "$tmp/tb-pread.out" 2>&1 <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
if not (b['sources']['pagemap']['read'] and b['pages']['scan'] is False and b['pages']['entries']):
    sys.exit('pagemap %s, pages %s' % (b['sources']['pagemap'], b.get('pages')))
keys = ('present', 'swapped', 'file', 'guard', 'residency')
for ra, rb in zip(a['regions'], b['regions']):
    pa, pb = ra['pages'], rb['pages']
    if ra['kind'] == 'vsyscall' and pa is None and pb is None:
        continue  # in no page table
    if pa is None or pb is None or any(pa[k] != pb[k] for k in keys):
        sys.exit('region %s: scan %s, pread %s' % (ra['start'], pa, pb))
PY
) && ok "without PAGEMAP_SCAN: page data of every region, equal to the scan's" ||
	not_ok "without PAGEMAP_SCAN: page data not that of the scan" "$why"
check_peak "json of a process with 4 TiB reserved, without PAGEMAP_SCAN" "$limit_kib"
run tb-pages pages "$pid"
check_exit "pages of a process with 4 TiB reserved" tb-pages
check_pages tb-pages "$pid"
check_peak "pages of a process with 4 TiB reserved" "$limit_kib"

# --- 64 threads
pid=$threads_pid
n_maps=$(lines "$pid")
n_tasks=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)
run th-text --color never -w 100 "$pid"
check_exit "report of a 64-thread process" th-text
[ "$(text_regions th-text)" = "$n_maps" ] && grep -q "threads $n_tasks\$" "$tmp/th-text.out" &&
	ok "report: $n_maps regions, threads $n_tasks" ||
	not_ok "report: not $n_maps regions and $n_tasks threads" "$(head -n 1 "$tmp/th-text.out")" \
		"$(grep -m1 '^layout' "$tmp/th-text.out")"
check_peak "report of a 64-thread process" "$limit_kib"
run th-json --format json "$pid"
check_exit "json of a 64-thread process" th-json
# Every thread but the main one blocks on its own stack.
why=$(json_check th-json "len(d['regions']) == $n_maps and d['process']['threads'] == $n_tasks and
    len(d['threads']) == $n_tasks and kinds.count('thread_stack') == $n_tasks - 1 and
    all(t['region'] is not None for t in d['threads'])") &&
	ok "json: $n_maps regions, $n_tasks threads each on its stack, $((n_tasks - 1)) thread stacks" ||
	not_ok "json: not $n_maps regions with $n_tasks threads on $((n_tasks - 1)) thread stacks" "$why"
run th-pages pages "$pid"
check_exit "pages of a 64-thread process" th-pages
check_pages th-pages "$pid"

# --- list, with all of them alive
run list list --color never -w 200
check_exit "list with the three targets" list
missing=
for p in "$maxmaps_pid" "$reserve_pid" "$threads_pid"; do
	awk -v p="$p" '$1 == p { found = 1 } END { exit !found }' "$tmp/list.out" || missing="$missing $p"
done
[ -z "$missing" ] && ok "list: a row for each target" || not_ok "list: no row for$missing"
check_peak "list" "$limit_kib"
run list-json list --format json
check_exit "list --format json" list-json
python3 - "$tmp/list-json.out" "$maxmaps_pid" "$reserve_pid" "$threads_pid" <<'PY' &&
import json, sys
d = json.load(open(sys.argv[1]))
rows = {p['pid']: p for p in d['processes']}
bad = []
for pid in map(int, sys.argv[2:]):
    want = None
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmSize:'):
            want = int(line.split()[1]) * 1024
    if pid not in rows or rows[pid]['vsz'] != want:
        bad.append('%d: %s, VmSize %s' % (pid, rows.get(pid, {}).get('vsz'), want))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY
	ok "list --format json: each target's VSZ is its VmSize (4 TiB for one)" ||
	not_ok "list --format json: VSZ differs from VmSize"

# Out of memory: under a limit on its address space (ulimit -v) just above
# what its libraries take to load, vmscope cannot allocate its buffers: one
# line says so, exit 3, and not a byte of a half report. Where that window
# lies moves with the libraries' sizes: it is searched for, from the limit
# the program cannot even load under to the one it reports under.
if [ -n "$sanitized" ]; then
	skip "out of memory: one line, exit 3, nothing on stdout" "ASan reserves terabytes of shadow"
else
	oom=
	for kib in $(seq 2000 250 64000); do
		(ulimit -v "$kib" && exec "$vmscope" "$maxmaps_pid") >"$tmp/oom.out" 2>"$tmp/oom.err"
		rc=$?
		[ $rc -eq 127 ] && continue # the loader could not map a library
		[ $rc -eq 3 ] && oom=$kib
		break
	done
	if [ -n "$oom" ] && [ ! -s "$tmp/oom.out" ] && [ "$(grep -c . "$tmp/oom.err")" -eq 1 ] &&
		grep -qE '^vmscope: out of memory \(allocating [0-9]+ bytes\)$' "$tmp/oom.err"; then
		ok "out of memory (ulimit -v $oom): one line, exit 3, nothing on stdout"
	else
		not_ok "out of memory: one line, exit 3, nothing on stdout" \
			"limit ${kib:-} KiB: exit $rc" "$(head -c 300 "$tmp/oom.err")" "$(head -c 300 "$tmp/oom.out")"
	fi
fi
finish
