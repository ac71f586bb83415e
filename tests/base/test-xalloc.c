/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ARRAY_GROW and its slow path array_grow_count: the counts it grows to, the
 * items kept across a move, and the overflows that end in the out-of-memory
 * exit (status 3 and its message), in a child; the same for the arena and
 * the strbuf, and the arena's big blocks kept behind its current one.
 */
#include "config.h"

#include <malloc.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/prefault.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

static void test_grow_count(void **state)
{
	(void)state;
	/* 8 at least, then doubled until the need fits */
	assert_int_equal(array_grow_count(0, 1), 8);
	assert_int_equal(array_grow_count(0, 8), 8);
	assert_int_equal(array_grow_count(0, 9), 16);
	assert_int_equal(array_grow_count(3, 4), 8);
	assert_int_equal(array_grow_count(8, 9), 16);
	assert_int_equal(array_grow_count(100, 101), 200);
	assert_int_equal(array_grow_count(100, 1000), 1600);
	/* the largest power of two that still doubles from half the range */
	assert_true(array_grow_count(SIZE_MAX / 4 + 1, SIZE_MAX / 2 + 1) == SIZE_MAX / 2 + 1);
}

static void test_grow_keeps_items(void **state)
{
	int *items = NULL;
	size_t n = 0, alloc = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		ARRAY_GROW(items, n + 1, alloc);
		items[n++] = i;
		assert_true(alloc >= n);
	}
	assert_int_equal(alloc, 1024);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(items[i], i);
	/* a need that fits leaves the array alone */
	int *before = items;
	ARRAY_GROW(items, 1024, alloc);
	assert_ptr_equal(items, before);
	assert_int_equal(alloc, 1024);
	free(items);
}

/*
 * ARRAY_GROW_KEPT keeps the items in use, down to one; with none, a block
 * of the new count all the same. A strbuf of one byte grown keeps it.
 */
static void test_grow_kept(void **state)
{
	struct strbuf sb;
	int *items = NULL;
	size_t n = 0, alloc = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		ARRAY_GROW_KEPT(items, n + 1, alloc, n);
		items[n++] = 1000 + i;
	}
	for (int i = 0; i < 100; i++)
		assert_int_equal(items[i], 1000 + i);
	/* one in use, grown far past it */
	ARRAY_GROW_KEPT(items, 1, alloc, (size_t)0);
	n = 1;
	items[0] = 7;
	ARRAY_GROW_KEPT(items, 100000, alloc, n);
	assert_true(alloc >= 100000);
	assert_int_equal(items[0], 7);
	/* none in use: room for the new count */
	ARRAY_GROW_KEPT(items, 300000, alloc, (size_t)0);
	assert_true(alloc >= 300000);
	for (size_t i = 0; i < 300000; i++)
		items[i] = (int)i;
	assert_int_equal(items[299999], 299999);
	free(items);

	strbuf_init(&sb);
	strbuf_addch(&sb, 'x');
	strbuf_grow(&sb, 100000);
	assert_int_equal(sb.len, 1);
	assert_string_equal(sb.buf, "x");
	strbuf_reset(&sb);
	strbuf_grow(&sb, 1000000);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void say_hook(void)
{
	fputs("hook ran\n", stderr);
}

enum dying { GROW, REALLOCARRAY, HOOKED, ARENA, STRBUF };

/*
 * How a child ends its one allocation that cannot be: its exit status and
 * what it wrote to stderr (what the die hook writes first, then the line).
 */
