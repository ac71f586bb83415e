/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Region-level differences between two snapshots of a process (src/model).
 *
 * Regions are matched by what they are, not where: a region of a mapped
 * object by (path, kind, file offset), a kernel-named one ([heap], [stack],
 * [vdso]...) by its name, a thread stack by its thread, and what is left
 * (anonymous memory) by its address, then by its matched neighbour. So a
 * library loaded elsewhere after a restart (ASLR) is still "the same".
 */
#ifndef VMSCOPE_DIFF_H
#define VMSCOPE_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "vmscope/snapshot.h"

enum vms_change {
	VMS_CHANGE_SAME = 0,
	VMS_CHANGE_GREW,     /* larger (size), or the same size with more resident */
	VMS_CHANGE_SHRANK,
	VMS_CHANGE_APPEARED, /* only in b */
	VMS_CHANGE_VANISHED, /* only in a */
	VMS_CHANGE__MAX
};
const char *vms_change_to_string(enum vms_change c);

/* The measures a diff compares, for regions and for the totals. */
enum vms_measure {
	VMS_MEASURE_SIZE = 0,
	VMS_MEASURE_RSS,
	VMS_MEASURE_PSS,
	VMS_MEASURE_USS,
	VMS_MEASURE_SWAP,
	VMS_MEASURE__MAX
};
const char *vms_measure_to_string(enum vms_measure m);

/* A measure of a region; false when its snapshot could not read it. */
bool vms_region_measure(const struct vms_region *r, enum vms_measure m, uint64_t *ret);
/* A measure of the process's totals (status and smaps_rollup); false when unread. */
bool vms_snapshot_measure(const struct vms_snapshot *snap, enum vms_measure m, uint64_t *ret);
/* The same of totals alone: VSZ, RSS and swap from status, PSS and USS from
 * smaps_rollup (whose counters are all missing when it was not read). */
bool vms_totals_measure(const struct vms_totals *t, enum vms_measure m, uint64_t *ret);

struct vms_diff_entry {
	int32_t a, b; /* region indices in a and b; -1 on the side it is missing from */
	enum vms_change change;
	/* b - a (a missing side counts 0); valid where have has 1 << measure */
	int64_t delta[VMS_MEASURE__MAX];
	uint32_t have;
};

struct vms_diff {
	struct vms_diff_entry *entries; /* changed regions only, by address in b (else a) */
	size_t n, alloc;
	size_t n_same;                  /* matched regions with no change */
	size_t n_merged;                /* regions of a now inside a region that appeared in b
					 * (the kernel merged a new mapping with its neighbour) */
	size_t count[VMS_CHANGE__MAX];
	int64_t total_delta[VMS_MEASURE__MAX];
	uint64_t total_a[VMS_MEASURE__MAX], total_b[VMS_MEASURE__MAX];
	uint32_t total_have; /* 1 << measure: both snapshots have it (total_delta) */
	uint32_t total_have_a, total_have_b; /* 1 << measure: that snapshot has it */
	bool regions_unknown; /* a side's regions could not be read: none compared */
};

/* Compares a (before) with b (after). Pure; never fails (dies on OOM). */
void vms_diff_build(const struct vms_snapshot *a, const struct vms_snapshot *b,
		    struct vms_diff *ret);
void vms_diff_release(struct vms_diff *d);

#endif
