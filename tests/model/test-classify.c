/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Region kinds on hand-built snapshots: each layout is what the kernel and
 * the dynamic loader make of a real object (addresses and program headers
 * in the shape `readelf -lW` and /proc/<pid>/maps show them).
 */
#include "config.h"

#include "snapbuild.h"

#include <stdlib.h>

#include "vmscope/collect.h"
#include "vmscope/model.h"

#include "model/model-internal.h"

#define KT VMS_KIND_TEXT
#define KR VMS_KIND_RODATA
#define KRR VMS_KIND_RELRO
#define KD VMS_KIND_DATA
#define KB VMS_KIND_BSS
#define KH VMS_KIND_HEAP
#define KS VMS_KIND_STACK
#define KTS VMS_KIND_THREAD_STACK
#define KG VMS_KIND_GUARD
#define KRES VMS_KIND_RESERVED
#define KMA VMS_KIND_ARENA
#define KA VMS_KIND_ANON
#define KF VMS_KIND_FILE
#define KSHM VMS_KIND_SHM
#define KO VMS_KIND_OTHER

static const uint64_t B = UINT64_C(0x555555554000);
static const uint64_t L = UINT64_C(0x7f0000000000);

/* A PIE executable: four PT_LOADs, RELRO at the start of the rw segment,
 * .bss past the last file page. */
static const struct vms_segment pie_segs[] = {
	SEG(0x0, 0x0, 0x760, 0x760, PF_R_),
	SEG(0x1000, 0x1000, 0x3155, 0x3155, PF_R_ | PF_X_),
	SEG(0x5000, 0x5000, 0x10d0, 0x10d0, PF_R_),
	SEG(0x6db0, 0x7db0, 0x2268, 0x5270, PF_R_ | PF_W_),
};

static struct vms_snapshot *pie_snapshot(void)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	snap->host.page_size = 4096;
	snap->proc.exe = "/usr/bin/pie prog (deleted)";
	sb_region(snap, B, B + 0x1000, "r--p", 0, 42, "/usr/bin/pie prog (deleted)");
	sb_region(snap, B + 0x1000, B + 0x5000, "r-xp", 0x1000, 42, "/usr/bin/pie prog (deleted)");
	sb_region(snap, B + 0x5000, B + 0x7000, "r--p", 0x5000, 42, "/usr/bin/pie prog (deleted)");
	sb_region(snap, B + 0x7000, B + 0x8000, "r--p", 0x6000, 42, "/usr/bin/pie prog (deleted)");
	sb_region(snap, B + 0x8000, B + 0xb000, "rw-p", 0x7000, 42, "/usr/bin/pie prog (deleted)");
	sb_region(snap, B + 0xb000, B + 0xe000, "rw-p", 0, 0, "");
	sb_region(snap, B + 0xe000, B + 0x10000, "rw-p", 0, 0, "");
	sb_region(snap, 0x555556000000, 0x555556021000, "rw-p", 0, 0, "[heap]");
	sb_region(snap, 0x7ffc00000000, 0x7ffc00021000, "rw-p", 0, 0, "[stack]");
	sb_thread(snap, 4000, 0x7ffc0001f000);
	return snap;
}

static void test_pie_relro_bss(void **state)
{
	struct vms_snapshot *snap = pie_snapshot();
	int32_t main_obj;

	(void)state;
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->n_objects, 1);
	assert_true(snap->objects[0].is_main);
	assert_true(snap->objects[0].deleted);
	main_obj = sb_object_index(snap, "/usr/bin/pie prog");

	/* Without program headers nothing of the file is called text. */
	EXPECT_KINDS(snap, KF, KF, KF, KF, KF, KA, KA, KH, KS);

	sb_elf(snap, "/usr/bin/pie prog", ET_DYN_, pie_segs, 4, 0x7db0, 0x250);
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KR, KT, KR, KRR, KD, KB, KA, KH, KS);
	assert_int_equal(snap->regions[5].object, main_obj);
	assert_int_equal(snap->regions[6].object, -1);
	assert_int_equal(snap->regions[8].tid, 4000);
	assert_int_equal(snap->threads[0].region, 8);
	/* the .bss belongs to the object's totals */
	assert_int_equal(snap->objects[main_obj].n_regions, 6);
	assert_int_equal(snap->objects[main_obj].vsize, 0xe000);
	vms_snapshot_free(snap);
}

/* The same layout, but the region after the data starts where the segment
 * ends (its .bss fit in the last file page): an unrelated mapping. */
static void test_bss_ends_in_last_page(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x530, 0x530, PF_R_),
		SEG(0x1000, 0x1000, 0x135, 0x135, PF_R_ | PF_X_),
		SEG(0x2000, 0x2000, 0x11c, 0x11c, PF_R_),
		SEG(0x2e28, 0x3e28, 0x2d8, 0x2f8, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/usr/lib/x86_64-linux-gnu/libtiny.so.1";

	(void)state;
	sb_region(snap, L, L + 0x1000, "r--p", 0, 7, p);
	sb_region(snap, L + 0x1000, L + 0x2000, "r-xp", 0x1000, 7, p);
	sb_region(snap, L + 0x2000, L + 0x3000, "r--p", 0x2000, 7, p);
	sb_region(snap, L + 0x3000, L + 0x4000, "r--p", 0x2000, 7, p);
	sb_region(snap, L + 0x4000, L + 0x5000, "rw-p", 0x3000, 7, p);
	sb_region(snap, L + 0x5000, L + 0x9000, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 4, 0x3e28, 0x1d8);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KR, KT, KR, KRR, KD, KA);
	assert_int_equal(snap->regions[5].object, -1);
	assert_false(snap->objects[0].is_main);
	vms_snapshot_free(snap);
}

