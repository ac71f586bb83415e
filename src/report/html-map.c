/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pictures of the HTML report: the address-space map (SVG, the layout's
 * rows from high addresses to low, gaps as dashed rows) and the treemaps of
 * RSS and PSS by kind, object and region (nested flex boxes).
 */
#include "config.h"

#include "report/html-internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "report/format.h"
#include "report/layout.h"
#include "report/pages.h"
#include "report/text-internal.h"

/* A row's height: MAP_ROW_MIN px for one page, MAP_ROW_STEP px more per
 * doubling of its size, at most MAP_ROW_MAX; a gap row MAP_GAP_H. */
#define MAP_ROW_MIN 32
#define MAP_ROW_STEP 3
#define MAP_ROW_MAX 140
#define MAP_GAP_H 20

static unsigned row_height(uint64_t size)
{
	unsigned h = MAP_ROW_MIN;
	uint64_t pages = size / 4096;

	while (pages > 1 && h < MAP_ROW_MAX) {
		pages >>= 1;
		h += MAP_ROW_STEP;
	}
	return h;
}

static void row_label(struct html *h, const struct layout_row *row)
{
	strbuf_reset(&h->sb);
	(void)layout_row_label(&h->sb, h->snap, row);
}

static void map_gap(struct html *h, const struct layout_row *row, unsigned y)
{
	char buf[32];

	html_printf(h, "<g class=\"gap\"><rect x=\"1\" y=\"%u\" width=\"99%%\" height=\"%u\"/>"
		       "<text x=\"8\" y=\"%u\">",
		    y + 2, MAP_GAP_H - 4, y + 14);
	if (row->end >> 63)
		html_raw(h, "end of user space");
	else
		html_printf(h, "%s unmapped", report_size(buf, &h->opt, true, row->size));
	html_raw(h, "</text></g>\n");
}

/* Cells of the residency strip along a row (pagemap). */
#define STRIP_CELLS 64

/*
 * Where the row's pages are resident, from pagemap: runs of like cells
 * along the row, darker the more of a cell is in Rss, hatched where only
 * the zero page is mapped. False, drawing nothing, without page data.
 */
static bool map_strip(struct html *h, const struct layout_row *row, unsigned y, unsigned rh)
{
	uint8_t levels[STRIP_CELLS];
	bool zero[STRIP_CELLS];

	if (!pages_strip(h->snap, row, STRIP_CELLS, levels, zero))
		return false;
	for (unsigned i = 0, j; i < STRIP_CELLS; i = j) {
		for (j = i + 1; j < STRIP_CELLS && levels[j] == levels[i] && zero[j] == zero[i]; j++)
			;
		if (!levels[i] && !zero[i])
			continue;
		html_printf(h, "<rect class=\"%s\" x=\"%.2f%%\" y=\"%u\" width=\"%.2f%%\" "
			       "height=\"%u\"",
			    levels[i] ? "res" : "zero", 0.1 + 99.0 * i / STRIP_CELLS, y + 1,
			    99.0 * (j - i) / STRIP_CELLS, rh - 2);
		if (levels[i])
			html_printf(h, " fill-opacity=\"%.2f\"", 0.15 + 0.6 * levels[i] / 8.0);
		html_raw(h, "/>");
	}
	return true;
}

