/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML page of a recording: the timeline of the totals and of the
 * groups of kinds as SVG line charts, then the regions ranked by growth,
 * each with a sparkline of its RSS. The numbers are those of the text and
 * JSON views of a recording (recording-view.c).
 */
#include "config.h"

#include "vmscope/report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/html-internal.h"
#include "report/recording-internal.h"

#define CHART_W 800
#define CHART_H 200
#define CHART_LEFT 64 /* room for the size labels */
#define CHART_BOTTOM 22
#define SPARK_W 120
#define SPARK_H 22
#define SPARK_POINTS 120 /* at most: longer recordings are thinned */

static const char *const series_colors[REC_SERIES__MAX] = {
	[REC_SERIES_RSS] = "#1d2329",
	[REC_SERIES_PSS] = "#4e79a7",
	[REC_SERIES_SWAP] = "#b07aa1",
	[REC_SERIES_GROUP0 + VMS_RG_HEAP] = "#e15759",
	[REC_SERIES_GROUP0 + VMS_RG_ANON] = "#b07aa1",
	[REC_SERIES_GROUP0 + VMS_RG_ARENA] = "#ff9d9a",
	[REC_SERIES_GROUP0 + VMS_RG_STACK] = "#f28e2b",
	[REC_SERIES_GROUP0 + VMS_RG_FILE] = "#59a14f",
	[REC_SERIES_GROUP0 + VMS_RG_SHM] = "#76b7b2",
};

/* Seconds with a unit that reads: "90 s", "12.5 min", "2.0 h". */
static void fmt_secs(char buf[32], int64_t ns)
{
	double s = (double)ns / 1e9;

	if (s < 1)
		snprintf(buf, 32, "%.0f ms", s * 1000);
	else if (s < 120)
		snprintf(buf, 32, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, 32, "%.1f min", s / 60);
	else
		snprintf(buf, 32, "%.1f h", s / 3600);
}

/* Sample i of series s (value v) as a point of the line, after a space but for the first. */
static void put_point(struct html *h, size_t i, uint64_t v, int64_t t_end, uint64_t hi,
		      bool *any)
{
	const unsigned pw = CHART_W - CHART_LEFT - 8, ph = CHART_H - CHART_BOTTOM - 8;
	double x = CHART_LEFT + (t_end ? (double)pw * (double)h->rec->samples[i].t_ns /
						 (double)t_end
				       : 0);
	double y = 8 + ph - (hi ? (double)ph * (double)v / (double)hi : 0);

	html_printf(h, "%s%.1f,%.1f", *any ? " " : "", x, y);
	*any = true;
}

/* The samples of a series in one column of a chart: its lowest and highest. */
struct column {
	int64_t col; /* -1: none yet */
	size_t lo_i, hi_i;
	uint64_t lo_v, hi_v;
};

/* The column's lowest and highest as points, in time order; one when they are one sample. */
static void put_column(struct html *h, const struct column *c, int64_t t_end, uint64_t hi,
		       bool *any)
{
	bool lo_first = c->lo_i < c->hi_i;

	if (c->col < 0)
		return;
	put_point(h, lo_first ? c->lo_i : c->hi_i, lo_first ? c->lo_v : c->hi_v, t_end, hi, any);
	if (c->lo_i != c->hi_i)
		put_point(h, lo_first ? c->hi_i : c->lo_i, lo_first ? c->hi_v : c->lo_v, t_end, hi,
			  any);
}

/*
 * The line of series s: of the samples that fall in one column of the chart
 * (a pixel of its viewBox), the lowest and the highest, in time order. A
 * recording of days (300,000 samples) is drawn from at most two points a
 * column, every peak and trough kept; a shorter one from all its samples.
 */
static void series_line(struct html *h, enum rec_series s, int64_t t_end, uint64_t hi)
{
	const struct vms_recording *rec = h->rec;
	const unsigned pw = CHART_W - CHART_LEFT - 8;
	struct column c = { .col = -1 };
	bool any = false;
	uint64_t v;

	for (size_t i = 0; i < rec->n_samples; i++) {
		int64_t col;

		if (!rec_series_value(rec, s, i, &v))
			continue;
		col = t_end ? (int64_t)((double)pw * (double)rec->samples[i].t_ns / (double)t_end) : 0;
		if (col != c.col) {
			put_column(h, &c, t_end, hi, &any);
			c = (struct column){ .col = col, .lo_i = i, .hi_i = i, .lo_v = v, .hi_v = v };
		} else if (v < c.lo_v) {
			c.lo_v = v;
			c.lo_i = i;
		} else if (v > c.hi_v) {
			c.hi_v = v;
			c.hi_i = i;
		}
	}
	put_column(h, &c, t_end, hi, &any);
}

