/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For tests of a thread that waits for its CPU: a thread that keeps one
 * CPU busy at the highest priority of its class (a thread of normal
 * priority there runs about 1% of the time), and what can be asked of the
 * test's threads. Header-only: each test program that needs it includes it.
 */
#ifndef VMSCOPE_TESTS_SPINNER_H
#define VMSCOPE_TESTS_SPINNER_H

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct spinner {
	pthread_t thread;
	int cpu;
	int ready; /* 1 running on its CPU, -1 could not be made so */
	int stop;
};

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	cpu_set_t one;
	int ok;

	CPU_ZERO(&one);
	CPU_SET(s->cpu, &one);
	ok = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0 &&
	     setpriority(PRIO_PROCESS, (id_t)gettid(), -20) == 0;
	__atomic_store_n(&s->ready, ok ? 1 : -1, __ATOMIC_RELEASE);
	while (ok && !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		;
	return NULL;
}

/*
 * Whether this program runs under valgrind, whose threads take turns at one
 * lock that a spinner holds nearly always (a test with one did not end in
 * four minutes), and whose threads' CPU clocks run on while they sleep.
 */
static inline bool spinner_under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

/*
 * The CPU this thread runs on and another it may run on, or false (one CPU
 * allowed, or under valgrind): the test is then skipped.
 */
static inline bool spinner_cpus(int *cpu, int *other)
{
	cpu_set_t allowed;

	*cpu = sched_getcpu();
	*other = -1;
	if (spinner_under_valgrind() || *cpu < 0 ||
	    sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return false;
	for (int c = 0; c < CPU_SETSIZE && *other < 0; c++)
		if (c != *cpu && CPU_ISSET(c, &allowed))
			*other = c;
	return *other >= 0;
}

/* Starts a spinner on cpu; false if it cannot be (no right to raise its
 * priority, say): the test is then skipped. */
static inline bool spinner_start(struct spinner *s, int cpu)
{
	*s = (struct spinner){ .cpu = cpu };
	if (pthread_create(&s->thread, NULL, spinner_main, s) != 0)
		return false;
	while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
		usleep(1000);
	if (s->ready < 0) {
		pthread_join(s->thread, NULL);
		return false;
	}
	return true;
}

static inline void spinner_stop(struct spinner *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
}

/* Runs the calling thread on cpu, allowed also other: set while it runs
 * on cpu, the wider set leaves it there. */
static inline bool spinner_run_on(int cpu, int other)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return false;
	CPU_SET(other, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

/* How many threads of this process, the caller aside, may run on cpu alone. */
static inline int threads_pinned_to(int cpu)
{
	char want[32], path[300], line[256], self[16];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int n = 0;

	if (!dir)
		return -1;
	snprintf(want, sizeof(want), "Cpus_allowed_list:\t%d\n", cpu);
	snprintf(self, sizeof(self), "%d", (int)gettid());
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.' || !strcmp(d->d_name, self))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, want))
				n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/*
 * A thread that sleeps where it is until another moves it off its CPU, as a
 * thread that waits for a CPU another program keeps busy: one wait, ended
 * by a waker once the sleeper may no longer run on the CPU it sleeps on
 * (2 s at most). Not naps: a thread woken from one may be put on another
 * CPU, and the kernel would have it there.
 */
struct sleeper {
	pthread_t thread, waker;
	int cpu; /* where it sleeps, once it does; -1 before */
	sem_t wake;
};

static void *sleeper_waker(void *arg)
{
	struct sleeper *s = arg;
	cpu_set_t set;
	int k = 0;

	for (; k < 2000 && __atomic_load_n(&s->cpu, __ATOMIC_ACQUIRE) < 0; k++)
		usleep(1000);
	for (; k < 2000; k++) {
		if (s->cpu >= 0 && pthread_getaffinity_np(s->thread, sizeof(set), &set) == 0 &&
		    !CPU_ISSET(s->cpu, &set))
			break;
		usleep(1000);
	}
	sem_post(&s->wake);
	return NULL;
}

/* Makes the waker; false if it cannot be made. */
static inline bool sleeper_start(struct sleeper *s)
{
	s->cpu = -1;
	if (sem_init(&s->wake, 0, 0) != 0)
		return false;
	if (pthread_create(&s->waker, NULL, sleeper_waker, s) != 0) {
		sem_destroy(&s->wake);
		return false;
	}
	return true;
}

/* Called by the sleeper: says where it is, and sleeps until moved. */
static inline void sleeper_sleep(struct sleeper *s)
{
	struct timespec ts;

	s->thread = pthread_self();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	__atomic_store_n(&s->cpu, sched_getcpu(), __ATOMIC_RELEASE);
	while (sem_timedwait(&s->wake, &ts) < 0 && errno == EINTR)
		;
}

/* The waker joined, once the sleeper has slept. */
static inline void sleeper_end(struct sleeper *s)
{
	pthread_join(s->waker, NULL);
	sem_destroy(&s->wake);
}

#endif
