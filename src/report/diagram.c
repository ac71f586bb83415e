/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layout diagram of the text report: the address space from high to
 * low, one row per region or run of like regions, large unmapped gaps as
 * rows of their own, each with its size, RSS, PSS and where its pages are
 * resident (the pagemap strip, or a bar of the RSS share without it).
 */
#include "config.h"

#include "report/text-internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/decimal.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/format.h"
#include "report/layout.h"
#include "report/pages.h"

/* a stretch that only maps the zero page: light shade */
#define ZERO_GLYPH 0x2591

/* The row's label into t->sb; returns where its tail starts (see put_label). */
static size_t row_label(struct text *t, const struct layout_row *row)
{
	char buf[32];

	strbuf_reset(&t->sb);
	if (row->gap) {
		/* Up to [vsyscall], in the kernel's half: not user space that
		 * could be mapped, so its size (16E) says nothing. */
		if (row->end >> 63) {
			strbuf_addstr(&t->sb, "\u2504 end of user space \u2504");
			return t->sb.len;
		}
		report_size(buf, &t->opt, true, row->size);
		strbuf_addf(&t->sb, "\u2504 %s unmapped \u2504", buf);
		return t->sb.len;
	}
	return layout_row_label(&t->sb, t->snap, row);
}

/* The resident share as a bar of eighth blocks. */
static void put_bar(struct text *t, unsigned x, size_t y, unsigned w, uint64_t part,
		    uint64_t whole, enum canvas_class cls)
{
	static const uint32_t eighths[8] = { 0, 0x258f, 0x258e, 0x258d,
					     0x258c, 0x258b, 0x258a, 0x2589 };
	uint64_t total = (uint64_t)w * 8, fill;

	if (!w || !whole || !part)
		return;
	if (part >= whole)
		fill = total;
	else
		fill = (uint64_t)((double)part / (double)whole * (double)total + 0.5);
	if (fill == 0)
		fill = 1; /* something resident: never draw it as nothing */
	canvas_fill(&t->cv, x, y, (unsigned)(fill / 8), 0x2588, cls);
	if (fill % 8)
		canvas_put_cp(&t->cv, x + (unsigned)(fill / 8), y, eighths[fill % 8], cls);
}

/*
 * Where along the row its pages are resident (pagemap), as eighth-height
 * blocks; false without page data, and the bar is drawn instead.
 */
static bool put_strip(struct text *t, unsigned x, size_t y, unsigned w, const struct layout_row *row,
		      enum canvas_class cls)
{
	static const uint32_t heights[9] = { ' ', 0x2581, 0x2582, 0x2583, 0x2584,
					     0x2585, 0x2586, 0x2587, 0x2588 };
	uint8_t levels[CANVAS_MAX_WIDTH];
	bool zero[CANVAS_MAX_WIDTH];

	if (w > CANVAS_MAX_WIDTH || !pages_strip(t->snap, row, w, levels, zero))
		return false;
	for (unsigned i = 0; i < w; i++) {
		if (levels[i]) {
			canvas_put_cp(&t->cv, x + i, y, heights[levels[i]], cls);
		} else if (zero[i]) {
			canvas_put_cp(&t->cv, x + i, y, ZERO_GLYPH, CANVAS_DIM);
			t->drew_zero = true;
		}
	}
	return true;
}

struct dcols {
	unsigned aw, lw, sw, rw, pw, bw;
	unsigned ax, lx, sx, rx, px, bx;
};

/* The rows' labels, made once for the columns' widths and the drawing. */
struct dlabels {
	struct strbuf text;    /* every row's label, one after another */
	size_t *end, *tail;    /* row i's label ends at end[i]; its tail */
};

static void diagram_columns(struct text *t, const struct layout_row *rows, size_t n,
			    struct dcols *c, struct dlabels *lab)
{
	unsigned label_max = 6, label_full = 6, fixed, avail;
	char buf[32];

	*c = (struct dcols){ .aw = 7, .sw = 5, .rw = 5, .pw = 5 };
	for (size_t i = 0; i < n; i++) {
		const struct layout_row *row = &rows[i];
		size_t w, start = lab->text.len;

		lab->end[i] = lab->tail[i] = start;
		if (row->gap)
			continue;
		if (text_hex_digits(row->start) > c->aw)
			c->aw = text_hex_digits(row->start);
		lab->tail[i] = start + row_label(t, row);
		strbuf_add(&lab->text, t->sb.buf, t->sb.len);
		lab->end[i] = lab->text.len;
		w = canvas_text_width(t->sb.buf, t->sb.len);
		if (w > label_full)
			label_full = w > CANVAS_MAX_WIDTH / 2 ? CANVAS_MAX_WIDTH / 2 : (unsigned)w;
		if (w > label_max)
			label_max = w > 64 ? 64 : (unsigned)w;
		report_size(buf, &t->opt, true, row->size);
		if (strlen(buf) > c->sw)
			c->sw = (unsigned)strlen(buf);
		report_size(buf, &t->opt, true, row->rss);
		if (strlen(buf) > c->rw)
			c->rw = (unsigned)strlen(buf);
		report_size(buf, &t->opt, true, row->pss);
		if (strlen(buf) > c->pw)
			c->pw = (unsigned)strlen(buf);
	}
	/*
	 * Narrower than the columns and a label of 12: the address goes, then
	 * PSS (vmscope(1) says this order); the bar narrows before either.
	 */
	fixed = 1 + c->aw + 2 + 2 + c->sw + 2 + c->rw + 2 + c->pw + 2;
	if (fixed + 12 > t->fit) {
		fixed -= c->aw + 2;
		c->aw = 0;
	}
	if (fixed + 12 > t->fit) {
		fixed -= c->pw + 2;
		c->pw = 0;
	}
	/*
	 * Labels and the bar share what the numbers leave: a label gets what it
	 * needs up to 2/3 of it (12 columns at least), the bar the rest, when
	 * that is 4 columns or more.
	 */
	avail = t->fit > fixed ? t->fit - fixed : 0;
	c->lw = label_max;
	if (c->lw > avail * 2 / 3)
		c->lw = avail * 2 / 3;
	if (c->lw < 12)
		c->lw = 12;
	c->bw = avail > c->lw ? avail - c->lw : 0;
	if (c->bw < 4) {
		c->lw += c->bw;
		c->bw = 0;
	}
	/* full lines: the bar as at the width, the labels whole */
	if (t->opt.full_lines && label_full > c->lw)
		c->lw = label_full;
	c->ax = 1;
	c->lx = c->aw ? c->ax + c->aw + 2 : 1;
	c->sx = c->lx + c->lw + 2;
	c->rx = c->sx + c->sw + 2;
	c->px = c->pw ? c->rx + c->rw + 2 : c->rx + c->rw;
	c->bx = c->px + c->pw + 2;
}