/* A non-PIE executable is where its headers say, or it is not loaded. */
static void test_non_pie(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x400000, 0x5f8, 0x5f8, PF_R_),
		SEG(0x1000, 0x401000, 0x2a15, 0x2a15, PF_R_ | PF_X_),
		SEG(0x4000, 0x404000, 0x1d0, 0x1d0, PF_R_),
		SEG(0x4e10, 0x405e10, 0x230, 0x1248, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/opt/app/bin/server";

	(void)state;
	snap->proc.exe = p;
	sb_region(snap, 0x400000, 0x401000, "r--p", 0, 99, p);
	sb_region(snap, 0x401000, 0x404000, "r-xp", 0x1000, 99, p);
	sb_region(snap, 0x404000, 0x405000, "r--p", 0x4000, 99, p);
	sb_region(snap, 0x405000, 0x406000, "r--p", 0x4000, 99, p);
	sb_region(snap, 0x406000, 0x407000, "rw-p", 0x5000, 99, p);
	sb_region(snap, 0x407000, 0x408000, "rw-p", 0, 0, "");
	sb_region(snap, 0x1a2b000, 0x1a4c000, "rw-p", 0, 0, "[heap]");
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_EXEC_, segs, 4, 0x405e10, 0x1f0);
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KR, KT, KR, KRR, KD, KB, KH);
	assert_true(snap->objects[0].is_main);
	vms_snapshot_free(snap);

	/* The same headers for a mapping elsewhere: an ET_EXEC is never
	 * relocated, so these regions are not its segments. */
	snap = vms_snapshot_new();
	sb_region(snap, 0x7f0000400000, 0x7f0000401000, "r--p", 0, 99, p);
	sb_region(snap, 0x7f0000401000, 0x7f0000404000, "r-xp", 0x1000, 99, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_EXEC_, segs, 4, 0x405e10, 0x1f0);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF, KF);
	vms_snapshot_free(snap);
}

/* A library aligned to 2 MiB: the loader reserves the whole span and leaves
 * an inaccessible file-backed hole between the segments. */
static void test_shared_library_gap(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x1b8c4, 0x1b8c4, PF_R_ | PF_X_),
		SEG(0x1bdf0, 0x21bdf0, 0x1230, 0x4540, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/usr/lib/libold.so.2";
	int32_t o;

	(void)state;
	sb_region(snap, L, L + 0x1c000, "r-xp", 0, 5, p);
	sb_region(snap, L + 0x1c000, L + 0x21b000, "---p", 0x1c000, 5, p);
	sb_region(snap, L + 0x21b000, L + 0x21c000, "r--p", 0x1b000, 5, p);
	sb_region(snap, L + 0x21c000, L + 0x21e000, "rw-p", 0x1c000, 5, p);
	sb_region(snap, L + 0x21e000, L + 0x221000, "rw-p", 0, 0, "");
	/* the program's own read of the whole file */
	sb_region(snap, L + 0x400000, L + 0x41e000, "r--p", 0, 5, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0x21bdf0, 0x210);
	vms_model_build(snap, NULL, -1);
	/* the hole is reserved address space, not a guard */
	EXPECT_KINDS(snap, KT, KRES, KRR, KD, KB, KF);
	o = sb_object_index(snap, p);
	assert_int_equal(snap->regions[1].object, o);
	assert_int_equal(snap->regions[4].object, o);
	assert_int_equal(snap->regions[5].object, o);
	assert_int_equal(snap->objects[o].n_regions, 6);
	vms_snapshot_free(snap);
}

/* Text and data share a file page (no separate code): offset 0 is held by
 * both segments; only one load bias explains all the regions. */
static void test_shared_file_page(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x8c4, 0x8c4, PF_R_ | PF_X_),
		SEG(0xdf0, 0x200df0, 0x230, 0x238, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/lib/libsmall.so";

	(void)state;
	sb_region(snap, L, L + 0x1000, "r-xp", 0, 3, p);
	sb_region(snap, L + 0x1000, L + 0x200000, "---p", 0x1000, 3, p);
	sb_region(snap, L + 0x200000, L + 0x201000, "r--p", 0, 3, p);
	sb_region(snap, L + 0x201000, L + 0x202000, "rw-p", 0x1000, 3, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0x200df0, 0x210);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KT, KRES, KRR, KD);
	vms_snapshot_free(snap);
}

/* One region whose offset two segments hold, each at its own bias and
 * with as many votes: the segment its permissions match decides (here
 * read-only data, not the RELRO of the rw segment). */
static void test_bias_tie_permissions(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x1000, 0x1000, 0x800, 0x800, PF_R_),
		SEG(0x1800, 0x201800, 0x1000, 0x1000, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/lib/libpartial.so";

	(void)state;
	sb_region(snap, L + 0x1000, L + 0x2000, "r--p", 0x1000, 4, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0x201800, 0x800);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KR);
	vms_snapshot_free(snap);
}

/*
 * One region that two read-only segments explain equally (same file page,
 * same permissions): a tie in votes and in score, won by the lower bias.
 */
static void test_bias_tie_lowest(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x1000, 0x1000, 0x1000, 0x1000, PF_R_),
		SEG(0x1000, 0x5000, 0x1000, 0x1000, PF_R_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/lib/libtwice.so";

	(void)state;
	sb_region(snap, L + 0x6000, L + 0x7000, "r--p", 0x1000, 4, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0, 0);
	vms_model_classify(snap);
	assert_int_equal(snap->n_objects, 1);
	assert_true(snap->objects[0].have_bias);
	/* segment 1 at L + 0x1000 + 0x5000, not segment 0 at L + 0x5000 + 0x1000 */
	assert_int_equal(snap->objects[0].load_bias, L + 0x1000);
	EXPECT_KINDS(snap, KR);
	vms_snapshot_free(snap);
}

/*
 * A library the program mapped itself, one page of it (its symbol table,
 * say), at the file offset where its data segment's file range ends: no
 * segment holds that offset, though the segment's .bss reaches that far in
 * memory; so it is a file mapping, and the object has no load bias.
 */
static void test_offset_past_file_range(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x1000, 0x1000, PF_R_ | PF_X_),
		SEG(0x1000, 0x2000, 0x1000, 0x3000, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/usr/lib/libread.so";

	(void)state;
	sb_region(snap, L + 0x5000, L + 0x6000, "r--p", 0x2000, 6, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0, 0);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF);
	assert_false(snap->objects[0].have_bias);

	/* one page lower, the data segment's last file page: its mapping */
	snap->regions[0].offset = 0x1000;
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KR);
	assert_true(snap->objects[0].have_bias);
	assert_int_equal(snap->objects[0].load_bias, L + 0x3000);
	vms_snapshot_free(snap);
}

/*
 * An execute-only text segment (arm64 -z execute-only) that shares its last
 * file page with the rw segment, at one load bias: the page, made read-only
 * by RELRO, maps the rw segment, whose permissions hold its own (not the
 * text's, which lack read), and the anonymous region after it is that
 * segment's .bss.
 */
