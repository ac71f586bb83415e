#!/bin/bash
# test-fuse.sh VMSCOPE: a process that maps a file from a FUSE filesystem
# (fuse-server.py, which logs every request with the pid that made it):
# vmscope's commands ask that filesystem nothing (a stat or an open there is
# a request, and a server that never answered would hold vmscope for ever,
# SIGKILL included) and say why the file's ELF facts are missing; the same
# once the filesystem is unmounted lazily under the mapping. A file on a
# tmpfs mounted for the test, an anonymous device too, is still read. Root
# with /dev/fuse only (skips otherwise); TAP.
set -u
vmscope=${1:?usage: test-fuse.sh VMSCOPE}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tap.sh"
tmp=$(mktemp -d) || exit 1
server= target=

cleanup() {
	[ -n "$target" ] && kill -KILL "$target" 2>/dev/null
	# lazily: the target's mapping may hold it until it is gone
	mountpoint -q "$tmp/mnt" 2>/dev/null && umount -l "$tmp/mnt"
	mountpoint -q "$tmp/tmpfs" 2>/dev/null && umount -l "$tmp/tmpfs"
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

skip_all() { echo "1..0 # SKIP $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "mounting FUSE without libfuse needs root"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
command -v python3 >/dev/null || skip_all "no python3"

mkdir "$tmp/mnt"
python3 "$here/fuse-server.py" "$tmp/mnt" /bin/true "$tmp/log" >"$tmp/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do
	grep -q '^mounted$' "$tmp/server.out" && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
grep -q '^mounted$' "$tmp/server.out" || skip_all "cannot mount FUSE here: $(head -1 "$tmp/server.out")"

mkdir "$tmp/tmpfs"
mount -t tmpfs vmscope-test "$tmp/tmpfs" || skip_all "cannot mount a tmpfs here"
lib2=$tmp/tmpfs/lib2.so
cp /bin/true "$lib2"
# mapped as the loader maps code: private, executable (what vmscope reads
# the ELF facts of)
python3 -c '
import mmap, sys, time
files = [open(p, "rb") for p in sys.argv[1:]]
maps = [mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)
        for f in files]
print("ready", flush=True)
time.sleep(600)' "$tmp/mnt/lib.so" "$lib2" >"$tmp/target.out" &
target=$!
for _ in $(seq 100); do
	grep -q '^ready$' "$tmp/target.out" && break
	sleep 0.1
done
grep -q '^ready$' "$tmp/target.out" || { echo "Bail out! the target did not map the files"; exit 1; }

# requests not from the target, after line $1 of the log
others_after() { tail -n +"$(($1 + 1))" "$tmp/log" | awk -v t="$target" '$2 != t' | wc -l; }

# the object of path suffix $1 in the JSON report $2: "is_elf elf_error"
object_facts() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
for o in d["objects"]:
    if o["path"].endswith(sys.argv[1]):
        print("elf" if o.get("elf") else "no-elf", o["elf_error"])' "$1" "$2"
}

