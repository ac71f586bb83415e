/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Objects: grouping of file regions, the main program, and the sums. */
#include "config.h"

#include "snapbuild.h"

#include "vmscope/model.h"

static void set_mem(struct vms_snapshot *snap, size_t i, enum vms_mem m, uint64_t v)
{
	snap->regions[i].mem.v[m] = v;
	snap->regions[i].mem.have |= UINT32_C(1) << m;
}

static void test_grouping(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	int32_t a, b, c;

	(void)state;
	sb_region(snap, 0x1000, 0x2000, "r--p", 0, 10, "/lib/a.so");
	sb_region(snap, 0x2000, 0x3000, "rw-p", 0, 0, "");
	sb_region(snap, 0x3000, 0x4000, "r--p", 0, 20, "/lib/b.so");
	sb_region(snap, 0x4000, 0x5000, "r-xp", 0x1000, 10, "/lib/a.so");
	/* same path, other inode: the file was replaced, an old copy is mapped */
	sb_region(snap, 0x5000, 0x6000, "r-xp", 0x1000, 11, "/lib/a.so (deleted)");
	/* same inode and path on another device: another file */
	sb_region(snap, 0x6000, 0x7000, "r--p", 0, 10, "/lib/a.so");
	snap->regions[5].dev_major = 253;
	/* a file on a filesystem without inode numbers */
	sb_region(snap, 0x7000, 0x8000, "r--p", 0, 0, "/proc/fs/weird");
	sb_region(snap, 0x8000, 0x9000, "rw-p", 0, 0, "[heap]");
	sb_region(snap, 0x9000, 0xa000, "r--p", 0x2000, 20, "/lib/b.so");
	sb_region(snap, 0xa000, 0xb000, "rw-s", 0, 77, "anon_inode:[perf_event]");
	vms_model_build(snap, NULL, -1);

	assert_int_equal(snap->n_objects, 6);
	a = snap->regions[0].object;
	b = snap->regions[2].object;
	c = snap->regions[4].object;
	/* in the order of their first region */
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, 2);
	assert_int_equal(snap->regions[3].object, a);
	assert_int_equal(snap->regions[8].object, b);
	assert_int_equal(snap->regions[5].object, 3);
	assert_int_equal(snap->regions[6].object, 4);
	assert_int_equal(snap->regions[9].object, 5);
	assert_int_equal(snap->regions[1].object, -1);
	assert_int_equal(snap->regions[7].object, -1);
	assert_false(snap->objects[a].deleted);
	assert_true(snap->objects[c].deleted);
	assert_string_equal(snap->objects[c].path, "/lib/a.so");
	assert_int_equal(snap->objects[3].dev_major, 253);
	assert_int_equal(snap->objects[a].n_regions, 2);
	assert_int_equal(snap->objects[b].n_regions, 2);
	assert_int_equal(snap->objects[a].vsize, 0x2000);
	for (size_t i = 0; i < snap->n_objects; i++) {
		assert_false(snap->objects[i].is_main);
		assert_false(snap->objects[i].is_elf);
		assert_int_equal(snap->objects[i].elf_error, 0);
	}
	/* no ELF was read: the source was not tried */
	assert_false(snap->src[VMS_SRC_ELF].tried);

	/* building again changes nothing */
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->n_objects, 6);
	assert_int_equal(snap->objects[a].n_regions, 2);
	vms_snapshot_free(snap);
}

/* Many regions of few files: the grouping is one pass, not quadratic. */
static void test_grouping_many(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	char name[32];

	(void)state;
	for (uint64_t i = 0; i < 65530; i++) {
		(void)snprintf(name, sizeof(name), "/data/f%" PRIu64, i % 100);
		sb_region(snap, 0x10000000 + i * 0x1000, 0x10000000 + (i + 1) * 0x1000, "r--s",
			  i * 0x1000, 1000 + i % 100, name);
	}
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->n_objects, 100);
	for (size_t o = 0; o < 100; o++) {
		(void)snprintf(name, sizeof(name), "/data/f%zu", o);
		assert_string_equal(snap->objects[o].path, name);
		assert_int_equal(snap->objects[o].n_regions, o < 30 ? 656 : 655);
	}
	for (size_t i = 0; i < snap->n_regions; i++)
		assert_int_equal(snap->regions[i].object, (int32_t)(i % 100));
	vms_snapshot_free(snap);
}