static void test_relro_page_shared_with_xonly_text(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x1800, 0x1800, PF_X_),
		SEG(0x1800, 0x1800, 0x400, 0x3000, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/usr/lib/aarch64-linux-gnu/libxo.so";

	(void)state;
	sb_region(snap, L, L + 0x1000, "--xp", 0, 9, p);
	sb_region(snap, L + 0x1000, L + 0x2000, "r--p", 0x1000, 9, p);
	sb_region(snap, L + 0x2000, L + 0x5000, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0x1800, 0x800);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KT, KRR, KB);
	assert_int_equal(snap->objects[0].load_bias, L);
	assert_int_equal(snap->regions[2].object, 0);
	vms_snapshot_free(snap);
}

/* 64 KiB pages (arm64, ppc64): alignment follows the host's page size. */
static void test_page_size_64k(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(0x0, 0x0, 0x1234, 0x1234, PF_R_ | PF_X_),
		SEG(0xfd90, 0x1fd90, 0x10270, 0x10278, PF_R_ | PF_W_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *p = "/usr/lib/aarch64-linux-gnu/libx.so";

	(void)state;
	snap->host.page_size = 65536;
	sb_region(snap, L, L + 0x10000, "r-xp", 0, 8, p);
	sb_region(snap, L + 0x10000, L + 0x20000, "r--p", 0, 8, p);
	sb_region(snap, L + 0x20000, L + 0x30000, "rw-p", 0x10000, 8, p);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, p, ET_DYN_, segs, 2, 0x1fd90, 0x270);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KT, KRR, KD);

	/* Assuming 4 KiB pages, the first two fit no segment (the data
	 * region happens to fit at the same bias either way). */
	snap->host.page_size = 4096;
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF, KF, KD);
	vms_snapshot_free(snap);
}

static void test_thread_stacks_and_guards(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	size_t t_main, t1, t2, t_unknown, t_unmapped, t_shared, t_heap;

	(void)state;
	sb_region(snap, 0x55d000000000, 0x55d000021000, "rw-p", 0, 0, "[heap]");
	sb_region(snap, 0x7f0000000000, 0x7f0000001000, "---p", 0, 0, "");
	sb_region(snap, 0x7f0000001000, 0x7f0000801000, "rw-p", 0, 0, "");
	sb_region(snap, 0x7f0000801000, 0x7f0000802000, "---p", 0, 0, "");
	sb_region(snap, 0x7f0000802000, 0x7f0001002000, "rw-p", 0, 0, "");
	sb_region(snap, 0x7f0001002000, 0x7f0001023000, "rw-p", 0, 0, "");
	sb_region(snap, 0x7f0002000000, 0x7f0006000000, "---p", 0, 0, "");
	sb_region(snap, 0x7f0008000000, 0x7f0008100000, "rw-p", 0, 0, "[anon:coro]");
	sb_region(snap, 0x7f0009000000, 0x7f0009100000, "rw-p", 0, 0, "[stack:4711]");
	sb_region(snap, 0x7ffc00000000, 0x7ffc00021000, "rw-p", 0, 0, "[stack]");

	t_main = sb_thread(snap, 100, 0x7ffc0001fa10);
	t1 = sb_thread(snap, 101, 0x7f0000800a70);
	t2 = sb_thread(snap, 102, 0x7f0001001a70);
	t_unknown = sb_thread(snap, 103, 0);
	t_unmapped = sb_thread(snap, 104, 0x7f0007000000);
	t_shared = sb_thread(snap, 105, 0x7f0000900000);
	t_heap = sb_thread(snap, 106, 0x55d000010000);
	sb_thread(snap, 107, 0x7f0008000100);
	snap->proc.pid = 99; /* the thread found in [stack] names it, not the pid */

	vms_model_build(snap, NULL, -1);
	/* 64 MiB of PROT_NONE below nothing that is a stack is reserved */
	EXPECT_KINDS(snap, KH, KG, KTS, KG, KTS, KA, KRES, KTS, KTS, KS);
	assert_int_equal(snap->regions[2].tid, 101);
	assert_int_equal(snap->regions[4].tid, 102); /* the first thread found names it */
	assert_int_equal(snap->regions[5].tid, 0);
	assert_int_equal(snap->regions[7].tid, 107);
	assert_int_equal(snap->regions[8].tid, 4711);
	assert_int_equal(snap->regions[9].tid, 100);
	assert_int_equal(snap->regions[0].tid, 0);
	assert_int_equal(snap->threads[t_main].region, 9);
	assert_int_equal(snap->threads[t1].region, 2);
	assert_int_equal(snap->threads[t2].region, 4);
	assert_int_equal(snap->threads[t_unknown].region, -1);
	assert_int_equal(snap->threads[t_unmapped].region, -1);
	assert_int_equal(snap->threads[t_shared].region, 4);
	assert_int_equal(snap->threads[t_heap].region, 0);
	for (size_t i = 0; i < snap->n_regions; i++)
		assert_int_equal(snap->regions[i].object, -1);
	vms_snapshot_free(snap);
}

