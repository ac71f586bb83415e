/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table in a canvas. Numbers are right-aligned in fixed widths
 * so that a column stays put across refreshes; the command (or the group's
 * key) comes last and takes the rest of the line, as in ps.
 */
#include "config.h"

#include "tui/ptable.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/report.h"

/*
 * The columns of each mode in screen order, with the priority that decides
 * which go first when the screen is narrow (higher stays longer).
 */
struct col_pick {
	enum vms_col col;
	unsigned prio;
};

static const struct col_pick list_cols[] = {
	{ VMS_COL_PID, 9 },    { VMS_COL_USER, 6 },  { VMS_COL_COUNT, 9 },   { VMS_COL_VSZ, 3 },
	{ VMS_COL_RSS, 8 },    { VMS_COL_PSS, 9 },   { VMS_COL_USS, 7 },     { VMS_COL_SWAP, 5 },
	{ VMS_COL_SWAP_PSS, 2 }, { VMS_COL_MINFLT, 4 }, { VMS_COL_MAJFLT, 4 },
	{ VMS_COL_OOM_SCORE, 3 }, { VMS_COL_CGROUP_MEM, 9 },
};

static const struct col_pick live_cols[] = {
	{ VMS_COL_PID, 9 },       { VMS_COL_USER, 6 },        { VMS_COL_COUNT, 9 },
	{ VMS_COL_VSZ, 1 },       { VMS_COL_RSS, 8 },         { VMS_COL_RSS_DELTA, 7 },
	{ VMS_COL_PSS, 9 },       { VMS_COL_TREE_PSS, 8 },    { VMS_COL_USS, 7 },
	{ VMS_COL_SWAP, 5 },      { VMS_COL_SWAP_PSS, 1 },    { VMS_COL_MINFLT_RATE, 6 }, { VMS_COL_MAJFLT_RATE, 6 },
	{ VMS_COL_OOM_SCORE, 3 }, { VMS_COL_CGROUP_MEM, 9 },
};

#define MIN_COMMAND 12

static bool col_applies(enum vms_col c, const struct vms_view *v)
{
	enum vms_group by = v->by;

	switch (c) {
	case VMS_COL_TREE_PSS:
		return v->tree && by == VMS_GROUP_NONE;
	case VMS_COL_PID:
		return by == VMS_GROUP_NONE;
	case VMS_COL_USER:
		return by == VMS_GROUP_NONE;
	case VMS_COL_COUNT:
		return by != VMS_GROUP_NONE;
	case VMS_COL_CGROUP_MEM:
		return by == VMS_GROUP_CGROUP;
	case VMS_COL_MINFLT:
	case VMS_COL_MAJFLT:
	case VMS_COL_OOM_SCORE:
		return by != VMS_GROUP_LIBRARY;
	default:
		return true;
	}
}

static unsigned col_width(enum vms_col c, unsigned flags)
{
	bool bytes = flags & PTABLE_BYTES;

	switch (c) {
	case VMS_COL_PID:
		return 7;
	case VMS_COL_USER:
		return 8;
	case VMS_COL_COUNT:
	case VMS_COL_OOM_SCORE:
		return 5;
	case VMS_COL_MINFLT:
	case VMS_COL_MAJFLT:
		return 10;
	case VMS_COL_MINFLT_RATE:
	case VMS_COL_MAJFLT_RATE:
		return 8;
	case VMS_COL_RSS_DELTA:
		return bytes ? 14 : 7;
	case VMS_COL_SWAP_PSS:
	case VMS_COL_TREE_PSS:
		return bytes ? 13 : 7;
	default:
		return bytes ? 13 : 6;
	}
}

void ptable_layout(struct ptable *t, const struct vms_view *v, unsigned width, unsigned flags)
{
	const struct col_pick *pick = flags & PTABLE_LIVE ? live_cols : list_cols;
	size_t n_pick = flags & PTABLE_LIVE ? ARRAY_SIZE(live_cols) : ARRAY_SIZE(list_cols);
	bool on[ARRAY_SIZE(live_cols)];
	unsigned used = 0, x = 0;

	if (width == 0)
		flags |= PTABLE_UNCUT;
	if (width == 0 || width > CANVAS_MAX_WIDTH)
		width = CANVAS_MAX_WIDTH;
	for (size_t i = 0; i < n_pick; i++) {
		on[i] = col_applies(pick[i].col, v);
		if (on[i])
			used += col_width(pick[i].col, flags) + 1;
	}
	/* Narrow screen: drop the columns of least priority until the command fits. */
	for (unsigned prio = 1; prio < 9 && used + MIN_COMMAND > width; prio++)
		for (size_t i = n_pick; i-- > 0 && used + MIN_COMMAND > width;)
			if (on[i] && pick[i].prio == prio) {
				on[i] = false;
				used -= col_width(pick[i].col, flags) + 1;
			}
	memset(t, 0, sizeof(*t));
	t->flags = flags;
	t->width = width;
	for (size_t i = 0; i < n_pick; i++) {
		if (!on[i])
			continue;
		t->cols[t->n] = pick[i].col;
		t->x[t->n] = x;
		t->w[t->n] = col_width(pick[i].col, flags);
		x += t->w[t->n] + 1;
		t->n++;
	}
	t->cols[t->n] = VMS_COL_COMMAND;
	t->x[t->n] = x;
	t->w[t->n] = width > x ? width - x : 1;
	t->n++;
}

