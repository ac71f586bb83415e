#!/bin/bash
# test-races.sh VMSCOPE SPAWNER [SECONDS]: thousands of short-lived processes
# and threads created and reaped (for SECONDS and on until a thousand of each
# were, on a slow or busy machine) while list, list --format json, top --once,
# reports and fault runs of short-lived targets and of the churning parent
# run over and over: no crash, no exit status but 0 or the documented
# "process N exited" (1, nothing on stdout), valid JSON every time, and no
# row with numbers from a half-read process; TAP.
set -u
vmscope=${1:?usage: test-races.sh VMSCOPE SPAWNER [SECONDS]}
spawner=${2:?usage: test-races.sh VMSCOPE SPAWNER [SECONDS]}
seconds=${3:-12}
. "$(dirname "$0")/common.sh"
with_tmp

name=race$$
name=${name:0:11}
least=1000 # processes, and threads, the spawner makes at least
"$spawner" "$seconds" "$name" "$least" >"$tmp/spawner.out" </dev/null &
spid=$!
pids=$spid
for i in $(seq 100); do grep -q '^ready$' "$tmp/spawner.out" && break; sleep 0.05; done
# The spawner says how much it made as it ends.
# (Workers stop by a deadline too, should it fail before.)
spawner_ended() { grep -q '^processes' "$tmp/spawner.out" || [ "$(date +%s)" -ge "$last" ]; }
last=$(($(date +%s) + 5 * seconds + 10))

# Checks of one JSON output, by kind: a list, or a report of one process.
cat >"$tmp/check.py" <<'PY'
import json, sys
kind, path = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ''  # the test's own processes' names
try:
    d = json.load(open(path, encoding='utf-8'))
except Exception as e:
    sys.exit('invalid JSON: %s' % e)
keys = ('vsz', 'rss', 'pss', 'uss', 'swap', 'swap_pss')
def num(v):
    return v is None or (isinstance(v, int) and v >= 0)
if kind == 'list':
    for p in d['processes']:
        v = [p.get(k) for k in keys]
        if not all(num(x) for x in v):
            sys.exit('bad number in %r' % p)
        vsz, rss, pss, uss, swap, swap_pss = v
        if not p['readable']:
            # VSZ and RSS come from stat, readable by all; the rest not
            if any(x is not None for x in (pss, uss, swap_pss)):
                sys.exit('unreadable row with numbers: %r' % p)
            continue
        if None in v:
            sys.exit('readable row with a null: %r' % p)
        # A process without an address space (zombie) has nothing at all;
        # any other has resident pages, and the measures nest. USS and PSS
        # come from one read of smaps_rollup; RSS from status, read after
        # it: a process that shrank between the two (another test's, such
        # as valgrind's memcheck freeing its start-up memory) truthfully
        # shows a PSS above its later RSS, so PSS <= RSS is asked of this
        # test's own processes alone, whose memory does not shrink.
        own = p['comm'].startswith(prefix)
        if vsz == 0:
            if rss or pss or uss or swap:
                sys.exit('no address space but memory: %r' % p)
        elif not (0 < pss and 0 < rss and (uss == 0 or uss <= pss) and (pss <= rss or not own)) \
                or rss > vsz or swap_pss > swap:
            sys.exit('half-read row: %r' % p)
    tot = d['total']
    for k in ('rss', 'pss', 'uss'):
        s = sum(p[k] or 0 for p in d['processes'])
        if tot.get(k) is not None and tot[k] != s:
            sys.exit('total %s %d is not the sum of the rows %d' % (k, tot[k], s))
elif kind == 'report':
    st = d['totals']['status']
    ro = d['totals']['rollup']
    if not d['regions']:
        # Only a task without an address space, read as such (a zombie
        # between its exit and its reaping), has no regions; it has no
        # memory totals either.
        pr = d['process']
        if pr.get('state') != 'Z' and not pr.get('kernel_thread'):
            sys.exit('a report without regions of a live process: %r' % pr)
        if st or ro is not None:
            sys.exit('no address space but totals: %r %r' % (st, ro))
        sys.exit(0)
    if ro is not None and (ro.get('rss', 0) <= 0 or ro.get('pss', 0) <= 0):
        sys.exit('rollup of a half-read process: %r' % ro)
    if st.get('vm_size', 1) <= 0:
        sys.exit('status of a half-read process: %r' % st)
    if sum(r['size'] for r in d['regions']) <= 0:
        sys.exit('regions without size')
PY

