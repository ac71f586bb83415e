#!/usr/bin/env python3
# fuse-server.py MOUNTPOINT FILE LOG: a FUSE filesystem of one read-only file,
# lib.so (a copy of FILE), spoken over /dev/fuse without libfuse (root
# only: it mounts with mount(2)). Every request but the forgets is logged to
# LOG as "OPCODE PID" as it comes, and answered at once: a test sees which
# processes asked the filesystem anything. Attributes and entries are never
# cached (valid 0 s), so that each stat of the file is a request.
# "mounted" on stdout once mounted; runs until unmounted.
import ctypes
import os
import stat
import struct
import sys
import time

mountpoint, source, log_path = sys.argv[1:4]
data = open(source, 'rb').read()
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open('/dev/fuse', os.O_RDWR)
opts = f'fd={fd},rootmode=40000,user_id=0,group_id=0,allow_other'.encode()
MS_NOSUID, MS_NODEV = 0x2, 0x4
if libc.mount(b'vmscope-test', mountpoint.encode(), b'fuse',
              ctypes.c_ulong(MS_NOSUID | MS_NODEV), opts) != 0:
    print('mount failed:', os.strerror(ctypes.get_errno()), flush=True)
    sys.exit(1)
print('mounted', flush=True)
log = open(log_path, 'a', buffering=1)
now = int(time.time())

LOOKUP, FORGET, GETATTR, OPEN, READ, RELEASE, FLUSH, INIT = 1, 2, 3, 14, 15, 18, 25, 26
OPENDIR, READDIR, RELEASEDIR, DESTROY, BATCH_FORGET = 27, 28, 29, 38, 42
ROOT, FILE = 1, 2


def attr(node):
    if node == ROOT:
        mode, size, nlink = stat.S_IFDIR | 0o755, 0, 2
    else:
        mode, size, nlink = stat.S_IFREG | 0o755, len(data), 1
    # fuse_attr: ino size blocks atime mtime ctime, the three nsecs, mode
    # nlink uid gid rdev blksize flags
    return struct.pack('<QQQQQQIIIIIIIIII', node, size, (size + 511) // 512,
                       now, now, now, 0, 0, 0, mode, nlink, 0, 0, 0, 4096, 0)


def reply(unique, err=0, body=b''):
    os.write(fd, struct.pack('<IiQ', 16 + len(body), err, unique) + body)


while True:
    try:
        buf = os.read(fd, 1 << 20)
    except OSError as e:
        if e.errno == 19:  # ENODEV: unmounted
            break
        raise
    _, op, unique, node, _, _, pid, _, _ = struct.unpack_from('<IIQQIIIHH', buf)
    body = buf[40:]
    if op not in (FORGET, BATCH_FORGET):
        log.write(f'{op} {pid}\n')
    if op == INIT:
        _, _, readahead, _ = struct.unpack_from('<IIII', body)
        # fuse_init_out: 7.31, no flags, 64 bytes
        reply(unique, 0, struct.pack('<IIIIHHIIHHII', 7, 31, readahead, 0, 16, 12,
                                     131072, 1, 32, 0, 0, 0) + bytes(24))
    elif op == LOOKUP:
        name = body.split(b'\0')[0]
        if node == ROOT and name == b'lib.so':
            reply(unique, 0, struct.pack('<QQQQII', FILE, 0, 0, 0, 0, 0) + attr(FILE))
        else:
            reply(unique, -2)
    elif op == GETATTR:
        reply(unique, 0, struct.pack('<QII', 0, 0, 0) + attr(node))
    elif op in (OPEN, OPENDIR):
        reply(unique, 0, struct.pack('<QIi', 1, 0, 0))
    elif op == READ:
        _, offset, size = struct.unpack_from('<QQI', body)
        reply(unique, 0, data[offset:offset + size])
    elif op == READDIR:
        reply(unique, 0, b'')
    elif op in (RELEASE, FLUSH, RELEASEDIR):
        reply(unique, 0)
    elif op in (FORGET, BATCH_FORGET):
        pass
    elif op == DESTROY:
        reply(unique, 0)
        break
    else:
        reply(unique, -38)  # ENOSYS
