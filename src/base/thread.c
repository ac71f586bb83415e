/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads that run beside the one that starts them. Linux puts a new
 * thread on its creator's CPU, where it waits until the creator blocks or
 * the load balancer moves it (measured here: 0.5 to 3 ms with the other
 * CPU idle), longer than reading all of a small process's smaps takes. A
 * thread that must start now is started on another CPU allowed to the
 * caller; once running it takes back the caller's whole set, so the
 * scheduler stays free to move it.
 */
#include "config.h"

#include "base/thread.h"

#include <sched.h>
#include <stdlib.h>

#include "base/xalloc.h"

struct apart {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t allowed;
};

static void *apart_main(void *p)
{
	struct apart a = *(struct apart *)p;

	free(p);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(a.allowed), &a.allowed);
	return a.fn(a.arg);
}

int thread_create_apart(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct apart *a = xmalloc(sizeof(*a));
	int cpu = sched_getcpu();

	/* one CPU allowed (taskset), more than cpu_set_t holds, a system
	 * call filter that refuses affinity: a thread as any other */
	if (cpu >= 0 && cpu < CPU_SETSIZE &&
	    pthread_getaffinity_np(pthread_self(), sizeof(a->allowed), &a->allowed) == 0 &&
	    CPU_ISSET(cpu, &a->allowed) && CPU_COUNT(&a->allowed) > 1) {
		cpu_set_t others = a->allowed;
		pthread_attr_t attr;
		int r = -1;

		CPU_CLR(cpu, &others);
		a->fn = fn;
		a->arg = arg;
		if (pthread_attr_init(&attr) == 0) {
			if (pthread_attr_setaffinity_np(&attr, sizeof(others), &others) == 0)
				r = pthread_create(thread, &attr, apart_main, a);
			pthread_attr_destroy(&attr);
		}
		if (r == 0)
			return 0;
	}
	free(a);
	return pthread_create(thread, NULL, fn, arg);
}
