/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How long a read of FILE (16 KiB at a time, as vmscope's reader reads
 * smaps) takes, timed inside one process, so that no fork or exec is in
 * the figures (bench/paired.sh):
 *
 *   thread-read FILE N          in the process's first thread and in a
 *                               thread it makes, N reads of each taking
 *                               turns: "first thread 1.16, a made thread 1.19"
 *   thread-read --cpus FILE N   pinned to each CPU it may use (the first 8),
 *                               N reads on each: "cpu0 1.16, cpu1 1.52"
 *
 * Medians in ms. On some virtual machines the two threads, or the CPUs,
 * differ for minutes at a time (README, Speed, the sixteenth round):
 * vmscope reads smaps on a thread of its own, started on another CPU than
 * the one it starts on, and `cat` on its first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/median.h"

#define CPUS_MAX 8

static const char *file;
static char buf[16384];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* one read of the whole file; its time in ms into *arg (double) */
static void *read_all(void *arg)
{
	double t0 = now_ms();
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "thread-read: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	*(double *)arg = now_ms() - t0;
	return NULL;
}

static int threads(double *first, double *made, long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;

		read_all(&first[i]);
		if (pthread_create(&t, NULL, read_all, &made[i]) != 0) {
			fputs("thread-read: no thread\n", stderr);
			return 1;
		}
		pthread_join(t, NULL);
	}
	printf("first thread %.2f, a made thread %.2f\n", bench_median(first, (size_t)n), bench_median(made, (size_t)n));
	return 0;
}

static int cpus(double *times, long n)
{
	cpu_set_t allowed, one;
	int shown = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		fprintf(stderr, "thread-read: sched_getaffinity: %s\n", strerror(errno));
		return 1;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE && shown < CPUS_MAX; cpu++) {
		double warm;

		if (!CPU_ISSET(cpu, &allowed))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		read_all(&warm); /* the first read on a CPU woken from idle */
		for (long i = 0; i < n; i++)
			read_all(&times[i]);
		printf("%scpu%d %.2f", shown ? ", " : "", cpu, bench_median(times, (size_t)n));
		shown++;
	}
	putchar('\n');
	(void)sched_setaffinity(0, sizeof(allowed), &allowed);
	return shown ? 0 : 1;
}

int main(int argc, char **argv)
{
	bool by_cpu = argc > 1 && strcmp(argv[1], "--cpus") == 0;
	double *first, *made;
	char *end;
	long n;
	int r;

	if (argc != 3 + by_cpu || (n = strtol(argv[2 + by_cpu], &end, 10)) < 1 || *end ||
	    n > 100000) {
		fputs("usage: thread-read [--cpus] FILE N\n", stderr);
		return 2;
	}
	file = argv[1 + by_cpu];
	first = calloc((size_t)n, sizeof(*first));
	made = calloc((size_t)n, sizeof(*made));
	if (!first || !made)
		return 1;
	r = by_cpu ? cpus(first, n) : threads(first, made, n);
	free(first);
	free(made);
	return fflush(stdout) == 0 && !ferror(stdout) ? r : 1;
}
