#!/bin/bash
# list-speed.sh [BUILDDIR] [PROCS]: how long `vmscope list` takes with about
# PROCS processes on the machine (default 500: sleepers are started to make
# up the number), against reading every process's smaps_rollup with cat and
# against smem, each the median of RUNS (default 7) runs in this same run;
# and vmscope's peak RSS. Goals: at most 1.5x cat, at least 20x faster than
# smem, under 16 MiB.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
want=${2:-500}
runs=${RUNS:-7}
vmscope=$build/src/vmscope
[ -x "$vmscope" ] || { echo "list-speed: $vmscope is not built (ninja -C $build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "list-speed: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

sleepers=()
trap 'kill ${sleepers[@]+"${sleepers[@]}"} 2>/dev/null || true' EXIT
have=$(ls -d /proc/[0-9]* | wc -l)
for ((i = have; i < want; i++)); do
	sleep 1000 &
	sleepers+=($!)
done
sleep 0.5
procs=$(ls -d /proc/[0-9]* | wc -l)

median_ms() {
	local i t0 t1 times=()
	for i in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p" |
		awk '{ printf "%.1f", $1 / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

cat_all() { cat /proc/[0-9]*/smaps_rollup; }
cat_ms=$(median_ms cat_all)
list_ms=$(median_ms "$vmscope" list)
list_k_ms=$(median_ms "$vmscope" list --kernel)
prog_ms=$(median_ms "$vmscope" list --by program)
peak=$(/usr/bin/time -f %M "$vmscope" list 2>&1 >/dev/null | tail -n 1)
if command -v smem >/dev/null; then
	smem_ms=$(RUNS=3 runs=3 median_ms smem)
else
	smem_ms=
fi

echo "$procs processes, median of $runs runs"
printf '  %-40s %8s ms\n' "cat /proc/[0-9]*/smaps_rollup" "$cat_ms"
printf '  %-40s %8s ms  %5sx cat\n' "vmscope list" "$list_ms" "$(ratio "$list_ms" "$cat_ms")"
printf '  %-40s %8s ms  %5sx cat\n' "vmscope list --kernel" "$list_k_ms" "$(ratio "$list_k_ms" "$cat_ms")"
printf '  %-40s %8s ms  %5sx cat\n' "vmscope list --by program" "$prog_ms" "$(ratio "$prog_ms" "$cat_ms")"
if [ -n "$smem_ms" ]; then
	printf '  %-40s %8s ms  %5sx cat\n' "smem (median of 3)" "$smem_ms" "$(ratio "$smem_ms" "$cat_ms")"
	echo "  smem / vmscope list: $(ratio "$smem_ms" "$list_ms")"
else
	echo "  smem: not installed (apt-get install smem)"
fi
echo "  vmscope list peak RSS: ${peak} KiB"
