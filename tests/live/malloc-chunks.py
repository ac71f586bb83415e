#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# malloc-chunks.py PID: the regions of a frozen process that are, end to
# end, chunks glibc's malloc mapped for large requests, read here on their
# own: each anonymous private read-write region of 128 KiB or more, of no
# name or "[anon: glibc: malloc]", walked header by header through
# /proc/PID/mem where /proc/PID/pagemap says the page is in memory (a read
# of another would make it the process's). Prints "START END CHUNKS" (hex,
# hex, decimal) for each.
import os
import struct
import sys

pid = sys.argv[1]
PAGE = os.sysconf("SC_PAGE_SIZE")


def present(pagemap, addr):
    pagemap.seek(addr // PAGE * 8)
    return bool(struct.unpack("<Q", pagemap.read(8))[0] >> 63 & 1)


def chunks(mem, pagemap, lo, hi):
    n, at = 0, lo
    while at < hi:
        if not present(pagemap, at):
            return 0
        mem.seek(at)
        prev_size, size = struct.unpack("<QQ", mem.read(16))
        length = size & ~7
        if prev_size or size & 7 != 2 or not length or length % PAGE or length > hi - at:
            return 0
        at += length
        n += 1
    return n


with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem, \
        open("/proc/%s/pagemap" % pid, "rb", 0) as pagemap:
    for line in maps:
        f = line.split(None, 5)
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        name = f[5].strip() if len(f) > 5 else ""
        if f[1] != "rw-p" or int(f[4]) != 0 or name not in ("", "[anon: glibc: malloc]") or \
                hi - lo < 128 << 10:
            continue
        n = chunks(mem, pagemap, lo, hi)
        if n:
            print("%x %x %d" % (lo, hi, n))
