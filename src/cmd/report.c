/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope [report] [OPTIONS] [PID|NAME]: the one-shot report of one process. */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/faults.h"
#include "cmd/common/options.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

enum {
	OPT_FULL = CLI_OPT_FIRST_FREE,
	OPT_PAGES = CLI_OPT_FIRST_FREE + 0x20,
	OPT_NO_PAGES,
	OPT_PAGEMAP,
	OPT_RESET_REFS,
	OPT_SECTIONS,
	OPT_BY,
	OPT_FAULTS,
};

static const struct cli_option report_options[] = {
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text, json, openmetrics (OpenMetrics 1.0) or prometheus (text format 0.0.4); default text" },
	{ "sort", 's', required_argument, 's', "KEY",
	  "table order: rss, pss, uss, size, swap, address, referenced" },
	{ "all", 'a', no_argument, 'a', NULL, "list every region (VMA), not only the largest" },
	{ "top", 'n', required_argument, 'n', "N", "how many regions and objects to list (default 15)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	{ "sections", 0, no_argument, OPT_SECTIONS, NULL,
	  "list the ELF sections of each object listed, by region" },
	{ "by", 0, required_argument, OPT_BY, "KEY",
	  "group the tables by region (default) or by object" },
	{ "pages", 0, no_argument, OPT_PAGES, NULL,
	  "read every page's state (pagemap; kpageflags as root), whatever it costs" },
	{ "no-pages", 0, no_argument, OPT_NO_PAGES, NULL,
	  "skip page data: the layout shows each region's RSS share instead" },
	{ "pagemap", 0, required_argument, OPT_PAGEMAP, "HOW",
	  "read pagemap by scan (PAGEMAP_SCAN, the default where the kernel has it) or pread" },
	{ "reset-refs", 0, required_argument, OPT_RESET_REFS, "SECONDS",
	  "clear the process's referenced bits, wait, and report the pages touched since "
	  "(changes the process's kernel state)" },
	{ "faults", 0, required_argument, OPT_FAULTS, "D",
	  "watch page faults for D (5s, 500ms) first and add which regions and code took them" },
	CLI_OPTION_COLOR,
	{ "width", 'w', required_argument, 'w', "N",
	  "output width (default: the terminal's, else 80)" },
	{ "full", 0, no_argument, OPT_FULL, NULL,
	  "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
	{ "version", 'V', no_argument, 'V', NULL, "show the version and exit" },
};

const struct cli_command report_command = {
	.name = "report",
	.synopsis = "vmscope [report] [OPTIONS] [PID|NAME]\n"
		    "       vmscope COMMAND [OPTIONS] ...   (see COMMANDS)",
	.summary = "Show where a process's memory is: totals, a layout diagram of its address\n"
		   "space, and the regions and mapped objects that hold the most. Without PID or\n"
		   "NAME, the calling shell is shown. NAME is an extended regular expression\n"
		   "matched like pgrep; when several processes match, they are listed.\n",
	.options = report_options,
	.n_options = ARRAY_SIZE(report_options),
	.epilog = NULL, /* main.c adds the list of commands */
};

struct report_args {
	struct cmd_render_args r;
	bool full, version;
	const char *proc_root;
	int pages;        /* -1 --no-pages, 0 cheap, 1 --pages */
	bool pread;       /* --pagemap pread */
	unsigned reset_refs; /* seconds, 0 none */
	uint64_t faults_ns;  /* --faults, 0 none */
};


static int report_option(int id, const char *arg, void *ctx)
{
	struct report_args *a = ctx;
	int r;

	r = cmd_render_option(&a->r, id, arg);
	if (r <= 0)
		return r;
	switch (id) {
	case OPT_FULL:
		a->full = true;
		return 0;
	case OPT_PAGES:
	case OPT_NO_PAGES:
		a->pages = id == OPT_PAGES ? 1 : -1;
		return 0;
	case OPT_PAGEMAP:
		return cmd_parse_pagemap(arg, &a->pread);
	case OPT_RESET_REFS:
		return cli_parse_uint("reset-refs", arg, 1, 3600, &a->reset_refs);
	case OPT_SECTIONS:
		a->r.ropt.sections = true;
		return 0;
	case OPT_FAULTS:
		return cmd_parse_duration("faults", arg, &a->faults_ns);
	case OPT_BY:
		if (strcmp(arg, "object") != 0 && strcmp(arg, "region") != 0) {
			cli_error("unknown grouping '%s' (region or object)", arg);
			return -EINVAL;
		}
		a->r.ropt.by_object = strcmp(arg, "object") == 0;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	case 'V':
		a->version = true;
		return 0;
	}
	return -EINVAL;
}

/* The word of argv[1] when it may be a mistyped command, and that command. */
struct typo {
	const char *word, *near;
};

/* A typo when the word is the target and names no process: said, exit 2. */
static int check_typo(const struct typo *typo, int root_fd, const char *target, bool full)
{
	_cleanup_free_ pid_t *pids = NULL;
	int n, status;

	if (!typo || target != typo->word)
		return 0;
	status = cli_find_targets(root_fd, target, full, &pids, &n);
	if (status || n > 0)
		return status;
	cli_error("unknown command '%s'; did you mean '%s'?", typo->word,
		typo->near);
	fputs("('vmscope report NAME' or 'vmscope -- NAME' reports a process of that name)\n",
	      stderr);
	return EXIT_USAGE;
}

static int report_main(int argc, char **argv, const struct typo *typo)
{
	struct report_args a = { .r.format = "text" };
	const struct vms_reporter *rep;
	struct vms_elf_cache *cache = NULL;
	struct vms_snapshot *snap = NULL, *before_refs = NULL;
	struct cmd_faults_run faults = { 0 };
	int root_fd, r, status, first;
	pid_t pid;

	r = cli_parse(argc, argv, &report_command, report_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (a.version) {
		printf("vmscope %s\n", VMSCOPE_VERSION);
		return 0;
	}
	if (argc - first > 1) {
		cli_error("one PID or NAME at a time ('%s' is one too many)",
			argv[first + 1]);
		return EXIT_USAGE;
	}
	if (first == argc && a.proc_root) {
		fputs("vmscope: with --proc-root, name a PID\n", stderr);
		return EXIT_USAGE;
	}
	rep = vms_reporter_find(a.r.format);
	if (a.faults_ns && strcmp(rep->name, "text") != 0) {
		fputs("vmscope: --faults goes with the text report; "
		      "'vmscope faults --format json' gives the attribution as JSON\n", stderr);
		return EXIT_USAGE;
	}
	if (a.reset_refs && a.proc_root) {
		/* a captured tree's clear_refs may be a link to any file */
		fputs("vmscope: --reset-refs writes to a live process, not to --proc-root\n", stderr);
		return EXIT_USAGE;
	}
	if (a.faults_ns && a.proc_root) {
		fputs("vmscope: --faults watches a live process, not --proc-root\n", stderr);
		return EXIT_USAGE;
	}
	cmd_render_fit(&a.r, STDOUT_FILENO);

	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	if (first == argc) {
		pid = getppid(); /* the calling shell */
		status = 0;
	} else {
		status = check_typo(typo, root_fd, argv[first], a.full);
		if (!status)
			status = cli_resolve_target(root_fd, argv[first], a.full, &pid);
	}
	if (status)
		goto out;

	cache = vms_elf_cache_new();
	if (a.reset_refs) {
		/*
		 * Reading a file marks its pages referenced, in every process
		 * that maps them, and reading the command line a page of the
		 * process: both are read before the bits are cleared (the ELF
		 * headers into the cache), and after it nothing that touches
		 * the process's pages, so that vmscope's own reads are not in
		 * the working set.
		 */
		if (vms_inspect(root_fd, pid, true, VMS_INSPECT_REGIONS | VMS_INSPECT_ELF, cache,
				&before_refs) < 0)
			before_refs = NULL;
		status = cmd_reset_refs(root_fd, pid, a.reset_refs);
		if (status)
			goto out;
	}
	if (a.faults_ns) {
		faults.pid = pid;
		faults.duration_ns = a.faults_ns;
		faults.announce = true;
		status = cmd_faults_run(root_fd, &faults, a.r.ropt.top ? a.r.ropt.top : 10);
		if (status)
			goto out;
		a.faults_ns = faults.no_address_space ? 0 : a.faults_ns;
		if (faults.exited) {
			/* No report of a process that is gone; what it did is still news. */
			cmd_faults_text(stdout, &faults, a.r.ropt.top ? a.r.ropt.top : 10, true);
			status = EXIT_GONE;
			goto out;
		}
	}
	r = vms_inspect(root_fd, pid, cli_proc_root_is_live(a.proc_root),
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF |
				cmd_pages_flags(a.pages, a.pread, cli_proc_root_is_live(a.proc_root)) |
				(a.reset_refs ? VMS_INSPECT_NO_CMDLINE : 0),
			cache, &snap);
	if (snap && a.reset_refs) {
		snap->pages.refs_interval_ms = (uint64_t)a.reset_refs * 1000;
		if (before_refs) {
			snap->src[VMS_SRC_CMDLINE] = before_refs->src[VMS_SRC_CMDLINE];
			if (before_refs->proc.cmdline)
				snap->proc.cmdline =
					arena_strdup(snap->arena, before_refs->proc.cmdline);
		}
	}
	if (r == -ESRCH || r == -ENOENT || r == -EAGAIN) {
		/* The model never hands back a half-read snapshot. */
		cli_say_gone(pid, r);
		status = EXIT_GONE;
		goto out;
	}
	if (r < 0) {
		cli_error("cannot read process %d: %s", (int)pid, procfile_strerror(r));
		status = EXIT_GONE;
		goto out;
	}
	if (strcmp(rep->name, "text") == 0 && cmd_say_no_address_space(snap, stdout)) {
		status = 0;
		goto out;
	}
	status = cmd_render_snapshot(rep, snap, &a.r.ropt);
	if (status == 0 && a.faults_ns) {
		fputs("\nPage faults\n", stdout);
		cmd_faults_text(stdout, &faults, a.r.ropt.top ? a.r.ropt.top : 10, true);
	}
out:
	cmd_faults_run_release(&faults);
	vms_snapshot_free(before_refs);
	vms_snapshot_free(snap);
	vms_elf_cache_free(cache);
	close(root_fd);
	return status;
}

int cmd_report(int argc, char **argv)
{
	return report_main(argc, argv, NULL);
}

int cmd_report_near_command(int argc, char **argv, const char *near)
{
	struct typo typo = { .word = argv[1], .near = near };

	return report_main(argc, argv, &typo);
}
