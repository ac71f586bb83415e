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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/format.h"
#include "report/recording-internal.h"

#define CHART_ROWS 8
#define LABEL_COLS 9 /* "  12.3M ┤" */

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

struct chart {
	const struct vms_recording *rec;
	const struct glyphs *g;
	unsigned cols;   /* columns of time */
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

static void rss_chart(FILE *out, const struct chart *c, const struct vms_report_options *opt)
{
	uint64_t *vals = xcalloc(c->cols, sizeof(*vals)), lo = 0, hi = 0;
	bool *have = xcalloc(c->cols, sizeof(*have));
	struct strbuf sb;
	char a[32], b[32];

	strbuf_init(&sb);
	columns(c, REC_SERIES_RSS, vals, have);
	if (!range_of(vals, have, c->cols, &lo, &hi)) {
		fputs("RSS: n/a (status could not be read)\n", out);
		goto out;
	}
	for (unsigned row = CHART_ROWS; row-- > 0;) {
		strbuf_reset(&sb);
		if (row == CHART_ROWS - 1 || row == 0) {
			fmt_size(a, opt, row ? hi : lo);
			strbuf_addf(&sb, "%*s %s", LABEL_COLS - 2, a, c->g->tick);
		} else {
			strbuf_addf(&sb, "%*s %s", LABEL_COLS - 2, "", c->g->axis);
		}
		for (unsigned x = 0; x < c->cols; x++) {
			unsigned lv = have[x] ? level_of(vals[x], lo, hi, CHART_ROWS) : 0, cell;

			cell = lv > row * 8 ? lv - row * 8 : 0;
			strbuf_addstr(&sb, c->g->level[cell > 8 ? 8 : cell]);
		}
		fprintf(out, "%s\n", sb.buf);
	}
	/* the time axis: ticks at a round step, labelled where there is room */
	{
		static const int64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
						 3600, 7200, 10800, 21600, 43200, 86400 };
		int64_t step = 86400LL * 1000000000;
		struct strbuf labels;
		size_t at = 0;

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
		strbuf_init(&labels);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%*s %s", LABEL_COLS - 2, "", c->g->corner);
		strbuf_addchars(&labels, ' ', LABEL_COLS);
		for (unsigned x = 0; x < c->cols; x++) {
			int64_t t0 = c->span ? (int64_t)((__int128)c->span * x / c->cols) : 0;
			int64_t t1 = c->span ? (int64_t)((__int128)c->span * (x + 1) / c->cols) : 1;
			/* the first multiple of step in this column's slice */
			int64_t m = (t0 + step - 1) / step * step;
			bool tick = m < t1 || (x == 0);

			strbuf_addstr(&sb, tick ? c->g->down : c->g->rule);
			if (tick && LABEL_COLS + x >= at) {
				fmt_time(a, x == 0 ? 0 : m);
				if (x + strlen(a) <= c->cols + 2) {
					strbuf_addchars(&labels, ' ', LABEL_COLS + x - (labels.len));
					strbuf_addstr(&labels, a);
					at = labels.len + 2;
				}
			}
		}
		fprintf(out, "%s\n%s\n", sb.buf, labels.buf);
		strbuf_release(&labels);
	}
	(void)b;
out:
	strbuf_release(&sb);
	free(vals);
	free(have);
}

static void strip(FILE *out, const struct chart *c, enum rec_series s,
		  const struct vms_report_options *opt)
{
	uint64_t *vals = xcalloc(c->cols, sizeof(*vals)), lo = 0, hi = 0, first = 0, last = 0;
	bool *have = xcalloc(c->cols, sizeof(*have)), hf = false;
	struct strbuf sb;
	char a[32], b[32], m[32];

	columns(c, s, vals, have);
	strbuf_init(&sb);
	strbuf_addf(&sb, "%-*s", LABEL_COLS, rec_series_name(s));
	if (!range_of(vals, have, c->cols, &lo, &hi)) {
		fprintf(out, "%sn/a\n", sb.buf);
		goto out;
	}
	for (unsigned x = 0; x < c->cols; x++) {
		unsigned lv = have[x] ? level_of(vals[x], lo, hi, 1) : 0;

		strbuf_addstr(&sb, c->g->level[lv > 8 ? 8 : lv]);
	}
	for (size_t i = 0; i < c->rec->n_samples; i++) {
		uint64_t v;

		if (!rec_series_value(c->rec, s, i, &v))
			continue;
		if (!hf)
			first = v;
		hf = true;
		last = v;
	}
	fmt_size(a, opt, first);
	fmt_size(b, opt, last);
	fmt_size(m, opt, hi);
	fprintf(out, "%s %s %s %s, max %s", sb.buf, a, c->g->arrow, b, m);
	if (lo != hi) {
		fmt_size(m, opt, lo);
		fprintf(out, " min %s", m);
	}
	fputc('\n', out);
out:
	strbuf_release(&sb);
	free(vals);
	free(have);
}

