/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Headroom, fragmentation and the cost of the mapping, from a snapshot alone. */
#include "config.h"

#include "vmscope/insights.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static bool status_has(const struct vms_snapshot *snap, enum vms_status_field f)
{
	return snap->totals.status_have & (UINT32_C(1) << f);
}

static uint32_t permille(uint64_t part, uint64_t whole)
{
	if (!whole)
		return 0;
	if (part >= whole)
		return 1000;
	return (uint32_t)((double)part * 1000.0 / (double)whole + 0.5);
}

/* The use of the stack in region i, added to in->stacks. */
static void add_stack(const struct vms_snapshot *snap, struct vms_insights *in, size_t *alloc,
		      size_t i)
{
	const struct vms_region *r = &snap->regions[i];
	const struct vms_counters *m = &r->mem;
	struct vms_stack_use s = { .region = (int32_t)i, .tid = r->tid, .size = vms_region_size(r) };

	if (i > 0 && snap->regions[i - 1].kind == VMS_KIND_GUARD && snap->regions[i - 1].end == r->start)
		s.guard = vms_region_size(&snap->regions[i - 1]);
	s.have_rss = vms_counters_has(m, VMS_MEM_RSS);
	s.rss = m->v[VMS_MEM_RSS];
	if (r->kind == VMS_KIND_STACK) {
		s.main = true;
		s.tid = r->tid > 0 ? r->tid : snap->proc.pid;
		s.used = s.size;
		s.have_used = true;
		s.have_limit = snap->limits.have_stack;
		s.limit = snap->limits.stack;
	} else {
		s.have_used = s.have_rss;
		s.used = s.rss + (vms_counters_has(m, VMS_MEM_SWAP) ? m->v[VMS_MEM_SWAP] : 0);
		s.have_limit = true;
		s.limit = s.size;
	}
	if (s.have_used && s.have_limit) {
		s.headroom = vms_headroom(s.limit, s.used);
		s.near_limit = s.limit != VMS_UNLIMITED &&
			       s.headroom < s.limit / 1000 * VMS_STACK_WARN_PERMILLE +
						    s.limit % 1000 * VMS_STACK_WARN_PERMILLE / 1000;
	}
	ARRAY_GROW(in->stacks, in->n_stacks + 1, *alloc);
	in->stacks[in->n_stacks++] = s;
}

/*
 * What the regions say, in one pass over them (each pass over the regions
 * of 30,027 VMAs cost 0.1 to 0.2 ms; there were five): the gaps between
 * them (the vsyscall page sits in the kernel's half), the heap, the
 * transparent huge pages, and the stacks, the main one first, as a limit
 * of the process applies to it, then the threads' by address.
 */
