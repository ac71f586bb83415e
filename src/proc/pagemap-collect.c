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
 * With PAGEMAP_SCAN, one walk over the whole address space answers for
 * every region: a call per region costs a syscall each, which for 30,000
 * regions was half again the time of reading smaps. Runs come in address
 * order, so one accumulator at a time is open and memory stays flat.
 */
struct sweep {
	struct vms_snapshot *snap;
	size_t i, n; /* the region being filled; the regions swept */
	bool open;
	struct vms_pages_acc acc;
	uint32_t page_size, known;
	struct vms_region_pages *block; /* one for each region swept, or NULL: the arena's */
};

static void sweep_open(struct sweep *s)
{
	const struct vms_region *reg = &s->snap->regions[s->i];
	struct vms_region_pages *rp = s->block ? &s->block[s->i]
					       : arena_alloc(s->snap->arena, sizeof(*rp));

	vms_pages_acc_init(&s->acc, rp, reg->start, reg->end, s->page_size, s->known);
	s->open = true;
}

static void sweep_close(struct sweep *s)
{
	if (!s->open)
		sweep_open(s);
	vms_pages_acc_finish(&s->acc);
	vms_region_pages_thp_from_smaps(s->acc.out, &s->snap->regions[s->i]);
	s->snap->regions[s->i].pages = s->acc.out;
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
			sweep_open(s);
		vms_pages_acc_add(&s->acc, run); /* clipped to the region */
		if (reg->end >= run->end)
			return 0;
		sweep_close(s); /* the run goes on into the next region */
	}
	return 0;
}

/* The regions in the process's page tables: not the kernel's half. */
static size_t regions_swept(const struct vms_snapshot *snap)
{
	size_t n = 0;

	while (n < snap->n_regions && !(snap->regions[n].start >> 63) &&
	       strcmp(snap->regions[n].name, "[vsyscall]") != 0)
		n++;
	return n;
}

/*
 * The early sweep: the runs of [0, VMS_PAGES_SWEEP_END), kept in address
 * order until the regions are known (a run is 24 bytes; a process has a
 * few per region). Once vms_pages_sweep_regions hands it the regions (the
 * other thread goes on with the model, which touches other fields of
 * them), the thread sums the runs into each region's pages, in a block of
 * its own, and frees them.
 */
struct vms_pages_sweep {
	pthread_t thread;
	struct vms_pagemap *pm;
	struct vms_page_run *runs;
	size_t n, alloc;
	int r; /* of the walk */
	bool joined;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool given;      /* vms_pages_sweep_regions was called */
	bool replayed;   /* the runs are in s (the regions' pages) */
	struct sweep s;
};

static int keep_run(const struct vms_page_run *run, void *ctx)
{
	struct vms_pages_sweep *sw = ctx;

	ARRAY_GROW(sw->runs, sw->n + 1, sw->alloc);
	sw->runs[sw->n++] = *run;
	return 0;
}

/* The runs into the regions' pages; what runs may still come from above
 * the sweep's end is left open. */
static void sweep_replay(struct vms_pages_sweep *sw)
{
	struct sweep *s = &sw->s;

	for (size_t i = 0; i < sw->n; i++)
		(void)sweep_run(&sw->runs[i], s);
	if (sw->r == 0)
		while (s->i < s->n && s->snap->regions[s->i].end <= VMS_PAGES_SWEEP_END)
			sweep_close(s);
	free(sw->runs);
	sw->runs = NULL;
	sw->n = sw->alloc = 0;
	sw->replayed = true;
}

static void *sweep_main(void *arg)
{
	struct vms_pages_sweep *sw = arg;

	sw->r = vms_pagemap_walk(sw->pm, 0, VMS_PAGES_SWEEP_END, keep_run, sw);
	pthread_mutex_lock(&sw->lock);
	while (!sw->given)
		pthread_cond_wait(&sw->cond, &sw->lock);
	pthread_mutex_unlock(&sw->lock);
	if (sw->s.snap && sw->s.n)
		sweep_replay(sw);
	return NULL;
}

struct vms_pages_sweep *vms_pages_sweep_start(int pid_dirfd, int root_fd,
					      const struct vms_pages_options *o)
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
	pthread_mutex_init(&sw->lock, NULL);
	pthread_cond_init(&sw->cond, NULL);
	if (pthread_create(&sw->thread, NULL, sweep_main, sw) != 0) {
		pthread_cond_destroy(&sw->cond);
		pthread_mutex_destroy(&sw->lock);
		vms_pagemap_free(pm);
		free(sw);
		return NULL;
	}
	return sw;
}

void vms_pages_sweep_regions(struct vms_pages_sweep *sw, struct vms_snapshot *snap)
{
	if (!sw)
		return;
	pthread_mutex_lock(&sw->lock);
	if (!sw->given && snap) {
		sw->s = (struct sweep){ .snap = snap, .page_size = sw->pm->page_size,
					.known = vms_pagemap_known(sw->pm), .n = regions_swept(snap) };
		if (sw->s.n) {
			sw->s.block = xcalloc(sw->s.n, sizeof(*sw->s.block));
			/* the snapshot owns it from now on */
			free(snap->pages_block);
			snap->pages_block = sw->s.block;
		}
	}
	sw->given = true;
	pthread_cond_broadcast(&sw->cond);
	pthread_mutex_unlock(&sw->lock);
}

static void sweep_join(struct vms_pages_sweep *sw)
{
	if (!sw->joined) {
		vms_pages_sweep_regions(sw, NULL); /* never given: no replay to wait for */
		pthread_join(sw->thread, NULL);
	}
	sw->joined = true;
}

void vms_pages_sweep_free(struct vms_pages_sweep *sw)
{
	if (!sw)
		return;
	sweep_join(sw);
	pthread_cond_destroy(&sw->cond);
	pthread_mutex_destroy(&sw->lock);
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

	if (early && early->replayed && early->s.snap == snap)
		s = &early->s; /* the thread summed the runs already */
	else
		local = (struct sweep){ .snap = snap, .page_size = pm->page_size, .known = known,
					.n = regions_swept(snap) };
	if (s->n == 0)
		return 0;
	lo = snap->regions[0].start;
	hi = snap->regions[s->n - 1].end;
	if (early) {
		if (s == &local)
			for (size_t i = 0; i < early->n; i++)
				(void)sweep_run(&early->runs[i], s);
		r = early->r;
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

	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *reg = &snap->regions[i];
		struct vms_region_pages *rp;
		struct vms_pages_acc acc;
		int r = 0;

		/* not in the process's page tables (vsyscall, in the kernel's half) */
		if (reg->kind == VMS_KIND_VSYSCALL || (reg->start >> 63))
			continue;
		rp = arena_alloc(snap->arena, sizeof(*rp));
		vms_pages_acc_init(&acc, rp, reg->start, reg->end, pm->page_size, known);
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
		vms_region_pages_thp_from_smaps(rp, reg);
		reg->pages = rp;
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
