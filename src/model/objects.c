/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Objects (the mapped files), their ELF facts and the totals of their
 * regions; vms_model_build runs the whole model.
 *
 * Sums: a counter is summed over the regions that have it, and the sum has
 * it when any region did (OR of the haves). A region whose smaps lacked a key
 * adds nothing for it rather than hiding the key for the whole object; the
 * page-size keys are not sums of anything and are left out.
 */
#include "config.h"

#include "vmscope/model.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "model/model-internal.h"
#include "vmscope/elf.h"

/*
 * Whether the object path (as maps escapes it: a newline is \012) names
 * the exe link's target, whose " (deleted)" suffix is ignored.
 */
static bool path_is_exe(const char *path, const char *exe)
{
	static const char deleted[] = " (deleted)";
	size_t n, dl = sizeof(deleted) - 1;
	const char *p = path;

	if (!exe || !path)
		return false;
	n = strlen(exe);
	if (n >= dl && memcmp(exe + n - dl, deleted, dl) == 0)
		n -= dl;
	for (size_t i = 0; i < n; i++) {
		if (exe[i] == '\n' && strncmp(p, "\\012", 4) == 0) {
			p += 4;
			continue;
		}
		if (*p != exe[i])
			return false;
		p++;
	}
	return *p == '\0' || strcmp(p, deleted) == 0;
}

/*
 * The objects of g made whole: the regions it has not seen grouped, and
 * is_main set (the exe link may be read after the regions' first blocks).
 * A region list cut short after g saw it (a read that failed half-way) is
 * grouped again from nothing.
 */
static void groups_finish(struct model_groups *g, struct vms_snapshot *snap)
{
	if (g->done > snap->n_regions) {
		model_groups_release(g);
		snap->n_objects = 0;
	}
	model_groups_add(g, snap, snap->n_regions);
	for (size_t o = 0; o < snap->n_objects; o++)
		snap->objects[o].is_main = path_is_exe(snap->objects[o].path, snap->proc.exe);
}

static void load_elf(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd,
		     const struct model_groups *g)
{
	struct vms_source_status *st = &snap->src[VMS_SRC_ELF];
	bool tried = false, any_ok = false;
	int first_error = 0;

	for (size_t o = 0; o < snap->n_objects; o++) {
		const struct vms_region *r;
		uint32_t i = g->first[o];
		int ret;

		/* read through the object's first region that may be a
		 * program's code */
		while (i != MODEL_NO_REGION && !model_elf_candidate(&snap->regions[i]))
			i = g->next[i];
		if (i == MODEL_NO_REGION)
			continue;
		r = &snap->regions[i];
		tried = true;
		ret = vms_elf_load_object(cache, pid_dirfd, r, &snap->objects[o], snap->arena);
		if (ret >= 0)
			any_ok = true;
		else if (!first_error)
			first_error = ret;
	}
	if (tried) {
		/* one object out of reach is said on the object; the source
		 * failed when none could be read */
		st->tried = true;
		st->error = any_ok ? 0 : first_error;
	}
}

static void counters_add(struct vms_counters *sum, const struct vms_counters *c)
{
	for (int m = 0; m < VMS_MEM__MAX; m++) {
		if (m == VMS_MEM_KERNEL_PAGE_SIZE || m == VMS_MEM_MMU_PAGE_SIZE)
			continue;
		if (!vms_counters_has(c, m))
			continue;
		sum->v[m] += c->v[m];
		sum->have |= UINT32_C(1) << m;
	}
}

/* A file range of one object's region, for the distinct sizes. */
struct frange {
	int32_t object;
	uint64_t start, end; /* file offsets */
};

static int cmp_frange(const void *a, const void *b)
{
	const struct frange *x = a, *y = b;

	if (x->object != y->object)
		return (x->object > y->object) - (x->object < y->object);
	return (x->start > y->start) - (x->start < y->start);
}

/*
 * Each object's distinct_size and max_maps: a sweep over its regions' file
 * ranges by offset. Anonymous regions tied to an object (.bss) map no file
 * range and add their size. The loader maps an ELF file's segments so that
 * neighbours share the file page at their boundary: overlaps of no more
 * than a page per region do not make an object mapped several times.
 * The ranges are gathered a region at a time (extents_add), as classify
 * finishes each, and swept at the end.
 */
struct extents {
	struct frange *fr;
	size_t n;
};

static void extents_begin(struct vms_snapshot *snap, struct extents *e)
{
	e->fr = xreallocarray(NULL, snap->n_regions ? snap->n_regions : 1, sizeof(*e->fr));
	e->n = 0;
	for (size_t o = 0; o < snap->n_objects; o++) {
		snap->objects[o].distinct_size = 0;
		snap->objects[o].max_maps = 1;
	}
}

/* Region r of a valid object. */
static void extents_add(struct vms_snapshot *snap, struct extents *e, const struct vms_region *r)
{
	if (r->inode == 0)
		snap->objects[r->object].distinct_size += vms_region_size(r);
	else
		e->fr[e->n++] = (struct frange){ r->object, r->offset, r->offset + vms_region_size(r) };
}