static void scan_regions(const struct vms_snapshot *snap, struct vms_insights *in)
{
	const struct vms_counters *ru = &snap->totals.rollup;
	const struct vms_region *prev = NULL;
	size_t alloc = 0, n_threads = 0, alloc_threads = 0, *threads = NULL;
	uint64_t anon = 0, huge = 0;
	bool have_thp = in->have_regions;

	in->have_heap_rss = true;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		vms_region_prefetch(snap->regions, snap->n_regions, i);
		if (r->kind != VMS_KIND_VSYSCALL) {
			if (prev && r->start > prev->end) {
				uint64_t gap = r->start - prev->end;

				in->n_gaps++;
				in->unmapped += gap;
				if (gap > in->largest_gap) {
					in->largest_gap = gap;
					in->largest_gap_start = prev->end;
				}
			}
			prev = r;
		}
		if (r->kind == VMS_KIND_HEAP) {
			in->have_heap = true;
			in->heap_size += vms_region_size(r);
			if (vms_counters_has(&r->mem, VMS_MEM_RSS))
				in->heap_rss += r->mem.v[VMS_MEM_RSS];
			else
				in->have_heap_rss = false;
		} else if (r->kind == VMS_KIND_STACK) {
			add_stack(snap, in, &alloc, i);
		} else if (r->kind == VMS_KIND_THREAD_STACK) {
			ARRAY_GROW(threads, n_threads + 1, alloc_threads);
			threads[n_threads++] = i;
		}
		if (r->mem.v[VMS_MEM_ANON_HUGE_PAGES])
			in->thp_regions++;
		if (r->thp_eligible == 1)
			in->thp_eligible++;
		if (!vms_counters_has(&r->mem, VMS_MEM_ANONYMOUS) ||
		    !vms_counters_has(&r->mem, VMS_MEM_ANON_HUGE_PAGES))
			have_thp = false;
		anon += r->mem.v[VMS_MEM_ANONYMOUS];
		huge += r->mem.v[VMS_MEM_ANON_HUGE_PAGES];
	}
	if (!in->have_heap)
		in->have_heap_rss = false;

	for (size_t t = 0; t < n_threads; t++)
		add_stack(snap, in, &alloc, threads[t]);
	free(threads);
	in->tightest = -1;
	for (size_t i = 0; i < in->n_stacks; i++) {
		const struct vms_stack_use *s = &in->stacks[i];

		if (!s->have_used || !s->have_limit)
			continue;
		in->n_near_limit += s->near_limit;
		if (in->tightest < 0 || s->headroom < in->stacks[in->tightest].headroom)
			in->tightest = (int32_t)i;
	}

	/* the kernel's own sum, when there is one, over ours */
	if (vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP) && vms_counters_has(ru, VMS_MEM_ANONYMOUS) &&
	    vms_counters_has(ru, VMS_MEM_ANON_HUGE_PAGES)) {
		anon = ru->v[VMS_MEM_ANONYMOUS];
		huge = ru->v[VMS_MEM_ANON_HUGE_PAGES];
		have_thp = true;
	}
	in->have_thp = have_thp;
	if (have_thp) {
		in->anon = anon;
		in->anon_huge = huge;
		in->thp_permille = permille(huge, anon);
	}
}

static void costs(const struct vms_snapshot *snap, struct vms_insights *in)
{
	const struct vms_totals *t = &snap->totals;
	const struct vms_cgroup *cg = &snap->cgroup;

	in->have_pte = status_has(snap, VMS_ST_VM_PTE);
	in->pte = t->status[VMS_ST_VM_PTE];
	in->have_pte_share = in->have_pte && status_has(snap, VMS_ST_VM_RSS) && t->status[VMS_ST_VM_RSS];
	if (in->have_pte_share)
		in->pte_permille = permille(in->pte, t->status[VMS_ST_VM_RSS]);

	in->have_locked = status_has(snap, VMS_ST_VM_LCK);
	in->locked = t->status[VMS_ST_VM_LCK];
	in->have_memlock = snap->limits.tried && !snap->limits.error && snap->limits.have_memlock;
	in->memlock = snap->limits.memlock;

	if (cg->tried && !cg->error && vms_cgroup_has(cg, VMS_CG_CURRENT)) {
		in->have_cg_headroom = vms_cgroup_has(cg, VMS_CG_MAX);
		in->cg_headroom = vms_headroom(cg->v[VMS_CG_MAX], cg->v[VMS_CG_CURRENT]);
		in->have_cg_high_headroom = vms_cgroup_has(cg, VMS_CG_HIGH);
		in->cg_high_headroom = vms_headroom(cg->v[VMS_CG_HIGH], cg->v[VMS_CG_CURRENT]);
	}
}

void vms_insights_build(const struct vms_snapshot *snap, struct vms_insights *ret)
{
	struct vms_insights in;

	memset(&in, 0, sizeof(in));
	in.have_regions = vms_snapshot_have(snap, VMS_SRC_SMAPS);
	in.n_regions = snap->n_regions;
	scan_regions(snap, &in);
	costs(snap, &in);
	*ret = in;
}

void vms_insights_release(struct vms_insights *in)
{
	if (!in)
		return;
	free(in->stacks);
	in->stacks = NULL;
	in->n_stacks = 0;
}
