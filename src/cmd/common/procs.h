/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options that choose, group and order processes (src/cmd/common/procs.c):
 * vmscope list and top share them.
 */
#ifndef VMSCOPE_CMD_COMMON_PROCS_H
#define VMSCOPE_CMD_COMMON_PROCS_H

#include <stdbool.h>

#include "cmd/common/cli.h"
#include "tui/viewmodel.h"

enum {
	OPT_PROCS_FULL = CLI_OPT_FIRST_FREE + 0x40,
	OPT_PROCS_BY,
	OPT_PROCS_NAME,
};

#define CMD_PROCS_OPTIONS(sort_help)                                                             \
	{ "sort", 's', required_argument, 's', "COLUMN", sort_help },                             \
	{ "reverse", 'r', no_argument, 'r', NULL, "reverse the order" },                          \
	{ "by", 0, required_argument, OPT_PROCS_BY, "WHAT", "one line per program, user, cgroup or (list) library" }, \
	{ "user", 'u', required_argument, 'u', "USER", "only processes of USER (a name or a uid)" }, \
	{ "name", 0, required_argument, OPT_PROCS_NAME, "NAME", "only processes named exactly NAME" }, \
	{ "match", 'm', required_argument, 'm', "REGEX",                                          \
	  "only processes whose name matches REGEX (extended, case-insensitive)" },              \
	{ "full", 0, no_argument, OPT_PROCS_FULL, NULL, "match REGEX against the whole command line" }, \
	{ "kernel", 'k', no_argument, 'k', NULL, "include kernel threads" }

/* The formats of vmscope list, in its order: list.c has a writer for each. */
#define CMD_LIST_FORMATS 5
extern const char *const cmd_list_formats[CMD_LIST_FORMATS];
/* Which of them name is, or -1 (the report names list's when it takes one
 * process of several). */
int cmd_list_format(const char *name);

struct cmd_procs {
	enum vms_group by;
	int sort; /* enum vms_col, -1 for the default */
	bool reverse, full, kernel;
	const char *user, *name, *match;
};

/*
 * One of CMD_PROCS_OPTIONS into p. live: the rate columns may be sorted by.
 * Returns 0, -EINVAL after a message, or 1 when id is not one of them.
 */
int cmd_procs_option(struct cmd_procs *p, int id, const char *arg, bool live);

#endif
