#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# server-labels.py PROGRAM DIR: checks vmscope's labels of a frozen real
# program against what the kernel says and what the program is known to map.
# DIR holds what test-servers.sh read while the process was frozen: maps (its
# /proc/PID/maps), shm (/proc/sysvipc/shm), task (one "tid sp" line per
# thread, from task/TID/syscall), chunks (malloc-chunks.py PID), snap.json
# (vmscope --format json) and report.txt (vmscope --all --width 250 --color
# never). Prints one line per
# check: "ok DESCRIPTION" or "not ok DESCRIPTION" then "# " lines saying why.
import json
import os
import re
import subprocess
import sys

program, d = sys.argv[1], sys.argv[2]
GIB = 1 << 30
MIB = 1 << 20
HEAP_MAX = 64 * MIB  # glibc's HEAP_MAX_SIZE on 64-bit


def read(name):
    with open(os.path.join(d, name), encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


snap = json.loads(read("snap.json"))
regions = snap["regions"]
for r in regions:
    r["lo"], r["hi"] = int(r["start"], 16), int(r["end"], 16)
by_start = {r["lo"]: r for r in regions}

# the kernel's maps: start -> (end, perms, inode, name as printed, offset)
maps = {}
for line in read("maps").splitlines():
    f = line.split(None, 5)
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    maps[lo] = (hi, f[1], int(f[4]), f[5] if len(f) > 5 else "", int(f[2], 16))

# /proc/sysvipc/shm: shmid -> (key, mode, nattch)
shm = {}
for line in read("shm").splitlines()[1:]:
    f = line.split()
    shm[int(f[1])] = (int(f[0]) & 0xFFFFFFFF, int(f[2], 8), int(f[6]))

# the regions table of the text report: address -> label
labels = {}
row = re.compile(r"^\s*([0-9a-f]+) [r-][w-][x-][ps]\s+(\S+\s+){5}(.*?)(?:  (/.*))?$")
for line in read("report.txt").splitlines():
    m = row.match(line)
    if m:
        labels[int(m.group(1), 16)] = m.group(3).strip()

results = []


def check(desc, problems, skip=None):
    results.append((desc, problems, skip))


def label_of(r):
    return labels.get(r["lo"], "<no row>")


def where(r):
    return "%s-%s %s %r: kind %s, label %r" % (r["start"], r["end"], r["perms"], r["name"],
                                                r["kind"], label_of(r))


# ---- what every program must show ------------------------------------------

def same_as_maps():
    bad = []
    if set(maps) != set(by_start):
        bad.append("regions %d, maps lines %d" % (len(by_start), len(maps)))
    for lo, (hi, perms, inode, name, _) in maps.items():
        r = by_start.get(lo)
        if not r:
            continue
        kname = name[:-len(" (deleted)")] if name.endswith(" (deleted)") else name
        if r["hi"] != hi or r["perms"] != perms or r["inode"] != inode or r["name"] != kname:
            bad.append("%x: maps says %x %s %d %r; %s" % (lo, hi, perms, inode, name, where(r)))
    return bad


def prot_none():
    bad = []
    for i, r in enumerate(regions):
        if r["perms"][:3] != "---":
            continue
        if r["kind"] == "guard":
            nxt = regions[i + 1] if i + 1 < len(regions) else None
            if not (nxt and nxt["lo"] == r["hi"] and nxt["kind"] in ("stack", "thread_stack")
                    and r["hi"] - r["lo"] <= nxt["hi"] - nxt["lo"]):
                bad.append("a guard under no stack: " + where(r))
        elif r["kind"] != "reserved":
            bad.append(where(r))
        elif not label_of(r).endswith("reserved"):
            bad.append("label: " + where(r))
    return bad


def kernel_shm():
    bad = []
    for r in regions:
        lo = r["lo"]
        name = maps[lo][3]
        if name == "/dev/zero (deleted)" and r["perms"][3] == "s":
            if r["kind"] != "shm" or r["deleted"] or label_of(r) != "shared anon":
                bad.append(where(r))
        elif name.startswith("/memfd:"):
            want = "memfd " + name[len("/memfd:"):-len(" (deleted)")]
            if r["deleted"] or not label_of(r).startswith(want):
                bad.append(where(r))
        elif re.match(r"^/SYSV[0-9a-f]{8} \(deleted\)$", name):
            key, mode, nattch = shm.get(r["inode"], (None, 0, 0))
            marked = bool(mode & 0o1000)
            want = "SysV shm key 0x%s id %d" % (name[5:13], r["inode"])
            seg = [s for s in snap["sysv"] if s["id"] == r["inode"]]
            if (key is None or r["kind"] != "shm" or r["deleted"] != marked
                    or not label_of(r).startswith(want) or len(seg) != 1
                    or seg[0]["nattch"] != nattch or seg[0]["marked_for_removal"] != marked):
                bad.append("%s; /proc/sysvipc/shm: %r; sysv %r" % (where(r),
                                                                  shm.get(r["inode"]), seg))
    return bad


def thread_stacks():
    bad = []
    for line in read("task").splitlines():
        tid, sp = line.split()
        sp = int(sp, 16)
        hold = [r for r in regions if r["lo"] <= sp < r["hi"]]
        if not hold:
            bad.append("thread %s: sp %x in no region" % (tid, sp))
            continue
        r = hold[0]
        if r["kind"] == "stack":
            continue
        if r["kind"] != "thread_stack" or r["tid"] != int(tid) or \
                label_of(r) != "thread stack %s" % tid:
            bad.append("thread %s: %s" % (tid, where(r)))
    return bad


def arenas():
    bad = []
    heaps = {}
    for i, r in enumerate(regions):
        if r["kind"] != "malloc_arena":
            continue
        rest = regions[i + 1]
        # the threads whose thread_arena is the malloc_state after its heap_info
        tids = [str(t["tid"]) for t in snap["threads"]
                if t.get("arena") and int(t["arena"], 16) == r["lo"] + 48]
        want = "malloc arena" + (" of " + " ".join(tids[:3]) if tids else "")
        want += " +%d" % (len(tids) - 3) if len(tids) > 3 else ""
        heaps[r["lo"] + 48] = r
        if (r["lo"] % HEAP_MAX or r["perms"] != "rw-p" or rest["lo"] != r["hi"]
                or rest["kind"] != "reserved" or rest["hi"] != r["lo"] + HEAP_MAX
                or label_of(r) != want):
            bad.append("%s (want %r)" % (where(r), want))
    for t in snap["threads"]:
        if t.get("arena") and int(t["arena"], 16) not in heaps:
            bad.append("thread %d: arena %s is no malloc arena's" % (t["tid"], t["arena"]))
    return bad


def malloc_mmaps():
    """The regions malloc-chunks.py read as malloc's mmapped chunks end to
    end, and no others, are malloc_mmap, 'malloc mmap'."""
    chunks = {}
    for line in read("chunks").splitlines():
        lo, hi, _ = line.split()
        chunks[int(lo, 16)] = int(hi, 16)
    bad = []
    for r in regions:
        want = chunks.get(r["lo"]) == r["hi"]
        if want != (r["kind"] == "malloc_mmap") or (want and label_of(r) != "malloc mmap"):
            bad.append("%s: %s" % (where(r), "chunks end to end" if want else "not chunks"))
    return bad


check("regions are the kernel's maps lines", same_as_maps())
check("PROT_NONE: a guard right below a stack, else reserved", prot_none())
check("the kernel's shared memory: shared anon, SysV, memfd, none deleted unless removed",
      kernel_shm())
check("each thread's stack holds its stack pointer and names it", thread_stacks())
check("malloc arenas: 64 MiB-aligned rw start, reserved rest", arenas())
check("malloc's mmapped chunks, read here, are malloc mmap, and nothing else is", malloc_mmaps())


# ---- what each program is known to map ---------------------------------------

def find(pred):
    return [r for r in regions if pred(r)]


def need(desc, found, bad_of=None):
    problems = [] if found else ["none found"]
    for r in found:
        why = bad_of(r) if bad_of else None
        if why:
            problems.append("%s: %s" % (why, where(r)))
    check(desc, problems)


def jvm_range(what, lo, hi, kind, label):
    """The accessible anonymous regions of [lo, hi), and no others, are of
    kind; a region the kernel merged from two of the JVM's ranges counts as
    the one that holds the most of it."""
    def mostly_in(r):
        return 2 * (min(r["hi"], hi) - max(r["lo"], lo)) > r["hi"] - r["lo"]
    need("%s: %s, '%s'" % (what, kind, label),
         find(lambda r: mostly_in(r) and maps[r["lo"]][3] == ""
              and maps[r["lo"]][1][:2] != "--"),
         lambda r: None if r["kind"] == kind and label_of(r) == label
         else "%s, %s" % (r["kind"], label_of(r)))
    check("nothing outside it is %s" % kind,
          [where(r) for r in regions if r["kind"] == kind and not mostly_in(r)])


if program == "postgres":
    need("its shared buffers are shared anon, not a deleted file",
         find(lambda r: maps[r["lo"]][3] == "/dev/zero (deleted)" and r["hi"] - r["lo"] >= 16 * MIB),
         lambda r: None if r["kind"] == "shm" and not r["deleted"]
         and label_of(r) == "shared anon" else "wrong")
    need("its SysV interlock segment is named by key and id, not deleted",
         find(lambda r: maps[r["lo"]][3].startswith("/SYSV")),
         lambda r: None if not r["deleted"] and label_of(r).startswith("SysV shm key 0x")
         else "wrong")
    if not os.stat("/dev/shm").st_mode & 0o002:
        # (a chroot's /dev/shm made without mode 1777: the server cannot
        # create its segments there)
        check("its dynamic shared memory is the /dev/shm file", [],
              "/dev/shm is not writable by the server's user (mode %o)"
              % (os.stat("/dev/shm").st_mode & 0o7777))
    else:
        need("its dynamic shared memory is the /dev/shm file",
             find(lambda r: maps[r["lo"]][3].startswith("/dev/shm/PostgreSQL.")),
             lambda r: None if r["kind"] == "shm" and
             label_of(r) == os.path.basename(r["name"]) else "wrong")
elif program in ("nginx", "nginx-worker"):
    need("the 1 MiB limit_conn zone is shared anon",
         find(lambda r: maps[r["lo"]][3] == "/dev/zero (deleted)" and r["hi"] - r["lo"] >= MIB),
         lambda r: None if r["kind"] == "shm" and not r["deleted"]
         and label_of(r) == "shared anon" else "wrong")
elif program in ("java", "java-noshare", "java-nocoops"):
    need("the compressed class space (1 GiB of PROT_NONE) is reserved",
         find(lambda r: r["perms"] == "---p" and r["hi"] - r["lo"] >= 512 * MIB),
         lambda r: None if r["kind"] == "reserved" else "wrong")
    need("the code cache's unused reservation is reserved",
         find(lambda r: r["perms"] == "---p" and any(
             p["hi"] == r["lo"] and p["perms"] == "rwxp" for p in regions)),
         lambda r: None if r["kind"] == "reserved" else "wrong")
    need("Java threads' stacks have their guard zones right below",
         find(lambda r: r["kind"] == "thread_stack"),
         lambda r: None if any(g["hi"] == r["lo"] and g["kind"] == "guard"
                               for g in regions) else "no guard below")
    need("its perf data file is hsperfdata_USER/PID",
         find(lambda r: re.search(r"/hsperfdata_[^/]+/[0-9]+$", r["name"])),
         lambda r: None if label_of(r) == "/".join(r["name"].split("/")[-2:]) else "wrong")
    # where the JVM said it put its heap (-Xlog:gc+heap+coops=debug)
    try:
        logged = re.search(r"Heap address: 0x([0-9a-f]+), size: ([0-9]+) MB", read("heap.log"))
    except OSError:
        logged = None
    if not logged and program == "java-nocoops":
        check("its Java heap is java_heap", [],
              "without compressed object pointers the JVM logs no heap address")
    elif not logged:
        check("its Java heap is java_heap", ["the JVM logged no heap address"])
    else:
        lo = int(logged.group(1), 16)
        jvm_range("its Java heap (0x%x, %d MB, as it logged)" % (lo, int(logged.group(2))),
                  lo, lo + int(logged.group(2)) * MIB, "java_heap", "Java heap")
    # where the JVM said it put its class space (-Xlog:gc+metaspace), found
    # where libjvm.so's symbol table names its size (Debian's does)
    try:
        logged = re.search(r"Compressed class space mapped at: 0x([0-9a-f]+)-0x([0-9a-f]+)",
                           read("metaspace.log"))
    except OSError:
        logged = None
    libjvm = next((n for (_, _, _, n, _) in maps.values() if n.endswith("/libjvm.so")), None)
    try:
        named = libjvm and " CompressedClassSpaceSize\n" in subprocess.run(
            ["nm", libjvm], capture_output=True, text=True).stdout
    except OSError:
        named = None
    if not logged:
        check("its class space is class_space", ["the JVM logged no class space"])
    elif not named:
        check("its class space is class_space", [],
              "%s has no symbol CompressedClassSpaceSize (or nm is missing)" % libjvm)
    else:
        lo, hi = int(logged.group(1), 16), int(logged.group(2), 16)
        jvm_range("its class space's committed parts (0x%x-0x%x, as it logged)" % (lo, hi),
                  lo, hi, "class_space", "JVM class space")
    # its code cache: where the JIT's code is, anonymous and rwx, 32 MiB
    # reserved (-XX:ReservedCodeCacheSize=32m)
    need("its JIT's code (anonymous rwx) is code_cache, 'JVM code cache'",
         find(lambda r: maps[r["lo"]][3] == "" and r["perms"] == "rwxp"),
         lambda r: None if r["kind"] == "code_cache" and label_of(r) == "JVM code cache"
         else "%s, %s" % (r["kind"], label_of(r)))
    code = [r for r in regions if r["kind"] == "code_cache"]
    check("the code_cache regions lie within the 32 MiB it reserved",
          [] if code and max(r["hi"] for r in code) - min(r["lo"] for r in code) <= 32 * MIB
          else ["%d regions: %s" % (len(code), ", ".join(where(r) for r in code[:5]))])
    need("malloc arenas of its threads, named after them",
         find(lambda r: r["kind"] == "malloc_arena"),
         lambda r: None if label_of(r).startswith("malloc arena") else "wrong")
    check("its threads' arenas are known (read from their thread_arena)",
          [] if any(t.get("arena") for t in snap["threads"]) else ["no thread's arena"])
elif program == "node":
    exe = snap["process"]["exe"]
    need("its Buffer of 4 MiB is malloc's mmapped chunks",
         find(lambda r: r["kind"] == "malloc_mmap" and r["hi"] - r["lo"] >= 4 * MIB),
         lambda r: None if label_of(r) == "malloc mmap" else "wrong")
    need("V8's pointer cage (over 128 MiB of PROT_NONE) is reserved",
         find(lambda r: r["perms"] == "---p" and r["hi"] - r["lo"] >= 128 * MIB),
         lambda r: None if r["kind"] == "reserved" else "wrong")
    # An executable mapping of the executable whose address less its file
    # offset is not the image's (that of its mapping at offset 0): V8 mapped
    # its builtins again into its code range. It does so only when that range
    # lies beyond 2 GiB of them, which is up to where the range lands (about 1
    # start in 60 here, it lands near the binary). Only r-xp: the image's own
    # data segments can lie at another address less offset (node's RW segment
    # here: 0x401000 against 0x400000).
    base = [lo for lo, m in maps.items() if m[3] == exe and m[4] == 0]
    again = [lo for lo, m in maps.items()
             if m[3] == exe and m[1] == "r-xp" and base and lo - m[4] != base[0]]
    what = "its .text mapped again into V8's code range says so"
    if again:
        need(what, find(lambda r: r["lo"] in again and r["perms"] == "r-xp"),
             lambda r: None if r["kind"] == "file" and label_of(r).endswith(".text (remapped)")
             else "wrong")
    else:
        check(what, [], "V8 did not map it again this time (its code range is near the binary)")
    check("no other mapping is said to be remapped",
          [where(r) for r in regions if label_of(r).endswith("(remapped)") and r["lo"] not in again])

for desc, problems, skip in results:
    if skip:
        print("ok %s: %s # SKIP %s" % (program, desc, skip))
    elif problems:
        print("not ok %s: %s" % (program, desc))
        for p in problems[:20]:
            print("# " + p)
    else:
        print("ok %s: %s" % (program, desc))