static void diagram_row(struct text *t, const struct dcols *c, const struct layout_row *row,
			const struct dlabels *lab, size_t i)
{
	const struct vms_snapshot *snap = t->snap;
	size_t y = canvas_add_row(&t->cv);
	size_t start = i ? lab->end[i - 1] : 0;
	const struct vms_region *r;
	enum canvas_class cls;
	char buf[32];

	if (row->gap) {
		row_label(t, row);
		canvas_put_text(&t->cv, c->lx, y, t->sb.buf, t->sb.len, t->width - c->lx, 0,
				CANVAS_DIM);
		return;
	}
	r = &snap->regions[row->first];
	cls = text_kind_class(r->kind);
	canvas_put_text(&t->cv, c->ax, y, buf, (size_t)(put_hex_u64(buf, row->start, 1) - buf), c->aw,
			CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	text_put_label(&t->cv, c->lx, y, lab->text.buf + start, lab->end[i] - start,
		       lab->tail[i] - start, c->lw, cls);
	text_put_value(t, c->sx, y, c->sw, report_size(buf, &t->opt, true, row->size),
		       CANVAS_PLAIN);
	text_put_value(t, c->rx, y, c->rw, report_size(buf, &t->opt, row->have_rss, row->rss),
		       CANVAS_PLAIN);
	text_put_value(t, c->px, y, c->pw, report_size(buf, &t->opt, row->have_pss, row->pss),
		       CANVAS_PLAIN);
	if (!put_strip(t, c->bx, y, c->bw, row, cls) && row->have_rss)
		put_bar(t, c->bx, y, c->bw, row->rss, row->size, cls);
}

/* What the drawing leaves out or draws apart, said under it. */
static void diagram_notes(struct text *t, const struct dcols *c, const struct layout_hidden *hidden)
{
	char buf[32];
	size_t y;

	if (t->drew_zero) {
		y = canvas_add_row(&t->cv);
		canvas_put_str(&t->cv, c->lx, y,
			       "\u2591 zero page only (read, never written): present, not in RSS",
			       t->width - c->lx, 0, CANVAS_DIM);
	}
	if (hidden->n) {
		y = canvas_add_row(&t->cv);
		report_size(buf, &t->opt, true, hidden->bytes);
		strbuf_reset(&t->sb);
		strbuf_addf(&t->sb, "%zu smaller unmapped gap%s (%s in all) not drawn as rows",
			    hidden->n, hidden->n == 1 ? "" : "s", buf);
		canvas_put_text(&t->cv, c->lx, y, t->sb.buf, t->sb.len, t->width - c->lx, 0,
				CANVAS_DIM);
	}
}

void text_diagram(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	struct layout_hidden hidden;
	struct layout_row *rows;
	struct dlabels lab;
	struct dcols c;
	size_t n, y;

	if (snap->n_regions == 0) {
		const char *why = NULL;

		if (vms_snapshot_have(snap, VMS_SRC_SMAPS))
			why = "no memory regions: a kernel thread or a zombie has no address "
			      "space";
		else if (snap->src[VMS_SRC_SMAPS].tried)
			why = "no layout: the regions could not be read";
		if (why) {
			text_blank_line(t);
			y = canvas_add_row(&t->cv);
			canvas_put_str(&t->cv, 0, y, why, t->width, 0, CANVAS_DIM);
		}
		return;
	}

	rows = layout_rows(snap, &n, &hidden);
	t->drew_zero = false;
	strbuf_init(&lab.text);
	lab.end = xreallocarray(NULL, n ? n : 1, sizeof(*lab.end));
	lab.tail = xreallocarray(NULL, n ? n : 1, sizeof(*lab.tail));
	diagram_columns(t, rows, n, &c, &lab);
	text_blank_line(t);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, c.ax, y, "address", c.aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.lx, y, "region", c.lw, 0, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.sx, y, "size", c.sw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.rx, y, "RSS", c.rw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.px, y, "PSS", c.pw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.bx, y, "resident", c.bw, 0, CANVAS_BOLD);
	for (size_t i = n; i-- > 0;) {
		diagram_row(t, &c, &rows[i], &lab, i);
		text_maybe_flush(t);
	}
	free(rows);
	strbuf_release(&lab.text);
	free(lab.end);
	free(lab.tail);
	diagram_notes(t, &c, &hidden);
}
