#!/bin/bash
# test-failures.sh VMSCOPE STATIC_TARGET FIXTURES [sanitized]: what the commands do when
# things fail under them, each made real: output paths that name no file
# (empty, a directory, a link loop, a file on the way), a full device, a
# full, read-only or out-of-inodes filesystem at every step of a capture, a
# mapped file too large to copy, directories another user may not write, an
# unfinished capture that cannot be cleared, damaged captured trees, stdout
# on a full device; the exit status and the message of each, and nothing
# left behind; TAP. Needs root (mounts, and uid 65534 for permissions).
# "sanitized": the sanitizers' runtime needs /proc and a thread of its own
# at exit, so the cases without either are skipped.
set -u
vmscope=${1:?usage: test-failures.sh VMSCOPE STATIC_TARGET FIXTURES [sanitized]}
static_target=${2:?} fixtures=${3:?} sanitized=${4:-}
. "$(dirname "$0")/common.sh"
need_nobody "to mount filesystems and to run as another user"
with_tmp
chmod 755 "$tmp"
umask 022
# uid 65534 runs vmscope and the target too: where it may not reach the
# build (a clone under /root), they run as copies in the test's directory,
# for root as well
mkdir "$tmp/bin"
if ! "${nobody[@]}" test -x "$vmscope"; then
	cp "$vmscope" "$tmp/bin/vmscope" && vmscope=$tmp/bin/vmscope
fi
if ! "${nobody[@]}" test -x "$static_target"; then
	cp "$static_target" "$tmp/bin/static-target" && static_target=$tmp/bin/static-target
