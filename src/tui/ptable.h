/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table drawn into a canvas: `vmscope list` prints it, `vmscope
 * top --once` prints one refresh of it, and the live view copies it to the
 * screen. Curses-free.
 */
#ifndef VMSCOPE_TUI_PTABLE_H
#define VMSCOPE_TUI_PTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/canvas.h"
#include "tui/viewmodel.h"

enum {
	PTABLE_LIVE = 1 << 0,  /* rates and RSS change instead of fault counts */
	PTABLE_BYTES = 1 << 1, /* exact byte counts */
	PTABLE_UNCUT = 1 << 2, /* set by a width of 0: the last column whole, however long */
};

struct ptable {
	enum vms_col cols[VMS_COL__MAX];
	unsigned x[VMS_COL__MAX], w[VMS_COL__MAX];
	size_t n;
	unsigned width;
	unsigned flags;
};

/*
 * Picks the columns for the view's grouping that fit in width (the command
 * or group key last, taking what is left); columns of least use are left
 * out first on a narrow screen. A width of 0 (into a pipe, none asked or
 * known) is the canvas's widest, the last column uncut (PTABLE_UNCUT): lines
 * whole, as ps prints them there. t->width is the canvas's width to draw on.
 */
void ptable_layout(struct ptable *t, const struct vms_view *v, unsigned width, unsigned flags);

/* One cell as text ("n/a" when unknown, a '+' after a partial sum). */
void ptable_cell(const struct ptable *t, const struct vms_row *r, enum vms_col c, char *buf,
		 size_t n);

/* The header row, the sort column marked. */
void ptable_draw_header(const struct ptable *t, const struct vms_view *v, struct canvas *cv,
			size_t y);
void ptable_draw_row(const struct ptable *t, const struct vms_view *v, const struct vms_row *r,
		     struct canvas *cv, size_t y);
/* The totals row of the visible rows. */
void ptable_draw_total(const struct ptable *t, const struct vms_view *v, struct canvas *cv,
		       size_t y);

/* The column under screen column x, or -1. */
int ptable_column_at(const struct ptable *t, unsigned x);

#endif
