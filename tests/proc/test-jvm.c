/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms_jvm_ranges on memory images laid out as a HotSpot JVM lays out
 * gHotSpotVMStructs (tests/proc/jvm-image.h): the heap's and the code
 * cache's ranges found among decoys, wherever the table ends; each found
 * without the other; and every way the memory can lie (a stride or offset
 * out of bounds, a field missing, a heap not made yet, a size that
 * overflows, bounds backwards, a pointer outside the memory) refused.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jvm-image.h"
#include "vmscope/collect.h"

static int ranges_of(struct jvm_image *im, struct vms_jvm_ranges *r)
{
	struct vms_mem_reader m = { .read = jvm_image_read, .ctx = im };

	memset(r, 0xa5, sizeof(*r));
	return vms_jvm_ranges(&m, &im->sym, r);
}

static void assert_heap(const struct vms_jvm_ranges *r)
{
	assert_int_equal(r->heap_start, JVM_IMAGE_HEAP);
	assert_int_equal(r->heap_end, JVM_IMAGE_HEAP + JVM_IMAGE_WORDS * 8);
}

static void assert_code(const struct vms_jvm_ranges *r)
{
	assert_int_equal(r->code_start, JVM_IMAGE_CODE);
	assert_int_equal(r->code_end, JVM_IMAGE_CODE_END);
}

static void assert_no_heap(const struct vms_jvm_ranges *r)
{
	assert_int_equal(r->heap_start, 0);
	assert_int_equal(r->heap_end, 0);
}

static void test_found(void **state)
{
	struct jvm_image im;
	struct vms_jvm_ranges r;

	(void)state;
	jvm_image_make(&im, 300, 0);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_code(&r);
	/* the table read 64 entries at a time, a type's name once a run: 7
	 * variables, 5 batches of entries, 8 runs of a type, 24 fields' names
	 * (16 of decoys of the types looked for whose static flag fits, 8 of
	 * the six entries), the heap's pointer, start and size, the bounds */
	assert_int_equal(im.reads, 7 + 5 + 8 + 24 + 3 + 2);
}

/*
 * The class space's statics, when the table has them: the base of the
 * class pointers and the CDS archive's range; none without them, and none
 * for an archive whose top is under its base (the heap and the code cache
 * found all the same).
 */
static void test_class_facts(void **state)
{
	struct jvm_image im;
	struct vms_jvm_ranges r;

	(void)state;
	jvm_image_make(&im, 40, JVM_IMAGE_CLASS);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_code(&r);
	assert_int_equal(r.klass_base, JVM_IMAGE_KLASS_BASE);
	assert_int_equal(r.shared_start, JVM_IMAGE_KLASS_BASE);
	assert_int_equal(r.shared_end, JVM_IMAGE_SHARED_TOP);
	assert_true(r.class_known);

	jvm_image_make(&im, 40, JVM_IMAGE_CLASS | JVM_IMAGE_AT_END);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_int_equal(r.klass_base, JVM_IMAGE_KLASS_BASE);

	jvm_image_make(&im, 40, 0);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_int_equal(r.klass_base, 0);
	assert_int_equal(r.shared_start, 0);
	assert_int_equal(r.shared_end, 0);
	assert_false(r.class_known); /* not read: not a base of 0 */

	jvm_image_make(&im, 40, JVM_IMAGE_CLASS_BACKWARDS);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_int_equal(r.klass_base, 0);
	assert_int_equal(r.shared_start, 0);
	assert_int_equal(r.shared_end, 0);
}

/* A table that ends right at the end of the memory: the last batch cannot
 * be read whole, and is read entry by entry; names at the very end too. */
static void test_table_at_the_end(void **state)
{
	struct jvm_image im;
	struct vms_jvm_ranges r;

	(void)state;
	for (unsigned decoys = 0; decoys < 70; decoys += 7) {
		jvm_image_make(&im, decoys, JVM_IMAGE_AT_END);
		assert_int_equal(ranges_of(&im, &r), 0);
		assert_heap(&r);
		assert_code(&r);
	}
}

