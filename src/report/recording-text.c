/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording as text: a header, the chart of RSS over time (block glyphs,
 * sizes and times labelled), one strip for each of PSS, swap and the groups
 * of kinds on the same time axis, then the regions ranked by growth.
 *
 * Each column of the charts is a slice of time; it shows the largest value
 * sampled in it (a peak is never hidden), or the one before when no sample
 * fell in it. The RSS chart spans the lowest to the highest value recorded,
 * as its labels say; each strip spans its own.
 */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "report/format.h"
#include "report/recording-internal.h"
#include "report/text-internal.h"

#define CHART_ROWS 8
#define LABEL_COLS 9 /* "  12.3M ┤", at least */
#define FLUSH_ROWS 256 /* rows drawn before the canvas is printed and reused */

/* The glyphs, UTF-8 or ASCII. */
struct glyphs {
	const char *level[9]; /* 0 .. 8 eighths of a cell */
	const char *tick, *axis, *corner, *down, *rule, *arrow, *dash;
};

static const struct glyphs utf8_glyphs = {
	{ " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" },
	"\u2524", "\u2502", "\u2514", "\u252c", "\u2500", "\u2192", "\u2013",
};
static const struct glyphs ascii_glyphs = {
	{ " ", ".", ".", "-", "-", "=", "=", "#", "#" },
	"+", "|", "+", "+", "-", "->", "-",
};

/* The text of a recording, drawn on a canvas: no line passes the width. */
struct rtext {
	FILE *out;
	const struct vms_report_options *opt;
	const struct glyphs *g;
	struct canvas cv; /* as wide as the width: text is cut there */
	unsigned fit;     /* the width the chart and the table are laid out for */
	bool whole;       /* full lines: no column dropped, no label cut */
	int err;          /* the first write error */
};

/* Prints the canvas and clears it; once enough rows are drawn with !all. */
static void rt_flush(struct rtext *rt, bool all)
{
	int r;

	if (!all && rt->cv.height < FLUSH_ROWS)
		return;
	r = canvas_write(&rt->cv, rt->out, rt->opt->color);
	if (r < 0 && !rt->err)
		rt->err = r;
	canvas_clear(&rt->cv);
}

struct chart {
	const struct vms_recording *rec;
	const struct glyphs *g;
	unsigned cols;   /* columns of time */
	unsigned lc;     /* columns before them: a size label and the axis, or a name */
	int64_t t0, span;
};

static void fmt_size(char buf[32], const struct vms_report_options *opt, uint64_t v)
{
	report_size(buf, opt, true, v);
}

/* "+1.5M", "-4.0K", "0" */
static void fmt_delta(char buf[32], const struct vms_report_options *opt, int64_t d)
{
	char mag[32];

	if (d == 0) {
		snprintf(buf, 32, "0");
		return;
	}

	fmt_size(mag, opt, d < 0 ? -(uint64_t)d : (uint64_t)d);
	/* a size is at most 20 digits */
	snprintf(buf, 32, "%c%.30s", d < 0 ? '-' : '+', mag);
}