fi
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
# said DESCRIPTION STATUS MESSAGE OUT CMD...: CMD, its stdout into OUT
# (/dev/full, /dev/null, a file), exits STATUS saying MESSAGE, exactly.
said() {
	local d=$1 want=$2 msg=$3 out=$4 rc
	shift 4
	"$@" >"$out" 2>"$tmp/err"
	rc=$?
	if [ $rc = "$want" ] && [ "$(cat "$tmp/err")" = "$msg" ]; then
		ok "$d"
	else
		not_ok "$d" "exit status $rc" "$(cat "$tmp/err")"
	fi
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
# unfinished captures of root's, in a DIR of uid 65534's: a file in a
# directory, a directory it may not open, an empty one, one it may not search
for d in unfinished unfinished-closed unfinished-empty unfinished-unsearchable; do
	mkdir -m 755 "$tmp/$d"
	mkdir -p "$tmp/$d/.partial-1/proc/1"
done
: >"$tmp/unfinished/.partial-1/proc/1/stat"
chmod 700 "$tmp/unfinished-closed/.partial-1/proc/1"
: >"$tmp/unfinished-unsearchable/.partial-1/proc/1/stat"
chmod 644 "$tmp/unfinished-unsearchable/.partial-1/proc/1"
chown 65534:65534 "$tmp"/closed "$tmp"/readonly "$tmp"/unfinished*
for d in closed readonly unfinished unfinished-closed unfinished-empty unfinished-unsearchable; do
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
[ -f "$tmp/unfinished/.partial-1/proc/1/stat" ] && [ -d "$tmp/unfinished-empty/.partial-1/proc/1" ] &&
	[ -d "$tmp/unfinished-closed/.partial-1/proc/1" ] &&
	ok "root's unfinished captures stay as they were" ||
	not_ok "root's unfinished captures stay as they were" "$(ls -laR "$tmp"/unfinished*)"

# Output files as uid 65534: into a directory it may write but not read
# (the file is written; the directory is not synced), onto root's FIFO.
mkdir -m 300 "$tmp/writeonly"
chown 65534:65534 "$tmp/writeonly"
said "as uid 65534, snapshot -o into a directory it may not read: written, exit 0" 0 "" /dev/null \
	"${nobody[@]}" "$vmscope" snapshot "$upid" -o "$tmp/writeonly/s.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/writeonly/s.json" &&
	ok "... and the snapshot is there, whole" || not_ok "... and the snapshot is there, whole" "$(ls -la "$tmp/writeonly")"
mkfifo -m 600 "$tmp/rootfifo"
said "as uid 65534, snapshot -o root's FIFO: Permission denied, exit 1" 1 \
	"vmscope: cannot write '$tmp/rootfifo': Permission denied" /dev/null \
	"${nobody[@]}" timeout 30 "$vmscope" snapshot "$upid" -o "$tmp/rootfifo"
# A file that is a mount point (a bind mount, as containers get theirs) is
# not renamed over: EBUSY, and no temporary left beside it.
mkdir "$tmp/bind"
: >"$tmp/bind/out.json"
: >"$tmp/bind-src"
if mount --bind "$tmp/bind-src" "$tmp/bind/out.json"; then
	said "snapshot -o a file that is a mount point: exit 1, said" 1 \
		"vmscope: cannot write '$tmp/bind/out.json': Device or resource busy" /dev/null \
		timeout 30 "$vmscope" snapshot "$spid" -o "$tmp/bind/out.json"
	said "record -o a file that is a mount point: exit 1, said" 1 \
		"vmscope: cannot write '$tmp/bind/out.json': Device or resource busy" /dev/null \
		timeout 30 "$vmscope" record -q --duration 1 "$spid" -o "$tmp/bind/out.json"
	[ "$(ls -A "$tmp/bind")" = out.json ] && [ ! -s "$tmp/bind-src" ] &&
		ok "... no temporary left, the mounted file untouched" ||
		not_ok "... no temporary left, the mounted file untouched" "$(ls -la "$tmp/bind")"
	umount "$tmp/bind/out.json"
else
	skip "output onto a mount point" "mount --bind failed"
fi
cd "$tmp" || exit 1
says "capture -o ./rel/cap (through '.'): captured" 0 "captured pid $spid into ./rel/cap" \
	capture "$spid" -o ./rel/cap
[ -f "$tmp/rel/cap/README" ] && ok "... into rel/cap here" || not_ok "... into rel/cap here" "$(ls -laR "$tmp/rel")"
cd / || exit 1

# ---- no /proc to open (a tmpfs of mode 000 over it, in a mount namespace
# of their own, as uid 65534): each command says so, exit 1
if unshare -m true 2>/dev/null; then
	for c in "list" "$spid" "pages $spid" "capture $spid -o $tmp/np" "serve $spid" "diff $spid $spid"; do
		d=${c//$spid/PID}
		[ -n "$sanitized" ] && { skip "vmscope ${d%% *} where /proc cannot be opened" "sanitized"; continue; }
		said "vmscope ${d/$tmp\/np/DIR} where /proc cannot be opened: exit 1, said" 1 \
			"vmscope: cannot open /proc: Permission denied" /dev/null \
			unshare -m sh -c 'mount -t tmpfs -o mode=000 none /proc && exec "$@"' sh \
			"${nobody[@]}" "$vmscope" $c
	done
	# no cgroup filesystem (hidden the same way): list --by cgroup has no
	# cgroup memory, never a false 0
	out=$(unshare -m sh -c 'mount -t tmpfs -o mode=000 none /sys/fs/cgroup && exec "$@"' sh \
		"${nobody[@]}" "$vmscope" list --by cgroup -f csv | tail -n +2 | cut -d, -f16 | sort -u)
	[ -z "$out" ] && ok "list --by cgroup where /sys/fs/cgroup cannot be opened: every cgroup memory empty" ||
		not_ok "list --by cgroup where /sys/fs/cgroup cannot be opened: every cgroup memory empty" "$out"
else
	skip "commands where /proc or /sys/fs/cgroup cannot be opened" "unshare -m is not permitted here"
fi

# ---- a captured tree of 301 processes (the static target, and 300 copies)
timeout 30 "$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err" ||
	not_ok "capture of the static target" "$(cat "$tmp/err")"
# (pids above any pid_max, 2^22: none is the target's)
for i in $(seq 5000000 5000299); do cp -al "$tmp/cap/proc/$spid" "$tmp/cap/proc/$i"; done
lst() { timeout 30 "$vmscope" list --proc-root "$tmp/cap/proc" "$@"; }
out=$(lst -n 2 -w 200)
if [ "$(wc -l <<<"$out")" = 4 ] && [ "$(sed -n '2,3s/^ *\([0-9]*\) .*/\1/p' <<<"$out" | tr '\n' ' ')" = "$spid 5000000 " ] &&
	grep -q "total: 301 processes\$" <<<"$out"; then
	ok "list -n 2: a header, 2 rows of the 301 processes and the total of all"
else
	not_ok "list -n 2: a header, 2 rows of the 301 processes and the total of all" "$out"
fi
out=$(lst -n 2 -f csv | cut -d, -f1 | tr '\n' ' ')
[ "$out" = "pid $spid 5000000 " ] && ok "list -n 2 -f csv: 2 rows" || not_ok "list -n 2 -f csv: 2 rows" "$out"
out=$(lst -n 2 -f json | python3 -c 'import json, sys; d = json.load(sys.stdin); print([p["pid"] for p in d["processes"]], d["total"]["processes"])')
[ "$out" = "[$spid, 5000000] 301" ] && ok "list -n 2 -f json: 2 processes, the total of 301" ||
	not_ok "list -n 2 -f json: 2 processes, the total of 301" "$out"
first=$(lst -s pid -n 1 -f csv | sed -n 2p | cut -d, -f1)
last=$(lst -s pid -r -n 1 -f csv | sed -n 2p | cut -d, -f1)
want=$(ls "$tmp/cap/proc" | grep -x '[0-9]*' | sort -n | sed -n '1p;$p' | tr '\n' ' ')
if [ "$first $last " = "$want" ] || [ "$last $first " = "$want" ]; then
	ok "list -s pid and -s pid -r: the lowest and the highest pid first ($first, $last)"
else
	not_ok "list -s pid and -s pid -r: the lowest and the highest pid first" "$first $last, want $want"
fi
out=$(lst --by cgroup -f csv | sed -n 2p | cut -d, -f2,3,16)
[ "$out" = "301,0," ] && ok "list --by cgroup -f csv of a captured tree: 301 processes, no cgroup memory (empty)" ||
	not_ok "list --by cgroup -f csv of a captured tree: 301 processes, no cgroup memory" "$out"
out=$(lst --by cgroup -f json | python3 -c 'import json, sys; g = json.load(sys.stdin)["groups"][0]; print(g["processes"], g["cgroup_memory"])')
[ "$out" = "301 None" ] && ok "list --by cgroup -f json of a captured tree: cgroup memory null" ||
	not_ok "list --by cgroup -f json of a captured tree: cgroup memory null" "$out"
for f in text csv json openmetrics; do
	said "list -f $f of 301 processes onto /dev/full: exit 1, the reason said" 1 \
		"vmscope: cannot write the list: No space left on device" /dev/full lst -f "$f"
done

# ---- capture of damaged captured trees
dmg=$tmp/dmg/proc
cp -a "$tmp/cap" "$tmp/dmg"
rm -r "$dmg"/5000???
{
	cat "$tmp/cap/proc/$spid/maps"
	printf '7f0000000000-7f0000001000 r--p\n'                        # cut short
	printf '7f0000001000-7f0000002000 r--p 00000000 08:01 1234 [odd]\n' # no path
	printf '7f000000200g-7f0000003000 r--p 00000000 08:01 1234 /bin/sh\n'
	printf '7f0000003000 r--p 00000000 08:01 1234 /bin/sh\n'         # no end
} >"$dmg/$spid/maps"
# a file for the line without a path, which is no file to copy
ln -s /bin/sh "$dmg/$spid/map_files/7f0000001000-7f0000002000"
printf 'no-newline' >"$dmg/$spid/comm"
timeout 30 "$vmscope" capture --proc-root "$dmg" "$spid" -o "$tmp/dmg-cap" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && cmp -s "$dmg/$spid/maps" "$tmp/dmg-cap/proc/$spid/maps" &&
	grep -q "captured pid $spid into $tmp/dmg-cap (.*, 1 mapped files)\$" "$tmp/err" &&
	grep -qx "process: $spid (no-newline)" "$tmp/dmg-cap/README"; then
	ok "capture of a tree whose maps has broken lines: copied as it is, their files left out"
else
	not_ok "capture of a tree whose maps has broken lines: copied as it is, their files left out" \
		"exit status $rc" "$(cat "$tmp/err")" "$(grep process: "$tmp/dmg-cap/README")"
fi
# its stat gone: no process to capture
mv "$dmg/$spid/stat" "$dmg/$spid/stat.away"
says "capture of a tree without stat: 'process exited', exit 1" 1 "^vmscope: process $spid exited\$" \
	capture --proc-root "$dmg" "$spid" -o "$tmp/dmg-cap2"
[ ! -e "$tmp/dmg-cap2" ] && ok "... and nothing written" || not_ok "... and nothing written" "$(ls -la "$tmp/dmg-cap2")"
# stat without its ")": captured, said to have been running (not known stopped)
sed 's/)/]/' "$dmg/$spid/stat.away" >"$dmg/$spid/stat"
says "capture of a tree whose stat lost its ')': captured, 'was running'" 0 \
	"^vmscope: note: process $spid was running" capture --proc-root "$dmg" "$spid" -o "$tmp/dmg-cap3"
# ... which no command reads: each says what it could not read, exit 1
said "the report of a tree whose stat lost its ')': exit 1, said" 1 \
	"vmscope: cannot read process $spid: Bad message" /dev/null \
	"$vmscope" --proc-root "$dmg" "$spid"
said "snapshot of a tree whose stat lost its ')': exit 1, said" 1 \
	"vmscope: cannot read process $spid: Bad message" /dev/null \
	"$vmscope" snapshot --proc-root "$dmg" "$spid" -o "$tmp/dmg.json"
said "pages of a tree whose stat lost its ')': exit 1, the stat said" 1 \
	"vmscope: cannot read stat of pid $spid: Bad message" /dev/null \
	"$vmscope" pages --proc-root "$dmg" "$spid"
# shared as vmscope-capture(1) says: its proc and objects are 0700
chmod -R go+rX "$tmp/dmg"
chmod 000 "$dmg/$spid"
said "as uid 65534, pages of a tree whose process directory is closed: exit 1, said" 1 \
	"vmscope: cannot read the directory of pid $spid: Permission denied" /dev/null \
	"${nobody[@]}" "$vmscope" pages --proc-root "$dmg" "$spid"
chmod 755 "$dmg/$spid"
# a deleted file without map_files: not copied; map_files that is a device: not copied
fx=$tmp/fx/proc
mkdir -p "$tmp/fx"
cp -a "$fixtures/deleted/proc" "$fx"
fpid=$(ls "$fx" | grep -x '[0-9]*')
for l in "$fx/$fpid"/map_files/*; do
	case "$(grep "^0*${l##*/} " "$fx/$fpid/maps")" in
	*" (deleted)") rm "$l" ;;
	*) ln -sfn /dev/zero "$l" ;;
	esac
