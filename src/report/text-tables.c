/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tables of the text report: the objects and the regions that matter,
 * biggest first by the sort key asked for, and the --sections listing of
 * the objects listed.
 */
#include "config.h"

#include "report/text-internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/format.h"
#include "report/tables.h"

static bool is_elf_part(enum vms_kind k)
{
	return k == VMS_KIND_TEXT || k == VMS_KIND_RODATA || k == VMS_KIND_RELRO ||
	       k == VMS_KIND_DATA || k == VMS_KIND_BSS;
}


static void table_title(struct text *t, const char *what, size_t n, size_t show)
{
	size_t y;

	text_blank_line(t);
	strbuf_reset(&t->sb);
	report_table_title(&t->sb, what, n, show, t->opt.sort);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 0, y, t->sb.buf, t->width, 0, CANVAS_BOLD);
}

static void table_more(struct text *t, size_t n, size_t show, const char *what)
{
	size_t y;

	if (show >= n)
		return;
	strbuf_reset(&t->sb);
	strbuf_addf(&t->sb, "\u2026 %zu more %s not shown", n - show, what);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 1, y, t->sb.buf, t->width - 1, 0, CANVAS_DIM);
}

/* Width of a column of sizes: at least the header's and 5 ("1023K"). */
static unsigned value_width(const struct text *t, uint64_t max)
{
	char buf[32];

	if (!t->opt.bytes)
		return 5;
	report_size(buf, &t->opt, true, max);
	return strlen(buf) > 5 ? (unsigned)strlen(buf) : 5;
}

/* A counter of m in a column of w: its size, or n/a when it was not read. */
static void put_mem(struct text *t, unsigned x, size_t y, unsigned w, const struct vms_counters *m,
		    enum vms_mem k)
{
	char buf[32];

	text_put_value(t, x, y, w, report_size(buf, &t->opt, vms_counters_has(m, k), m->v[k]),
		       CANVAS_PLAIN);
}

/* The value columns of the tables. */
enum vcol { VC_SIZE, VC_RSS, VC_PSS, VC_USS, VC_SWAP, VC_REFD, VC__MAX };

static const char *const vcol_heads[VC__MAX] = { "size", "RSS", "PSS", "USS", "swap", "refd" };

/* One value column of a row: a counter of m, USS, or size. */
static void put_vcol(struct text *t, unsigned x, size_t y, unsigned w, enum vcol c,
		     const struct vms_counters *m, uint64_t size)
{
	static const enum vms_mem keys[VC__MAX] = { [VC_RSS] = VMS_MEM_RSS,
						   [VC_PSS] = VMS_MEM_PSS,
						   [VC_SWAP] = VMS_MEM_SWAP,
						   [VC_REFD] = VMS_MEM_REFERENCED };
	char buf[32];

	if (c == VC_SIZE)
		text_put_value(t, x, y, w, report_size(buf, &t->opt, true, size), CANVAS_PLAIN);
	else if (c == VC_USS)
		text_put_value(t, x, y, w,
			       report_size(buf, &t->opt, report_have_uss(m), vms_counters_uss(m)),
			       CANVAS_PLAIN);
	else
		put_mem(t, x, y, w, m, keys[c]);
}

/*
 * Referenced (refd) is a working set only after --reset-refs cleared the
 * bits: shown then, or when the table is sorted by it.
 */
static bool show_refd(const struct text *t)
{
	return t->snap->pages.refs_interval_ms || t->opt.sort == VMS_SORT_REFERENCED;
}

/*
 * The text column a table ends with gets at least this much of a narrow
 * width: value columns are dropped, in the order each table states, until
 * it does.
 */
#define TEXT_COL_MIN 20

