#!/bin/bash
# report-speed.sh [BUILDDIR] [MAPS|rss|libs|turns|threads]: how long the text, JSON and
# HTML reports of a process with MAPS mappings (default 30000), and
# pmap -X, take against reading its smaps alone: RUNS (default 15) rounds,
# each a pair of `cat smaps` and the command taking turns for each command
# in turn, the ratio the median of the pairs' ratios (bench/paired.sh, by
# bench/pair-run). Then the HTML page's size, vmscope's peak RSS (the
# largest of the text report's runs), and how long a read of smaps takes
# on each CPU before and after (one CPU slower than another shifts the
# ratios: bench/paired.sh's cpu_speeds) and in a process's first thread and
# in a thread it makes (thread_speeds), with a note where either differs
# by more than 1.25x (skew_note); PAIR_FROM_CPU=N begins every paired run
# on CPU N (bench/paired.sh). With `rss` instead of MAPS, a
# process shaped like a JVM's: few mappings, 128 MiB written, 20 threads,
# where smaps costs page walks rather than text (smaps_rollup and the page
# sweep walk the same pages again). With `libs`, a python3 that has loaded
# twenty of its standard modules written in C: some 40 shared objects, whose
# ELF headers and sections the report reads and draws, as on most servers.
# With `turns`, 5,000 pairs of a 64 KiB region (one page written) and a
# 64 KiB PROT_NONE reserve after it: 10,000 VMAs of two kinds taking turns,
# as allocators and runtimes lay out memory, each region with page data.
# With `threads`, 1,000 threads that block (2,025 VMAs: each thread's stack
# and guard), where the tasks' own files are read two a thread.
# BUILDDIR (default build) must hold src/vmscope, tests/live/live-target,
# bench/pair-run and bench/thread-read. With BUSY_CPU=N, the pairs run
# while a shell loop keeps CPU N busy.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
maps=${2:-30000}
runs=${RUNS:-15}
. "$root/bench/paired.sh"
vmscope=$build/src/vmscope
target=$build/tests/live/live-target
pair_run=$build/bench/pair-run
thread_read=$build/bench/thread-read
for f in "$vmscope" "$target" "$pair_run" "$thread_read"; do
	[ -x "$f" ] || { echo "report-speed: $f is not built (ninja -C $build)" >&2; exit 1; }
done
command -v pmap >/dev/null || { echo "report-speed: pmap missing (apt-get install procps)" >&2; exit 1; }

pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; busy_cpu_stop' EXIT
if [ "$maps" = rss ]; then
	layout_target "$target" --anon-pages 32768 --anon-touch 32768 --threads 20
elif [ "$maps" = turns ]; then
	layout_target "$target" --turns 5000
elif [ "$maps" = threads ]; then
	layout_target "$target" --threads 1000
elif [ "$maps" = libs ]; then
	command -v python3 >/dev/null ||
		{ echo "report-speed: python3 missing (apt-get install python3)" >&2; exit 1; }
	# (a module missing from this python3 is left out, not an error)
	layout_target python3 -c '
import importlib, os, signal
for m in ("ssl", "sqlite3", "ctypes", "decimal", "lzma", "bz2", "zlib", "curses",
          "readline", "hashlib", "uuid", "xml.parsers.expat", "csv", "socket", "select",
          "array", "math", "json", "pickle", "struct", "mmap", "binascii", "unicodedata"):
    try:
        importlib.import_module(m)
    except ImportError:
        pass
os.kill(os.getpid(), signal.SIGSTOP)
signal.pause()'
else
	maps_target "$target" "$maps"
fi || { echo "report-speed: the target did not stop" >&2; exit 1; }
vmas=$(wc -l <"/proc/$pid/maps")

speeds_before=$(cpu_speeds "/proc/$pid/smaps")
threads_before=$(thread_speeds "/proc/$pid/smaps")
busy_cpu_start || exit 1
paired "$runs" cat "/proc/$pid/smaps" -- text "$vmscope" --color never "$pid" \
	-- nopages "$vmscope" --color never --no-pages "$pid" -- json "$vmscope" --format json "$pid" \
	-- html "$vmscope" --format html "$pid" -- pmap pmap -X "$pid" ||
	{ echo "report-speed: a command failed (above)" >&2; exit 1; }
busy_cpu_stop
smaps=$text_ref report=$text_ms pmap_x=$pmap_ms peak=$text_peak
html_kb=$(( $("$vmscope" --format html "$pid" | wc -c) / 1024 ))
html_all_kb=$(( $("$vmscope" --format html --all "$pid" | wc -c) / 1024 ))
smaps_kb=$(( $(wc -c <"/proc/$pid/smaps") / 1024 ))
speeds_after=$(cpu_speeds "/proc/$pid/smaps")
threads_after=$(thread_speeds "/proc/$pid/smaps")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rss_mib=$(awk '/^Rss:/ { printf "%d", $2 / 1024 }' "/proc/$pid/smaps_rollup")
echo "process $pid with $vmas mappings (smaps: ${smaps_kb} KiB; RSS ${rss_mib} MiB), medians of $runs runs or pairs"
[ -n "${BUSY_CPU:-}" ] && echo "  (the pairs with CPU $BUSY_CPU kept busy by a shell loop)"
[ -n "${PAIR_FROM_CPU:-}" ] && echo "  (each paired run begun on CPU $PAIR_FROM_CPU)"
printf '  %-36s %8s ms\n' "cat /proc/PID/smaps" "$smaps"
printf '  %-36s %8s ms  %5sx smaps (paired)\n' "vmscope PID (text report)" "$report" "$text_ratio"
printf '  %-36s %8s ms  %5sx smaps (paired)\n' "vmscope --no-pages PID" "$nopages_ms" "$nopages_ratio"
printf '  %-36s %8s ms  %5sx smaps (paired)\n' "vmscope --format json PID" "$json_ms" "$json_ratio"
printf '  %-36s %8s ms  %5sx smaps (paired; %s KiB, --all %s KiB)\n' "vmscope --format html PID" \
	"$html_ms" "$html_ratio" "$html_kb" "$html_all_kb"
printf '  %-36s %8s ms  %5sx smaps (paired)\n' "pmap -X PID" "$pmap_x" "$pmap_ratio"
echo "  vmscope text report / pmap -X: $(ratio "$report" "$pmap_x")"
echo "  vmscope peak RSS: ${peak} KiB ($(( peak * 1024 / (vmas > 0 ? vmas : 1) )) bytes per mapping)"
if [ -n "$speeds_before" ]; then
	echo "  smaps read on each CPU, ms (median of 5), before: $speeds_before"
	echo "                                             after: $speeds_after"
fi
if [ -n "$threads_before" ]; then
	echo "  smaps read by a process's threads, ms (median of 5), before: $threads_before"
	echo "                                                        after: $threads_after"
fi
skew_note "the CPUs' reads of smaps were" "$speeds_before" "$speeds_after"
skew_note "the threads' reads of smaps were" "$threads_before" "$threads_after"
