#!/bin/bash
# test-failures.sh VMSCOPE STATIC_TARGET FIXTURES: what the commands do when
# things fail under them, each made real: output paths that name no file
# (empty, a directory, a link loop, a file on the way), a full device, a
# full, read-only or out-of-inodes filesystem at every step of a capture, a
# mapped file too large to copy, directories another user may not write, an
# unfinished capture that cannot be cleared, damaged captured trees, stdout
# on a full device; the exit status and the message of each, and nothing
# left behind; TAP. Needs root (mounts, and uid 65534 for permissions).
set -u
vmscope=${1:?usage: test-failures.sh VMSCOPE STATIC_TARGET FIXTURES}
static_target=${2:?} fixtures=${3:?}
. "$(dirname "$0")/common.sh"
need_nobody "to mount filesystems and to run as another user"
with_tmp
chmod 755 "$tmp"
umask 022
as_nobody() { "${nobody[@]}" "$@"; }
mnt=$tmp/mnt
mkdir "$mnt"
mounted=
# tiny_fs OPTIONS: a fresh tmpfs on $mnt with those mount options.
tiny_fs() {
	[ -n "$mounted" ] && umount "$mnt"
	mounted=
	mount -t tmpfs -o "$1" tmpfs "$mnt" && mounted=1
}
trap 'kill -KILL $pids 2>/dev/null; wait 2>/dev/null; [ -n "$mounted" ] && umount "$mnt"; rm -rf "$tmp"' EXIT

"$static_target" &
spid=$!
pids=$spid
wait_stopped "$spid" || { not_ok "the static target stops itself"; finish; exit 1; }

# ---- output paths that name no file to write (snapshot -o goes through
# the same resolution as every file vmscope writes)
cd "$tmp" || exit 1
says "-o '': no such file, exit 1" 1 "^vmscope: cannot write '': No such file or directory\$" \
	snapshot "$spid" -o ''
for p in out/ . .. ./; do
	says "-o '$p': a directory, exit 1" 1 "^vmscope: cannot write '$p': Is a directory\$" \
		snapshot "$spid" -o "$p"
done
ln -s loop-b loop-a
ln -s loop-a loop-b
says "-o through a loop of links: exit 1" 1 \
	"^vmscope: cannot write 'loop-a/x.json': Too many levels of symbolic links\$" \
	snapshot "$spid" -o loop-a/x.json
: >plain
says "-o through a regular file: exit 1" 1 "^vmscope: cannot write 'plain/x.json': Not a directory\$" \
	snapshot "$spid" -o plain/x.json
says "-o onto /dev/full: exit 1" 1 "^vmscope: cannot write '/dev/full': No space left on device\$" \
	snapshot "$spid" -o /dev/full
timeout 30 "$vmscope" snapshot "$spid" -o ./dot/../dot.json 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -qx "vmscope: cannot write './dot/../dot.json': No such file or directory" "$tmp/err" &&
	timeout 30 "$vmscope" snapshot "$spid" -o ./here.json 2>"$tmp/err" &&
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/here.json"; then
	ok "-o ./here.json writes into the current directory; through a missing one is ENOENT"
else
	not_ok "-o ./here.json writes into the current directory" "exit status $rc" "$(cat "$tmp/err")"
fi
cd / || exit 1

# ---- full and read-only filesystems: an error, and no temporary left
tiny_fs size=16k
says "snapshot -o into a full filesystem: exit 1" 1 \
	"^vmscope: cannot write '$mnt/s.json': No space left on device\$" snapshot "$spid" -o "$mnt/s.json"
[ -z "$(ls -A "$mnt")" ] && ok "a snapshot that did not fit leaves no temporary file" ||
	not_ok "a snapshot that did not fit leaves no temporary file" "$(ls -la "$mnt")"
tiny_fs size=1m,mode=755
mkdir "$mnt/in"
mount -o remount,ro "$mnt"
says "snapshot -o into a read-only filesystem: exit 1" 1 \
	"^vmscope: cannot write '$mnt/s.json': Read-only file system\$" snapshot "$spid" -o "$mnt/s.json"
says "capture -o a new DIR in a read-only filesystem: exit 1" 1 \
	"^vmscope: cannot write the capture into '$mnt/cap': Read-only file system\$" \
	capture "$spid" -o "$mnt/cap"
says "capture -o a DIR whose parents are missing in a read-only filesystem: exit 1" 1 \
	"^vmscope: cannot write the capture into '$mnt/a//b/c': Read-only file system\$" \
	capture "$spid" -o "$mnt/a//b/c"
