/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level truth from /proc/<pid>/pagemap, /proc/kpageflags and
 * /proc/kpagecount: an open pagemap walks a range of addresses and hands
 * over runs of pages with one state, through the PAGEMAP_SCAN ioctl when the
 * kernel has it, else through pread of pagemap entries (also for the
 * per-page details as root). Bytes are decoded by pagemap-decode.c; a
 * snapshot's regions are filled by pagemap-collect.c.
 */
#include "config.h"

#include "vmscope/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "proc/pagemap-internal.h"

/*
 * PAGEMAP_SCAN came with Linux 6.7; Debian 12's headers are 6.1, so the
 * argument is declared here. Its layout is the kernel ABI: 12 u64s.
 */
struct vms_pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start, end;
	uint64_t walk_end;
	uint64_t vec, vec_len;
	uint64_t max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
_Static_assert(sizeof(struct vms_pm_scan_arg) == 96, "struct pm_scan_arg is 96 bytes");
_Static_assert(sizeof(struct vms_scan_region) == 24, "struct page_region is 24 bytes");
#define VMS_PAGEMAP_SCAN_IOCTL _IOWR('f', 16, struct vms_pm_scan_arg)

/* Entries read per pread: 64 KiB, 256 MiB of address space. */
#define CHUNK 8192
/* Ranges per PAGEMAP_SCAN call: SCAN_VEC_FIRST (two pages), then SCAN_VEC
 * (96 KiB) from the first call that fills them. */
#define SCAN_VEC_FIRST 256
#define SCAN_VEC 4096

#define ENTRY_KNOWN \
	(PB(VMS_PG_PRESENT) | PB(VMS_PG_SWAPPED) | PB(VMS_PG_FILE) | PB(VMS_PG_EXCLUSIVE) | \
	 PB(VMS_PG_GUARD))
#define SCAN_KNOWN \
	(PB(VMS_PG_PRESENT) | PB(VMS_PG_SWAPPED) | PB(VMS_PG_FILE) | PB(VMS_PG_ZERO) | PB(VMS_PG_THP))
#define KPAGE_KNOWN \
	(PB(VMS_PG_ANON) | PB(VMS_PG_DIRTY) | PB(VMS_PG_ACTIVE) | PB(VMS_PG_REFERENCED) | \
	 PB(VMS_PG_LRU) | PB(VMS_PG_MLOCKED) | PB(VMS_PG_KSM) | PB(VMS_PG_LARGE_FOLIO) | \
	 PB(VMS_PG_ZERO) | \
	 PB(VMS_PG_MAPPED_ONCE))
/* What pagemap entries add to a scan's answer */
#define ENTRY_EXTRA (PB(VMS_PG_EXCLUSIVE) | KPAGE_KNOWN)

static bool have_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_SYS_ADMIN / 32].effective & (UINT32_C(1) << (CAP_SYS_ADMIN % 32));
}

static int scan_call(struct vms_pagemap *pm, struct vms_pm_scan_arg *arg)
{
	long n;

	do
		n = ioctl(pm->fd, VMS_PAGEMAP_SCAN_IOCTL, arg);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}

static void scan_masks(const struct vms_pagemap *pm, struct vms_pm_scan_arg *arg)
{
	uint64_t guard = pm->scan_guard ? VMS_SCAN_GUARD : 0;

	arg->size = sizeof(*arg);
	/* unpopulated pages are in none of these: the kernel skips them */
	arg->category_anyof_mask = VMS_SCAN_PRESENT | VMS_SCAN_SWAPPED | guard;
	arg->return_mask = VMS_SCAN_PRESENT | VMS_SCAN_SWAPPED | VMS_SCAN_FILE |
			   VMS_SCAN_PFNZERO | VMS_SCAN_HUGE | guard;
}

/* Whether the kernel has PAGEMAP_SCAN, and whether it knows guard pages. */
static void probe_scan(struct vms_pagemap *pm)
{
	struct vms_pm_scan_arg arg = { 0 };
	const char *no_scan = getenv("VMSCOPE_TEST_NO_PAGEMAP_SCAN");
	int r;

	/* the tests' way to the path of kernels before 6.7 */
	if (no_scan && *no_scan && strcmp(no_scan, "0") != 0)
		return;

	pm->scan_guard = true;
	scan_masks(pm, &arg);
	arg.end = pm->page_size; /* page 0 is never mapped: a no-op */
	r = scan_call(pm, &arg);
	if (r == -EINVAL) {
		pm->scan_guard = false;
		memset(&arg, 0, sizeof(arg));
		scan_masks(pm, &arg);
		arg.end = pm->page_size;
		r = scan_call(pm, &arg);
	}
	pm->scan = r >= 0;
}

static int open_kpage(struct vms_pagemap *pm, int root_fd)
{
	pm->kflags_fd = procfile_open(root_fd, "kpageflags");
	if (pm->kflags_fd < 0)
		return pm->kflags_fd;
	pm->kcount_fd = procfile_open(root_fd, "kpagecount");
	if (pm->kcount_fd < 0)
		return pm->kcount_fd;
	/* frame numbers, the key to both, are zeroed for the rest of us */
	if (!have_cap_sys_admin())
		return -EPERM;
	return 0;
}

