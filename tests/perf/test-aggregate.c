/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fault aggregator on hand-built snapshots: samples in, between, before
 * and after regions; mappings made during a run; a grown heap; the cap on
 * samples kept for the end; a clock before the start or a day later.
 */
#include "config.h"

#include "snapbuild.h"
#include "vmscope/faults.h"
#include "vmscope/model.h"

#define SEC UINT64_C(1000000000)


/* The row of the region starting at start; fails without one. */
static const struct vms_fault_region_row *row_at(const struct vms_fault_result *res, uint64_t start)
{
	for (size_t i = 0; i < res->n_regions; i++)
		if (res->regions[i].snap->regions[res->regions[i].region].start == start)
			return &res->regions[i];
	fail_msg("no row for region 0x%" PRIx64, start);
	return NULL;
}

/* Invariants of every result: the rows, unmapped and dropped add up to the total. */
static void check_sums(const struct vms_fault_result *res)
{
	uint64_t min = res->unmapped.minflt, maj = res->unmapped.majflt, sec_min = 0, sec_maj = 0;
	uint64_t site = 0, thr = 0;

	for (size_t i = 0; i < res->n_regions; i++) {
		min += res->regions[i].n.minflt;
		maj += res->regions[i].n.majflt;
		if (i)
			assert_true(res->regions[i - 1].n.minflt + res->regions[i - 1].n.majflt >=
				    res->regions[i].n.minflt + res->regions[i].n.majflt);
	}
	assert_int_equal(min + maj + res->dropped, res->total.minflt + res->total.majflt);
	for (size_t i = 0; i < res->n_sites; i++)
		site += res->sites[i].n.minflt + res->sites[i].n.majflt;
	for (size_t i = 0; i < res->n_threads; i++) {
		thr += res->threads[i].n.minflt + res->threads[i].n.majflt;
		if (i)
			assert_true(res->threads[i - 1].tid < res->threads[i].tid);
	}
	assert_int_equal(site, res->total.minflt + res->total.majflt);
	assert_int_equal(thr, res->total.minflt + res->total.majflt);
	for (size_t i = 0; i < res->n_seconds; i++) {
		sec_min += res->seconds[i].minflt;
		sec_maj += res->seconds[i].majflt;
	}
	assert_true(sec_min <= res->total.minflt && sec_maj <= res->total.majflt);
}

static void test_regions_threads_sites(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_fault_result res;
	struct vms_fault_agg *agg;
	const uint64_t t0 = 100 * SEC;

	(void)state;
	sb_region(snap, 0x1000, 0x3000, "rw-p", 0, 0, "");
	sb_region(snap, 0x3000, 0x4000, "r--p", 0, 7, "/lib/x.so");
	sb_region(snap, 0x10000, 0x20000, "rw-p", 0, 0, "[heap]");
	agg = vms_fault_agg_new(snap, t0, 16);
	/* first and last byte of a region, and the byte after it */
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0, 0x1000, 0xa, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0, 0x2fff, 0xa, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0 + SEC, 0x3000, 0xb, 2, true });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0 + 2 * SEC + 5, 0x1ffff, 0xa, 2, false });
	/* in the gap, below everything, at the top of the address space */
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0, 0x5000, 0xc, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0, 0, 0xc, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ t0, UINT64_MAX, 0xc, 1, true });
	vms_fault_agg_finish(agg, NULL, &res);

	assert_int_equal(res.total.minflt, 5);
	assert_int_equal(res.total.majflt, 2);
	assert_int_equal(res.n_regions, 3);
	assert_int_equal(row_at(&res, 0x1000)->n.minflt, 2);
	assert_int_equal(row_at(&res, 0x3000)->n.majflt, 1);
	assert_int_equal(row_at(&res, 0x10000)->n.minflt, 1);
	assert_int_equal(res.unmapped.minflt, 2);
	assert_int_equal(res.unmapped.majflt, 1);
	/* sites: 0xa took three, first */
	assert_int_equal(res.n_sites, 3);
	assert_int_equal(res.sites[0].ip, 0xa);
	assert_int_equal(res.sites[0].n.minflt, 3);
	assert_int_equal(res.n_threads, 2);
	assert_int_equal(res.threads[0].tid, 1);
	assert_int_equal(res.threads[0].n.minflt + res.threads[0].n.majflt, 5);
	assert_int_equal(res.n_seconds, 3);
	assert_int_equal(res.seconds[1].majflt, 1);
	assert_int_equal(res.seconds[2].minflt, 1);
	check_sums(&res);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);
	vms_snapshot_free(snap);
}

/* A mapping made during the run is found at the end; a heap that grew keeps one row. */
static void test_later_snapshot(void **state)
{
	struct vms_snapshot *first = vms_snapshot_new(), *later = vms_snapshot_new();
	struct vms_fault_result res;
	struct vms_fault_agg *agg;

	(void)state;
	sb_region(first, 0x10000, 0x20000, "rw-p", 0, 0, "[heap]");
	sb_region(later, 0x10000, 0x40000, "rw-p", 0, 0, "[heap]");
	sb_region(later, 0x80000, 0x90000, "rw-p", 0, 0, "");
	vms_model_classify(first);
	vms_model_classify(later);
	agg = vms_fault_agg_new(first, 0, 100);
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x10000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x30000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x80000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x85000, 1, 1, true });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0xa0000, 1, 1, false });
	vms_fault_agg_finish(agg, later, &res);

	assert_int_equal(res.n_regions, 2);
	assert_ptr_equal(row_at(&res, 0x10000)->snap, first);
	assert_int_equal(row_at(&res, 0x10000)->n.minflt, 2);
	assert_ptr_equal(row_at(&res, 0x80000)->snap, later);
	assert_int_equal(row_at(&res, 0x80000)->n.majflt, 1);
	assert_int_equal(res.unmapped.minflt, 1);
	check_sums(&res);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);
	vms_snapshot_free(first);
	vms_snapshot_free(later);
}

