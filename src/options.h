/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line. One table (options.c) drives parsing and --help; a test
 * checks that the man page and every completion name each long option.
 */
#ifndef VMSCOPE_OPTIONS_H
#define VMSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "vmscope/report.h"

enum color_mode { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

struct vms_options {
	const char *format;    /* reporter name */
	enum color_mode color;
	bool bytes;
	bool all;
	bool full;             /* NAME matches the whole command line */
	enum vms_sort sort;
	unsigned top;
	unsigned width;        /* 0: the terminal's, else 80 */
	const char *proc_root; /* NULL: /proc */
	const char *target;    /* PID or NAME; NULL: the calling shell */
	bool help, version;
};

/*
 * Fills opt from argv. Returns 0, or -EINVAL after writing one line
 * "vmscope: ..." to err (usage error: exit status 2).
 */
int options_parse(int argc, char **argv, struct vms_options *opt, FILE *err);
void options_usage(FILE *out);

#endif
