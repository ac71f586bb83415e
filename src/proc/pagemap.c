/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level truth from /proc/<pid>/pagemap, /proc/kpageflags and
 * /proc/kpagecount: runs of pages with one state, summed per region.
 */
#include "config.h"

#include "vmscope/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/xalloc.h"

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

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
enum {
	KPF_REFERENCED = 2,
	KPF_DIRTY = 4,
	KPF_LRU = 5,
	KPF_ACTIVE = 6,
	KPF_ANON = 12,
	KPF_NOPAGE = 20,
	KPF_KSM = 21,
	KPF_THP = 22,
	KPF_ZERO_PAGE = 24,
	KPF_MLOCKED = 33,
};

/* Entries read per pread: 64 KiB, 256 MiB of address space. */
#define CHUNK 8192
/* Ranges per PAGEMAP_SCAN call. */
#define SCAN_VEC 4096

#define PB(c) VMS_PAGE_BIT(c)
#define ENTRY_KNOWN \
	(PB(VMS_PG_PRESENT) | PB(VMS_PG_SWAPPED) | PB(VMS_PG_FILE) | PB(VMS_PG_EXCLUSIVE) | \
	 PB(VMS_PG_GUARD))
#define SCAN_KNOWN \
	(PB(VMS_PG_PRESENT) | PB(VMS_PG_SWAPPED) | PB(VMS_PG_FILE) | PB(VMS_PG_ZERO) | PB(VMS_PG_THP))
#define KPAGE_KNOWN \
	(PB(VMS_PG_ANON) | PB(VMS_PG_DIRTY) | PB(VMS_PG_ACTIVE) | PB(VMS_PG_REFERENCED) | \
	 PB(VMS_PG_LRU) | PB(VMS_PG_MLOCKED) | PB(VMS_PG_KSM) | PB(VMS_PG_THP) | PB(VMS_PG_ZERO) | \
	 PB(VMS_PG_MAPPED_ONCE))
/* What pagemap entries add to a scan's answer */
#define ENTRY_EXTRA (PB(VMS_PG_EXCLUSIVE) | KPAGE_KNOWN)
/* A kpageflags slot that was not read */
#define KFLAGS_NONE (UINT64_C(1) << KPF_NOPAGE)

/* ---- decoding ----------------------------------------------------------- */

void vms_run_builder_init(struct vms_run_builder *b, vms_page_run_fn fn, void *ctx)
{
	*b = (struct vms_run_builder){ .fn = fn, .ctx = ctx };
}

int vms_run_builder_flush(struct vms_run_builder *b)
{
	if (b->cur.end > b->cur.start && !b->error)
		b->error = b->fn(&b->cur, b->ctx);
	b->cur.start = b->cur.end;
	return b->error;
}

void vms_run_builder_add(struct vms_run_builder *b, uint64_t start, uint64_t end, uint32_t state,
			 uint32_t mapcount)
{
	struct vms_page_run *c = &b->cur;

	if (end <= start)
		return;
	if (c->end > c->start && c->end == start && c->state == state && c->mapcount == mapcount) {
		c->end = end;
		return;
	}
	vms_run_builder_flush(b);
	if (!state) {
		c->start = c->end = end;
		return;
	}
	*c = (struct vms_page_run){ .start = start, .end = end, .state = state,
				    .mapcount = mapcount };
}

uint32_t vms_pagemap_entry_state(uint64_t e)
{
	uint32_t s = 0;

	if (e & VMS_PM_PRESENT) {
		s |= PB(VMS_PG_PRESENT);
		if (e & VMS_PM_EXCLUSIVE)
			s |= PB(VMS_PG_EXCLUSIVE);
	} else if (e & VMS_PM_GUARD) {
		/* a guard marker is a swap-type entry too: not in swap */
		return PB(VMS_PG_GUARD);
	} else if (e & VMS_PM_SWAPPED) {
		s |= PB(VMS_PG_SWAPPED);
	}
	if (s && (e & VMS_PM_FILE))
		s |= PB(VMS_PG_FILE);
	return s;
}