/* A time since the start: "850ms", "2.5s", "45s", "1m30s", "2h05m" (rounded). */
static void fmt_time(char buf[32], int64_t ns)
{
	int64_t s = (ns + 500000000) / 1000000000;

	if (ns < 0)
		snprintf(buf, 32, "-");
	else if (ns < 1000000000 && ns % 1000000000)
		snprintf(buf, 32, "%" PRId64 "ms", (ns + 500000) / 1000000);
	else if (ns < 9950000000LL && ns % 1000000000)
		snprintf(buf, 32, "%.1fs", (double)ns / 1e9);
	else if (s < 60)
		snprintf(buf, 32, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, 32, s % 60 ? "%" PRId64 "m%02" PRId64 "s" : "%" PRId64 "m", s / 60,
			 s % 60);
	else
		snprintf(buf, 32, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
}

/* Fills vals[cols] (and have[]) with series s, column by column. */
static void columns(const struct chart *c, enum rec_series s, uint64_t *vals, bool *have)
{
	const struct vms_recording *rec = c->rec;
	size_t i = 0;

	for (unsigned x = 0; x < c->cols; x++) {
		/* the slice [t0 + x*span/cols, t0 + (x+1)*span/cols); the last
		 * column takes the last sample */
		int64_t end = c->span ? c->t0 + (int64_t)((__int128)c->span * (x + 1) / c->cols)
				      : INT64_MAX;
		bool any = false;
		uint64_t best = 0;

		for (; i < rec->n_samples && (rec->samples[i].t_ns < end || x + 1 == c->cols); i++) {
			uint64_t v;

			if (!rec_series_value(rec, s, i, &v))
				continue;
			if (!any || v > best)
				best = v;
			any = true;
		}
		if (any) {
			vals[x] = best;
			have[x] = true;
		} else if (x > 0) {
			vals[x] = vals[x - 1];
			have[x] = have[x - 1];
		} else {
			vals[x] = 0;
			have[x] = false;
		}
	}
}

static bool range_of(const uint64_t *vals, const bool *have, unsigned n, uint64_t *lo,
		     uint64_t *hi)
{
	bool any = false;

	for (unsigned x = 0; x < n; x++) {
		if (!have[x])
			continue;
		if (!any || vals[x] < *lo)
			*lo = vals[x];
		if (!any || vals[x] > *hi)
			*hi = vals[x];
		any = true;
	}
	return any;
}

/* Eighths of height `rows` cells that v reaches between lo and hi (at least 1). */
static unsigned level_of(uint64_t v, uint64_t lo, uint64_t hi, unsigned rows)
{
	if (hi <= lo) /* flat: at mid-height, or on the floor at 0 */
		return v ? rows * 4 : 1;
	return 1 + (unsigned)((double)(v - lo) / (double)(hi - lo) * (rows * 8 - 1) + 0.5);
}

/* s at (x, y), cut at the canvas's edge. */
static unsigned put(struct rtext *rt, unsigned x, size_t y, const char *s)
{
	return x < rt->cv.width ? canvas_put_str(&rt->cv, x, y, s, rt->cv.width - x, 0, CANVAS_PLAIN)
				: 0;
}

static void rss_chart(struct rtext *rt, const struct chart *c)
{
	const struct vms_report_options *opt = rt->opt;
	uint64_t *vals = xcalloc(c->cols, sizeof(*vals)), lo = 0, hi = 0;
	bool *have = xcalloc(c->cols, sizeof(*have));
	char a[32];
	size_t y;

	columns(c, REC_SERIES_RSS, vals, have);
	if (!range_of(vals, have, c->cols, &lo, &hi)) {
		put(rt, 0, canvas_add_row(&rt->cv), "RSS: n/a (status could not be read)");
		goto out;
	}
	for (unsigned row = CHART_ROWS; row-- > 0;) {
		y = canvas_add_row(&rt->cv);
		if (row == CHART_ROWS - 1 || row == 0) {
			fmt_size(a, opt, row ? hi : lo);
			canvas_put_str(&rt->cv, 0, y, a, c->lc - 2, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
			put(rt, c->lc - 1, y, c->g->tick);
		} else {
			put(rt, c->lc - 1, y, c->g->axis);
		}
		for (unsigned x = 0; x < c->cols; x++) {
			unsigned lv = have[x] ? level_of(vals[x], lo, hi, CHART_ROWS) : 0, cell;

			cell = lv > row * 8 ? lv - row * 8 : 0;
			put(rt, c->lc + x, y, c->g->level[cell > 8 ? 8 : cell]);
		}
	}
	/* the time axis: ticks at a round step, labelled where there is room */
	{
		static const int64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
						 3600, 7200, 10800, 21600, 43200, 86400 };
		int64_t step = 86400LL * 1000000000;
		size_t yl;
		unsigned at = 0;

		for (size_t k = 0; k < ARRAY_SIZE(steps); k++) {
			int64_t st = steps[k] * 1000000000;

			/* about one tick every 12 columns */
			if (c->span == 0 || (double)st / (double)c->span * c->cols >= 12) {
				step = st;
				break;
			}
		}
		if (c->span && c->span < 1000000000)
			step = c->span; /* under a second: its two ends */
		y = canvas_add_row(&rt->cv);
		yl = canvas_add_row(&rt->cv);
		put(rt, c->lc - 1, y, c->g->corner);
		for (unsigned x = 0; x < c->cols; x++) {
			int64_t t0 = c->span ? (int64_t)((__int128)c->span * x / c->cols) : 0;
			/* no span (one sample): no column holds a multiple; the first is ticked */
			int64_t t1 = c->span ? (int64_t)((__int128)c->span * (x + 1) / c->cols) : 0;
			/* the first multiple of step in this column's slice */
			int64_t m = (t0 + step - 1) / step * step;
			bool tick = m < t1 || (x == 0);

			put(rt, c->lc + x, y, tick ? c->g->down : c->g->rule);
			if (tick && c->lc + x >= at) {
				fmt_time(a, x == 0 ? 0 : m);
				/* a label may pass the last column by two */
				if (x + strlen(a) <= c->cols + 2)
					at = c->lc + x + put(rt, c->lc + x, yl, a) + 2;
			}
		}
	}
out:
	free(vals);
	free(have);
}

/* The first and last values of series s, and whether it has any. */
static bool series_ends(const struct vms_recording *rec, enum rec_series s, uint64_t *first,
			uint64_t *last)
{
	bool any = false;

	for (size_t i = 0; i < rec->n_samples; i++) {
		uint64_t v;

		if (!rec_series_value(rec, s, i, &v))
			continue;
		if (!any)
			*first = v;
		any = true;
		*last = v;
	}
	return any;
}

/* "4.1M → 7.1M": the first and last values of a strip. */
static void ends_text(struct strbuf *sb, const struct rtext *rt, uint64_t first, uint64_t last)
{
	char a[32], b[32];

	fmt_size(a, rt->opt, first);
	fmt_size(b, rt->opt, last);
	strbuf_addf(sb, "%s %s %s", a, rt->g->arrow, b);
}

/*
 * A strip: its name, its values as one row of glyphs, then its first and
 * last values, its highest and its lowest; where the width is short of
 * room, without the lowest, then without the highest.
 */
static void strip(struct rtext *rt, const struct chart *c, enum rec_series s)
{
	uint64_t *vals = xcalloc(c->cols, sizeof(*vals)), lo = 0, hi = 0, first = 0, last = 0;
	bool *have = xcalloc(c->cols, sizeof(*have));
	size_t y = canvas_add_row(&rt->cv);
	unsigned x = c->lc + c->cols + 1, room = rt->cv.width > x ? rt->cv.width - x : 0;
	struct strbuf sb;
	char hs[32], ls[32];
	size_t len;

	columns(c, s, vals, have);
	put(rt, 0, y, rec_series_name(s));
	if (!range_of(vals, have, c->cols, &lo, &hi)) {
		put(rt, c->lc, y, "n/a");
		goto out;
	}
	for (unsigned k = 0; k < c->cols; k++) {
		unsigned lv = have[k] ? level_of(vals[k], lo, hi, 1) : 0;

		put(rt, c->lc + k, y, c->g->level[lv > 8 ? 8 : lv]);
	}
	(void)series_ends(c->rec, s, &first, &last);
	strbuf_init(&sb);
	ends_text(&sb, rt, first, last);
	len = sb.len;
	fmt_size(hs, rt->opt, hi);
	fmt_size(ls, rt->opt, lo);
	strbuf_addf(&sb, ", max %s", hs);
	if (lo != hi)
		strbuf_addf(&sb, " min %s", ls);
	if (canvas_text_width(sb.buf, sb.len) > room) {
		/* without the lowest */
		strbuf_setlen(&sb, len);
		strbuf_addf(&sb, ", max %s", hs);
		if (canvas_text_width(sb.buf, sb.len) > room)
			strbuf_setlen(&sb, len);
	}
	put(rt, x, y, sb.buf);
	strbuf_release(&sb);
out:
	free(vals);
	free(have);
}

static void header(struct rtext *rt, const struct rec_view *v)
{
	const struct vms_recording *rec = v->rec;
	const struct vms_report_options *opt = rt->opt;
	size_t n_regions = 0;
	struct canvas_flow f;
	struct strbuf sb;
	char a[32], b[32], when[64];
	time_t wall = (time_t)(rec->wall_ns / 1000000000);
	struct tm tm;

	for (size_t i = 0; i < rec->n_samples; i++)
		n_regions += rec->samples[i].regions;
	strbuf_init(&sb);
	fmt_time(a, rec->interval_ns);
	fmt_time(b, rec->n_samples ? rec->samples[rec->n_samples - 1].t_ns : 0);
	if (gmtime_r(&wall, &tm) && strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		;
	else
		snprintf(when, sizeof(when), "?");
	/* the process's name is raw bytes: the canvas escapes them */
	canvas_flow_start(&f, &rt->cv, 0);
	canvas_flow_add(&f, "", rec->proc.comm ? rec->proc.comm : "?", CANVAS_BOLD);
	strbuf_addf(&sb, "pid %d", (int)rec->proc.pid);
	canvas_flow_add(&f, "  ", sb.buf, CANVAS_PLAIN);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "recorded %s", b);
	canvas_flow_add(&f, "  ", sb.buf, CANVAS_PLAIN);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "from %s", when);
	canvas_flow_add(&f, " ", sb.buf, CANVAS_PLAIN);

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%zu samples every %s, %zu with regions (reads within %u.%u%% of a core); ",
		    rec->n_samples, a, n_regions, rec->cpu_permille / 10, rec->cpu_permille % 10);
	switch (rec->end) {
	case VMS_REC_END_NONE:
		strbuf_addstr(&sb, rec->truncated
					   ? "no end: the recorder was killed, its last line cut short"
					   : "no end: the recorder was killed, or still runs");
		break;
	case VMS_REC_END_EXITED:
		strbuf_addstr(&sb, "ended: the process exited");
		break;
	case VMS_REC_END_DURATION:
		strbuf_addstr(&sb, "ended: its duration");
		break;
	case VMS_REC_END_INTERRUPTED:
		strbuf_addstr(&sb, "ended: interrupted");
		break;
	default:
		strbuf_addstr(&sb, "ended: the process could no longer be read");
		break;
	}
	canvas_flow_start(&f, &rt->cv, 2);
	canvas_flow_words(&f, sb.buf, CANVAS_PLAIN);

	canvas_flow_start(&f, &rt->cv, 0);
	for (int s = REC_SERIES_RSS; s <= REC_SERIES_SWAP; s++) {
		uint64_t x, y;
		char d[32];

		if (!rec->n_samples || !rec_series_value(rec, s, 0, &x) ||
		    !rec_series_value(rec, s, rec->n_samples - 1, &y))
			continue;
		fmt_delta(d, opt, (int64_t)(y - x));
		strbuf_reset(&sb);
		strbuf_addstr(&sb, s == REC_SERIES_RSS ? "RSS " : s == REC_SERIES_PSS ? "PSS " : "swap ");
		ends_text(&sb, rt, x, y);
		strbuf_addf(&sb, " (%s)", d);
		canvas_flow_add(&f, "   ", sb.buf, CANVAS_PLAIN);
	}
	strbuf_release(&sb);
}

