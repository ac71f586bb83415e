/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process with a known memory layout, for the live tests and the captured
 * fixtures. Each option adds one feature; when everything is in place the
 * target prints what it built, one "key value..." line each (addresses in
 * hex, sizes in bytes), then "ready", and stops itself with SIGSTOP so the
 * test reads a frozen address space. It dies with its parent.
 *
 *   --anon-pages N --anon-touch T   private anonymous region of N pages, T written
 *   --anon-pageout P                then the first P of them pushed to swap with
 *                                   MADV_PAGEOUT ("anonout SWAPPED_BYTES", as pagemap
 *                                   says: the kernel may keep a page in)
 *   --shared-pages S --children C   S pages written, then C children forked that
 *                                   keep them shared: PSS = RSS / (C + 1)
 *   --shared-pageout                the S pages pushed to swap before the fork
 *                                   ("sharedout SWAPPED_BYTES"): the children inherit
 *                                   the swap entries, SwapPss = Swap / (C + 1)
 *   --file PATH --file-read R       PATH mapped read-only, its first R pages read
 *   --deleted PATH                  PATH mapped read-write shared, then unlinked
 *   --bss-touch B                   B pages of a 4 MiB .bss array written
 *   --sbrk-pages H                  the break moved up by H pages, written
 *   --thread                        a thread that writes 64 KiB of its stack
 *   --maps M                        M extra one-page regions (alternating perms)
 *   --maps-touch                    every page of them written first: runs of
 *                                   present pages go on across the regions
 *   --maps-max                      last of all, one-page anonymous mappings of
 *                                   alternating perms until mmap fails with ENOMEM:
 *                                   the process is at vm.max_map_count ("mapsmax N")
 *   --reserve-gib G                 G GiB reserved PROT_NONE, MAP_NORESERVE
 *                                   ("reserve ADDR BYTES")
 *   --threads N                     N threads that block ("threads N")
 *   --comm NAME                     the process name
 *   --no-stop                       wait for a signal instead of stopping
 *   --sparse-mib M --sparse-every K M MiB of anonymous memory, every K-th page written
 *   --zero-pages Z                  Z read-only anonymous pages, read (the zero page)
 *   --top-pages                     4 pages mapped across 64 KiB below 2^47 (the top of
 *                                   x86-64 user space), the first and last written
 *                                   ("top ADDR BYTES WRITTEN"; "top 0 0 0" when taken)
 *   --thp-mib T                     T MiB (2 MiB aligned) with MADV_HUGEPAGE, written;
 *                                   THP is then left on for the process
 *   --thp-split                     then the page after the first 2 MiB of them made
 *                                   read-only: its huge page is mapped by PTEs, still
 *                                   one large folio ("thpsplit ADDR")
 *   --guard-pages G                 G written pages, then the middle G/2 made guards
 *                                   (MADV_GUARD_INSTALL; "guard 0 0 0" without it)
 *   --turns N                       N pairs of a 16-page read-write region (its first
 *                                   page written) and a 16-page PROT_NONE one, taking
 *                                   turns between two shared pages ("turns ADDR BYTES N")
 *   --refs-pages N --refs-touch K   N pages written; each time the target is
 *                                   continued it reads the first K and stops again
 *   --recurse-kib K                 a thread ("recurse TID TOP") that, once the target
 *                                   is continued after "ready", recurses through 4 KiB
 *                                   frames until K KiB of its stack are written, says
 *                                   "recursed TID TOP DEEPEST" and stops the target again
 *   --fault-anon N                  N anonymous pages mapped, untouched, and each
 *                                   SIGUSR1 writes them ("fanon ADDR BYTES")
 *   --fault-file PATH --fault-file-read M
 *                                   PATH mapped (MADV_RANDOM); each SIGUSR1 drops it
 *                                   from the page cache (posix_fadvise) and reads its
 *                                   first M pages: major faults ("ffile ADDR BYTES READ")
 *   --fault-thread K                a thread with K pages of its own, written on each
 *                                   SIGUSR1 ("fthread TID ADDR BYTES")
 *   --fault-exit                    exit after the faults of the first SIGUSR1
 *   With any --fault-*, each SIGUSR1 ends with a "done" line on stdout.
 *
 * Regions that must stay separate VMAs are fenced by PROT_NONE pages, and THP
 * is off for the process, so sizes and RSS are exact page counts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BSS_BYTES (4u << 20)
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13 */
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21 /* Linux 5.4 */
#endif