static void header(FILE *out, const struct rec_view *v, const struct vms_report_options *opt,
		   const struct glyphs *g)
{
	const struct vms_recording *rec = v->rec;
	const char *comm = rec->proc.comm ? rec->proc.comm : "?";
	size_t n_regions = 0;
	struct strbuf sb;
	char a[32], b[32], when[64];
	time_t wall = (time_t)(rec->wall_ns / 1000000000);
	struct tm tm;

	for (size_t i = 0; i < rec->n_samples; i++)
		n_regions += rec->samples[i].regions;
	strbuf_init(&sb);
	escape_display(&sb, comm, strlen(comm));
	fmt_time(a, rec->interval_ns);
	fmt_time(b, rec->n_samples ? rec->samples[rec->n_samples - 1].t_ns : 0);
	if (gmtime_r(&wall, &tm) && strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		;
	else
		snprintf(when, sizeof(when), "?");
	fprintf(out, "%s  pid %d  recorded %s from %s\n", sb.buf, (int)rec->proc.pid, b, when);
	fprintf(out, "%zu samples every %s, %zu with regions (reads within %u.%u%% of a core); ",
		rec->n_samples, a, n_regions, rec->cpu_permille / 10, rec->cpu_permille % 10);
	switch (rec->end) {
	case VMS_REC_END_NONE:
		fputs(rec->truncated ? "no end: the recorder was killed, its last line cut short\n"
				     : "no end: the recorder was killed, or still runs\n",
		      out);
		break;
	case VMS_REC_END_EXITED:
		fputs("ended: the process exited\n", out);
		break;
	case VMS_REC_END_DURATION:
		fputs("ended: its duration\n", out);
		break;
	case VMS_REC_END_INTERRUPTED:
		fputs("ended: interrupted\n", out);
		break;
	default:
		fputs("ended: the process could no longer be read\n", out);
		break;
	}
	for (int s = REC_SERIES_RSS; s <= REC_SERIES_SWAP; s++) {
		uint64_t x, y;
		char d[32];

		if (!rec->n_samples || !rec_series_value(rec, s, 0, &x) ||
		    !rec_series_value(rec, s, rec->n_samples - 1, &y))
			continue;
		fmt_size(a, opt, x);
		fmt_size(b, opt, y);
		fmt_delta(d, opt, (int64_t)(y - x));
		fprintf(out, "%s%s %s %s %s (%s)", s ? "   " : "", s == REC_SERIES_RSS ? "RSS"
							   : s == REC_SERIES_PSS ? "PSS" : "swap",
			a, g->arrow, b, d);
	}
	fputc('\n', out);
	strbuf_release(&sb);
}

/*
 * Keeps the last cols code points of a display string (escaped: one
 * column each) behind "..", when it is longer; returns its columns.
 */
static size_t cut_head(struct strbuf *sb, size_t cols)
{
	size_t n = 0, at = sb->len;

	for (size_t i = 0; i < sb->len; i++)
		n += ((unsigned char)sb->buf[i] & 0xc0) != 0x80;
	if (n <= cols)
		return n;
	/* the byte where the last cols - 2 code points begin */
	for (size_t keep = 0; at > 0 && keep < cols - 2;) {
		at--;
		keep += ((unsigned char)sb->buf[at] & 0xc0) != 0x80;
	}
	memmove(sb->buf + 2, sb->buf + at, sb->len - at);
	sb->buf[0] = sb->buf[1] = '.';
	strbuf_setlen(sb, sb->len - at + 2);
	return cols;
}

/* Code points of a display string: its columns. */
static size_t columns_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* s right-aligned in w columns (or as it is when longer), then a space. */
static void put_cell(FILE *out, const char *s, size_t w)
{
	size_t n = columns_of(s);

	fprintf(out, "%*s%s ", (int)(n < w ? w - n : 0), "", s);
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

enum { COL_ADDR = 12, COL_CHANGE = 4, COL_SIZE = 13, COL_GROWTH = 8, COL_ROSE = 13 };

static void ranked_table(FILE *out, const struct rec_view *v, const struct vms_report_options *opt,
			 const struct glyphs *g)
{
	struct vms_report_options o = *opt;
	unsigned width = opt->width ? opt->width : 80;
	int lw = (int)width - (COL_ADDR + COL_CHANGE + 2 * COL_SIZE + 2 * COL_GROWTH + COL_ROSE + 7);
	size_t show, grew = 0;
	struct strbuf sb, cell;

	if (!o.top)
		o.top = REPORT_DEFAULT_TOP;
	show = report_shown(&o, v->n_ranked);
	if (lw < 10)
		lw = 10;
	for (size_t i = 0; i < v->n_ranked; i++)
		grew += v->ranked[i].growth > 0;
	fprintf(out, "\nregions by RSS growth, first to last sample with regions: %zu of %zu grew",
		grew, v->n_ranked);
	if (show < v->n_ranked)
		fprintf(out, ", top %zu shown", show);
	fputs("\n", out);
	if (!v->n_ranked)
		return;
	fprintf(out, "%*s %-*s %*s %*s %*s %*s %-*s %s\n", COL_ADDR, "address", COL_CHANGE, "",
		COL_SIZE, "size", COL_SIZE, "RSS", COL_GROWTH, "growth", COL_GROWTH, "per min",
		COL_ROSE, "rose", "region");
	strbuf_init(&sb);
	strbuf_init(&cell);
	for (size_t i = 0; i < show; i++) {
		const struct vms_rec_growth *e = &v->ranked[i];
		char d[32], t0[32], t1[32];

		fprintf(out, "%*" PRIx64 " %-*s ", COL_ADDR, e->start, COL_CHANGE,
			e->appeared ? "new" : e->vanished ? "gone" : "");
		change_cell(&cell, opt, g, e->size_a, e->size_b);
		put_cell(out, cell.buf, COL_SIZE);
		change_cell(&cell, opt, g, e->rss_a, e->rss_b);
		put_cell(out, cell.buf, COL_SIZE);
		fmt_delta(d, opt, e->growth);
		put_cell(out, d, COL_GROWTH);
		fmt_delta(d, opt, (int64_t)e->per_min);
		put_cell(out, d, COL_GROWTH);
		strbuf_reset(&cell);
		if (e->rose_from_ns < 0) {
			strbuf_addstr(&cell, "-");
		} else {
			fmt_time(t0, e->rose_from_ns);
			fmt_time(t1, e->rose_until_ns);
			if (e->rose_from_ns == e->rose_until_ns)
				strbuf_addstr(&cell, t0);
			else
				strbuf_addf(&cell, "%s%s%s", t0, g->dash, t1);
		}
		fprintf(out, "%s%*s ", cell.buf,
			(int)(columns_of(cell.buf) < COL_ROSE ? COL_ROSE - columns_of(cell.buf) : 0),
			"");
		strbuf_reset(&sb);
		strbuf_reset(&cell);
		rec_view_label(v, i, &cell);
		escape_display(&sb, cell.buf, cell.len);
		cut_head(&sb, (size_t)lw);
		fprintf(out, "%s\n", sb.buf);
	}
	strbuf_release(&sb);
	strbuf_release(&cell);
}

int vms_report_recording_text(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt)
{
	const struct glyphs *g = opt->ascii ? &ascii_glyphs : &utf8_glyphs;
	unsigned width = opt->width ? opt->width : 80;
	struct rec_view v;
	struct chart c = { .rec = rec, .g = g };

	errno = 0;
	rec_view_init(&v, rec);
	header(out, &v, opt, g);
	if (rec->n_samples) {
		/* the strips end in " 12.3M -> 14.5M, max 15.0M min 12.0M" */
		c.cols = width > LABEL_COLS + 36 + 10 ? width - LABEL_COLS - 36 : 10;
		c.t0 = rec->samples[0].t_ns;
		c.span = rec->samples[rec->n_samples - 1].t_ns - c.t0;
		fputc('\n', out);
		rss_chart(out, &c, opt);
		for (int s = REC_SERIES_PSS; s < REC_SERIES__MAX; s++)
			strip(out, &c, s, opt);
	}
	if (v.have_regions)
		ranked_table(out, &v, opt, g);
	else
		fputs("\nregions: none recorded\n", out);
	rec_view_release(&v);
	if (fflush(out) != 0 || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}
