#!/bin/bash
# record-cost.sh [BUILDDIR] [MAPS] [SECONDS]: what `vmscope record` costs at
# a 1-second interval for SECONDS (default 60):
#  - on a process with MAPS mappings (default 30000; live-target --maps,
#    stopped, so only the kernel's own counters move): vmscope's CPU
#    (utime + stime) as a share of one core, with the default --cpu 5 and with
#    --cpu 100 (the regions at every sample), how many samples read the
#    regions, and the file's bytes per sample;
#  - on the recording test's target growing 1 MiB every second (two regions,
#    about 30 mappings): the same, for a small process that changes.
# BUILDDIR (default build) must hold src/vmscope, tests/live/live-target and
# tests/live/record-target. Needs /usr/bin/time (apt-get install time).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
maps=${2:-30000}
secs=${3:-60}
vmscope=$build/src/vmscope
for f in "$vmscope" "$build/tests/live/live-target" "$build/tests/live/record-target"; do
	[ -x "$f" ] || { echo "record-cost: $f is not built (ninja -C $build)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "record-cost: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	kill -KILL ${pids[@]+"${pids[@]}"} 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# record_cost NAME PID [OPTIONS...]: records PID for secs, prints a line: the
# CPU share, the samples, the first sample (every region, whole), and the
# mean size of the later samples with and without regions.
record_cost() {
	local name=$1 pid=$2 f=$tmp/$1
	shift 2
	/usr/bin/time -f '%U %S %e' -o "$f.time" \
		"$vmscope" record "$pid" -o "$f.rec" --interval 1s --duration "${secs}s" -q "$@"
	read -r u s wall <"$f.time"
	awk -v n="$name" -v u="$u" -v s="$s" -v w="$wall" '
		NR == 1 { next }
		/^\{"end"/ { next }
		{ k++ }
		k == 1 { first = length($0) + 1; next }
		/"regions": \[/ { r++; rb += length($0) + 1; next }
		{ t++; tb += length($0) + 1 }
		END {
			printf "%-22s CPU %5.2f s of %5.1f s = %5.2f%% of a core; %d samples, %d with regions\n",
				n, u + s, w, 100 * (u + s) / w, k, r + 1
			printf "%-22s first sample %d bytes; then %.0f bytes with regions, %.0f bytes without\n",
				"", first, r ? rb / r : 0, t ? tb / t : 0
		}' "$f.rec"
}

"$build/tests/live/live-target" --maps "$maps" >/dev/null &
big=$!
pids+=("$big")
disown "$big"
for _ in $(seq 200); do
	grep -q '^State:[[:space:]]*T' "/proc/$big/status" && break
	sleep 0.05
done
echo "$(wc -l <"/proc/$big/maps") mappings, ${secs} s at 1 s:"
record_cost "$maps maps, --cpu 5" "$big"
record_cost "$maps maps, --cpu 100" "$big" --cpu 100

"$build/tests/live/record-target" >"$tmp/grow.out" &
small=$!
pids+=("$small")
disown "$small"
for _ in $(seq 200); do grep -q '^ready' "$tmp/grow.out" && break; sleep 0.05; done
( for _ in $(seq "$secs"); do sleep 1; kill -USR1 "$small" 2>/dev/null || exit 0; done ) &
pids+=($!)
disown $!
echo "the test target growing 1 MiB a second, $(wc -l <"/proc/$small/maps") mappings:"
record_cost "growing, --cpu 5" "$small"