/*
 * VMSCOPE_TEST_PAGEMAP_SCAN_FAIL=N: the N-th PAGEMAP_SCAN call of pm's walks
 * (from 1) fails with EIO: the tests' way to a walk that fails part way,
 * which a kernel's error or the target's end (ESRCH) makes at an instant
 * no test chooses.
 */
static unsigned long scan_fail_at(void)
{
	const char *env = getenv("VMSCOPE_TEST_PAGEMAP_SCAN_FAIL");
	const char *p = env, *end;
	uint64_t v;

	if (!env || !*env)
		return 0;
	end = env + strlen(env);
	return parse_dec_u64(&p, end, &v) == 0 && p == end && v <= ULONG_MAX ? (unsigned long)v
									      : 0;
}

/* Room for len ranges, replacing what pm had. */
static void scan_vec_make(struct vms_pagemap *pm, size_t len)
{
	free(pm->vec);
	pm->vec_len = len;
	/* zeroed: memory checkers do not know that the ioctl fills it */
	pm->vec = xcalloc(len, sizeof(*pm->vec));
}

int vms_pagemap_open(int pid_dirfd, int root_fd, enum vms_pagemap_method method, unsigned flags,
		     struct vms_pagemap **ret)
{
	struct vms_pagemap *pm;
	long ps = sysconf(_SC_PAGESIZE);
	int fd;

	fd = procfile_open(pid_dirfd, "pagemap");
	if (fd < 0)
		return pagemap_errno_gone(fd);
	pm = xcalloc(1, sizeof(*pm));
	pm->fd = fd;
	pm->kflags_fd = pm->kcount_fd = -1;
	pm->page_size = ps > 0 ? (uint32_t)ps : 4096;
	pm->detail = flags & VMS_PAGEMAP_DETAIL;
	pm->probed = method != VMS_PAGEMAP_PREAD;
	if (pm->probed)
		probe_scan(pm);
	if (method == VMS_PAGEMAP_SCAN && !pm->scan) {
		vms_pagemap_free(pm);
		return -EOPNOTSUPP;
	}
	pm->entries = !pm->scan || pm->detail;
	if (pm->scan) {
		scan_vec_make(pm, SCAN_VEC_FIRST);
		pm->scan_fail_at = scan_fail_at();
	}
	if (pm->entries)
		pm->buf = xreallocarray(NULL, CHUNK, sizeof(*pm->buf));
	if (pm->detail) {
		pm->kpage_error = open_kpage(pm, root_fd);
		if (pm->kpage_error == 0) {
			pm->kflags = xreallocarray(NULL, CHUNK, sizeof(*pm->kflags));
			pm->kcount = xreallocarray(NULL, CHUNK, sizeof(*pm->kcount));
		}
	}
	*ret = pm;
	return 0;
}

void vms_pagemap_free(struct vms_pagemap *pm)
{
	if (!pm)
		return;
	close(pm->fd);
	if (pm->kflags_fd >= 0)
		close(pm->kflags_fd);
	if (pm->kcount_fd >= 0)
		close(pm->kcount_fd);
	free(pm->vec);
	free(pm->buf);
	free(pm->kflags);
	free(pm->kcount);
	free(pm);
}

bool vms_pagemap_uses_scan(const struct vms_pagemap *pm)
{
	return pm->scan;
}

bool vms_pagemap_uses_entries(const struct vms_pagemap *pm)
{
	return pm->entries;
}

int vms_pagemap_kpage_error(const struct vms_pagemap *pm)
{
	return pm->detail ? pm->kpage_error : 0;
}

uint32_t vms_pagemap_known(const struct vms_pagemap *pm)
{
	uint32_t k = 0;

	if (pm->scan)
		k |= SCAN_KNOWN | (pm->scan_guard ? PB(VMS_PG_GUARD) : 0);
	if (pm->entries)
		k |= ENTRY_KNOWN;
	if (pm->kflags)
		k |= KPAGE_KNOWN;
	return k;
}

/* Reads exactly n u64s at index idx of fd; -ENODATA when short. */
static int pread_u64s(int fd, uint64_t *buf, size_t n, uint64_t idx)
{
	if (idx > (UINT64_MAX >> 4))
		return -EINVAL;
	return procfile_pread_full(fd, buf, n * sizeof(*buf), idx * sizeof(*buf));
}

/* kpageflags and kpagecount of the present entries, a pread per stretch of consecutive frames. */
static void read_kpage(struct vms_pagemap *pm, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint64_t pfn = pm->buf[i] & VMS_PM_PFN_MASK;
		size_t j = i + 1;

		pm->kflags[i] = KFLAGS_NONE;
		pm->kcount[i] = 0;
		if (!(pm->buf[i] & VMS_PM_PRESENT) || pfn == 0) {
			i++;
			continue;
		}
		while (j < n && (pm->buf[j] & VMS_PM_PRESENT) &&
		       (pm->buf[j] & VMS_PM_PFN_MASK) == pfn + (j - i))
			j++;
		if (pread_u64s(pm->kflags_fd, pm->kflags + i, j - i, pfn) < 0 ||
		    pread_u64s(pm->kcount_fd, pm->kcount + i, j - i, pfn) < 0) {
			for (size_t k = i; k < j; k++)
				pm->kflags[k] = KFLAGS_NONE;
		}
		i = j;
	}
}