done
timeout 30 "$vmscope" capture --proc-root "$fx" "$fpid" -o "$tmp/fx-cap" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q "(.*, 0 mapped files)\$" "$tmp/err" && [ ! -e "$tmp/fx-cap/objects" ]; then
	ok "capture of a tree whose map_files are devices or missing for deleted files: none copied"
else
	not_ok "capture of a tree whose map_files are devices or missing for deleted files: none copied" \
		"exit status $rc" "$(cat "$tmp/err")"
fi

# ---- a mapped file over 256 MiB (sparse) with a name of 100 characters:
# its first 64 KiB at its size, under a name cut to 64 characters
long=$tmp/$(printf 'x%.0s' $(seq 100))
truncate -s 300M "$long"
printf 'ELF-ish head' | dd of="$long" conv=notrunc status=none
python3 -c '
import mmap, os, signal, sys
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
os.kill(os.getpid(), signal.SIGSTOP)' "$long" &
bpid=$!
pids="$pids $bpid"
wait_stopped "$bpid" || not_ok "the process mapping a large file stops"
timeout 60 "$vmscope" capture "$bpid" -o "$tmp/big" 2>"$tmp/err"
rc=$?
obj=$tmp/big/objects/$(stat -c %i "$long")-$(printf 'x%.0s' $(seq 64))
if [ $rc = 0 ] && [ "$(stat -c %s "$obj" 2>&1)" = $((300 << 20)) ] &&
	cmp -s <(head -c 65536 "$long") <(head -c 65536 "$obj") &&
	[ -z "$(tail -c +65537 "$obj" | tr -d '\0' | head -c 1)" ] &&
	grep -q "^1 mapped files over 256 MiB are kept as their first 64 KiB" "$tmp/big/README"; then
	ok "capture of a process mapping a 300 MiB file: its first 64 KiB at its size, its name cut to 64, said in README"