/* "64M", or "0→64M" when it changed */
static void change_cell(struct strbuf *sb, const struct vms_report_options *opt,
			const struct glyphs *g, uint64_t a, uint64_t b)
{
	char x[32], y[32];

	fmt_size(x, opt, a);
	fmt_size(y, opt, b);
	strbuf_reset(sb);
	if (a == b)
		strbuf_addstr(sb, y);
	else
		strbuf_addf(sb, "%s%s%s", x, g->arrow, y);
}

/* The columns of the ranked table, before the region's label. */
enum rank_col { RK_ADDR, RK_CHANGE, RK_SIZE, RK_RSS, RK_GROWTH, RK_PER_MIN, RK_ROSE, RK__MAX };

static const char *const rank_heads[RK__MAX] = { "address", "",	    "size", "RSS",
						 "growth",  "per min", "rose" };

/* The cells of ranked entry i, in cells[RK__MAX]. */
static void rank_cells(const struct rtext *rt, const struct vms_rec_growth *e,
		       struct strbuf cells[RK__MAX])
{
	const struct vms_report_options *opt = rt->opt;
	char d[32], t0[32], t1[32];

	for (unsigned k = 0; k < RK__MAX; k++)
		strbuf_reset(&cells[k]);
	strbuf_addf(&cells[RK_ADDR], "%" PRIx64, e->start);
	strbuf_addstr(&cells[RK_CHANGE], e->appeared ? "new" : e->vanished ? "gone" : "");
	change_cell(&cells[RK_SIZE], opt, rt->g, e->size_a, e->size_b);
	change_cell(&cells[RK_RSS], opt, rt->g, e->rss_a, e->rss_b);
	fmt_delta(d, opt, e->growth);
	strbuf_addstr(&cells[RK_GROWTH], d);
	fmt_delta(d, opt, (int64_t)e->per_min);
	strbuf_addstr(&cells[RK_PER_MIN], d);
	if (e->rose_from_ns < 0) {
		strbuf_addstr(&cells[RK_ROSE], "-");
	} else {
		fmt_time(t0, e->rose_from_ns);
		fmt_time(t1, e->rose_until_ns);
		if (e->rose_from_ns == e->rose_until_ns)
			strbuf_addstr(&cells[RK_ROSE], t0);
		else
			strbuf_addf(&cells[RK_ROSE], "%s%s%s", t0, rt->g->dash, t1);
	}
}

