/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot's page-level counters (vmscope pages, --pages): each region's
 * runs from an open pagemap (pagemap.c) summed into its counters and
 * residency histogram, by one sweep over the address space with
 * PAGEMAP_SCAN or a walk per region; and clear_refs, asked by an option.
 */
#include "config.h"

#include "vmscope/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "proc/pagemap-internal.h"

static void set_src(struct vms_snapshot *snap, enum vms_source src, int error)
{
	snap->src[src].tried = true;
	snap->src[src].error = error < 0 ? error : 0;
}

static int acc_run(const struct vms_page_run *run, void *ctx)
{
	vms_pages_acc_add(ctx, run);
	return 0;
}

/*
 * The pages of a region as the snapshot keeps them. Most regions of a
 * process with many have nothing in memory (reservations, guard regions,
 * mappings not touched yet), and the counts of nothing are the same for
 * every region of as many stretches: those share one copy, read-only like
 * all the others. At 30,000 such regions that is 4.6 MB not written,
 * which on a machine with shadow page tables costs 5 to 12 us a page
 * written for the first time.
 */
struct pages_kept {
	struct vms_region_pages *empty[VMS_PAGE_HIST + 1]; /* by n_hist */
};

/* No count but 0; the histograms then say nothing either (they share
 * out present pages, and a page of the zero page is present too). */
static bool pages_empty(const struct vms_region_pages *p)
{
	if (p->pss)
		return false;
	for (unsigned c = 0; c < VMS_PG__MAX; c++)
		if (p->v[c])
			return false;
	return true;
}

/* p (made elsewhere) as kept in arena: a copy, or the shared one of nothing. */
static struct vms_region_pages *keep_pages(struct arena *arena, struct pages_kept *k,
					   const struct vms_region_pages *p)
{
	size_t size = vms_region_pages_size(p->n_hist);
	struct vms_region_pages **shared = NULL, *kept;

	if (pages_empty(p)) {
		shared = &k->empty[p->n_hist];
		if (*shared && (*shared)->have == p->have)
			return *shared;
	}
	kept = arena_alloc(arena, size);
	memcpy(kept, p, size);
	if (shared)
		*shared = kept;
	return kept;
}

/*
 * With PAGEMAP_SCAN, one walk over the whole address space answers for
 * every region: a call per region costs a syscall each, which for 30,000
 * regions was half again the time of reading smaps. Runs come in address
 * order, so one accumulator at a time is open and memory stays flat.
 */
struct sweep {
	struct vms_snapshot *snap;
	size_t i, n; /* the region being filled; the regions swept (so far) */
	bool open;
	bool n_final; /* n counts every region swept */
	struct vms_pages_acc acc;
	struct vms_region_pages out; /* acc's for a region no run came for */
	struct pages_kept kept;
	uint32_t page_size, known;
};

/* The counts of a region a run came for are made in the arena; those of
 * one without (most likely nothing) in s->out, until kept. */
static void sweep_open(struct sweep *s, bool run_came)
{
	const struct vms_region *reg = &s->snap->regions[s->i];
	struct vms_region_pages *out = &s->out;

	if (run_came)
		out = arena_alloc(s->snap->arena, vms_region_pages_size(vms_pages_n_hist(
							  reg->start, reg->end, s->page_size)));
	vms_pages_acc_init(&s->acc, out, reg->start, reg->end, s->page_size, s->known);
	s->open = true;
}

static void sweep_close(struct sweep *s)
{
	struct vms_region *reg = &s->snap->regions[s->i];

	if (!s->open)
		sweep_open(s, false);
	vms_pages_acc_finish(&s->acc);
	vms_region_pages_thp_from_smaps(s->acc.out, reg);
	reg->pages = s->acc.out == &s->out ? keep_pages(s->snap->arena, &s->kept, &s->out)
					   : s->acc.out;
	s->open = false;
	s->i++;
}

static int sweep_run(const struct vms_page_run *run, void *ctx)
{
	struct sweep *s = ctx;

	while (s->i < s->n) {
		const struct vms_region *reg = &s->snap->regions[s->i];

		if (reg->end <= run->start) {
			sweep_close(s); /* nothing more of it will come */
			continue;
		}
		if (reg->start >= run->end)
			return 0; /* a run in no region */
		if (!s->open)
			sweep_open(s, true);
		vms_pages_acc_add(&s->acc, run); /* clipped to the region */
		if (reg->end >= run->end)
			return 0;
		sweep_close(s); /* the run goes on into the next region */
	}
	return 0;
}