static void test_missing(void **state)
{
	static const unsigned heap_lies[] = {
		JVM_IMAGE_DROP(0), JVM_IMAGE_DROP(1), JVM_IMAGE_DROP(2), JVM_IMAGE_DROP(3),
		/* _collectedHeap is static: an instance field of that name is not it */
		JVM_IMAGE_HEAP_NOT_STATIC,
		/* a JVM starting: no heap yet */
		JVM_IMAGE_NO_HEAP,
		/* a type name that only begins like one looked for */
		JVM_IMAGE_LONGER_TYPE,
	};
	struct jvm_image im;
	struct vms_jvm_ranges r;

	(void)state;
	for (size_t i = 0; i < sizeof(heap_lies) / sizeof(heap_lies[0]); i++) {
		/* no heap: the code cache alone */
		jvm_image_make(&im, 10, heap_lies[i]);
		assert_int_equal(ranges_of(&im, &r), 0);
		assert_no_heap(&r);
		assert_code(&r);
		/* neither */
		jvm_image_make(&im, 10, heap_lies[i] | JVM_IMAGE_NO_CODE);
		assert_int_equal(ranges_of(&im, &r), -ENOENT);
		assert_no_heap(&r);
	}
	/* the heap alone */
	jvm_image_make(&im, 10, JVM_IMAGE_NO_CODE);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_int_equal(r.code_start, 0);
	assert_int_equal(r.code_end, 0);
}

static void test_nonsense(void **state)
{
	struct jvm_image im;
	struct vms_jvm_ranges r;

	(void)state;
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_STRIDE] = 4; /* a stride under a word */
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_STRIDE + 1] = 1; /* 256 + 48: over STRIDE_MAX */
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_ADDRESS] = 48; /* the address field past the entry */
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	/* start + size past 2^64, no size: that range alone is refused */
	jvm_image_make(&im, 10, JVM_IMAGE_HUGE_WORDS | JVM_IMAGE_NO_CODE);
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	jvm_image_make(&im, 10, JVM_IMAGE_ZERO_WORDS | JVM_IMAGE_NO_CODE);
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	jvm_image_make(&im, 10, JVM_IMAGE_HUGE_WORDS);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_no_heap(&r);
	assert_code(&r);
	/* the code cache's bounds backwards */
	jvm_image_make(&im, 10, JVM_IMAGE_CODE_BACKWARDS | JVM_IMAGE_NO_HEAP);
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	jvm_image_make(&im, 10, JVM_IMAGE_CODE_BACKWARDS);
	assert_int_equal(ranges_of(&im, &r), 0);
	assert_heap(&r);
	assert_int_equal(r.code_start, 0);
	assert_int_equal(r.code_end, 0);
	/* the table's pointer out of the memory: the reader's error */
	jvm_image_make(&im, 10, 0);
	memset(im.mem + JVM_IMAGE_OFF_STRUCTS, 0x7f, 8);
	assert_int_equal(ranges_of(&im, &r), -EIO);
	/* the table's pointer at the top of the address space */
	jvm_image_make(&im, 10, 0);
	memset(im.mem + JVM_IMAGE_OFF_STRUCTS, 0xff, 8);
	assert_int_equal(ranges_of(&im, &r), -EBADMSG);
	assert_no_heap(&r);
}

/*
 * A table without end: every entry past the first batch is another
 * decoy, as far as the addresses go (a reader that makes them up). The
 * walk stops at its bound, 16,384 entries, having read each batch once.
 */
struct endless {
	struct jvm_image im;
	uint64_t table;
	unsigned batches;
};

static int endless_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct endless *e = ctx;
	unsigned char *out = buf;

	if (addr < e->table + 64 * JVM_ENTRY)
		return jvm_image_read(&e->im, addr, buf, n);
	e->batches++;
	for (size_t i = 0; i < n; i++) {
		/* the table's first entry again, made up */
		size_t at = (size_t)((addr - e->table + i) % JVM_ENTRY);

		out[i] = e->im.mem[e->table - JVM_IMAGE_BASE + at];
	}
	return 0;
}

static void test_endless(void **state)
{
	static struct endless e;
	struct vms_mem_reader m = { .read = endless_read, .ctx = &e };
	struct vms_jvm_ranges r;

	(void)state;
	/* 64 decoys fill the first batch; the made-up entries after it repeat
	 * the first decoy (Universe::_decoy, not static): nothing looked for */
	jvm_image_make(&e.im, 64, JVM_IMAGE_NO_CODE);
	memcpy(&e.table, e.im.mem + JVM_IMAGE_OFF_STRUCTS, sizeof(e.table));
	e.batches = 0;
	assert_int_equal(vms_jvm_ranges(&m, &e.im.sym, &r), -ENOENT);
	assert_int_equal(e.batches, 16384 / 64 - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_class_facts),
		cmocka_unit_test(test_table_at_the_end),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_nonsense),
		cmocka_unit_test(test_endless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