/*
 * The regions ranked by growth. Each column is as wide as its widest cell;
 * narrow, columns go in this order until the label has 20 columns: per
 * minute, rose, size, the address, new/gone, RSS. The label is cut at its
 * head, its tail kept, as the report's regions table does.
 */
static void ranked_table(struct rtext *rt, const struct rec_view *v)
{
	static const unsigned drop[] = { RK_PER_MIN, RK_ROSE, RK_SIZE, RK_ADDR, RK_CHANGE, RK_RSS };
	struct vms_report_options o = *rt->opt;
	struct strbuf cells[RK__MAX], label;
	unsigned w[RK__MAX], cw[RK__MAX], lx, x;
	size_t show, grew = 0, y;
	struct canvas_flow f;

	if (!o.top)
		o.top = REPORT_DEFAULT_TOP;
	show = report_shown(&o, v->n_ranked);
	for (size_t i = 0; i < v->n_ranked; i++)
		grew += v->ranked[i].growth > 0;
	canvas_add_row(&rt->cv);
	strbuf_init(&label);
	strbuf_addf(&label, "regions by RSS growth, first to last sample with regions: %zu of %zu grew",
		    grew, v->n_ranked);
	if (show < v->n_ranked)
		strbuf_addf(&label, ", top %zu shown", show);
	canvas_flow_start(&f, &rt->cv, 2);
	canvas_flow_words(&f, label.buf, CANVAS_PLAIN);
	if (!v->n_ranked) {
		strbuf_release(&label);
		return;
	}
	for (unsigned k = 0; k < RK__MAX; k++) {
		strbuf_init(&cells[k]);
		cw[k] = (unsigned)strlen(rank_heads[k]);
	}
	for (size_t i = 0; i < show; i++) {
		rank_cells(rt, &v->ranked[i], cells);
		for (unsigned k = 0; k < RK__MAX; k++) {
			size_t n = canvas_text_width(cells[k].buf, cells[k].len);

			if (n > cw[k])
				cw[k] = (unsigned)n;
		}
	}
	for (unsigned k = 0; k < RK__MAX; k++)
		w[k] = cw[k] ? cw[k] + 2 : 0;
	lx = report_fit_columns(w, RK__MAX, drop, ARRAY_SIZE(drop), 0, REPORT_TEXT_COL_MIN,
				rt->whole ? UINT_MAX / 2 : rt->fit);
	for (size_t i = 0; i <= show; i++) {
		const struct vms_region *r = i ? &v->labels->regions[i - 1] : NULL;
		size_t tail = 0;

		y = canvas_add_row(&rt->cv);
		if (i)
			rank_cells(rt, &v->ranked[i - 1], cells);
		x = 0;
		for (unsigned k = 0; k < RK__MAX; x += w[k++]) {
			const char *s = i ? cells[k].buf : rank_heads[k];
			/* the change and when it rose read left to right */
			bool left = k == RK_CHANGE || k == RK_ROSE;

			if (w[k])
				canvas_put_str(&rt->cv, x, y, s, cw[k], left ? 0 : CANVAS_ALIGN_RIGHT,
					       CANVAS_PLAIN);
		}
		strbuf_reset(&label);
		if (i)
			tail = rec_view_label(v, i - 1, &label);
		else
			strbuf_addstr(&label, "region");
		if (lx < rt->cv.width)
			text_put_label(&rt->cv, lx, y, label.buf, label.len, i ? tail : label.len,
				       rt->cv.width - lx, r ? text_kind_class(r->kind) : CANVAS_PLAIN);
		rt_flush(rt, false);
	}
	for (unsigned k = 0; k < RK__MAX; k++)
		strbuf_release(&cells[k]);
	strbuf_release(&label);
}

