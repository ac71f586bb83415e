/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pagemap decoders: entries (the pread path) and PAGEMAP_SCAN ranges
 * (the ioctl path) into runs, runs into region counters and histograms,
 * on hostile input; both paths must agree on the same pages.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

#define PS 4096u
#define BASE UINT64_C(0x7f0000000000)
#define PB(c) VMS_PAGE_BIT(c)

/* ---- a run sink that records and checks invariants ---------------------- */

struct runs {
	struct vms_page_run r[4096];
	size_t n;
	int fail_at; /* return -ECANCELED at this run (1-based), 0 never */
};

static int collect(const struct vms_page_run *run, void *ctx)
{
	struct runs *rs = ctx;

	/* runs come in order, never empty, never touching one of the same state */
	assert_true(run->end > run->start);
	assert_int_not_equal(run->state, 0);
	if (rs->n) {
		const struct vms_page_run *prev = &rs->r[rs->n - 1];

		assert_true(run->start >= prev->end);
		if (run->start == prev->end)
			assert_true(run->state != prev->state || run->mapcount != prev->mapcount);
	}
	if (rs->fail_at && (int)rs->n + 1 == rs->fail_at)
		return -ECANCELED;
	assert_true(rs->n < sizeof(rs->r) / sizeof(rs->r[0]));
	rs->r[rs->n++] = *run;
	return 0;
}

static void decode_entries(const uint64_t *e, size_t n, struct runs *rs)
{
	struct vms_run_builder b;

	vms_run_builder_init(&b, collect, rs);
	assert_int_equal(vms_pagemap_decode_entries(e, n, BASE, PS, NULL, NULL, &b), 0);
	assert_int_equal(vms_run_builder_flush(&b), 0);
}

/* ---- single entries ----------------------------------------------------- */

