/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope top and vmscope watch: the live views. */
#ifndef VMSCOPE_TUI_TOP_H
#define VMSCOPE_TUI_TOP_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "tui/viewmodel.h"

struct vms_snapshot;

struct tui_top_options {
	int root_fd;          /* the proc root; borrowed */
	bool live;            /* it is this machine's /proc */
	enum vms_group by;
	int sort;             /* enum vms_col, or -1 for PSS */
	bool reverse;
	const char *user, *name, *match;
	bool full, kernel, bytes, color;
	bool ascii;           /* the locale's charset is not UTF-8: ASCII glyphs (canvas.h) */
	unsigned interval_ms;
	pid_t watch_pid;      /* > 0: the live layout of this process only (vmscope watch) */
	/* watch: called with each snapshot of the process as it is read
	 * (watch --record); may be NULL */
	void (*on_snapshot)(void *ctx, const struct vms_snapshot *snap);
	void *on_snapshot_ctx;
};

/* The live view until q; returns an exit status (1: the watched process exited). */
int tui_top_run(const struct tui_top_options *o);

/* One plain refresh of the process table to out, width columns wide (0: lines whole). */
int tui_top_once(const struct tui_top_options *o, FILE *out, unsigned width);

#endif
