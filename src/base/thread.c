/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads that run beside the one that starts them. Linux puts a new
 * thread on its creator's CPU, where it waits until the creator blocks or
 * the load balancer moves it (measured here: 0.5 to 3 ms with the other
 * CPU idle), longer than reading all of a small process's smaps takes. A
 * thread that must start now is started on another CPU allowed to the
 * caller; once placed there it is given the caller's whole set, so the
 * scheduler stays free to move it. The creator places it, the thread widens
 * its own set (apart_main), and neither allocates for the other: a new
 * thread's first free() or malloc() makes it a malloc arena of its own
 * (system calls and page faults on its way to its first read).
 */
#include "config.h"

#include "base/thread.h"

#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/parse.h"
#include "base/prefault.h"
#include "base/readahead.h"

/*
 * A thread started apart runs on a stack mapped here, not on one of
 * glibc's: a thread on a glibc stack gives that stack's pages back as it
 * ends (MADV_DONTNEED of all but its top), which sends a TLB shootdown to
 * the CPU its caller runs on, 80 to 100 us of the caller's time on a
 * virtual machine. A stack of this file's is left alone by glibc, and kept
 * once its thread is joined (thread_join_apart), for the next thread
 * started apart, which finds its pages there: unmapping a stack costs a
 * TLB flush and a shadow page table's entries dropped one by one (50 to
 * 100 us on such a machine), while a process that exits soon after (a
 * report) gives them all back at its exit for a fraction of that.
 * APART_SPARE are kept, the others unmapped. The same size as glibc's (its
 * default), with a guard page below; a few threads at a time, or a glibc
 * stack.
 */
#define APART_STACKS 8
#define APART_SPARE 2

static struct {
	pthread_mutex_t lock;
	unsigned n;
	struct apart_stack {
		void *base; /* the guard page's */
		size_t len;
		bool started; /* thread is its thread's */
		bool spare;   /* no thread's: kept for the next */
		unsigned long kept; /* when, as a spare: the last kept goes first */
		pthread_t thread;
		/* what its thread runs (apart_main): fn(arg), once its set,
		 * placed without CPU off, is widened to allowed */
		void *(*fn)(void *);
		void *arg;
		cpu_set_t allowed;
		int off;
	} s[APART_STACKS];
	unsigned long kept;
} stacks = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The table's entry of the stack at base, or NULL; stacks.lock held. */
static struct apart_stack *stack_at(const void *base)
{
	for (unsigned i = 0; i < stacks.n; i++)
		if (stacks.s[i].base == base)
			return &stacks.s[i];
	return NULL;
}

/*
 * The table's entry of the stack at base, or of the one thread runs on
 * (base NULL), taken out of the table; base NULL in the entry if there is
 * none.
 */
static struct apart_stack stack_take(const void *base, const pthread_t *thread)
{
	struct apart_stack st = { 0 };

	pthread_mutex_lock(&stacks.lock);
	for (unsigned i = 0; i < stacks.n; i++) {
		if (base ? stacks.s[i].base == base
			 : stacks.s[i].started && pthread_equal(stacks.s[i].thread, *thread)) {
			st = stacks.s[i];
			stacks.s[i] = stacks.s[--stacks.n];
			break;
		}
	}
	pthread_mutex_unlock(&stacks.lock);
	return st;
}

/* The stack at base, of no thread: out of the table and unmapped. */
static void stack_unmap(void *base)
{
	struct apart_stack st = stack_take(base, NULL);

	if (st.base)
		munmap(st.base, st.len);
}

/*
 * The stack of len bytes kept last, now attr's thread's: its base, or
 * NULL. The last kept, whose pages were used last, is the likeliest to be
 * in memory and in the TLB.
 */
