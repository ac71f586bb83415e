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

#include "vmscope/snapshot.h"

struct layout_row {
	uint64_t start, end; /* lowest start, highest end */
	uint64_t size;       /* sum of the regions' sizes; the gap's for a gap row */
	uint64_t rss, pss;
	size_t first, count; /* regions[first ...] folded into this row */
	bool gap, have_rss, have_pss;
	bool have_pages;     /* every region has page data (pages_strip) */
};

/* Unmapped gaps not drawn as rows of their own: the layout's note counts them. */
struct layout_hidden {
	size_t n;
	uint64_t bytes;
};

/* Rows in address order, gaps included. Caller frees. */
struct layout_row *layout_rows(const struct vms_snapshot *snap, size_t *ret_n,
			       struct layout_hidden *hidden);

#endif