int vms_report_recording_text(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt)
{
	const struct glyphs *g = opt->ascii ? &ascii_glyphs : &utf8_glyphs;
	struct rtext rt = { .out = out, .opt = opt, .g = g };
	unsigned width = opt->width ? opt->width : 80;
	struct rec_view v;
	struct chart c = { .rec = rec, .g = g, .lc = LABEL_COLS };

	/* into a pipe, whole lines: laid out as at 80 columns, nothing cut */
	rt.whole = opt->full_lines;
	rt.fit = rt.whole ? 80 : width > CANVAS_MAX_WIDTH ? CANVAS_MAX_WIDTH : width;
	canvas_init(&rt.cv, rt.whole ? CANVAS_MAX_WIDTH : rt.fit);
	rt.cv.ascii = opt->ascii;
	errno = 0;
	rec_view_init(&v, rec);
	header(&rt, &v);
	if (rec->n_samples) {
		struct strbuf sb;
		unsigned need = 0;
		char a[32];

		/* the chart's labels: its lowest and highest sample */
		for (size_t i = 0; i < rec->n_samples; i++) {
			uint64_t val;

			if (!rec_series_value(rec, REC_SERIES_RSS, i, &val))
				continue;
			fmt_size(a, opt, val);
			if (strlen(a) + 2 > c.lc)
				c.lc = (unsigned)strlen(a) + 2;
		}
		/* the strips end in " 12.3M → 14.5M, max 15.0M min 12.0M"; narrow,
		 * with their first and last values at least */
		strbuf_init(&sb);
		for (int s = REC_SERIES_PSS; s < REC_SERIES__MAX; s++) {
			uint64_t first, last;

			strbuf_reset(&sb);
			if (series_ends(rec, s, &first, &last))
				ends_text(&sb, &rt, first, last);
			if (canvas_text_width(sb.buf, sb.len) > need)
				need = (unsigned)canvas_text_width(sb.buf, sb.len);
		}
		strbuf_release(&sb);
		c.cols = rt.fit > c.lc + 36 + 16 ? rt.fit - c.lc - 36 : 16;
		if (c.lc + c.cols + 1 + need > rt.fit)
			c.cols = rt.fit > c.lc + 1 + need + 8 ? rt.fit - c.lc - 1 - need : 8;
		c.t0 = rec->samples[0].t_ns;
		c.span = rec->samples[rec->n_samples - 1].t_ns - c.t0;
		canvas_add_row(&rt.cv);
		rss_chart(&rt, &c);
		for (int s = REC_SERIES_PSS; s < REC_SERIES__MAX; s++)
			strip(&rt, &c, s);
	}
	if (v.have_regions) {
		ranked_table(&rt, &v);
	} else {
		canvas_add_row(&rt.cv);
		put(&rt, 0, canvas_add_row(&rt.cv), "regions: none recorded");
	}
	rt_flush(&rt, true);
	rec_view_release(&v);
	canvas_release(&rt.cv);
	if (rt.err)
		return rt.err;
	if (fflush(out) != 0 || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}
