/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML page of a diff: the totals before and after, then the regions
 * that changed, what grew most first and what shrank most last, each change
 * coloured (grew red, shrank green) with a bar of its RSS change.
 */
#include "config.h"

#include "vmscope/report.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "report/format.h"
#include "report/html-internal.h"
#include "report/text-internal.h"
#include "vmscope/diff.h"

static const char *const measure_names[VMS_MEASURE__MAX] = { "VSZ", "RSS", "PSS", "USS",
							    "swap" };

static const char *sign_class(int64_t d)
{
	return d > 0 ? "up" : d < 0 ? "down" : "same";
}

/* A change in a cell: "+1.2M" with its bytes in data-v, coloured by sign. */
static void delta_cell(struct html *h, bool have, int64_t d)
{
	char buf[32];
	uint64_t mag = d < 0 ? -(uint64_t)d : (uint64_t)d;

	if (!have) {
		html_raw(h, "<td class=\"na\" data-v=\"-1\">n/a</td>");
		return;
	}
	html_printf(h, "<td class=\"%s\" data-v=\"%" PRId64 "\">%s%s</td>", sign_class(d), d,
		    d > 0 ? "+" : d < 0 ? "\u2212" : "", report_size(buf, &h->opt, true, mag));
}

static void side(struct html *h, const char *word, const char *name,
		 const struct vms_snapshot *s)
{
	html_printf(h, "<p class=\"cmd\">%s ", word);
	html_text(h, name);
	html_printf(h, ": pid %" PRId64 " (", (int64_t)s->proc.pid);
	html_text(h, s->proc.comm ? s->proc.comm : "?");
	html_raw(h, ")</p>\n");
}

static void totals(struct html *h, const struct vms_diff *d)
{
	html_raw(h, "<section id=\"totals\"><h2>Totals</h2><div class=\"tw\"><table class=\"narrow\"><thead><tr>"
		    "<th class=\"t\">total</th><th>before</th><th>after</th><th>change</th></tr>"
		    "</thead><tbody>\n");
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint32_t bit = UINT32_C(1) << m;

		html_printf(h, "<tr data-measure=\"%s\"><td class=\"t\">%s</td>",
			    vms_measure_to_string(m), measure_names[m]);
		html_size_cell(h, d->total_have_a & bit, d->total_a[m]);
		html_size_cell(h, d->total_have_b & bit, d->total_b[m]);
		delta_cell(h, d->total_have & bit, d->total_delta[m]);
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody></table></div></section>\n");
}

struct order_ctx {
	const struct vms_diff *d;
};

static int64_t rss_delta(const struct vms_diff_entry *e)
{
	return e->have & (UINT32_C(1) << VMS_MEASURE_RSS) ? e->delta[VMS_MEASURE_RSS] : 0;
}

