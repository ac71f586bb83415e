/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the pagemap files of src/proc share. pagemap-decode.c turns bytes
 * into runs of pages and sums them per region (pure functions, for tests
 * and fuzzers); pagemap.c reads them from the kernel (PAGEMAP_SCAN, or pread
 * of pagemap entries, and kpageflags/kpagecount as root); pagemap-collect.c
 * fills a snapshot's regions. Calls go pagemap-collect.c -> pagemap.c ->
 * pagemap-decode.c, never back.
 */
#ifndef VMSCOPE_PAGEMAP_INTERNAL_H
#define VMSCOPE_PAGEMAP_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmscope/pages.h"

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
enum {
	KPF_REFERENCED = 2,
	KPF_DIRTY = 4,
	KPF_LRU = 5,
	KPF_ACTIVE = 6,
	KPF_ANON = 12,
	KPF_NOPAGE = 20,
	KPF_KSM = 21,
	KPF_THP = 22,
	KPF_ZERO_PAGE = 24,
	KPF_MLOCKED = 33,
};

#define PB(c) VMS_PAGE_BIT(c)
/* A kpageflags slot that was not read */
#define KFLAGS_NONE (UINT64_C(1) << KPF_NOPAGE)

/* An open pagemap (pagemap.c). */
struct vms_pagemap {
	int fd, kflags_fd, kcount_fd;
	int kpage_error;
	bool scan, scan_guard, entries, detail;
	bool probed; /* PAGEMAP_SCAN was tried (not a forced pread) */
	uint32_t page_size;
	struct vms_scan_region *vec;
	size_t vec_len; /* ranges vec holds: grows to SCAN_VEC as calls fill it */
	/* VMSCOPE_TEST_PAGEMAP_SCAN_FAIL: the walks' call that fails, from 1; 0 none */
	unsigned long scan_fail_at, scan_calls;
	uint64_t *buf, *kflags, *kcount; /* CHUNK each */
};

/* A read's -ENOENT or -ESRCH: the process is gone. */
static inline int pagemap_errno_gone(int r)
{
	return r == -ENOENT || r == -ESRCH ? -ESRCH : r;
}

#endif
