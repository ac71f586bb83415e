/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rows of a layout drawing: see layout.h. */
#include "config.h"

#include "report/layout.h"

#include <string.h>

#include "base/xalloc.h"

#define GIB (UINT64_C(1) << 30)

/*
 * An unmapped gap worth a row of its own: one that would dwarf the rows
 * around it in a proportional drawing. A few pages between small mappings
 * (alignment, guards of other kinds) are not worth one.
 */
static bool large_gap(uint64_t gap, uint64_t below, uint64_t above)
{
	uint64_t big = below > above ? below : above;

	if (gap >= GIB)
		return true;
	if (gap < 64 * 1024)
		return false;
	return big < gap / 16;
}

static bool can_fold(const struct vms_snapshot *snap, const struct layout_row *row,
		     const struct vms_region *r)
{
	const struct vms_region *f = &snap->regions[row->first];

	if (r->kind != f->kind || r->object != f->object || r->tid != f->tid)
		return false;
	if (r->deleted != f->deleted)
		return false;
	/* a region without an object is told apart by its name ([anon:x]) */
	if (r->object < 0 && r->name != f->name &&
	    strcmp(r->name ? r->name : "", f->name ? f->name : "") != 0)
		return false;
	/* the main stack and the heap are one region each: never "×2" */
	if (r->kind == VMS_KIND_STACK || r->kind == VMS_KIND_HEAP)
		return r->start == row->end;
	return !large_gap(r->start - row->end, row->size, vms_region_size(r));
}

static void row_add(struct layout_row *row, const struct vms_region *r)
{
	row->end = r->end;
	row->size += vms_region_size(r);
	row->count++;
	if (vms_counters_has(&r->mem, VMS_MEM_RSS))
		row->rss += r->mem.v[VMS_MEM_RSS];
	else
		row->have_rss = false;
	if (vms_counters_has(&r->mem, VMS_MEM_PSS))
		row->pss += r->mem.v[VMS_MEM_PSS];
	else
		row->have_pss = false;
	if (!r->pages)
		row->have_pages = false;
}


struct layout_row *layout_rows(const struct vms_snapshot *snap, size_t *ret_n,
				 struct layout_hidden *hidden)
{
	struct layout_row *rows = NULL;
	size_t n = 0, alloc = 0;

	*hidden = (struct layout_hidden){ 0 };
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		struct layout_row *last = n ? &rows[n - 1] : NULL;
		uint64_t prev_end = i ? snap->regions[i - 1].end : r->start;

		vms_region_prefetch(snap->regions, snap->n_regions, i);

		if (last && !last->gap && r->start >= last->end && can_fold(snap, last, r)) {
			if (r->start > prev_end) {
				hidden->n++;
				hidden->bytes += r->start - prev_end;
			}
			row_add(last, r);
			continue;
		}
		if (last && r->start > last->end &&
		    !large_gap(r->start - last->end, last->size, vms_region_size(r))) {
			hidden->n++;
			hidden->bytes += r->start - last->end;
		}
		if (last && r->start > last->end &&
		    large_gap(r->start - last->end, last->size, vms_region_size(r))) {
			uint64_t gap_start = last->end; /* rows may move */

			ARRAY_GROW(rows, n + 1, alloc);
			rows[n] = (struct layout_row){ .start = gap_start, .end = r->start,
						 .size = r->start - gap_start, .gap = true };
			n++;
		}
		ARRAY_GROW(rows, n + 1, alloc);
		rows[n] = (struct layout_row){ .start = r->start, .end = r->start, .first = i,
					 .have_rss = true, .have_pss = true, .have_pages = true };
		row_add(&rows[n], r);
		n++;
	}
	*ret_n = n;
	return rows;
}
