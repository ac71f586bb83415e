/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope snapshot PID|NAME -o FILE: one process's model as a JSON snapshot
 * (schema 1), and what the other snapshot commands share: loading a file
 * with a message that says where it is wrong, and taking "a file or a live
 * process" as an operand.
 */
#include "config.h"

#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli.h"
#include "vmscope/elf.h"
#include "vmscope/load.h"
#include "vmscope/model.h"
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
	.summary = "Write one process's memory model as a JSON snapshot (schema 1, see\n"
		   "vmscope-snapshot(5)): totals, every region with its counters and kind, the\n"
		   "mapped objects with their ELF facts, the threads, and which sources could be\n"
		   "read. 'vmscope show', 'diff' and 'check' read it back anywhere. The file is\n"
		   "written whole or not at all.\n",
	.options = snapshot_options,
	.n_options = ARRAY_SIZE(snapshot_options),
	.epilog = NULL,
};

int cmd_target_option(struct cmd_target_args *a, int id, const char *arg)
{
	switch (id) {
	case 'o':
		a->output = arg;
		return 0;
	case CMD_OPT_FULL:
		a->full = true;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return 1;
}

static int snapshot_option(int id, const char *arg, void *ctx)
{
	return cmd_target_option(ctx, id, arg) ? -EINVAL : 0;
}

int cmd_parse_anywhere(int argc, char **argv, const struct cli_command *cmd,
		       int (*handle)(int id, const char *arg, void *ctx), void *ctx,
		       char ***ret_operands, int *ret_n)
{
	char **ops = xcalloc((size_t)argc + 1, sizeof(*ops));
	int n = 0, first, r;

	/* each operand stands as argv[0] of the parse of what follows it */
	for (int at = 0; at < argc;) {
		r = cli_parse(argc - at, argv + at, cmd, handle, ctx, &first);
		if (r != 0) {
			free(ops);
			return r;
		}
		at += first;
		if (at < argc && strcmp(argv[at], "--") == 0) {
			while (++at < argc)
				ops[n++] = argv[at];
			break;
		}
		if (at < argc)
			ops[n++] = argv[at];
	}
	*ret_operands = ops;
	*ret_n = n;
	return 0;
}

int cmd_load_snapshot(const char *path, struct vms_snapshot **ret)
{
	const char *file = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
	struct vms_load_error err;
	struct strbuf esc;
	int r;

	r = vms_snapshot_load_file(AT_FDCWD, file, ret, &err);
	if (r >= 0)
		return 0;
	strbuf_init(&esc);
	escape_display(&esc, path, strlen(path));
	if (err.line)
		fprintf(stderr, "vmscope: %s:%u:%u: %s%s%s\n", esc.buf, err.line, err.column,
			err.path, err.path[0] ? ": " : "", err.message);
	else
		fprintf(stderr, "vmscope: cannot load '%s': %s\n", esc.buf, err.message);
	strbuf_release(&esc);
	return EXIT_USAGE;
}

int cmd_inspect_target(int root_fd, const char *proc_root, const char *target, bool full,
		       struct vms_snapshot **ret)
{
	struct vms_elf_cache *cache;
	pid_t pid;
	int r, status;

	status = cli_resolve_target(root_fd, target, full, &pid);
	if (status)
		return status;
	cache = vms_elf_cache_new();
	r = vms_inspect(root_fd, pid, cli_proc_root_is_live(proc_root),
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF |
				cmd_pages_flags(0, false, cli_proc_root_is_live(proc_root)),
			cache, ret);
	vms_elf_cache_free(cache);
	if (r == -ESRCH || r == -ENOENT) {
		cli_say_gone(pid, r);
		return EXIT_GONE;
	}
	if (r < 0) {
		fprintf(stderr, "vmscope: cannot read process %d: %s\n", (int)pid, strerror(-r));
		return EXIT_GONE;
	}
	return 0;
}

/* A snapshot file is named by a path; a bare number or name is a process. */
static bool looks_like_file(const char *arg)
{
	struct stat st;

	if (strcmp(arg, "-") == 0 || strchr(arg, '/'))
		return true;
	return stat(arg, &st) == 0 && !S_ISDIR(st.st_mode);
}

int cmd_snapshot_operand(const char *arg, const char *proc_root, bool full,
			 struct vms_snapshot **ret)
{
	int root_fd, status;

	if (looks_like_file(arg))
		return cmd_load_snapshot(arg, ret);
	root_fd = cli_open_proc_root(proc_root);
	if (root_fd < 0)
		return proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cmd_inspect_target(root_fd, proc_root, arg, full, ret);
	close(root_fd);
	return status;
}

int cmd_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A device, a FIFO or a socket (-o /dev/stdout, a pipe made by the shell)
 * is written to as it is: renaming a file over it would replace it. A
 * symbolic link is followed, so that the file it names is replaced and the
 * link stays.
 */
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path)
{
	struct strbuf sb;
	struct stat st;
	mode_t mask;

	*f = (struct cmd_atomic_file){ .fd = -1 };
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		return f->fd < 0 ? -errno : 0;
	}
	f->path = realpath(path, NULL);
	if (!f->path && errno != ENOENT)
		return -errno;
	if (!f->path)
		f->path = xstrdup(path);
	strbuf_init(&sb);
	strbuf_addf(&sb, "%s.XXXXXX", f->path);
	f->tmp = strbuf_detach(&sb, NULL);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int r = -errno;

		free(f->tmp);
		f->tmp = NULL; /* there is no file to remove */
		return cmd_atomic_close(f, r);
	}
	mask = umask(0);
	umask(mask);
	/* mkostemp makes it 0600; the file gets the mode any new file would */
	if (fchmod(f->fd, 0666 & ~mask) < 0)
		return cmd_atomic_close(f, -errno);
	return 0;
}

