/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level truth: which pages of a region are resident, swapped, shared,
 * zero, huge, guards; as root, their kpageflags and map counts. The decoders
 * and per-region sums are in src/proc/pagemap-decode.c, the reader
 * (vms_pagemap_*) in pagemap.c, the snapshot's pages (vms_collect_pages_swept,
 * vms_proc_clear_refs) in pagemap-collect.c.
 *
 * Two readers give the same runs: the PAGEMAP_SCAN ioctl (Linux 6.7+),
 * which returns ranges of pages with one state and skips what is not
 * populated, and pread of 8-byte pagemap entries, which can also tell
 * whether a page is mapped by this process alone and, with CAP_SYS_ADMIN,
 * its frame number (the key to kpageflags and kpagecount). The decoders
 * below are pure functions of bytes, for tests and fuzzers.
 */
#ifndef VMSCOPE_PAGES_H
#define VMSCOPE_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/snapshot.h"

/* The state of a page: bit (1u << enum vms_page_count) for each that holds. */
#define VMS_PAGE_BIT(c) (UINT32_C(1) << (c))

/* A run of pages with one state: [start, end), both page-aligned. */
struct vms_page_run {
	uint64_t start, end;
	uint32_t state;    /* VMS_PAGE_BIT()s; never 0 in a walk */
	uint32_t mapcount; /* kpagecount of every page of the run, 0 unknown */
};

/*
 * Receives runs in address order. Returns 0 to go on or a negative errno
 * that stops the walk and becomes its result.
 */
typedef int (*vms_page_run_fn)(const struct vms_page_run *run, void *ctx);

/* Coalesces adjacent pages of one state into runs for fn. */
struct vms_run_builder {
	struct vms_page_run cur; /* cur.end == cur.start: none pending */
	vms_page_run_fn fn;
	void *ctx;
	int error; /* the first error of fn */
};

void vms_run_builder_init(struct vms_run_builder *b, vms_page_run_fn fn, void *ctx);
/* [start, end) in state with mapcount; state 0 flushes and is dropped. */
void vms_run_builder_add(struct vms_run_builder *b, uint64_t start, uint64_t end, uint32_t state,
			 uint32_t mapcount);
/* Hands over the pending run; returns b->error. */
int vms_run_builder_flush(struct vms_run_builder *b);

/* Bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define VMS_PM_PRESENT (UINT64_C(1) << 63)
#define VMS_PM_SWAPPED (UINT64_C(1) << 62)
#define VMS_PM_FILE (UINT64_C(1) << 61)
#define VMS_PM_GUARD (UINT64_C(1) << 58)
#define VMS_PM_EXCLUSIVE (UINT64_C(1) << 56)
#define VMS_PM_PFN_MASK ((UINT64_C(1) << 55) - 1)

/* Categories of PAGEMAP_SCAN (PAGE_IS_*). */
enum {
	VMS_SCAN_WPALLOWED = 1 << 0,
	VMS_SCAN_WRITTEN = 1 << 1,
	VMS_SCAN_FILE = 1 << 2,
	VMS_SCAN_PRESENT = 1 << 3,
	VMS_SCAN_SWAPPED = 1 << 4,
	VMS_SCAN_PFNZERO = 1 << 5,
	VMS_SCAN_HUGE = 1 << 6,
	VMS_SCAN_SOFT_DIRTY = 1 << 7,
	VMS_SCAN_GUARD = 1 << 8, /* Linux 6.14+ */
};

/* One range of a PAGEMAP_SCAN answer (struct page_region). */
struct vms_scan_region {
	uint64_t start, end, categories;
};

/* A pagemap entry → state (guard tested before swapped: guards set both). */
uint32_t vms_pagemap_entry_state(uint64_t entry);
/* PAGEMAP_SCAN categories → state. */
uint32_t vms_pagemap_scan_state(uint64_t categories);
/* kpageflags bits → state (anon, dirty, ..., large folio, zero page). */
uint32_t vms_kpageflags_state(uint64_t flags);

/*
 * n pagemap entries for the pages from addr into b, as runs. kflags and
 * kcount, when not NULL, hold kpageflags and kpagecount per entry (only
 * read for present entries). Returns b->error.
 */