static void sweep_init(struct sweep *s, struct vms_snapshot *snap, const struct vms_pagemap *pm,
		       uint32_t known)
{
	*s = (struct sweep){ .snap = snap, .page_size = pm->page_size, .known = known };
}

/* Counts the regions of [0, upto) in the process's page tables (not the
 * kernel's half): they come first. */
static void sweep_count(struct sweep *s, size_t upto)
{
	const struct vms_region *regs = s->snap->regions;

	while (!s->n_final && s->n < upto) {
		if ((regs[s->n].start >> 63) || strcmp(regs[s->n].name, "[vsyscall]") == 0)
			s->n_final = true;
		else
			s->n++;
	}
}

/* runs made room for before the walk; a process has a few per region */
#define SWEEP_FIRST_RUNS 1024

/*
 * The early sweep, in one of two ways. In pieces: the thread that parses
 * smaps walks the address range of each SWEEP_PIECE regions parsed, between
 * two blocks, and the rest at the end, summing the runs into the regions as
 * they come; no thread. On a thread of its own: it walks [from,
 * VMS_PAGES_SWEEP_END) while smaps is read and keeps the runs in address
 * order (a run is 24 bytes; a process has a few per region), which the
 * parsing thread sums into each region as soon as both the walk and the
 * region are done (vms_pages_sweep_feed).
 *
 * The walk costs about a page table entry's worth for each page in memory
 * or swap, and a little for each region. A thread of its own is the way
 * for a large resident set (a JVM's heap, a database's shared buffers: a
 * millisecond for every 32,768 pages), which the parsing thread would walk
 * beside smaps_rollup's walk of the same pages; for others it is three
 * threads on what may be two CPUs, the walk a fraction of a millisecond.
 * So pieces, unless the process has SWEEP_THREAD_PAGES in memory when its
 * stat is read, or the regions of a piece have that many (or swapped):
 * then the thread walks from there on. (The text report, the builds taking
 * turns with cat, thread -> pieces: 1,027 VMAs 8.6 -> 8.2 and 7.9 -> 7.4
 * ms, 10,027 VMAs 29.6 -> 27.7 ms, 30,027 and 65,027 within the noise; the
 * shape of a JVM's, 129 MiB in memory, 1.57x on the thread, 1.76x in
 * pieces, measured before the reader was kept near.)
 */
struct vms_pages_sweep {
	pthread_t thread;
	struct vms_pagemap *pm;
	struct vms_page_run *runs;
	size_t n_runs, alloc;
	size_t next; /* runs[next ...] are not summed yet */
	int r;       /* of the walk */
	bool walked; /* the thread's walk is done: runs and r are final (atomic) */
	bool threaded; /* the walk is the thread's, from walked_to on */
	bool joined;
	uint64_t walked_to; /* in pieces: walked below this, the regions summed */
	/* SWEEP_THREAD_PAGES, or the test's: at the start (stat's Rss), and
	 * for a piece */
	uint64_t start_pages, thread_pages;
	enum vms_sweep_way way;
	struct sweep s; /* s.snap NULL until the first region is given */
};

/* regions walked at once in pieces: what is left at the end of smaps is
 * walked after it, up to a piece's worth (at 1,027 VMAs, pieces of 512
 * left 515 regions, 0.14 ms after the parse; pieces of 128, paired with
 * cat: 2.73 -> 2.65 and 2.57 -> 2.48 ms, 65,027 VMAs within the noise) */
#define SWEEP_PIECE 128
/* pages in memory or swap from which a thread walks them (64 MiB): about
 * half a millisecond of walk, what a thread's start and the share of two
 * CPUs among three threads cost here */
#define SWEEP_THREAD_PAGES 16384

static int keep_run(const struct vms_page_run *run, void *ctx)
{
	struct vms_pages_sweep *sw = ctx;

	ARRAY_GROW(sw->runs, sw->n_runs + 1, sw->alloc);
	sw->runs[sw->n_runs++] = *run;
	return 0;
}