static void test_is_main(void **state)
{
	static const struct {
		const char *exe, *region;
		bool main;
	} cases[] = {
		{ "/usr/bin/prog", "/usr/bin/prog", true },
		{ "/usr/bin/prog (deleted)", "/usr/bin/prog (deleted)", true },
		{ "/usr/bin/prog (deleted)", "/usr/bin/prog", true },
		{ "/usr/bin/prog", "/usr/bin/prog2", false },
		{ "/usr/bin/prog2", "/usr/bin/prog", false },
		{ "/usr/bin/pr", "/usr/bin/prog", false },
		{ "/tmp/a\nb", "/tmp/a\\012b", true },
		{ "/tmp/a\n", "/tmp/a\\01", false },
		{ "/tmp/a\\012b", "/tmp/a\\012b", true },
		{ "", "/usr/bin/prog", false },
		{ NULL, "/usr/bin/prog", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_snapshot *snap = vms_snapshot_new();

		snap->proc.exe = cases[i].exe;
		sb_region(snap, 0x1000, 0x2000, "r--p", 0, 5, cases[i].region);
		sb_region(snap, 0x3000, 0x4000, "r--p", 0, 6, "/usr/lib/libc.so.6");
		vms_model_build(snap, NULL, -1);
		if (snap->objects[0].is_main != cases[i].main)
			fail_msg("exe \"%s\" region \"%s\": main %d", cases[i].exe ? cases[i].exe : "(null)",
				 cases[i].region, snap->objects[0].is_main);
		assert_false(snap->objects[1].is_main);
		vms_snapshot_free(snap);
	}
}

/*
 * Sums: a key is summed over the regions that have it and the sum has it
 * when one region did; the page sizes are never summed.
 */
static void test_aggregates(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_counters sum;
	const struct vms_object *o;

	(void)state;
	sb_region(snap, 0x1000, 0x3000, "r--p", 0, 5, "/lib/x.so");
	sb_region(snap, 0x3000, 0x4000, "rw-p", 0, 0, "");
	sb_region(snap, 0x4000, 0x8000, "r-xp", 0x2000, 5, "/lib/x.so");
	sb_region(snap, 0x9000, 0xa000, "r--p", 0, 6, "/lib/y.so");
	set_mem(snap, 0, VMS_MEM_RSS, 8192);
	set_mem(snap, 0, VMS_MEM_PSS, 4096);
	set_mem(snap, 0, VMS_MEM_KERNEL_PAGE_SIZE, 4096);
	set_mem(snap, 1, VMS_MEM_RSS, 4096);
	set_mem(snap, 1, VMS_MEM_SWAP, 4096);
	set_mem(snap, 2, VMS_MEM_RSS, 12288);
	set_mem(snap, 2, VMS_MEM_KERNEL_PAGE_SIZE, 4096);
	set_mem(snap, 2, VMS_MEM_PRIVATE_DIRTY, 4096);
	/* region 3 read nothing but its size */
	vms_model_build(snap, NULL, -1);

	o = &snap->objects[0];
	assert_int_equal(o->n_regions, 2);
	assert_int_equal(o->vsize, 0x6000);
	assert_int_equal(o->mem.v[VMS_MEM_SIZE], 0x6000);
	assert_int_equal(o->mem.v[VMS_MEM_RSS], 20480);
	assert_int_equal(o->mem.v[VMS_MEM_PSS], 4096); /* region 2 had no Pss */
	assert_true(vms_counters_has(&o->mem, VMS_MEM_PSS));
	assert_true(vms_counters_has(&o->mem, VMS_MEM_PRIVATE_DIRTY));
	assert_false(vms_counters_has(&o->mem, VMS_MEM_SWAP));
	assert_false(vms_counters_has(&o->mem, VMS_MEM_KERNEL_PAGE_SIZE));
	assert_int_equal(o->mem.v[VMS_MEM_KERNEL_PAGE_SIZE], 0);

	o = &snap->objects[1];
	assert_int_equal(o->n_regions, 1);
	assert_int_equal(o->mem.have, UINT32_C(1) << VMS_MEM_SIZE);

	vms_model_sum_regions(snap, &sum);
	assert_int_equal(sum.v[VMS_MEM_SIZE], 0x2000 + 0x1000 + 0x4000 + 0x1000);
	assert_int_equal(sum.v[VMS_MEM_RSS], 8192 + 4096 + 12288);
	assert_int_equal(sum.v[VMS_MEM_SWAP], 4096);
	assert_int_equal(sum.v[VMS_MEM_PSS], 4096);
	assert_false(vms_counters_has(&sum, VMS_MEM_KERNEL_PAGE_SIZE));
	assert_false(vms_counters_has(&sum, VMS_MEM_LOCKED));
	assert_int_equal(sum.have, (UINT32_C(1) << VMS_MEM_SIZE) | (UINT32_C(1) << VMS_MEM_RSS) |
					   (UINT32_C(1) << VMS_MEM_PSS) | (UINT32_C(1) << VMS_MEM_SWAP) |
					   (UINT32_C(1) << VMS_MEM_PRIVATE_DIRTY));

	/* Sums are made again, not added to, on a second build. */
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->objects[0].mem.v[VMS_MEM_RSS], 20480);
	assert_int_equal(snap->objects[0].n_regions, 2);
	vms_snapshot_free(snap);
}

static void test_empty(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_counters sum;

	(void)state;
	/* a kernel thread: no regions, maybe threads */
	sb_thread(snap, 2, 0);
	vms_model_build(snap, NULL, -1);
	vms_model_sum_regions(snap, &sum);
	assert_int_equal(snap->n_objects, 0);
	assert_int_equal(sum.have, 0);
	assert_int_equal(snap->threads[0].region, -1);
	vms_snapshot_free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_grouping_many),
		cmocka_unit_test(test_is_main),
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