int vms_pagemap_decode_entries(const uint64_t *entries, size_t n, uint64_t addr,
			       uint32_t page_size, const uint64_t *kflags, const uint64_t *kcount,
			       struct vms_run_builder *b);
/*
 * n ranges of a PAGEMAP_SCAN answer into b, clipped to [start, end) and to
 * what b has already passed (answers may repeat a range). Returns the end
 * of the last range, or start if none; -EBADMSG for a range that is not
 * page-aligned or runs backwards.
 */
int64_t vms_pagemap_decode_scan(const struct vms_scan_region *v, size_t n, uint64_t start,
				uint64_t end, uint32_t page_size, struct vms_run_builder *b);

/* Sums runs into a region's counters and residency histogram. */
struct vms_pages_acc {
	struct vms_region_pages *out;
	uint64_t start, pages;  /* the region */
	uint32_t page_size;
	/* [lo, hi) of [0, out->n_hist) in use: the buckets a run reached, the
	 * others 0 and not written (a region is mostly empty buckets) */
	unsigned lo, hi;
	uint64_t bucket_present[VMS_PAGE_HIST]; /* pages in Rss */
	uint64_t bucket_zero[VMS_PAGE_HIST];    /* zero-page mappings */
	uint64_t pss_frac; /* PSS in pages << 16 */
};

/* The stretches of the histogram of [start, end): its pages, at most
 * VMS_PAGE_HIST. */
unsigned vms_pages_n_hist(uint64_t start, uint64_t end, uint32_t page_size);
/* known: the VMS_PAGE_BIT()s the reader can tell; they become out->have.
 * out holds vms_region_pages_size(vms_pages_n_hist(start, end, page_size))
 * bytes at least. */
void vms_pages_acc_init(struct vms_pages_acc *a, struct vms_region_pages *out, uint64_t start,
			uint64_t end, uint32_t page_size, uint32_t known);
/* A run inside the region (clipped to it). */
void vms_pages_acc_add(struct vms_pages_acc *a, const struct vms_page_run *run);
/* Fills the histogram and PSS. */
void vms_pages_acc_finish(struct vms_pages_acc *a);

/*
 * The PMD-mapped huge pages of a whole region, when its reader could not
 * tell them (pagemap entries, without PAGEMAP_SCAN): smaps' AnonHugePages +
 * ShmemPmdMapped + FilePmdMapped of r, the same pages. Nothing when r's
 * smaps has none of those keys.
 */
void vms_region_pages_thp_from_smaps(struct vms_region_pages *p, const struct vms_region *r);

/* An open pagemap of one process, with kpageflags/kpagecount as root. */
struct vms_pagemap;

enum vms_pagemap_method {
	VMS_PAGEMAP_AUTO = 0, /* PAGEMAP_SCAN when the kernel has it, else pread */
	VMS_PAGEMAP_SCAN,     /* PAGEMAP_SCAN only (-EOPNOTSUPP without it) */
	VMS_PAGEMAP_PREAD,    /* pread of every entry */
};

enum {
	/*
	 * Also read the entries of every present page: exclusive mapping and,
	 * as root, kpageflags and kpagecount. Costs a pread per stretch of
	 * present pages on top of the scan.
	 */
	VMS_PAGEMAP_DETAIL = 1 << 0,
};

/*
 * Opens pid_dirfd/pagemap and, with VMS_PAGEMAP_DETAIL, root_fd/kpageflags
 * and kpagecount (their error, e.g. -EACCES without root, is kept for
 * vms_pagemap_kpage_error and does not fail the open). Returns 0,
 * -EOPNOTSUPP (SCAN asked, the kernel lacks it) or another -errno.
 */
int vms_pagemap_open(int pid_dirfd, int root_fd, enum vms_pagemap_method method, unsigned flags,
		     struct vms_pagemap **ret);
void vms_pagemap_free(struct vms_pagemap *pm);
/* Whether runs come from PAGEMAP_SCAN / from pagemap entries. */
bool vms_pagemap_uses_scan(const struct vms_pagemap *pm);
bool vms_pagemap_uses_entries(const struct vms_pagemap *pm);
/* The VMS_PAGE_BIT()s this reader can tell. */
uint32_t vms_pagemap_known(const struct vms_pagemap *pm);
/* 0, not asked (no DETAIL), or -errno why kpageflags are not read. */
int vms_pagemap_kpage_error(const struct vms_pagemap *pm);

