/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reads of a process's memory through its /proc/<pid>/mem. */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <unistd.h>

int vms_mem_read_fd(void *ctx, uint64_t addr, void *buf, size_t n)
{
	int fd = *(const int *)ctx;
	ssize_t got;

	if (addr > (uint64_t)INT64_MAX - n)
		return -EFAULT;
	got = pread(fd, buf, n, (off_t)addr);
	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -EIO;
}