/* One chart of the series [from, to): lines over time, the sizes on the left. */
static void chart(struct html *h, const char *title, enum rec_series from, enum rec_series to)
{
	const struct vms_recording *rec = h->rec;
	int64_t t_end = rec->n_samples ? rec->samples[rec->n_samples - 1].t_ns : 0;
	uint64_t hi = 0, v;
	char a[32], b[32];
	const unsigned pw = CHART_W - CHART_LEFT - 8, ph = CHART_H - CHART_BOTTOM - 8;

	for (enum rec_series s = from; s < to; s++)
		for (size_t i = 0; i < rec->n_samples; i++)
			if (rec_series_value(rec, s, i, &v) && v > hi)
				hi = v;
	html_printf(h, "<figure class=\"chart\"><figcaption>%s</figcaption><div class=\"legend\">",
		    title);
	for (enum rec_series s = from; s < to; s++)
		html_printf(h, "<span style=\"--c:%s\">%s</span>", series_colors[s],
			    rec_series_name(s));
	html_printf(h, "</div><svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
		       "%u %u\" role=\"img\" aria-label=\"%s\">",
		    CHART_W, CHART_H, title);
	/* axes and their labels: 0 and the highest value, the start and the end */
	report_size(a, &h->opt, true, hi);
	fmt_secs(b, t_end);
	html_printf(h, "<path class=\"ax\" d=\"M%u 8V%uH%u\"/><path class=\"grid\" d=\"M%u 8H%u\"/>"
		       "<text x=\"%u\" y=\"14\" text-anchor=\"end\">%s</text>"
		       "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">0</text>"
		       "<text x=\"%u\" y=\"%u\">0 s</text>"
		       "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%s</text>",
		    CHART_LEFT, 8 + ph, CHART_LEFT + pw, CHART_LEFT, CHART_LEFT + pw,
		    CHART_LEFT - 6, a, CHART_LEFT - 6, 8 + ph, CHART_LEFT, CHART_H - 4,
		    CHART_LEFT + pw, CHART_H - 4, b);
	for (enum rec_series s = from; s < to; s++) {
		html_printf(h, "<polyline data-series=\"%s\" stroke=\"%s\" points=\"",
			    rec_series_name(s), series_colors[s]);
		series_line(h, s, t_end, hi);
		html_raw(h, "\"/>");
	}
	html_raw(h, "</svg></figure>\n");
}

/* A ranked region's RSS at each sample with regions, as a small line. */
static void sparkline(struct html *h, const struct rec_view *v, size_t i)
{
	const struct vms_recording *rec = h->rec;
	const struct vms_rec_track *t = &rec->tracks[v->ranked[i].track];
	size_t n = 0, step;
	uint64_t hi = 0;

	for (size_t s = v->first; s <= v->last; s++)
		n += rec->samples[s].regions;
	step = n > SPARK_POINTS ? (n + SPARK_POINTS - 1) / SPARK_POINTS : 1;
	for (size_t s = v->first; s <= v->last; s++) {
		const struct vms_rec_point *p = vms_rec_track_at(t, s);

		if (rec->samples[s].regions && p && p->v[VMS_RV_RSS] > hi)
			hi = p->v[VMS_RV_RSS];
	}
	html_printf(h, "<td class=\"sp%s\"><svg viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\">"
		       "<polyline points=\"",
		    v->ranked[i].growth ? "" : " flat", SPARK_W, SPARK_H, SPARK_W, SPARK_H);
	for (size_t s = v->first, k = 0; s <= v->last; s++) {
		const struct vms_rec_point *p;
		uint64_t rss;

		if (!rec->samples[s].regions)
			continue;
		if (k++ % step != 0 && s != v->last)
			continue;
		p = vms_rec_track_at(t, s);
		rss = p ? p->v[VMS_RV_RSS] : 0;
		html_printf(h, "%s%.1f,%.1f", k > 1 ? " " : "",
			    n > 1 ? (double)(SPARK_W - 2) * (double)(k - 1) / (double)(n - 1) + 1 : 1,
			    SPARK_H - 2 - (hi ? (double)(SPARK_H - 4) * (double)rss / (double)hi : 0));
	}
	html_raw(h, "\"/></svg></td>");
}

