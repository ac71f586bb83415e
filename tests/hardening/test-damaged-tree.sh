#!/bin/bash
# test-damaged-tree.sh VMSCOPE: list of a captured --proc-root tree whose
# processes are damaged in the ways a copy of /proc is (a file missing or cut
# short, a process caught exiting, a uid that names no user, a kernel thread,
# names in /proc that are no pids): each process is listed from what can be
# read of it, or left out, never shown with values it does not have; TAP.
set -u
vmscope=${1:?usage: test-damaged-tree.sh VMSCOPE}
. "$(dirname "$0")/common.sh"
with_tmp

sleep 300 &
spid=$!
pids=$spid
for _ in $(seq 100); do
	[ "$(readlink "/proc/$spid/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.02
done
kill -STOP "$spid"
wait_stopped "$spid" || { echo "Bail out! the target did not stop"; exit 1; }
if ! "$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err"; then
	echo "Bail out! cannot capture: $(cat "$tmp/err")"
	exit 1
fi
nuid=4242
while getent passwd $nuid >/dev/null; do nuid=$((nuid + 1)); done

# The captured process copied under new pids, each damaged one way.
python3 - "$tmp/cap/proc/$spid" "$tmp/t/proc" $nuid <<'PY' || { echo "Bail out! cannot make the tree"; exit 1; }
import os, re, shutil, sys
src, root, nuid = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(root)
shutil.copy(os.path.join(os.path.dirname(src), "meminfo"), root)

def proc(pid):
    """A copy of the captured process as pid (its stat, status and task/ say so)."""
    d = os.path.join(root, str(pid))
    shutil.copytree(src, d, symlinks=True)
    old = os.path.basename(src)
    if str(pid).isdigit():
        for f in ("stat", os.path.join("task", old, "stat")):
            p = os.path.join(d, f)
            if os.path.exists(p):
                data = open(p, "rb").read()
                open(p, "wb").write(str(pid).encode() + data[data.index(b" "):])
        for f in ("status", os.path.join("task", old, "status")):
            p = os.path.join(d, f)
            if os.path.exists(p):
                data = open(p, "rb").read()
                data = re.sub(rb"(?m)^(Tgid|Pid):\t\d+$", lambda m: m.group(1) + b":\t" + str(pid).encode(), data)
                open(p, "wb").write(data)
        if os.path.isdir(os.path.join(d, "task", old)):
            os.rename(os.path.join(d, "task", old), os.path.join(d, "task", str(pid)))
    return d

def put(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def get(d, name):
    return open(os.path.join(d, name), "rb").read()

proc(1000)                                                  # whole
os.remove(os.path.join(proc(1001), "stat"))                 # no stat
put(proc(1002), "stat", get(src, "stat")[:9])               # stat cut in its comm
d = proc(1003)                                              # a kernel thread (PF_KTHREAD)
head, tail = get(d, "stat").rsplit(b")", 1)
f = tail.split(b" ")
f[7] = str(int(f[7]) | 0x00200000).encode()                 # field 9, flags
put(d, "stat", head + b")" + b" ".join(f))
put(proc(1004), "status", b"Name:\tsleep\nVmRSS:\t12\n")    # a value without its unit
os.remove(os.path.join(proc(1005), "cmdline"))              # no cmdline
put(proc(1006), "cmdline", b"\0\0\0")                       # no argument
put(proc(1007), "smaps_rollup", b"")                        # exited between two reads
put(proc(1008), "smaps_rollup", get(src, "smaps_rollup").replace(b"Pss:", b"Pss: lots", 1))
put(proc(1009), "oom_score", b"3000\n")                     # past the kernel's 2000
d = proc(1010)                                              # a uid without a name
put(d, "status", re.sub(rb"(?m)^Uid:.*$", ("Uid:\t%s\t%s\t%s\t%s" % ((nuid,) * 4)).encode(),
                        get(d, "status")))
d = proc(1011)                                              # a zombie's status, a live rollup
put(d, "status", re.sub(rb"(?m)^(Vm|Rss)\w+:.*\n", b"", get(d, "status")))
put(proc(1012), "cmdline", (b"x" * 999 + b"\0") * 300)     # 300 KiB of arguments
d = proc(1013)                                              # a thread's stat damaged
tid = [t for t in os.listdir(os.path.join(d, "task")) if t.isdigit()][0]
shutil.copytree(os.path.join(d, "task", tid), os.path.join(d, "task", "99999"))
put(os.path.join(d, "task", "99999"), "stat", b"99999 (sle")
shutil.copytree(os.path.join(d, "task", tid), os.path.join(d, "task", "abc"))
put(proc(1014), "oom_score", b"")                          # an empty OOM score
put(proc(1015), "exe", b"")                                 # exe captured as nothing
put(proc(1016), "exe", b"/" + b"d/" * 2500 + b"sleep\n")    # exe longer than a path
for name in ("abc", "0", "2147483648", "1012x"):            # names that are no pids
    proc(name)
PY

# list_csv OUT ARGS...: list --format csv of the tree; exit status in $rc.
list_csv() {
	local out=$1
	shift
	"$vmscope" list --proc-root "$tmp/t/proc" --format csv "$@" >"$tmp/$out" 2>"$tmp/$out.err"
	rc=$?
}
# row PID FILE: the CSV row of PID.
row() { grep -E "^$1," "$tmp/$2"; }

list_csv list
listed=$(cut -d, -f1 "$tmp/list" | tail -n +2 | sort -n | paste -sd' ')
want_listed="1000 1005 1006 1008 1009 1010 1012 1013 1014 1015 1016"
[ $rc = 0 ] && [ "$listed" = "$want_listed" ] &&
	ok "list: the processes that can be read, and no other ($want_listed)" ||
	not_ok "list: the processes that can be read, and no other" "exit $rc: $listed" "$(cat "$tmp/list.err")"
# The whole one, as the capture it was copied from lists it.
"$vmscope" list --proc-root "$tmp/cap/proc" --format csv >"$tmp/orig" 2>&1
whole=$(row "$spid" orig | cut -d, -f2-)
[ -n "$whole" ] && [ "$(row 1000 list | cut -d, -f2-)" = "$whole" ] &&
	ok "list: the whole copy is listed as its capture" ||
	not_ok "list: the whole copy is listed as its capture" "$(row 1000 list)" "$whole"
# What the damaged ones lack is empty, what they have is the whole one's.
expect_row() { # PID DESCRIPTION, then the row 1000 with the damaged fields changed as sed does
	local pid=$1 d=$2 want
	want=$(row 1000 list | cut -d, -f2- | sed -E "$3")
	[ "$(row "$pid" list | cut -d, -f2-)" = "$want" ] && ok "list: $d" ||
		not_ok "list: $d" "got  $(row "$pid" list)" "want $pid,$want"
}
expect_row 1005 "no cmdline: an empty cmdline, the rest as whole" 's/^(([^,]*,){3})"sleep 300"/\1""/'
expect_row 1006 "a cmdline of NULs only: an empty cmdline" 's/^(([^,]*,){3})"sleep 300"/\1""/'
expect_row 1008 "a malformed smaps_rollup: not readable, its PSS, USS and SwapPss empty" \
	's/^(([^,]*,){4})true,(([^,]*,){5})[^,]*,[^,]*,([^,]*),[^,]*,/\1false,\3,,\5,,/'
expect_row 1009 "an OOM score past 2000: no OOM score" 's/,[0-9]+$/,/'
expect_row 1014 "an empty OOM score: no OOM score" 's/,[0-9]+$/,/'
expect_row 1010 "a uid without a name: no user, its uid" "s/^\"root\",0,/\"\",$nuid,/"
# A filter chooses what is read: the other processes' smaps_rollup stay closed.
if can_strace; then
	# (LeakSanitizer cannot run under a tracer: a sanitized build's leak
	# check is left out of this run alone)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=open,openat -e signal=none -o "$tmp/strace" \
		"$vmscope" list --proc-root "$tmp/t/proc" --format csv --user "$nuid" >"$tmp/byuid" 2>&1
	rc=$?
	opened=$(sed -n 's|.*"\([0-9]*\)/smaps_rollup".*|\1|p' "$tmp/strace" | sort -u | paste -sd' ')
	listed=$(cut -d, -f1 "$tmp/byuid" | tail -n +2 | paste -sd' ')
	[ $rc = 0 ] && [ "$listed" = 1010 ] && [ "$opened" = 1010 ] &&
		ok "list --user: the process of that uid alone, and only its smaps_rollup read" ||
		not_ok "list --user: the process of that uid alone, and only its smaps_rollup read" \
			"exit $rc, listed '$listed', smaps_rollup of '$opened' opened"
else
	ok "# SKIP strace cannot run here"
fi
"$vmscope" list --proc-root "$tmp/t/proc" --format json >"$tmp/list.json" 2>&1
python3 - "$tmp/list.json" <<'PY' && ok "list --format json: no cmdline, or NULs only: a null cmdline" ||
import json, sys
rows = {p["pid"]: p for p in json.load(open(sys.argv[1]))["processes"]}
assert rows[1000]["cmdline"] == "sleep 300", rows[1000]
assert rows[1005]["cmdline"] is None and rows[1006]["cmdline"] is None, (rows[1005], rows[1006])
PY
	not_ok "list --format json: no cmdline, or NULs only: a null cmdline" "$(head -c 800 "$tmp/list.json")"
python3 - "$tmp/list.json" <<'PY' && ok "list --format json: 300 KiB of arguments cut at 64 KiB" ||
import json, sys
c = {p["pid"]: p for p in json.load(open(sys.argv[1]))["processes"]}[1012]["cmdline"]
assert len(c) == 65536 and c == ("x" * 999 + " ") * 65 + "x" * 536, len(c)
PY
	not_ok "list --format json: 300 KiB of arguments cut at 64 KiB" "$(head -c 300 "$tmp/list.json")"

# The report of a damaged copy: what it lacks is said, the rest read.
# snapshot_of PID OUT: vmscope snapshot of PID of the tree into $tmp/OUT.
snapshot_of() {
	"$vmscope" snapshot --proc-root "$tmp/t/proc" "$1" -o "$tmp/$2" >"$tmp/$2.err" 2>&1
	rc=$?
}
snapshot_of 1012 long.json
[ $rc = 0 ] && python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["process"]["cmdline"]
assert len(c) == 262144 and c == ("x" * 999 + " ") * 262 + "x" * 144, len(c)' "$tmp/long.json" &&
	ok "snapshot: 300 KiB of arguments cut at 256 KiB" ||
	not_ok "snapshot: 300 KiB of arguments cut at 256 KiB" "exit $rc" "$(cat "$tmp/long.json.err")"
snapshot_of 1015 noexe.json
[ $rc = 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["process"]["exe"] is None and d["sources"]["exe"]["error"] is None, d["process"]' "$tmp/noexe.json" &&
	ok "snapshot: an empty exe: no exe, and no error" ||
	not_ok "snapshot: an empty exe: no exe, and no error" "exit $rc" "$(head -c 400 "$tmp/noexe.json")"
snapshot_of 1016 longexe.json
[ $rc = 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["process"]["exe"] is None and d["sources"]["exe"]["error"] == "EFBIG", d["sources"]["exe"]' "$tmp/longexe.json" &&
	ok "snapshot: an exe longer than a path: EFBIG, no exe" ||
	not_ok "snapshot: an exe longer than a path: EFBIG, no exe" "exit $rc" "$(head -c 400 "$tmp/longexe.json")"
snapshot_of 1013 threads.json
[ $rc = 0 ] && python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["threads"]
assert [x["tid"] for x in t] == [int(sys.argv[2])], t' "$tmp/threads.json" "$(ls "$tmp/t/proc/1013/task" | grep -vx -e 99999 -e abc)" &&
	ok "snapshot: a thread whose stat is damaged, and a name in task/ that is no tid, left out" ||
	not_ok "snapshot: a thread whose stat is damaged, and a name in task/ that is no tid, left out" \
		"exit $rc" "$(cat "$tmp/threads.json.err")" "$(head -c 600 "$tmp/threads.json")"
list_csv kernel --kernel
listed=$(cut -d, -f1 "$tmp/kernel" | tail -n +2 | sort -n | paste -sd' ')
[ $rc = 0 ] && [ "$listed" = "1000 1003 1005 1006 1008 1009 1010 1012 1013 1014 1015 1016" ] &&
	ok "list --kernel: the kernel thread too" ||
	not_ok "list --kernel: the kernel thread too" "exit $rc: $listed" "$(cat "$tmp/kernel.err")"
finish
