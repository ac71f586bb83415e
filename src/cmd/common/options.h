/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option arguments that several commands take (src/cmd/common/options.c):
 * a duration, a pagemap reader, the pages to inspect, and the -o, --full,
 * --proc-root of the commands that take one process and write somewhere.
 */
#ifndef VMSCOPE_CMD_COMMON_OPTIONS_H
#define VMSCOPE_CMD_COMMON_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/common/cli.h"

/* "5", "5s", "500ms", "2m" for option name → nanoseconds; -EINVAL after a message */
int cmd_parse_duration(const char *name, const char *arg, uint64_t *ret_ns);
/* --pagemap scan|pread; -EINVAL after a message */
int cmd_parse_pagemap(const char *arg, bool *ret_pread);
/* VMS_INSPECT_PAGES* for --pages (1), the default (0) or --no-pages (-1). */
unsigned cmd_pages_flags(int pages, bool pread, bool live);

/* What the commands that take one process and write somewhere share. */
struct cmd_target_args {
	const char *output;    /* -o */
	const char *proc_root; /* --proc-root */
	bool full;             /* --full, id CMD_OPT_FULL */
};
enum { CMD_OPT_FULL = CLI_OPT_FIRST_FREE };
/* -o, --full, --proc-root into a: 0, or 1 when id is not one of them. */
int cmd_target_option(struct cmd_target_args *a, int id, const char *arg);

#endif