static void test_entry_state(void **state)
{
	static const struct {
		uint64_t entry;
		uint32_t want;
	} cases[] = {
		{ 0, 0 },
		{ VMS_PM_PRESENT, PB(VMS_PG_PRESENT) },
		{ VMS_PM_PRESENT | VMS_PM_EXCLUSIVE | 0x1234, PB(VMS_PG_PRESENT) | PB(VMS_PG_EXCLUSIVE) },
		{ VMS_PM_PRESENT | VMS_PM_FILE, PB(VMS_PG_PRESENT) | PB(VMS_PG_FILE) },
		{ VMS_PM_SWAPPED | 0x55, PB(VMS_PG_SWAPPED) },
		{ VMS_PM_SWAPPED | VMS_PM_FILE, PB(VMS_PG_SWAPPED) | PB(VMS_PG_FILE) },
		/* a guard marker also sets the swap bit: it is not in swap */
		{ VMS_PM_GUARD | VMS_PM_SWAPPED, PB(VMS_PG_GUARD) },
		{ VMS_PM_GUARD, PB(VMS_PG_GUARD) },
		/* exclusive without present means nothing; file alone too */
		{ VMS_PM_EXCLUSIVE, 0 },
		{ VMS_PM_FILE, 0 },
		/* every bit: present wins, the rest as if present */
		{ UINT64_MAX, PB(VMS_PG_PRESENT) | PB(VMS_PG_EXCLUSIVE) | PB(VMS_PG_FILE) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vms_pagemap_entry_state(cases[i].entry), cases[i].want);
}

static void test_scan_state(void **state)
{
	static const struct {
		uint64_t cat;
		uint32_t want;
	} cases[] = {
		{ 0, 0 },
		{ VMS_SCAN_PRESENT | VMS_SCAN_WRITTEN, PB(VMS_PG_PRESENT) },
		{ VMS_SCAN_PRESENT | VMS_SCAN_PFNZERO, PB(VMS_PG_PRESENT) | PB(VMS_PG_ZERO) },
		{ VMS_SCAN_PRESENT | VMS_SCAN_HUGE | VMS_SCAN_FILE,
		  PB(VMS_PG_PRESENT) | PB(VMS_PG_THP) | PB(VMS_PG_FILE) },
		{ VMS_SCAN_SWAPPED, PB(VMS_PG_SWAPPED) },
		{ VMS_SCAN_SWAPPED | VMS_SCAN_GUARD, PB(VMS_PG_GUARD) },
		/* zero page and huge only mean something for a present page */
		{ VMS_SCAN_PFNZERO | VMS_SCAN_HUGE, 0 },
		{ VMS_SCAN_WPALLOWED | VMS_SCAN_SOFT_DIRTY, 0 },
		{ UINT64_MAX, PB(VMS_PG_PRESENT) | PB(VMS_PG_ZERO) | PB(VMS_PG_THP) | PB(VMS_PG_FILE) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vms_pagemap_scan_state(cases[i].cat), cases[i].want);
}

static void test_kpageflags_state(void **state)
{
	(void)state;
	assert_int_equal(vms_kpageflags_state(0), 0);
	/* KPF_NOPAGE: nothing is known of the frame */
	assert_int_equal(vms_kpageflags_state((UINT64_C(1) << 20) | (UINT64_C(1) << 12)), 0);
	assert_int_equal(vms_kpageflags_state((UINT64_C(1) << 12) | (UINT64_C(1) << 4) |
					      (UINT64_C(1) << 5) | (UINT64_C(1) << 6)),
			 PB(VMS_PG_ANON) | PB(VMS_PG_DIRTY) | PB(VMS_PG_LRU) | PB(VMS_PG_ACTIVE));
	/* the huge zero page: both; KPF_THP is any large folio, not a PMD mapping */
	assert_int_equal(vms_kpageflags_state((UINT64_C(1) << 22) | (UINT64_C(1) << 24)),
			 PB(VMS_PG_LARGE_FOLIO) | PB(VMS_PG_ZERO));
	assert_int_equal(vms_kpageflags_state((UINT64_C(1) << 33) | (UINT64_C(1) << 21) |
					      (UINT64_C(1) << 2)),
			 PB(VMS_PG_MLOCKED) | PB(VMS_PG_KSM) | PB(VMS_PG_REFERENCED));
}

/* ---- runs --------------------------------------------------------------- */

static void test_run_builder(void **state)
{
	struct runs rs = { .n = 0 };
	struct vms_run_builder b;
	uint32_t p = PB(VMS_PG_PRESENT), s = PB(VMS_PG_SWAPPED);

	(void)state;
	vms_run_builder_init(&b, collect, &rs);
	vms_run_builder_add(&b, BASE, BASE + PS, p, 0);
	vms_run_builder_add(&b, BASE + PS, BASE + 3 * PS, p, 0);     /* joins */
	vms_run_builder_add(&b, BASE + 3 * PS, BASE + 4 * PS, p, 2); /* another mapcount */
	vms_run_builder_add(&b, BASE + 4 * PS, BASE + 5 * PS, 0, 0); /* a hole */
	vms_run_builder_add(&b, BASE + 5 * PS, BASE + 6 * PS, p, 2); /* not joined over it */
	vms_run_builder_add(&b, BASE + 7 * PS, BASE + 8 * PS, p, 2); /* nor over a gap */
	vms_run_builder_add(&b, BASE + 8 * PS, BASE + 8 * PS, s, 0); /* empty: ignored */
	vms_run_builder_add(&b, BASE + 8 * PS, BASE + 9 * PS, s, 0);
	assert_int_equal(vms_run_builder_flush(&b), 0);
	assert_int_equal(vms_run_builder_flush(&b), 0); /* twice is harmless */
	assert_int_equal(rs.n, 5);
	assert_true(rs.r[0].start == BASE && rs.r[0].end == BASE + 3 * PS);
	assert_int_equal(rs.r[1].mapcount, 2);
	assert_true(rs.r[2].start == BASE + 5 * PS && rs.r[2].end == BASE + 6 * PS);
	assert_true(rs.r[3].start == BASE + 7 * PS);
	assert_int_equal(rs.r[4].state, s);
}

static void test_sink_error_stops(void **state)
{
	uint64_t e[16];
	struct runs rs = { .fail_at = 3 };
	struct vms_run_builder b;

	(void)state;
	for (size_t i = 0; i < 16; i++)
		e[i] = i % 2 ? VMS_PM_PRESENT : 0;
	vms_run_builder_init(&b, collect, &rs);
	assert_int_equal(vms_pagemap_decode_entries(e, 16, BASE, PS, NULL, NULL, &b), -ECANCELED);
	assert_int_equal(vms_run_builder_flush(&b), -ECANCELED);
	assert_int_equal(rs.n, 2);
}

/* ---- both paths on the same pages --------------------------------------- */

struct sums {
	struct vms_region_pages out;
	struct vms_pages_acc acc;
};

static int acc_run(const struct vms_page_run *run, void *ctx)
{
	vms_pages_acc_add(ctx, run);
	return 0;
}

static void sums_from_entries(struct sums *s, const uint64_t *e, size_t n, const uint64_t *kflags,
			      const uint64_t *kcount, uint32_t known)
{
	struct vms_run_builder b;

	vms_pages_acc_init(&s->acc, &s->out, BASE, BASE + n * PS, PS, known);
	vms_run_builder_init(&b, acc_run, &s->acc);
	assert_int_equal(vms_pagemap_decode_entries(e, n, BASE, PS, kflags, kcount, &b), 0);
	assert_int_equal(vms_run_builder_flush(&b), 0);
	vms_pages_acc_finish(&s->acc);
}

static void sums_from_scan(struct sums *s, const struct vms_scan_region *v, size_t nv,
			   size_t pages, uint32_t known)
{
	struct vms_run_builder b;

	vms_pages_acc_init(&s->acc, &s->out, BASE, BASE + pages * PS, PS, known);
	vms_run_builder_init(&b, acc_run, &s->acc);
	assert_true(vms_pagemap_decode_scan(v, nv, BASE, BASE + pages * PS, PS, &b) >= 0);
	assert_int_equal(vms_run_builder_flush(&b), 0);
	vms_pages_acc_finish(&s->acc);
}

#define ALL_KNOWN ((UINT32_C(1) << VMS_PG__MAX) - 1)

/* Every k-th of n pages present, as entries and as scan ranges: same sums. */
static void sparse_case(size_t n, size_t k)
{
	uint64_t *e = calloc(n, sizeof(*e));
	struct vms_scan_region *v = calloc(n, sizeof(*v));
	struct sums a, b;
	size_t nv = 0, want = 0;

	assert_non_null(e);
	assert_non_null(v);
	for (size_t i = 0; i < n; i += k) {
		e[i] = VMS_PM_PRESENT | VMS_PM_EXCLUSIVE;
		v[nv++] = (struct vms_scan_region){ BASE + i * PS, BASE + (i + 1) * PS,
						    VMS_SCAN_PRESENT | VMS_SCAN_WRITTEN };
		want++;
	}
	sums_from_entries(&a, e, n, NULL, NULL, ALL_KNOWN);
	sums_from_scan(&b, v, nv, n, ALL_KNOWN);
	assert_int_equal(a.out.v[VMS_PG_PRESENT], want * PS);
	assert_int_equal(b.out.v[VMS_PG_PRESENT], want * PS);
	assert_int_equal(a.out.v[VMS_PG_EXCLUSIVE], want * PS);
	assert_int_equal(b.out.v[VMS_PG_EXCLUSIVE], 0); /* a scan cannot tell */
	assert_int_equal(a.out.n_hist, n < VMS_PAGE_HIST ? n : VMS_PAGE_HIST);
	/* both strips, residency and zero page: all the histogram there is */
	assert_int_equal(b.out.n_hist, a.out.n_hist);
	assert_memory_equal(a.out.hist, b.out.hist, 2 * a.out.n_hist);
	/* each bucket holds a present page iff some multiple of k falls in it */
	for (unsigned bk = 0; bk < a.out.n_hist; bk++) {
		size_t lo = (bk * n + a.out.n_hist - 1) / a.out.n_hist;
		size_t hi = ((bk + 1) * n + a.out.n_hist - 1) / a.out.n_hist;
		size_t first = (lo + k - 1) / k * k;

		assert_int_equal(a.out.hist[bk] != 0, first < hi);
	}
	free(e);
	free(v);
}

static void test_sparse_both_paths(void **state)
{
	(void)state;
	sparse_case(1, 1);
	sparse_case(3, 2);
	sparse_case(64, 1);
	sparse_case(1000, 64);
	sparse_case(16384, 64);
	sparse_case(16384, 7);
	sparse_case(100, 100);
	sparse_case(65, 2);
}

static void test_histogram_shape(void **state)
{
	uint64_t e[256] = { 0 };
	struct sums s;

	(void)state;
	/* the top quarter present */
	for (size_t i = 192; i < 256; i++)
		e[i] = VMS_PM_PRESENT;
	sums_from_entries(&s, e, 256, NULL, NULL, ALL_KNOWN);
	assert_int_equal(s.out.n_hist, 64);
	for (unsigned b = 0; b < 64; b++)
		assert_int_equal(s.out.hist[b], b >= 48 ? 255 : 0);
	/* one page of 256 in the first bucket: a quarter, not nothing */
	memset(e, 0, sizeof(e));
	e[1] = VMS_PM_PRESENT;
	sums_from_entries(&s, e, 256, NULL, NULL, ALL_KNOWN);
	assert_int_equal(s.out.hist[0], 64);
	/* one page of 2^20: still drawn */
	{
		struct vms_scan_region v = { BASE + 5 * PS, BASE + 6 * PS, VMS_SCAN_PRESENT };

		sums_from_scan(&s, &v, 1, 1u << 20, ALL_KNOWN);
		assert_int_equal(s.out.hist[0], 1);
		assert_int_equal(s.out.v[VMS_PG_PRESENT], PS);
	}
}

/*
 * Runs reach an accumulator's buckets in any order: the same sums and
 * histogram whether they come from low addresses up or from high down, each
 * bucket counted from nothing the first time a run reaches it (the
 * accumulator's memory is filled with garbage first).
 */
static void test_runs_any_order(void **state)
{
	static const struct { uint64_t first, n; } runs[] = {
		{ 3, 1 }, { 10, 30 }, { 100, 2 }, { 190, 5 }, { 250, 6 },
	};
	struct sums up, down;

	(void)state;
	memset(&up, 0xa5, sizeof(up));
	memset(&down, 0x5a, sizeof(down));
	vms_pages_acc_init(&up.acc, &up.out, BASE, BASE + 256 * PS, PS, ALL_KNOWN);
	vms_pages_acc_init(&down.acc, &down.out, BASE, BASE + 256 * PS, PS, ALL_KNOWN);
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		const size_t j = ARRAY_SIZE(runs) - 1 - i;
		struct vms_page_run a = { BASE + runs[i].first * PS,
					  BASE + (runs[i].first + runs[i].n) * PS, VMS_PAGE_BIT(VMS_PG_PRESENT), 1 };
		struct vms_page_run b = { BASE + runs[j].first * PS,
					  BASE + (runs[j].first + runs[j].n) * PS, VMS_PAGE_BIT(VMS_PG_PRESENT), 1 };

		vms_pages_acc_add(&up.acc, &a);
		vms_pages_acc_add(&down.acc, &b);
	}
	vms_pages_acc_finish(&up.acc);
	vms_pages_acc_finish(&down.acc);
	assert_int_equal(up.out.v[VMS_PG_PRESENT], 44 * PS);
	assert_int_equal(down.out.v[VMS_PG_PRESENT], 44 * PS);
	assert_int_equal(up.out.n_hist, 64);
	assert_memory_equal(up.out.hist, down.out.hist, 2 * 64);
	/* four pages a bucket: a page alone is a quarter, pages 10-39 fill
	 * buckets 3-9 and half of 2 */
	for (unsigned b = 0; b < 64; b++) {
		static const uint8_t want[64] = { [0] = 64, [2] = 128, [3] = 255, [4] = 255,
						  [5] = 255, [6] = 255, [7] = 255, [8] = 255,
						  [9] = 255, [25] = 128, [47] = 128, [48] = 191,
						  [62] = 128, [63] = 255 };

		if (up.out.hist[b] != want[b] || up.out.hist[64 + b] != 0)
			fail_msg("bucket %u: %u, zero page %u; want %u, 0", b, up.out.hist[b],
				 up.out.hist[64 + b], want[b]);
	}
}

static void test_unknown_is_not_counted(void **state)
{
	uint64_t e[4] = { VMS_PM_PRESENT | VMS_PM_EXCLUSIVE, VMS_PM_SWAPPED, 0, VMS_PM_PRESENT };
	struct sums s;

	(void)state;
	sums_from_entries(&s, e, 4, NULL, NULL, PB(VMS_PG_PRESENT) | PB(VMS_PG_SWAPPED));
	assert_int_equal(s.out.v[VMS_PG_PRESENT], 2 * PS);
	assert_int_equal(s.out.v[VMS_PG_SWAPPED], PS);
	assert_int_equal(s.out.v[VMS_PG_EXCLUSIVE], 0);
	assert_false(vms_region_pages_has(&s.out, VMS_PG_EXCLUSIVE));
	assert_false(vms_region_pages_has(&s.out, VMS_PG_MAPPED_ONCE));
}

static void test_kpage_counts(void **state)
{
	uint64_t e[6], kf[6], kc[6] = { 1, 1, 2, 2, 3, 0 };
	struct sums s;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		e[i] = VMS_PM_PRESENT | (0x1000 + i);
		kf[i] = UINT64_C(1) << 12; /* anon */
	}
	kf[5] = UINT64_C(1) << 20; /* not read: nothing known, no PSS */
	e[1] |= VMS_PM_EXCLUSIVE;
	sums_from_entries(&s, e, 6, kf, kc, ALL_KNOWN);
	assert_int_equal(s.out.v[VMS_PG_MAPPED_ONCE], 2 * PS);
	assert_int_equal(s.out.v[VMS_PG_ANON], 5 * PS);
	assert_int_equal(s.out.v[VMS_PG_EXCLUSIVE], PS);
	/* 1 + 1 + 1/2 + 1/2 + 1/3 pages, within a rounding of a byte a page */
	assert_true(s.out.pss >= (3 * PS + PS / 3) - 6 && s.out.pss <= 3 * PS + PS / 3);
	/* kpage data of a page that is not present is ignored */
	e[0] = 0;
	sums_from_entries(&s, e, 6, kf, kc, ALL_KNOWN);
	assert_int_equal(s.out.v[VMS_PG_MAPPED_ONCE], PS);
	assert_int_equal(s.out.v[VMS_PG_PRESENT], 5 * PS);
}