else
	not_ok "capture of a process mapping a 300 MiB file: its first 64 KiB at its size" "exit status $rc" \
		"$(cat "$tmp/err")" "$(ls -la "$tmp/big/objects" 2>&1)"
fi
# where a file may not be 300 MiB (RLIMIT_FSIZE): EFBIG, nothing left
mkdir "$tmp/big2"
(trap '' XFSZ; ulimit -f 65536; exec timeout 60 "$vmscope" capture "$bpid" -o "$tmp/big2") 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -qx "vmscope: cannot write the capture into '$tmp/big2': File too large" "$tmp/err" &&
	[ -z "$(ls -A "$tmp/big2")" ]; then
	ok "the same capture where no file may pass 64 MiB: File too large, exit 1, DIR left empty"
else
	not_ok "the same capture where no file may pass 64 MiB: File too large, exit 1, DIR left empty" \
		"exit status $rc" "$(cat "$tmp/err")" "$(ls -A "$tmp/big2")"
fi

# ---- the report: stdout on a full device, a process named twice, sums
# over processes partly readable, referenced bits not ours to clear
said "vmscope -V onto /dev/full: exit 2, said" 2 \
	"vmscope: cannot write the version: No space left on device" /dev/full "$vmscope" -V
sleep 300 &
rpid=$!
pids="$pids $rpid"
said "a report of two processes onto /dev/full: exit 1, said once" 1 \
	"vmscope: cannot write the report: No space left on device" /dev/full \
	timeout 30 "$vmscope" "$spid" "$rpid"
