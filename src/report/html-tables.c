/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tables of the HTML report: the objects and the regions, in the text
 * report's order (format.c), each value cell holding its bytes in data-v
 * for the page's script to sort by.
 */
#include "config.h"

#include "report/html-internal.h"

#include <inttypes.h>
#include <stdlib.h>

#include "report/format.h"
#include "report/text-internal.h"

static void mem_cells(struct html *h, const struct vms_counters *m)
{
	html_size_cell(h, vms_counters_has(m, VMS_MEM_RSS), m->v[VMS_MEM_RSS]);
	html_size_cell(h, vms_counters_has(m, VMS_MEM_PSS), m->v[VMS_MEM_PSS]);
	html_size_cell(h, report_have_uss(m), vms_counters_uss(m));
	html_size_cell(h, vms_counters_has(m, VMS_MEM_SWAP), m->v[VMS_MEM_SWAP]);
}

static void object_row(struct html *h, size_t o_idx)
{
	const struct vms_object *o = &h->snap->objects[o_idx];

	strbuf_reset(&h->sb);
	report_object_name(&h->sb, h->snap, o_idx);
	html_printf(h, "<tr data-object=\"%zu\"><td class=\"t l\">", o_idx);
	html_textn(h, h->sb.buf, h->sb.len);
	html_printf(h, "</td><td data-v=\"%" PRIu32 "\">%" PRIu32 "</td>", o->n_regions,
		    o->n_regions);
	html_size_cell(h, true, o->distinct_size);
	mem_cells(h, &o->mem);
	html_raw(h, "</tr>\n");
}

static void region_row(struct html *h, size_t r_idx)
{
	const struct vms_region *r = &h->snap->regions[r_idx];
	char perms[5];

	strbuf_reset(&h->sb);
	(void)text_region_label(&h->sb, h->snap, r);
	html_printf(h, "<tr data-start=\"0x%" PRIx64 "\"><td class=\"t a\" data-v=\"%" PRIu64
		       "\">%" PRIx64 "</td><td class=\"t %s\"><span class=\"sw\"></span>%s</td>"
		       "<td class=\"t l\">",
		    r->start, r->start, r->start, html_family(r->kind), text_kind_word(r->kind));
	html_textn(h, h->sb.buf, h->sb.len);
	vms_perms_format(r->perms, perms);
	html_printf(h, "</td><td class=\"a\">%s</td>", perms);
	html_size_cell(h, true, vms_region_size(r));
	mem_cells(h, &r->mem);
	html_raw(h, "</tr>\n");
}

/*
 * A table of n rows in the text report's order (sorted), its title as the
 * text report's, head its column headings (our own markup), row writing one.
 */
static void table(struct html *h, const char *what, size_t n,
		  size_t *(*sorted)(const struct vms_snapshot *, enum vms_sort, size_t), const char *head,
		  void (*row)(struct html *, size_t))
{
	size_t show = report_shown(&h->opt, n), *idx;

	if (n == 0)
		return;
	idx = sorted(h->snap, h->opt.sort, show);
	strbuf_reset(&h->sb);
	report_table_title(&h->sb, what, n, show, h->opt.sort);
	html_printf(h, "<section id=\"%s\"><h2>", what);
	html_textn(h, h->sb.buf, h->sb.len);
	html_printf(h, "</h2>\n<div class=\"tw\"><table class=\"sortable\"><thead><tr>%s</tr>"
		       "</thead><tbody>\n", head);
	for (size_t i = 0; i < show; i++)
		row(h, idx[i]);
	html_raw(h, "</tbody></table></div></section>\n");
	free(idx);
}

void html_tables(struct html *h)
{
	table(h, "objects", h->snap->n_objects, report_sorted_objects,
	      "<th class=\"t\">object</th><th>regions</th><th>size</th><th>RSS</th><th>PSS</th>"
	      "<th>USS</th><th>swap</th>",
	      object_row);
	table(h, "regions", h->snap->n_regions, report_sorted_regions,
	      "<th class=\"t\">address</th><th class=\"t\">kind</th><th class=\"t\">region</th>"
	      "<th>perms</th><th>size</th><th>RSS</th><th>PSS</th><th>USS</th><th>swap</th>",
	      region_row);
}