int cmd_atomic_close(struct cmd_atomic_file *f, int r)
{
	if (f->fd >= 0 && close(f->fd) < 0 && r == 0)
		r = -errno;
	f->fd = -1;
	if (f->tmp) {
		if (r == 0 && rename(f->tmp, f->path) < 0)
			r = -errno;
		if (r < 0)
			(void)unlink(f->tmp);
	}
	free(f->tmp);
	free(f->path);
	*f = (struct cmd_atomic_file){ .fd = -1 };
	return r;
}

int cmd_write_file_atomic(const char *path, const char *buf, size_t len)
{
	struct cmd_atomic_file f;
	int r = cmd_atomic_open(&f, path);

	if (r < 0)
		return r;
	return cmd_atomic_close(&f, cmd_write_all(f.fd, buf, len));
}

/* Streams the JSON of snap to path, whole or not at all ("-" or NULL: stdout). */
static int write_snapshot(const struct vms_snapshot *snap, const char *path)
{
	const struct vms_reporter *rep = vms_reporter_find("json");
	const struct vms_report_options ropt = { 0 };
	struct cmd_atomic_file f;
	FILE *out;
	int r;

	if (!path || strcmp(path, "-") == 0)
		return cmd_render_stream(rep, snap, &ropt, stdout);
	r = cmd_atomic_open(&f, path);
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
	_cleanup_free_ char **ops = NULL;
	int r, status, n, root_fd;

	r = cmd_parse_anywhere(argc, argv, &snapshot_command, snapshot_option, &a, &ops, &n);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (n != 1) {
		fputs("vmscope: snapshot takes one PID or NAME\n", stderr);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cmd_inspect_target(root_fd, a.proc_root, ops[0], a.full, &snap);
	close(root_fd);
	if (status)
		return status;

	r = write_snapshot(snap, a.output);
	vms_snapshot_free(snap);
	if (r < 0 && r != -EPIPE) {
		fprintf(stderr, "vmscope: cannot write '%s': %s\n", a.output ? a.output : "-",
			strerror(-r));
		return EXIT_GONE;
	}
	return 0;
}
