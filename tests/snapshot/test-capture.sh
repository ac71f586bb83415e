#!/bin/bash
# vmscope capture, printing TAP: a frozen process captured into a directory
# reads back through --proc-root as the same report as the live one.
# usage: test-capture.sh VMSCOPE STATIC_TARGET DIFF_TARGET DIFFLIB
set -u
vmscope=$1 static_target=$2 target=$3 lib=$4
source "$(dirname "$0")/tap.sh"

# The report, but for the lines that are not the process's (stable_text):
# the cgroup's usage is read from /sys/fs/cgroup on a live machine only, and
# the machine's commit and available memory move on their own.
report() { "$vmscope" --no-pages -a -w 120 -b "$@" | stable_text; }
# The JSON, but for the times and those machine-wide values, and whether
# the process's memory was read: a live report reads it (the target's 1 MiB
# anonymous region may be malloc's chunks), a capture holds none of it.
json() {
	"$vmscope" -f json --no-pages "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("time", "cgroup", "host_memory"):
    d.pop(k, None)
d.get("insights", {}).pop("cgroup_headroom", None)
d.get("sources", {}).pop("mem", None)
json.dump(d, sys.stdout, indent=1, sort_keys=True)'
}

# A binary linked a moment ago has dirty pages in the page cache, and
# writeback cleans them while the test reads: Private_Dirty turns into
# Private_Clean between two reads of a frozen process. Written back first.
sync -- "$static_target"
"$static_target" &
spid=$!
pids+=("$spid")
wait_stopped "$spid" || { not_ok "the static target stops itself"; echo "1..$n"; exit 1; }

# The live reports and the capture, at one instant of the process
# (at_one_instant): compared with each other and with the kernel's files.
live_and_capture() {
	report "$spid" >"$tmp/live.txt" && json "$spid" >"$tmp/live.json" &&
		rm -rf "$tmp/cap" && "$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err"
}
if at_one_instant "$spid" live_and_capture; then
	ok "capture of a frozen process ($(tail -n 1 "$tmp/err"))"
else
	not_ok "capture of a frozen process" "$(cat "$tmp/err")"
fi
same_files() { # dir dir: the files of proc_files in both are the same
	local f
	for f in "${proc_files[@]}"; do cmp -- "$1/$f" <(own "$2/$f") || return 1; done
}
check "the capture's directory, made by vmscope, is 0700 (its copies may be files others cannot read)" \
	test "$(stat -c %a "$tmp/cap")" = 700
# into a directory made beforehand (mkdir: 0755), what holds the copies is
# 0700 all the same
mkdir -m 755 "$tmp/premade"
"$vmscope" capture "$spid" -o "$tmp/premade" 2>/dev/null
check "a capture into a directory made 0755 beforehand: its proc and objects are 0700" \
	test "$(stat -c %a "$tmp/premade/proc" "$tmp/premade/objects" | tr '\n' ' ')" = "700 700 "
# files on an anonymous device (tmpfs: /dev/shm, PostgreSQL's segments) are
# looked up in mountinfo (FUSE is an anonymous device too): once for all of
# them, not once a file
shmdir=$(mktemp -d /dev/shm/vmscope-cap.XXXXXX 2>/dev/null)
[ -n "$shmdir" ] && [ "$(stat -c %Hd "$shmdir")" != 0 ] && rm -rf "$shmdir" && shmdir=
: >"$tmp/shm.out"
shmpid=
if [ -n "$shmdir" ]; then
	python3 -c '
import mmap, os, sys, time
keep = []
for i in range(20):
    p = os.path.join(sys.argv[1], "f%d" % i)
    with open(p, "wb") as f:
        f.write(b"x" * 4096)
    f = open(p, "r+b")
    keep.append((f, mmap.mmap(f.fileno(), 4096)))
print("ready", flush=True)
time.sleep(600)' "$shmdir" >"$tmp/shm.out" &
	shmpid=$!
	pids+=("$shmpid")
	for i in $(seq 100); do grep -q ready "$tmp/shm.out" && break; sleep 0.05; done
fi
if [ -z "$shmdir" ] || ! grep -q ready "$tmp/shm.out"; then
	ok "# SKIP no /dev/shm on an anonymous device (tmpfs) here"
elif can_strace; then
	strace -f -qq -e trace=openat -o "$tmp/shm.strace" "$vmscope" capture "$shmpid" -o "$tmp/shmcap" \
		2>/dev/null
	check "a capture of a process mapping 20 files on tmpfs: all 20 copied, mountinfo read once" \
		test "$(ls "$tmp/shmcap/objects" | grep -c '^[0-9]*-f[0-9]*$') $(grep -c mountinfo "$tmp/shm.strace")" = "20 1"
else
	ok "# SKIP strace cannot trace here"
fi
[ -n "$shmpid" ] && kill -9 "$shmpid" 2>/dev/null
[ -n "$shmdir" ] && rm -rf "$shmdir"
# the machine's SysV segments, for those a process maps (PostgreSQL)
if [ -r /proc/sysvipc/shm ]; then
	check "the capture holds /proc/sysvipc/shm" test -s "$tmp/premade/proc/sysvipc/shm" -a \
		"$(head -1 "$tmp/premade/proc/sysvipc/shm")" = "$(head -1 /proc/sysvipc/shm)"