static void *spare_into(pthread_attr_t *attr, size_t len, size_t guard)
{
	struct apart_stack *last = NULL;
	void *m = NULL;

	pthread_mutex_lock(&stacks.lock);
	for (unsigned i = 0; i < stacks.n; i++) {
		struct apart_stack *st = &stacks.s[i];

		if (st->spare && st->len == len && (!last || st->kept > last->kept))
			last = st;
	}
	if (last) {
		last->spare = false;
		m = last->base;
	}
	pthread_mutex_unlock(&stacks.lock);
	if (m && pthread_attr_setstack(attr, (char *)m + guard, len - guard) != 0) {
		stack_unmap(m);
		m = NULL;
	}
	return m;
}

/* A stack for attr's thread, in the table: its base, or NULL (attr as it
 * was) if the table is full or there is no memory. */
static void *stack_into(pthread_attr_t *attr)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE), size;
	bool room;
	void *m;

	if (pthread_attr_getstacksize(attr, &size) != 0)
		return NULL;
	m = spare_into(attr, size + guard, guard);
	if (m)
		return m;
	m = mmap(NULL, size + guard, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	pthread_mutex_lock(&stacks.lock);
	room = stacks.n < APART_STACKS;
	if (room)
		stacks.s[stacks.n++] = (struct apart_stack){ .base = m, .len = size + guard };
	pthread_mutex_unlock(&stacks.lock);
	if (!room || mprotect((char *)m + guard, size, PROT_READ | PROT_WRITE) != 0 ||
	    pthread_attr_setstack(attr, (char *)m + guard, size) != 0) {
		if (room)
			stack_unmap(m);
		else
			munmap(m, size + guard);
		return NULL;
	}
	return m;
}

/* The table's stack at base is thread's. */
static void stack_started(void *base, pthread_t thread)
{
	struct apart_stack *st;

	pthread_mutex_lock(&stacks.lock);
	st = stack_at(base);
	if (st) {
		st->started = true;
		st->thread = thread;
	}
	pthread_mutex_unlock(&stacks.lock);
}

/* The stack of a thread joined, kept in the table for the next thread,
 * unless APART_SPARE are: then unmapped (no CPU runs it: no shootdown). */
static void stack_keep(struct apart_stack st)
{
	unsigned spares = 0;
	bool kept;

	pthread_mutex_lock(&stacks.lock);
	for (unsigned i = 0; i < stacks.n; i++)
		spares += stacks.s[i].spare;
	kept = spares < APART_SPARE && stacks.n < APART_STACKS;
	if (kept)
		stacks.s[stacks.n++] = (struct apart_stack){ .base = st.base, .len = st.len,
							      .spare = true,
							      .kept = ++stacks.kept };
	pthread_mutex_unlock(&stacks.lock);
	if (!kept)
		munmap(st.base, st.len);
}

/* The table's stack at base is to run fn(arg), its set widened from
 * allowed without off to allowed (apart_main). */
static void stack_runs(void *base, void *(*fn)(void *), void *arg, const cpu_set_t *allowed,
		       int off)
{
	struct apart_stack *st;

	pthread_mutex_lock(&stacks.lock);
	st = stack_at(base);
	if (st) {
		st->fn = fn;
		st->arg = arg;
		st->allowed = *allowed;
		st->off = off;
	}
	pthread_mutex_unlock(&stacks.lock);
}

/*
 * What a thread placed apart on the table's stack at base runs first: its
 * set widened to its creator's whole set by itself, then its function.
 * Widened by the creator, the call waited on the other CPU (a remote
 * thread's set: 30 to 70 us of the creator's time here, on its way to a
 * report's first read); the thread's own call moves nothing, as it runs on
 * a CPU of the set. A set changed before the thread began
 * (thread_watch_move) is left as it is. Its entry stays in the table until
 * it is joined (thread_join_apart). A thread on a stack of glibc's has no
 * entry: its creator widens its set, as before.
 */
static void *apart_main(void *base)
{
	void *(*fn)(void *) = NULL;
	void *arg = NULL;
	cpu_set_t allowed, placed, now;
	const struct apart_stack *st;

	CPU_ZERO(&allowed);
	CPU_ZERO(&placed);
	pthread_mutex_lock(&stacks.lock);
	st = stack_at(base);
	if (st) {
		fn = st->fn;
		arg = st->arg;
		allowed = placed = st->allowed;
		CPU_CLR(st->off, &placed);
	}
	pthread_mutex_unlock(&stacks.lock);
	if (pthread_getaffinity_np(pthread_self(), sizeof(now), &now) == 0 &&
	    CPU_EQUAL(&now, &placed))
		(void)pthread_setaffinity_np(pthread_self(), sizeof(allowed), &allowed);
	return fn(arg);
}