static void map_row(struct html *h, const struct layout_row *row, unsigned y, unsigned rh)
{
	const struct vms_region *r = &h->snap->regions[row->first];
	char size[32], rss[32], pss[32];
	double share = row->have_rss && row->size ? (double)row->rss / (double)row->size : 0;

	report_size(size, &h->opt, true, row->size);
	report_size(rss, &h->opt, row->have_rss, row->rss);
	report_size(pss, &h->opt, row->have_pss, row->pss);
	row_label(h, row);
	html_printf(h, "<g class=\"%s\" data-start=\"0x%" PRIx64 "\" data-kind=\"%s\"><title>",
		    html_family(r->kind), row->start, vms_kind_to_string(r->kind));
	html_textn(h, h->sb.buf, h->sb.len);
	html_printf(h, "\n%" PRIx64 "-%" PRIx64 " %s\nsize %s, RSS %s, PSS %s</title>", row->start,
		    row->end, text_kind_word(r->kind), size, rss, pss);
	html_printf(h, "<rect class=\"bg\" x=\"1\" y=\"%u\" width=\"99%%\" height=\"%u\" rx=\"3\"/>",
		    y + 1, rh - 2);
	if (!map_strip(h, row, y, rh) && share > 0)
		html_printf(h, "<rect class=\"res\" x=\"1\" y=\"%u\" width=\"%.2f%%\" height=\"%u\" "
			       "rx=\"3\"/>",
			    y + 1, share > 1 ? 99.0 : share * 99.0, rh - 2);
	html_printf(h, "<text x=\"8\" y=\"%u\">", y + 14);
	html_textn(h, h->sb.buf, h->sb.len);
	html_printf(h, "</text><text class=\"sub\" x=\"8\" y=\"%u\">%" PRIx64
		       "  size %s  RSS %s  PSS %s</text></g>\n",
		    y + 28, row->start, size, rss, pss);
}

void html_map(struct html *h)
{
	struct layout_hidden hidden;
	size_t n;
	struct layout_row *rows = layout_rows(h->snap, &n, &hidden);
	unsigned height = 0, y = 0;
	char buf[32];

	for (size_t i = 0; i < n; i++)
		height += rows[i].gap ? MAP_GAP_H : row_height(rows[i].size);
	html_raw(h, "<section id=\"map\"><h2>Address space</h2>\n<p class=\"note\">High addresses "
		    "first. A row's height grows with the log of its size (32 px for one page, 3 px "
		    "more each time the size doubles). Its dark part says where its pages are "
		    "resident, from pagemap, lower addresses on the left, darker the more of a "
		    "stretch is in RSS (hatched: only the zero page), or without page data its "
		    "resident share (RSS of the size) from the left. Large unmapped gaps are "
		    "dashed rows");
	if (hidden.n)
		html_printf(h, "; %zu smaller gaps (%s) are not drawn", hidden.n,
			    report_size(buf, &h->opt, true, hidden.bytes));
	html_raw(h, ".</p>\n");
	html_printf(h, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" "
		       "height=\"%u\" role=\"img\" aria-label=\"address-space map\">\n"
		       "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
		       "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect "
		       "width=\"2\" height=\"6\" fill=\"#8c8c8c\" fill-opacity=\".5\"/></pattern>"
		       "</defs>\n",
		    height);
	for (size_t i = n; i-- > 0;) {
		unsigned rh = rows[i].gap ? MAP_GAP_H : row_height(rows[i].size);

		if (rows[i].gap)
			map_gap(h, &rows[i], y);
		else
			map_row(h, &rows[i], y, rh);
		y += rh;
	}
	html_raw(h, "</svg></section>\n");
	free(rows);
}

/* Treemap leaves smaller than this share of the whole are summed into one. */
#define TM_MIN_SHARE 0.002

struct tm_ctx {
	const struct vms_snapshot *snap;
	enum vms_mem m;
	const uint64_t *kind_total;
};

static uint64_t region_value(const struct vms_snapshot *snap, size_t i, enum vms_mem m)
{
	return snap->regions[i].mem.v[m];
}

static uint64_t object_value(const struct tm_ctx *c, int32_t o)
{
	return o >= 0 ? c->snap->objects[o].mem.v[c->m] : 0;
}

/* Kinds by their total, then objects by theirs, then regions by their value. */
static int cmp_leaf(const void *pa, const void *pb, void *arg)
{
	const struct tm_ctx *c = arg;
	const struct vms_region *a = &c->snap->regions[*(const size_t *)pa];
	const struct vms_region *b = &c->snap->regions[*(const size_t *)pb];
	uint64_t x, y;

	if (a->kind != b->kind) {
		x = c->kind_total[a->kind];
		y = c->kind_total[b->kind];
		if (x != y)
			return x > y ? -1 : 1;
		return a->kind < b->kind ? -1 : 1;
	}
	if (a->object != b->object) {
		x = object_value(c, a->object);
		y = object_value(c, b->object);
		if (x != y)
			return x > y ? -1 : 1;
		return a->object < b->object ? -1 : 1;
	}
	x = a->mem.v[c->m];
	y = b->mem.v[c->m];
	if (x != y)
		return x > y ? -1 : 1;
	return a->start < b->start ? -1 : 1;
}

