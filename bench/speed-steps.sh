#!/bin/bash
# speed-steps.sh [-m MAPS] COMMIT...: the text and JSON reports of each
# commit, built in release, against `cat smaps` of one process of MAPS
# mappings (default 30000), all in the same run: RUNS (default 11) rounds,
# each a pair of cat and vmscope for every commit and report. What the
# README says of each speed change, before and after, comes from here.
# Builds in a worktree of its own under $TMPDIR (kept between runs as
# ${TMPDIR:-/tmp}/vmscope-speed-steps, with the binary of each commit built,
# so that the next run builds only the commits it has not seen). The target
# (tests/live/live-target) and bench/pair-run are build/'s (or $BUILD's).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
maps=30000
if [ "${1:-}" = -m ]; then
	maps=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: speed-steps.sh [-m MAPS] COMMIT..." >&2; exit 2; }
runs=${RUNS:-11}
. "$root/bench/paired.sh"
target=${BUILD:-$root/build}/tests/live/live-target
pair_run=${BUILD:-$root/build}/bench/pair-run
for f in "$target" "$pair_run"; do
	[ -x "$f" ] || { echo "speed-steps: $f is not built" >&2; exit 1; }
done
work=${TMPDIR:-/tmp}/vmscope-speed-steps
if [ ! -d "$work/tree" ]; then
	mkdir -p "$work"
	git -C "$root" worktree add --detach "$work/tree" HEAD >/dev/null
fi
bins=()
for c in "$@"; do
	id=$(git -C "$root" rev-parse --short "$c")
	bins+=("$id")
	# a commit's tree does not change: one built before is not built again
	[ -x "$work/vmscope-$id" ] && continue
	git -C "$work/tree" checkout -q --detach "$id"
	[ -d "$work/tree/build" ] ||
		meson setup "$work/tree/build" "$work/tree" -Dbuildtype=release >/dev/null
	ninja -C "$work/tree/build" src/vmscope >/dev/null ||
		{ echo "speed-steps: $id does not build" >&2; exit 1; }
	cp "$work/tree/build/src/vmscope" "$work/vmscope-$id"
done

pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null || true' EXIT
maps_target "$target" "$maps" || { echo "speed-steps: the target did not stop" >&2; exit 1; }
echo "process of $(wc -l <"/proc/$pid/maps") mappings; medians of $runs rounds of pairs with cat smaps"
# Every commit's two pairs in every round, the first pair of a round
# moving on each round (bench/pair-run): the machine's speed drifts within
# minutes here, and commits measured one block after the other showed the
# drift as steps.
pairs=()
for id in "${bins[@]}"; do
	pairs+=(-- "$id:text" "$work/vmscope-$id" --color never "$pid"
		-- "$id:json" "$work/vmscope-$id" --format json "$pid")
done
declare -A ms ratio
out=$("$pair_run" "$runs" cat "/proc/$pid/smaps" "${pairs[@]}") ||
	{ echo "speed-steps: a command failed (above)" >&2; exit 1; }
while read -r name _ cmd_ms r _; do
	ms[$name]=$(awk -v v="$cmd_ms" 'BEGIN { printf "%.1f", v }')
	ratio[$name]=$(awk -v v="$r" 'BEGIN { printf "%.2f", v }')
done <<<"$out"
printf '%-10s %-52s %9s %7s %9s %7s\n' commit "" "text ms" ratio "JSON ms" ratio
for id in "${bins[@]}"; do
	printf '%-10s %-52.52s %9s %6sx %9s %6sx\n' "$id" "$(git -C "$root" log -1 --format=%s "$id")" \
		"${ms[$id:text]}" "${ratio[$id:text]}" "${ms[$id:json]}" "${ratio[$id:json]}"
done