/* Drops cols[] entries named in order[] until fixed(cols) + TEXT_COL_MIN fits. */
static unsigned drop_columns(const struct text *t, enum vcol *cols, unsigned nc,
			     const enum vcol *order, size_t n_order, unsigned vw, unsigned other)
{
	for (size_t o = 0; o < n_order && other + nc * (vw + 2) + TEXT_COL_MIN > t->fit; o++) {
		for (unsigned k = 0; k < nc; k++) {
			if (cols[k] != order[o])
				continue;
			memmove(&cols[k], &cols[k + 1], (nc - k - 1) * sizeof(*cols));
			nc--;
			break;
		}
	}
	return nc;
}

void text_objects_table(struct text *t)
{
	static const enum vcol drop[] = { VC_SIZE, VC_SWAP, VC_USS, VC_REFD };
	const struct vms_snapshot *snap = t->snap;
	enum vcol cols[] = { VC_RSS, VC_PSS, VC_USS, VC_SWAP, VC_SIZE, VC_REFD };
	unsigned nc = show_refd(t) ? 6 : 5, rw = 7;
	size_t n = snap->n_objects, show = report_shown(&t->opt, n), *idx;
	unsigned vw = 5, x, px;
	bool several = false;
	size_t y;

	if (n == 0)
		return;
	idx = report_sorted_objects(t->snap, t->opt.sort);
	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		unsigned w = value_width(t, o->distinct_size > o->mem.v[VMS_MEM_RSS]
						    ? o->distinct_size : o->mem.v[VMS_MEM_RSS]);

		if (w > vw)
			vw = w;
	}
	/* narrow: first the regions count, then size, swap, USS (vmscope(1)) */
	if (1 + nc * (vw + 2) + rw + 2 + TEXT_COL_MIN > t->fit)
		rw = 0;
	nc = drop_columns(t, cols, nc, drop, ARRAY_SIZE(drop), vw, 1);
	table_title(t, "objects", n, show);
	y = canvas_add_row(&t->cv);
	for (unsigned k = 0; k < nc; k++)
		canvas_put_str(&t->cv, 1 + k * (vw + 2), y, vcol_heads[cols[k]], vw,
			       CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	x = 1 + nc * (vw + 2);
	canvas_put_str(&t->cv, x, y, "regions", rw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	px = rw ? x + rw + 2 : x;
	canvas_put_str(&t->cv, px, y, "path", t->width - px, 0, CANVAS_BOLD);

	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		char buf[32];
		unsigned used;

		y = canvas_add_row(&t->cv);
		for (unsigned k = 0; k < nc; k++)
			put_vcol(t, 1 + k * (vw + 2), y, vw, cols[k], &o->mem, o->distinct_size);
		snprintf(buf, sizeof(buf), "%" PRIu32, o->n_regions);
		if (rw)
			text_put_value(t, x, y, rw, buf, CANVAS_PLAIN);
		strbuf_reset(&t->sb);
		report_object_name(&t->sb, snap, idx[i]);
		if (o->max_maps > 1) {
			strbuf_addf(&t->sb, " \u00d7%" PRIu32, o->max_maps);
			several = true;
		}
		used = canvas_put_text(&t->cv, px, y, t->sb.buf, t->sb.len, t->width - px,
				       CANVAS_TRUNC_LEFT, o->is_main ? CANVAS_BOLD : CANVAS_FILE);
		(void)used;
		text_maybe_flush(t);
	}
	table_more(t, n, show, "objects");
	if (several) {
		y = canvas_add_row(&t->cv);
		canvas_put_str(&t->cv, 1, y,
			       "\u00d7N: its file pages mapped N times: size and PSS count them once, "
			       "RSS N times",
			       t->width - 1, 0, CANVAS_DIM);
	}
	free(idx);
}

