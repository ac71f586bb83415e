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

void text_objects_table(struct text *t)
{
	/* the columns, and the order they go in when narrow: first the regions
	 * count, then size, swap, USS (vmscope(1)) */
	enum { OC_RSS, OC_PSS, OC_USS, OC_SWAP, OC_SIZE, OC_REFD, OC_REGIONS, OC__MAX };
	static const enum vcol vcols[OC_REGIONS] = { VC_RSS, VC_PSS,  VC_USS,
						    VC_SWAP, VC_SIZE, VC_REFD };
	static const unsigned drop[] = { OC_REGIONS, OC_SIZE, OC_SWAP, OC_USS, OC_REFD };
	const struct vms_snapshot *snap = t->snap;
	size_t n = snap->n_objects, show = report_shown(&t->opt, n), *idx;
	unsigned w[OC__MAX], rw = 7, vw = 5, x, px;
	bool several = false;
	size_t y;

	if (n == 0)
		return;
	idx = report_sorted_objects(t->snap, t->opt.sort, show);
	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		unsigned vwi = value_width(t, o->distinct_size > o->mem.v[VMS_MEM_RSS]
						      ? o->distinct_size : o->mem.v[VMS_MEM_RSS]);

		if (vwi > vw)
			vw = vwi;
	}
	for (unsigned k = 0; k < OC_REGIONS; k++)
		w[k] = vw + 2;
	if (!show_refd(t))
		w[OC_REFD] = 0;
	w[OC_REGIONS] = rw + 2;
	px = report_fit_columns(w, OC__MAX, drop, ARRAY_SIZE(drop), 1, REPORT_TEXT_COL_MIN,
				t->fit);
	table_title(t, "objects", n, show);
	y = canvas_add_row(&t->cv);
	x = 1;
	for (unsigned k = 0; k < OC_REGIONS; x += w[k++])
		if (w[k])
			canvas_put_str(&t->cv, x, y, vcol_heads[vcols[k]], vw, CANVAS_ALIGN_RIGHT,
				       CANVAS_BOLD);
	if (w[OC_REGIONS])
		canvas_put_str(&t->cv, x, y, "regions", rw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, px, y, "path", t->width - px, 0, CANVAS_BOLD);

	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		char buf[32];

		y = canvas_add_row(&t->cv);
		x = 1;
		for (unsigned k = 0; k < OC_REGIONS; x += w[k++])
			if (w[k])
				put_vcol(t, x, y, vw, vcols[k], &o->mem, o->distinct_size);
		snprintf(buf, sizeof(buf), "%" PRIu32, o->n_regions);
		if (w[OC_REGIONS])
			text_put_value(t, x, y, rw, buf, CANVAS_PLAIN);
		strbuf_reset(&t->sb);
		report_object_name(&t->sb, snap, idx[i]);
		if (o->max_maps > 1) {
			strbuf_addf(&t->sb, " \u00d7%" PRIu32, o->max_maps);
			several = true;
		}
		report_put_last_col(&t->cv, &t->opt, px, y, t->sb.buf, t->sb.len, t->width,
				    o->is_main ? CANVAS_BOLD : CANVAS_FILE);
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
	/* the columns, and the order they go in when narrow: first swap, then
	 * perm, USS, size, the address (vmscope(1)) */
	enum { RC_ADDR, RC_PERM, RC_SIZE, RC_RSS, RC_PSS, RC_USS, RC_SWAP, RC_REFD, RC__MAX };
	static const enum vcol vcols[RC__MAX] = { [RC_SIZE] = VC_SIZE, [RC_RSS] = VC_RSS,
						 [RC_PSS] = VC_PSS,   [RC_USS] = VC_USS,
						 [RC_SWAP] = VC_SWAP, [RC_REFD] = VC_REFD };
	static const unsigned drop[] = { RC_SWAP, RC_PERM, RC_USS, RC_SIZE, RC_ADDR };
	const struct vms_snapshot *snap = t->snap;
	size_t n = snap->n_regions, show = report_shown(&t->opt, n), *idx;
	unsigned w[RC__MAX], aw = 7, vw = 5, pw = 4, px, wx, vx;
	size_t y;

	if (n == 0)
		return;
	idx = report_sorted_regions(t->snap, t->opt.sort, show);
	for (size_t i = 0; i < show; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		unsigned vwi = value_width(t, vms_region_size(r));

		if (vwi > vw)
			vw = vwi;
		if (text_hex_digits(r->start) > aw)
			aw = text_hex_digits(r->start);
	}
	/* one column before the address, two before the values */
	w[RC_ADDR] = aw + 1;
	w[RC_PERM] = pw + 1;
	for (unsigned k = RC_SIZE; k < RC__MAX; k++)
		w[k] = vw + 2;
	if (!show_refd(t))
		w[RC_REFD] = 0;
	wx = report_fit_columns(w, RC__MAX, drop, ARRAY_SIZE(drop), 2, REPORT_TEXT_COL_MIN,
				t->fit);
	table_title(t, "regions", n, show);
	px = 1 + w[RC_ADDR];
	vx = px + 1 + w[RC_PERM];
	if (!w[RC_ADDR])
		aw = 0;
	if (!w[RC_PERM])
		pw = 0;
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 1, y, "address", aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, px, y, "perm", pw, 0, CANVAS_BOLD);
	for (unsigned k = RC_SIZE, x = vx; k < RC__MAX; x += w[k++])
		if (w[k])
			canvas_put_str(&t->cv, x, y, vcol_heads[vcols[k]], vw, CANVAS_ALIGN_RIGHT,
				       CANVAS_BOLD);
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
		x = vx;
		for (unsigned k = RC_SIZE; k < RC__MAX; x += w[k++])
			if (w[k])
				put_vcol(t, x, y, vw, vcols[k], m, vms_region_size(r));

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
	size_t n = t->snap->n_objects, show = report_shown(&t->opt, n);
	size_t *idx = report_sorted_objects(t->snap, t->opt.sort, show);

	report_sections(&sink, t->snap, idx, show);
	free(idx);
}
