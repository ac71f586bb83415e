/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level truth, decoded: pagemap entries, PAGEMAP_SCAN answers and
 * kpageflags into runs of pages with one state, and runs summed per region.
 * Pure functions of bytes, for the reader (pagemap.c), tests and fuzzers.
 */
#include "config.h"

#include "vmscope/pages.h"

#include <errno.h>
#include <string.h>

#include "base/xalloc.h"
#include "proc/pagemap-internal.h"

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
		{ KPF_KSM, VMS_PG_KSM },       { KPF_THP, VMS_PG_LARGE_FOLIO },
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

unsigned vms_pages_n_hist(uint64_t start, uint64_t end, uint32_t page_size)
{
	uint64_t pages = (end - start) / page_size;

	return (unsigned)(pages < VMS_PAGE_HIST ? pages : VMS_PAGE_HIST);
}

void vms_pages_acc_init(struct vms_pages_acc *a, struct vms_region_pages *out, uint64_t start,
			uint64_t end, uint32_t page_size, uint32_t known)
{
	uint64_t pages = (end - start) / page_size;
	unsigned n_hist = vms_pages_n_hist(start, end, page_size);

	/* no bucket is zeroed until a run reaches it (acc_cover): a sweep
	 * opens one accumulator per region, and most regions' pages are in a
	 * few buckets or none */
	a->out = out;
	a->start = start;
	a->pages = pages;
	a->page_size = page_size;
	a->pss_frac = 0;
	a->lo = a->hi = 0;
	memset(out, 0, vms_region_pages_size(n_hist));
	out->have = known;
	out->n_hist = (uint8_t)n_hist;
}

/* The first page of bucket b (buckets split the pages as evenly as can be). */
static uint64_t bucket_first(const struct vms_pages_acc *a, uint64_t b)
{
	return (b * a->pages + a->out->n_hist - 1) / a->out->n_hist;
}

/* Buckets [b0, b1) in use: those not yet are zeroed. */
static void acc_cover(struct vms_pages_acc *a, unsigned b0, unsigned b1)
{
	if (a->lo == a->hi) {
		a->lo = a->hi = b0;
	} else if (b0 < a->lo) {
		memset(&a->bucket_present[b0], 0, (a->lo - b0) * sizeof(a->bucket_present[0]));
		memset(&a->bucket_zero[b0], 0, (a->lo - b0) * sizeof(a->bucket_zero[0]));
		a->lo = b0;
	}
	if (b1 > a->hi) {
		memset(&a->bucket_present[a->hi], 0, (b1 - a->hi) * sizeof(a->bucket_present[0]));
		memset(&a->bucket_zero[a->hi], 0, (b1 - a->hi) * sizeof(a->bucket_zero[0]));
		a->hi = b1;
	}
}

void vms_pages_acc_add(struct vms_pages_acc *a, const struct vms_page_run *run)
{
	struct vms_region_pages *o = a->out;
	uint64_t end = a->start + a->pages * a->page_size;
	uint64_t s = run->start < a->start ? a->start : run->start;
	uint64_t e = run->end > end ? end : run->end;
	uint64_t p0, p1, n, *bucket;
	uint32_t state = run->state & o->have;
	unsigned b0, b1;

	if (e <= s || a->pages == 0)
		return;
	p0 = (s - a->start) / a->page_size;
	p1 = (e - a->start) / a->page_size;
	n = p1 - p0;
	if (n == 0)
		return; /* less than a page (runs are whole pages) */
	for (int c = 0; c < VMS_PG__MAX; c++)
		if (state & PB(c))
			o->v[c] += n * a->page_size;
	if (!(state & PB(VMS_PG_PRESENT)))
		return;
	if (run->mapcount)
		a->pss_frac += (n << 16) / run->mapcount;
	/* page p is in bucket p * n_hist / pages (bucket_first rounds up) */
	b0 = (unsigned)(p0 * o->n_hist / a->pages);
	b1 = (unsigned)((p1 - 1) * o->n_hist / a->pages) + 1;
	acc_cover(a, b0, b1);
	/* the zero page is present but not in Rss: drawn apart */
	bucket = state & PB(VMS_PG_ZERO) ? a->bucket_zero : a->bucket_present;
	for (unsigned b = b0; b < b1; b++) {
		uint64_t lo = bucket_first(a, b), hi = bucket_first(a, b + 1);

		bucket[b] += (p1 < hi ? p1 : hi) - (p0 > lo ? p0 : lo);
	}
}

/* pages of a bucket of size pages → 0 .. 255, never 0 when some are there */
static uint8_t share_255(uint64_t pages, uint64_t size)
{
	uint64_t v = (pages * 255 + size / 2) / size;

	if (v == 0 && pages)
		v = 1;
	return (uint8_t)(v > 255 ? 255 : v);
}

void vms_region_pages_thp_from_smaps(struct vms_region_pages *p, const struct vms_region *r)
{
	static const enum vms_mem pmd[] = { VMS_MEM_ANON_HUGE_PAGES, VMS_MEM_SHMEM_PMD_MAPPED,
					    VMS_MEM_FILE_PMD_MAPPED };
	uint64_t sum = 0;
	bool any = false;

	if (vms_region_pages_has(p, VMS_PG_THP))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(pmd); i++) {
		if (vms_counters_has(&r->mem, pmd[i])) {
			sum += r->mem.v[pmd[i]];
			any = true;
		}
	}
	if (!any)
		return;
	p->v[VMS_PG_THP] = sum;
	p->have |= PB(VMS_PG_THP);
}

void vms_pages_acc_finish(struct vms_pages_acc *a)
{
	struct vms_region_pages *o = a->out;

	/* the buckets no run reached keep the 0s vms_pages_acc_init wrote */
	for (unsigned b = a->lo; b < a->hi; b++) {
		uint64_t size = bucket_first(a, b + 1) - bucket_first(a, b);

		o->hist[b] = share_255(a->bucket_present[b], size);
		o->hist[o->n_hist + b] = share_255(a->bucket_zero[b], size);
	}
	if (vms_region_pages_has(o, VMS_PG_MAPPED_ONCE))
		o->pss = (a->pss_frac * a->page_size) >> 16;
}
