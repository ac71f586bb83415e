/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope faults PID|NAME [--duration D]: which part of a process's memory
 * is faulting, and which code: the options and the output. The watch itself
 * is src/cmd/common/faults-session.c, shared with report --faults, and its
 * text and JSON are src/cmd/common/faults-render.c.
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/faults.h"
#include "cmd/common/options.h"
#include "cmd/common/render.h"
#include "vmscope/faults.h"

enum {
	OPT_MAJOR = CLI_OPT_FIRST_FREE,
	OPT_THREADS,
	OPT_FULL,
};

static const struct cli_option faults_options[] = {
	{ "duration", 'd', required_argument, 'd', "D",
	  "how long to watch: 5, 5s, 500ms or 2m (default 5s); Ctrl-C ends early" },
	{ "major", 0, no_argument, OPT_MAJOR, NULL,
	  "sample major faults only (those that read from disk): cheaper on a busy process" },
	{ "threads", 0, no_argument, OPT_THREADS, NULL, "list the faults of each thread" },
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text or json (default text)" },
	{ "top", 'n', required_argument, 'n', "N", "how many regions and code sites to list (default 10)" },
	{ "full", 0, no_argument, OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_HELP,
};

const struct cli_command faults_command = {
	.name = "faults",
	.synopsis = "vmscope faults [OPTIONS] PID|NAME",
	.summary = "Watch a process's page faults for a while and attribute each to the region\n"
		   "it hit (heap, a library's data, a thread's stack, a file mapping) and to the\n"
		   "code that took it (function+0xoff (object)), with a per-second timeline.\n"
		   "Faults are sampled with perf events, one per thread; threads\n"
		   "started during the run are picked up. Without permission for that, the\n"
		   "kernel's per-thread counters are compared before and after instead, and one\n"
		   "line says why.\n",
	.options = faults_options,
	.n_options = ARRAY_SIZE(faults_options),
	.epilog = "Exit status: 0 ok (also when the process exited during the run: what was\n"
		  "seen is reported), 1 no such process, 2 usage error.\n",
};

#define DEFAULT_TOP 10

struct faults_args {
	uint64_t duration_ns;
	bool major, threads, json, full;
	unsigned top;
};

static int faults_option(int id, const char *arg, void *ctx)
{
	struct faults_args *a = ctx;

	switch (id) {
	case 'd':
		return cmd_parse_duration("duration", arg, &a->duration_ns);
	case OPT_MAJOR:
		a->major = true;
		return 0;
	case OPT_THREADS:
		a->threads = true;
		return 0;
	case OPT_FULL:
		a->full = true;
		return 0;
	case 'n':
		return cli_parse_uint("top", arg, 1, 100000, &a->top);
	case 'f':
		return cli_parse_text_or_json(arg, &a->json);
	}
	return -EINVAL;
}

int cmd_faults(int argc, char **argv)
{
	struct faults_args a = { .duration_ns = 5000000000u, .top = DEFAULT_TOP };
	struct cmd_faults_run run;
	char *buf = NULL;
	size_t len = 0;
	int n, first, r, status, root_fd;
	FILE *mem;

	r = cli_parse(argc, argv, &faults_command, faults_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	n = argc - first;
	if (n != 1) {
		fputs(n ? "vmscope: one PID or NAME at a time\n" : "vmscope faults: name a PID or NAME\n",
		      stderr);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(NULL);
	if (root_fd < 0)
		return EXIT_GONE;
	memset(&run, 0, sizeof(run));
	run.duration_ns = a.duration_ns;
	run.major = a.major;
	status = cli_resolve_target(root_fd, argv[first], a.full, &run.pid);
	if (status)
		goto out;
	status = cmd_faults_run(root_fd, &run, a.top);
	if (status)
		goto out;
	if (run.no_address_space && !a.json) {
		printf("%s\n", run.why);
		if (fflush(stdout) != 0)
			status = EXIT_GONE;
		goto out;
	}
	if (!run.sampled && !run.no_address_space)
		cli_error("%s", run.why);
	mem = open_memstream(&buf, &len);
	if (!mem)
		die_oom(0);
	r = 0;
	if (a.json)
		r = cmd_faults_json(mem, &run);
	else
		cmd_faults_text(mem, &run, a.top, a.threads, cli_output_width(0, STDOUT_FILENO));
	if (fclose(mem) != 0 || r < 0) {
		fputs("vmscope: cannot render the fault report\n", stderr);
		status = EXIT_USAGE;
	} else {
		errno = 0;
		(void)fwrite(buf, 1, len, stdout);
		status = cmd_written(cmd_stream_done(stdout, 0), "the fault report");
	}
	free(buf);
out:
	cmd_faults_run_release(&run);
	close(root_fd);
	return status;
}
