/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sections onto regions: a section of object o lies at [bias + addr, + size)
 * in the process, where bias is the load bias classify.c found for o. A
 * region of o that the classifier matched to a segment (and the anonymous
 * .bss tail after it) holds the sections that overlap it; sections are
 * sorted and never overlap, so they are an index range.
 *
 * A file modified after the process started may no longer be what is mapped
 * (a library rebuilt in place): its sections are not placed, and the object
 * says so. The build-id in memory would tell for sure, but reading the
 * target's memory needs more than reading its maps; the file's mtime against
 * the process's start time needs nothing more. Replacing a file (a package
 * upgrade) is no such change: the process keeps the old inode, and
 * map_files/ opens that one.
 */
#include "config.h"

#include "vmscope/model.h"

#include <stdint.h>
#include <unistd.h>

#include "model/model-internal.h"

#define NSEC_PER_SEC INT64_C(1000000000)
/*
 * The start time is known to a clock tick, and boot in wall time shifts
 * when the clock is stepped: a file written just before the process was
 * started (a build, then a run) must not look modified after it.
 */
#define CHANGED_SLACK_NS (2 * NSEC_PER_SEC)

static bool holds_sections(enum vms_kind k)
{
	return k == VMS_KIND_TEXT || k == VMS_KIND_RODATA || k == VMS_KIND_RELRO ||
	       k == VMS_KIND_DATA || k == VMS_KIND_BSS;
}

/*
 * When the process started, in ns since the epoch, or 0 when unknown. Its
 * start is counted from boot; boot in wall time is taken as wall - monotonic,
 * which is late by the time the machine spent suspended: a file is then at
 * worst not flagged, never flagged wrongly.
 */
static int64_t process_start_ns(const struct vms_snapshot *snap)
{
	long hz = sysconf(_SC_CLK_TCK);
	int64_t boot;

	if (hz <= 0 || snap->wall_ns <= 0 || snap->mono_ns <= 0 || snap->proc.start_time == 0 ||
	    snap->proc.start_time > (uint64_t)(INT64_MAX / NSEC_PER_SEC))
		return 0;
	boot = snap->wall_ns - snap->mono_ns;
	return boot + (int64_t)snap->proc.start_time / hz * NSEC_PER_SEC +
	       (int64_t)snap->proc.start_time % hz * NSEC_PER_SEC / hz;
}

/* The first section of o that ends above vaddr. */
static uint32_t first_ending_above(const struct vms_object *o, uint64_t vaddr)
{
	uint32_t lo = 0, hi = o->n_sections;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct vms_section *s = &o->sections[mid];

		if (s->addr + s->size <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void place(struct vms_region *r, const struct vms_object *o)
{
	/* modular, as the bias may be "negative" (a prelinked object) */
	uint64_t lo = r->start - o->load_bias, hi = r->end - o->load_bias;
	uint32_t first, last;

	if (hi <= lo)
		return;
	first = first_ending_above(o, lo);
	for (last = first; last < o->n_sections && o->sections[last].addr < hi; last++)
		;
	r->first_section = first;
	r->n_sections = last - first;
}

void model_sections_begin(struct vms_snapshot *snap)
{
	int64_t start = snap->live ? process_start_ns(snap) : 0;

	/* Only a live read has comparable clocks: a captured tree or a
	 * snapshot file keeps what was found when it was read. */
	for (size_t i = 0; snap->live && i < snap->n_objects; i++) {
		struct vms_object *o = &snap->objects[i];

		o->changed = start > 0 && o->mtime_ns > start + CHANGED_SLACK_NS;
	}
}

void model_place_region(struct vms_snapshot *snap, size_t i)
{
	struct vms_region *r = &snap->regions[i];
	const struct vms_object *o = vms_region_object(snap, r);

	r->first_section = 0;
	r->n_sections = 0;
	if (!o || !holds_sections(r->kind))
		return;
	if (!o->have_bias || o->changed || !o->sections || o->n_sections == 0)
		return;
	place(r, o);
}
