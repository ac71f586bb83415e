#!/bin/bash
# capture-fixture.sh PID DIR: copies what vmscope reads of a process into
# DIR/proc/PID/, so that `vmscope --proc-root DIR/proc PID` runs on it later,
# anywhere. Stop the process first (kill -STOP PID) so the files agree.
#
# Copied: stat status cmdline comm smaps smaps_rollup maps limits, and for
# each thread task/TID/{stat,syscall,comm}; when it maps SysV segments,
# their rows of /proc/sysvipc/shm into DIR/proc/sysvipc/shm. exe becomes a
# text file holding the link's target. Each mapped file is kept as DIR/objects/INODE-NAME: its
# first 4 KiB (the ELF header and program headers, all vmscope reads of it)
# at its real size, the rest zeros; map_files/START-END links to it as the
# kernel's map_files links to the real file (VMSCOPE_FIXTURE_OBJECTS=OBJDIR
# keeps them in OBJDIR instead, shared by several fixtures). DIR/README says
# what was captured, when and on which kernel.
set -eu
pid=${1:?usage: capture-fixture.sh PID DIR}
dir=${2:?usage: capture-fixture.sh PID DIR}
src=/proc/$pid
[ -d "$src" ] || { echo "capture-fixture: no process $pid" >&2; exit 1; }
state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$src/status")
if [ "$state" != T ] && [ "$state" != t ]; then
	echo "capture-fixture: process $pid is not stopped (state $state); kill -STOP it first" >&2
	exit 1
fi

dst=$dir/proc/$pid
objects=${VMSCOPE_FIXTURE_OBJECTS:-$dir/objects}
rm -rf "$dir/proc"
mkdir -p "$dst/task" "$dst/map_files" "$objects"

for f in stat status cmdline comm smaps smaps_rollup maps limits; do
	cat "$src/$f" >"$dst/$f"
done
readlink "$src/exe" >"$dst/exe"
for t in "$src"/task/*; do
	tid=${t##*/}
	mkdir -p "$dst/task/$tid"
	for f in stat syscall comm; do
		cat "$t/$f" >"$dst/task/$tid/$f" 2>/dev/null || true
	done
done

# SysV segments: the header and the rows of the shmids (the inodes of the
# /SYSV regions) it maps.
ids=$(awk '$6 ~ /^\/SYSV[0-9a-f]+$/ { print $5 }' "$src/maps" | sort -u)
if [ -n "$ids" ]; then
	mkdir -p "$dir/proc/sysvipc"
	awk -v ids="$ids" 'BEGIN { n = split(ids, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		NR == 1 || ($2 in want)' /proc/sysvipc/shm >"$dir/proc/sysvipc/shm"
fi

# Mapped files: one header copy per (dev, inode), one link per mapping.
declare -A copied=()
while read -r range perms offset dev inode path; do
	[ "$inode" != 0 ] || continue
	case "$path" in /*) ;; *) continue ;; esac
	from=$src/map_files/$range
	[ -e "$from" ] || continue
	name=${path##*/}
	name=${name% (deleted)}
	obj=$inode-${name//[^A-Za-z0-9._-]/_}
	if [ -z "${copied[$dev:$inode]:-}" ]; then
		size=$(stat -L -c %s "$from")
		head -c 4096 "$from" >"$objects/$obj"
		truncate -s "$size" "$objects/$obj"
		copied[$dev:$inode]=$(realpath -m --relative-to="$dst/map_files" "$objects/$obj")
	fi
	ln -s "${copied[$dev:$inode]}" "$dst/map_files/$range"
done <"$src/maps"

cmd=$(tr '\0' ' ' <"$src/cmdline")
cat >"$dir/README" <<EOF
A process captured by scripts/capture-fixture.sh for vmscope's golden tests:
  vmscope --proc-root $(basename "$dir")/proc $pid

process: $pid ($(cat "$src/comm")), stopped
command: ${cmd% }
kernel:  $(uname -srm)
date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')

proc/$pid/ holds copies of its /proc files; exe is a text file holding the
link's target. $(realpath -m --relative-to="$dir" "$objects")/ holds the first 4 KiB of each mapped file (its
ELF headers) at the file's size, the rest zeros; proc/$pid/map_files/ links to them.
EOF
echo "captured pid $pid into $dir"
