/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms_procmem_read and vms_procmem_read_anon, on a child of the test: the
 * pages in memory read as they are, a page never written reads as zeros in
 * anonymous memory and is refused otherwise, and the child's memory is the
 * same after the reads (a plain read of /proc/PID/mem would make each page
 * it read the child's own).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmscope/collect.h"

/* More pages than one batch of pagemap entries (64), written here and there. */
#define PAGES 80
static const unsigned written[] = { 0, 1, 5, 63, 64, 70, 71, 72 };

static size_t page_size;

static bool is_written(size_t page)
{
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++)
		if (written[i] == page)
			return true;
	return false;
}

/* The byte at offset off of the mapping as the child holds it. */
static unsigned char expected(size_t off)
{
	return is_written(off / page_size) ? (unsigned char)(off * 7 + 1) : 0;
}

/* How many of the pages of [base, base + PAGES pages) are in the child's memory. */
static size_t present_pages(pid_t pid, uintptr_t base)
{
	char path[64];
	uint64_t e[PAGES];
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, e, sizeof(e), (off_t)(base / page_size * sizeof(e[0]))),
			 (ssize_t)sizeof(e));
	close(fd);
	for (size_t i = 0; i < PAGES; i++)
		n += (e[i] >> 63) & 1;
	return n;
}

static void test_reads(void **state)
{
	size_t len = PAGES * page_size, lo = 100, hi = 73 * page_size + 5;
	unsigned char *m, *buf = malloc(len);
	struct vms_procmem mem;
	char path[64];
	int status, dirfd;
	pid_t pid;

	(void)state;
	assert_non_null(buf);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	for (size_t off = 0; off < len; off++)
		if (is_written(off / page_size))
			m[off] = expected(off);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(present_pages(pid, (uintptr_t)m), sizeof(written) / sizeof(written[0]));
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	assert_int_equal(vms_procmem_open(dirfd, &mem), 0);

	/* across written and never written pages, and the batch's end */
	memset(buf, 0xee, len);
	assert_int_equal(vms_procmem_read_anon(&mem, (uintptr_t)m + lo, buf, hi - lo), 0);
	for (size_t off = lo; off < hi; off++)
		if (buf[off - lo] != expected(off))
			fail_msg("byte %zu (page %zu): %u, not %u", off, off / page_size,
				 buf[off - lo], expected(off));
	/* ending in a page never written, and starting in one */
	assert_int_equal(vms_procmem_read_anon(&mem, (uintptr_t)m + page_size + 9, buf, page_size),
			 0);
	for (size_t i = 0; i < page_size; i++)
		assert_int_equal(buf[i], expected(page_size + 9 + i));
	assert_int_equal(vms_procmem_read_anon(&mem, (uintptr_t)m + 3 * page_size, buf, 8), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(buf[i], 0);
	/* without the promise of anonymous memory, a page not in memory is refused */
	assert_int_equal(vms_procmem_read(&mem, (uintptr_t)m + lo, buf, hi - lo), -ENODATA);
	assert_int_equal(vms_procmem_read(&mem, (uintptr_t)m + 3 * page_size, buf, 8), -ENODATA);
	/* written pages alone: read whole */
	assert_int_equal(vms_procmem_read(&mem, (uintptr_t)m + 70 * page_size, buf, 3 * page_size), 0);
	for (size_t i = 0; i < 3 * page_size; i++)
		assert_int_equal(buf[i], expected(70 * page_size + i));
	assert_int_equal(vms_procmem_read(&mem, (uintptr_t)m, buf, 0), 0);

	/* and the child holds no page more than before */
	assert_int_equal(present_pages(pid, (uintptr_t)m), sizeof(written) / sizeof(written[0]));
	vms_procmem_close(&mem);
	assert_int_equal(mem.fd, -1);
	close(dirfd);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	munmap(m, len);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
	};

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
