# paired.sh (sourced by the bench scripts): the target process, and paired
# timings.
#
# maps_target TARGET MAPS: starts TARGET (tests/live/live-target) with MAPS
# extra mappings and sets pid once it has stopped itself (it stops when its
# layout is made); returns 1 if it does not stop within 20 s.
maps_target() {
	layout_target "$1" --maps "$2"
}

# layout_target TARGET ARGS...: the same, with the target's own options.
layout_target() {
	"$@" >/dev/null </dev/null &
	pid=$!
	for _ in $(seq 400); do
		grep -q '^State:[[:space:]]*T' "/proc/$pid/status" && return 0
		sleep 0.05
	done
	return 1
}

# Paired timings. A pair is one run of the reference command and one of
# the measured command, taking turns, so that whatever else the machine
# does falls on both alike; the ratio reported is the median of the
# per-pair ratios.
#
# paired RUNS REF_CMD... -- NAME CMD... [-- NAME CMD...]...: RUNS rounds,
# each a pair for every NAME in turn (REF_CMD, then its CMD), the first
# NAME moving on by one each round, so that a spell in which the machine
# runs slower falls on all the commands alike, not on those measured in it.
# Sets NAME_ref and NAME_ms (median wall times in ms, one decimal),
# NAME_ratio (median of CMD/REF_CMD) and NAME_peak (CMD's largest peak
# RSS, KiB) for each NAME. The runs are bench/pair-run's (posix_spawn to
# wait4, stdout on /dev/null), at $pair_run, which the script sets from its
# build directory: a shell's clock around each command counted the shell's
# fork too, 2 to 3 ms on both sides of a pair on a machine of dear page
# faults, and the ratios came out nearer 1 than the commands are. Returns 1
# when a command fails (pair-run says which). With PAIR_FROM_CPU set, every
# command begins on that CPU (pair-run --from-cpu): on a machine whose CPUs
# run at different speeds, the ratios from each CPU in turn show how much
# of a figure is where the pair ran.
paired() {
	local runs=$1 out name ref_ms cmd_ms ratio peak
	shift
	out=$("$pair_run" ${PAIR_FROM_CPU:+--from-cpu "$PAIR_FROM_CPU"} "$runs" "$@") || return 1
	while read -r name ref_ms cmd_ms ratio peak; do
		printf -v "${name}_ref" '%s' "$(awk -v v="$ref_ms" 'BEGIN { printf "%.1f", v }')"
		printf -v "${name}_ms" '%s' "$(awk -v v="$cmd_ms" 'BEGIN { printf "%.1f", v }')"
		printf -v "${name}_ratio" '%s' "$(awk -v v="$ratio" 'BEGIN { printf "%.2f", v }')"
		printf -v "${name}_peak" '%s' "$peak"
	done <<<"$out"
}

# cpu_speeds FILE: "cpu0 35.1, cpu1 59.8" (ms), the median of 5 reads of
# FILE on each CPU this shell may use (the first 8), timed inside one
# process pinned to each in turn (bench/thread-read --cpus, at
# $thread_read, which the script sets from its build directory). On a
# virtual machine one vCPU can run slower than another for seconds at a
# time; vmscope's reader runs on another CPU than the one it starts on, so
# its ratio to a cat that ran elsewhere follows that. Empty without it.
cpu_speeds() {
	[ -x "${thread_read:-}" ] || return 0
	"$thread_read" --cpus "$1" 5 2>/dev/null || true
}

# speeds_skew "cpu0 35.1, cpu1 59.8": the slowest of the figures over the
# fastest ("1.70"), empty with fewer than two. A skew past 1.25 means the
# paired ratios measured then follow where each thread ran more than what
# each program does (skew_note prints that).
speeds_skew() {
	printf '%s\n' "$1" | tr ',' '\n' | awk '{ v = $NF + 0; if (v <= 0) next;
		if (!n || v < lo) lo = v; if (!n || v > hi) hi = v; n++ }
		END { if (n > 1) printf "%.2f", hi / lo }'
}

# skew_note WHAT SPEEDS...: a line of warning for each of SPEEDS whose skew
# is past 1.25.
skew_note() {
	local what=$1 s k
	shift
	for s in "$@"; do
		k=$(speeds_skew "$s")
		[ -n "$k" ] && awk -v k="$k" 'BEGIN { exit !(k > 1.25) }' || continue
		echo "  note: $what ${k}x apart ($s): the paired ratios then follow where" \
			"vmscope's threads ran more than vmscope itself; run again"
	done
}

# thread_speeds FILE: "first thread 35.1, a made thread 52.3" (ms), the
# medians of 5 reads of FILE in a process's first thread and in a thread it
# makes, taking turns (bench/thread-read, at $thread_read). vmscope reads
# smaps on a thread of its own and `cat` on its first; where the two differ
# (README, Speed, the sixteenth round) the ratios follow. Empty without it.
thread_speeds() {
	[ -x "${thread_read:-}" ] || return 0
	"$thread_read" "$1" 5 2>/dev/null || true
}

# busy_cpu_start: with BUSY_CPU=N in the environment, starts a shell loop
# pinned to CPU N and sets busy_pid (empty otherwise), so that the pairs
# measure a machine where another program keeps a CPU busy: `cat` then
# runs on an idle CPU, and vmscope's second thread may start on the busy
# one. busy_cpu_stop ends it (call it from the script's EXIT trap too).
# Returns 1, with a message, if the loop cannot be pinned there.
busy_pid=
busy_cpu_start() {
	[ -n "${BUSY_CPU:-}" ] || return 0
	if ! command -v taskset >/dev/null || ! taskset -c "$BUSY_CPU" true 2>/dev/null; then
		echo "BUSY_CPU=$BUSY_CPU: cannot run there (taskset from util-linux, a CPU this shell may use)" >&2
		return 1
	fi
	taskset -c "$BUSY_CPU" sh -c 'while :; do :; done' &
	busy_pid=$!
}

busy_cpu_stop() {
	[ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null
	busy_pid=
	return 0
}