out=$(timeout 30 "$vmscope" --no-pages -w 100 "$spid" "$spid" 2>&1)
if [ "$(grep -c "^static-target  pid $spid " <<<"$out")" = 1 ] && ! grep -q '==> pid\|^total of' <<<"$out"; then
	ok "a PID named twice is reported once"
else
	not_ok "a PID named twice is reported once" "$out"
fi
out=$("${nobody[@]}" "$vmscope" --no-pages "$upid" "$rpid" 2>&1 | tail -n 1)
if [[ "$out" =~ ^total\ of\ 2\ processes\ \ RSS\ [0-9.]+[KMG]\ \ PSS\ [0-9.]+[KMG]\+\ \ USS\ [0-9.]+[KMG]\+\ .*\(\+:\ at\ least\;\ some\ could\ not\ be\ read\)$ ]]; then
	ok "as uid 65534, the sums of its own process and root's: RSS whole, PSS and USS at least (+)"
else
	not_ok "as uid 65534, the sums of its own process and root's: PSS and USS at least (+)" "$out"
fi
said "as uid 65534, --reset-refs of root's process: exit 1, Permission denied" 1 \
	"vmscope: cannot clear the referenced bits of pid $rpid: Permission denied" /dev/null \
	"${nobody[@]}" timeout 30 "$vmscope" --reset-refs 1 "$rpid"

# ---- pages: ranges that are no range, operands, page flags refused
for r in 0x-10 -10 10- g-h 0-11111111111111111 10-5; do
	says "pages --range $r: exit 2" 2 \
		"^vmscope: --range takes START-END in hexadecimal, START < END, not '$r'\$" pages "$spid" --range "$r"
