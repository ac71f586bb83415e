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
    d = os.path.join(root, str(pid))
    shutil.copytree(src, d, symlinks=True)
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
[ $rc = 0 ] && [ "$listed" = "1000 1005 1006 1008 1009 1010" ] &&
	ok "list: the processes that can be read, and no other (1000 1005 1006 1008 1009 1010)" ||
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
expect_row 1010 "a uid without a name: no user, its uid" "s/^\"root\",0,/\"\",$nuid,/"
"$vmscope" list --proc-root "$tmp/t/proc" --format json >"$tmp/list.json" 2>&1
python3 - "$tmp/list.json" <<'PY' && ok "list --format json: no cmdline, or NULs only: a null cmdline" ||
import json, sys
rows = {p["pid"]: p for p in json.load(open(sys.argv[1]))["processes"]}
assert rows[1000]["cmdline"] == "sleep 300", rows[1000]
assert rows[1005]["cmdline"] is None and rows[1006]["cmdline"] is None, (rows[1005], rows[1006])
PY
	not_ok "list --format json: no cmdline, or NULs only: a null cmdline" "$(head -c 800 "$tmp/list.json")"
list_csv kernel --kernel
listed=$(cut -d, -f1 "$tmp/kernel" | tail -n +2 | sort -n | paste -sd' ')
[ $rc = 0 ] && [ "$listed" = "1000 1003 1005 1006 1008 1009 1010" ] &&
	ok "list --kernel: the kernel thread too" ||
	not_ok "list --kernel: the kernel thread too" "exit $rc: $listed" "$(cat "$tmp/kernel.err")"
finish