static void test_shm_variants(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	sb_region(snap, 0x7f0000000000, 0x7f0000100000, "rw-s", 0, 0, "");
	sb_region(snap, 0x7f0000100000, 0x7f0000200000, "rw-s", 0, 1234, "/dev/zero (deleted)");
	sb_region(snap, 0x7f0000200000, 0x7f0000300000, "rw-s", 0, 32770, "/SYSV0000162e (deleted)");
	sb_region(snap, 0x7f0000300000, 0x7f0000400000, "r--s", 0, 1029, "/SYSV00000000");
	sb_region(snap, 0x7f0000400000, 0x7f0000500000, "rw-s", 0, 1030, "/memfd:wayland-shm (deleted)");
	sb_region(snap, 0x7f0000500000, 0x7f0000600000, "rw-s", 0, 1031, "/dev/shm/pulse-shm-1");
	sb_region(snap, 0x7f0000600000, 0x7f0000700000, "rw-s", 0, 0, "[anon_shmem:ring]");
	/* a file shared with other processes is a file mapping */
	sb_region(snap, 0x7f0000700000, 0x7f0000800000, "rw-s", 0, 1032, "/var/lib/db/data.mdb");
	/* private memfd (a JIT's code cache) is still memfd memory */
	sb_region(snap, 0x7f0000800000, 0x7f0000900000, "r-xp", 0, 1033, "/memfd:jit (deleted)");
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KSHM, KSHM, KSHM, KSHM, KSHM, KSHM, KSHM, KF, KSHM);
	/* the kernel calls them deleted; none is a deleted file */
	assert_false(snap->regions[1].deleted);
	assert_false(snap->regions[4].deleted);
	assert_false(snap->regions[8].deleted);
	assert_int_equal(vms_region_shm_type(&snap->regions[1]), VMS_SHM_ANON);
	assert_int_equal(vms_region_shm_type(&snap->regions[2]), VMS_SHM_SYSV);
	assert_int_equal(vms_region_shm_type(&snap->regions[3]), VMS_SHM_SYSV);
	assert_int_equal(vms_region_shm_type(&snap->regions[4]), VMS_SHM_MEMFD);
	assert_int_equal(vms_region_shm_type(&snap->regions[5]), VMS_SHM_NONE);
	assert_int_equal(vms_region_shm_type(&snap->regions[6]), VMS_SHM_NAMED);
	/* without /proc/sysvipc/shm a segment is not said to be removed */
	assert_false(snap->regions[2].deleted);
	assert_false(snap->regions[3].deleted);
	assert_int_equal(snap->regions[0].object, -1);
	assert_int_equal(snap->regions[6].object, -1);
	assert_int_equal(snap->n_objects, 7);
	vms_snapshot_free(snap);
}

/* A SysV segment is deleted when /proc/sysvipc/shm says SHM_DEST. */
static void test_sysv_marked(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	sb_region(snap, 0x7f0000200000, 0x7f0000300000, "rw-s", 0, 32770, "/SYSV0000162e (deleted)");
	sb_region(snap, 0x7f0000300000, 0x7f0000400000, "rw-s", 0, 1029, "/SYSV76061361 (deleted)");
	snap->sysv = calloc(2, sizeof(*snap->sysv));
	snap->sysv[0] = (struct vms_sysv){ .id = 32770, .key = 0x162e, .mode = 0600 };
	/* once removed the table says key 0; the name keeps the key */
	snap->sysv[1] = (struct vms_sysv){ .id = 1029, .key = 0, .mode = 01600 };
	snap->n_sysv = snap->alloc_sysv = 2;
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KSHM, KSHM);
	assert_false(snap->regions[0].deleted);
	assert_true(snap->regions[1].deleted);
	assert_ptr_equal(vms_snapshot_sysv(snap, &snap->regions[1]), &snap->sysv[1]);
	assert_false(snap->objects[snap->regions[0].object].deleted);
	assert_true(snap->objects[snap->regions[1].object].deleted);
	vms_snapshot_free(snap);
}

/*
 * glibc's thread heaps: 64 MiB at a 64 MiB boundary, rw at the start and
 * PROT_NONE after. Anything else PROT_NONE is reserved unless it lies right
 * below a stack and is no larger than it.
 */
static void test_arenas_and_reserved(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const uint64_t H = UINT64_C(64) << 20;
	const uint64_t A = UINT64_C(0x7f0000000000);

	(void)state;
	/* an arena heap */
	sb_region(snap, A, A + 0x21000, "rw-p", 0, 0, "");
	sb_region(snap, A + 0x21000, A + H, "---p", 0, 0, "");
	/* the same shape off the boundary: not glibc's */
	sb_region(snap, A + 2 * H + 0x1000, A + 2 * H + 0x22000, "rw-p", 0, 0, "");
	sb_region(snap, A + 2 * H + 0x22000, A + 3 * H + 0x1000, "---p", 0, 0, "");
	/* at the boundary, but its rest ends early */
	sb_region(snap, A + 4 * H, A + 4 * H + 0x21000, "rw-p", 0, 0, "");
	sb_region(snap, A + 4 * H + 0x21000, A + 4 * H + 0x100000, "---p", 0, 0, "");
	/* a thread stack with its guard; a stack with a reservation below
	 * it larger than itself */
	sb_region(snap, A + 6 * H, A + 6 * H + 0x1000, "---p", 0, 0, "");
	sb_region(snap, A + 6 * H + 0x1000, A + 6 * H + 0x801000, "rw-p", 0, 0, "");
	sb_region(snap, A + 7 * H, A + 8 * H, "---p", 0, 0, "");
	sb_region(snap, A + 8 * H, A + 8 * H + 0x100000, "rw-p", 0, 0, "");
	/* a named reservation */
	sb_region(snap, A + 9 * H, A + 10 * H, "---p", 0, 0, "[anon:cage]");
	sb_thread(snap, 201, A + 6 * H + 0x800000);
	sb_thread(snap, 202, A + 8 * H + 0x80000);
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KMA, KRES, KA, KRES, KA, KRES, KG, KTS, KRES, KTS, KRES);
	assert_int_equal(snap->arena_regions, 1); /* counted afresh */

	/* a schema-1 snapshot called all of them guards */
	for (size_t i = 0; i < snap->n_regions; i++)
		if (snap->regions[i].kind == KRES || snap->regions[i].kind == KG)
			snap->regions[i].kind = KG;
	snap->regions[0].kind = KA;
	vms_model_upgrade_v1(snap);
	EXPECT_KINDS(snap, KMA, KRES, KA, KRES, KA, KRES, KG, KTS, KRES, KTS, KRES);
	assert_int_equal(snap->arena_regions, 1); /* counted afresh */
	vms_snapshot_free(snap);
}

/* Case k of a layout that does not agree: no region is class_space. */
static void expect_no_class_space(const struct vms_snapshot *snap, int k)
{
	for (size_t i = 0; i < snap->n_regions; i++)
		if (snap->regions[i].kind == VMS_KIND_CLASS_SPACE)
			fail_msg("case %d: region %zu is class_space", k, i);
}

/* test_jvm_class_space's address space: a CDS archive, the rest of its
 * reservation, a class space of size bytes with two 64 KiB parts
 * committed, and an anonymous mapping right after it. */