void text_regions_table(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	enum vcol cols[] = { VC_SIZE, VC_RSS, VC_PSS, VC_USS, VC_SWAP, VC_REFD };
	unsigned nc = show_refd(t) ? 6 : 5; /* VC_SIZE .. VC_SWAP, VC_REFD */
	size_t n = snap->n_regions, show = report_shown(&t->opt, n), *idx;
	unsigned aw = 7, vw = 5, pw = 4, px, wx, vx;
	size_t y;

	if (n == 0)
		return;
	idx = report_sorted_regions(t->snap, t->opt.sort);
	for (size_t i = 0; i < show; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		unsigned w = value_width(t, vms_region_size(r));

		if (w > vw)
			vw = w;
		if (text_hex_digits(r->start) > aw)
			aw = text_hex_digits(r->start);
	}
	/* narrow: first swap, then perm, USS, size, the address (vmscope(1)) */
	{
		static const enum vcol first[] = { VC_SWAP }, then[] = { VC_USS, VC_SIZE };

		nc = drop_columns(t, cols, nc, first, 1, vw, 1 + aw + 1 + pw);
		if (1 + aw + 1 + pw + nc * (vw + 2) + TEXT_COL_MIN > t->fit)
			pw = 0;
		nc = drop_columns(t, cols, nc, then, 2, vw, 1 + aw + 1 + pw);
		if (1 + aw + 1 + pw + nc * (vw + 2) + TEXT_COL_MIN > t->fit)
			aw = 0;
	}
	table_title(t, "regions", n, show);
	px = aw ? 1 + aw + 1 : 1;
	vx = pw ? px + pw + 2 : px + 1;
	wx = vx + nc * (vw + 2);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 1, y, "address", aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, px, y, "perm", pw, 0, CANVAS_BOLD);
	for (unsigned k = 0; k < nc; k++)
		canvas_put_str(&t->cv, vx + k * (vw + 2), y, vcol_heads[cols[k]], vw,
			       CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, wx, y, "what", t->width - wx, 0, CANVAS_BOLD);

	for (size_t i = 0; i < show; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		const struct vms_counters *m = &r->mem;
		enum canvas_class cls = text_kind_class(r->kind);
		char buf[32];
		char perms[5];
		unsigned x;
		const char *path;

		vms_perms_format(r->perms, perms);
		y = canvas_add_row(&t->cv);
		snprintf(buf, sizeof(buf), "%" PRIx64, r->start);
		canvas_put_str(&t->cv, 1, y, buf, aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
		canvas_put_str(&t->cv, px, y, perms, pw, 0, CANVAS_PLAIN);
		for (unsigned k = 0; k < nc; k++)
			put_vcol(t, vx + k * (vw + 2), y, vw, cols[k], m, vms_region_size(r));

		/*
		 * What it is ("libc.so.6 text", "thread stack 4711"), the same
		 * label as in the layout, then the full path where it fits: a
		 * path cut short says less than the label, and the objects
		 * table has every path whole.
		 */
		strbuf_reset(&t->sb);
		size_t tail = text_region_label(&t->sb, snap, r);
		size_t lw = canvas_text_width(t->sb.buf, t->sb.len);
		x = wx +
		    text_put_label(&t->cv, wx, y, t->sb.buf, t->sb.len, tail, t->width - wx, cls);
		path = text_region_path(snap, r);
		/* not the names the kernel makes up for its shared memory:
		 * the label says what they are */
		if (path[0] && vms_region_shm_type(r) == VMS_SHM_NONE &&
		    (is_elf_part(r->kind) || r->kind == VMS_KIND_FILE || r->kind == VMS_KIND_SHM)) {
			strbuf_reset(&t->sb);
			strbuf_addstr(&t->sb, path);
			if (r->deleted)
				strbuf_addstr(&t->sb, " (deleted)");
			if (wx + lw + 2 + canvas_text_width(t->sb.buf, t->sb.len) <= t->width)
				canvas_put_text(&t->cv, x + 2, y, t->sb.buf, t->sb.len,
						t->width - x - 2, 0, CANVAS_DIM);
		}
		text_maybe_flush(t);
	}
	table_more(t, n, show, "regions");
	free(idx);
}

/* --sections, for the objects the objects table lists. */
void text_sections_list(struct text *t)
{
	struct report_sink sink = text_sink(t);
	size_t n = t->snap->n_objects, *idx = report_sorted_objects(t->snap, t->opt.sort);

	report_sections(&sink, t->snap, idx, report_shown(&t->opt, n));
	free(idx);
}