uint32_t vms_pagemap_scan_state(uint64_t cat)
{
	uint32_t s = 0;

	if (cat & VMS_SCAN_PRESENT) {
		s |= PB(VMS_PG_PRESENT);
		if (cat & VMS_SCAN_PFNZERO)
			s |= PB(VMS_PG_ZERO);
		if (cat & VMS_SCAN_HUGE)
			s |= PB(VMS_PG_THP);
	} else if (cat & VMS_SCAN_GUARD) {
		return PB(VMS_PG_GUARD);
	} else if (cat & VMS_SCAN_SWAPPED) {
		s |= PB(VMS_PG_SWAPPED);
	}
	if (s && (cat & VMS_SCAN_FILE))
		s |= PB(VMS_PG_FILE);
	return s;
}

uint32_t vms_kpageflags_state(uint64_t f)
{
	static const struct {
		uint8_t kpf;
		uint8_t pg;
	} map[] = {
		{ KPF_ANON, VMS_PG_ANON },     { KPF_DIRTY, VMS_PG_DIRTY },
		{ KPF_ACTIVE, VMS_PG_ACTIVE }, { KPF_REFERENCED, VMS_PG_REFERENCED },
		{ KPF_LRU, VMS_PG_LRU },       { KPF_MLOCKED, VMS_PG_MLOCKED },
		{ KPF_KSM, VMS_PG_KSM },       { KPF_THP, VMS_PG_THP },
		{ KPF_ZERO_PAGE, VMS_PG_ZERO },
	};
	uint32_t s = 0;

	if (f & KFLAGS_NONE)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (f & (UINT64_C(1) << map[i].kpf))
			s |= PB(map[i].pg);
	return s;
}

int vms_pagemap_decode_entries(const uint64_t *entries, size_t n, uint64_t addr,
			       uint32_t page_size, const uint64_t *kflags, const uint64_t *kcount,
			       struct vms_run_builder *b)
{
	for (size_t i = 0; i < n; i++, addr += page_size) {
		uint64_t e = entries[i];
		uint32_t s = vms_pagemap_entry_state(e), count = 0;

		if (kflags && (e & VMS_PM_PRESENT) && !(kflags[i] & KFLAGS_NONE)) {
			s |= vms_kpageflags_state(kflags[i]);
			if (kcount) {
				count = kcount[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)kcount[i];
				if (count == 1)
					s |= PB(VMS_PG_MAPPED_ONCE);
			}
		}
		vms_run_builder_add(b, addr, addr + page_size, s, count);
		if (b->error)
			break;
	}
	return b->error;
}

int64_t vms_pagemap_decode_scan(const struct vms_scan_region *v, size_t n, uint64_t start,
				uint64_t end, uint32_t page_size, struct vms_run_builder *b)
{
	uint64_t mask = (uint64_t)page_size - 1, last = start;

	for (size_t i = 0; i < n; i++) {
		uint64_t s = v[i].start, e = v[i].end;

		if ((s & mask) || (e & mask) || e < s)
			return -EBADMSG;
		if (s < last)
			s = last; /* already handed over */
		if (e > end)
			e = end;
		if (e <= s)
			continue;
		vms_run_builder_add(b, s, e, vms_pagemap_scan_state(v[i].categories), 0);
		if (b->error)
			return b->error;
		last = e;
	}
	return (int64_t)last;
}

/* ---- per-region sums ---------------------------------------------------- */

void vms_pages_acc_init(struct vms_pages_acc *a, struct vms_region_pages *out, uint64_t start,
			uint64_t end, uint32_t page_size, uint32_t known)
{
	uint64_t pages = (end - start) / page_size;

	*a = (struct vms_pages_acc){ .out = out, .start = start, .pages = pages,
				     .page_size = page_size };
	memset(out, 0, sizeof(*out));
	out->have = known;
	out->n_hist = (uint8_t)(pages < VMS_PAGE_HIST ? pages : VMS_PAGE_HIST);
}