static struct vms_snapshot *class_space_snapshot(uint64_t a, uint64_t size, bool file_inside)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const uint64_t c = a + 0x1000000;

	sb_region(snap, a, a + 0xbc7000, "rw-p", 0, 77, "/usr/lib/jvm/classes.jsa");
	sb_region(snap, a + 0xbc7000, c, "---p", 0, 0, "");
	sb_region(snap, c, c + 0x10000, "rw-p", 0, 0, "");
	if (file_inside)
		sb_region(snap, c + 0x10000, c + 0x40000, "r--p", 0, 78, "/tmp/data");
	else
		sb_region(snap, c + 0x10000, c + 0x40000, "---p", 0, 0, "");
	sb_region(snap, c + 0x40000, c + 0x50000, "rw-p", 0, 0, "");
	sb_region(snap, c + 0x50000, c + size, "---p", 0, 0, "");
	sb_region(snap, c + size, c + size + 0x21000, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	return snap;
}

/*
 * A JVM's class space (src/model/jvm.c): with a CDS archive, it follows
 * the archive's reservation; without, it begins at the base of the class
 * pointers; its accessible parts are class_space. Not where the regions
 * disagree: a size that ends inside a region, a file inside, no size known,
 * no archive and a base of 0.
 */
static void test_jvm_class_space(void **state)
{
	const uint64_t A = UINT64_C(0x7f0000000000), S = UINT64_C(1) << 30;
	const enum vms_kind KC = VMS_KIND_CLASS_SPACE;
	struct vms_jvm_ranges cds = {
		.klass_base = A, .shared_start = A, .shared_end = A + 0xbc7000, .class_size = S,
		.class_known = true,
	};
	struct vms_jvm_ranges r;
	struct vms_snapshot *snap;

	(void)state;
	snap = class_space_snapshot(A, S, false);
	EXPECT_KINDS(snap, KF, KRES, KA, KRES, KA, KRES, KA);
	vms_model_jvm_mark(snap, &cds);
	EXPECT_KINDS(snap, KF, KRES, KC, KRES, KC, KRES, KA);
	vms_snapshot_free(snap);

	/* no archive: from the base */
	r = (struct vms_jvm_ranges){ .klass_base = A + 0x1000000, .class_size = S,
				     .class_known = true };
	snap = class_space_snapshot(A, S, false);
	vms_model_jvm_mark(snap, &r);
	EXPECT_KINDS(snap, KF, KRES, KC, KRES, KC, KRES, KA);
	vms_snapshot_free(snap);

	/* what does not agree */
	for (int k = 0; k < 5; k++) {
		r = cds;
		if (k == 0)
			r.class_size = S - 0x10000;
		if (k == 2)
			r.class_size = 0;
		if (k == 3)
			r = (struct vms_jvm_ranges){ .class_size = S, .class_known = true };
		if (k == 4)
			r.shared_end = A + 0x1000; /* no region begins there */
		snap = class_space_snapshot(A, S, k == 1);
		vms_model_jvm_mark(snap, &r);
		expect_no_class_space(snap, k);
		vms_snapshot_free(snap);
	}
}

/* test_jvm_zero_based's address space: a Java heap of 32 MiB at h whose
 * last part the kernel merged with the first committed part of the class
 * space after it (tail bytes of it past the heap), then the class space's
 * reservation of size bytes with a part committed. */
static struct vms_snapshot *zero_based_snapshot(uint64_t h, uint64_t tail, uint64_t size)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const uint64_t c = h + 0x2000000;

	sb_region(snap, h, h + 0x1e00000, "rw-p", 0, 0, "");
	sb_region(snap, h + 0x1e00000, c + tail, "rw-p", 0, 0, "");
	sb_region(snap, c + tail, c + tail + 0x10000, "---p", 0, 0, "");
	sb_region(snap, c + tail + 0x10000, c + tail + 0x30000, "rw-p", 0, 0, "");
	sb_region(snap, c + tail + 0x30000, c + size, "---p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	return snap;
}

/*
 * Zero-based class pointers without an archive (base 0): the class space
 * is right after the Java heap; the region the kernel merged from the
 * heap's last part and the class space's first is the heap's, the one that
 * holds the most of it. Not where the regions disagree: no heap known, a
 * size that ends inside a region, a merged region that is mostly class
 * space (then not the heap's either); nor when the base was not read.
 */
static void test_jvm_zero_based(void **state)
{
	const uint64_t H = UINT64_C(0xfe000000), S = UINT64_C(1) << 30;
	const enum vms_kind KC = VMS_KIND_CLASS_SPACE, KJ = VMS_KIND_JAVA_HEAP;
	const struct vms_jvm_ranges zero = {
		.heap_start = H, .heap_end = H + 0x2000000, .class_size = S, .class_known = true,
	};
	struct vms_jvm_ranges r;
	struct vms_snapshot *snap;

	(void)state;
	snap = zero_based_snapshot(H, 0x10000, S);
	EXPECT_KINDS(snap, KA, KA, KRES, KA, KRES);
	vms_model_jvm_mark(snap, &zero);
	EXPECT_KINDS(snap, KJ, KJ, KRES, KC, KRES);
	vms_snapshot_free(snap);

	/* the heap's own regions alone */
	r = zero;
	r.class_size = 0;
	snap = zero_based_snapshot(H, 0x10000, S);
	vms_model_jvm_mark(snap, &r);
	EXPECT_KINDS(snap, KJ, KJ, KRES, KA, KRES);
	vms_snapshot_free(snap);

	for (int k = 0; k < 4; k++) {
		r = zero;
		if (k == 0)
			r.heap_start = r.heap_end = 0;
		if (k == 3)
			r.class_known = false; /* a base not read is no base of 0 */
		if (k == 1)
			r.class_size = S - 0x10000;
		/* k == 2: 4 MiB of class space merged with 2 MiB of heap */
		snap = zero_based_snapshot(H, k == 2 ? 0x400000 : 0x10000, S);
		vms_model_jvm_mark(snap, &r);
		expect_no_class_space(snap, k);
		if (k == 2 && snap->regions[1].kind != KA)
			fail_msg("a region mostly past the heap is %d", (int)snap->regions[1].kind);
		vms_snapshot_free(snap);
	}
}

/* test_jvm_zero_based_low's address space: a class space of size bytes at
 * l (two committed parts), a second run of as many anonymous bytes at m
 * (one part committed) unless m is 0, and the Java heap high up. */