# every command that opens mapped files, each bounded in time
commands_leave_it() { # description
	local seen rc_all=0 c
	seen=$(wc -l <"$tmp/log")
	timeout 60 "$vmscope" -f json "$target" >"$tmp/report.json" 2>"$tmp/err" || rc_all=1
	timeout 60 "$vmscope" --color never --sections -a "$target" >"$tmp/report.txt" 2>>"$tmp/err" || rc_all=1
	timeout 60 "$vmscope" snapshot "$target" -o "$tmp/snap.json" 2>>"$tmp/err" || rc_all=1
	timeout 60 "$vmscope" pages "$target" >/dev/null 2>>"$tmp/err" || rc_all=1
	rm -rf "$tmp/cap"
	timeout 60 "$vmscope" capture "$target" -o "$tmp/cap" >/dev/null 2>>"$tmp/err" || rc_all=1
	timeout 60 "$vmscope" list --by library >/dev/null 2>>"$tmp/err" || rc_all=1
	[ $rc_all = 0 ] && ok "$1: report, --sections, snapshot, pages, capture and list --by library end, exit 0" ||
		not_ok "$1: report, --sections, snapshot, pages, capture and list --by library end, exit 0" \
			"$(cat "$tmp/err")"
	c=$(others_after "$seen")
	[ "$c" = 0 ] && ok "$1: no request to the FUSE filesystem from vmscope" ||
		not_ok "$1: no request to the FUSE filesystem from vmscope" \
			"$c requests (opcode pid):" "$(tail -n +"$((seen + 1))" "$tmp/log" | head -20)"
	c=$(object_facts /lib.so "$tmp/report.json")
	[ "$c" = "no-elf EREMOTE" ] && ok "$1: the file's object says EREMOTE, no ELF facts" ||
		not_ok "$1: the file's object says EREMOTE, no ELF facts" "got: $c"
	grep -q 'on a FUSE filesystem (or one unmounted since): not opened' "$tmp/report.txt" &&
		ok "$1: --sections says why the file's sections are missing" ||
		not_ok "$1: --sections says why the file's sections are missing" \
			"$(grep -B2 -A2 'lib\.so' "$tmp/report.txt" | head -20)"
	if ls "$tmp/cap/objects" 2>/dev/null | grep -q 'lib\.so$'; then
		not_ok "$1: capture copies no file of the FUSE filesystem" "$(ls "$tmp/cap/objects")"
	else
		ok "$1: capture copies no file of the FUSE filesystem"
	fi
}

commands_leave_it "a file mapped from FUSE"
c=$(object_facts /tmpfs/lib2.so "$tmp/report.json")
[ "$c" = "elf None" ] && ok "a file mapped from tmpfs (an anonymous device): its ELF facts read" ||
	not_ok "a file mapped from tmpfs (an anonymous device): its ELF facts read" "got: $c"
ls "$tmp/cap/objects" 2>/dev/null | grep -q 'lib2\.so$' &&
	ok "capture copies the file mapped from tmpfs" ||
	not_ok "capture copies the file mapped from tmpfs" "$(ls "$tmp/cap/objects" 2>&1)"

# the capture read back: its tmpfs file is a copy, opened (a captured tree
# has no mountinfo); with a mountinfo that cannot be read (a directory), no
# file on an anonymous device is opened
cpid=$(ls "$tmp/cap/proc" | grep -E "^[0-9]+$")
timeout 60 "$vmscope" --proc-root "$tmp/cap/proc" -f json "$cpid" >"$tmp/back.json" 2>"$tmp/err"
c=$(object_facts /tmpfs/lib2.so "$tmp/back.json")
[ "$c" = "elf None" ] && ok "the capture read back: the tmpfs file's copy read" ||
	not_ok "the capture read back: the tmpfs file's copy read" "got: $c" "$(cat "$tmp/err")"
mkdir "$tmp/cap/proc/$cpid/mountinfo"
timeout 60 "$vmscope" --proc-root "$tmp/cap/proc" -f json "$cpid" >"$tmp/back.json" 2>"$tmp/err"
c=$(object_facts /tmpfs/lib2.so "$tmp/back.json")
[ "$c" = "no-elf EREMOTE" ] && ok "a mountinfo that cannot be read: the file on an anonymous device left alone" ||
	not_ok "a mountinfo that cannot be read: the file on an anonymous device left alone" "got: $c" \
		"$(cat "$tmp/err")"

# unmounted lazily: the mapping holds the filesystem, which no mountinfo names now
umount -l "$tmp/mnt"
if grep -q " $tmp/mnt " /proc/$target/mountinfo; then
	not_ok "the FUSE filesystem unmounted lazily" "$(grep " $tmp/mnt " /proc/$target/mountinfo)"
else
	commands_leave_it "the FUSE filesystem unmounted lazily"
fi

echo "1..$n"
[ "$failed" = 0 ]
