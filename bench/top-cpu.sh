#!/bin/bash
# top-cpu.sh [BUILDDIR] [SECONDS] [PROCS]: the CPU that `vmscope top` uses at
# a 1-second interval against htop showing the same processes with its PSS
# column at the same interval, both running at once in tmux for SECONDS
# (default 30) after a 3-second warm-up, with about PROCS processes on the
# machine (default 500: sleepers make up the number). CPU is utime + stime
# from /proc/<pid>/stat. Goal: vmscope top uses less CPU than htop.
#
# Needs tmux and htop from Debian: apt-get install tmux htop
# htop is configured through a temporary HOME: processes only (no threads,
# no kernel threads, as vmscope top), the columns PID USER VIRT RES PSS CPU%
# Command sorted by PSS, a refresh every 10 tenths of a second.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
secs=${2:-30}
want=${3:-500}
vmscope=$build/src/vmscope
[ -x "$vmscope" ] || { echo "top-cpu: $vmscope is not built (ninja -C $build)" >&2; exit 1; }
for t in tmux htop; do
	command -v $t >/dev/null ||
		{ echo "top-cpu: $t is missing (apt-get install tmux htop)" >&2; exit 1; }
done
case $secs$want in *[!0-9]*) echo "usage: top-cpu.sh [BUILDDIR] [SECONDS] [PROCS]" >&2; exit 2 ;; esac

tmp=$(mktemp -d)
sock=vms-top-cpu-$$
sleepers=()
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	kill ${sleepers[@]+"${sleepers[@]}"} 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

have=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
for ((i = have; i < want; i++)); do
	sleep 100000 &
	sleepers+=($!)
done

mkdir -p "$tmp/home/.config/htop"
cat >"$tmp/home/.config/htop/htoprc" <<'RC'
htop_version=3.2.2
config_reader_min_version=3
hide_kernel_threads=1
hide_userland_threads=1
delay=10
screen_tabs=0
screen:Main=PID USER M_VIRT M_RESIDENT M_PSS PERCENT_CPU Command
.sort_key=M_PSS
.sort_direction=-1
RC

# Each in its own window of one tmux server, 200x50; exec so the pane's pid is the program's.
start() { # name command...
	local name=$1
	shift
	if tmux -L "$sock" has-session 2>/dev/null; then
		tmux -L "$sock" new-window -d -P -F '#{pane_pid}' -n "$name" "$@"
	else
		tmux -L "$sock" new-session -d -x 200 -y 50 -P -F '#{pane_pid}' -n "$name" "$@"
	fi
}
vms_pid=$(start vmscope "exec env TERM=xterm-256color '$vmscope' top --interval 1")
htop_pid=$(start htop "exec env HOME='$tmp/home' TERM=xterm-256color htop")

# utime + stime in clock ticks, fields 14 and 15 (after the comm's last ')').
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

sleep 3
for p in "$vms_pid" "$htop_pid"; do
	[ -r "/proc/$p/stat" ] || { echo "top-cpu: a viewer did not start" >&2; tmux -L "$sock" capture-pane -p -t htop >&2; exit 1; }
done
grep -q PSS <(tmux -L "$sock" capture-pane -p -t htop) ||
	{ echo "top-cpu: htop shows no PSS column" >&2; exit 1; }
v0=$(cpu_ticks "$vms_pid"); h0=$(cpu_ticks "$htop_pid"); t0=$(date +%s%N)
sleep "$secs"
v1=$(cpu_ticks "$vms_pid"); h1=$(cpu_ticks "$htop_pid"); t1=$(date +%s%N)
procs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
shown=$("$vmscope" list --format csv | tail -n +2 | wc -l)

hz=$(getconf CLK_TCK)
awk -v v=$((v1 - v0)) -v h=$((h1 - h0)) -v hz="$hz" -v ns=$((t1 - t0)) \
    -v procs="$procs" -v shown="$shown" 'BEGIN {
	s = ns / 1e9
	printf "%d processes (%d shown by both), %.1f s at a 1-second interval\n", procs, shown, s
	printf "  %-28s %7.2f s CPU  %5.2f%% of one CPU\n", "vmscope top --interval 1", v / hz, 100 * v / hz / s
	printf "  %-28s %7.2f s CPU  %5.2f%% of one CPU\n", "htop (PSS column, delay=10)", h / hz, 100 * h / hz / s
	if (v > 0)
		printf "  htop / vmscope top: %.2f\n", h / v
	else
		printf "  htop / vmscope top: vmscope used under one clock tick\n"
}'
