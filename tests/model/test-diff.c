/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Region-level diffs (src/model/diff.c) of hand-built snapshots: which
 * regions of one identity are paired, and what is said to have appeared.
 */
#include "config.h"

#include "snapbuild.h"

#include "vmscope/diff.h"
#include "vmscope/model.h"

static const uint64_t L = UINT64_C(0x7f0000000000);

/* A snapshot of a process mapping the data file `path` (offset 0, 4 pages)
 * at each of the n addresses, and an anonymous region. */
static struct vms_snapshot *mapped_at(const char *path, const uint64_t *at, size_t n)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	snap->host.page_size = 4096;
	sb_region(snap, L - 0x10000, L - 0xc000, "rw-p", 0, 0, "");
	for (size_t i = 0; i < n; i++)
		sb_region(snap, at[i], at[i] + 0x4000, "r--p", 0, 77, path);
	vms_model_build(snap, NULL, -1);
	return snap;
}

/*
 * Regions of one identity (a file mapped several times at one offset) are
 * paired in address order, first with first: a mapping added above the
 * others is the one that appeared, the others are unchanged; one dropped
 * from the top is the one that vanished.
 */
static void test_same_identity_in_address_order(void **state)
{
	static const char path[] = "/srv/data/table.bin";
	const uint64_t two[] = { L, L + 0x10000 };
	const uint64_t three[] = { L, L + 0x10000, L + 0x20000 };
	struct vms_snapshot *a = mapped_at(path, two, 2), *b = mapped_at(path, three, 3);
	struct vms_diff d;

	(void)state;
	vms_diff_build(a, b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.entries[0].change, VMS_CHANGE_APPEARED);
	assert_int_equal(b->regions[d.entries[0].b].start, L + 0x20000);
	assert_int_equal(d.n_same, 3);
	assert_int_equal(d.count[VMS_CHANGE_APPEARED], 1);
	vms_diff_release(&d);

	vms_diff_build(b, a, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.entries[0].change, VMS_CHANGE_VANISHED);
	assert_int_equal(b->regions[d.entries[0].a].start, L + 0x20000);
	assert_int_equal(d.n_same, 3);
	vms_diff_release(&d);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_identity_in_address_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