done
lo=$(awk '/\[stack\]$/ {print $1}' "/proc/$spid/maps")
up=$(tr a-f A-F <<<"$lo")
lower=$(timeout 30 "$vmscope" pages "$spid" -b --range "0x${lo%-*}-0x${lo#*-}" 2>&1)
upper=$(timeout 30 "$vmscope" pages "$spid" -b --range "$up" 2>&1)
[ "$lower" = "$upper" ] && grep -q "^region [0-9]*  $lo .* stack" <<<"$upper" && ok "pages --range in capitals without 0x ($up) is the same range" ||
	not_ok "pages --range in capitals without 0x ($up) is the same range" "$lower" "$upper"
says "pages without an operand: exit 2" 2 "^vmscope: pages needs a PID or NAME\$" pages
says "pages with two operands: exit 2" 2 "^vmscope: pages takes one PID or NAME\$" pages "$spid" "$spid"
"${nobody[@]}" timeout 30 "$vmscope" pages "$upid" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/err")" = "vmscope: without page flags and map counts: kpageflags: Permission denied (they need root)" ] &&
	grep -q "^pid $upid: " "$tmp/out"; then
	ok "as uid 65534, pages of its own process: listed, without page flags (they need root)"
else
	not_ok "as uid 65534, pages of its own process: listed, without page flags (they need root)" \
		"exit status $rc" "$(cat "$tmp/err")" "$(head -3 "$tmp/out")"
fi

# ---- a process that exits while --faults watches it: what it did, exit 1
# (it exits once the watch has begun: a fixed life raced a slow start)
: >"$tmp/err"
sh -c 'for _ in $(seq 600); do grep -q "^watching" "$1" && break; sleep 0.05; done; sleep 0.2' sh "$tmp/err" &
fpid=$!
timeout 30 "$vmscope" --faults 2s "$fpid" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -qx "process $fpid exited during the run: what it did until then is shown" "$tmp/out"; then
	ok "--faults of a process that exits during the run: what it did, exit 1"
else
	not_ok "--faults of a process that exits during the run: what it did, exit 1" "exit status $rc" \
		"$(cat "$tmp/err" "$tmp/out")"
fi

# ---- a bare word is a file when one of that name is here, else a NAME
cd "$tmp" || exit 1
timeout 30 "$vmscope" snapshot "$spid" -o snap.json 2>"$tmp/err"
mkdir -p snapdir
said "diff snap.json snap.json (files in the current directory): no change, exit 0" 0 "" "$tmp/out" \
	timeout 30 "$vmscope" diff snap.json snap.json
grep -q "^regions: 0 grew, 0 shrank, 0 appeared, 0 vanished" "$tmp/out" && ok "... every region unchanged" ||
	not_ok "... every region unchanged" "$(cat "$tmp/out")"
said "diff snapdir snap.json: a directory is no snapshot but a NAME, exit 1" 1 \
	"vmscope: no process matches 'snapdir'" /dev/null timeout 30 "$vmscope" diff snapdir snap.json
cd / || exit 1

