#!/bin/bash
# size-growth.sh [BUILDDIR]: how the time and peak RSS of `vmscope PID`
# (text), `vmscope --format json PID` and `vmscope list` grow with the
# number of VMAs of the process looked at: 1,000, 10,000 and 65,000
# (SIZES to change them; the last must fit under vm.max_map_count). Each
# figure is the median of RUNS (default 5) runs, measured by wait4
# (tests/hardening/rusage-run); the cost per VMA, and the cost of each VMA
# added since the previous size, show whether the growth is linear. Then,
# at each size, the text and JSON reports against `cat smaps`: the median
# ratio of RUNS pairs taking turns (bench/paired.sh); with BUSY_CPU=N, while
# a shell loop keeps CPU N busy. Around each size's pairs, smaps read on
# each CPU (cpu_speeds): where the CPUs ran more than 1.25x apart, a
# note says that size's ratios follow the CPUs more than vmscope
# (skew_note) and to run again; PAIR_FROM_CPU=N begins every paired run
# on CPU N (bench/paired.sh), to see how much of a ratio is where it ran.
# BUILDDIR (default build) must hold src/vmscope, tests/live/live-target,
# tests/hardening/rusage-run, bench/pair-run and bench/thread-read.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${RUNS:-5}
. "$root/bench/paired.sh"
read -r -a sizes <<<"${SIZES:-1000 10000 65000}"
vmscope=$build/src/vmscope
target=$build/tests/live/live-target
rusage_run=$build/tests/hardening/rusage-run
pair_run=$build/bench/pair-run
thread_read=$build/bench/thread-read
for f in "$vmscope" "$target" "$rusage_run" "$pair_run" "$thread_read"; do
	[ -x "$f" ] || { echo "size-growth: $f is not built (ninja -C $build)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; busy_cpu_stop; rm -rf "$tmp"' EXIT

# measure NAME CMD...: runs CMD RUNS times; prints "wall_ms cpu_ms peak_kib",
# the medians of wall and CPU time and the largest peak.
measure() {
	local name=$1
	shift
	: >"$tmp/$name.all"
	for _ in $(seq "$runs"); do
		"$rusage_run" "$tmp/$name.stats" "$@" >/dev/null </dev/null ||
			{ echo "size-growth: $* failed" >&2; exit 1; }
		cat "$tmp/$name.stats" >>"$tmp/$name.all"
	done
	python3 - "$tmp/$name.all" <<'PY'
import statistics, sys
rows = [dict(zip(l.split()[::2], map(int, l.split()[1::2]))) for l in open(sys.argv[1])]
print(int(statistics.median(r['wall_ms'] for r in rows)),
      int(statistics.median(r['cpu_ms'] for r in rows)),
      max(r['maxrss_kib'] for r in rows))
PY
}

echo "vmscope cost against the VMAs of the process looked at; median of $runs runs"
echo "(per VMA: the figure over the VMAs; added: the growth since the previous size over the VMAs added)"
printf '%-22s %7s %8s %7s %9s %8s %8s %9s %9s\n' command VMAs "wall ms" "cpu ms" "peak KiB" \
	"us/VMA" "B/VMA" "added us" "added B"
declare -A prev_vmas prev_wall prev_peak
ratios=() notes=()
for size in "${sizes[@]}"; do
	maps_target "$target" "$size" ||
		{ echo "size-growth: the target of $size maps did not stop" >&2; exit 1; }
	vmas=$(wc -l <"/proc/$pid/maps")
	for what in text json list; do
		case $what in
		text) set -- "$vmscope" --color never "$pid"; label="vmscope PID" ;;
		json) set -- "$vmscope" --format json "$pid"; label="vmscope --format json" ;;
		list) set -- "$vmscope" list --color never; label="vmscope list" ;;
		esac
		read -r wall cpu peak < <(measure "$what" "$@")
		added_us=- added_b=-
		if [ -n "${prev_vmas[$what]:-}" ]; then
			d=$((vmas - prev_vmas[$what]))
			added_us=$(awk -v a="$wall" -v b="${prev_wall[$what]}" -v d="$d" \
				'BEGIN { printf "%.2f", (a - b) * 1000 / d }')
			added_b=$(( (peak - prev_peak[$what]) * 1024 / d ))
		fi
		printf '%-22s %7s %8s %7s %9s %8s %8s %9s %9s\n' "$label" "$vmas" "$wall" "$cpu" \
			"$peak" "$(awk -v a="$wall" -v v="$vmas" 'BEGIN { printf "%.2f", a * 1000 / v }')" \
			"$((peak * 1024 / vmas))" "$added_us" "$added_b"
		prev_vmas[$what]=$vmas prev_wall[$what]=$wall prev_peak[$what]=$peak
	done
	speeds_before=$(cpu_speeds "/proc/$pid/smaps")
	busy_cpu_start || exit 1
	paired "$runs" cat "/proc/$pid/smaps" -- text "$vmscope" --color never "$pid" \
		-- json "$vmscope" --format json "$pid" ||
		{ echo "size-growth: a command failed (above)" >&2; exit 1; }
	busy_cpu_stop
	speeds_after=$(cpu_speeds "/proc/$pid/smaps")
	ratios+=("$(printf '%7s VMAs: cat smaps %7s ms; text %7s ms, %5sx; JSON %7s ms, %5sx' \
		"$vmas" "$text_ref" "$text_ms" "$text_ratio" "$json_ms" "$json_ratio")")
	[ -z "$speeds_before" ] ||
		ratios+=("             smaps read on each CPU, ms (median of 5): before $speeds_before; after $speeds_after")
	notes+=("$(skew_note "at $vmas VMAs the CPUs' reads of smaps were" "$speeds_before" "$speeds_after")")
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	pid=
done
echo "against cat smaps, median of $runs pairs each${BUSY_CPU:+, CPU $BUSY_CPU kept busy by a shell loop}${PAIR_FROM_CPU:+, each run begun on CPU $PAIR_FROM_CPU}:"
printf '%s\n' "${ratios[@]}"
for note in "${notes[@]}"; do
	[ -z "$note" ] || printf '%s\n' "$note"
done
