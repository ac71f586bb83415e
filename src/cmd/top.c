/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope top: the live process table; vmscope watch PID: the live layout of one process. */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/escape.h"
#include "base/parse.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/procs.h"
#include "cmd/common/recorder.h"
#include "cmd/common/render.h"
#include "tui/screen.h"
#include "tui/top.h"
#include "tui/viewmodel.h"
#include "vmscope/collect.h"

enum {
	OPT_ONCE = CLI_OPT_FIRST_FREE,
	OPT_RECORD,
};

#define OPTION_INTERVAL                                                                       \
	{ "interval", 'd', required_argument, 'd', "SECONDS",                                 \
	  "time between refreshes, from 0.1 to 3600 (default 2)" }

static const struct cli_option top_options[] = {
	OPTION_INTERVAL,
	CMD_PROCS_OPTIONS("order by a column as vmscope list names them, or rss_change, "
			  "minflt_rate, majflt_rate (default pss)"),
	{ "bytes", 'b', no_argument, 'b', NULL, "show exact byte counts instead of human sizes" },
	{ "once", 0, no_argument, OPT_ONCE, NULL,
	  "print one refresh as plain text (two listings an interval apart) and exit" },
	CLI_OPTION_COLOR,
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command top_command = {
	.name = "top",
	.synopsis = "vmscope top [OPTIONS]",
	.summary = "Watch every process's memory live: the machine's memory in a header, and the\n"
		   "processes with RSS, its change since the last refresh, PSS, USS, swap and\n"
		   "page fault rates. Enter opens the live layout of the selected process, Esc\n"
		   "goes back; ? lists the keys. Needs a terminal; --once prints one refresh.\n",
	.options = top_options,
	.n_options = ARRAY_SIZE(top_options),
	.epilog = "Exit status: 0 success, 1 the processes could not be read, 2 usage error.\n",
};

static const struct cli_option watch_options[] = {
	OPTION_INTERVAL,
	{ "full", 0, no_argument, OPT_PROCS_FULL, NULL, "match NAME against the whole command line" },
	{ "record", 0, required_argument, OPT_RECORD, "FILE",
	  "also write each refresh to FILE as a recording (see vmscope record)" },
	CLI_OPTION_COLOR,
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command watch_command = {
	.name = "watch",
	.synopsis = "vmscope watch [OPTIONS] PID|NAME",
	.summary = "Watch the layout of one process's address space live: the report of\n"
		   "'vmscope PID', refreshed. Needs a terminal.\n",
	.options = watch_options,
	.n_options = ARRAY_SIZE(watch_options),
	.epilog = "Exit status: 0 success, 1 the process does not exist or exited, 2 usage error.\n",
};

struct top_args {
	struct tui_top_options o;
	struct cmd_procs p;
	enum cli_color color;
	const char *proc_root;
	bool once;
	const char *record; /* watch --record FILE */
};

/* "2", "0.5", "1.25" seconds → milliseconds */
static int parse_interval(const char *arg, unsigned *ret)
{
	const char *p = arg, *end = arg + strlen(arg);
	uint64_t ms;

	if (parse_decimal(&p, end, 1000, 3600000, &ms) < 0 || p != end || ms < 100) {
		cli_error("--interval takes seconds from 0.1 to 3600, not '%s'", arg);
		return -EINVAL;
	}
	*ret = (unsigned)ms;
	return 0;
}

static int top_option(int id, const char *arg, void *ctx)
{
	struct top_args *a = ctx;
	int r;

	r = cmd_procs_option(&a->p, id, arg, true);
	if (r <= 0)
		return r;
	switch (id) {
	case 'd':
		return parse_interval(arg, &a->o.interval_ms);
	case 'b':
		a->o.bytes = true;
		return 0;
	case OPT_ONCE:
		a->once = true;
		return 0;
	case OPT_RECORD:
		a->record = arg;
		return 0;
	case CLI_OPT_COLOR:
		return cli_parse_color(arg, &a->color);
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return -EINVAL;
}

/* Why the live view cannot run here, and what prints the same without a terminal. */
static void say_no_terminal(const struct top_args *a, int r)
{
	const char *term = getenv("TERM");
	const char *what = a->o.watch_pid ? "watch" : "top";
	struct strbuf why, esc;

	strbuf_init(&why);
	strbuf_init(&esc);
	if (term)
		escape_display(&esc, term, strlen(term));
	if (r == -ENOENT)
		strbuf_addstr(&why, " (TERM is not set)");
	else if (r == -EINVAL)
		strbuf_addf(&why, " (terminfo does not know TERM '%s')", esc.buf);
	else if (r == -EOPNOTSUPP)
		strbuf_addf(&why, " (TERM '%s' cannot move the cursor)", esc.buf);
	if (a->o.watch_pid)
		fprintf(stderr, "vmscope: %s needs a terminal%s; try 'vmscope %d'\n", what, why.buf,
			(int)a->o.watch_pid);
	else
		fprintf(stderr,
			"vmscope: %s needs a terminal%s; try 'vmscope list', or 'vmscope top --once' "
			"for one refresh\n",
			what, why.buf);
	strbuf_release(&why);
	strbuf_release(&esc);
}

static int run(struct top_args *a)
{
	const char *why = NULL;
	int r;

	a->o.by = a->p.by;
	a->o.sort = a->p.sort;
	a->o.reverse = a->p.reverse;
	a->o.user = a->p.user;
	a->o.name = a->p.name;
	a->o.match = a->p.match;
	a->o.full = a->p.full;
	a->o.kernel = a->p.kernel;
	a->o.live = cli_proc_root_is_live(a->proc_root);
	a->o.ascii = !cli_locale_utf8();
	if (a->once) {
		unsigned width = cli_output_width(0, STDOUT_FILENO);

		a->o.color = cli_want_color(a->color, STDOUT_FILENO);
		errno = 0; /* a write error of the listing's is the last errno set */
		/* no terminal nor COLUMNS: 0, lines whole, as list's */
		r = tui_top_once(&a->o, stdout, width);
		/* a write error (-EIO, as the reporters say one) by its errno */
		if (r == 0 || r == -EIO)
			r = cmd_stream_done(stdout, r);
	} else {
		r = screen_usable(&why);
		if (r == -ELIBACC) {
			cli_error("%s needs the curses library, which cannot be loaded: %s",
				  a->o.watch_pid ? "watch" : "top", why);
			return EXIT_GONE;
		}
		if (r < 0) {
			say_no_terminal(a, r);
			return EXIT_USAGE;
		}
		a->o.color = a->color != CLI_COLOR_NEVER && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
		r = tui_top_run(&a->o);
		if (r > 0)
			return r;
	}
	if (r == -EINVAL) {
		cli_error("'%s' is not a valid regular expression", a->o.match);
		return EXIT_USAGE;
	}
	if (r == -ESRCH || r == -ENOENT) {
		cli_say_gone(a->o.watch_pid, r);
		return EXIT_GONE;
	}
	return cmd_written(r, "the listing");
}

int cmd_top(int argc, char **argv)
{
	struct top_args a = { .p = { .sort = -1 } };
	int r, first, status;

	r = cli_parse(argc, argv, &top_command, top_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (first < argc) {
		cli_error("top takes no operands ('%s'); to watch one process: vmscope watch PID",
			  argv[first]);
		return EXIT_USAGE;
	}
	a.o.root_fd = cli_open_proc_root(a.proc_root);
	if (a.o.root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = run(&a);
	close(a.o.root_fd);
	return status;
}

static void record_snapshot(void *ctx, const struct vms_snapshot *snap)
{
	/* a write error is kept by the recorder and said when watch ends */
	(void)cmd_recorder_add(ctx, snap, true);
}

/* watch with --record: the recording around the live view. */
static int run_recording(struct top_args *a)
{
	struct cmd_recorder rec;
	int status, r;

	r = cmd_recorder_open(&rec, a->record,
			      (int64_t)(a->o.interval_ms ? a->o.interval_ms : 2000) * 1000000, 1000);
	if (r < 0) {
		cli_error("cannot write '%s': %s", a->record, strerror(-r));
		return EXIT_GONE;
	}
	a->o.on_snapshot = record_snapshot;
	a->o.on_snapshot_ctx = &rec;
	status = run(a);
	r = cmd_recorder_close(&rec, status == EXIT_GONE ? VMS_REC_END_EXITED
							 : VMS_REC_END_INTERRUPTED,
			       mono_ns());
	if (r < 0) {
		cli_error("cannot write '%s': %s", a->record, strerror(-r));
		return EXIT_GONE;
	}
	if (rec.samples)
		fprintf(stderr, "vmscope: %zu samples recorded to '%s'\n", rec.samples, a->record);
	return status;
}

int cmd_watch(int argc, char **argv)
{
	struct top_args a = { .p = { .sort = -1 } };
	int r, first, status;

	r = cli_parse(argc, argv, &watch_command, top_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (argc - first != 1) {
		fputs("vmscope: watch takes one PID or NAME\n", stderr);
		return EXIT_USAGE;
	}
	a.o.root_fd = cli_open_proc_root(a.proc_root);
	if (a.o.root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cli_resolve_target(a.o.root_fd, argv[first], a.o.full, &a.o.watch_pid);
	if (!status) {
		struct vms_proc *p;

		/* a PID that does not exist is said before asking for a terminal */
		r = vms_proc_open(a.o.root_fd, a.o.watch_pid, false, &p);
		if (r < 0) {
			cli_say_gone(a.o.watch_pid, -ENOENT);
			status = EXIT_GONE;
		} else {
			vms_proc_free(p);
			status = a.record ? run_recording(&a) : run(&a);
		}
	}
	close(a.o.root_fd);
	return status;
}
