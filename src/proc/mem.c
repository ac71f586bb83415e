/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads of a process's memory through its /proc/<pid>/mem, of the pages in
 * memory alone. A read of mem faults in what it reads, as the process's own
 * access would: an anonymous page never written becomes a page of the
 * process (on Linux 6.18, Private_Dirty, in its RSS), a file page not mapped
 * is mapped, a page in swap is read back. vmscope must not change what it
 * measures, so each range is looked up in pagemap first.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/procfile.h"
#include "vmscope/pages.h"

/* pagemap entries asked for at a time */
#define PM_BATCH 64

int vms_procmem_open(int pid_dirfd, struct vms_procmem *m)
{
	long ps = sysconf(_SC_PAGESIZE);
	int r;

	m->page_size = ps > 0 ? (uint64_t)ps : 4096;
	m->fd = openat(pid_dirfd, "mem", O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	m->pagemap_fd = openat(pid_dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (m->pagemap_fd < 0) {
		r = -errno;
		close(m->fd);
		m->fd = -1;
		return r;
	}
	return 0;
}

void vms_procmem_close(struct vms_procmem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->pagemap_fd >= 0)
		close(m->pagemap_fd);
	m->fd = m->pagemap_fd = -1;
}

/*
 * [addr, addr + n) page by page: the present pages read from mem (runs of
 * them in one read), the others zeros when anon says they are an
 * anonymous mapping's pages never written (neither present nor in swap),
 * else -ENODATA.
 */
static int read_present(const struct vms_procmem *m, uint64_t addr, void *buf, size_t n, bool anon)
{
	uint64_t pm[PM_BATCH], ps = m->page_size, end, run;
	char *out = buf;
	size_t k = 0, have = 0;
	int r;

	if (n == 0)
		return 0;
	if (addr > UINT64_MAX - n)
		return -EFAULT;
	end = addr + n;
	/* [run, at): present bytes not read yet */
	run = addr;
	for (uint64_t at = addr, page; at < end; at = page + ps) {
		page = at - at % ps;
		if (k == have) {
			uint64_t left = (end - page + ps - 1) / ps;

			have = left < PM_BATCH ? (size_t)left : PM_BATCH;
			r = procfile_pread_full(m->pagemap_fd, pm, have * sizeof(*pm), page / ps * sizeof(*pm));
			if (r < 0)
				return r;
			k = 0;
		}
		if (pm[k++] & VMS_PM_PRESENT)
			continue;
		if (!anon || (pm[k - 1] & VMS_PM_SWAPPED))
			return -ENODATA;
		if (at > run) {
			r = procfile_pread_full(m->fd, out + (run - addr), at - run, run);
			if (r < 0)
				return r;
		}
		run = end - page > ps ? page + ps : end;
		memset(out + (at - addr), 0, run - at);
	}
	return run < end ? procfile_pread_full(m->fd, out + (run - addr), end - run, run) : 0;
}

int vms_procmem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	return read_present(ctx, addr, buf, n, false);
}

int vms_procmem_read_anon(const struct vms_procmem *m, uint64_t addr, void *buf, size_t n)
{
	return read_present(m, addr, buf, n, true);
}
