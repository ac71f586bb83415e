/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process that maps what real servers map and vmscope must name: each
 * region is made the way the programs make it, then the target prints one
 * "key value..." line each (addresses in hex, sizes in bytes), then "ready",
 * and stops itself with SIGSTOP. It dies with its parent.
 *
 *   reserve ADDR BYTES        1 GiB PROT_NONE, MAP_NORESERVE (a JVM's class space)
 *   shanon ADDR BYTES         MAP_SHARED|MAP_ANONYMOUS, written (PostgreSQL's buffers)
 *   sysv ADDR BYTES ID KEY    a SysV segment attached, not marked for removal
 *   sysvrm ADDR BYTES ID KEY  a SysV segment attached and marked for removal
 *   memfd ADDR ADDR ADDR BYTES  one memfd "vmscope-labels" mapped three times
 *   thread TID SP             a thread blocked on its glibc stack (with its guard)
 *   arena TID ADDR            that thread's malloc arena: the 64 MiB-aligned heap
 *                             glibc made for it (ADDR: the heap's start)
 *   anonname ADDR BYTES ERR   an anonymous region named "vmscope-name" (prctl
 *                             PR_SET_VMA_ANON_NAME); ERR the errno when the kernel
 *                             refuses it (CONFIG_ANON_VMA_NAME off), else 0
 *   shmname ADDR BYTES ERR    shared anonymous memory named "vmscope-shared" the
 *                             same way ([anon_shmem:vmscope-shared])
 *   chunks ADDR BYTES         requests over malloc's mmap threshold, each a
 *                             mapping of glibc's, side by side: one region
 *   plainmap ADDR BYTES       a private anonymous mapping of the program's own,
 *                             written, between inaccessible pages
 *   fakehead ADDR BYTES       the same, its start written as a chunk's header
 *                             whose size runs past its end
 *   datafile ADDR BYTES       a file mapped shared and written, as a JVM's
 *                             hsperfdata: made by truncating a file that was
 *                             there and kept open (on ext4, the next close of
 *                             it, anyone's, writes its dirty pages back),
 *                             unlinked once mapped; mapped again private and
 *                             read-only, and shared and executable
 *
 * With --chunk-groups it makes only 1,800 requests of 128 KiB (a mapping of
 * 132 KiB each, a page of it written), in groups of 300 side by side, the
 * last of each group (and the first of all) made apart (MADV_DONTFORK) so
 * that each group is a region of its own, then prints
 *   chunkregions N ADDR BYTES...  the N regions (lowest first) they make: of
 *                             these mappings alone, the process's only
 *                             anonymous read-write ones of 128 KiB or more
 *
 * With --arena-threads N it starts only N threads (at most 8 arenas), each
 * allocating 64 KiB from its arena, then prints
 *   arenas N TID ADDR...      each thread and the heap its block lies in (the
 *                             first heap of its arena: 64 KiB of 100 threads
 *                             fill no arena's first heap), 0 for the main arena
 *
 * The SysV segment that is not marked for removal outlives the target: the
 * test removes it by its id. Segments have private keys made of the pid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define HEAP_MAX (64ul << 20) /* glibc's HEAP_MAX_SIZE on 64-bit */

static size_t page_size;

static void fail(const char *what)
{
	fprintf(stderr, "labels-target: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void touch(char *p, size_t bytes)
{
	for (size_t i = 0; i < bytes; i += page_size)
		((volatile char *)p)[i] = 1;
}

static void sysv(const char *tag, key_t key, size_t bytes, int remove)
{
	int id = shmget(key, bytes, IPC_CREAT | IPC_EXCL | 0600);
	char *p;

	if (id < 0)
		fail("shmget");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		(void)shmctl(id, IPC_RMID, NULL);
		fail("shmat");
	}
	touch(p, bytes);
	if (remove && shmctl(id, IPC_RMID, NULL) < 0)
		fail("shmctl");
	printf("%s 0x%lx %zu %d 0x%08x\n", tag, (unsigned long)(uintptr_t)p, bytes, id,
	       (unsigned)key);
}

static void datafile(size_t bytes)
{
	char path[] = "/tmp/vmscope-labels-XXXXXX";
	int fd = mkstemp(path);
	char *p;

	if (fd < 0 || write(fd, "x", 1) != 1)
		fail("datafile");
	close(fd);
	fd = open(path, O_RDWR | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0)
		fail("datafile truncate");
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		fail("mmap datafile");
	touch(p, bytes);
	/* and mapped private to read, as a reader of a file another writes,
	 * and shared and executable (where the file system allows it), as
	 * code another writes: neither is a program, and neither is opened */
	if (mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		fail("mmap datafile private");
	(void)mmap(NULL, bytes, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	/* kept open, as the JVM keeps its own: the first close of it flushes */
	unlink(path);
	printf("datafile 0x%lx %zu\n", (unsigned long)(uintptr_t)p, bytes);
}

static void memfd_thrice(size_t bytes)
{
	int fd = memfd_create("vmscope-labels", 0);
	char *p[3];

	if (fd < 0)
		fail("memfd_create");
	if (ftruncate(fd, (off_t)bytes) < 0)
		fail("ftruncate");
	for (int i = 0; i < 3; i++) {
		p[i] = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p[i] == MAP_FAILED)
			fail("mmap memfd");
	}
	touch(p[0], bytes);
	printf("memfd 0x%lx 0x%lx 0x%lx %zu\n", (unsigned long)(uintptr_t)p[0],
	       (unsigned long)(uintptr_t)p[1], (unsigned long)(uintptr_t)p[2], bytes);
}

static void named(const char *tag, const char *name, int flags, size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	int err = 0;

	if (p == MAP_FAILED)
		fail("mmap");
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, bytes, (unsigned long)name) < 0)
		err = errno;
	touch(p, bytes);
	printf("%s 0x%lx %zu %d\n", tag, (unsigned long)(uintptr_t)p, bytes, err);
}

static int report_fd[2];

/*
 * 64 KiB, below the mmap threshold, from this thread's arena (which glibc
 * makes on first use: the main arena is the main thread's), written; the
 * start of the heap they lie in, or 0 when the NON_MAIN_ARENA bit of the
 * chunk's size (the word before the block) says it is the main arena's,
 * which has no heap: past 8 arenas glibc may give a thread the main one.
 */
static unsigned long arena_block(void)
{
	const volatile size_t *head;
	void *block = malloc(64 * 1024);

	if (!block)
		fail("malloc");
	memset(block, 1, 64 * 1024);
	head = (const volatile size_t *)((uintptr_t)block - sizeof(size_t));
	return *head & 4 ? (unsigned long)((uintptr_t)block & ~(HEAP_MAX - 1)) : 0UL;
}

/* A thread that allocates from an arena of its own and reports it. */
static void *thread_main(void *arg)
{
	char line[128];
	char stack[16 * 1024];
	int n;

	(void)arg;
	memset(stack, 1, sizeof(stack));
	__asm__ volatile("" : : "r"(stack) : "memory");
	n = snprintf(line, sizeof(line), "thread %ld 0x%lx\narena %ld 0x%lx\n",
		     (long)syscall(SYS_gettid), (unsigned long)(uintptr_t)stack,
		     (long)syscall(SYS_gettid), arena_block());
	if (write(report_fd[1], line, (size_t)n) != n)
		fail("write");
	for (;;)
		pause();
	return NULL;
}

/* --arena-threads: a thread that allocates from its arena and reports it. */
static void *arena_thread(void *arg)
{
	char line[64];
	int n;

	(void)arg;
	n = snprintf(line, sizeof(line), "%ld 0x%lx\n", (long)syscall(SYS_gettid), arena_block());
	if (write(report_fd[1], line, (size_t)n) != n)
		fail("write");
	for (;;)
		pause();
	return NULL;
}

static void arena_threads(unsigned n)
{
	char line[64];
	pthread_t th;
	FILE *in;

	(void)mallopt(M_ARENA_MAX, 8);
	if (pipe(report_fd) < 0)
		fail("pipe");
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&th, NULL, arena_thread, NULL) != 0)
			fail("pthread_create");
	in = fdopen(report_fd[0], "r");
	if (!in)
		fail("fdopen");
	printf("arenas %u", n);
	for (unsigned i = 0; i < n; i++) {
		if (!fgets(line, sizeof(line), in))
			fail("read");
		line[strcspn(line, "\n")] = '\0';
		printf(" %s", line);
	}
	printf("\n");
}

/* A private anonymous mapping of bytes between two inaccessible pages, so
 * that the kernel merges it with nothing, written. */
static char *plain_map(size_t bytes)
{
	char *p = mmap(NULL, bytes + 2 * page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap plain");
	p += page_size;
	if (mprotect(p, bytes, PROT_READ | PROT_WRITE) < 0)
		fail("mprotect plain");
	touch(p, bytes);
	return p;
}

/* The next line of a maps file: its range, perms, inode and name (""). */
static bool next_map(FILE *f, unsigned long *lo, unsigned long *hi, char perms[8],
		     unsigned long *ino, char name[256])
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		name[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", lo, hi, perms, ino, name) >= 4)
			return true;
	}
	return false;
}

static FILE *open_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		fail("/proc/self/maps");
	return f;
}

/* The region of /proc/self/maps that holds addr, into lo and hi. */
static void region_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	FILE *f = open_maps();
	unsigned long a, b, ino;
	char perms[8], name[256];

	*lo = *hi = 0;
	while (next_map(f, &a, &b, perms, &ino, name))
		if (a <= addr && addr < b) {
			*lo = a;
			*hi = b;
			break;
		}
	fclose(f);
}

/* malloc's mappings for large requests, as glibc begins: the threshold it
 * starts with, and no free memory at the heap's top that could serve the
 * requests instead. */
static void malloc_maps_chunks(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 128 << 10);
	(void)malloc_trim(0);
}

