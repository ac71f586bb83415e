/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rows of a layout drawing: see layout.h. */
#include "config.h"

#include "report/layout.h"

#include <string.h>

#include "base/xalloc.h"
#include "report/text-internal.h"

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

/* Two regions drawn alike: one kind, object, thread and name. */
static bool same_look(const struct vms_region *r, const struct vms_region *f)
{
	if (r->kind != f->kind || r->object != f->object || r->tid != f->tid)
		return false;
	if (r->deleted != f->deleted)
		return false;
	/* a region without an object is told apart by its name ([anon:x]) */
	return r->object >= 0 || r->name == f->name ||
	       strcmp(r->name ? r->name : "", f->name ? f->name : "") == 0;
}

static bool can_fold(const struct vms_snapshot *snap, const struct layout_row *row,
		     const struct vms_region *r)
{
	const struct vms_region *f = &snap->regions[row->first];

	if (!same_look(r, f))
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

/* A row of regions[i] alone. */
static struct layout_row row_of(const struct vms_snapshot *snap, size_t i)
{
	const struct vms_region *r = &snap->regions[i];
	struct layout_row row = { .start = r->start, .end = r->start, .first = i,
				  .have_rss = true, .have_pss = true, .have_pages = true };

	row_add(&row, r);
	return row;
}

/*
 * A region that may take turns with a region of another look: not one whose
 * row is its own (the main stack, the heap, a malloc arena named by its
 * threads).
 */
static bool may_turn(const struct vms_region *r)
{
	return r->kind != VMS_KIND_STACK && r->kind != VMS_KIND_HEAP && r->kind != VMS_KIND_ARENA;
}

/* r takes the next turn of a row of turns: its first region's look or its second's. */
static bool takes_turn(const struct vms_snapshot *snap, const struct layout_row *row,
		       const struct vms_region *r)
{
	return r->start >= row->end && may_turn(r) &&
	       same_look(r, &snap->regions[row->first + (row->count & 1)]) &&
	       !large_gap(r->start - row->end, row->size, vms_region_size(r));
}

/*
 * The last 2 * LAYOUT_PAIRS_MIN rows, each of one region, two looks taking
 * turns: folded into one row of turns, rows[n - 2 * LAYOUT_PAIRS_MIN]. The
 * rows left.
 */
static size_t start_turns(const struct vms_snapshot *snap, struct layout_row *rows, size_t n)
{
	const size_t len = 2 * LAYOUT_PAIRS_MIN;
	struct layout_row *row;

	if (n < len)
		return n;
	row = &rows[n - len];
	for (size_t k = n - len; k < n; k++) {
		const struct vms_region *r = &snap->regions[rows[k].first];

		if (rows[k].gap || rows[k].count != 1 || rows[k].pairs || !may_turn(r))
			return n;
		if (k >= n - len + 2 && !same_look(r, &snap->regions[rows[k - 2].first]))
			return n;
	}
	if (same_look(&snap->regions[row[0].first], &snap->regions[row[1].first]))
		return n;
	for (size_t k = 1; k < len; k++)
		row_add(row, &snap->regions[row[k].first]);
	return n - len + 1;
}

/*
 * The last row's turns end: its pairs counted, and an odd region after the
 * last whole pair a row of its own again. The rows.
 */
static size_t end_turns(const struct vms_snapshot *snap, struct layout_row **rows, size_t n,
			size_t *alloc)
{
	struct layout_row *row = &(*rows)[n - 1];
	size_t first = row->first, count = row->count;

	if (count & 1) {
		/* the sums again without it */
		*row = row_of(snap, first);
		for (size_t k = first + 1; k < first + count - 1; k++)
			row_add(row, &snap->regions[k]);
	}
	row->pairs = count / 2;
	if (count & 1) {
		ARRAY_GROW(*rows, n + 1, *alloc);
		(*rows)[n++] = row_of(snap, first + count - 1);
	}
	return n;
}

size_t layout_row_label(struct strbuf *sb, const struct vms_snapshot *snap,
			const struct layout_row *row)
{
	const struct vms_region *r = &snap->regions[row->first];
	size_t tail;

	/* regions of one look folded: named by the largest (the first of the
	 * largest), not the first, whose sections may be a sliver of the row
	 * (a program's .plt before 27 MiB of .text) */
	if (!row->pairs && !row->gap)
		for (size_t i = row->first + 1; i < row->first + row->count; i++)
			if (vms_region_size(&snap->regions[i]) > vms_region_size(r))
				r = &snap->regions[i];
	tail = text_region_label(sb, snap, r);

	if (row->pairs) {
		/* cut short, the two looks keep their count: "anon mmap + res… ×500" */
		strbuf_addstr(sb, " + ");
		(void)text_region_label(sb, snap, r + 1);
		tail = sb->len;
		strbuf_addf(sb, " \u00d7%zu", row->pairs);
	} else if (row->count > 1 && r->object < 0) {
		strbuf_addf(sb, " \u00d7%zu", row->count);
	}
	return tail;
}

struct layout_row *layout_rows(const struct vms_snapshot *snap, size_t *ret_n,
			       struct layout_hidden *hidden)
{
	struct layout_row *rows = NULL;
	size_t n = 0, alloc = 0;
	bool turns = false; /* the last row is a row of turns, going on */

	*hidden = (struct layout_hidden){ 0 };
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		struct layout_row *last = n ? &rows[n - 1] : NULL;
		uint64_t prev_end = i ? snap->regions[i - 1].end : r->start;

		vms_region_prefetch(snap->regions, snap->n_regions, i);

		if (turns && !takes_turn(snap, last, r)) {
			n = end_turns(snap, &rows, n, &alloc);
			last = &rows[n - 1];
			turns = false;
		}
		if (turns || (last && !last->gap && !last->pairs && r->start >= last->end &&
			      can_fold(snap, last, r))) {
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
		rows[n] = row_of(snap, i);
		n = start_turns(snap, rows, n + 1);
		turns = rows[n - 1].count > 1; /* a new row is of one region */
	}
	if (turns)
		n = end_turns(snap, &rows, n, &alloc);
	*ret_n = n;
	return rows;
}
