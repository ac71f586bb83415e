/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands of the command line, one file each in src/cmd/. Each is
 * `int cmd_NAME(argc, argv)` with argv[0] the command's name, returning the
 * exit status, and a `struct cli_command NAME_command` that describes its
 * options. main.c holds the table that dispatches them; no command calls
 * another: what they share is in src/cmd/common/.
 */
#ifndef VMSCOPE_CMD_COMMANDS_H
#define VMSCOPE_CMD_COMMANDS_H

#include "cmd/common/cli.h"

extern const struct cli_command report_command;
int cmd_report(int argc, char **argv);
/*
 * The report when argv[1] is no command word but within two edits of the
 * command `near`: if the word names no process, it is taken for a mistyped
 * command ("did you mean 'near'?", exit 2) rather than a NAME.
 */
int cmd_report_near_command(int argc, char **argv, const char *near);
extern const struct cli_command list_command;
int cmd_list(int argc, char **argv);
extern const struct cli_command top_command;
int cmd_top(int argc, char **argv);
extern const struct cli_command watch_command;
int cmd_watch(int argc, char **argv);
extern const struct cli_command snapshot_command;
int cmd_snapshot(int argc, char **argv);
extern const struct cli_command record_command;
int cmd_record(int argc, char **argv);
extern const struct cli_command show_command;
int cmd_show(int argc, char **argv);
extern const struct cli_command diff_command;
int cmd_diff(int argc, char **argv);
extern const struct cli_command check_command;
int cmd_check(int argc, char **argv);
extern const struct cli_command pages_command;
int cmd_pages(int argc, char **argv);
extern const struct cli_command faults_command;
int cmd_faults(int argc, char **argv);
extern const struct cli_command serve_command;
int cmd_serve(int argc, char **argv);
extern const struct cli_command capture_command;
int cmd_capture(int argc, char **argv);

#endif