/*
 * The runs of [start, end) with a state (pages not populated are left
 * out), in address order. Returns 0, -ESRCH when the process is gone, an
 * error of fn, or another -errno.
 */
int vms_pagemap_walk(struct vms_pagemap *pm, uint64_t start, uint64_t end, vms_page_run_fn fn,
		     void *ctx);

/*
 * 0 while the process's address space lives, -ESRCH once it is gone. An
 * exiting process drops it before a pidfd tells that it exited, and reads
 * of it are then empty rather than failed: call this after reading.
 */
int vms_pagemap_check_mm(struct vms_pagemap *pm);

/* pread entries a report reads by default: 4 GiB of address space, ~10 ms */
#define VMS_PAGES_PREAD_BUDGET (UINT64_C(1) << 20)

struct vms_pages_options {
	enum vms_pagemap_method method;
	unsigned flags; /* VMS_PAGEMAP_DETAIL */
	/*
	 * The most pagemap entries pread may read for the whole process, 0 no
	 * limit. Over it (a huge sparse mapping without PAGEMAP_SCAN) nothing
	 * is read and the source stays untried: the cost stays bounded.
	 */
	uint64_t pread_budget;
};

/*
 * The sweep of vms_collect_pages_swept (PAGEMAP_SCAN without VMS_PAGEMAP_DETAIL)
 * started early, while smaps is read: in pieces by the thread that parses
 * smaps (vms_pages_sweep_feed), or, for a large resident set (rss_pages,
 * from stat; or regions parsed that hold as much), on a thread of its own
 * over the address space below VMS_PAGES_SWEEP_END, two walks of the
 * kernel's page tables at once. NULL when the sweep does not apply (pread,
 * details, no PAGEMAP_SCAN, pagemap not readable): vms_collect_pages_swept
 * then does all the work.
 */
struct vms_pages_sweep;
/* below the lowest top of user space (x86-64: 2^47 less a page), 64 KiB aligned */
#define VMS_PAGES_SWEEP_END ((UINT64_C(1) << 47) - (UINT64_C(1) << 16))
struct vms_pages_sweep *vms_pages_sweep_start(int pid_dirfd, int root_fd,
					      const struct vms_pages_options *o,
					      uint64_t rss_pages);
/* Waits for the sweep's thread and frees it; NULL is ignored. */
void vms_pages_sweep_free(struct vms_pages_sweep *sw);
/*
 * snap's first `complete` regions are read whole (smaps), all of them with
 * last: in pieces, every few hundred and the last, their pages are walked
 * and summed on the caller's thread; on the sweep's thread, once its walk
 * is done, they are summed here. Never waits for the walk: what is left is
 * summed by vms_collect_pages_swept, which drops what was summed if snap
 * has fewer regions by then (smaps failed: none).
 */
void vms_pages_sweep_feed(struct vms_pages_sweep *sw, struct vms_snapshot *snap, size_t complete,
			  bool last);
/*
 * Asks vms_collect(p) to start the sweep as soon as smaps is being read
 * (after the command line, which reads the process's memory); the sweep
 * is then vms_proc_take_sweep(p)'s, or freed with p.
 */
struct vms_proc;
void vms_proc_sweep_early(struct vms_proc *p, int root_fd, const struct vms_pages_options *o);
struct vms_pages_sweep *vms_proc_take_sweep(struct vms_proc *p);
/*
 * Page counters and the residency histogram of every region of snap into
 * region->pages, with the runs of sw (NULL: none), which it frees; records
 * VMS_SRC_PAGEMAP (and VMS_SRC_KPAGEFLAGS with DETAIL) in snap->src. A
 * source that cannot be read is recorded and 0 returned; -ESRCH when the
 * process went away during the scan (nothing read is to be shown).
 */
int vms_collect_pages_swept(struct vms_pages_sweep *sw, int pid_dirfd, int root_fd,
			    const struct vms_pages_options *o, struct vms_snapshot *snap);

/*
 * Clears the referenced bits of every page of the process (clear_refs 1):
 * smaps Referenced then counts the pages touched since. It changes the
 * kernel's state of the target (page reclaim sees it). Returns 0 or -errno.
 */
int vms_proc_clear_refs(int pid_dirfd);

#endif
