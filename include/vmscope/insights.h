/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Insights (src/model/insights.c): what a snapshot says about how close the
 * process is to its limits and what its address space costs. Derived from
 * the snapshot alone, so a snapshot loaded from JSON gives the same ones.
 * A value is only meant when its have flag is set.
 */
#ifndef VMSCOPE_INSIGHTS_H
#define VMSCOPE_INSIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmscope/snapshot.h"

/* A stack is near its limit when less than this share (per mille) is left. */
#define VMS_STACK_WARN_PERMILLE 100

/*
 * A stack and how much of it is left. The main stack grows on demand up to
 * RLIMIT_STACK: its use is its mapped size. A thread's stack is mapped
 * whole when the thread starts: its use is what it touched (resident and
 * swapped), and its limit its mapped size.
 */
struct vms_stack_use {
	int32_t region;  /* index in snap->regions */
	pid_t tid;       /* the thread's; for the main stack the main thread's (the pid) */
	bool main;       /* the main stack ([stack]) */
	uint64_t size;   /* mapped */
	uint64_t rss;    /* resident, when have_rss */
	uint64_t used;   /* what counts against the limit, when have_used */
	uint64_t limit;  /* VMS_UNLIMITED for an unlimited RLIMIT_STACK, when have_limit */
	uint64_t headroom; /* limit - used (0 past it), when have_used && have_limit */
	uint64_t guard;  /* bytes of the guard region right below, 0 none */
	bool have_rss, have_used, have_limit;
	bool near_limit; /* less than VMS_STACK_WARN_PERMILLE of the limit left */
};

struct vms_insights {
	/* fragmentation: regions and the unmapped gaps between them in user space */
	size_t n_regions;
	size_t n_gaps;
	uint64_t unmapped;      /* sum of the gaps */
	uint64_t largest_gap, largest_gap_start;
	bool have_regions;      /* smaps was read */
	/* the brk heap */
	bool have_heap, have_heap_rss;
	uint64_t heap_size, heap_rss;
	/* stacks: the main one first when there is one, then thread stacks by address */
	struct vms_stack_use *stacks;
	size_t n_stacks;
	size_t n_near_limit;
	int32_t tightest;       /* index in stacks of the least headroom, -1 none */
	/* page tables */
	bool have_pte, have_pte_share;
	uint64_t pte;           /* VmPTE */
	uint32_t pte_permille;  /* of VmRSS */
	/* transparent huge pages of anonymous memory (smaps_rollup) */
	bool have_thp;
	uint64_t anon, anon_huge;
	uint32_t thp_permille;  /* anon_huge of anon */
	size_t thp_regions;     /* regions with AnonHugePages */
	size_t thp_eligible;    /* regions THPeligible says may get huge pages */
	/* locked memory against RLIMIT_MEMLOCK */
	bool have_locked, have_memlock;
	uint64_t locked, memlock;
	/* the memory cgroup's room */
	bool have_cg_headroom, have_cg_high_headroom;
	uint64_t cg_headroom;      /* max - current, 0 past it */
	uint64_t cg_high_headroom; /* high - current, 0 past it */
};

/* Fills ret; free with vms_insights_release. Pure; never fails (dies on OOM). */
void vms_insights_build(const struct vms_snapshot *snap, struct vms_insights *ret);
void vms_insights_release(struct vms_insights *in);

/* limit - used, or 0 when used is past it; VMS_UNLIMITED stays unlimited. */
static inline uint64_t vms_headroom(uint64_t limit, uint64_t used)
{
	if (limit == VMS_UNLIMITED)
		return VMS_UNLIMITED;
	return limit > used ? limit - used : 0;
}

#endif
