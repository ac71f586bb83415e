/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A live process or a snapshot file as what a command works on: see target.h. */
#include "config.h"

#include "cmd/common/target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/thread.h"
#include "cmd/common/cli.h"
#include "cmd/common/options.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/load.h"
#include "vmscope/model.h"
#include "vmscope/pages.h"
#include "vmscope/recording.h"
#include "vmscope/snapshot.h"

int cmd_load_document(const char *path, struct vms_snapshot **ret_snap,
		      struct vms_recording **ret_rec)
{
	const char *file = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
	struct vms_load_error err;
	int r;

	r = vms_document_load_file(AT_FDCWD, file, ret_snap, ret_rec, &err);
	if (r >= 0)
		return 0;
	if (err.line)
		cli_error("%s:%u:%u: %s%s%s", path, err.line, err.column, err.path,
			  err.path[0] ? ": " : "", err.message);
	else
		cli_error("cannot load '%s': %s", path, err.message);
	return EXIT_USAGE;
}

int cmd_recording_sample(const struct vms_recording *rec, const char *path, int64_t at_ns,
			 struct vms_snapshot **ret)
{
	size_t first, last, s;

	if (vms_recording_region_span(rec, &first, &last) < 0) {
		cli_error("'%s': no sample of the recording has its regions", path);
		return EXIT_USAGE;
	}
	if (at_ns == CMD_AT_LAST)
		s = last;
	else if (at_ns < 0)
		s = first;
	else
		(void)vms_recording_sample_at(rec, at_ns, &s);
	if (vms_recording_snapshot(rec, s, ret) < 0) {
		cli_error("'%s': cannot rebuild sample %zu", path, s);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_load_snapshot(const char *path, struct vms_snapshot **ret)
{
	struct vms_recording *rec = NULL;
	int status = cmd_load_document(path, ret, &rec);

	if (status || !rec)
		return status;
	status = cmd_recording_sample(rec, path, CMD_AT_LAST, ret);
	vms_recording_free(rec);
	return status;
}

void cmd_leave_to_exit(struct vms_snapshot *snap)
{
	static struct vms_snapshot *left;

	vms_snapshot_free(left);
	left = snap;
}

int cmd_inspect_target(int root_fd, const char *proc_root, const char *target, bool full,
		       struct vms_snapshot **ret)
{
	struct vms_elf_cache *cache;
	pid_t pid;
	int r, status;

	/* smaps's reader begins while the target is resolved (as the
	 * report's: thread_early_start) */
	thread_early_start();
	status = cli_resolve_target(root_fd, target, full, &pid);
	if (status) {
		thread_early_end();
		return status;
	}
	cache = vms_elf_cache_new();
	r = vms_inspect(root_fd, pid, cli_proc_root_is_live(proc_root),
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF |
				cmd_pages_flags(0, false, cli_proc_root_is_live(proc_root)) |
				VMS_INSPECT_POLL,
			cache, ret);
	thread_early_end();
	vms_elf_cache_free(cache);
	if (r == -ESRCH || r == -ENOENT || r == -EAGAIN) {
		cli_say_gone(pid, r);
		return EXIT_GONE;
	}
	if (r < 0) {
		cli_error("cannot read process %d: %s", (int)pid, procfile_strerror(r));
		return EXIT_GONE;
	}
	return 0;
}

/*
 * A snapshot file is named by a path (with a '/') or '-'; a bare word is a
 * file only when one of that name here holds JSON (its first byte past
 * white space a '{': snapshots and recordings all begin so), else it is a
 * process: the program under test, in the directory a CI job runs it from,
 * has the name of its process. A FIFO or other special file is not opened
 * here (no read that may block): a bare word names one only with "./".
 */
static bool looks_like_file(const char *arg)
{
	char buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(arg, "-") == 0 || strchr(arg, '/'))
		return true;
	if (stat(arg, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	fd = open(arg, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return true; /* said when it is loaded: cannot be read */
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return buf[i] == '{';
	return n < (ssize_t)sizeof(buf); /* empty: said when it is loaded */
}

int cmd_parse_at(const char *arg, int64_t *ret_ns)
{
	uint64_t ns;

	if (strcmp(arg, "first") == 0) {
		*ret_ns = -1;
		return 0;
	}
	if (strcmp(arg, "last") == 0) {
		*ret_ns = CMD_AT_LAST;
		return 0;
	}
	/* any time since the start: a recording may run for days (not
	 * cmd_parse_duration's 24 h, a bound for intervals) */
	if (parse_duration_str(arg, &ns) < 0 || ns > (uint64_t)INT64_MAX) {
		cli_error("--at takes first, last or a time since the start such as 90s, 2m or 36h, "
			  "not '%s'",
			  arg);
		return -EINVAL;
	}
	*ret_ns = (int64_t)ns;
	return 0;
}

int cmd_snapshot_operand(const char *arg, const char *proc_root, bool full, int64_t at_ns,
			 struct vms_snapshot **ret, struct vms_snapshot **ret_first)
{
	int root_fd, status;

	if (ret_first)
		*ret_first = NULL;
	if (looks_like_file(arg)) {
		struct vms_recording *rec = NULL;

		status = cmd_load_document(arg, ret, &rec);
		if (status || !rec)
			return status;
		status = cmd_recording_sample(rec, arg, at_ns, ret);
		if (status == 0 && ret_first &&
		    (status = cmd_recording_sample(rec, arg, -1, ret_first)) != 0) {
			vms_snapshot_free(*ret);
			*ret = NULL;
		}
		vms_recording_free(rec);
		return status;
	}
	root_fd = cli_open_proc_root(proc_root);
	if (root_fd < 0)
		return proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cmd_inspect_target(root_fd, proc_root, arg, full, ret);
	close(root_fd);
	return status;
}

int cmd_reset_refs(int root_fd, pid_t pid, unsigned seconds)
{
	struct timespec ts = { .tv_sec = seconds };
	struct vms_proc *p;
	int r;

	r = vms_proc_open(root_fd, pid, true, &p);
	if (r == 0) {
		r = vms_proc_clear_refs(vms_proc_dirfd(p));
		vms_proc_free(p);
	}
	if (r == -ESRCH || r == -ENOENT) {
		cli_say_gone(pid, -ENOENT);
		return EXIT_GONE;
	}
	if (r < 0) {
		cli_error("cannot clear the referenced bits of pid %d: %s", (int)pid,
			strerror(-r));
		return EXIT_GONE;
	}
	fprintf(stderr, "vmscope: referenced bits of pid %d cleared, counting for %u s\n", (int)pid,
		seconds);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}