# ---- pages through pread, on a captured tree given a pagemap, kpageflags
# and kpagecount of known entries (bits as the kernel's pagemap.rst says)
pm=$tmp/pm
cp -a "$tmp/cap" "$pm"
rm -r "$pm"/proc/5000???
python3 - "$pm/proc" "$spid" <<'PY'
import struct, sys
root, pid = sys.argv[1], sys.argv[2]
maps = [l.split()[0].split('-') for l in open('%s/%s/maps' % (root, pid)) if l.strip()]
text = int(maps[1][0], 16)  # the second region, the static target's text
P, SW, FILE, EXCL = 1 << 63, 1 << 62, 1 << 61, 1 << 56
# present and exclusive at frame 5; at frame 1000 (no flags there); present
# without a frame (as the kernel shows it to the rest of us); swapped;
# present, file or shared, at frame 7; at frames 7 and 8, read together
# past kpageflags' end (so neither has flags)
entries = [P | EXCL | 5, P | 1000, P, SW | 3, P | FILE | 7, P | 7, P | 8]
with open('%s/%s/pagemap' % (root, pid), 'wb') as f:
    f.seek(text // 4096 * 8)
    for e in entries:
        f.write(struct.pack('<Q', e))
    # the entries of the program's regions, and no further: the heap's
    # and the stack's are not there (short reads)
    f.truncate(int(maps[5][1], 16) // 4096 * 8)
flags, count = [0] * 8, [0] * 8
flags[5] = (1 << 2) | (1 << 5) | (1 << 6)  # KPF_REFERENCED, KPF_LRU, KPF_ACTIVE
flags[7] = (1 << 4) | (1 << 12)           # KPF_DIRTY, KPF_ANON
count[5], count[7] = 1, 3
open('%s/kpageflags' % root, 'wb').write(struct.pack('<8Q', *flags))
open('%s/kpagecount' % root, 'wb').write(struct.pack('<8Q', *count))
PY
timeout 30 "$vmscope" pages --proc-root "$pm/proc" "$spid" --region 1 -b >"$tmp/out" 2>"$tmp/err"
rc=$?
text_start=$(sed -n '2s/-.*//p' "$pm/proc/$spid/maps" | sed 's/^0*//')
runs=$(grep '^ *[0-9a-f]*-[0-9a-f]* ' "$tmp/out" | tr -s ' ' | sed 's/^ //')
want="$(printf '%x' $((0x$text_start)))-$(printf '%x' $((0x$text_start + 0x1000))) 1 present exclusive active referenced lru mapped_once
$(printf '%x' $((0x$text_start + 0x1000)))-$(printf '%x' $((0x$text_start + 0x3000))) 2 present
$(printf '%x' $((0x$text_start + 0x3000)))-$(printf '%x' $((0x$text_start + 0x4000))) 1 swapped
$(printf '%x' $((0x$text_start + 0x4000)))-$(printf '%x' $((0x$text_start + 0x5000))) 1 present file anon dirty mapped 3x
$(printf '%x' $((0x$text_start + 0x5000)))-$(printf '%x' $((0x$text_start + 0x7000))) 2 present"
if [ $rc = 0 ] && [ "$runs" = "$want" ] && [ ! -s "$tmp/err" ] &&
	grep -q "present 24576, swapped 4096, file 4096, exclusive 4096, anon 4096, dirty 4096, active 4096, referenced 4096, lru 4096, mapped_once 4096, pss 5461\$" "$tmp/out"; then
	ok "pages of known entries: their runs, flags and map counts; a frame 0 or past kpageflags' end has none; PSS 4096 + 4096/3"
else
	not_ok "pages of known entries: their runs, flags and map counts" "exit status $rc" "$(cat "$tmp/err")" \
		"$(cat "$tmp/out")" "want:" "$want"
fi
timeout 30 "$vmscope" --pages --proc-root "$pm/proc" "$spid" -f json >"$tmp/out" 2>"$tmp/err"
rc=$?
out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["kind"]: x.get("pages") for x in d["regions"]}
print(d["sources"]["pagemap"]["read"], r["text"]["present"], r["text"]["pss"], r["heap"], r["stack"])' "$tmp/out" 2>&1)
[ $rc = 0 ] && [ "$out" = "True 24576 5461 None None" ] &&
	ok "the report's --pages of those entries: the same counts; the heap and stack, past the entries' end, none" ||
	not_ok "the report's --pages of those entries: the same counts" "exit status $rc" "$out" "$(cat "$tmp/err")"
said "pages --region of the heap, past the entries' end: exit 1, said" 1 \
	"vmscope: cannot read pagemap of pid $spid: No data available" /dev/null \
	"$vmscope" pages --proc-root "$pm/proc" "$spid" --region 6
chmod -R go+rX "$pm"
"${nobody[@]}" timeout 30 "$vmscope" pages --proc-root "$pm/proc" "$spid" --region 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/err")" = "vmscope: without page flags and map counts: kpageflags: Operation not permitted (they need root)" ] &&
	grep -q "^ *$(printf '%x' $((0x$text_start)))-[0-9a-f]* *1  present exclusive\$" "$tmp/out"; then
	ok "as uid 65534, readable kpageflags are no use without CAP_SYS_ADMIN: said, pages without flags"
