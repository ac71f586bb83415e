#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# readme-examples.sh [BUILDDIR] [NAME...]: run every example of README.md
# again and write what it prints into the README, in place.
#
# Each example's block follows a line "<!-- example NAME -->"; the function
# example_NAME below runs it: on programs a reader has (a bash waiting for a
# line, curl) or on the test targets of the build, started by the commands
# the block shows, at 80 to 120 columns, without color. Only the blocks named
# are refreshed when names are given. BUILDDIR (default: build) is built
# first: `meson setup build` once.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$src/build}" 2>/dev/null && pwd) || {
	echo "readme-examples.sh: no build directory ${1:-build}: meson setup build first" >&2
	exit 2
}
shift || true
ninja -C "$build" >/dev/null
export LC_ALL=C.UTF-8 NO_COLOR=1 COLUMNS=80
unset VMSCOPE_COLOR

tmp=$(mktemp -d)
pids=()
cleanup() {
	{
		[ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}"
		wait
	} 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/out" "$tmp/bin"
ln -s "$build/src/vmscope" "$tmp/bin/vmscope"
# the commands are shown as run from the source tree: build/... is the build
ln -s "$build" "$tmp/build"
export PATH=$tmp/bin:$PATH
cd "$tmp"

# show CMD: "$ CMD" and what it prints (stderr too), run by bash in $tmp.
show() {
	printf '$ %s\n' "$1"
	bash -c "$1" 2>&1 || true
}
# start VAR CMD...: runs CMD in the background, its pid in VAR (killed at the end).
start() {
	local var=$1
	shift
	"$@" &
	pids+=($!)
	printf -v "$var" '%s' "$!"
}
# wait_stopped PID: until the process stops itself (state T).
wait_stopped() {
	local i
	for i in $(seq 200); do
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	echo "readme-examples.sh: process $1 did not stop" >&2
	return 1
}
# wait_line FILE WORD: until FILE has a line beginning with WORD.
wait_line() {
	local i
	for i in $(seq 200); do
		grep -q "^$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "readme-examples.sh: no '$2' in $1" >&2
	return 1
}

# The report of a bash waiting for a line, the middle of the layout cut.
example_report() {
	local sh
	mkfifo "$tmp/fifo"
	exec 7<>"$tmp/fifo" # held open: the bash waits for a line that never comes
	bash --norc -c 'read -r line' <"$tmp/fifo" &
	sh=$!
	pids+=("$sh")
	sleep 0.3
	printf '$ vmscope -n 8 %s      # a bash waiting for a line (bash -c '"'read -r line'"')\n' "$sh"
	vmscope -n 8 -w 80 "$sh" 2>&1 | awk '
		/^ +address +region/ && !done { layout = 1; print; next }
		layout && /^$/ {
			if (n > 10) {
				for (i = 1; i <= 8; i++) print kept[i]
				print "…"; print kept[n - 1]; print kept[n]
			} else for (i = 1; i <= n; i++) print kept[i]
			layout = 0; done = 1; print; next
		}
		layout { kept[++n] = $0; next }
		{ print }'
}

# list on programs every machine has: this script's bash, a python3, a sleep.
example_list() {
	local _p
	start _p python3 -c 'import time; data = bytearray(32 << 20); time.sleep(600)'
	start _p sleep 600
	sleep 0.5
	show "vmscope list --match '^(bash|python3|sleep)\$' -n 4 -w 120"
	show "vmscope list --by program --match '^(bash|python3|sleep)\$' -w 120"
}

example_list_library() {
	show "vmscope list --by library --match 'lib(c|m|tinfo)\\.so' -w 100"
}

# snapshot, diff and check on the test suite's diff-target.
example_diff() {
	local t
	printf '$ build/tests/snapshot/diff-target build/tests/snapshot/libdifflib.so marker &   # stops itself\n'
	start t build/tests/snapshot/diff-target build/tests/snapshot/libdifflib.so "$tmp/marker"
	wait_stopped "$t"
	show "vmscope snapshot $t -o before.json"
	printf '$ kill -CONT %s   # it grows its heap, dlopens libdifflib.so, stops again\n' "$t"
	kill -CONT "$t"
	for _ in $(seq 200); do [ -e "$tmp/marker" ] && break; sleep 0.05; done
	wait_stopped "$t"
	show "vmscope diff before.json $t"
	show "vmscope check before.json --max heap:rss=4K --max-pss 10M"
	show "vmscope check $t --max heap:rss=256K; echo \"exit \$?\""
}

# pages of a region with guard pages in its middle (live-target).
example_pages() {
	local t start end
	printf '$ build/tests/live/live-target --guard-pages 6 &   # 6 pages written, the middle 3 made guards; stops itself\n'
	start t build/tests/live/live-target --guard-pages 6 >"$tmp/facts-guard"
	wait_line "$tmp/facts-guard" ready
	read -r _ start bytes _ < <(grep '^guard ' "$tmp/facts-guard")
	if [ "$bytes" = 0 ]; then
		echo "readme-examples.sh: no guard pages on this kernel (MADV_GUARD_INSTALL, Linux 6.13)" >&2
		return 1
	fi
	show "vmscope pages --range ${start#0x}-$(printf '%x' $((start + bytes))) $t"
}

# sections and objects of the test suite's sections-target-pie.
example_sections() {
	local t
	head -c 4096 /dev/zero >"$tmp/plain"
	printf '$ build/tests/live/sections-target-pie plain &   # 1 MiB const, 2 MiB data, 4 MiB bss; stops itself\n'
	start t build/tests/live/sections-target-pie plain >"$tmp/facts-sections"
	wait_stopped "$t"
	# the object's header, then its regions from the 1 MiB const array on
	show "vmscope --no-pages --sections -n 1 $t | sed -n '/^sections-target-pie  build-id/p; / 1.0M .* rodata\$/,/^\$/p'"
	sections_pid=$t
}

sections_pid=
example_by_object() {
	[ -n "$sections_pid" ] || example_sections >/dev/null
	show "vmscope --no-pages --by object -n 4 $sections_pid | sed -n '/^by object/,/^\$/p'"
}

# faults of live-target: 1,000 anonymous pages, 500 of its second thread's, 64 read from a file.
example_faults() {
	local t
	# on disk, so that the target can drop it from the page cache and read it back
	dd if=/dev/urandom of="$tmp/ffile" bs=64K count=4 conv=fsync status=none
	printf '$ build/tests/live/live-target --no-stop --comm demo --fault-anon 1000 --fault-thread 500 --fault-file ffile --fault-file-read 64 &\n'
	start t build/tests/live/live-target --no-stop --comm demo --fault-anon 1000 --fault-thread 500 \
		--fault-file ffile --fault-file-read 64 >"$tmp/facts-faults"
	wait_line "$tmp/facts-faults" ready
	printf '$ vmscope faults --duration 3s --threads %s &   # and, a second later: kill -USR1 %s\n' "$t" "$t"
	vmscope faults --duration 3s --threads "$t" >"$tmp/faults.out" 2>&1 &
	sleep 1
	kill -USR1 "$t"
	wait $!
	cat "$tmp/faults.out"
}

# limits: a thread that recursed through 1900 KiB of its 2 MiB stack (live-target).
example_limits() {
	local t
	printf '$ (ulimit -s 2048; exec build/tests/live/live-target --recurse-kib 1900 --comm recurser) &\n'
	start t bash -c 'ulimit -s 2048; exec build/tests/live/live-target --recurse-kib 1900 --comm recurser' >"$tmp/facts-rec"
	wait_line "$tmp/facts-rec" ready
	wait_stopped "$t"
	printf '$ kill -CONT %s   # the thread recurses, then the target stops again\n' "$t"
	kill -CONT "$t"
	wait_line "$tmp/facts-rec" recursed
	wait_stopped "$t"
	show "vmscope -w 80 $t | sed '/address  *region/,\$d'"
	show "vmscope check --min-stack-headroom 256K --max-regions 100 --max-pte 1M $t"
}

# serve: one process of bash's sums, and one process whole (static-target).
serve_show() { # serve_show ARGS GREP: serve, one scrape through curl, stopped
	local s url
	printf '$ vmscope serve %s --listen 127.0.0.1:0 &\n' "$1"
	vmscope serve $1 --listen 127.0.0.1:0 2>"$tmp/serve.err" &
	s=$!
	for _ in $(seq 100); do grep -q serving "$tmp/serve.err" && break; sleep 0.05; done
	cat "$tmp/serve.err"
	url=$(grep -o 'http://[^ ]*' "$tmp/serve.err")
	show "curl -s $url | $2"
	kill -TERM "$s"
	wait "$s" || true
}

example_serve() {
	serve_show "--by program" "grep 'program=\"bash\"' | head -5"
}

example_serve_pid() {
	local t
	printf '$ build/tests/snapshot/static-target &   # stops itself\n'
	start t build/tests/snapshot/static-target
	wait_stopped "$t"
	serve_show "$t" "grep -E 'measure=\"(pss|rss)\"' | head -4"
}

example_capture() {
	local t
	printf '$ build/tests/snapshot/static-target &   # stops itself\n'
	start t build/tests/snapshot/static-target
	wait_stopped "$t"
	show "vmscope capture $t -o cap-demo"
	show "vmscope --proc-root cap-demo/proc --no-pages -w 90 $t | head -3"
}

# a recording of the recording test's target, which grows one region by
# 1 MiB on each SIGUSR1: show, and check of its growth rate.
example_record() {
	local t r
	printf '$ build/tests/live/record-target &   # grows a region by 1 MiB on each SIGUSR1\n'
	start t build/tests/live/record-target >"$tmp/facts-record"
	wait_line "$tmp/facts-record" ready
	printf '$ vmscope record %s --duration 10s -q -o app.rec &   # three SIGUSR1 on the way, 2.5 s apart\n' "$t"
	vmscope record "$t" --duration 10s -q -o app.rec &
	r=$!
	for _ in 1 2 3; do
		sleep 2.5
		kill -USR1 "$t"
	done
	wait "$r"
	show "vmscope show -w 100 app.rec | head -30"
	show "vmscope check app.rec --max-growth-rate rss=10M/min"
}

mapfile -t all < <(sed -n 's/^<!-- example \([a-z_]*\) -->$/\1/p' "$src/README.md")
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")
for name in "${names[@]}"; do
	if ! declare -F "example_$name" >/dev/null; then
		echo "readme-examples.sh: README.md names example '$name', which this script does not run" >&2
		exit 2
	fi
	if ! "example_$name" >"$tmp/out/$name"; then
		cat "$tmp/out/$name" >&2
		echo "readme-examples.sh: the example $name failed" >&2
		exit 1
	fi
	echo "readme-examples.sh: $name ($(wc -l <"$tmp/out/$name") lines)" >&2
done

python3 - "$src/README.md" "$tmp/out" "${names[@]}" <<'PY'
import os, re, sys
path, outdir, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
lines = open(path, encoding='utf-8').read().split('\n')
res, i = [], 0
while i < len(lines):
    res.append(lines[i])
    m = re.match(r'^<!-- example ([a-z_]+) -->$', lines[i])
    i += 1
    if not m or m.group(1) not in names:
        continue
    if i >= len(lines) or not lines[i].startswith('```'):
        sys.exit(f'readme-examples.sh: no block after the example {m.group(1)}')
    res.append(lines[i])
    j = lines.index('```', i + 1)
    body = open(os.path.join(outdir, m.group(1)), encoding='utf-8').read().rstrip('\n')
    res.extend(body.split('\n'))
    i = j
open(path, 'w', encoding='utf-8').write('\n'.join(res))
PY