/* The only object of this program's .bss that the target writes. */
static char bss_array[BSS_BYTES] __attribute__((aligned(4096)));

/* Initialized, so it lives in .data and the only .bss pages written after
 * startup are those of bss_array. */
static size_t page_size = 4096;

static void fail(const char *what)
{
	fprintf(stderr, "live-target: %s: %s\n", what, strerror(errno));
	exit(2);
}

static unsigned long parse_count(const char *s, const char *opt)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "live-target: %s takes a number, not '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

/* n pages fenced by a PROT_NONE page on each side, so no neighbour merges in. */
static char *map_fenced(size_t n, int prot)
{
	char *base = mmap(NULL, (n + 2) * page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		fail("mmap");
	if (mprotect(base + page_size, n * page_size, prot) < 0)
		fail("mprotect");
	return base + page_size;
}

static void touch(char *p, size_t pages, int value)
{
	for (size_t i = 0; i < pages; i++)
		((volatile char *)p)[i * page_size] = (char)value;
}

/* --turns: see the top of the file. */
static void map_turns(size_t n)
{
	const size_t slot = 16 * page_size, bytes = 2 * n * slot;
	char *base = mmap(NULL, bytes + 2 * page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			  0), *p = base + page_size;

	if (base == MAP_FAILED)
		fail("mmap");
	/* a shared page at each end: the run's neighbours are of another look */
	if (mmap(base, page_size, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED ||
	    mmap(p + bytes, page_size, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
		fail("mmap");
	for (size_t i = 0; i < n; i++) {
		if (mprotect(p + 2 * i * slot, slot, PROT_READ | PROT_WRITE) < 0)
			fail("mprotect");
		p[2 * i * slot] = 1;
	}
	printf("turns 0x%lx %zu %zu\n", (unsigned long)(uintptr_t)p, bytes, n);
}

/* How many of the n pages at p this process's pagemap says are swapped. */
static size_t swapped(const char *p, size_t n)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t k = 0;

	if (fd < 0)
		fail("/proc/self/pagemap");
	for (size_t i = 0; i < n; i++) {
		uint64_t e;

		if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / page_size + i) * 8) != 8)
			fail("pagemap");
		k += (e >> 62 & 1) && !(e >> 58 & 1); /* a guard entry sets bit 62 too */
	}
	close(fd);
	return k;
}

/*
 * The n pages at p pushed to swap, a few times if the kernel kept some in;
 * how many went, in bytes. A page mapped by another process stays: only
 * pages of this process alone go (so a fork must come after).
 */
static size_t page_out(char *p, size_t n)
{
	for (int round = 0; round < 5 && swapped(p, n) < n; round++)
		if (madvise(p, n * page_size, MADV_PAGEOUT) < 0)
			fail("madvise(MADV_PAGEOUT)");
	return swapped(p, n) * page_size;
}

struct thread_info {
	int fd; /* write end: the thread reports here, then blocks */
};

static void *thread_main(void *arg)
{
	struct thread_info *ti = arg;
	char stack[64 * 1024];
	char line[128];
	int n;

	memset(stack, 0x5a, sizeof(stack));
	__asm__ volatile("" : : "r"(stack) : "memory");
	n = snprintf(line, sizeof(line), "thread %ld 0x%lx\n", (long)syscall(SYS_gettid),
		     (unsigned long)(uintptr_t)stack);
	if (write(ti->fd, line, (size_t)n) != n)
		fail("write");
	close(ti->fd);
	for (;;)
		pause();
	return NULL;
}

static void start_children(unsigned long n, pid_t parent)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		fail("pipe");
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			close(p[0]);
			if (write(p[1], "x", 1) != 1)
				_exit(1);
			close(p[1]);
			for (;;)
				pause();
		}
	}
	close(p[1]);
	/* Every child exists (and so shares the pages) before anything is measured. */
	for (unsigned long i = 0; i < n; i++)
		if (read(p[0], &c, 1) != 1)
			fail("child did not start");
	close(p[0]);
}

/* The fault workload: what each SIGUSR1 does. */
struct faulter {
	char *anon;
	unsigned long anon_pages;
	char *file;
	int file_fd;
	unsigned long file_pages;
	char *thread_pages;
	unsigned long thread_n;
	int go[2], done[2]; /* main → fault thread, fault thread → main */
	bool exit_after;
};