void *thread_join_apart(pthread_t thread)
{
	struct apart_stack st;
	void *ret = NULL;

	/* not joined, the thread may still run on its stack: its entry is
	 * left in the table; joined, it has read its entry (apart_main) */
	if (pthread_join(thread, &ret) != 0)
		return NULL;
	st = stack_take(NULL, &thread);
	if (st.base)
		stack_keep(st);
	return ret;
}

static int create_apart(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	cpu_set_t allowed;
	int cpu = sched_getcpu();

	/* one CPU allowed (taskset), more than cpu_set_t holds, a system
	 * call filter that refuses affinity: a thread as any other */
	if (cpu >= 0 && cpu < CPU_SETSIZE &&
	    pthread_getaffinity_np(pthread_self(), sizeof(allowed), &allowed) == 0 &&
	    CPU_ISSET(cpu, &allowed) && CPU_COUNT(&allowed) > 1) {
		cpu_set_t others = allowed;
		pthread_attr_t attr;
		int r = -1;

		CPU_CLR(cpu, &others);
		if (pthread_attr_init(&attr) == 0) {
			void *stack = stack_into(&attr);

			if (stack)
				stack_runs(stack, fn, arg, &allowed, cpu);
			if (pthread_attr_setaffinity_np(&attr, sizeof(others), &others) == 0)
				r = stack ? pthread_create(thread, &attr, apart_main, stack)
					  : pthread_create(thread, &attr, fn, arg);
			if (stack && r == 0)
				stack_started(stack, *thread);
			else if (stack)
				stack_unmap(stack);
			pthread_attr_destroy(&attr);
			/* placed: widening its set does not move it */
			if (r == 0 && !stack)
				(void)pthread_setaffinity_np(*thread, sizeof(allowed), &allowed);
		}
		if (r == 0)
			return 0;
	}
	return pthread_create(thread, NULL, fn, arg);
}

/*
 * The early thread (thread_early_start): polled until it is given a
 * function or EARLY_POLL_NS have passed, then asleep. state goes from
 * EARLY_NONE to EARLY_WAITING, then to EARLY_GIVEN or EARLY_ENDED, once a
 * process; it is read without the lock by the poll.
 */
enum { EARLY_NONE, EARLY_WAITING, EARLY_GIVEN, EARLY_ENDED };
#define EARLY_POLL_NS 1000000

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	void *(*fn)(void *);
	void *arg;
	int state;
} early = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* Whether the early thread has not been given its function yet. */
static bool early_waiting(void)
{
	return __atomic_load_n(&early.state, __ATOMIC_ACQUIRE) == EARLY_WAITING;
}

static void *early_main(void *unused)
{
	int64_t t0;
	bool given;

	(void)unused;
	/* the code the creator is about to run, mapped meanwhile */
	prefault_code(early_waiting);
	t0 = mono_ns();
	while (early_waiting() && mono_ns() - t0 < EARLY_POLL_NS)
		sched_yield();
	pthread_mutex_lock(&early.lock);
	while (early.state == EARLY_WAITING)
		pthread_cond_wait(&early.cond, &early.lock);
	given = early.state == EARLY_GIVEN;
	pthread_mutex_unlock(&early.lock);
	return given ? early.fn(early.arg) : NULL;
}

