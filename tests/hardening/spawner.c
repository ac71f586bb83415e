/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Churn for tests/hardening/test-races.sh:
 *
 *   spawner SECONDS NAME [LEAST]
 *
 * For SECONDS, and on until it has started LEAST processes and LEAST threads
 * (where fork is slow or the machine busy; five times SECONDS at most),
 * keeps up to 16 short-lived children named NAME-kid alive,
 * each mapping and writing a few pages, starting a thread and exiting after
 * 0-20 ms, and itself (named NAME) starts and joins threads that map and
 * unmap memory, so that every read of /proc races with processes, threads
 * and mappings coming and going. Prints "ready" once the churn runs and, at
 * the end, "processes P threads T seconds S".
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KIDS 16

static void fail(const char *what)
{
	fprintf(stderr, "spawner: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Maps, writes and (mostly) unmaps a few pages, then ends. */
static void *churn_thread(void *arg)
{
	size_t len = (size_t)(1 + ((unsigned long)(uintptr_t)arg & 7)) * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED) {
		memset(p, 1, len);
		munmap(p, len);
	}
	return NULL;
}

static void kid(unsigned seed, const char *name)
{
	pthread_t t;
	char *p;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_NAME, name);
	p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		memset(p, 2, (size_t)(1 + seed % 64) * 4096);
	if (pthread_create(&t, NULL, churn_thread, (void *)(uintptr_t)seed) == 0 && (seed & 1))
		pthread_join(t, NULL);
	usleep((useconds_t)(seed % 20000));
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long processes = 0, threads = 0, least = 0;
	char kid_name[16];
	double seconds, start, end, last;
	int kids = 0;
	unsigned seed = (unsigned)getpid();

	if (argc != 3 && argc != 4) {
		fputs("usage: spawner SECONDS NAME [LEAST]\n", stderr);
		return 2;
	}
	if (argc == 4)
		least = strtoul(argv[3], NULL, 10);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_NAME, argv[2]);
	snprintf(kid_name, sizeof(kid_name), "%.11s-kid", argv[2]);
	seconds = strtod(argv[1], NULL);
	start = now();
	end = start + seconds;
	last = start + 5 * seconds;
	puts("ready");
	fflush(stdout);
	for (double at = now(); at < end || ((processes < least || threads < least) && at < last);
	     at = now()) {
		pthread_t t[4];
		int started = 0;

		/* two forks at most between rounds of threads: where fork is
		 * slow (a shadow-paged VM: ms each) refilling all the kids at
		 * once left the threads a few hundred rounds in 12 s */
		for (int f = 0; f < 2 && kids < MAX_KIDS; f++) {
			pid_t pid;

			seed = seed * 1103515245u + 12345u;
			pid = fork();
			if (pid < 0)
				break;
			if (pid == 0)
				kid(seed >> 8, kid_name);
			kids++;
			processes++;
		}
		for (int i = 0; i < 4; i++)
			if (pthread_create(&t[started], NULL, churn_thread, (void *)(uintptr_t)i) == 0)
				started++;
		for (int i = 0; i < started; i++)
			pthread_join(t[i], NULL);
		threads += (unsigned long)started;
		/* Reap what ended, without waiting: with all kids busy the
		 * threads go on churning */
		while (kids > 0) {
			pid_t r = waitpid(-1, NULL, WNOHANG);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				fail("waitpid");
			}
			if (r == 0)
				break;
			kids--;
		}
	}
	while (kids > 0 && wait(NULL) > 0)
		kids--;
	printf("processes %lu threads %lu seconds %.0f\n", processes, threads, now() - start);
	return 0;
}