/* The length of the mapping of a request of size: the request with the
 * header and the next chunk's size word, rounded up to the page. */
static size_t chunk_len(size_t size)
{
	return (size + 24 + page_size - 1) & ~(page_size - 1);
}

/*
 * A request of size that malloc gave a mapping of its own, its first byte
 * written: where the mapping begins (the header, 16 bytes before what
 * malloc gave). One the heap's top could serve (the first of 128 KiB,
 * after the heap's first growth with its pad) is no mapping: kept, and
 * asked again. Told by malloc's own word: IS_MMAPPED in the chunk's size.
 */
static uintptr_t chunk_mapping(size_t size)
{
	for (;;) {
		char *p = malloc(size);
		uint64_t word;

		if (!p)
			fail("malloc");
		p[0] = 1;
		memcpy(&word, (const char *)(uintptr_t)((uintptr_t)p - 8), sizeof(word));
		if ((word & 7) == 2)
			return (uintptr_t)p - 16;
	}
}

/* How many of the mappings of len at start[0, n) lie in [lo, hi). */
static size_t chunks_in(const uintptr_t *start, size_t n, size_t len, uintptr_t lo, uintptr_t hi)
{
	size_t in = 0;

	for (size_t i = 0; i < n; i++)
		in += start[i] >= lo && start[i] + len <= hi;
	return in;
}

