/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own fault counters, per process and per thread: what any
 * user may read of any process, so the fallback when sampling is refused,
 * and the reference that samples are checked against.
 */
#include "config.h"

#include "vmscope/faults.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/collect.h"

#define STAT_CAP 4096

static int read_count(int dirfd, const char *name, struct strbuf *sb, struct vms_fault_count *ret)
{
	struct vms_stat st;
	int r = procfile_read_at(dirfd, name, STAT_CAP, 0, sb);

	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;
	r = vms_stat_parse(sb->buf, sb->len, &st);
	if (r < 0)
		return r;
	/* A zombie has exited; a zombie leader with threads left has not. */
	if ((st.state == 'Z' || st.state == 'X') && st.num_threads <= 1)
		return -ESRCH;
	ret->tid = st.pid;
	/* the kernel's comm is at most 15 bytes: nothing is cut */
	memcpy(ret->comm, st.comm, sizeof(ret->comm) - 1);
	ret->comm[sizeof(ret->comm) - 1] = '\0';
	ret->minflt = st.minflt;
	ret->majflt = st.majflt;
	return 0;
}

static int cmp_tid(const void *a, const void *b)
{
	const struct vms_fault_count *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

int vms_fault_counts_read(int pid_dirfd, struct vms_fault_count *ret_proc,
			  struct vms_fault_count **ret_threads)
{
	struct vms_fault_count proc, *threads = NULL;
	size_t n = 0, alloc = 0;
	struct strbuf sb;
	struct dirent *de;
	DIR *d;
	int fd, r;

	strbuf_init(&sb);
	r = read_count(pid_dirfd, "stat", &sb, &proc);
	if (r < 0)
		goto out;
	proc.tid = 0;
	fd = openat(pid_dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? -ESRCH : -errno;
		goto out;
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		goto out;
	}
	while ((de = readdir(d))) {
		char name[64];
		char *end;
		long tid;

		errno = 0;
		tid = strtol(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || tid <= 0)
			continue;
		ARRAY_GROW(threads, n + 1, alloc);
		(void)snprintf(name, sizeof(name), "task/%ld/stat", tid);
		/* A thread that exited since the listing is simply not there. */
		if (read_count(pid_dirfd, name, &sb, &threads[n]) == 0)
			n++;
	}
	closedir(d);
	if (n)
		ARRAY_SORT(threads, n, cmp_tid);
	*ret_proc = proc;
	*ret_threads = threads;
	threads = NULL;
	r = (int)n;
out:
	free(threads);
	strbuf_release(&sb);
	return r;
}