/* What grew most first, what shrank most last; then by size change, by address. */
static int cmp_entry(const void *pa, const void *pb, void *arg)
{
	const struct order_ctx *c = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct vms_diff_entry *a = &c->d->entries[ia], *b = &c->d->entries[ib];
	int64_t x = rss_delta(a), y = rss_delta(b);

	if (x != y)
		return x > y ? -1 : 1;
	x = a->delta[VMS_MEASURE_SIZE];
	y = b->delta[VMS_MEASURE_SIZE];
	if (x != y)
		return x > y ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static void region_row(struct html *h, const struct vms_snapshot *a,
		       const struct vms_snapshot *b, const struct vms_diff_entry *e,
		       uint64_t max_rss)
{
	const struct vms_snapshot *s = e->b >= 0 ? b : a;
	const struct vms_region *r = &s->regions[e->b >= 0 ? e->b : e->a];
	const struct vms_region *ra = e->a >= 0 ? &a->regions[e->a] : NULL;
	const struct vms_region *rb = e->b >= 0 ? &b->regions[e->b] : NULL;
	bool have_rss = e->have & (UINT32_C(1) << VMS_MEASURE_RSS);
	int64_t dr = rss_delta(e);
	uint64_t mag = dr < 0 ? -(uint64_t)dr : (uint64_t)dr, v = 0;
	bool have;

	html_printf(h, "<tr data-start=\"0x%" PRIx64 "\" data-change=\"%s\"><td class=\"t\">"
		       "<span class=\"ch ch-%s\">%s</span></td><td class=\"t a\" data-v=\"%" PRIu64
		       "\">%" PRIx64 "</td><td class=\"t l %s\"><span class=\"sw\"></span>",
		    r->start, vms_change_to_string(e->change), vms_change_to_string(e->change),
		    vms_change_to_string(e->change), r->start, r->start, html_family(r->kind));
	strbuf_reset(&h->sb);
	(void)text_region_label(&h->sb, s, r);
	html_textn(h, h->sb.buf, h->sb.len);
	html_raw(h, "</td>");
	html_size_cell(h, ra != NULL, ra ? vms_region_size(ra) : 0);
	html_size_cell(h, rb != NULL, rb ? vms_region_size(rb) : 0);
	delta_cell(h, e->have & (UINT32_C(1) << VMS_MEASURE_SIZE), e->delta[VMS_MEASURE_SIZE]);
	have = ra && vms_region_measure(ra, VMS_MEASURE_RSS, &v);
	html_size_cell(h, have, have ? v : 0);
	have = rb && vms_region_measure(rb, VMS_MEASURE_RSS, &v);
	html_size_cell(h, have, have ? v : 0);
	delta_cell(h, have_rss, dr);
	html_printf(h, "<td class=\"bar\"><span class=\"%s\" style=\"width:%.1f%%\"></span></td>",
		    sign_class(dr), max_rss ? 100.0 * (double)mag / (double)max_rss : 0.0);
	delta_cell(h, e->have & (UINT32_C(1) << VMS_MEASURE_PSS), e->delta[VMS_MEASURE_PSS]);
	html_raw(h, "</tr>\n");
}

static void regions(struct html *h, const struct vms_snapshot *a, const struct vms_snapshot *b,
		    const struct vms_diff *d)
{
	struct order_ctx c = { d };
	size_t *idx, show = report_shown(&h->opt, d->n);
	uint64_t max_rss = 0;

	html_printf(h, "<section id=\"regions\"><h2>Regions</h2>\n<p>%zu grew, %zu shrank, %zu "
		       "appeared, %zu vanished, %zu unchanged",
		    d->count[VMS_CHANGE_GREW], d->count[VMS_CHANGE_SHRANK],
		    d->count[VMS_CHANGE_APPEARED], d->count[VMS_CHANGE_VANISHED], d->n_same);
	if (d->n_merged)
		html_printf(h, ", %zu merged into a new mapping", d->n_merged);
	if (show < d->n)
		html_printf(h, "; the %zu that changed most are listed", show);
	html_raw(h, ".</p>\n");
	if (d->n == 0) {
		html_raw(h, "</section>\n");
		return;
	}
	idx = xreallocarray(NULL, d->n, sizeof(*idx));
	for (size_t i = 0; i < d->n; i++) {
		int64_t dr = rss_delta(&d->entries[i]);
		uint64_t mag = dr < 0 ? -(uint64_t)dr : (uint64_t)dr;

		idx[i] = i;
		if (mag > max_rss)
			max_rss = mag;
	}
	qsort_r(idx, d->n, sizeof(*idx), cmp_entry, &c);
	html_raw(h, "<div class=\"tw\"><table class=\"sortable\"><thead><tr><th class=\"t\">change"
		    "</th><th class=\"t\">address</th><th class=\"t\">region</th><th>size before"
		    "</th><th>size after</th><th>\u0394size</th><th>RSS before</th><th>RSS after"
		    "</th><th>\u0394RSS</th><th class=\"bar\"></th><th>\u0394PSS</th></tr></thead>"
		    "<tbody>\n");
	/* with --top, the most grown and the most shrunk: both ends of the order */
	for (size_t i = 0; i < show; i++) {
		size_t k = i < (show + 1) / 2 ? i : d->n - (show - i);

		region_row(h, a, b, &d->entries[idx[k]], max_rss);
	}
	html_raw(h, "</tbody></table></div></section>\n");
	free(idx);
}

int vms_report_diff_html(FILE *out, const char *name_a, const char *name_b,
			 const struct vms_snapshot *a, const struct vms_snapshot *b,
			 const struct vms_diff *d, const struct vms_report_options *opt)
{
	struct html h;
	const char *comm = b->proc.comm && b->proc.comm[0] ? b->proc.comm : "?";

	html_init(&h, out, b, opt);
	strbuf_reset(&h.sb);
	strbuf_addf(&h.sb, "vmscope diff: %s (pid %" PRId64 ")", comm, (int64_t)b->proc.pid);
	html_page_begin(&h, h.sb.buf);
	html_raw(&h, "<header><h1>What changed: ");
	html_text(&h, comm);
	html_raw(&h, "</h1>\n");
	side(&h, "before", name_a, a);
	side(&h, "after", name_b, b);
	html_raw(&h, "</header>\n<main>\n");
	totals(&h, d);
	if (d->regions_unknown)
		html_raw(&h, "<p class=\"warn\">regions: n/a, those of one side could not be "
			     "read</p>\n");
	else
		regions(&h, a, b, d);
	html_raw(&h, "</main>\n");
	return html_page_end(&h);
}