says "capture -o an empty DIR of a read-only filesystem: exit 1" 1 \
	"^vmscope: cannot write the capture into '$mnt/in': Read-only file system\$" \
	capture "$spid" -o "$mnt/in"

# A capture out of inodes at each of its steps: every file, directory, link
# and temporary it makes is one, so with N inodes for N = 1, 2, ... it fails
# at each step in turn until it fits. Each failure says so and leaves
# nothing; the capture that fits reads back.
bad=() steps=0
for i in $(seq 1 80); do
	tiny_fs "nr_inodes=$i,size=8m" || break
	timeout 30 "$vmscope" capture "$spid" -o "$mnt/cap" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && break
	steps=$((steps + 1))
	if [ $rc != 1 ] || [ -n "$(ls -A "$mnt")" ] ||
		! grep -qx "vmscope: cannot write the capture into '$mnt/cap': No space left on device" "$tmp/err"; then
		bad+=("with $i inodes: exit status $rc" "$(cat "$tmp/err")" "$(ls -A "$mnt")")
	fi
done
if [ ${#bad[@]} = 0 ] && [ $steps -ge 20 ] && [ "${rc:-}" = 0 ] &&
	"$vmscope" --proc-root "$mnt/cap/proc" -f json "$spid" >/dev/null 2>"$tmp/err"; then
	ok "out of inodes at each of the $steps steps of a capture: exit 1, ENOSPC, nothing left; then it fits"
else
	not_ok "out of inodes at each step of a capture: exit 1, ENOSPC, nothing left" \
		"$steps steps, last exit status ${rc:-}" "${bad[@]}" "$(cat "$tmp/err")"
fi
[ -n "$mounted" ] && umount "$mnt"
mounted=

# ---- capture: its operands and its DIR
says "capture --help exits 0" 0 "" capture --help
says "capture without -o is a usage error" 2 "^vmscope: capture takes one PID or NAME and -o DIR\$" \
	capture "$spid"
says "capture of a NAME that matches nothing: exit 1" 1 "no-such-process-name" \
	capture no-such-process-name -o "$tmp/none"
for d in / . ..; do
	says "capture -o '$d': not empty, exit 1" 1 "^vmscope: '$d' is not empty" capture "$spid" -o "$d"
done
: >"$tmp/afile"
says "capture -o a file: exit 1" 1 "^vmscope: cannot write the capture into '$tmp/afile': Not a directory\$" \
	capture "$spid" -o "$tmp/afile"
timeout 30 "$vmscope" capture "$spid" -o "$tmp/slash///" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -f "$tmp/slash/README" ] && [ -f "$tmp/slash/proc/$spid/smaps" ]; then
	ok "capture -o DIR/// captures into DIR"
else
	not_ok "capture -o DIR/// captures into DIR" "exit status $rc" "$(cat "$tmp/err")"
fi

# As uid 65534, of its own process: a DIR it may not read, one it may not
# write, and an unfinished capture in it that root left (not its to clear).
"${nobody[@]}" sleep 300 &
upid=$!
pids="$pids $upid"
for i in $(seq 50); do
	grep -q '^Uid:.*65534' "/proc/$upid/status" 2>/dev/null && break
	sleep 0.05
done
mkdir -m 000 "$tmp/closed"
mkdir -m 555 "$tmp/readonly"
mkdir -m 755 "$tmp/unfinished"
mkdir -p "$tmp/unfinished/.partial-1/proc/1"
: >"$tmp/unfinished/.partial-1/proc/1/stat"
chown 65534:65534 "$tmp/closed" "$tmp/readonly" "$tmp/unfinished"
for d in closed readonly unfinished; do
	as_nobody timeout 30 "$vmscope" capture "$upid" -o "$tmp/$d" 2>"$tmp/err"
	rc=$?
	if [ $rc = 1 ] && grep -qx "vmscope: cannot write the capture into '$tmp/$d': Permission denied" "$tmp/err" &&
		[ ! -e "$tmp/$d/README" ] && [ ! -e "$tmp/$d/proc/$upid" ]; then
		ok "as uid 65534, capture -o $d DIR: Permission denied, exit 1, nothing written"
	else
		not_ok "as uid 65534, capture -o $d DIR: Permission denied, exit 1" "exit status $rc" \
			"$(cat "$tmp/err")" "$(ls -laR "$tmp/$d" 2>&1 | head -20)"
	fi
done
[ -f "$tmp/unfinished/.partial-1/proc/1/stat" ] && ok "root's unfinished capture stays as it was" ||
	not_ok "root's unfinished capture stays as it was" "$(ls -laR "$tmp/unfinished")"

finish
