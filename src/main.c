/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope: where a process's memory is. main.c dispatches the commands
 * (src/cmd/); it, the commands and the live view are the only code that
 * prints, exits or looks at the terminal.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/locale.h"
#include "base/xalloc.h"
#include "cmd/commands.h"

struct command_entry {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct cli_command *doc;
	const char *what;
	/* the locale loaded where it is needed (locale_need, cli_strerror, a
	 * NAME), not before the command runs: the one-shot reads of a live
	 * process, whose read of smaps it would delay (0.3 to 0.5 ms for a
	 * UTF-8 one) and which most often need it nowhere */
	bool locale_at_need;
};

/* A new command adds one line here, its src/cmd/NAME.c, and its man page entry. */
static const struct command_entry commands[] = {
	{ "report", cmd_report, &report_command, "the one-shot report of one process (the default)",
	  true },
	{ "list", cmd_list, &list_command, "every process with its memory, or grouped" },
	{ "top", cmd_top, &top_command, "every process's memory, live; Enter opens one" },
	{ "watch", cmd_watch, &watch_command, "the layout of one process, live" },
	{ "snapshot", cmd_snapshot, &snapshot_command, "write a process's model as a JSON snapshot",
	  true },
	{ "record", cmd_record, &record_command, "record a process's memory over time, region by region" },
	{ "show", cmd_show, &show_command, "render any report from a snapshot file" },
	{ "diff", cmd_diff, &diff_command, "what changed between two snapshots or processes" },
	{ "check", cmd_check, &check_command, "memory budgets for CI: exit 1 when one is exceeded",
	  true },
	{ "pages", cmd_pages, &pages_command, "runs of pages in one state, from pagemap" },
	{ "faults", cmd_faults, &faults_command, "which regions and code take page faults" },
	{ "serve", cmd_serve, &serve_command, "answer Prometheus scrapes over HTTP" },
	{ "capture", cmd_capture, &capture_command, "copy a process's /proc files for --proc-root" },
};

static void usage_with_commands(FILE *out)
{
	cli_usage(out, &report_command);
	fputs("\nCommands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].what);
	fputs("\n"
	      "'vmscope help COMMAND' or 'vmscope COMMAND --help' shows a command's options.\n"
	      "A process named like a command: 'vmscope report NAME' or 'vmscope -- NAME'.\n"
	      "Exit status: 0 success, 1 a process does not exist or exited, 2 usage error\n"
	      "(or, for a command of one process, several processes matched). See vmscope(1).\n",
	      out);
}

static const struct command_entry *find_command(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(word, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* The command word within two edits of word (git's habit), or NULL. */
static const char *near_command(const char *word)
{
	const char *best = NULL;
	unsigned best_d = 3;

	if (cli_edit_distance(word, "help") < best_d) {
		best = "help";
		best_d = cli_edit_distance(word, "help");
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		unsigned d = cli_edit_distance(word, commands[i].name);

		/* a word of one or two letters is two edits from too much */
		if (d < best_d && d < strlen(word)) {
			best = commands[i].name;
			best_d = d;
		}
	}
	return best;
}

/* vmscope help [COMMAND]: the help of vmscope or of one command. */
static int help(int argc, char **argv)
{
	const struct command_entry *c;
	const char *near;

	errno = 0;
	if (argc == 1 || strcmp(argv[1], "report") == 0) {
		usage_with_commands(stdout);
		return cli_help_written() < 0 ? EXIT_USAGE : 0;
	}
	if (argc > 2) {
		fputs("vmscope: help takes one COMMAND\n", stderr);
		return EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (c) {
		cli_usage(stdout, c->doc);
		return cli_help_written() < 0 ? EXIT_USAGE : 0;
	}
	near = near_command(argv[1]);
	if (near && strcmp(near, "help") != 0)
		cli_error("unknown command '%s'; did you mean '%s'?", argv[1], near);
	else
		cli_error("unknown command '%s' (see 'vmscope help')", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command_entry *c;
	const char *near;

	/* what needs the locale loads it (the report's way) */
	locale_on_need(cli_locale_load);
	if (argc >= 2) {
		c = find_command(argv[1]);
		if (c) {
			if (!c->locale_at_need)
				cli_locale_load();
			return c->run(argc - 1, argv + 1);
		}
		if (strcmp(argv[1], "help") == 0) {
			cli_locale_load();
			return help(argc - 1, argv + 1);
		}
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			cli_locale_load();
			errno = 0;
			usage_with_commands(stdout);
			return cli_help_written() < 0 ? EXIT_USAGE : 0;
		}
		/* (a number is a PID, never a command mistyped: no letter of it
		 * is one of a command's, so none is near) */
		near = argv[1][0] != '-' && strspn(argv[1], "0123456789") != strlen(argv[1])
			       ? near_command(argv[1])
			       : NULL;
		if (near)
			return cmd_report_near_command(argc, argv, near);
	}
	/* No command: the report, with argv[0] standing as its name (its
	 * locale loaded where it is needed). */
	return cmd_report(argc, argv);
}
