/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope: where a process's memory is. main.c is the only place (with the
 * live view) that prints, exits or looks at the terminal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "options.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

enum {
	EXIT_GONE = 1,  /* no such process, or it exited */
	EXIT_USAGE = 2, /* bad usage, bad input, or several matches */
};

static bool want_color(enum color_mode mode)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");

	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	if (no_color && *no_color)
		return false;
	if (!term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

static unsigned output_width(unsigned requested)
{
	struct winsize ws;
	const char *cols;

	if (requested)
		return requested;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	cols = getenv("COLUMNS");
	if (cols) {
		long c = strtol(cols, NULL, 10);
		if (c >= 40 && c <= 1000)
			return (unsigned)c;
	}
	return 80;
}

static bool is_pid(const char *s, pid_t *ret)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return false;
	*ret = (pid_t)v;
	return true;
}

/* Several processes matched NAME: list them so the user can pick one. */
static void list_matches(int root_fd, const char *name, const pid_t *pids, int n)
{
	struct strbuf line;

	strbuf_init(&line);
	fprintf(stderr, "vmscope: %d processes match '%s'; name one by its PID:\n", n, name);
	for (int i = 0; i < n; i++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		struct vms_proc *p;
		const char *what = "?";

		if (vms_proc_open(root_fd, pids[i], false, &p) == 0) {
			if (vms_collect(p, 0, snap) == 0)
				what = snap->proc.cmdline ? snap->proc.cmdline
							  : snap->proc.comm ? snap->proc.comm : "?";
			vms_proc_free(p);
		}
		strbuf_reset(&line);
		escape_display(&line, what, strlen(what));
		if (line.len > 70)
			strbuf_setlen(&line, 70);
		fprintf(stderr, "  %7d  %s\n", (int)pids[i], line.buf);
		vms_snapshot_free(snap);
	}
	strbuf_release(&line);
}

static int resolve_target(int root_fd, const struct vms_options *opt, pid_t *ret)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct strbuf esc;
	int n;

	if (!opt->target) {
		if (opt->proc_root) {
			fputs("vmscope: with --proc-root, name a PID\n", stderr);
			return EXIT_USAGE;
		}
		*ret = getppid();
		return 0;
	}
	if (is_pid(opt->target, ret))
		return 0;
	n = vms_find_by_name(root_fd, opt->target, opt->full, &pids);
	strbuf_init(&esc);
	escape_display(&esc, opt->target, strlen(opt->target));
	if (n == -EINVAL) {
		fprintf(stderr, "vmscope: '%s' is neither a PID nor a valid regular expression\n",
			esc.buf);
		strbuf_release(&esc);
		return EXIT_USAGE;
	}
	if (n < 0) {
		fprintf(stderr, "vmscope: cannot list processes: %s\n", strerror(-n));
		strbuf_release(&esc);
		return EXIT_GONE;
	}
	if (n == 0) {
		fprintf(stderr, "vmscope: no process matches '%s'\n", esc.buf);
		strbuf_release(&esc);
		return EXIT_GONE;
	}
	if (n > 1) {
		list_matches(root_fd, esc.buf, pids, n);
		strbuf_release(&esc);
		return EXIT_USAGE;
	}
	strbuf_release(&esc);
	*ret = pids[0];
	return 0;
}

static bool is_live_root(const char *root)
{
	struct stat a, b;

	if (!root)
		return true;
	return stat(root, &a) == 0 && stat("/proc", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* One line for a process with no user address space; false if it has one. */
static bool say_no_address_space(const struct vms_snapshot *snap, FILE *out)
{
	const char *what;
	struct strbuf comm;

	if (snap->proc.kernel_thread)
		what = "is a kernel thread: it has no user address space";
	else if (snap->proc.state == 'Z')
		what = "is a zombie: it has exited and holds no memory, waiting for its parent";
	else
		return false;
	strbuf_init(&comm);
	escape_display(&comm, snap->proc.comm ? snap->proc.comm : "?",
		       snap->proc.comm ? strlen(snap->proc.comm) : 1);
	fprintf(out, "pid %d (%s) %s\n", (int)snap->proc.pid, comm.buf, what);
	strbuf_release(&comm);
	return true;
}

static int run_report(const struct vms_options *opt)
{
	struct vms_report_options ropt = {
		.color = want_color(opt->color),
		.bytes = opt->bytes,
		.all = opt->all,
		.sort = opt->sort,
		.width = output_width(opt->width),
		.top = opt->top,
	};
	const char *root = opt->proc_root ? opt->proc_root : VMSCOPE_PROC_ROOT;
	const struct vms_reporter *rep = vms_reporter_find(opt->format);
	struct vms_elf_cache *cache = NULL;
	struct vms_snapshot *snap = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	pid_t pid;
	int root_fd, r, status;

	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		fprintf(stderr, "vmscope: cannot open %s: %s\n", root, strerror(errno));
		return opt->proc_root ? EXIT_USAGE : EXIT_GONE;
	}
	status = resolve_target(root_fd, opt, &pid);
	if (status)
		goto out;

	cache = vms_elf_cache_new();
	r = vms_inspect(root_fd, pid, is_live_root(opt->proc_root),
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF, cache, &snap);
	if (r == -ESRCH) {
		/* Either there was none, or it exited while we read it: the
		 * model never hands back a half-read snapshot. */
		struct stat st;
		char name[16];

		(void)snprintf(name, sizeof(name), "%d", (int)pid);
		if (fstatat(root_fd, name, &st, 0) == 0 || errno != ENOENT)
			fprintf(stderr, "vmscope: process %d exited\n", (int)pid);
		else
			fprintf(stderr, "vmscope: no process with pid %d\n", (int)pid);
		status = EXIT_GONE;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "vmscope: cannot read process %d: %s\n", (int)pid, strerror(-r));
		status = EXIT_GONE;
		goto out;
	}
	if (strcmp(rep->name, "text") == 0 && say_no_address_space(snap, stdout)) {
		status = 0;
		goto out;
	}

	/* Render whole into memory first: nothing half-printed on an error. */
	mem = open_memstream(&buf, &len);
	if (!mem)
		die_oom(0);
	r = rep->render(mem, snap, &ropt);
	if (fclose(mem) != 0 && r >= 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "vmscope: cannot render the report: %s\n", strerror(-r));
		status = EXIT_USAGE;
		goto out;
	}
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		if (errno != EPIPE)
			fprintf(stderr, "vmscope: cannot write the report: %s\n", strerror(errno));
		status = EXIT_GONE;
		goto out;
	}
	status = 0;
out:
	free(buf);
	vms_snapshot_free(snap);
	vms_elf_cache_free(cache);
	close(root_fd);
	return status;
}

int main(int argc, char **argv)
{
	struct vms_options opt;

	setlocale(LC_ALL, "");
	if (options_parse(argc, argv, &opt, stderr) < 0)
		return EXIT_USAGE;
	if (opt.help) {
		options_usage(stdout);
		return 0;
	}
	if (opt.version) {
		printf("vmscope %s\n", VMSCOPE_VERSION);
		return 0;
	}
	return run_report(&opt);
}
