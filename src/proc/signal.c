/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending a signal to a process the user picked in the live view, and to
 * that process only: a pidfd is opened first, then the start time read
 * through the proc root is compared with the one the view showed, so a pid
 * reused since the last refresh is never signalled.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/procfile.h"
#include "base/strbuf.h"

int vms_proc_signal(int root_fd, pid_t pid, uint64_t start_time, int sig)
{
	struct vms_stat st;
	struct strbuf sb;
	char name[32];
	int pidfd, r;

	if (pid <= 0)
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	strbuf_init(&sb);
	(void)snprintf(name, sizeof(name), "%d/stat", (int)pid);
	r = procfile_read_at(root_fd, name, 4096, 0, &sb);
	if (r >= 0)
		r = vms_stat_parse(sb.buf, sb.len, &st);
	if (r >= 0 && st.start_time != start_time)
		r = -ESRCH; /* another process has that pid now */
	if (r >= 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		r = -errno;
	strbuf_release(&sb);
	close(pidfd);
	return r < 0 ? r : 0;
}