# worker NAME COMMAND...: runs until the spawner ends; each run's exit status,
# stdout and stderr are judged by judge_NAME; failures go to $tmp/NAME.fail.
worker() {
	local w=$1 runs=0 gone=0 rc
	shift
	while ! spawner_ended; do
		"judge_$w" "$tmp/$w" && runs=$((runs + 1))
		[ -s "$tmp/$w.gone" ] && gone=$((gone + 1)) && : >"$tmp/$w.gone"
	done
	echo "$runs $gone" >"$tmp/$w.count"
}
fail_run() { # worker, what
	{ echo "$2"; head -c 600 "$tmp/$1.err"; echo; head -c 300 "$tmp/$1.out"; echo; } >>"$tmp/$1.fail"
}
# A run on a process that may vanish: 0 with output, or 1 with nothing on
# stdout and "process N exited" / "no process with pid N" on stderr.
gone_ok() { # worker, rc, pid
	if [ "$2" = 1 ] && [ ! -s "$tmp/$1.out" ] &&
		grep -qE "^vmscope: (process $3 exited|no process with pid $3)" "$tmp/$1.err"; then
		echo "$3" >"$tmp/$1.gone"
		return 0
	fi
	fail_run "$1" "exit $2 on pid $3 (not 0, nor 1 with an empty stdout and 'exited')"
	return 1
}
kid_pid() { pgrep -n -x "$name-kid"; }

judge_list() {
	"$vmscope" list >"$1.out" 2>"$1.err"
	local rc=$?
	[ $rc = 0 ] && [ -s "$1.out" ] && return 0
	fail_run list "exit $rc"
}
judge_listjson() {
	"$vmscope" list --format json >"$1.out" 2>"$1.err"
	local rc=$? why
	[ $rc = 0 ] || { fail_run listjson "exit $rc"; return 1; }
	why=$(python3 "$tmp/check.py" list "$1.out" "$name" 2>&1) || { fail_run listjson "$why"; return 1; }
}
judge_top() {
	"$vmscope" top --once -d 0.1 >"$1.out" 2>"$1.err" </dev/null
	local rc=$?
	[ $rc = 0 ] && grep -q 'PID' "$1.out" && return 0
	fail_run top "exit $rc"
}
judge_report() {
	local pid rc
	pid=$(kid_pid) || return 0
	"$vmscope" --all "$pid" >"$1.out" 2>"$1.err"
	rc=$?
	if [ $rc = 0 ]; then
		grep -q "pid $pid" "$1.out" && return 0
		fail_run report "exit 0 without the report of $pid"
		return 1
	fi
	gone_ok report $rc "$pid"
}
judge_reportjson() {
	local pid rc why
	pid=$(kid_pid) || return 0
	"$vmscope" --format json "$pid" >"$1.out" 2>"$1.err"
	rc=$?
	if [ $rc = 0 ]; then
		why=$(python3 "$tmp/check.py" report "$1.out" 2>&1) && return 0
		fail_run reportjson "pid $pid: $why"
		return 1
	fi
	gone_ok reportjson $rc "$pid"
}
judge_parent() {
	local rc why
	"$vmscope" --format json "$spid" >"$1.out" 2>"$1.err"
	rc=$?
	if [ $rc = 0 ]; then
		why=$(python3 "$tmp/check.py" report "$1.out" 2>&1) && return 0
		fail_run parent "$why"
		return 1
	fi
	# Only once the spawner said it ends may it be gone.
	spawner_ended && gone_ok parent $rc "$spid" && return 0
	fail_run parent "exit $rc while the spawner ran"
}
judge_faults() {
	local pid rc
	pid=$(kid_pid) || return 0
	"$vmscope" faults --duration 100ms "$pid" >"$1.out" 2>"$1.err"
	rc=$?
	# Exited during the run: what was seen is reported, exit 0.
	[ $rc = 0 ] && [ -s "$1.out" ] && return 0
	gone_ok faults $rc "$pid"
}

workers=(list listjson top report reportjson parent faults)
wpids=()
for w in "${workers[@]}"; do
	worker "$w" &
	wpids+=($!)
done
wait "${wpids[@]}"
wait "$spid"
spid=
pids=
read -r _ procs _ threads _ took <<<"$(tail -1 "$tmp/spawner.out")"
if [ "${procs:-0}" -ge "$least" ] && [ "${threads:-0}" -ge "$least" ]; then
	ok "the spawner started and reaped $procs processes and $threads threads in ${took:-?}s"
else
	not_ok "the spawner started and reaped thousands of processes and threads" \
		"$(cat "$tmp/spawner.out")"
fi
declare -A what=(
	[list]="vmscope list"
	[listjson]="vmscope list --format json: valid, no half-read row, totals the sum of the rows"
	[top]="vmscope top --once"
	[report]="vmscope PID of short-lived processes: a whole report or 'exited'"
	[reportjson]="vmscope --format json PID of short-lived processes: valid, whole, or 'exited'"
	[parent]="vmscope --format json of the churning parent: valid and whole every time"
	[faults]="vmscope faults of short-lived processes: a result or 'exited'"
)
for w in "${workers[@]}"; do
	read -r runs gone <"$tmp/$w.count"
	if [ ! -s "$tmp/$w.fail" ] && [ "$runs" -gt 0 ]; then
		ok "${what[$w]} ($runs runs, $gone on a process that went away)"
	else
		not_ok "${what[$w]} ($runs good runs)" "$(head -n 20 "$tmp/$w.fail" 2>/dev/null)"
	fi
done
finish
