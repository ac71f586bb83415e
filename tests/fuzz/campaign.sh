#!/bin/bash
# campaign.sh [MINUTES] [BUILDDIR]: a longer fuzz campaign than the bounded
# run of scripts/test.sh. Each tests/fuzz/fuzz-<name>.c runs for MINUTES
# (default 5) from a copy of its seeds (tests/fuzz/corpus/<name>/) in a
# scratch directory, one fuzzer per core, and the end prints per target the
# executions, the time spent and the crashes found.
#
# BUILDDIR is a clang build with -Dfuzz=true; by default the one
# scripts/test.sh makes (build-test/fuzz), set up here the same way when it
# does not exist yet. The scratch directory (FUZZ_SCRATCH, default a new
# one under /tmp) keeps each target's grown corpus, log and crash inputs.
#
# libFuzzer stops at its first crash; the campaign then starts it again on
# the grown corpus for the rest of the target's time, so one finding does
# not end the search (at most MAX_RESTARTS, default 20, restarts a target).
# FUZZ_TARGETS (names, space-separated: "budget maps") limits the campaign to
# those targets.
# Exit status: 0 when no target crashed, 1 when one did, 2 on a setup error.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
minutes=${1:-5}
build=${2:-build-test/fuzz}
max_restarts=${MAX_RESTARTS:-20}
jobs=$(nproc 2>/dev/null || echo 2)
case $minutes in
'' | *[!0-9]*) echo "campaign: MINUTES must be a whole number, not '$minutes'" >&2; exit 2 ;;
esac
seconds=$((minutes * 60))

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

scratch=${FUZZ_SCRATCH:-$(mktemp -d /tmp/vmscope-fuzz.XXXXXX)}
mkdir -p "$scratch" || exit 2

# The same options as scripts/test.sh, so both fuzz the same code.
if [ ! -f "$build/build.ninja" ]; then
	echo "campaign: setting up $build" >&2
	CC=clang meson setup "$build" -Dwerror=true -Dtests=false -Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >"$scratch/setup.log" 2>&1 ||
		{ tail -n 30 "$scratch/setup.log" >&2; exit 2; }
fi
ninja -C "$build" >"$scratch/build.log" 2>&1 || { tail -n 30 "$scratch/build.log" >&2; exit 2; }

# fuzz_one NAME: runs fuzz-NAME until its time is spent; writes NAME.stats
# ("executions seconds crashes runs").
fuzz_one() {
	local name=$1 exe=$build/tests/fuzz/fuzz-$1 dir=$scratch/$1
	local start now left execs=0 runs=0 n
	mkdir -p "$dir/corpus" "$dir/crashes"
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$dir/corpus/"
	: >"$dir/log"
	start=$(date +%s)
	while :; do
		now=$(date +%s)
		left=$((seconds - (now - start)))
		[ "$left" -gt 0 ] && [ "$runs" -le "$max_restarts" ] || break
		runs=$((runs + 1))
		echo "=== run $runs, ${left}s left" >>"$dir/log"
		"$exe" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$dir/crashes/" "$dir/corpus" </dev/null >>"$dir/run.log" 2>&1
		# The counter of this run only: the log holds every run so far.
		n=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$dir/run.log" |
			tail -n 1 | grep -oE '[0-9]+$')
		cat "$dir/run.log" >>"$dir/log"
		: >"$dir/run.log"
		execs=$((execs + ${n:-0}))
	done
	rm -f "$dir/run.log"
	n=$(find "$dir/crashes" -type f | wc -l)
	echo "$execs $(($(date +%s) - start)) $n $runs" >"$dir.stats"
}

names=()
for src in tests/fuzz/fuzz-*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	name=${name#fuzz-}
	if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
		continue
	fi
	if [ ! -x "$build/tests/fuzz/fuzz-$name" ]; then
		echo "campaign: $build/tests/fuzz/fuzz-$name is not built (reconfigure $build)" >&2
		exit 2
	fi
	names+=("$name")
done
[ ${#names[@]} -gt 0 ] || { echo "campaign: no tests/fuzz/fuzz-*.c${FUZZ_TARGETS:+ named in FUZZ_TARGETS}" >&2; exit 2; }

echo "fuzz campaign: ${#names[@]} targets, ${minutes} min each, $jobs at a time, in $scratch"
for name in "${names[@]}"; do
	fuzz_one "$name" &
	while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait

crashed=0
printf '%-12s %14s %8s %10s %8s %8s\n' target executions seconds "exec/s" corpus crashes
for name in "${names[@]}"; do
	read -r execs secs crashes runs <"$scratch/$name.stats" 2>/dev/null || { execs=0 secs=0 crashes=1 runs=0; }
	corpus=$(find "$scratch/$name/corpus" -type f | wc -l)
	printf '%-12s %14s %8s %10s %8s %8s\n' "$name" "$execs" "$secs" \
		"$((secs > 0 ? execs / secs : 0))" "$corpus" "$crashes"
	if [ "$crashes" -gt 0 ]; then
		crashed=1
		find "$scratch/$name/crashes" -type f | sed 's/^/  input: /'
		grep -m1 -A12 -E '==[0-9]+==(ERROR|WARNING)|runtime error|deadly signal' "$scratch/$name/log" |
			sed 's/^/  /'
	fi
done
echo "logs, grown corpora and crash inputs: $scratch"
exit "$crashed"
