/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rows of a layout drawing (layout.c): the regions in address order,
 * like regions next to each other folded into one row, and the unmapped gaps
 * that would dwarf their neighbours as rows of their own. The text report's
 * diagram and the HTML map both draw them.
 */
#ifndef VMSCOPE_REPORT_LAYOUT_H
#define VMSCOPE_REPORT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "vmscope/snapshot.h"

struct layout_row {
	uint64_t start, end; /* lowest start, highest end */
	uint64_t size;       /* sum of the regions' sizes; the gap's for a gap row */
	uint64_t rss, pss;
	size_t first, count; /* regions[first ...] folded into this row */
	size_t pairs;        /* > 0: two looks of region taking turns this many
				times, regions[first] and regions[first + 1] */
	bool gap, have_rss, have_pss;
	bool have_pages;     /* every region has page data (pages_strip) */
};

/* Unmapped gaps not drawn as rows of their own: the layout's note counts them. */
struct layout_hidden {
	size_t n;
	uint64_t bytes;
};

/* The fewest pairs of a run of two looks taking turns that folds into a row. */
#define LAYOUT_PAIRS_MIN 4

/*
 * Rows in address order, gaps included. Caller frees. Regions of one look
 * (kind, object, thread, name) next to each other fold into one row; so does
 * a run of two looks taking turns LAYOUT_PAIRS_MIN times or more (a mapping
 * and its PROT_NONE reserve, again and again, as allocators lay them out).
 */
struct layout_row *layout_rows(const struct vms_snapshot *snap, size_t *ret_n,
			       struct layout_hidden *hidden);

/* A row's label into sb ("anon mmap ×3", "anon mmap + reserved ×500"), not
 * for a gap row; returns where its tail starts (text_put_label). */
size_t layout_row_label(struct strbuf *sb, const struct vms_snapshot *snap,
			const struct layout_row *row);

#endif