static struct vms_snapshot *low_snapshot(uint64_t l, uint64_t m, uint64_t size)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	sb_region(snap, l, l + 0x10000, "rw-p", 0, 0, "");
	sb_region(snap, l + 0x10000, l + 0x20000, "---p", 0, 0, "");
	sb_region(snap, l + 0x20000, l + 0x80000, "rw-p", 0, 0, "");
	sb_region(snap, l + 0x80000, l + size, "---p", 0, 0, "");
	if (m) {
		sb_region(snap, m, m + 0x10000, "rw-p", 0, 0, "");
		sb_region(snap, m + 0x10000, m + size, "---p", 0, 0, "");
	}
	sb_region(snap, 0x7f0000000000, 0x7f0002000000, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	return snap;
}

/*
 * Zero-based class pointers with the heap high (compressed object pointers
 * off): the JVM puts the class space low, the one run of anonymous regions
 * of its size below 32 GiB. Not when there are two such runs, nor above 32
 * GiB, nor when the heap is low (the class space is then after it).
 */
static void test_jvm_zero_based_low(void **state)
{
	const uint64_t LOW = UINT64_C(0x80000000), S = UINT64_C(1) << 30;
	const enum vms_kind KC = VMS_KIND_CLASS_SPACE, KJ = VMS_KIND_JAVA_HEAP;
	const struct vms_jvm_ranges high = {
		.heap_start = 0x7f0000000000, .heap_end = 0x7f0002000000, .class_size = S,
		.class_known = true,
	};
	struct vms_jvm_ranges r;
	struct vms_snapshot *snap;

	(void)state;
	snap = low_snapshot(LOW, 0, S);
	vms_model_jvm_mark(snap, &high);
	EXPECT_KINDS(snap, KC, KRES, KC, KRES, KJ);
	vms_snapshot_free(snap);

	for (int k = 0; k < 3; k++) {
		uint64_t l = k == 1 ? UINT64_C(32) << 30 : LOW;

		r = high;
		if (k == 2) {
			/* a heap the base 0 reaches: the class space is after it */
			r.heap_start = 0xfe000000;
			r.heap_end = 0x100000000;
		}
		snap = low_snapshot(l, k == 0 ? UINT64_C(0x140000000) : 0, S);
		vms_model_jvm_mark(snap, &r);
		expect_no_class_space(snap, k);
		vms_snapshot_free(snap);
	}
}

static void test_pseudo_regions(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	sb_region(snap, 0x55d000000000, 0x55d000021000, "rw-p", 0, 0, "[heap]");
	sb_region(snap, 0x7f0000000000, 0x7f0000004000, "r--p", 0, 0, "[vvar]");
	sb_region(snap, 0x7f0000004000, 0x7f0000006000, "r--p", 0, 0, "[vvar_vclock]");
	sb_region(snap, 0x7f0000006000, 0x7f0000008000, "r-xp", 0, 0, "[vdso]");
	sb_region(snap, 0x7f0000008000, 0x7f0000009000, "r-xp", 0, 0, "[uprobes]");
	sb_region(snap, 0x7f000000a000, 0x7f000000b000, "rw-p", 0, 0, "[anon:jemalloc]");
	sb_region(snap, 0x7f000000b000, 0x7f000000c000, "rw-p", 0, 0, "[stack:oops]");
	/* old kernels' [stack:TID], but no thread id: 0, past 32 bits, none, more after */
	sb_region(snap, 0x7f000000c000, 0x7f000000d000, "rw-p", 0, 0, "[stack:0]");
	sb_region(snap, 0x7f000000d000, 0x7f000000e000, "rw-p", 0, 0, "[stack:99999999999]");
	sb_region(snap, 0x7f000000e000, 0x7f000000f000, "rw-p", 0, 0, "[stack:]");
	sb_region(snap, 0x7f000000f000, 0x7f0000010000, "rw-p", 0, 0, "[stack:12]x");
	/* and one that is, the largest pid_max allows */
	sb_region(snap, 0x7f0000010000, 0x7f0000011000, "rw-p", 0, 0, "[stack:4194304]");
	sb_region(snap, 0x7ffc00000000, 0x7ffc00021000, "rw-p", 0, 0, "[stack]");
	sb_region(snap, 0xffffffffff600000, 0xffffffffff601000, "--xp", 0, 0, "[vsyscall]");
	vms_model_build(snap, NULL, -1);
	EXPECT_KINDS(snap, KH, VMS_KIND_VVAR, VMS_KIND_VVAR, VMS_KIND_VDSO, KO, KA, KO, KO, KO, KO,
		     KO, VMS_KIND_THREAD_STACK, KS, VMS_KIND_VSYSCALL);
	assert_int_equal(snap->n_objects, 0);
	assert_int_equal(snap->regions[11].tid, 4194304); /* pid_max at most */
	for (size_t i = 7; i < 11; i++)
		assert_int_equal(snap->regions[i].tid, 0);
	assert_int_equal(snap->regions[12].tid, 0); /* no thread read */
	/* the main thread's, whose tid is the pid, when no thread's stack
	 * pointer could be read */
	snap->proc.pid = 321;
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->regions[12].tid, 321);
	vms_snapshot_free(snap);
}

/* A file that is not ELF, and an ELF whose headers could not be read. */
static void test_non_elf_and_unreadable(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_object *o;
	const char *lib = "/usr/lib/libsecret.so.0";

	(void)state;
	sb_region(snap, 0x7f0000000000, 0x7f0000100000, "r--p", 0, 11, "/usr/lib/locale/locale-archive");
	sb_region(snap, 0x7f0000100000, 0x7f0000120000, "r--s", 0, 12, "/usr/share/fonts/a b.ttf");
	sb_region(snap, L, L + 0x1000, "r--p", 0, 13, lib);
	sb_region(snap, L + 0x1000, L + 0x5000, "r-xp", 0x1000, 13, lib);
	sb_region(snap, L + 0x5000, L + 0x6000, "r--p", 0x5000, 13, lib);
	sb_region(snap, L + 0x6000, L + 0x7000, "rw-p", 0x6000, 13, lib);
	sb_region(snap, L + 0x7000, L + 0x9000, "rw-p", 0, 0, "");
	sb_region(snap, L + 0x9000, L + 0xa000, "---p", 0x9000, 13, lib);
	vms_model_build(snap, NULL, -1);
	sb_object(snap, "/usr/lib/locale/locale-archive")->is_elf = false;
	/* facts that would fit, but the read failed: never used */
	sb_elf(snap, lib, ET_DYN_, pie_segs, 4, 0, 0);
	o = sb_object(snap, lib);
	o->is_elf = false;
	o->elf_error = -13;
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF, KF, KF, KF, KF, KF, KA, KF);
	assert_int_equal(snap->regions[6].object, -1);

	/* A core file's PT_LOADs describe another process: not a load. */
	o->elf_error = 0;
	o->is_elf = true;
	o->elf_type = ET_CORE_;
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF, KF, KF, KF, KF, KF, KA, KF);
	vms_snapshot_free(snap);
}