/* ---- hostile scan answers ----------------------------------------------- */

static void test_scan_hostile(void **state)
{
	struct vms_scan_region v[4];
	struct runs rs = { .n = 0 };
	struct vms_run_builder b;

	(void)state;
	/* a range repeated by a lagging walk_end, one past the end, one before start */
	v[0] = (struct vms_scan_region){ BASE - 2 * PS, BASE + 2 * PS, VMS_SCAN_PRESENT };
	v[1] = (struct vms_scan_region){ BASE + PS, BASE + 3 * PS, VMS_SCAN_PRESENT };
	v[2] = (struct vms_scan_region){ BASE + 5 * PS, BASE + 50 * PS, VMS_SCAN_SWAPPED };
	vms_run_builder_init(&b, collect, &rs);
	assert_int_equal(vms_pagemap_decode_scan(v, 3, BASE, BASE + 10 * PS, PS, &b),
			 (int64_t)(BASE + 10 * PS));
	assert_int_equal(vms_run_builder_flush(&b), 0);
	assert_int_equal(rs.n, 2);
	assert_true(rs.r[0].start == BASE && rs.r[0].end == BASE + 3 * PS);
	assert_true(rs.r[1].start == BASE + 5 * PS && rs.r[1].end == BASE + 10 * PS);

	/* not page-aligned at its start or at its end, or backwards */
	v[0] = (struct vms_scan_region){ BASE + 1, BASE + PS, VMS_SCAN_PRESENT };
	vms_run_builder_init(&b, collect, &rs);
	assert_int_equal(vms_pagemap_decode_scan(v, 1, BASE, BASE + PS, PS, &b), -EBADMSG);
	v[0] = (struct vms_scan_region){ BASE, BASE + PS + 1, VMS_SCAN_PRESENT };
	assert_int_equal(vms_pagemap_decode_scan(v, 1, BASE, BASE + 4 * PS, PS, &b), -EBADMSG);
	v[0] = (struct vms_scan_region){ BASE + 2 * PS, BASE + PS, VMS_SCAN_PRESENT };
	assert_int_equal(vms_pagemap_decode_scan(v, 1, BASE, BASE + 4 * PS, PS, &b), -EBADMSG);
	/* nothing: the end is where it started */
	assert_int_equal(vms_pagemap_decode_scan(v, 0, BASE, BASE + 4 * PS, PS, &b), (int64_t)BASE);
}

