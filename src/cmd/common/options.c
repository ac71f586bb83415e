/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option arguments that several commands take: see options.h. */
#include "config.h"

#include "cmd/common/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "vmscope/model.h"

int cmd_parse_duration(const char *name, const char *arg, uint64_t *ret_ns)
{
	uint64_t v;

	if (parse_duration_str(arg, &v) < 0 || v < 1000000 || v > UINT64_C(24) * 3600000000000) {
		cli_error("--%s takes a duration from 1ms to 24h such as 5s, 1.5s or 500ms, not '%s'",
			  name, arg);
		return -EINVAL;
	}
	*ret_ns = v;
	return 0;
}

int cmd_parse_pagemap(const char *arg, bool *ret_pread)
{
	if (strcmp(arg, "scan") != 0 && strcmp(arg, "pread") != 0) {
		cli_error("unknown pagemap reader '%s' (scan or pread)", arg);
		return -EINVAL;
	}
	*ret_pread = strcmp(arg, "pread") == 0;
	return 0;
}

unsigned cmd_pages_flags(int pages, bool pread, bool live)
{
	unsigned f = pread ? VMS_INSPECT_PAGES_PREAD : 0;

	if (pages < 0 || (pages == 0 && !live))
		return 0;
	if (pages > 0)
		return f | VMS_INSPECT_PAGES | VMS_INSPECT_PAGES_DETAIL | VMS_INSPECT_PAGES_ALL;
	return f | VMS_INSPECT_PAGES;
}

int cmd_target_option(struct cmd_target_args *a, int id, const char *arg)
{
	switch (id) {
	case 'o':
		a->output = arg;
		return 0;
	case CMD_OPT_FULL:
		a->full = true;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return 1;
}
