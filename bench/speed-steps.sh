#!/bin/bash
# speed-steps.sh [-m MAPS] COMMIT...: the text and JSON reports of each
# commit, built in release, against `cat smaps` of one process of MAPS
# mappings (default 30000), all in the same run: RUNS (default 11) rounds,
# each a pair of cat and vmscope for every commit and report. What the
# README says of each speed change, before and after, comes from here.
# Builds in a worktree of its own under $TMPDIR (kept between runs as
# ${TMPDIR:-/tmp}/vmscope-speed-steps, with the binary of each commit built,
# so that the next run builds only the commits it has not seen); the target is tests/live/live-target of build/ (or
# $BUILD).
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
[ -x "$target" ] || { echo "speed-steps: $target is not built" >&2; exit 1; }
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
# Every commit's two pairs in every round, the commits in turn first: the
# machine's speed drifts within minutes here, and commits measured one block
# after the other showed the drift as steps.
declare -A ms ratio
n=${#bins[@]}
for r in $(seq "$runs"); do
	for k in $(seq 0 $((n - 1))); do
		id=${bins[$(( (k + r) % n ))]}
		for fmt in text json; do
			t0=${EPOCHREALTIME/./}
			cat "/proc/$pid/smaps" >/dev/null
			t1=${EPOCHREALTIME/./}
			if [ "$fmt" = text ]; then
				"$work/vmscope-$id" --color never "$pid" >/dev/null
			else
				"$work/vmscope-$id" --format json "$pid" >/dev/null
			fi
			t2=${EPOCHREALTIME/./}
			ms[$id:$fmt]+="$((t2 - t1)) "
			ratio[$id:$fmt]+="$(( (t2 - t1) * 10000 / (t1 - t0 > 0 ? t1 - t0 : 1) )) "
		done
	done
done
# median WORDS...: the middle one, as a figure over DIV with PLACES decimals.
median() {
	local div=$1 places=$2
	shift 2
	printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p" |
		awk -v d="$div" -v p="$places" '{ printf "%.*f", p, $1 / d }'
}
printf '%-10s %-52s %9s %7s %9s %7s\n' commit "" "text ms" ratio "JSON ms" ratio
for id in "${bins[@]}"; do
	# shellcheck disable=SC2086 # the lists are words
	printf '%-10s %-52.52s %9s %6sx %9s %6sx\n' "$id" "$(git -C "$root" log -1 --format=%s "$id")" \
		"$(median 1000 1 ${ms[$id:text]})" "$(median 10000 2 ${ratio[$id:text]})" \
		"$(median 1000 1 ${ms[$id:json]})" "$(median 10000 2 ${ratio[$id:json]})"
done