static void ranked(struct html *h, const struct rec_view *v)
{
	size_t show = report_shown(&h->opt, v->n_ranked);
	char a[32], b[32];

	html_raw(h, "<section id=\"regions\"><h2>Regions ranked by growth</h2>\n");
	if (!v->have_regions) {
		html_raw(h, "<p class=\"warn\">no sample has the regions</p></section>\n");
		return;
	}
	if (show < v->n_ranked)
		html_printf(h, "<p class=\"note\">the %zu that grew most of %zu</p>\n", show,
			    v->n_ranked);
	html_raw(h, "<div class=\"tw\"><table class=\"sortable\"><thead><tr><th class=\"t\">address"
		    "</th><th class=\"t\">region</th><th>size first</th><th>size last</th>"
		    "<th>RSS first</th><th>RSS last</th><th>growth</th><th>per min</th>"
		    "<th class=\"t\">grew</th><th class=\"t\">RSS over time</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < show; i++) {
		const struct vms_rec_growth *g = &v->ranked[i];
		uint64_t mag = g->growth < 0 ? -(uint64_t)g->growth : (uint64_t)g->growth;

		html_printf(h, "<tr data-track=\"%" PRIu32 "\"><td class=\"t a\" data-v=\"%" PRIu64
			       "\">%" PRIx64 "</td><td class=\"t l\">",
			    g->track, g->start, g->start);
		strbuf_reset(&h->sb);
		(void)rec_view_label(v, i, &h->sb);
		html_textn(h, h->sb.buf, h->sb.len);
		if (g->appeared)
			html_raw(h, " <span class=\"ch ch-appeared\">appeared</span>");
		if (g->vanished)
			html_raw(h, " <span class=\"ch ch-vanished\">vanished</span>");
		html_raw(h, "</td>");
		html_size_cell(h, true, g->size_a);
		html_size_cell(h, true, g->size_b);
		html_size_cell(h, true, g->rss_a);
		html_size_cell(h, true, g->rss_b);
		html_printf(h, "<td class=\"%s\" data-v=\"%" PRId64 "\">%s%s</td>",
			    g->growth > 0 ? "up" : g->growth < 0 ? "down" : "same", g->growth,
			    g->growth > 0 ? "+" : g->growth < 0 ? "\u2212" : "",
			    report_size(a, &h->opt, true, mag));
		html_printf(h, "<td data-v=\"%.0f\">%s%s/min</td>", g->per_min,
			    g->per_min < 0 ? "\u2212" : "",
			    report_size(b, &h->opt, true,
					(uint64_t)(g->per_min < 0 ? -g->per_min : g->per_min)));
		if (g->rose_from_ns >= 0) {
			fmt_secs(a, g->rose_from_ns);
			fmt_secs(b, g->rose_until_ns);
			html_printf(h, "<td class=\"t\">%s \u2013 %s</td>", a, b);
		} else {
			html_raw(h, "<td class=\"t na\">never</td>");
		}
		sparkline(h, v, i);
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody></table></div></section>\n");
}

int vms_report_recording_html(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt)
{
	struct html h;
	struct rec_view v;
	const char *comm = rec->proc.comm && rec->proc.comm[0] ? rec->proc.comm : "?";
	char a[32], b[32];

	html_init(&h, out, NULL, opt);
	h.rec = rec;
	rec_view_init(&v, rec);
	strbuf_reset(&h.sb);
	strbuf_addf(&h.sb, "vmscope recording: %s (pid %" PRId64 ")", comm,
		    (int64_t)rec->proc.pid);
	html_page_begin(&h, h.sb.buf);
	html_raw(&h, "<header><h1>");
	html_text(&h, comm);
	html_printf(&h, " <small>pid %" PRId64 "</small></h1>\n<p class=\"cmd\">",
		    (int64_t)rec->proc.pid);
	fmt_secs(a, rec->n_samples ? rec->samples[rec->n_samples - 1].t_ns : 0);
	fmt_secs(b, rec->interval_ns);
	html_printf(&h, "%zu samples over %s, every %s; ended: %s%s</p>\n</header>\n<main>\n",
		    rec->n_samples, a, b, vms_rec_end_to_string(rec->end),
		    rec->truncated ? " (its last line was cut short)" : "");
	html_raw(&h, "<section id=\"timeline\"><h2>Timeline</h2>\n");
	chart(&h, "totals", REC_SERIES_RSS, REC_SERIES_GROUP0);
	chart(&h, "RSS by kind", REC_SERIES_GROUP0, REC_SERIES__MAX);
	html_raw(&h, "</section>\n");
	ranked(&h, &v);
	html_raw(&h, "</main>\n");
	rec_view_release(&v);
	return html_page_end(&h);
}