else
	not_ok "as uid 65534, readable kpageflags are no use without CAP_SYS_ADMIN" "exit status $rc" \
		"$(cat "$tmp/err")" "$(cat "$tmp/out")"
fi
rm "$pm/proc/kpagecount"
said "pages where kpagecount is missing: the listing, without flags, said without 'need root'" 0 \
	"vmscope: without page flags and map counts: kpageflags: No such file or directory" /dev/null \
	"$vmscope" pages --proc-root "$pm/proc" "$spid" --region 1

# ---- recordings as snapshots: a baseline; one without regions is refused
timeout 30 "$vmscope" record -q --duration 600ms --interval 200ms "$spid" -o "$tmp/rec.jsonl" 2>"$tmp/err" ||
	not_ok "a recording of the static target" "$(cat "$tmp/err")"
timeout 30 "$vmscope" check --baseline "$tmp/rec.jsonl" --max-growth 0% "$spid" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q "^ok    PSS growth: 0 <= 0 " "$tmp/out" &&
	ok "check --baseline a recording of the frozen target: its last sample, no growth" ||
	not_ok "check --baseline a recording of the frozen target: its last sample, no growth" "exit status $rc" \
		"$(cat "$tmp/out" "$tmp/err")"
# as when recording never had the time to read the regions
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    d.pop("regions", None)
    print(json.dumps(d))' "$tmp/rec.jsonl" >"$tmp/norec.jsonl"
said "diff of a recording without regions: exit 2, said" 2 \
	"vmscope: '$tmp/norec.jsonl': no sample of the recording has its regions" /dev/null \
	"$vmscope" diff "$tmp/norec.jsonl"
said "check --baseline a recording without regions: exit 2, said" 2 \
	"vmscope: '$tmp/norec.jsonl': no sample of the recording has its regions" /dev/null \
	"$vmscope" check --baseline "$tmp/norec.jsonl" --max-growth 0% "$spid"

# ---- the rest onto a full device, and a NAME matched on the command line
said "pages onto /dev/full: exit 1, said" 1 "vmscope: cannot write the listing: No space left on device" \
	/dev/full "$vmscope" pages "$spid"
out=$("$vmscope" --full --no-pages "$long" 2>&1 | head -n 1)
[[ "$out" == "python3  pid $bpid "* ]] && ok "--full NAME: the process whose command line matches" ||
	not_ok "--full NAME: the process whose command line matches" "$out"

# ---- no thread to spare (RLIMIT_NPROC, as uid 65534): the page sweep and
# the other threads vmscope would start are done in line, the same pages
"${nobody[@]}" "$static_target" &
npid=$!
pids="$pids $npid"
wait_stopped "$npid" || not_ok "the static target stops itself as uid 65534"
pages_of() { python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["sources"]["pagemap"], [(r["start"], r["end"], r.get("pages")) for r in d["regions"]])'; }
a=$("${nobody[@]}" "$vmscope" -f json "$npid" 2>&1 | pages_of 2>&1)
b=$("${nobody[@]}" bash -c 'ulimit -u 1 && exec "$@"' sh "$vmscope" -f json "$npid" 2>&1 | pages_of 2>&1)
if [ -n "$sanitized" ]; then
	skip "as uid 65534 with no process left to start: the same pages" "sanitized"
elif [ "$a" = "$b" ] && [[ "$a" == "{'read': True, 'error': None, 'message': None} "* ]]; then
	ok "as uid 65534 with no process left to start (ulimit -u 1): the same pages of every region"
else
	not_ok "as uid 65534 with no process left to start (ulimit -u 1): the same pages of every region" "$a" "$b"
fi

finish