else
	ok "# SKIP no /proc/sysvipc/shm here"
fi
check "the capture holds the kernel's files of that instant (${proc_files[*]})" \
	same_files "$tmp/kernel.$spid" "$tmp/cap/proc/$spid"
check "the report from the capture is the live report (text, every region)" \
	diff -u "$tmp/live.txt" <(report --proc-root "$tmp/cap/proc" "$spid")
check "the report from the capture is the live report (JSON, but for the time)" \
	diff -u "$tmp/live.json" <(json --proc-root "$tmp/cap/proc" "$spid")
if grep -q "kind\": \"text\"" <("$vmscope" -f json --proc-root "$tmp/cap/proc" "$spid"); then
	ok "the mapped program came along: its text is text, read from the capture"
else
	not_ok "the mapped program came along"
fi
if grep -qx "  vmscope --proc-root $tmp/cap/proc $spid" "$tmp/cap/README" &&
	grep -q "^kernel:  $(uname -s) $(uname -r) $(uname -m)\$" "$tmp/cap/README" &&
	grep -q '^date:    [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] ' "$tmp/cap/README" &&
	grep -q "^command: $static_target\$" "$tmp/cap/README"; then
	ok "the README says how to read it back, the kernel, the date and the command"
else
	not_ok "the README says the kernel, the date and the command" "$(cat "$tmp/cap/README")"
fi
for f in stat status cmdline comm smaps smaps_rollup maps limits exe task/$spid/stat task/$spid/syscall task/$spid/comm; do
	[ -f "$tmp/cap/proc/$spid/$f" ] || missing="${missing:-} $f"
done
[ -z "${missing:-}" ] && ok "every file is there" || not_ok "every file is there" "missing:$missing"
[ "$(cat "$tmp/cap/proc/$spid/exe")" = "$(readlink "/proc/$spid/exe")" ] &&
	ok "exe holds the link's target" || not_ok "exe holds the link's target"

# a capture of the capture is the same again: --proc-root on both sides
if "$vmscope" capture --proc-root "$tmp/cap/proc" "$spid" -o "$tmp/cap2" 2>"$tmp/err"; then
	check "a capture of a capture reads back the same" \
		diff -u <(report --proc-root "$tmp/cap/proc" "$spid") <(report --proc-root "$tmp/cap2/proc" "$spid")
else
	not_ok "a capture of a capture" "$(cat "$tmp/err")"
fi

"$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "already holds a capture of pid $spid" "$tmp/err" &&
	ok "a second capture of the same pid into the same DIR is refused" ||
	not_ok "a second capture into the same DIR is refused" "exit $rc" "$(cat "$tmp/err")"
"$vmscope" capture 999999999 -o "$tmp/none" 2>/dev/null
rc=$?
[ $rc -eq 1 ] && [ ! -e "$tmp/none" ] && ok "no process: exit 1 and no directory" ||
	not_ok "no process: exit 1 and no directory" "exit $rc"
"$vmscope" capture "$spid" >/dev/null 2>&1
[ $? -eq 2 ] && ok "no -o DIR is a usage error" || not_ok "no -o DIR is a usage error"

# A dynamic process: its libraries come along, so every region has the
# same kind and label. (Its PSS moves with the processes that share libc.)
"$target" "$lib" "$tmp/grown" &
tpid=$!
pids+=("$tpid")
if wait_stopped "$tpid"; then
	"$vmscope" capture "$tpid" -o "$tmp/dyn" 2>/dev/null
	kinds() { "$vmscope" -f json --no-pages "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["regions"]:
    o = d["objects"][r["object"]]["path"] if r["object"] is not None else ""
    print(r["start"], r["kind"], r["name"], o, r["sections"])'; }
	check "a dynamic process from its capture: the same regions, kinds, objects and sections" \
		diff -u <(kinds "$tpid") <(kinds --proc-root "$tmp/dyn/proc" "$tpid")
else
	not_ok "the diff target stops itself"
fi

# A captured tree without task/ and map_files/ (the shell fixture, cut):
# captured again, what is missing is said on stderr and in the README, and
# the capture reads back as the tree it came from.
cp -r "$(dirname "$0")/../fixtures/shell/proc" "$tmp/cut"
rm -rf "$tmp/cut/5539/task" "$tmp/cut/5539/map_files"
"$vmscope" capture --proc-root "$tmp/cut" 5539 -o "$tmp/cap3" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^vmscope: not captured (not readable): .*task (No such file or directory)' "$tmp/err" &&
	grep -q '^Not captured (not readable): .*task (No such file or directory)' "$tmp/cap3/README" &&
	[ ! -e "$tmp/cap3/proc/5539/task" ]; then
	ok "a tree without task/: captured, and what is missing said on stderr and in the README"
else
	not_ok "a tree without task/: what is missing said" "exit $rc" "$(cat "$tmp/err")"
fi
check "a tree without task/ and map_files/ reads back from its capture as itself" \
	diff -u <(report --proc-root "$tmp/cut" 5539) <(report --proc-root "$tmp/cap3/proc" 5539)

echo "1..$n"
[ $failed -eq 0 ]