/* The first page of bucket b (buckets split the pages as evenly as can be). */
static uint64_t bucket_first(const struct vms_pages_acc *a, uint64_t b)
{
	return (b * a->pages + a->out->n_hist - 1) / a->out->n_hist;
}

void vms_pages_acc_add(struct vms_pages_acc *a, const struct vms_page_run *run)
{
	struct vms_region_pages *o = a->out;
	uint64_t end = a->start + a->pages * a->page_size;
	uint64_t s = run->start < a->start ? a->start : run->start;
	uint64_t e = run->end > end ? end : run->end;
	uint64_t p0, p1, n;
	uint32_t state = run->state & o->have;

	if (e <= s || a->pages == 0)
		return;
	p0 = (s - a->start) / a->page_size;
	p1 = (e - a->start) / a->page_size;
	n = p1 - p0;
	for (int c = 0; c < VMS_PG__MAX; c++)
		if (state & PB(c))
			o->v[c] += n * a->page_size;
	if (!(state & PB(VMS_PG_PRESENT)))
		return;
	if (run->mapcount)
		a->pss_frac += (n << 16) / run->mapcount;
	for (uint64_t b = p0 * o->n_hist / a->pages; b < o->n_hist; b++) {
		uint64_t lo = bucket_first(a, b), hi = bucket_first(a, b + 1);

		if (lo >= p1)
			break;
		a->bucket_present[b] += (p1 < hi ? p1 : hi) - (p0 > lo ? p0 : lo);
	}
}

void vms_pages_acc_finish(struct vms_pages_acc *a)
{
	struct vms_region_pages *o = a->out;

	for (unsigned b = 0; b < o->n_hist; b++) {
		uint64_t size = bucket_first(a, b + 1) - bucket_first(a, b);
		uint64_t v = (a->bucket_present[b] * 255 + size / 2) / size;

		if (v == 0 && a->bucket_present[b])
			v = 1; /* something is there: never draw it as nothing */
		o->hist[b] = (uint8_t)(v > 255 ? 255 : v);
	}
	if (vms_region_pages_has(o, VMS_PG_MAPPED_ONCE))
		o->pss = (a->pss_frac * a->page_size) >> 16;
}

/* ---- reading ------------------------------------------------------------ */

struct vms_pagemap {
	int fd, kflags_fd, kcount_fd;
	int kpage_error;
	bool scan, scan_guard, entries, detail;
	bool probed; /* PAGEMAP_SCAN was tried (not a forced pread) */
	uint32_t page_size;
	struct vms_scan_region *vec;
	uint64_t *buf, *kflags, *kcount; /* CHUNK each */
};

static int errno_gone(int r)
{
	return r == -ENOENT || r == -ESRCH ? -ESRCH : r;
}

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
	pm->kflags_fd = openat(root_fd, "kpageflags", O_RDONLY | O_CLOEXEC);
	if (pm->kflags_fd < 0)
		return -errno;
	pm->kcount_fd = openat(root_fd, "kpagecount", O_RDONLY | O_CLOEXEC);
	if (pm->kcount_fd < 0)
		return -errno;
	/* frame numbers, the key to both, are zeroed for the rest of us */
	if (!have_cap_sys_admin())
		return -EPERM;
	return 0;
}

int vms_pagemap_open(int pid_dirfd, int root_fd, enum vms_pagemap_method method, unsigned flags,
		     struct vms_pagemap **ret)
{
	struct vms_pagemap *pm;
	long ps = sysconf(_SC_PAGESIZE);
	int fd;

