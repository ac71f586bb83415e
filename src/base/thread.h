/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_THREAD_H
#define VMSCOPE_BASE_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * pthread_create for a thread that should start at once beside the caller:
 * it is started on another CPU than the caller's, where it may, then lets
 * itself run anywhere. Returns what pthread_create returns.
 */
int thread_create_apart(pthread_t *thread, void *(*fn)(void *), void *arg);
/*
 * pthread_join for a thread of thread_create_apart(), which may run on a
 * stack of thread.c's own (no TLB shootdown of the caller's CPU as it
 * ends, which glibc's stacks cost): kept once joined for the next thread
 * started apart (two such at most, the others unmapped). Returns what the
 * thread returned (NULL if it could not be joined).
 */
void *thread_join_apart(pthread_t thread);

/*
 * A thread apart started now, for the first thread_create_apart() after
 * it, which gives it its function instead of starting a thread: a new
 * thread begins on a vCPU woken from idle 0.1 to 0.2 ms after
 * pthread_create() returns, longer than vmscope takes from its start to
 * its first read of smaps; started early, it has begun by then. Until
 * given its function it reads the program's code in for the caller
 * (prefault_code), then polls (sched_yield) for up to 1 ms, then sleeps.
 * Once a process: a call after the first does nothing.
 */
void thread_early_start(void);
/* The early thread ended and joined, if no thread_create_apart() took it. */
void thread_early_end(void);

/*
 * A thread the caller waits for, watched: whether it waits for its CPU.
 * Started apart, a thread stays on the CPU it was put on while that CPU
 * runs it; when another program keeps that CPU busy, the thread gets its
 * turn only every slice or so (1.5 to 3 ms here) while the caller's CPU
 * idles in its wait, until the load balancer moves the thread, if it does.
 * So the caller, once a wait has lasted after_ns, reads the thread's CPU
 * clock, and again window_ns later: a thread that ran less than half that
 * time is starved, and is moved (thread_watch_move): onto the caller's CPU,
 * which idles in the wait, unless the kernel has the thread there (a caller
 * woken onto the thread's busy CPU, as under load): then off it. The first read of
 * the clock waits after_ns, as most waits end sooner: the clock of another
 * thread is a system call.
 * The window is the caller's: a thread woken from sleep, or new, on a
 * vCPU woken from idle, looks starved for its first 100 to 500 us, and a
 * thread asleep looks starved all along (its clock stands still). A vCPU
 * the host runs slower does not show (no steal time is seen then).
 */
struct thread_watch {
	pthread_t thread;
	clockid_t clock;
	bool on;        /* watched: its clock could be had, not moved yet */
	int64_t after_ns, window_ns;
	int64_t w0, c0; /* the window: when it began, the thread's clock then */
	pid_t tid;      /* the thread's id once it said it (thread_watch_begins), 0 before */
};

/* Watches thread (on unless its clock cannot be had). */
void thread_watch_start(struct thread_watch *tw, pthread_t thread, int64_t after_ns,
			int64_t window_ns);
/* A wait begins: the window starts again at the first look. */
void thread_watch_wait(struct thread_watch *tw);
/*
 * In a wait that began at t0, now (CLOCK_MONOTONIC, ns): whether the
 * thread ran less than half of the last window_ns or more. False once
 * moved.
 */
bool thread_watch_starved(struct thread_watch *tw, int64_t t0, int64_t now);
/*
 * A sleep on cond, lock held, in a wait for the thread: while the watch is
 * on, until its next look at the latest (window_ns), so that a thread that
 * waits for its CPU is still found by a caller that stopped polling (its
 * poll may end before the watch has decided: the caller itself may wait
 * for its CPU on a busy machine); a plain wait otherwise. cond uses
 * CLOCK_REALTIME, the default (a jump of it only makes one look early or
 * late).
 */
void thread_watch_sleep(struct thread_watch *tw, pthread_cond_t *cond, pthread_mutex_t *lock);
/*
 * Called by the watched thread as it begins: its id, by which
 * thread_watch_move asks the kernel where the thread is. The watch must be
 * zeroed before the thread starts.
 */
void thread_watch_begins(struct thread_watch *tw);
/*
 * For the rest of its life, the thread onto the caller's CPU; or, if the
 * kernel has it there (the CPU it runs on, waits on, or last ran on: field
 * 39 of its stat), onto the CPUs it may run on but that one (left as it is
 * if there are none); the watch ends. A thread that has not said its id
 * goes onto the caller's CPU. The thread must not have ended (its id may
 * be another's then).
 */
void thread_watch_move(struct thread_watch *tw);

#endif
