/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ARRAY_GROW and its slow path array_grow_count: the counts it grows to, the
 * items kept across a move, and the overflow that ends in the out-of-memory
 * exit (status 3 and its message), in a child.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

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

/* A count past half the range cannot double: the out-of-memory exit. */
static void test_grow_overflow_dies(void **state)
{
	int pipefd[2];
	char msg[128] = "";
	int status;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		array_grow_count(SIZE_MAX / 2 + 1, SIZE_MAX);
		_exit(0);
	}
	close(pipefd[1]);
	ssize_t got = read(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_true(got > 0);
	msg[got] = '\0';
	assert_non_null(strstr(msg, "vmscope: out of memory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_count),
		cmocka_unit_test(test_grow_keeps_items),
		cmocka_unit_test(test_grow_overflow_dies),
	};

	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