static bool partial(const struct vms_row *r, enum vms_col c)
{
	return r->unreadable && r->unreadable < r->count &&
	       (c == VMS_COL_PSS || c == VMS_COL_USS || c == VMS_COL_SWAP || c == VMS_COL_SWAP_PSS);
}

void ptable_cell(const struct ptable *t, const struct vms_row *r, enum vms_col c, char *buf,
		 size_t n)
{
	bool bytes = t->flags & PTABLE_BYTES;
	uint64_t v = r->v[c];
	char num[32];

	if (c == VMS_COL_USER) {
		if (r->user)
			(void)snprintf(buf, n, "%s", r->user);
		else
			(void)snprintf(buf, n, "%u", (unsigned)r->uid);
		return;
	}
	if (!vms_row_has(r, c)) {
		(void)snprintf(buf, n, "n/a");
		return;
	}
	if (c == VMS_COL_RSS_DELTA) {
		int64_t d = vms_row_signed(r, c);
		uint64_t mag = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

		if (bytes)
			(void)snprintf(num, sizeof(num), "%" PRIu64, mag);
		else
			vms_format_size(num, sizeof(num), mag);
		(void)snprintf(buf, n, "%s%s", d < 0 ? "-" : d > 0 ? "+" : "", num);
		return;
	}
	if ((vms_cols[c].flags & VMS_COLF_SIZE) && !bytes)
		vms_format_size(num, sizeof(num), v);
	else
		(void)snprintf(num, sizeof(num), "%" PRIu64, v);
	(void)snprintf(buf, n, "%s%s", num, partial(r, c) ? "+" : "");
}

static const char *command_header(const struct vms_view *v)
{
	switch (v->by) {
	case VMS_GROUP_PROGRAM:
		return "PROGRAM";
	case VMS_GROUP_USER:
		return "USER";
	case VMS_GROUP_CGROUP:
		return "CGROUP";
	case VMS_GROUP_LIBRARY:
		return "LIBRARY";
	default:
		return "COMMAND";
	}
}

static bool left_aligned(enum vms_col c)
{
	return vms_cols[c].flags & VMS_COLF_TEXT;
}

void ptable_draw_header(const struct ptable *t, const struct vms_view *v, struct canvas *cv,
			size_t y)
{
	char buf[48];

	for (size_t i = 0; i < t->n; i++) {
		enum vms_col c = t->cols[i];
		const char *h = c == VMS_COL_COMMAND ? command_header(v) : vms_cols[c].header;
		bool sorted = c == v->sort;

		(void)snprintf(buf, sizeof(buf), "%s%s", sorted ? (v->desc ? "▼" : "▲") : "", h);
		canvas_put_str(cv, t->x[i], y, buf, t->w[i], left_aligned(c) ? 0 : CANVAS_ALIGN_RIGHT,
			       sorted ? CANVAS_BOLD : CANVAS_DIM);
	}
}

/* The tree's lines before a process at its place in the tree view. */
static void tree_prefix(const struct vms_view *v, const struct vms_row *r, struct strbuf *sb)
{
	size_t row = (size_t)(r - v->rows), pos;
	const struct vms_tree_pos *tp;

	if (!v->tree || v->by != VMS_GROUP_NONE || row >= v->n_rows)
		return;
	for (pos = 0; pos < v->n_vis && v->vis[pos] != row; pos++)
		;
	if (pos == v->n_vis)
		return;
	tp = &v->tpos[pos];
	for (uint32_t k = 0; k + 1 < tp->depth; k++)
		strbuf_addstr(sb, k < 64 && (tp->more >> k & 1) ? "│ " : "  ");
	if (tp->depth)
		strbuf_addstr(sb, tp->last ? "└─" : "├─");
}

/* Skips n characters of s (horizontal scrolling). */
static const char *skip_chars(const char *s, size_t n)
{
	while (n-- && *s) {
		s++;
		while ((*s & 0xc0) == 0x80)
			s++;
	}
	return s;
}

