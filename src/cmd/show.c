/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope show FILE: any report of a snapshot file, with no /proc access,
 * so a process captured on one machine is read on another.
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
#include "vmscope/recording.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

static const struct cli_option show_options[] = {
	{ "format", 'f', required_argument, 'f', "FMT",
	  "output format: text, json, html (one self-contained page), openmetrics (OpenMetrics 1.0) or prometheus (text format 0.0.4); default text" },
	{ "sort", 's', required_argument, 's', "KEY",
	  "table order: rss, pss, uss, size, swap, address, referenced" },
	{ "all", 'a', no_argument, 'a', NULL, "list every region (VMA), not only the largest" },
	{ "top", 'n', required_argument, 'n', "N", "how many regions and objects to list (default 15)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	CMD_RENDER_OPTIONS_SECTIONS_BY,
	CLI_OPTION_COLOR,
	{ "width", 'w', required_argument, 'w', "N",
	  "output width (default: the terminal's; unlimited into a pipe)" },
	CLI_OPTION_HELP,
};

const struct cli_command show_command = {
	.name = "show",
	.synopsis = "vmscope show [OPTIONS] FILE",
	.summary = "Render a snapshot written by 'vmscope snapshot' (or '--format json') as any\n"
		   "report, exactly as the live process was shown when it was taken. Nothing\n"
		   "under /proc is read. FILE '-' is standard input.\n"
		   "\n"
		   "A recording written by 'vmscope record' is shown as its timeline: RSS as a\n"
		   "chart, PSS, swap and each group of kinds as strips on the same time axis,\n"
		   "then its regions ranked by growth (--format text or json; --top, --all,\n"
		   "--bytes and --width apply).\n",
	.options = show_options,
	.n_options = ARRAY_SIZE(show_options),
	.epilog = NULL,
};

static int show_option(int id, const char *arg, void *ctx)
{
	int r = cmd_render_option(ctx, id, arg);

	return r > 0 ? -EINVAL : r;
}

int cmd_show(int argc, char **argv)
{
	struct cmd_render_args a = { .format = "text" };
	struct vms_snapshot *snap = NULL;
	struct vms_recording *rec = NULL;
	int r, status, first;

	r = cli_parse(argc, argv, &show_command, show_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (argc - first != 1) {
		fputs("vmscope: show takes one snapshot or recording FILE\n", stderr);
		return EXIT_USAGE;
	}
	cmd_render_fit(&a, STDOUT_FILENO);
	cmd_render_glyphs(&a);
	status = cmd_load_document(argv[first], &snap, &rec);
	if (status)
		return status;
	if (rec && (a.sort_given || a.ropt.sections || a.ropt.by_object)) {
		/* a timeline has no table of one instant to order, group or split */
		cli_error("--%s does not apply to a recording: its regions are ranked by growth",
			  a.sort_given ? "sort" : a.ropt.sections ? "sections" : "by object");
		vms_recording_free(rec);
		return EXIT_USAGE;
	}
	if (rec) {
		status = cmd_render_recording(a.format, rec, &a.ropt);
		vms_recording_free(rec);
		return status;
	}
	status = cmd_render_snapshot(vms_reporter_find(a.format), snap, &a.ropt);
	vms_snapshot_free(snap);
	return status;
}