static void extents_finish(struct vms_snapshot *snap, struct extents *ext)
{
	struct frange *fr = ext->fr;
	uint64_t *ends = NULL, page = snap->host.page_size ? snap->host.page_size : 4096;
	size_t n = ext->n, alloc_ends = 0;

	ARRAY_SORT(fr, n, cmp_frange);
	for (size_t i = 0, j; i < n; i = j) {
		struct vms_object *obj = &snap->objects[fr[i].object];
		uint64_t cover_end = 0, mapped = 0, distinct = 0;
		uint32_t most = 1;
		size_t n_ends = 0;

		for (j = i; j < n && fr[j].object == fr[i].object; j++) {
			size_t k = 0;

			/* the ranges still open at this start: how many map its first page */
			for (size_t e = 0; e < n_ends; e++)
				if (ends[e] > fr[j].start)
					ends[k++] = ends[e];
			n_ends = k;
			ARRAY_GROW(ends, n_ends + 1, alloc_ends);
			ends[n_ends++] = fr[j].end;
			if (n_ends > most)
				most = (uint32_t)n_ends;
			mapped += fr[j].end - fr[j].start;
			if (fr[j].end > cover_end) {
				distinct += fr[j].end - (fr[j].start > cover_end ? fr[j].start : cover_end);
				cover_end = fr[j].end;
			}
		}
		obj->distinct_size += distinct;
		obj->max_maps = mapped - distinct > (uint64_t)(j - i - 1) * page ? most : 1;
	}
	free(ends);
	free(fr);
	ext->fr = NULL;
}

void vms_model_object_extents(struct vms_snapshot *snap)
{
	struct extents e;

	extents_begin(snap, &e);
	for (size_t i = 0; i < snap->n_regions; i++)
		if (vms_region_object(snap, &snap->regions[i]))
			extents_add(snap, &e, &snap->regions[i]);
	extents_finish(snap, &e);
}

/* The objects' aggregates of their regions, a region at a time. */
static void aggregate_begin(struct vms_snapshot *snap, struct extents *e)
{
	for (size_t o = 0; o < snap->n_objects; o++) {
		struct vms_object *obj = &snap->objects[o];

		obj->n_regions = 0;
		obj->vsize = 0;
		memset(&obj->mem, 0, sizeof(obj->mem));
	}
	extents_begin(snap, e);
}

static void aggregate_region(struct vms_snapshot *snap, struct extents *e, size_t i)
{
	const struct vms_region *r = &snap->regions[i];
	struct vms_object *obj;

	if (!vms_region_object(snap, r))
		return;
	obj = &snap->objects[r->object];
	obj->n_regions++;
	obj->vsize += vms_region_size(r);
	counters_add(&obj->mem, &r->mem);
	extents_add(snap, e, r);
}

static void aggregate(struct vms_snapshot *snap)
{
	struct extents e;

	aggregate_begin(snap, &e);
	for (size_t i = 0; i < snap->n_regions; i++)
		aggregate_region(snap, &e, i);
	extents_finish(snap, &e);
}

bool vms_model_uss_shmem(const struct vms_snapshot *snap, uint64_t *ret)
{
	uint64_t sum = 0;

	if (!vms_snapshot_have(snap, VMS_SRC_SMAPS))
		return false;
	for (size_t i = 0; i < snap->n_regions; i++)
		if (snap->regions[i].kind == VMS_KIND_SHM)
			sum += vms_counters_uss(&snap->regions[i].mem);
	*ret = sum;
	return true;
}

void vms_model_sum_regions(const struct vms_snapshot *snap, struct vms_counters *ret)
{
	struct vms_counters sum = { 0 };

	for (size_t i = 0; i < snap->n_regions; i++)
		counters_add(&sum, &snap->regions[i].mem);
	*ret = sum;
}

void vms_model_group_objects(struct vms_snapshot *snap)
{
	if (snap->n_objects == 0) {
		struct model_groups g = { 0 };

		groups_finish(&g, snap);
		model_groups_release(&g);
	}
	aggregate(snap);
}

/* What is made of each region classify has finished: its sections, its object's sums. */
static void region_done(void *ctx, struct vms_snapshot *snap, size_t i)
{
	model_place_region(snap, i);
	aggregate_region(snap, ctx, i);
}

void model_build(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd,
		 struct model_groups *g)
{
	struct model_groups own = { 0 };
	struct extents e;

	/* A snapshot read back from JSON comes with its objects and their
	 * ELF facts: only the derived fields are made again. */
	if (g || snap->n_objects == 0) {
		if (!g)
			g = &own;
		groups_finish(g, snap);
		if (pid_dirfd >= 0 && snap->n_objects > 0)
			load_elf(snap, cache, pid_dirfd, g);
	} else {
		g = NULL;
	}
	model_sections_begin(snap);
	aggregate_begin(snap, &e);
	model_classify(snap, g, region_done, &e);
	extents_finish(snap, &e);
	if (g)
		model_groups_release(g);
}

void vms_model_build(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd)
{
	model_build(snap, cache, pid_dirfd, NULL);
}