/*
 * Regions with as many faults come by address; a region of the end that
 * starts where one of the start did but is another kind of memory (the
 * anonymous mapping replaced by a file) is a row of its own.
 */
static void test_ties_and_replaced(void **state)
{
	struct vms_snapshot *first = vms_snapshot_new(), *later = vms_snapshot_new();
	struct vms_fault_result res;
	struct vms_fault_agg *agg;
	const struct vms_region *r0, *r1;

	(void)state;
	sb_region(first, 0x10000, 0x20000, "rw-p", 0, 0, "");
	sb_region(first, 0x50000, 0x51000, "rw-p", 0, 0, "");
	sb_region(first, 0x60000, 0x61000, "rw-p", 0, 0, "");
	sb_region(later, 0x10000, 0x40000, "r--p", 0, 9, "/lib/y.so");
	sb_region(later, 0x50000, 0x51000, "rw-p", 0, 0, "");
	sb_region(later, 0x60000, 0x61000, "rw-p", 0, 0, "");
	vms_model_classify(first);
	vms_model_classify(later);
	agg = vms_fault_agg_new(first, 0, 100);
	/* one fault each, added highest address first */
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x60000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x50000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x30000, 1, 1, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0x10000, 1, 1, false });
	vms_fault_agg_finish(agg, later, &res);

	assert_int_equal(res.n_regions, 4);
	r0 = &res.regions[0].snap->regions[res.regions[0].region];
	r1 = &res.regions[1].snap->regions[res.regions[1].region];
	assert_int_equal(r0->start, 0x10000);
	assert_int_equal(r1->start, 0x10000);
	/* the anonymous region of the start and the file of the end, apart */
	assert_true(res.regions[0].snap != res.regions[1].snap);
	assert_true(r0->kind != r1->kind);
	assert_int_equal(res.regions[2].snap->regions[res.regions[2].region].start, 0x50000);
	assert_int_equal(res.regions[3].snap->regions[res.regions[3].region].start, 0x60000);
	for (size_t i = 0; i < res.n_regions; i++)
		assert_int_equal(res.regions[i].n.minflt, 1);
	assert_int_equal(res.unmapped.minflt, 0);
	check_sums(&res);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);
	vms_snapshot_free(first);
	vms_snapshot_free(later);
}

/* Past the cap, samples outside the first snapshot are counted, not kept. */
static void test_pending_cap_and_clock(void **state)
{
	struct vms_snapshot *empty = vms_snapshot_new();
	struct vms_fault_result res;
	struct vms_fault_agg *agg;

	(void)state;
	agg = vms_fault_agg_new(empty, 10 * SEC, 3);
	for (int i = 0; i < 10; i++)
		vms_fault_agg_add(agg, &(struct vms_fault_sample){ 10 * SEC, 0x1000u * (unsigned)i,
								    (uint64_t)i, 7, false });
	/* before the start, and far after: counted, but no row of the timeline */
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 1, 1, 7, false });
	vms_fault_agg_add(agg, &(struct vms_fault_sample){ UINT64_MAX, 1, 1, 7, false });
	vms_fault_agg_finish(agg, NULL, &res);
	assert_int_equal(res.total.minflt, 12);
	assert_int_equal(res.dropped, 9);
	assert_int_equal(res.unmapped.minflt, 3);
	assert_int_equal(res.n_regions, 0);
	assert_int_equal(res.n_seconds, 1);
	assert_int_equal(res.seconds[0].minflt, 10);
	check_sums(&res);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);

	/* no snapshot at all, no samples */
	agg = vms_fault_agg_new(NULL, 0, 0);
	vms_fault_agg_finish(agg, NULL, &res);
	assert_int_equal(res.total.minflt + res.total.majflt, 0);
	assert_int_equal(res.n_regions + res.n_sites + res.n_threads + res.n_seconds, 0);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);
	vms_snapshot_free(empty);
}

/* Many distinct sites: the table grows and loses none. */
static void test_many_sites(void **state)
{
	struct vms_fault_result res;
	struct vms_fault_agg *agg = vms_fault_agg_new(NULL, 0, 0);

	(void)state;
	for (uint64_t i = 0; i < 5000; i++)
		for (uint64_t k = 0; k <= i % 3; k++)
			vms_fault_agg_add(agg, &(struct vms_fault_sample){ 0, 0, i * 4096, (pid_t)(i % 5 + 1),
									    k == 2 });
	vms_fault_agg_finish(agg, NULL, &res);
	assert_int_equal(res.n_sites, 5000);
	assert_int_equal(res.n_threads, 5);
	assert_int_equal(res.sites[0].n.minflt + res.sites[0].n.majflt, 3);
	assert_int_equal(res.sites[4999].n.minflt + res.sites[4999].n.majflt, 1);
	check_sums(&res);
	vms_fault_result_release(&res);
	vms_fault_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regions_threads_sites),
		cmocka_unit_test(test_later_snapshot),
		cmocka_unit_test(test_ties_and_replaced),
		cmocka_unit_test(test_pending_cap_and_clock),
		cmocka_unit_test(test_many_sites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