#define CHUNKS_MAX 24

/*
 * Requests of 1 MiB, three at a time, until the region that holds the last
 * one's mapping is made of these mappings alone (the kernel merges adjacent
 * ones, and may merge a mapping of another's into them): its bounds into lo
 * and hi.
 */
static void malloc_chunks(uintptr_t *lo, uintptr_t *hi)
{
	size_t size = 1u << 20, len = chunk_len(size), n = 0;
	uintptr_t start[CHUNKS_MAX];

	while (n < CHUNKS_MAX) {
		for (int i = 0; i < 3; i++)
			start[n++] = chunk_mapping(size);
		region_of(start[n - 1], lo, hi);
		if (chunks_in(start, n, len, *lo, *hi) * len == *hi - *lo)
			return;
	}
	errno = EAGAIN;
	fail("malloc's mappings are never a region of their own");
}

static void malloc_mmaps(void)
{
	size_t bytes = 1u << 20;
	uintptr_t lo, hi;
	uint64_t head[2];
	char *p;

	malloc_maps_chunks();
	malloc_chunks(&lo, &hi);
	printf("chunks 0x%lx %lu\n", (unsigned long)lo, (unsigned long)(hi - lo));
	p = plain_map(bytes);
	printf("plainmap 0x%lx %zu\n", (unsigned long)(uintptr_t)p, bytes);
	p = plain_map(bytes);
	head[0] = 0;
	head[1] = (bytes + page_size) | 2;
	memcpy(p, head, sizeof(head));
	printf("fakehead 0x%lx %zu\n", (unsigned long)(uintptr_t)p, bytes);
}