static void *fault_thread_main(void *arg)
{
	struct faulter *f = arg;
	char c;

	f->thread_pages = map_fenced(f->thread_n, PROT_READ | PROT_WRITE);
	printf("fthread %ld 0x%lx %lu\n", (long)syscall(SYS_gettid),
	       (unsigned long)(uintptr_t)f->thread_pages, f->thread_n * page_size);
	if (write(f->done[1], "r", 1) != 1)
		fail("write");
	while (read(f->go[0], &c, 1) == 1) {
		touch(f->thread_pages, f->thread_n, c);
		if (write(f->done[1], "d", 1) != 1)
			fail("write");
	}
	return NULL;
}

static void faulter_run(struct faulter *f, int round)
{
	unsigned sum = 0;
	char c = (char)round;

	touch(f->anon, f->anon_pages, round);
	if (f->file) {
		/* Only this test's own file leaves the page cache. */
		(void)posix_fadvise(f->file_fd, 0, 0, POSIX_FADV_DONTNEED);
		for (size_t i = 0; i < f->file_pages; i++)
			sum += (unsigned char)((volatile char *)f->file)[i * page_size];
	}
	if (f->thread_n) {
		if (write(f->go[1], &c, 1) != 1 || read(f->done[0], &c, 1) != 1)
			fail("fault thread");
	}
	printf("done %d %u\n", round, sum);
	if (fflush(stdout) != 0)
		fail("stdout");
}

/* --recurse-kib: a thread that writes a known depth of its stack when told. */
struct recurser {
	int go[2], done[2]; /* main → thread, thread → main (one line each) */
	unsigned long kib;
	uintptr_t deepest;
};

__attribute__((noinline)) static void recurse(struct recurser *r, unsigned long n)
{
	volatile char frame[4096];

	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (char)n;
	if (n > 1)
		recurse(r, n - 1);
	else
		r->deepest = (uintptr_t)frame;
	/* a read after the call: no tail call folds the frames away */
	(void)frame[0];
}

static void *recurse_main(void *arg)
{
	struct recurser *r = arg;
	char line[128], c = 0;
	uintptr_t top = (uintptr_t)&c;
	int n;

	n = snprintf(line, sizeof(line), "recurse %ld 0x%lx\n", (long)syscall(SYS_gettid),
		     (unsigned long)top);
	if (write(r->done[1], line, (size_t)n) != n)
		fail("write");
	if (read(r->go[0], &c, 1) != 1)
		fail("read");
	recurse(r, (r->kib + 3) / 4);
	n = snprintf(line, sizeof(line), "recursed %ld 0x%lx 0x%lx\n", (long)syscall(SYS_gettid),
		     (unsigned long)top, (unsigned long)r->deepest);
	if (write(r->done[1], line, (size_t)n) != n)
		fail("write");
	for (;;)
		pause();
	return NULL;
}

/* Relays the thread's next line to stdout. */
static void recurser_relay(struct recurser *r)
{
	char line[128];
	ssize_t n = read(r->done[0], line, sizeof(line) - 1);

	if (n <= 0)
		fail("recursing thread");
	line[n] = '\0';
	fputs(line, stdout);
	if (fflush(stdout) != 0)
		fail("stdout");
}