static void test_entries_runs(void **state)
{
	uint64_t e[8] = {
		VMS_PM_PRESENT, VMS_PM_PRESENT, VMS_PM_PRESENT | VMS_PM_FILE, 0,
		VMS_PM_GUARD | VMS_PM_SWAPPED, VMS_PM_GUARD | VMS_PM_SWAPPED, VMS_PM_SWAPPED,
		VMS_PM_PRESENT,
	};
	struct runs rs = { .n = 0 };

	(void)state;
	decode_entries(e, 8, &rs);
	assert_int_equal(rs.n, 5);
	assert_true(rs.r[0].end - rs.r[0].start == 2 * PS);
	assert_int_equal(rs.r[1].state, PB(VMS_PG_PRESENT) | PB(VMS_PG_FILE));
	assert_int_equal(rs.r[2].state, PB(VMS_PG_GUARD));
	assert_true(rs.r[2].start == BASE + 4 * PS && rs.r[2].end == BASE + 6 * PS);
	assert_int_equal(rs.r[3].state, PB(VMS_PG_SWAPPED));
	assert_true(rs.r[4].start == BASE + 7 * PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_state),
		cmocka_unit_test(test_scan_state),
		cmocka_unit_test(test_kpageflags_state),
		cmocka_unit_test(test_run_builder),
		cmocka_unit_test(test_sink_error_stops),
		cmocka_unit_test(test_sparse_both_paths),
		cmocka_unit_test(test_histogram_shape),
		cmocka_unit_test(test_runs_any_order),
		cmocka_unit_test(test_unknown_is_not_counted),
		cmocka_unit_test(test_kpage_counts),
		cmocka_unit_test(test_scan_hostile),
		cmocka_unit_test(test_entries_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
