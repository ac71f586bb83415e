/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level data in the reports: the residency strip of the layout
 * diagram, and the run listing of `vmscope pages`. The JSON of a region's
 * page counters is written by src/json (json/write.h).
 */
#ifndef VMSCOPE_REPORT_PAGES_H
#define VMSCOPE_REPORT_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/layout.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

/*
 * The residency strip of a layout row's regions drawn as one row of w
 * cells: levels[i] in 0..8 eighths of the cell's pages in Rss (0: none,
 * never 0 when one is); zero[i]: the cell has none in Rss but pages that
 * map the zero page (read, never written), which pagemap calls present and
 * Rss does not count. Regions are laid end to end by size. Returns false
 * when a region of the row has no page data.
 */
bool pages_strip(const struct vms_snapshot *snap, const struct layout_row *row, unsigned w,
		 uint8_t *levels, bool *zero);

/* A region's pages as `vmscope pages` lists them. */
struct pages_region {
	size_t region;          /* index in snap->regions */
	uint64_t start, end;    /* the part listed */
	struct vms_region_pages counts;
	size_t first_run, n_runs; /* in the listing's runs */
};

struct pages_listing {
	const struct vms_snapshot *snap;
	uint32_t known;            /* VMS_PAGE_BIT()s the readers could tell */
	struct pages_region *regions;
	size_t n_regions, alloc_regions;
	struct vms_page_run *runs;
	size_t n_runs, alloc_runs;
};

void pages_listing_release(struct pages_listing *l);

/*
 * width: lines are wrapped there (0: never), a name too long for a line of
 * its own cut; ascii: the locale's charset is not UTF-8 ("..." for "…").
 */
int pages_render_text(FILE *out, const struct pages_listing *l, bool bytes, bool color,
		      bool ascii, unsigned width);
int pages_render_json(FILE *out, const struct pages_listing *l);

#endif