static int child_dies(enum dying how, char *msg, size_t n)
{
	int pipefd[2];
	int status;
	size_t len = 0;
	ssize_t got;

	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		setvbuf(stderr, NULL, _IONBF, 0);
		if (how == HOOKED)
			die_set_hook(say_hook);
		if (how == REALLOCARRAY) {
			(void)xreallocarray(NULL, SIZE_MAX / 8 + 1, 8);
		} else if (how == ARENA) {
			struct arena a;

			arena_init(&a);
			(void)arena_alloc(&a, SIZE_MAX - 1);
		} else if (how == STRBUF) {
			struct strbuf sb;

			strbuf_init(&sb);
			strbuf_addstr(&sb, "0123456789");
			strbuf_grow(&sb, SIZE_MAX - 5);
		} else {
			array_grow_count(SIZE_MAX / 2 + 1, SIZE_MAX);
		}
		_exit(0);
	}
	close(pipefd[1]);
	while (len + 1 < n && (got = read(pipefd[0], msg + len, n - 1 - len)) > 0)
		len += (size_t)got;
	msg[len] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * A count past half the range cannot double, n items of size bytes are past
 * SIZE_MAX: the out-of-memory exit, before any allocation.
 */
static void test_overflow_dies(void **state)
{
	char msg[128];
	char want[64];

	(void)state;
	snprintf(want, sizeof(want), "vmscope: out of memory (allocating %zu bytes)\n", SIZE_MAX);
	assert_int_equal(child_dies(GROW, msg, sizeof(msg)), 3);
	assert_string_equal(msg, want);
	assert_int_equal(child_dies(REALLOCARRAY, msg, sizeof(msg)), 3);
	assert_string_equal(msg, want);
	assert_int_equal(child_dies(STRBUF, msg, sizeof(msg)), 3);
	assert_string_equal(msg, want);
	/* an arena allocation whose rounding up would wrap: its own size said */
	snprintf(want, sizeof(want), "vmscope: out of memory (allocating %zu bytes)\n", SIZE_MAX - 1);
	assert_int_equal(child_dies(ARENA, msg, sizeof(msg)), 3);
	assert_string_equal(msg, want);
}

/*
 * A block bigger than the arena's blocks goes behind the current one, whose
 * room is still used by the next small allocation; 0 bytes are a byte.
 */
static void test_arena_big_block(void **state)
{
	struct arena a;
	char *small, *big, *next, *empty;

	(void)state;
	arena_init(&a);
	small = arena_strdup(&a, "abc");
	big = arena_alloc(&a, 256 * 1024);
	memset(big, 'x', 256 * 1024);
	next = arena_strndup(&a, "defgh", 3);
	/* the next one right after the first, in the block that was current */
	assert_ptr_equal(next, small + ((4 + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1)));
	assert_string_equal(small, "abc");
	assert_string_equal(next, "def");
	empty = arena_memdup(&a, "z", 0);
	assert_non_null(empty);
	assert_true(empty != next);
	assert_int_equal(a.used_total, 256 * 1024 + 3 * alignof(max_align_t));
	arena_release(&a);
}

/*
 * An arena's pages are faulted in ahead of its writes: a new big block's
 * pages are all in memory before anything is written to them (mincore), on
 * a kernel that can (prefault_range says whether).
 */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Whether the kernel faults pages in on request (Linux 5.14): asked of it,
 * not of prefault_range, which stops asking after a failed call (a test
 * before may have made one). */
static bool kernel_populates(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool yes;

	assert_true(p != MAP_FAILED);
	yes = madvise(p, page, MADV_POPULATE_WRITE) == 0;
	munmap(p, page);
	return yes;
}

static void test_arena_fault_ahead(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 512 * 1024;
	unsigned char vec[512 * 1024 / 4096 + 2];
	struct arena a;
	uintptr_t lo, hi;
	char *big;

	(void)state;
	if (!kernel_populates())
		skip();
	/* MALLOC_PERTURB_ (meson sets it) fills a new block: none of that here */
	mallopt(M_PERTURB, 0);
	arena_init(&a);
	big = arena_alloc(&a, size);
	mallopt(M_PERTURB, getenv("MALLOC_PERTURB_") ? (int)strtol(getenv("MALLOC_PERTURB_"), NULL, 10)
						    : 0);
	lo = ((uintptr_t)big + page - 1) & ~(uintptr_t)(page - 1);
	hi = ((uintptr_t)big + size) & ~(uintptr_t)(page - 1);
	assert_true((hi - lo) / page <= sizeof(vec));
	assert_int_equal(mincore((void *)lo, hi - lo, vec), 0);
	for (size_t i = 0; i < (hi - lo) / page; i++)
		assert_true(vec[i] & 1);
	arena_release(&a);
}

