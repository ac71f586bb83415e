/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms_jvm_heap_range on memory images laid out as a HotSpot JVM lays out
 * gHotSpotVMStructs (tests/proc/jvm-image.h): the heap's range found among
 * decoys, wherever the table ends; and every way the memory can lie (a
 * stride or offset out of bounds, a field missing, a heap not made yet, a
 * size that overflows, a pointer outside the memory) refused.
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

static int range_of(struct jvm_image *im, uint64_t *start, uint64_t *end)
{
	struct vms_mem_reader m = { .read = jvm_image_read, .ctx = im };

	*start = *end = 0;
	return vms_jvm_heap_range(&m, &im->sym, start, end);
}

static void test_found(void **state)
{
	struct jvm_image im;
	uint64_t start, end;

	(void)state;
	jvm_image_make(&im, 300, 0);
	assert_int_equal(range_of(&im, &start, &end), 0);
	assert_int_equal(start, JVM_IMAGE_HEAP);
	assert_int_equal(end, JVM_IMAGE_HEAP + JVM_IMAGE_WORDS * 8);
	/* the table read 64 entries at a time, a type's name once a run: 7
	 * variables, 5 batches of entries, 7 runs of a type, 21 fields' names
	 * (16 of decoys of the types looked for whose static flag fits, 5 of
	 * the four entries), the heap's pointer, start and size */
	assert_int_equal(im.reads, 7 + 5 + 7 + 21 + 3);
}

/* A table that ends right at the end of the memory: the last batch cannot
 * be read whole, and is read entry by entry; names at the very end too. */
static void test_table_at_the_end(void **state)
{
	struct jvm_image im;
	uint64_t start, end;

	(void)state;
	for (unsigned decoys = 0; decoys < 70; decoys += 7) {
		jvm_image_make(&im, decoys, JVM_IMAGE_AT_END);
		assert_int_equal(range_of(&im, &start, &end), 0);
		assert_int_equal(start, JVM_IMAGE_HEAP);
		assert_int_equal(end, JVM_IMAGE_HEAP + JVM_IMAGE_WORDS * 8);
	}
}

static void test_missing(void **state)
{
	struct jvm_image im;
	uint64_t start, end;

	(void)state;
	/* each of the four fields left out in turn */
	for (unsigned w = 0; w < 4; w++) {
		jvm_image_make(&im, 10, JVM_IMAGE_DROP(w));
		assert_int_equal(range_of(&im, &start, &end), -ENOENT);
	}
	/* _collectedHeap is static: an instance field of that name is not it */
	jvm_image_make(&im, 10, JVM_IMAGE_HEAP_NOT_STATIC);
	assert_int_equal(range_of(&im, &start, &end), -ENOENT);
	/* a JVM starting: no heap yet */
	jvm_image_make(&im, 10, JVM_IMAGE_NO_HEAP);
	assert_int_equal(range_of(&im, &start, &end), -ENOENT);
	/* a type name that only begins like one looked for */
	jvm_image_make(&im, 10, JVM_IMAGE_LONGER_TYPE);
	assert_int_equal(range_of(&im, &start, &end), -ENOENT);
}

static void test_nonsense(void **state)
{
	struct jvm_image im;
	uint64_t start, end;

	(void)state;
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_STRIDE] = 4; /* a stride under a word */
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_STRIDE + 1] = 1; /* 256 + 48: over STRIDE_MAX */
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	jvm_image_make(&im, 10, 0);
	im.mem[JVM_IMAGE_OFF_ADDRESS] = 48; /* the address field past the entry */
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	jvm_image_make(&im, 10, JVM_IMAGE_HUGE_WORDS); /* start + size past 2^64 */
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	jvm_image_make(&im, 10, JVM_IMAGE_ZERO_WORDS);
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	/* the table's pointer out of the memory: the reader's error */
	jvm_image_make(&im, 10, 0);
	memset(im.mem + JVM_IMAGE_OFF_STRUCTS, 0x7f, 8);
	assert_int_equal(range_of(&im, &start, &end), -EIO);
	/* the table's pointer at the top of the address space */
	jvm_image_make(&im, 10, 0);
	memset(im.mem + JVM_IMAGE_OFF_STRUCTS, 0xff, 8);
	assert_int_equal(range_of(&im, &start, &end), -EBADMSG);
	assert_int_equal(start, 0);
	assert_int_equal(end, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_table_at_the_end),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_nonsense),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
