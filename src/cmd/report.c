/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope [report] [OPTIONS] [PID|NAME]: the one-shot report of one process. */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/procfile.h"
#include "base/thread.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/faults.h"
#include "cmd/common/options.h"
#include "cmd/common/procs.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
#include "vmscope/diff.h"
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
	OPT_FAULTS,
};

static const struct cli_option report_options[] = {
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text, json, html (one self-contained page), openmetrics (OpenMetrics 1.0) or prometheus (text format 0.0.4); default text" },
	{ "sort", 's', required_argument, 's', "KEY",
	  "table order: rss, pss, uss, size, swap, address, referenced" },
	{ "all", 'a', no_argument, 'a', NULL, "list every region (VMA), not only the largest" },
	{ "top", 'n', required_argument, 'n', "N", "how many regions and objects to list (default 15)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	CMD_RENDER_OPTIONS_SECTIONS_BY,
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
	  "output width (default: the terminal's; unlimited into a pipe)" },
	{ "full", 0, no_argument, OPT_FULL, NULL,
	  "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
	{ "version", 'V', no_argument, 'V', NULL, "show the version and exit" },
};

const struct cli_command report_command = {
	.name = "report",
	.synopsis = "vmscope [report] [OPTIONS] [PID|NAME...]\n"
		    "       vmscope COMMAND [OPTIONS] ...   (see COMMANDS)",
	.summary = "Show where a process's memory is: totals, a layout diagram of its address\n"
		   "space, and the regions and mapped objects that hold the most. Without PID or\n"
		   "NAME, the calling shell is shown. NAME is an extended regular expression\n"
		   "matched like pgrep. Several processes (several PIDs or NAMEs, or a NAME that\n"
		   "matches several) are reported one after the other, each headed, then a line\n"
		   "of their totals summed.\n",
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
	case OPT_FAULTS:
		return cmd_parse_duration("faults", arg, &a->faults_ns);
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

/* What the report of each process needs. */
struct run {
	struct report_args *a;
	const struct vms_reporter *rep;
	int root_fd;
	struct vms_elf_cache *cache;
	/* of several processes, the one being reported (1-based) and their
	 * count; 0 for one alone. headed: a report has been headed. */
	size_t at, of;
	bool headed;
};

/* The sums of the processes reported, for the totals line. */
struct sums {
	uint64_t v[VMS_MEASURE__MAX];
	unsigned have[VMS_MEASURE__MAX]; /* processes that had the value */
	unsigned n;                      /* processes reported */
};

/* The report of one process; its totals added to sums (may be NULL). */
static int report_one(struct run *run, pid_t pid, struct sums *sums)
{
	struct report_args *a = run->a;
	struct vms_snapshot *snap = NULL, *before_refs = NULL;
	struct cmd_faults_run faults = { 0 };
	int r, status = 0;

	/* the report before's snapshot (one at a time, as ever) */
	cmd_leave_to_exit(NULL);

	if (a->reset_refs) {
		/*
		 * Reading a file marks its pages referenced, in every process
		 * that maps them, and reading the command line a page of the
		 * process: both are read before the bits are cleared (the ELF
		 * headers into the cache), and after it nothing that touches
		 * the process's pages, so that vmscope's own reads are not in
		 * the working set.
		 */
		if (vms_inspect(run->root_fd, pid, true, VMS_INSPECT_REGIONS | VMS_INSPECT_ELF,
				run->cache, &before_refs) < 0)
			before_refs = NULL;
		status = cmd_reset_refs(run->root_fd, pid, a->reset_refs);
		if (status)
			goto out;
	}
	if (a->faults_ns) {
		faults.pid = pid;
		faults.duration_ns = a->faults_ns;
		status = cmd_faults_run(run->root_fd, &faults, a->r.ropt.top ? a->r.ropt.top : 10);
		if (status)
			goto out;
		a->faults_ns = faults.no_address_space ? 0 : a->faults_ns;
		if (faults.exited) {
			/* No report of a process that is gone; what it did is still news. */
			cmd_faults_text(stdout, &faults, a->r.ropt.top ? a->r.ropt.top : 10, true,
					a->r.ropt.width);
			status = EXIT_GONE;
			goto out;
		}
	}
	r = vms_inspect(run->root_fd, pid, cli_proc_root_is_live(a->proc_root),
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF |
				cmd_pages_flags(a->pages, a->pread, cli_proc_root_is_live(a->proc_root)) |
				(a->reset_refs ? VMS_INSPECT_NO_CMDLINE : 0) | VMS_INSPECT_POLL,
			run->cache, &snap);
	cmd_render_glyphs(&a->r);
	if (snap && a->reset_refs) {
		snap->pages.refs_interval_ms = (uint64_t)a->reset_refs * 1000;
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
	/* headed once read: a process gone has its line on stderr alone */
	if (run->of) {
		printf("%s==> pid %d, %zu of %zu <==\n", run->headed ? "\n" : "", (int)pid, run->at,
		       run->of);
		run->headed = true;
	}
	if (sums) {
		sums->n++;
		for (int m = 0; m < VMS_MEASURE__MAX; m++) {
			uint64_t v;

			if (vms_snapshot_measure(snap, (enum vms_measure)m, &v)) {
				sums->v[m] += v;
				sums->have[m]++;
			}
		}
	}
	if (strcmp(run->rep->name, "text") == 0 && cmd_say_no_address_space(snap, stdout))
		goto out;
	status = cmd_render_snapshot(run->rep, snap, &a->r.ropt);
	if (status == 0 && a->faults_ns) {
		fputs("\nPage faults\n", stdout);
		cmd_faults_text(stdout, &faults, a->r.ropt.top ? a->r.ropt.top : 10, true,
				a->r.ropt.width);
	}
out:
	cmd_faults_run_release(&faults);
	vms_snapshot_free(before_refs);
	cmd_leave_to_exit(snap);
	return status;
}

/*
 * "total of 3 processes  RSS 12M  PSS 6.1M  USS 3.9M  swap 0": the sums of
 * each process's totals. A "+" marks a sum some process could not add to.
 */
static void say_sums(const struct sums *sums, const struct vms_report_options *ropt)
{
	static const struct {
		enum vms_measure m;
		const char *name;
	} shown[] = {
		{ VMS_MEASURE_RSS, "RSS" },
		{ VMS_MEASURE_PSS, "PSS" },
		{ VMS_MEASURE_USS, "USS" },
		{ VMS_MEASURE_SWAP, "swap" },
	};
	bool partial = false;
	char buf[32];

	printf("\ntotal of %u process%s", sums->n, sums->n == 1 ? "" : "es");
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++) {
		enum vms_measure m = shown[i].m;

		if (!sums->have[m]) {
			printf("  %s n/a", shown[i].name);
			continue;
		}
		if (ropt->bytes)
			snprintf(buf, sizeof(buf), "%" PRIu64, sums->v[m]);
		else
			vms_format_size(buf, sizeof(buf), sums->v[m]);
		printf("  %s %s%s", shown[i].name, buf, sums->have[m] < sums->n ? "+" : "");
		partial |= sums->have[m] < sums->n;
	}
	fputs(partial ? "  (+: at least; some could not be read)\n" : "\n", stdout);
}

/* pids gets the processes of a NAME or PID operand, each once; 0 or an exit status. */
static int add_targets(struct run *run, const char *target, const struct typo *typo,
		       pid_t **pids, size_t *n, size_t *alloc)
{
	_cleanup_free_ pid_t *found = NULL;
	int status, n_found;

	status = check_typo(typo, run->root_fd, target, run->a->full);
	if (status)
		return status;
	status = cli_find_targets(run->root_fd, target, run->a->full, &found, &n_found);
	if (status)
		return status;
	if (n_found == 0) {
		cli_say_no_match(target);
		return EXIT_GONE;
	}
	for (int i = 0; i < n_found; i++) {
		bool seen = false;

		for (size_t k = 0; k < *n && !seen; k++)
			seen = (*pids)[k] == found[i];
		if (seen)
			continue;
		ARRAY_GROW(*pids, *n + 1, *alloc);
		(*pids)[(*n)++] = found[i];
	}
	return 0;
}

/* Several processes: each report headed, then the line of totals. */
static int report_several(struct run *run, const pid_t *pids, size_t n, int status)
{
	struct sums sums = { 0 };

	if (strcmp(run->rep->name, "text") != 0) {
		if (cmd_list_format(run->rep->name) >= 0)
			cli_error("--format %s takes one process, and %zu match; 'vmscope snapshot' "
				  "writes one each, 'vmscope list --format %s' lists them all",
				  run->rep->name, n, run->rep->name);
		else
			cli_error("--format %s takes one process, and %zu match; 'vmscope snapshot' "
				  "writes one each, which 'vmscope show --format %s' renders",
				  run->rep->name, n, run->rep->name);
		return EXIT_USAGE;
	}
	if (run->a->faults_ns || run->a->reset_refs) {
		cli_error("--faults and --reset-refs take one process, and %zu match", n);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		int s;

		run->at = i + 1;
		run->of = n;
		s = report_one(run, pids[i], &sums);
		if (s && !status)
			status = s;
		if (s == EXIT_GONE && ferror(stdout))
			return s; /* a write error: the others would fail alike */
	}
	say_sums(&sums, &run->a->r.ropt);
	if (fflush(stdout) != 0 && !status)
		status = EXIT_GONE;
	return status;
}

static int report_targets(int argc, char **argv, const struct typo *typo)
{
	struct report_args a = { .r.format = "text" };
	struct run run = { .a = &a };
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, alloc = 0;
	int r, status = 0, first;

	r = cli_parse(argc, argv, &report_command, report_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (a.version) {
		errno = 0;
		printf("vmscope %s\n", VMSCOPE_VERSION);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			if (errno != EPIPE)
				cli_error("cannot write the version: %s",
					  cli_strerror(errno ? errno : EIO));
			return EXIT_USAGE;
		}
		return 0;
	}
	if (first == argc && a.proc_root) {
		fputs("vmscope: with --proc-root, name a PID\n", stderr);
		return EXIT_USAGE;
	}
	run.rep = vms_reporter_find(a.r.format);
	if (a.faults_ns && strcmp(run.rep->name, "text") != 0) {
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
	/* a report to make: smaps's reader begins while the rest is set up */
	thread_early_start();
	cmd_render_fit(&a.r, STDOUT_FILENO);

	run.root_fd = cli_open_proc_root(a.proc_root);
	if (run.root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	if (first == argc) {
		ARRAY_GROW(pids, 1, alloc);
		pids[n++] = getppid(); /* the calling shell */
	}
	for (int i = first; i < argc; i++) {
		int s = add_targets(&run, argv[i], typo, &pids, &n, &alloc);

		/* a usage error stops all; a NAME that matches nothing, only itself */
		if (s == EXIT_USAGE) {
			close(run.root_fd);
			return s;
		}
		if (s && !status)
			status = s;
	}
	run.cache = vms_elf_cache_new();
	if (n == 1) {
		r = report_one(&run, pids[0], NULL);
		status = r ? r : status;
	} else if (n > 1) {
		status = report_several(&run, pids, n, status);
	}
	vms_elf_cache_free(run.cache);
	close(run.root_fd);
	return status;
}

/*
 * The thread that will read smaps (readahead.c) is started as soon as the
 * options say there is a report to make (not for --version, --help or a
 * usage error), so that it has begun on the other CPU by the time the
 * process's first files are read (thread_early_start).
 */
static int report_main(int argc, char **argv, const struct typo *typo)
{
	int status;

	status = report_targets(argc, argv, typo);
	thread_early_end();
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
