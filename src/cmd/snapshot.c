/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope snapshot PID|NAME -o FILE: one process's model as a JSON snapshot
 * (schema 2). Loading one back, and taking "a file or a live process" as an
 * operand, are in src/cmd/common/target.c.
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/files.h"
#include "cmd/common/options.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

static const struct cli_option snapshot_options[] = {
	{ "output", 'o', required_argument, 'o', "FILE",
	  "write the snapshot to FILE (default: standard output)" },
	{ "full", 0, no_argument, CMD_OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command snapshot_command = {
	.name = "snapshot",
	.synopsis = "vmscope snapshot [OPTIONS] PID|NAME",
	.summary = "Write one process's memory model as a JSON snapshot (schema 2, see\n"
		   "vmscope-snapshot(5)): totals, every region with its counters and kind, the\n"
		   "mapped objects with their ELF facts, the threads, and which sources could be\n"
		   "read. 'vmscope show', 'diff' and 'check' read it back anywhere. The file is\n"
		   "written whole or not at all.\n",
	.options = snapshot_options,
	.n_options = ARRAY_SIZE(snapshot_options),
	.epilog = NULL,
};


static int snapshot_option(int id, const char *arg, void *ctx)
{
	return cmd_target_option(ctx, id, arg) ? -EINVAL : 0;
}




/* Streams the JSON of snap to path, whole or not at all ("-" or NULL: stdout). */
static int write_snapshot(const struct vms_snapshot *snap, const char *path, struct strbuf *why)
{
	const struct vms_reporter *rep = vms_reporter_find("json");
	const struct vms_report_options ropt = { 0 };
	struct cmd_atomic_file f;
	FILE *out;
	int r;

	if (!path || strcmp(path, "-") == 0)
		return cmd_render_stream(rep, snap, &ropt, stdout);
	r = cmd_atomic_open(&f, path, why);
	if (r < 0)
		return r;
	out = fdopen(f.fd, "w");
	if (!out)
		return cmd_atomic_close(&f, -errno);
	r = cmd_render_stream(rep, snap, &ropt, out);
	/* fclose closes the file; its data reached the kernel in the flush above */
	if (fclose(out) != 0 && r == 0)
		r = -errno;
	f.fd = -1;
	return cmd_atomic_close(&f, r);
}

int cmd_snapshot(int argc, char **argv)
{
	struct cmd_target_args a = { 0 };
	struct vms_snapshot *snap = NULL;
	struct strbuf why;
	int r, status, first, root_fd;

	r = cli_parse(argc, argv, &snapshot_command, snapshot_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (argc - first != 1) {
		fputs("vmscope: snapshot takes one PID or NAME\n", stderr);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cmd_inspect_target(root_fd, a.proc_root, argv[first], a.full, &snap);
	close(root_fd);
	if (status)
		return status;

	strbuf_init(&why);
	r = write_snapshot(snap, a.output, &why);
	cmd_leave_to_exit(snap);
	if (r < 0) {
		/* silent for a closed pipe, whose reader has gone */
		if (r != -EPIPE)
			cmd_say_cannot_write(a.output ? a.output : "-", r, &why);
		status = EXIT_GONE;
	}
	strbuf_release(&why);
	return status;
}
