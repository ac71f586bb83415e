/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hand-built snapshots for the reporter tests. */
#ifndef VMSCOPE_TESTS_REPORT_FIXTURE_H
#define VMSCOPE_TESTS_REPORT_FIXTURE_H

#include "vmscope/snapshot.h"

/*
 * A process with a realistic layout (program, heap, anonymous mmaps, a
 * thread stack, libc, a mapped file, shared memory, the main stack, vdso,
 * vsyscall) and hostile names: an escape sequence in comm, control
 * characters in the command line, invalid UTF-8 and a kernel-escaped
 * newline in a path. Every source read except tasks (EACCES).
 */
struct vms_snapshot *fixture_full(void);

/* Another user's process: status and stat read, smaps, smaps_rollup and
 * exe refused, no regions, no faults. */
struct vms_snapshot *fixture_restricted(void);

/* A kernel thread: no regions at all, every source read. */
struct vms_snapshot *fixture_kthread(void);

#endif