#define GROUP_CHUNKS 300
#define GROUPS 6

static int cmp_uintptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void chunk_groups(void)
{
	size_t size = 128u << 10, len = chunk_len(size), n = 0, found = 0;
	static uintptr_t start[GROUPS * GROUP_CHUNKS];
	unsigned long a, b, ino;
	char perms[8], name[256];
	FILE *f;

	malloc_maps_chunks();
	for (int g = 0; g < GROUPS; g++) {
		for (int i = 0; i < GROUP_CHUNKS; i++) {
			start[n++] = chunk_mapping(size);
			/* the first apart too: not merged with what lies above */
			if (n == 1 && madvise((void *)start[0], len, MADV_DONTFORK) < 0)
				fail("madvise");
		}
		if (madvise((void *)start[n - 1], len, MADV_DONTFORK) < 0)
			fail("madvise");
	}
	qsort(start, n, sizeof(start[0]), cmp_uintptr);
	f = open_maps();
	printf("chunkregions");
	while (next_map(f, &a, &b, perms, &ino, name)) {
		size_t mine;

		if (strcmp(perms, "rw-p") != 0 || ino != 0 || name[0] || b - a < size)
			continue;
		mine = chunks_in(start, n, len, a, b);
		if (mine * len != b - a) {
			errno = EAGAIN;
			fail("an anonymous region not of these chunks alone");
		}
		printf(" 0x%lx %lu", a, b - a);
		found += mine;
	}
	fclose(f);
	printf("\n");
	if (found != n) {
		errno = EAGAIN;
		fail("chunks outside the regions found");
	}
}

int main(int argc, char **argv)
{
	size_t big = 1ul << 30, small;
	pthread_t th;
	char buf[256];
	ssize_t n;
	char *p;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 2;
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "--arena-threads") == 0) {
		arena_threads((unsigned)strtoul(argv[2], NULL, 10));
		printf("ready\n");
		fflush(stdout);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (argc > 1 && strcmp(argv[1], "--chunk-groups") == 0) {
		chunk_groups();
		printf("ready\n");
		fflush(stdout);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	small = 16 * page_size;
	/* The main thread's allocations stay in the main arena (brk). */
	(void)mallopt(M_ARENA_MAX, 8);

	p = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap reserve");
	printf("reserve 0x%lx %zu\n", (unsigned long)(uintptr_t)p, big);

	p = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap shared");
	touch(p, small);
	printf("shanon 0x%lx %zu\n", (unsigned long)(uintptr_t)p, small);

	sysv("sysv", (key_t)(0x76000000u | ((unsigned)getpid() & 0xfffff) << 4), small, 0);
	sysv("sysvrm", (key_t)(0x76000000u | ((unsigned)getpid() & 0xfffff) << 4 | 1), small, 1);
	memfd_thrice(small);
	datafile(small);
	named("anonname", "vmscope-name", MAP_PRIVATE, small);
	named("shmname", "vmscope-shared", MAP_SHARED, small);
	malloc_mmaps();

	if (pipe(report_fd) < 0)
		fail("pipe");
	if (pthread_create(&th, NULL, thread_main, NULL) != 0)
		fail("pthread_create");
	n = read(report_fd[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		fail("read");
	buf[n] = '\0';
	fputs(buf, stdout);
	printf("ready\n");
	fflush(stdout);
	raise(SIGSTOP);
	for (;;)
		pause();
}
