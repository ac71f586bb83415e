/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options that choose, group and order processes: see procs.h. */
#include "config.h"

#include "cmd/common/procs.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

const char *const cmd_list_formats[CMD_LIST_FORMATS] = {
	"text", "json", "csv", "openmetrics", "prometheus",
};

int cmd_list_format(const char *name)
{
	for (int i = 0; i < CMD_LIST_FORMATS; i++)
		if (strcmp(name, cmd_list_formats[i]) == 0)
			return i;
	return -1;
}

int cmd_procs_option(struct cmd_procs *p, int id, const char *arg, bool live)
{
	int r;

	switch (id) {
	case 's':
		r = vms_col_from_string(arg);
		if (r < 0 || (!live && (r == VMS_COL_MINFLT_RATE || r == VMS_COL_MAJFLT_RATE ||
					r == VMS_COL_RSS_DELTA))) {
			cli_error("unknown column '%s' (see vmscope list --help)",
				arg);
			return -EINVAL;
		}
		p->sort = r;
		return 0;
	case 'r':
		p->reverse = true;
		return 0;
	case OPT_PROCS_BY:
		r = vms_group_from_string(arg);
		/* libraries need every process's smaps: a one-shot listing only */
		if (r <= 0 || (live && r == VMS_GROUP_LIBRARY)) {
			cli_error("--by takes %s, not '%s'",
				live ? "program, user or cgroup" : "program, user, cgroup or library",
				arg);
			return -EINVAL;
		}
		p->by = (enum vms_group)r;
		return 0;
	case 'u':
		/* a uid may own no name; a name must be a user's (ps -u, pgrep -u) */
		if (!arg[0] || (strspn(arg, "0123456789") != strlen(arg) && !getpwnam(arg))) {
			cli_error("--user: no user '%s'", arg);
			return -EINVAL;
		}
		p->user = arg;
		return 0;
	case OPT_PROCS_NAME:
		p->name = arg;
		return 0;
	case 'm':
		p->match = arg;
		return 0;
	case OPT_PROCS_FULL:
		p->full = true;
		return 0;
	case 'k':
		p->kernel = true;
		return 0;
	}
	return 1;
}