	fd = openat(pid_dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno_gone(-errno);
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
	/* zeroed: memory checkers do not know that the ioctl fills it */
	if (pm->scan)
		pm->vec = xcalloc(SCAN_VEC, sizeof(*pm->vec));
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
	size_t want = n * sizeof(*buf), got = 0;

	if (idx > (UINT64_MAX >> 4))
		return -EINVAL;
	while (got < want) {
		ssize_t k = pread(fd, (char *)buf + got, want - got, (off_t)(idx * 8 + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ENODATA;
		got += (size_t)k;
	}
	return 0;
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
		arg.vec_len = SCAN_VEC;
		n = scan_call(pm, &arg);
		if (n < 0) {
			r = errno_gone(n);
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
		if ((size_t)n < SCAN_VEC)
			break;
		next = arg.walk_end > (uint64_t)last ? arg.walk_end : (uint64_t)last;
		if (next <= cur) {
			r = -EIO;
			break;
		}
		cur = next;
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

/* ---- the snapshot ------------------------------------------------------- */

static void set_src(struct vms_snapshot *snap, enum vms_source src, int error)
{
	snap->src[src].tried = true;
	snap->src[src].error = error < 0 ? error : 0;
}

static int acc_run(const struct vms_page_run *run, void *ctx)
{
	vms_pages_acc_add(ctx, run);
	return 0;
}

/*
 * With PAGEMAP_SCAN, one walk over the whole address space answers for
 * every region: a call per region costs a syscall each, which for 30,000
 * regions was half again the time of reading smaps. Runs come in address
 * order, so one accumulator at a time is open and memory stays flat.
 */
struct sweep {
	struct vms_snapshot *snap;
	size_t i, n; /* the region being filled; the regions swept */
	bool open;
	struct vms_pages_acc acc;
	uint32_t page_size, known;
};

static void sweep_open(struct sweep *s)
{
	const struct vms_region *reg = &s->snap->regions[s->i];
	struct vms_region_pages *rp = arena_alloc(s->snap->arena, sizeof(*rp));

	vms_pages_acc_init(&s->acc, rp, reg->start, reg->end, s->page_size, s->known);
	s->open = true;
}

static void sweep_close(struct sweep *s)
{
	if (!s->open)
		sweep_open(s);
	vms_pages_acc_finish(&s->acc);
	s->snap->regions[s->i].pages = s->acc.out;
	s->open = false;
	s->i++;
}

static int sweep_run(const struct vms_page_run *run, void *ctx)
{
	struct sweep *s = ctx;

	while (s->i < s->n) {
		const struct vms_region *reg = &s->snap->regions[s->i];

		if (reg->end <= run->start) {
			sweep_close(s); /* nothing more of it will come */
			continue;
		}
		if (reg->start >= run->end)
			return 0; /* a run in no region */
		if (!s->open)
			sweep_open(s);
		vms_pages_acc_add(&s->acc, run); /* clipped to the region */
		if (reg->end >= run->end)
			return 0;
		sweep_close(s); /* the run goes on into the next region */
	}
	return 0;
}

static int sweep_regions(struct vms_pagemap *pm, struct vms_snapshot *snap, uint32_t known,
			 int *error)
{
	struct sweep s = { .snap = snap, .page_size = pm->page_size, .known = known };
	int r;

	/* the regions in the process's page tables: not the kernel's half */
	while (s.n < snap->n_regions && !(snap->regions[s.n].start >> 63) &&
	       snap->regions[s.n].kind != VMS_KIND_VSYSCALL)
		s.n++;
	if (s.n == 0)
		return 0;
	r = vms_pagemap_walk(pm, snap->regions[0].start, snap->regions[s.n - 1].end, sweep_run,
			     &s);
	if (r == -ESRCH)
		return r;
	if (r < 0) {
		/* the regions finished before the failure stand */
		if (r != -ENODATA)
			*error = r;
		return 0;
	}
	while (s.i < s.n)
		sweep_close(&s);
	return 0;
}

/*
 * Whether pread can skip a region: PAGEMAP_SCAN skips empty page tables by
 * itself, pread reads an entry for every page. A kernel without
 * PAGEMAP_SCAN (before 6.7) has no guard markers (6.13) either, so the
 * entries of a region that smaps found neither resident nor in swap, in
 * hugetlb pages neither, are all empty. A VM_PFNMAP or VM_IO region is
 * read all the same: smaps does not count its pages, pagemap shows them.
 * A forced pread (--pages-method pread) reads everything.
 */
static bool pread_skips(const struct vms_pagemap *pm, const struct vms_snapshot *snap,
			const struct vms_region *reg, uint64_t special)
{
	const uint64_t *m = reg->mem.v;

	return !pm->scan && pm->probed && vms_snapshot_have(snap, VMS_SRC_SMAPS) &&
	       !(reg->vmflags & special) && m[VMS_MEM_RSS] == 0 && m[VMS_MEM_SWAP] == 0 &&
	       m[VMS_MEM_SHARED_HUGETLB] == 0 && m[VMS_MEM_PRIVATE_HUGETLB] == 0;
}

static uint64_t pread_special_flags(void)
{
	return vms_vmflag_bit("pf") | vms_vmflag_bit("io");
}

/* A walk per region: for pread, and for the per-page details of --pages. */
static int walk_each_region(struct vms_pagemap *pm, struct vms_snapshot *snap, uint32_t known,
			    int *error)
{
	uint64_t special = pread_special_flags();

	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *reg = &snap->regions[i];
		struct vms_region_pages *rp;
		struct vms_pages_acc acc;
		int r = 0;

		/* not in the process's page tables (vsyscall, in the kernel's half) */
		if (reg->kind == VMS_KIND_VSYSCALL || (reg->start >> 63))
			continue;
		rp = arena_alloc(snap->arena, sizeof(*rp));
		vms_pages_acc_init(&acc, rp, reg->start, reg->end, pm->page_size, known);
		if (!pread_skips(pm, snap, reg, special))
			r = vms_pagemap_walk(pm, reg->start, reg->end, acc_run, &acc);
		if (r == -ESRCH)
			return r;
		if (r < 0) {
			/* the region went away, or the process did: the liveness
			 * check after reading tells which */
			if (!*error && r != -ENODATA)
				*error = r;
			continue;
		}
		vms_pages_acc_finish(&acc);
		reg->pages = rp;
	}
	return 0;
}

int vms_collect_pages(int pid_dirfd, int root_fd, const struct vms_pages_options *o,
		      struct vms_snapshot *snap)
{
	struct vms_pagemap *pm;
	uint64_t pages = 0, special = pread_special_flags();
	uint32_t known;
	int r, error = 0;

	r = vms_pagemap_open(pid_dirfd, root_fd, o->method, o->flags, &pm);
	if (r == -ESRCH)
		return r;
	if (r < 0) {
		set_src(snap, VMS_SRC_PAGEMAP, r);
		return 0;
	}
	for (size_t i = 0; i < snap->n_regions; i++)
		if (!pread_skips(pm, snap, &snap->regions[i], special))
			pages += vms_region_size(&snap->regions[i]) / pm->page_size;
	if (!pm->scan && o->pread_budget && pages > o->pread_budget) {
		vms_pagemap_free(pm);
		return 0;
	}
	known = vms_pagemap_known(pm);
	if (pm->scan && !pm->detail)
		r = sweep_regions(pm, snap, known, &error);
	else
		r = walk_each_region(pm, snap, known, &error);
	if (r == -ESRCH) {
		vms_pagemap_free(pm);
		return r;
	}
	/* The process may be exiting: its address space goes before a pidfd
	 * says so, and scans of it then come back empty, not failed. An
	 * address space alive now was alive for every read above. */
	if (vms_pagemap_check_mm(pm) < 0) {
		vms_pagemap_free(pm);
		return -ESRCH;
	}
	set_src(snap, VMS_SRC_PAGEMAP, error);
	if (o->flags & VMS_PAGEMAP_DETAIL)
		set_src(snap, VMS_SRC_KPAGEFLAGS, pm->kpage_error);
	snap->pages.scan = pm->scan;
	snap->pages.entries = pm->entries;
	vms_pagemap_free(pm);
	return 0;
}

int vms_proc_clear_refs(int pid_dirfd)
{
	int fd = openat(pid_dirfd, "clear_refs", O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return errno_gone(-errno);
	n = write(fd, "1", 1);
	if (n < 0)
		r = errno_gone(-errno);
	else if (n != 1)
		r = -EIO;
	close(fd);
	return r;
}