static void *block_main(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static char *map_file(const char *path, int prot, int flags, size_t *ret_size)
{
	struct stat st;
	char *p;
	int fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);

	if (fd < 0)
		fail(path);
	if (fstat(fd, &st) < 0)
		fail("fstat");
	if (st.st_size <= 0) {
		fprintf(stderr, "live-target: %s is empty\n", path);
		exit(2);
	}
	p = mmap(NULL, (size_t)st.st_size, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		fail("mmap file");
	close(fd);
	*ret_size = (size_t)st.st_size;
	return p;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "anon-pages", required_argument, NULL, 'a' },
		{ "anon-touch", required_argument, NULL, 't' },
		{ "shared-pages", required_argument, NULL, 's' },
		{ "children", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "file-read", required_argument, NULL, 'r' },
		{ "deleted", required_argument, NULL, 'd' },
		{ "bss-touch", required_argument, NULL, 'b' },
		{ "sbrk-pages", required_argument, NULL, 'h' },
		{ "thread", no_argument, NULL, 'T' },
		{ "maps", required_argument, NULL, 'm' },
		{ "comm", required_argument, NULL, 'n' },
		{ "no-stop", no_argument, NULL, 'S' },
		{ "sparse-mib", required_argument, NULL, 'M' },
		{ "sparse-every", required_argument, NULL, 'K' },
		{ "top-pages", no_argument, NULL, 'O' },
		{ "zero-pages", required_argument, NULL, 'Z' },
		{ "thp-mib", required_argument, NULL, 'H' },
		{ "guard-pages", required_argument, NULL, 'G' },
		{ "turns", required_argument, NULL, 0x143 },
		{ "refs-pages", required_argument, NULL, 'W' },
		{ "refs-touch", required_argument, NULL, 'k' },
		{ "recurse-kib", required_argument, NULL, 'R' },
		{ "fault-anon", required_argument, NULL, 0x100 },
		{ "fault-file", required_argument, NULL, 0x101 },
		{ "fault-file-read", required_argument, NULL, 0x102 },
		{ "fault-thread", required_argument, NULL, 0x103 },
		{ "fault-exit", no_argument, NULL, 0x104 },
		{ "maps-max", no_argument, NULL, 0x105 },
		{ "maps-touch", no_argument, NULL, 0x10f },
		{ "reserve-gib", required_argument, NULL, 0x106 },
		{ "threads", required_argument, NULL, 0x107 },
		{ "thp-split", no_argument, NULL, 0x140 },
		{ "anon-pageout", required_argument, NULL, 0x141 },
		{ "shared-pageout", no_argument, NULL, 0x142 },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long anon_pages = 0, anon_touch = 0, shared_pages = 0, children = 0;
	unsigned long file_read = 0, bss_touch = 0, sbrk_pages = 0, maps = 0;
	const char *file = NULL, *deleted = NULL, *comm = NULL;
	bool thread = false, stop = true;
	char *shared = NULL;
	unsigned long sparse_mib = 0, sparse_every = 1, zero_pages = 0, thp_mib = 0;
	bool top_pages = false;
	unsigned long guard_pages = 0, refs_pages = 0, refs_touch = 0, turns = 0;
	struct recurser rec = { .kib = 0 };
	char *refs = NULL;
	struct faulter fl = { .file_fd = -1 };
	const char *fault_file = NULL;
	bool faults = false, maps_max = false, maps_touch = false, thp_split = false;
	unsigned long reserve_gib = 0, threads = 0, anon_pageout = 0;
	bool shared_pageout = false;
	pid_t self = getpid();
	int c;

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': anon_pages = parse_count(optarg, "--anon-pages"); break;
		case 't': anon_touch = parse_count(optarg, "--anon-touch"); break;
		case 's': shared_pages = parse_count(optarg, "--shared-pages"); break;
		case 'c': children = parse_count(optarg, "--children"); break;
		case 'f': file = optarg; break;
		case 'r': file_read = parse_count(optarg, "--file-read"); break;
		case 'd': deleted = optarg; break;
		case 'b': bss_touch = parse_count(optarg, "--bss-touch"); break;
		case 'h': sbrk_pages = parse_count(optarg, "--sbrk-pages"); break;
		case 'T': thread = true; break;
		case 'm': maps = parse_count(optarg, "--maps"); break;
		case 'n': comm = optarg; break;
		case 'S': stop = false; break;
		case 'M': sparse_mib = parse_count(optarg, "--sparse-mib"); break;
		case 'K': sparse_every = parse_count(optarg, "--sparse-every"); break;
		case 'O': top_pages = true; break;
		case 'Z': zero_pages = parse_count(optarg, "--zero-pages"); break;
		case 'H': thp_mib = parse_count(optarg, "--thp-mib"); break;
		case 'G': guard_pages = parse_count(optarg, "--guard-pages"); break;
		case 'W': refs_pages = parse_count(optarg, "--refs-pages"); break;
		case 'k': refs_touch = parse_count(optarg, "--refs-touch"); break;
		case 'R': rec.kib = parse_count(optarg, "--recurse-kib"); break;
		case 0x100: fl.anon_pages = parse_count(optarg, "--fault-anon"); faults = true; break;
		case 0x101: fault_file = optarg; faults = true; break;
		case 0x102: fl.file_pages = parse_count(optarg, "--fault-file-read"); break;
		case 0x103: fl.thread_n = parse_count(optarg, "--fault-thread"); faults = true; break;
		case 0x104: fl.exit_after = true; break;
		case 0x105: maps_max = true; break;
		case 0x10f: maps_touch = true; break;
		case 0x106: reserve_gib = parse_count(optarg, "--reserve-gib"); break;
		case 0x107: threads = parse_count(optarg, "--threads"); break;
		case 0x140: thp_split = true; break;
		case 0x141: anon_pageout = parse_count(optarg, "--anon-pageout"); break;
		case 0x143: turns = parse_count(optarg, "--turns"); break;
		case 0x142: shared_pageout = true; break;
		default: return 2;
		}
	}
	if (anon_touch > anon_pages || anon_pageout > anon_pages || bss_touch > BSS_BYTES / page_size) {
		fprintf(stderr, "live-target: more pages touched than mapped\n");
		return 2;
	}

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (faults) {
		sigset_t usr1;

		/* Blocked in every thread, taken by sigwait in main. */
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		if (sigprocmask(SIG_BLOCK, &usr1, NULL) < 0)
			fail("sigprocmask");
	}
	/* Huge pages would make RSS a multiple of 2 MiB instead of the pages written. */
	if (!thp_mib && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		fail("PR_SET_THP_DISABLE");
	if (comm && prctl(PR_SET_NAME, comm) < 0)
		fail("PR_SET_NAME");

	/* Forked first, so that only this region is shared with the children. */
	if (shared_pages) {
		shared = map_fenced(shared_pages, PROT_READ | PROT_WRITE);
		touch(shared, shared_pages, 0x11);
		if (shared_pageout)
			(void)page_out(shared, shared_pages);
		start_children(children, self);
	}

	printf("pid %d\n", (int)self);
	printf("page_size %zu\n", page_size);
	printf("text 0x%lx\n", (unsigned long)(uintptr_t)&main);
	printf("stack 0x%lx\n", (unsigned long)(uintptr_t)&c);
	if (shared)
		printf("shared 0x%lx %lu %lu\n", (unsigned long)(uintptr_t)shared,
		       shared_pages * page_size, children + 1);
	if (shared && shared_pageout)
		printf("sharedout %zu\n", swapped(shared, shared_pages) * page_size);

	if (anon_pages) {
		char *anon = map_fenced(anon_pages, PROT_READ | PROT_WRITE);

		touch(anon, anon_touch, 0x22);
		printf("anon 0x%lx %lu %lu\n", (unsigned long)(uintptr_t)anon,
		       anon_pages * page_size, anon_touch * page_size);
		if (anon_pageout)
			printf("anonout %zu\n", page_out(anon, anon_pageout));
	}

	if (file) {
		size_t size;
		char *p = map_file(file, PROT_READ, MAP_PRIVATE, &size);
		size_t pages = (size + page_size - 1) / page_size;
		unsigned sum = 0;

		if (file_read > pages)
			file_read = pages;
		for (size_t i = 0; i < file_read; i++)
			sum += (unsigned char)((volatile char *)p)[i * page_size];
		printf("file 0x%lx %zu %lu %u\n", (unsigned long)(uintptr_t)p, size,
		       file_read * page_size, sum);
	}

	if (deleted) {
		size_t size;
		char *p = map_file(deleted, PROT_READ | PROT_WRITE, MAP_SHARED, &size);

		p[0] = 1;
		if (unlink(deleted) < 0)
			fail("unlink");
		printf("deleted 0x%lx %zu\n", (unsigned long)(uintptr_t)p, size);
	}

	if (bss_touch) {
		touch(bss_array, bss_touch, 0x33);
		printf("bss 0x%lx %u %lu\n", (unsigned long)(uintptr_t)bss_array, BSS_BYTES,
		       bss_touch * page_size);
	}

	if (sbrk_pages) {
		char *p = sbrk((intptr_t)(sbrk_pages * page_size));

		if (p == (void *)-1)
			fail("sbrk");
		touch(p, sbrk_pages, 0x44);
		printf("heap 0x%lx %lu\n", (unsigned long)(uintptr_t)p, sbrk_pages * page_size);
	}

	if (maps) {
		char *p = map_fenced(maps, maps_touch ? PROT_READ | PROT_WRITE : PROT_READ);

		if (maps_touch)
			touch(p, maps, 0x4d);
		/* Alternating permissions keep every page its own VMA. */
		for (unsigned long i = !maps_touch; i < maps; i += 2)
			if (mprotect(p + i * page_size, page_size,
				     maps_touch ? PROT_READ : PROT_READ | PROT_WRITE) < 0)
				fail("mprotect (is vm.max_map_count too low?)");
		printf("maps 0x%lx %lu\n", (unsigned long)(uintptr_t)p, maps);
	}

	if (thread) {
		struct thread_info ti;
		pthread_t th;
		char line[128];
		ssize_t n;
		int p[2];

		if (pipe(p) < 0)
			fail("pipe");
		ti.fd = p[1];
		errno = pthread_create(&th, NULL, thread_main, &ti);
		if (errno)
			fail("pthread_create");
		n = read(p[0], line, sizeof(line) - 1);
		if (n <= 0)
			fail("thread did not start");
		line[n] = '\0';
		fputs(line, stdout);
		close(p[0]);
	}

	if (sparse_mib) {
		size_t pages = sparse_mib * ((1u << 20) / page_size), n = 0;
		char *p = map_fenced(pages, PROT_READ | PROT_WRITE);

		if (sparse_every == 0)
			sparse_every = 1;
		for (size_t i = 0; i < pages; i += sparse_every, n++)
			p[i * page_size] = 0x55;
		printf("sparse 0x%lx %zu %zu\n", (unsigned long)(uintptr_t)p, pages * page_size,
		       n * page_size);
	}

	if (top_pages) {
		/* two pages on each side of 2^47 - 64 KiB: where a scan of the
		 * low address space ends, and user space goes on above it */
		uintptr_t at = ((uintptr_t)1 << 47) - (1u << 16) - 2 * page_size;
		char *p = mmap((void *)at, 4 * page_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (p == MAP_FAILED || (uintptr_t)p != at) {
			printf("top 0 0 0\n"); /* the stack or a library is there */
		} else {
			p[0] = 0x77;
			p[3 * page_size] = 0x77;
			printf("top 0x%lx %zu %zu\n", (unsigned long)at, 4 * page_size, 2 * page_size);
		}
	}

	if (zero_pages) {
		char *p = map_fenced(zero_pages, PROT_READ);
		unsigned sum = 0;

		for (size_t i = 0; i < zero_pages; i++)
			sum += (unsigned char)((volatile char *)p)[i * page_size];
		printf("zero 0x%lx %lu %u\n", (unsigned long)(uintptr_t)p, zero_pages * page_size, sum);
	}

	if (thp_mib) {
		size_t huge = 2u << 20, len = thp_mib << 20;
		char *base = mmap(NULL, len + 2 * huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *p;

		if (base == MAP_FAILED)
			fail("mmap");
		p = (char *)(((uintptr_t)base + huge) & ~(uintptr_t)(huge - 1));
		if (mprotect(p, len, PROT_READ | PROT_WRITE) < 0)
			fail("mprotect");
		if (madvise(p, len, MADV_HUGEPAGE) < 0)
			fail("madvise(MADV_HUGEPAGE)");
		for (size_t i = 0; i < len; i += page_size)
			p[i] = 0x66;
		printf("thp 0x%lx %zu\n", (unsigned long)(uintptr_t)p, len);
		if (thp_split && len > huge) {
			if (mprotect(p + huge + page_size, page_size, PROT_READ) < 0)
				fail("mprotect");
			printf("thpsplit 0x%lx\n", (unsigned long)(uintptr_t)(p + huge + page_size));
		}
	}

	if (guard_pages) {
		size_t g = guard_pages / 2 ? guard_pages / 2 : 1;
		char *p = map_fenced(guard_pages, PROT_READ | PROT_WRITE);

		touch(p, guard_pages, 0x77);
		if (madvise(p + (guard_pages - g) / 2 * page_size, g * page_size,
			    MADV_GUARD_INSTALL) < 0)
			printf("guard 0 0 0\n");
		else
			printf("guard 0x%lx %lu %zu\n", (unsigned long)(uintptr_t)p,
			       guard_pages * page_size, g * page_size);
	}

	if (turns)
		map_turns(turns);

	if (refs_pages) {
		refs = map_fenced(refs_pages, PROT_READ | PROT_WRITE);
		touch(refs, refs_pages, 0x12);
		if (refs_touch > refs_pages)
			refs_touch = refs_pages;
		printf("refs 0x%lx %lu %lu\n", (unsigned long)(uintptr_t)refs, refs_pages * page_size,
		       refs_touch * page_size);
	}

	if (fl.anon_pages) {
		fl.anon = map_fenced(fl.anon_pages, PROT_READ | PROT_WRITE);
		printf("fanon 0x%lx %lu\n", (unsigned long)(uintptr_t)fl.anon,
		       fl.anon_pages * page_size);
	}
	if (fault_file) {
		struct stat st;

		fl.file_fd = open(fault_file, O_RDONLY | O_CLOEXEC);
		if (fl.file_fd < 0 || fstat(fl.file_fd, &st) < 0)
			fail(fault_file);
		if (fl.file_pages > (size_t)st.st_size / page_size)
			fl.file_pages = (size_t)st.st_size / page_size;
		fl.file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fl.file_fd, 0);
		if (fl.file == MAP_FAILED)
			fail("mmap fault file");
		/* One page per fault: no readahead to turn the next ones minor. */
		if (madvise(fl.file, (size_t)st.st_size, MADV_RANDOM) < 0)
			fail("madvise(MADV_RANDOM)");
		printf("ffile 0x%lx %lu %lu\n", (unsigned long)(uintptr_t)fl.file,
		       (unsigned long)st.st_size, fl.file_pages * page_size);
	}
	if (fl.thread_n) {
		pthread_t th;
		char ch;

		if (pipe(fl.go) < 0 || pipe(fl.done) < 0)
			fail("pipe");
		errno = pthread_create(&th, NULL, fault_thread_main, &fl);
		if (errno)
			fail("pthread_create");
		if (read(fl.done[0], &ch, 1) != 1)
			fail("fault thread did not start");
	}

	if (rec.kib) {
		pthread_t th;

		if (pipe(rec.go) < 0 || pipe(rec.done) < 0)
			fail("pipe");
		/* the default attributes: a stack of RLIMIT_STACK, as a program gets */
		errno = pthread_create(&th, NULL, recurse_main, &rec);
		if (errno)
			fail("pthread_create");
		recurser_relay(&rec);
	}

	if (reserve_gib) {
		size_t len = (size_t)reserve_gib << 30;
		char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		if (p == MAP_FAILED)
			fail("mmap reserve");
		printf("reserve 0x%lx %zu\n", (unsigned long)(uintptr_t)p, len);
	}

	if (threads) {
		for (unsigned long i = 0; i < threads; i++) {
			pthread_t th;

			errno = pthread_create(&th, NULL, block_main, NULL);
			if (errno)
				fail("pthread_create");
		}
		printf("threads %lu\n", threads);
	}

	/* Last: nothing after this may need a new mapping. */
	if (maps_max) {
		unsigned long n = 0;

		for (;; n++) {
			/* Each page unlike its neighbour, so none merges. */
			int prot = n % 2 ? PROT_READ | PROT_WRITE : PROT_READ;

			if (mmap(NULL, page_size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
			    MAP_FAILED) {
				if (errno != ENOMEM)
					fail("mmap");
				break;
			}
		}
		printf("mapsmax %lu\n", n);
	}

	printf("ready\n");
	if (fflush(stdout) != 0)
		fail("stdout");
	/* a round per SIGUSR1 until killed */
	for (int round = 1; faults && round > 0; round++) {
		sigset_t usr1;
		int sig;

		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		if (sigwait(&usr1, &sig) != 0)
			fail("sigwait");
		faulter_run(&fl, round);
		if (fl.exit_after)
			_exit(0);
	}
	if (stop)
		raise(SIGSTOP);
	if (rec.kib) {
		if (write(rec.go[1], "g", 1) != 1)
			fail("write");
		recurser_relay(&rec);
		raise(SIGSTOP);
	}
	while (refs) {
		unsigned sum = 0;

		for (size_t i = 0; i < refs_touch; i++)
			sum += (unsigned char)((volatile char *)refs)[i * page_size];
		printf("touched %u\n", sum);
		if (fflush(stdout) != 0)
			fail("stdout");
		raise(SIGSTOP);
	}
	for (;;)
		pause();
}
