#!/bin/bash
# pages-speed.sh [BUILDDIR]: a 16 GiB mapping with one page in 64 written;
# the page scan of the whole process as the report does it, against a bare
# PAGEMAP_SCAN loop and against reading pagemap 8 bytes a page (and 64 KiB
# at a time). BUILDDIR (default build) must hold the core library and
# tests/live/live-target. Needs Linux 6.7+ for PAGEMAP_SCAN.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
target=$build/tests/live/live-target
lib=$build/libvmscope-core.a
for f in "$target" "$lib"; do
	[ -e "$f" ] || { echo "pages-speed: $f is not built (ninja -C $build)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'kill -KILL ${pid:-0} 2>/dev/null || true; rm -rf "$tmp"' EXIT
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$build" -I"$root" -I"$root/include" -I"$root/src" \
	$(pkg-config --cflags json-c) "$root/bench/pages-speed.c" "$lib" \
	$(pkg-config --libs libproc2 libelf json-c) -lpthread -o "$tmp/pages-speed"

"$target" --sparse-mib 16384 --sparse-every 64 >"$tmp/facts" &
pid=$!
for i in $(seq 400); do
	grep -q '^State:[[:space:]]*T' "/proc/$pid/status" 2>/dev/null && break
	sleep 0.05
done
echo "kernel $(uname -r), $(nproc) CPUs; target pid $pid: $(grep '^sparse' "$tmp/facts")"
"$tmp/pages-speed" "$pid" "${RUNS:-7}"
