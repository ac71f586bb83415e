/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands of the command line. Each is `int cmd_NAME(argc, argv)` with
 * argv[0] the command's name, returning the exit status, and a
 * `struct cli_command NAME_command` that describes its options. main.c
 * holds the table that dispatches them.
 */
#ifndef VMSCOPE_COMMANDS_H
#define VMSCOPE_COMMANDS_H

#include "cli.h"
#include "vmscope/report.h"

extern const struct cli_command report_command;
int cmd_report(int argc, char **argv);

/* Writes a snapshot rendered whole through rep to stdout; an exit status. */
int cmd_render_snapshot(const struct vms_reporter *rep, const struct vms_snapshot *snap,
			const struct vms_report_options *ropt);

extern const struct cli_command list_command;
int cmd_list(int argc, char **argv);

#endif
