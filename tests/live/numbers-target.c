/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numbers-target: a process with the layouts whose numbers vmscope derives
 * (tests/live/test-numbers.c). It prints one line per fact ("key values",
 * addresses in hex, sizes in bytes), then "ready", and stops itself with
 * SIGSTOP; each SIGCONT runs the --burst threads (if any) and stops it again.
 *
 *   --shm-pages N        N pages of shared anonymous memory, written by this
 *                        process alone ("shm ADDR BYTES")
 *   --memfd-pages N      a memfd of N pages mapped three times, shared: the
 *                        first half written through the first mapping, the
 *                        first quarter read through the second, the third
 *                        untouched ("memfd INODE ADDR1 ADDR2 ADDR3 BYTES")
 *   --burst T --burst-pages P
 *                        at each SIGCONT, T threads one after the other, each
 *                        writing P fresh anonymous pages of its own and
 *                        exiting before the next starts ("burst ADDR BYTES")
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t page_size;

static void fail(const char *what)
{
	fprintf(stderr, "numbers-target: %s: %s\n", what, strerror(errno));
	exit(2);
}

static unsigned long count_arg(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "numbers-target: not a number: '%s'\n", s);
		exit(2);
	}
	return v;
}

struct burst {
	char *mem;      /* threads * pages pages, mapped once */
	size_t threads, pages;
};

struct job {
	char *p;
	size_t pages;
};

/* Every fault of the pages is the thread's own: nothing touched them before. */
static void *burst_thread(void *arg)
{
	const struct job *j = arg;

	for (size_t i = 0; i < j->pages; i++)
		((volatile char *)j->p)[i * page_size] = 1;
	return NULL;
}

/* Threads one after the other, each faulting its own fresh pages in. */
static void run_burst(struct burst *b, unsigned round)
{
	for (size_t t = 0; t < b->threads; t++) {
		struct job j = { b->mem + ((size_t)round * b->threads + t) * b->pages * page_size,
				 b->pages };
		pthread_t th;

		errno = pthread_create(&th, NULL, burst_thread, &j);
		if (errno)
			fail("pthread_create");
		pthread_join(th, NULL);
	}
}

#define BURST_ROUNDS 4

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shm-pages", required_argument, NULL, 's' },
		{ "memfd-pages", required_argument, NULL, 'm' },
		{ "burst", required_argument, NULL, 'b' },
		{ "burst-pages", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long shm_pages = 0, memfd_pages = 0;
	struct burst b = { 0 };
	int c;

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': shm_pages = count_arg(optarg); break;
		case 'm': memfd_pages = count_arg(optarg); break;
		case 'b': b.threads = count_arg(optarg); break;
		case 'p': b.pages = count_arg(optarg); break;
		default: return 2;
		}
	}
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* huge pages would make the counts multiples of 2 MiB */
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid %d\n", (int)getpid());

	if (shm_pages) {
		size_t len = shm_pages * page_size;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			fail("mmap shared anonymous");
		memset(p, 0x5a, len);
		printf("shm 0x%lx %zu\n", (unsigned long)(uintptr_t)p, len);
	}

	if (memfd_pages) {
		size_t len = memfd_pages * page_size;
		int fd = memfd_create("numbers-heap", MFD_CLOEXEC);
		char *m[3];
		struct stat st;
		volatile unsigned sum = 0;

		if (fd < 0 || ftruncate(fd, (off_t)len) < 0 || fstat(fd, &st) < 0)
			fail("memfd");
		for (int i = 0; i < 3; i++) {
			m[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (m[i] == MAP_FAILED)
				fail("mmap memfd");
		}
		memset(m[0], 0x6b, len / 2);
		for (size_t i = 0; i < len / 4; i += page_size)
			sum += (unsigned char)m[1][i];
		printf("memfd %lu 0x%lx 0x%lx 0x%lx %zu\n", (unsigned long)st.st_ino,
		       (unsigned long)(uintptr_t)m[0], (unsigned long)(uintptr_t)m[1],
		       (unsigned long)(uintptr_t)m[2], len);
	}

	if (b.threads) {
		size_t len;

		if (b.pages == 0)
			b.pages = 1;
		len = BURST_ROUNDS * b.threads * b.pages * page_size;
		b.mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b.mem == MAP_FAILED)
			fail("mmap burst");
		printf("burst 0x%lx %zu\n", (unsigned long)(uintptr_t)b.mem, len);
	}

	printf("ready\n");
	for (unsigned round = 0;; round++) {
		raise(SIGSTOP);
		if (b.threads && round < BURST_ROUNDS) {
			run_burst(&b, round);
			printf("burst-done %u\n", round);
		}
	}
}