static void put_command(const struct ptable *t, const struct vms_view *v, const struct vms_row *r,
			struct canvas *cv, size_t i, size_t y)
{
	const char *s = r->name ? r->name : "?", *shown;
	struct strbuf sb;

	if (v->by != VMS_GROUP_NONE && (t->flags & PTABLE_UNCUT)) {
		canvas_put_uncut(cv, t->x[i], y, s, strlen(s), CANVAS_PLAIN);
		return;
	}
	if (v->by != VMS_GROUP_NONE) {
		canvas_put_str(cv, t->x[i], y, skip_chars(s, v->hscroll), t->w[i],
			       v->by == VMS_GROUP_CGROUP || v->by == VMS_GROUP_LIBRARY ?
				       CANVAS_TRUNC_LEFT : 0,
			       CANVAS_PLAIN);
		return;
	}
	strbuf_init(&sb);
	tree_prefix(v, r, &sb);
	/* a process without arguments is shown the way ps does: [comm] */
	if (r->cmdline)
		strbuf_addstr(&sb, r->cmdline);
	else
		strbuf_addf(&sb, "[%s]", s);
	shown = skip_chars(sb.buf, v->hscroll);
	if (t->flags & PTABLE_UNCUT)
		canvas_put_uncut(cv, t->x[i], y, shown, sb.len - (size_t)(shown - sb.buf),
				 CANVAS_PLAIN);
	else
		canvas_put_text(cv, t->x[i], y, shown, sb.len - (size_t)(shown - sb.buf), t->w[i],
				0, CANVAS_PLAIN);
	strbuf_release(&sb);
}

void ptable_draw_row(const struct ptable *t, const struct vms_view *v, const struct vms_row *r,
		     struct canvas *cv, size_t y)
{
	char buf[64];

	for (size_t i = 0; i < t->n; i++) {
		enum vms_col c = t->cols[i];

		if (c == VMS_COL_COMMAND) {
			put_command(t, v, r, cv, i, y);
			continue;
		}
		ptable_cell(t, r, c, buf, sizeof(buf));
		canvas_put_str(cv, t->x[i], y, buf, t->w[i],
			       left_aligned(c) ? 0 : CANVAS_ALIGN_RIGHT,
			       vms_row_has(r, c) || c == VMS_COL_USER ? CANVAS_PLAIN : CANVAS_DIM);
	}
}

void ptable_draw_total(const struct ptable *t, const struct vms_view *v, struct canvas *cv,
		       size_t y)
{
	struct vms_row lib_total = v->total;
	const struct vms_row *r = &v->total;
	struct strbuf sb;
	char buf[64];

	/* libraries share processes: the total counts the processes read */
	if (v->by == VMS_GROUP_LIBRARY) {
		lib_total.count = v->lib_processes + v->lib_unreadable;
		lib_total.unreadable = v->lib_unreadable;
		r = &lib_total;
	}
	strbuf_init(&sb);
	for (size_t i = 0; i < t->n; i++) {
		enum vms_col c = t->cols[i];

		if (c == VMS_COL_PID || c == VMS_COL_USER || c == VMS_COL_CGROUP_MEM ||
		    c == VMS_COL_OOM_SCORE || c == VMS_COL_TREE_PSS)
			continue;
		if (c == VMS_COL_COMMAND) {
			strbuf_addf(&sb, "total: %" PRIu32 " process%s", r->count,
				    r->count == 1 ? "" : "es");
			if (v->by == VMS_GROUP_LIBRARY)
				strbuf_addf(&sb, ", %zu librar%s", v->n_vis,
					    v->n_vis == 1 ? "y" : "ies");
			else if (v->by != VMS_GROUP_NONE)
				strbuf_addf(&sb, " in %zu %s%s", v->n_vis, vms_group_to_string(v->by),
					    v->n_vis == 1 ? "" : "s");
			if (r->unreadable)
				strbuf_addf(&sb, ", %" PRIu32 " unreadable (+: at least)",
					    r->unreadable);
			canvas_put_text(cv, t->x[i], y, sb.buf, sb.len, t->w[i], 0, CANVAS_BOLD);
			continue;
		}
		if (c == VMS_COL_COUNT)
			(void)snprintf(buf, sizeof(buf), "%" PRIu32, r->count);
		else
			ptable_cell(t, r, c, buf, sizeof(buf));
		canvas_put_str(cv, t->x[i], y, buf, t->w[i], CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	}
	strbuf_release(&sb);
}

int ptable_column_at(const struct ptable *t, unsigned x)
{
	for (size_t i = 0; i < t->n; i++)
		if (x >= t->x[i] && x < t->x[i] + t->w[i] + 1)
			return (int)t->cols[i];
	return -1;
}