static void *sweep_main(void *arg)
{
	struct vms_pages_sweep *sw = arg;

	sw->r = vms_pagemap_walk(sw->pm, sw->walked_to, VMS_PAGES_SWEEP_END, keep_run, sw);
	__atomic_store_n(&sw->walked, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The walk from walked_to on, on a thread; false if none can be made. */
static bool sweep_thread_start(struct vms_pages_sweep *sw)
{
	/* made here: a thread's first malloc() makes it an arena of its own,
	 * a few system calls and page faults on the sweep's way */
	ARRAY_GROW(sw->runs, SWEEP_FIRST_RUNS, sw->alloc);
	/* Placed by the scheduler, at the priority of the others: pinned to
	 * this thread's CPU it delays this thread's own walk of smaps_rollup;
	 * at SCHED_IDLE a machine busy with other work starves it, and the
	 * report waits for it at the join for seconds. */
	sw->threaded = pthread_create(&sw->thread, NULL, sweep_main, sw) == 0;
	return sw->threaded;
}

/*
 * VMSCOPE_TEST_SWEEP_THREAD_PAGES, START,PIECE: the tests' way to each way
 * (a piece with more pages than the whole at the start has swapped ones).
 */
static void sweep_thread_pages(struct vms_pages_sweep *sw)
{
	const char *env = getenv("VMSCOPE_TEST_SWEEP_THREAD_PAGES");
	unsigned long long start, piece;
	int n = 0;

	sw->start_pages = sw->thread_pages = SWEEP_THREAD_PAGES;
	if (env && sscanf(env, "%llu,%llu%n", &start, &piece, &n) == 2 && !env[n]) {
		sw->start_pages = start;
		sw->thread_pages = piece;
	}
}

struct vms_pages_sweep *vms_pages_sweep_start(int pid_dirfd, int root_fd,
					      const struct vms_pages_options *o,
					      uint64_t rss_pages)
{
	struct vms_pages_sweep *sw;
	struct vms_pagemap *pm;

	if (sizeof(uintptr_t) < 8 || o->method == VMS_PAGEMAP_PREAD ||
	    (o->flags & VMS_PAGEMAP_DETAIL))
		return NULL;
	if (vms_pagemap_open(pid_dirfd, root_fd, o->method, o->flags, &pm) < 0)
		return NULL; /* vms_collect_pages_swept opens it again and says why */
	if (!pm->scan) {
		vms_pagemap_free(pm);
		return NULL;
	}
	sw = xcalloc(1, sizeof(*sw));
	sw->pm = pm;
	sweep_thread_pages(sw);
	sw->way = VMS_SWEEP_PIECES;
	/* a large resident set: walked beside smaps from the start (a thread
	 * that cannot be made leaves it to the pieces) */
	if (rss_pages >= sw->start_pages && sweep_thread_start(sw))
		sw->way = VMS_SWEEP_THREAD;
	return sw;
}

/*
 * The walk's runs into the regions s counts, up to the end of the last: a
 * run that goes on past it is summed again at the next call, into the
 * regions that follow (each region takes only its own part of a run). With
 * close, every region counted is finished but one across the sweep's end
 * (the walk above it adds to it); without (the walk failed), only those the
 * runs went past, as in a walk of their own.
 */
static void sweep_feed(struct vms_pages_sweep *sw, bool close)
{
	struct sweep *s = &sw->s;
	uint64_t limit;

	if (s->n == 0)
		return;
	limit = s->snap->regions[s->n - 1].end;
	for (; sw->next < sw->n_runs; sw->next++) {
		const struct vms_page_run *run = &sw->runs[sw->next];

		if (run->start >= limit)
			break;
		(void)sweep_run(run, s);
		if (run->end > limit)
			break;
	}
	while (close && s->i < s->n && s->snap->regions[s->i].end <= VMS_PAGES_SWEEP_END)
		sweep_close(s);
}

/* The sweep's state for snap: afresh when it was another's. */
static void sweep_for(struct vms_pages_sweep *sw, struct vms_snapshot *snap)
{
	if (sw->s.snap == snap)
		return;
	sweep_init(&sw->s, snap, sw->pm, vms_pagemap_known(sw->pm));
	sw->next = 0;
	if (!sw->threaded)
		sw->walked_to = 0;
}

/*
 * In pieces: the regions counted and not yet walked, walked now, or handed
 * to a thread (if it may) if they hold thread_pages; with last, however few.
 */
static void sweep_piece(struct vms_pages_sweep *sw, bool last, bool may_thread)
{
	struct sweep *s = &sw->s;
	const struct vms_region *regs = s->snap->regions;
	uint64_t pages = 0, hi;
	int r;

	if (sw->threaded || sw->r != 0 || s->i >= s->n || (!last && s->n - s->i < SWEEP_PIECE))
		return;
	for (size_t i = s->i; i < s->n; i++)
		pages += (regs[i].mem.v[VMS_MEM_RSS] + regs[i].mem.v[VMS_MEM_SWAP]) /
			 s->page_size;
	if (may_thread && pages >= sw->thread_pages && sweep_thread_start(sw)) {
		sw->way = VMS_SWEEP_PIECES_THREAD;
		return;
	}
	hi = regs[s->n - 1].end;
	r = vms_pagemap_walk(sw->pm, sw->walked_to, hi, sweep_run, s);
	if (r < 0) {
		/* the regions finished before the failure stand */
		sw->r = r;
		return;
	}
	sw->walked_to = hi;
	while (s->i < s->n)
		sweep_close(s);
}

void vms_pages_sweep_feed(struct vms_pages_sweep *sw, struct vms_snapshot *snap, size_t complete,
			  bool last)
{
	if (!sw)
		return;
	sweep_for(sw, snap);
	if (!sw->threaded) {
		sweep_count(&sw->s, complete);
		sweep_piece(sw, last, true);
		return;
	}
	if (!__atomic_load_n(&sw->walked, __ATOMIC_ACQUIRE) || sw->r != 0)
		return; /* later: vms_collect_pages_swept waits for the walk */
	sweep_count(&sw->s, complete);
	sweep_feed(sw, true);
}

static void sweep_join(struct vms_pages_sweep *sw)
{
	if (!sw->threaded || sw->joined)
		return;
	pthread_join(sw->thread, NULL);
	sw->joined = true;
}

void vms_pages_sweep_free(struct vms_pages_sweep *sw)
{
	if (!sw)
		return;
	sweep_join(sw);
	vms_pagemap_free(sw->pm);
	free(sw->runs);
	free(sw);
}

static int sweep_regions(struct vms_pagemap *pm, struct vms_pages_sweep *early,
			 struct vms_snapshot *snap, uint32_t known, int *error)
{
	struct sweep local, *s = &local;
	uint64_t lo, hi;
	int r;

	if (early) {
		s = &early->s;
		/* what vms_pages_sweep_feed summed stands if it was this snap's
		 * and its regions are still there (a failed read of smaps
		 * leaves none) */
		if (s->snap != snap || s->n > snap->n_regions) {
			s->snap = NULL;
			sweep_for(early, snap);
		}
	} else {
		sweep_init(s, snap, pm, known);
	}
	sweep_count(s, snap->n_regions);
	if (s->n == 0)
		return 0;
	lo = snap->regions[0].start;
	hi = snap->regions[s->n - 1].end;
	if (early && !early->threaded) {
		/* in pieces: the rest, wherever it is, here */
		sweep_piece(early, true, false);
		r = early->r;
	} else if (early) {
		r = early->r;
		sweep_feed(early, r == 0);
		/* above the early sweep's end: user space reaches higher on
		 * machines with more address bits */
		if (r == 0 && hi > VMS_PAGES_SWEEP_END)
			r = vms_pagemap_walk(pm, lo > VMS_PAGES_SWEEP_END ? lo : VMS_PAGES_SWEEP_END,
					     hi, sweep_run, s);
	} else {
		r = vms_pagemap_walk(pm, lo, hi, sweep_run, s);
	}
	if (r == -ESRCH)
		return r;
	if (r < 0) {
		/* the regions finished before the failure stand */
		if (r != -ENODATA)
			*error = r;
		return 0;
	}
	while (s->i < s->n)
		sweep_close(s);
	return 0;
}

/*
 * Whether pread can skip a region: PAGEMAP_SCAN skips empty page tables by
 * itself, pread reads an entry for every page. A kernel without
 * PAGEMAP_SCAN (before 6.7) has no guard markers (6.13) either, so the
 * entries of a region that smaps found neither resident nor in swap, in
 * hugetlb pages neither, are all empty. A VM_PFNMAP or VM_IO region is
 * read all the same: smaps does not count its pages, pagemap shows them.
 * A forced pread (--pages-method pread) reads everything.
 */
static bool pread_skips(const struct vms_pagemap *pm, const struct vms_snapshot *snap,
			const struct vms_region *reg, uint64_t special)
{
	const uint64_t *m = reg->mem.v;

	return !pm->scan && pm->probed && vms_snapshot_have(snap, VMS_SRC_SMAPS) &&
	       !(reg->vmflags & special) && m[VMS_MEM_RSS] == 0 && m[VMS_MEM_SWAP] == 0 &&
	       m[VMS_MEM_SHARED_HUGETLB] == 0 && m[VMS_MEM_PRIVATE_HUGETLB] == 0;
}

static uint64_t pread_special_flags(void)
{
	return vms_vmflag_bit("pf") | vms_vmflag_bit("io");
}

/* A walk per region: for pread, and for the per-page details of --pages. */
static int walk_each_region(struct vms_pagemap *pm, struct vms_snapshot *snap, uint32_t known,
			    int *error)
{
	uint64_t special = pread_special_flags();
	struct vms_region_pages out;
	struct pages_kept kept = { 0 };

	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *reg = &snap->regions[i];
		struct vms_pages_acc acc;
		int r = 0;

		/* not in the process's page tables (vsyscall, in the kernel's half) */
		if (reg->kind == VMS_KIND_VSYSCALL || (reg->start >> 63))
			continue;
		vms_pages_acc_init(&acc, &out, reg->start, reg->end, pm->page_size, known);
		if (!pread_skips(pm, snap, reg, special))
			r = vms_pagemap_walk(pm, reg->start, reg->end, acc_run, &acc);
		if (r == -ESRCH)
			return r;
		if (r < 0) {
			/* the region went away, or the process did: the liveness
			 * check after reading tells which */
			if (!*error && r != -ENODATA)
				*error = r;
			continue;
		}
		vms_pages_acc_finish(&acc);
		vms_region_pages_thp_from_smaps(&out, reg);
		reg->pages = keep_pages(snap->arena, &kept, &out);
	}
	return 0;
}

/* pm and the sweep that opened it, if one did */
static void free_pagemap(struct vms_pages_sweep *sw, struct vms_pagemap *pm)
{
	if (sw)
		vms_pages_sweep_free(sw);
	else
		vms_pagemap_free(pm);
}

int vms_collect_pages_swept(struct vms_pages_sweep *sw, int pid_dirfd, int root_fd,
			    const struct vms_pages_options *o, struct vms_snapshot *snap)
{
	struct vms_pagemap *pm;
	uint64_t pages = 0, special = pread_special_flags();
	uint32_t known;
	int r, error = 0;

	if (sw) {
		/* the early sweep's pagemap, opened with the same options */
		sweep_join(sw);
		pm = sw->pm;
		r = 0;
	} else {
		r = vms_pagemap_open(pid_dirfd, root_fd, o->method, o->flags, &pm);
	}
	if (r == -ESRCH)
		return r;
	if (r < 0) {
		set_src(snap, VMS_SRC_PAGEMAP, r);
		return 0;
	}
	for (size_t i = 0; i < snap->n_regions; i++)
		if (!pread_skips(pm, snap, &snap->regions[i], special))
			pages += vms_region_size(&snap->regions[i]) / pm->page_size;
	if (!pm->scan && o->pread_budget && pages > o->pread_budget) {
		free_pagemap(sw, pm);
		return 0;
	}
	known = vms_pagemap_known(pm);
	if (pm->scan && !pm->detail)
		r = sweep_regions(pm, sw, snap, known, &error);
	else
		r = walk_each_region(pm, snap, known, &error);
	/* The process may be exiting: its address space goes before a pidfd
	 * says so, and scans of it then come back empty, not failed. An
	 * address space alive now was alive for every read above. */
	if (r != -ESRCH && vms_pagemap_check_mm(pm) < 0)
		r = -ESRCH;
	if (r == -ESRCH) {
		free_pagemap(sw, pm);
		return r;
	}
	set_src(snap, VMS_SRC_PAGEMAP, error);
	if (o->flags & VMS_PAGEMAP_DETAIL)
		set_src(snap, VMS_SRC_KPAGEFLAGS, pm->kpage_error);
	snap->pages.scan = pm->scan;
	snap->pages.sweep = sw ? (uint8_t)sw->way : VMS_SWEEP_NONE;
	snap->pages.entries = pm->entries;
	free_pagemap(sw, pm);
	return 0;
}

int vms_proc_clear_refs(int pid_dirfd)
{
	/* the kernel's own file, never through a link nor into a FIFO */
	int fd = openat(pid_dirfd, "clear_refs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return pagemap_errno_gone(-errno);
	n = write(fd, "1", 1);
	if (n < 0)
		r = pagemap_errno_gone(-errno);
	else if (n != 1)
		r = -EIO;
	close(fd);
	return r;
}
