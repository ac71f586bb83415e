/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms_malloc_mmap_chunks over memory images laid out as glibc's malloc lays
 * out the chunks it maps for large requests, and over images that are
 * almost such (each rule of the header broken once), then on this process's
 * own malloc: requests over the mmap threshold, read through
 * vms_procmem_read of /proc/self.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/image.h"
#include "vmscope/collect.h"

#define PAGE UINT64_C(4096)
#define IMAGE_PAGES 64

/* an image of words (tests/image.h), its reads counted, one made to fail */
struct words {
	uint64_t words[IMAGE_PAGES * PAGE / 8];
	unsigned reads;
	int fail_at; /* the read that fails (1-based), 0 none */
};

static int words_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct words *im = ctx;

	im->reads++;
	if (im->fail_at && im->reads == (unsigned)im->fail_at)
		return -ENODATA;
	return image_copy(im->words, sizeof(im->words), addr, buf, n);
}

/* A chunk's header at page, of pages pages, with flag bits flags. */
static void chunk(struct words *im, unsigned page, unsigned pages, uint64_t flags)
{
	im->words[page * PAGE / 8] = 0;
	im->words[page * PAGE / 8 + 1] = pages * PAGE | flags;
	/* what the program wrote after it: never read */
	im->words[page * PAGE / 8 + 2] = UINT64_C(0x0123456789abcdef);
}

static size_t chunks(struct words *im, unsigned pages, size_t max, size_t *reads)
{
	struct vms_mem_reader m = { .read = words_read, .ctx = im };

	*reads = 0;
	im->reads = 0;
	return vms_malloc_mmap_chunks(&m, IMAGE_BASE, IMAGE_BASE + pages * PAGE, PAGE, max, reads);
}

/* One chunk filling the region; three end to end (as the kernel merges them). */
static void test_chunks_end_to_end(void **state)
{
	struct words *im = calloc(1, sizeof(*im));
	size_t reads;

	(void)state;
	chunk(im, 0, 33, 2);
	assert_int_equal(chunks(im, 33, 1024, &reads), 1);
	assert_int_equal(reads, 1);
	chunk(im, 33, 32, 2);
	assert_int_equal(chunks(im, 33, 1024, &reads), 1);
	chunk(im, 0, 33, 2);
	chunk(im, 33, 1, 2);
	chunk(im, 34, 30, 2);
	assert_int_equal(chunks(im, 64, 1024, &reads), 3);
	assert_int_equal(reads, 3);
	assert_int_equal(im->reads, 3);
	/* max chunks: three are more than two */
	assert_int_equal(chunks(im, 64, 3, &reads), 3);
	assert_int_equal(chunks(im, 64, 2, &reads), 0);
	assert_int_equal(reads, 2);
	free(im);
}

/* Each rule broken once: nothing is told. */
static void test_chunks_almost(void **state)
{
	struct words *im = calloc(1, sizeof(*im));
	size_t reads;

	(void)state;
	/* prev_size not 0: an aligned request's chunk, or not a chunk */
	chunk(im, 0, 64, 2);
	im->words[0] = 16;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	/* PREV_INUSE, NON_MAIN_ARENA, no IS_MMAPPED: the flags of a heap's chunk */
	chunk(im, 0, 64, 3);
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	chunk(im, 0, 64, 6);
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	chunk(im, 0, 64, 0);
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	/* a size not a multiple of the page, 0, or past the region's end */
	chunk(im, 0, 64, 2);
	im->words[1] += 16;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	chunk(im, 0, 0, 2);
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	assert_int_equal(reads, 1);
	chunk(im, 0, 64, 2);
	assert_int_equal(chunks(im, 63, 1024, &reads), 0);
	/* a size larger than the address space: no wrap */
	im->words[1] = ~UINT64_C(7) | 2;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	/* the second of two chunks is not one; then it ends short of the region */
	chunk(im, 0, 32, 2);
	chunk(im, 32, 32, 2);
	im->words[32 * PAGE / 8] = 1;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	assert_int_equal(reads, 2);
	chunk(im, 32, 16, 2);
	memset(&im->words[48 * PAGE / 8], 0, 16);
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	/* a read that fails (a header not in memory): the first, the second */
	chunk(im, 32, 32, 2);
	assert_int_equal(chunks(im, 64, 1024, &reads), 2);
	im->fail_at = 1;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	im->fail_at = 2;
	assert_int_equal(chunks(im, 64, 1024, &reads), 0);
	assert_int_equal(reads, 2);
	free(im);
}

/*
 * Whose malloc this process runs, when it is not glibc's: a sanitizer's
 * (malloc is defined elsewhere) or valgrind's (calls to it are redirected,
 * its replacement preloaded). NULL for glibc's.
 */
static const char *malloc_replaced(void)
{
	static Dl_info where;
	const char *preload = getenv("LD_PRELOAD");

	if (preload && strstr(preload, "vgpreload"))
		return preload;
	if (!dladdr((void *)(uintptr_t)malloc, &where) || !where.dli_fname)
		return "unknown";
	return strstr(where.dli_fname, "libc.so") ? NULL : where.dli_fname;
}

/*
 * This process's own: requests over the mmap threshold each get a mapping
 * that is one chunk; a request below it does not (it is in the heap).
 */
static void test_chunks_of_this_process(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), reads = 0;
	struct vms_procmem pm;
	struct vms_mem_reader m = { .read = vms_procmem_read, .ctx = &pm };
	size_t sizes[] = { 200 << 10, 1 << 20, 3 << 20 };
	const char *other = malloc_replaced();
	int dirfd;

	(void)state;
	if (other) {
		print_message("malloc is not glibc's (%s)\n", other);
		skip();
	}
	dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	assert_int_equal(vms_procmem_open(dirfd, &pm), 0);
	/* the threshold as glibc begins with it, whatever was freed before,
	 * and no free memory at the heap's top to serve a large request from
	 * (malloc maps a chunk only when the heap cannot serve it) */
	assert_int_equal(mallopt(M_MMAP_THRESHOLD, 128 << 10), 1);
	(void)malloc_trim(0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *p = malloc(sizes[i]);
		uint64_t lo, len, word;

		assert_non_null(p);
		memset(p, 0x5a, sizes[i]);
		/* malloc's own word for it: IS_MMAPPED in the chunk's size,
		 * the word before the memory given */
		assert_int_equal(pread(pm.fd, &word, sizeof(word), (off_t)(uintptr_t)p - 8),
				 (ssize_t)sizeof(word));
		assert_int_equal(word & 7, 2);
		/* the mapping: from the header, 16 bytes before the memory
		 * given; its length the request with the header and the next
		 * chunk's size word, rounded up to the page */
		lo = ((uint64_t)(uintptr_t)p - 16) & ~(uint64_t)(page - 1);
		len = (sizes[i] + 24 + page - 1) & ~(uint64_t)(page - 1);
		assert_int_equal(vms_malloc_mmap_chunks(&m, lo, lo + len, page, 1024, &reads), 1);
		/* a region a page longer or shorter is not chunks end to end */
		assert_int_equal(vms_malloc_mmap_chunks(&m, lo, lo + len - page, page, 1024, &reads), 0);
		free(p);
	}
	vms_procmem_close(&pm);
	close(dirfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_end_to_end),
		cmocka_unit_test(test_chunks_almost),
		cmocka_unit_test(test_chunks_of_this_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
