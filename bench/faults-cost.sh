#!/bin/bash
# faults-cost.sh [BUILDDIR]: how much a fault-heavy loop slows down while
# 'vmscope faults' samples every one of its faults, against the same loop
# under 'perf record -e page-faults -d' (every fault with -c 1, and perf's
# default rate), and what CPU time the sampler itself uses. The loop maps
# 64 MiB, writes a byte a page and unmaps it, ROUNDS times (default 200:
# about 3.3 million faults). Run as root, or perf_event_paranoid <= 2.
# perf comes with Debian's linux-perf package (apt-get install linux-perf);
# without it only vmscope is measured.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
vmscope=$build/src/vmscope
[ -x "$vmscope" ] || { echo "faults-cost: $vmscope is not built (ninja -C $build)" >&2; exit 1; }
rounds=${ROUNDS:-200}
mib=64
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/loop" "$root/bench/faults-loop.c"

# cpu_of PID: user+system seconds of a live process, from /proc/PID/stat
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

# run_under NAME CMD...: the loop, with CMD (given the loop's pid as its last
# argument) attached for the loop's whole life; prints the loop's seconds
# and faults and the tool's CPU seconds.
run_under() {
	local name=$1 i; shift
	for i in $(seq "$runs"); do
		"$tmp/loop" "$rounds" "$mib" 700 >"$tmp/loop.out" &
		local loop=$!
		local tool=
		if [ $# -gt 0 ]; then
			"$@" "$loop" >"$tmp/tool.out" 2>"$tmp/tool.err" &
			tool=$!
		fi
		local cpu=0
		while kill -0 "$loop" 2>/dev/null; do
			[ -n "$tool" ] && cpu=$(cpu_of "$tool" 2>/dev/null || echo "$cpu")
			sleep 0.05
		done
		wait "$loop"
		[ -n "$tool" ] && { wait "$tool" || true; }
		read -r secs faults <"$tmp/loop.out"
		printf '%-34s run %d: %6.3f s  %8d faults  tool CPU %5.2f s\n' "$name" "$i" "$secs" "$faults" "$cpu"
	done
}

echo "kernel $(uname -r), $(nproc) CPUs, perf_event_max_sample_rate $(cat /proc/sys/kernel/perf_event_max_sample_rate)"
echo "loop: $rounds x $mib MiB mapped, written a byte a page, unmapped"
run_under "alone"
run_under "vmscope faults (every fault)" "$vmscope" faults --duration 10m
grep -E '^sampled|throttled' "$tmp/tool.out" | sed 's/^/    last vmscope run: /' || true
run_under "vmscope faults --major" "$vmscope" faults --major --duration 10m
if command -v perf >/dev/null; then
	run_under "perf record -e page-faults -d -c 1" perf record -q -e page-faults -d -c 1 -o "$tmp/perf.data" -p
	run_under "perf record -e page-faults -d" perf record -q -e page-faults -d -o "$tmp/perf.data" -p
else
	echo "perf is not installed: apt-get install linux-perf (Debian) to compare with it"
fi