static void tm_leaf(struct html *h, const char *fam, uint64_t v, const char *label, size_t len)
{
	char buf[32];

	html_printf(h, "<div class=\"l %s\" style=\"flex-grow:%.1f\" title=\"", fam,
		    (double)v / 1024.0);
	html_textn(h, label, len);
	html_printf(h, ": %s\">", report_size(buf, &h->opt, true, v));
	html_textn(h, label, len);
	html_raw(h, "</div>");
}

static void treemap(struct html *h, enum vms_mem m, const char *name)
{
	const struct vms_snapshot *snap = h->snap;
	uint64_t kind_total[VMS_KIND__MAX] = { 0 }, whole = 0, small = 0;
	struct tm_ctx c = { .snap = snap, .m = m, .kind_total = kind_total };
	size_t *idx = NULL, n = 0, alloc = 0, n_small = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		uint64_t v = region_value(snap, i, m);

		if (!vms_counters_has(&snap->regions[i].mem, m) || !v)
			continue;
		ARRAY_GROW(idx, n + 1, alloc);
		idx[n++] = i;
		kind_total[snap->regions[i].kind] += v;
		whole += v;
	}
	if (n) /* idx is NULL without leaves */
		qsort_r(idx, n, sizeof(*idx), cmp_leaf, &c);
	html_printf(h, "<div class=\"tm tm-%s\" data-metric=\"%s\">", name, name);
	for (size_t i = 0; i < n; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		const struct vms_region *prev = i ? &snap->regions[idx[i - 1]] : NULL;
		const struct vms_region *next = i + 1 < n ? &snap->regions[idx[i + 1]] : NULL;
		uint64_t v = r->mem.v[m];
		const char *fam = html_family(r->kind);

		if (!prev || prev->kind != r->kind)
			html_printf(h, "<div class=\"k %s\" style=\"flex-grow:%.1f\" title=\"%s\">",
				    fam, (double)kind_total[r->kind] / 1024.0,
				    text_kind_word(r->kind));
		if (!prev || prev->kind != r->kind || prev->object != r->object) {
			uint64_t group = 0;

			for (size_t k = i; k < n; k++) {
				const struct vms_region *g = &snap->regions[idx[k]];

				if (g->kind != r->kind || g->object != r->object)
					break;
				group += g->mem.v[m];
			}
			html_printf(h, "<div class=\"o\" style=\"flex-grow:%.1f\">",
				    (double)group / 1024.0);
		}
		if ((double)v >= TM_MIN_SHARE * (double)whole) {
			strbuf_reset(&h->sb);
			(void)text_region_label(&h->sb, snap, r);
			tm_leaf(h, fam, v, h->sb.buf, h->sb.len);
		} else {
			small += v;
			n_small++;
		}
		if (!next || next->kind != r->kind || next->object != r->object) {
			if (n_small) {
				strbuf_reset(&h->sb);
				strbuf_addf(&h->sb, "%zu small %s regions", n_small,
					    text_kind_word(r->kind));
				tm_leaf(h, fam, small, h->sb.buf, h->sb.len);
			}
			small = 0;
			n_small = 0;
			html_raw(h, "</div>");
		}
		if (!next || next->kind != r->kind)
			html_raw(h, "</div>");
	}
	html_raw(h, "</div>\n");
	free(idx);
}

void html_treemaps(struct html *h)
{
	html_raw(h, "<section id=\"treemap\"><h2>Memory by kind, object and region</h2>\n"
		    "<input type=\"radio\" name=\"tm\" id=\"tm-rss\" checked>"
		    "<label for=\"tm-rss\">RSS</label> <input type=\"radio\" name=\"tm\" "
		    "id=\"tm-pss\"><label for=\"tm-pss\">PSS</label>\n");
	treemap(h, VMS_MEM_RSS, "rss");
	treemap(h, VMS_MEM_PSS, "pss");
	html_raw(h, "</section>\n");
}