/* Resident pages of [p, p + n pages): a bit each, from bit 0. */
static uint64_t resident(char *p, size_t n, size_t page)
{
	unsigned char vec[64];
	uint64_t bits = 0;

	assert_true(n <= 64);
	assert_int_equal(mincore(p, n * page, vec), 0);
	for (size_t i = 0; i < n; i++)
		bits |= (uint64_t)(vec[i] & 1) << i;
	return bits;
}

/* prefault_ahead: as much again as is in use, a window at most, never past
 * the buffer, from where the last call ended, to a page's end. */
static void test_prefault_ahead(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 64 * page;
	char *p;

	(void)state;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	assert_true(p != MAP_FAILED);
	if (!kernel_populates()) {
		munmap(p, size);
		skip();
	}
	/* the last page in, as a neighbour would be */
	assert_true(prefault_range(p + size - 1, p + size) != NULL);
	/* one byte in use: two bytes asked, the first page in */
	assert_int_equal(prefault_ahead(p, 0, 1, size, 8 * page), page);
	assert_int_equal(resident(p, 64, page), 1 | UINT64_C(1) << 63);
	/* three pages in use: six in; twenty: twenty-eight (the window of 8) */
	assert_int_equal(prefault_ahead(p, page, 3 * page, size, 8 * page), 6 * page);
	assert_int_equal(resident(p, 64, page), (UINT64_C(1) << 6) - 1 + (UINT64_C(1) << 63));
	assert_int_equal(prefault_ahead(p, 6 * page, 20 * page, size, 8 * page), 28 * page);
	assert_int_equal(resident(p, 64, page), (UINT64_C(1) << 28) - 1 + (UINT64_C(1) << 63));
	/* nothing asked that is in already */
	assert_int_equal(prefault_ahead(p, 28 * page, 10 * page, size, 8 * page), 28 * page);
	assert_int_equal(resident(p, 64, page), (UINT64_C(1) << 28) - 1 + (UINT64_C(1) << 63));
	/* near the end: to the end, not past it (page 62 stays out; 63, the
	 * probe's, was in from the start) */
	assert_int_equal(prefault_ahead(p, 28 * page, 60 * page, 62 * page, 8 * page), 62 * page);
	assert_int_equal(resident(p, 64, page), (UINT64_C(1) << 62) - 1 + (UINT64_C(1) << 63));
	munmap(p, size);
}

/* A strbuf never grown detaches as an allocated "" (freed as any). */
static void test_strbuf_detach_empty(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *s;

	(void)state;
	strbuf_init(&sb);
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	strbuf_addf(&sb, "%s-%d", "abc", 42);
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "abc-42");
	assert_int_equal(sb.len, 0);
	free(s);
}

/* The die hook (the live view's endwin) runs first, then the line. */
static void test_die_hook_runs_first(void **state)
{
	char msg[128];
	char want[80];

	(void)state;
	assert_int_equal(child_dies(HOOKED, msg, sizeof(msg)), 3);
	snprintf(want, sizeof(want), "hook ran\nvmscope: out of memory (allocating %zu bytes)\n",
		 SIZE_MAX);
	assert_string_equal(msg, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_count),
		cmocka_unit_test(test_grow_keeps_items),
		cmocka_unit_test(test_grow_kept),
		cmocka_unit_test(test_overflow_dies),
		cmocka_unit_test(test_die_hook_runs_first),
		cmocka_unit_test(test_arena_big_block),
		cmocka_unit_test(test_arena_fault_ahead),
		cmocka_unit_test(test_prefault_ahead),
		cmocka_unit_test(test_strbuf_detach_empty),
	};

	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