static int walk_entries(struct vms_pagemap *pm, uint64_t start, uint64_t end,
			struct vms_run_builder *b)
{
	uint64_t ps = pm->page_size;

	for (uint64_t a = start; a < end;) {
		uint64_t left = (end - a) / ps;
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		int r;

		r = pread_u64s(pm->fd, pm->buf, n, a / ps);
		if (r < 0)
			return r;
		if (pm->kflags)
			read_kpage(pm, n);
		r = vms_pagemap_decode_entries(pm->buf, n, a, pm->page_size, pm->kflags, pm->kcount,
					       b);
		if (r < 0)
			return r;
		a += n * ps;
	}
	return 0;
}

/* Joins the entries of a scan's present run to the scan's own state. */
struct detail_ctx {
	struct vms_run_builder *out;
	uint32_t scan_state;
};

static int detail_run(const struct vms_page_run *run, void *ctx)
{
	struct detail_ctx *d = ctx;

	vms_run_builder_add(d->out, run->start, run->end,
			    d->scan_state | (run->state & ENTRY_EXTRA), run->mapcount);
	return d->out->error;
}

struct scan_sink {
	struct vms_pagemap *pm;
	struct vms_run_builder *out;
	int error; /* of reading entries */
};

static int scan_run(const struct vms_page_run *run, void *ctx)
{
	struct scan_sink *s = ctx;
	struct vms_run_builder sub;
	struct detail_ctx d = { .out = s->out, .scan_state = run->state };
	int r;

	if (!s->pm->detail || !(run->state & PB(VMS_PG_PRESENT))) {
		vms_run_builder_add(s->out, run->start, run->end, run->state, 0);
		return s->out->error;
	}
	vms_run_builder_init(&sub, detail_run, &d);
	r = walk_entries(s->pm, run->start, run->end, &sub);
	if (r >= 0)
		r = vms_run_builder_flush(&sub);
	return r;
}

static int walk_scan(struct vms_pagemap *pm, uint64_t start, uint64_t end,
		     struct vms_run_builder *out)
{
	struct scan_sink sink = { .pm = pm, .out = out };
	struct vms_run_builder b;
	uint64_t cur = start;
	int r = 0;

	vms_run_builder_init(&b, scan_run, &sink);
	while (cur < end) {
		struct vms_pm_scan_arg arg = { 0 };
		int64_t last;
		uint64_t next;
		int n;

		scan_masks(pm, &arg);
		arg.start = cur;
		arg.end = end;
		arg.vec = (uint64_t)(uintptr_t)pm->vec;
		arg.vec_len = pm->vec_len;
		n = ++pm->scan_calls == pm->scan_fail_at ? -EIO : scan_call(pm, &arg);
		if (n < 0) {
			r = pagemap_errno_gone(n);
			break;
		}
		last = vms_pagemap_decode_scan(pm->vec, (size_t)n, cur, end, pm->page_size, &b);
		if (last < 0) {
			r = (int)last;
			break;
		}
		/* Fewer ranges than asked for: the range is done (walk_end is
		 * then not to be trusted). A full answer may end with a
		 * walk_end behind its last range: go on after both. */
		if ((size_t)n < pm->vec_len)
			break;
		next = arg.walk_end > (uint64_t)last ? arg.walk_end : (uint64_t)last;
		if (next <= cur) {
			r = -EIO;
			break;
		}
		cur = next;
		if (pm->vec_len < SCAN_VEC)
			scan_vec_make(pm, SCAN_VEC);
	}
	if (r == 0)
		r = vms_run_builder_flush(&b);
	return r;
}

int vms_pagemap_check_mm(struct vms_pagemap *pm)
{
	uint64_t e;

	/* pagemap answers for any user address while the address space
	 * lives, and nothing once the exiting process has dropped it */
	return pread_u64s(pm->fd, &e, 1, 0) == -ENODATA ? -ESRCH : 0;
}

int vms_pagemap_walk(struct vms_pagemap *pm, uint64_t start, uint64_t end, vms_page_run_fn fn,
		     void *ctx)
{
	struct vms_run_builder b;
	uint64_t mask = (uint64_t)pm->page_size - 1;
	int r;

	if ((start & mask) || (end & mask) || end < start)
		return -EINVAL;
	vms_run_builder_init(&b, fn, ctx);
	if (pm->scan)
		r = walk_scan(pm, start, end, &b);
	else
		r = walk_entries(pm, start, end, &b);
	if (r == 0)
		r = vms_run_builder_flush(&b);
	if (r == -ENODATA && vms_pagemap_check_mm(pm) < 0)
		r = -ESRCH;
	return r;
}
