/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faults-loop ROUNDS MIB [DELAY_MS]: a loop that does nothing but take page
 * faults. It waits DELAY_MS (for a sampler to attach), then ROUNDS times maps
 * MIB MiB of anonymous memory, writes one byte a page and unmaps it, and
 * prints the seconds the rounds took and the faults they took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static unsigned long arg(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "faults-loop: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long rounds, mib, delay = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len;
	struct rusage a, b;
	double t0, t1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: faults-loop ROUNDS MIB [DELAY_MS]\n");
		return 2;
	}
	rounds = arg(argv[1]);
	mib = arg(argv[2]);
	if (argc == 4)
		delay = arg(argv[3]);
	len = mib << 20;
	/* every fault a 4 KiB page, not a huge page */
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	usleep((useconds_t)(delay * 1000));
	getrusage(RUSAGE_SELF, &a);
	t0 = now();
	for (unsigned long r = 0; r < rounds; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (size_t i = 0; i < len; i += page)
			((volatile char *)p)[i] = 1;
		munmap(p, len);
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &b);
	printf("%.3f %ld\n", t1 - t0, b.ru_minflt - a.ru_minflt);
	return 0;
}