void thread_early_start(void)
{
	pthread_mutex_lock(&early.lock);
	if (early.state == EARLY_NONE) {
		__atomic_store_n(&early.state, EARLY_WAITING, __ATOMIC_RELEASE);
		if (create_apart(&early.thread, early_main, NULL) != 0)
			__atomic_store_n(&early.state, EARLY_ENDED, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&early.lock);
}

void thread_early_end(void)
{
	bool waiting;

	pthread_mutex_lock(&early.lock);
	waiting = early.state == EARLY_WAITING;
	if (waiting) {
		__atomic_store_n(&early.state, EARLY_ENDED, __ATOMIC_RELEASE);
		pthread_cond_signal(&early.cond);
	}
	pthread_mutex_unlock(&early.lock);
	if (waiting)
		(void)thread_join_apart(early.thread);
}

int thread_create_apart(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_mutex_lock(&early.lock);
	if (early.state == EARLY_WAITING) {
		early.fn = fn;
		early.arg = arg;
		*thread = early.thread;
		__atomic_store_n(&early.state, EARLY_GIVEN, __ATOMIC_RELEASE);
		pthread_cond_signal(&early.cond);
		pthread_mutex_unlock(&early.lock);
		return 0;
	}
	pthread_mutex_unlock(&early.lock);
	return create_apart(thread, fn, arg);
}

void thread_watch_start(struct thread_watch *tw, pthread_t thread, int64_t after_ns,
			int64_t window_ns)
{
	tw->thread = thread;
	tw->after_ns = after_ns;
	tw->window_ns = window_ns;
	tw->on = pthread_getcpuclockid(thread, &tw->clock) == 0;
	thread_watch_wait(tw);
}

void thread_watch_wait(struct thread_watch *tw)
{
	tw->w0 = 0;
	tw->c0 = -1;
}

bool thread_watch_starved(struct thread_watch *tw, int64_t t0, int64_t now)
{
	int64_t c;

	if (!tw->on || now - t0 < tw->after_ns || now - tw->w0 < tw->window_ns)
		return false;
	c = clock_ns(tw->clock);
	if (c < 0)
		return false;
	if (tw->c0 >= 0 && (c - tw->c0) * 2 < now - tw->w0)
		return true;
	tw->w0 = now;
	tw->c0 = c;
	return false;
}

void thread_watch_sleep(struct thread_watch *tw, pthread_cond_t *cond, pthread_mutex_t *lock)
{
	struct timespec ts;

	if (!tw->on || clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		pthread_cond_wait(cond, lock);
		return;
	}
	ts.tv_sec += tw->window_ns / 1000000000;
	ts.tv_nsec += tw->window_ns % 1000000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	(void)pthread_cond_timedwait(cond, lock, &ts);
}

void thread_watch_begins(struct thread_watch *tw)
{
	__atomic_store_n(&tw->tid, gettid(), __ATOMIC_RELEASE);
}

/*
 * The CPU the kernel has thread tid of this process on: field 39 of its
 * stat, 36 spaces after field 3; -1 if it cannot be had. The
 * kernel's, not one the thread said: a thread that waits for its CPU is
 * the one the load balancer moves, and it has not run since.
 */
static int thread_cpu(pid_t tid)
{
	char path[48], buf[1024];
	const char *p, *end;
	uint64_t cpu;
	ssize_t n;
	int fd, spaces = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	n = procfile_read_retry(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -1;
	end = buf + n;
	p = parse_stat_state(buf, (size_t)n);
	while (p && p < end && spaces < 36)
		if (*p++ == ' ')
			spaces++;
	if (!p || spaces < 36 || parse_dec_u64(&p, end, &cpu) < 0 || cpu >= CPU_SETSIZE)
		return -1;
	return (int)cpu;
}

void thread_watch_move(struct thread_watch *tw)
{
	int cpu = sched_getcpu();
	pid_t tid = __atomic_load_n(&tw->tid, __ATOMIC_ACQUIRE);
	cpu_set_t to;

	tw->on = false;
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return;
	if (tid <= 0 || thread_cpu(tid) != cpu) {
		CPU_ZERO(&to);
		CPU_SET(cpu, &to);
	} else {
		/* both on the busy CPU: the thread to the others */
		if (pthread_getaffinity_np(tw->thread, sizeof(to), &to) != 0)
			return;
		CPU_CLR(cpu, &to);
		if (CPU_COUNT(&to) == 0)
			return;
	}
	(void)pthread_setaffinity_np(tw->thread, sizeof(to), &to);
}