/* Headers of another build of the library (offsets moved): no region fits. */
static void test_mismatched_headers(void **state)
{
	static const struct vms_segment other[] = {
		SEG(0x0, 0x0, 0x900, 0x900, PF_R_),
		SEG(0x3000, 0x3000, 0x155, 0x155, PF_R_ | PF_X_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *lib = "/usr/lib/libchanged.so";

	(void)state;
	sb_region(snap, L + 0x1000, L + 0x5000, "r-xp", 0x1000, 13, lib);
	sb_region(snap, L + 0x5000, L + 0x6000, "r--p", 0x5000, 13, lib);
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, lib, ET_DYN_, other, 2, 0, 0);
	vms_model_classify(snap);
	EXPECT_KINDS(snap, KF, KF);
	vms_snapshot_free(snap);
}

/* Hostile facts from a snapshot file: huge values, no overflow, no crash. */
static void test_hostile_facts(void **state)
{
	static const struct vms_segment segs[] = {
		SEG(UINT64_MAX - 0x10, UINT64_MAX - 0x10, 0x100, UINT64_MAX, PF_R_ | PF_X_),
		SEG(0x0, UINT64_MAX - 0xfff, 0x1000, 0x2000, PF_R_ | PF_W_),
		SEG(0x0, 0x0, 0x0, 0x1000, PF_R_),
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	const char *lib = "/x";

	(void)state;
	snap->host.page_size = 12345; /* not a power of two: 4096 is assumed */
	sb_region(snap, L, L + 0x1000, "r-xp", 0, 1, lib);
	sb_region(snap, L + 0x1000, L + 0x2000, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	sb_elf(snap, lib, ET_DYN_, segs, 3, UINT64_MAX - 1, UINT64_MAX);
	vms_model_classify(snap);
	/* every segment's image wraps or is empty: no fit */
	assert_int_equal(snap->regions[0].kind, KF);
	assert_int_equal(snap->regions[1].kind, KA);

	/* object indices out of range (a bad snapshot file) are dropped */
	snap->regions[0].object = 99;
	vms_model_classify(snap);
	assert_int_equal(snap->regions[0].object, -1);
	assert_int_equal(snap->regions[0].kind, KF);
	vms_snapshot_free(snap);
}

/* A snapshot read back from JSON: objects and facts given, no /proc. The
 * model must give the same kinds, every time. */
/*
 * A segment that cannot be the loader's source of a mapping, one reason
 * each (hostile facts of a snapshot file): its file range wraps past 64
 * bits, it starts in the file after the mapping's offset, its memory image
 * is smaller than the file bytes the mapping is at, or than the mapping.
 * The mapping is then a plain file mapping; the same mapping of a segment
 * that holds it is text.
 */
static void test_segment_does_not_fit(void **state)
{
	static const struct {
		struct vms_segment seg;
		uint64_t offset, size;
		enum vms_kind want;
	} cases[] = {
		{ SEG(0x10, 0x0, UINT64_MAX, UINT64_MAX, PF_R_ | PF_X_), 0x0, 0x1000, KF },
		{ SEG(0x2000, 0x2000, 0x1000, 0x1000, PF_R_ | PF_X_), 0x0, 0x1000, KF },
		{ SEG(0x0, 0x0, 0x10000, 0x1000, PF_R_ | PF_X_), 0x3000, 0x1000, KF },
		{ SEG(0x0, 0x0, 0x2000, 0x2000, PF_R_ | PF_X_), 0x1000, 0x2000, KF },
		{ SEG(0x0, 0x0, 0x2000, 0x2000, PF_R_ | PF_X_), 0x0, 0x2000, KT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		const char *lib = "/usr/lib/libodd.so";

		snap->host.page_size = 4096;
		sb_region(snap, L, L + cases[i].size, "r-xp", cases[i].offset, 21, lib);
		vms_model_build(snap, NULL, -1);
		sb_elf(snap, lib, ET_DYN_, &cases[i].seg, 1, 0, 0);
		vms_model_classify(snap);
		if (snap->regions[0].kind != cases[i].want)
			fail_msg("case %zu: %s, not %s", i, vms_kind_to_string(snap->regions[0].kind),
				 vms_kind_to_string(cases[i].want));
		vms_snapshot_free(snap);
	}
}

static void test_from_json_idempotent(void **state)
{
	struct vms_snapshot *a = pie_snapshot(), *b = pie_snapshot();

	(void)state;
	vms_model_build(a, NULL, -1);
	sb_elf(a, "/usr/bin/pie prog", ET_DYN_, pie_segs, 4, 0x7db0, 0x250);
	vms_model_build(a, NULL, -1);

	/* b: what a JSON loader makes: objects copied, region links set,
	 * kinds unknown, and a stale link on an anonymous region */
	ARRAY_GROW(b->objects, a->n_objects, b->alloc_objects);
	memcpy(b->objects, a->objects, a->n_objects * sizeof(*a->objects));
	b->n_objects = a->n_objects;
	for (size_t i = 0; i < b->n_regions; i++) {
		b->regions[i].object = a->regions[i].object;
		b->regions[i].kind = VMS_KIND_OTHER;
	}
	b->regions[6].object = 0;
	b->regions[7].tid = 77; /* a stale thread on the heap */
	b->objects[0].n_regions = 1234;
	vms_model_build(b, NULL, -1);
	vms_model_build(b, NULL, -1);
	assert_int_equal(a->n_regions, b->n_regions);
	for (size_t i = 0; i < a->n_regions; i++) {
		assert_int_equal(a->regions[i].kind, b->regions[i].kind);
		assert_int_equal(a->regions[i].object, b->regions[i].object);
		assert_int_equal(a->regions[i].tid, b->regions[i].tid);
	}
	assert_int_equal(b->objects[0].n_regions, a->objects[0].n_regions);
	assert_int_equal(b->objects[0].vsize, a->objects[0].vsize);
	assert_int_equal(b->threads[0].region, a->threads[0].region);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

/*
 * 300 files (150 paths, each on two inodes), each mapped twice with
 * anonymous memory between, one of them once more, then two files more,
 * one deleted: the snapshot a read of smaps gives the model.
 */
static struct vms_snapshot *many_files_snapshot(void)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	char name[64];
	uint64_t a = UINT64_C(0x7f0000000000);

	for (int f = 0; f < 300; f++) {
		snprintf(name, sizeof(name), "/usr/lib/lib%d.so", f % 150);
		/* 150 paths, each on two inodes: one path is two files */
		sb_region(snap, a, a + 0x1000, "r--p", 0, 1000 + (uint64_t)f, name);
		sb_region(snap, a + 0x1000, a + 0x2000, "rw-p", 0, 0, "");
		sb_region(snap, a + 0x2000, a + 0x3000, "r--p", 0x1000, 1000 + (uint64_t)f, name);
		a += 0x10000;
	}
	sb_region(snap, a, a + 0x1000, "r--p", 0, 1007, "/usr/lib/lib7.so");
	sb_region(snap, a + 0x1000, a + 0x2000, "r--p", 0, 5000, "/usr/lib/lib7.so");
	sb_region(snap, a + 0x2000, a + 0x3000, "r--p", 0, 5001, "/usr/lib/gone.so (deleted)");
	return snap;
}

/*
 * The objects grouped a block at a time as smaps is parsed are those of one
 * grouping after it: same objects in the same order, the program found by
 * the exe link read after the regions, and nothing kept of regions that a
 * failed read took back.
 */
static void test_groups_in_blocks(void **state)
{
	static const size_t blocks[] = { 1, 7, 64, 1000 };
	struct vms_snapshot *want = many_files_snapshot();

	(void)state;
	want->proc.exe = "/usr/lib/lib9.so";
	vms_model_build(want, NULL, -1);
	assert_int_equal(want->n_objects, 302);
	assert_true(want->objects[9].is_main);
	assert_true(want->objects[159].is_main); /* the same path */
	assert_false(want->objects[10].is_main);
	assert_int_equal(want->objects[9].n_regions, 2);
	assert_int_equal(want->objects[7].n_regions, 3);
	assert_string_equal(want->objects[300].path, "/usr/lib/lib7.so");
	assert_int_equal(want->objects[300].inode, 5000);
	assert_true(want->objects[301].deleted);
	/* the last region's sums, made after the walk of kinds ends */
	assert_int_equal(want->objects[301].n_regions, 1);
	assert_int_equal(want->objects[301].vsize, 0x1000);

	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		struct vms_snapshot *snap = many_files_snapshot();
		struct model_groups g = { 0 };

		for (size_t to = 0; to < snap->n_regions;) {
			to = to + blocks[b] < snap->n_regions ? to + blocks[b] : snap->n_regions;
			model_groups_add(&g, snap, to);
		}
		/* each object's regions listed in address order */
		for (size_t o = 0; o < snap->n_objects; o++) {
			uint32_t i = g.first[o];

			for (size_t k = 0; k < snap->n_regions; k++) {
				if (snap->regions[k].object != (int32_t)o)
					continue;
				assert_int_equal(i, k);
				i = g.next[i];
			}
			assert_int_equal(i, MODEL_NO_REGION);
		}
		snap->proc.exe = "/usr/lib/lib9.so";
		model_build(snap, NULL, -1, &g);
		assert_int_equal(g.slots, NULL); /* released */
		assert_int_equal(snap->n_objects, want->n_objects);
		for (size_t o = 0; o < snap->n_objects; o++) {
			assert_string_equal(snap->objects[o].path, want->objects[o].path);
			assert_int_equal(snap->objects[o].inode, want->objects[o].inode);
			assert_int_equal(snap->objects[o].is_main, want->objects[o].is_main);
			assert_int_equal(snap->objects[o].deleted, want->objects[o].deleted);
			assert_int_equal(snap->objects[o].n_regions, want->objects[o].n_regions);
		}
		for (size_t i = 0; i < snap->n_regions; i++)
			assert_int_equal(snap->regions[i].object, want->regions[i].object);
		vms_snapshot_free(snap);
	}

	/* all grouped, then the read failed: no regions, no objects */
	{
		struct vms_snapshot *snap = many_files_snapshot();
		struct model_groups g = { 0 };

		model_groups_add(&g, snap, snap->n_regions);
		snap->n_regions = 4;
		model_build(snap, NULL, -1, &g);
		assert_int_equal(snap->n_objects, 2);
		assert_int_equal(snap->regions[3].object, 1);
		assert_int_equal(snap->objects[1].inode, 1001);
		assert_int_equal(snap->objects[0].n_regions, 2);
		vms_snapshot_free(snap);
	}
	vms_snapshot_free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie_relro_bss),
		cmocka_unit_test(test_bss_ends_in_last_page),
		cmocka_unit_test(test_non_pie),
		cmocka_unit_test(test_shared_library_gap),
		cmocka_unit_test(test_shared_file_page),
		cmocka_unit_test(test_bias_tie_permissions),
		cmocka_unit_test(test_bias_tie_lowest),
		cmocka_unit_test(test_offset_past_file_range),
		cmocka_unit_test(test_relro_page_shared_with_xonly_text),
		cmocka_unit_test(test_page_size_64k),
		cmocka_unit_test(test_thread_stacks_and_guards),
		cmocka_unit_test(test_sysv_marked),
		cmocka_unit_test(test_arenas_and_reserved),
		cmocka_unit_test(test_jvm_class_space),
		cmocka_unit_test(test_jvm_zero_based),
		cmocka_unit_test(test_jvm_zero_based_low),
		cmocka_unit_test(test_shm_variants),
		cmocka_unit_test(test_pseudo_regions),
		cmocka_unit_test(test_groups_in_blocks),
		cmocka_unit_test(test_non_elf_and_unreadable),
		cmocka_unit_test(test_mismatched_headers),
		cmocka_unit_test(test_hostile_facts),
		cmocka_unit_test(test_segment_does_not_fit),
		cmocka_unit_test(test_from_json_idempotent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
