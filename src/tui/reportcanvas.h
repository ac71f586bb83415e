/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text report of one process, drawn into a canvas for the live view.
 * Curses-free.
 */
#ifndef VMSCOPE_TUI_REPORTCANVAS_H
#define VMSCOPE_TUI_REPORTCANVAS_H

#include "report/canvas.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

/*
 * Renders snap as the text report (with opt) into cv, which is cleared and
 * re-made at opt->width. Returns 0 or -errno.
 */
int report_canvas_draw(struct canvas *cv, const struct vms_snapshot *snap,
		       const struct vms_report_options *opt);

/*
 * Reads text written by canvas_write (with colors) back into cv, one row
 * per line, each color change mapped back to its class. Exposed for tests.
 */
void report_canvas_parse(struct canvas *cv, const char *buf, size_t len);

#endif
