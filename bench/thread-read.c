/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread-read FILE N: how long a read of FILE (16 KiB at a time, as
 * vmscope's reader reads smaps) takes in the process's first thread and in
 * a thread it makes, N reads of each taking turns; prints the two medians
 * in ms. On some virtual machines the two differ for minutes at a time
 * (README, Speed, the sixteenth round): vmscope reads smaps on a thread of
 * its own, `cat` on its first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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
		perror(file);
		exit(1);
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	*(double *)arg = now_ms() - t0;
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double *first, *made;
	char *end;
	long n;

	if (argc != 3 || (n = strtol(argv[2], &end, 10)) < 1 || *end || n > 100000) {
		fprintf(stderr, "usage: thread-read FILE N\n");
		return 2;
	}
	file = argv[1];
	first = calloc((size_t)n, sizeof(*first));
	made = calloc((size_t)n, sizeof(*made));
	if (!first || !made)
		return 1;
	for (long i = 0; i < n; i++) {
		pthread_t t;

		read_all(&first[i]);
		if (pthread_create(&t, NULL, read_all, &made[i]) != 0) {
			fprintf(stderr, "thread-read: no thread\n");
			return 1;
		}
		pthread_join(t, NULL);
	}
	qsort(first, (size_t)n, sizeof(*first), cmp_double);
	qsort(made, (size_t)n, sizeof(*made), cmp_double);
	printf("first thread %.2f, a made thread %.2f\n", first[n / 2], made[n / 2]);
	free(first);
	free(made);
	return 0;
}
