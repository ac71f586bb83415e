/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread_create_apart: the thread runs its function with its argument and
 * returns its value; once running it may run on every CPU its creator may;
 * with one CPU allowed, and where a system call filter refuses to set an
 * affinity (as vmscope-serve's unit does), it is a thread as any other.
 * The last two in a child, whose CPUs and filter do not outlive it.
 * The thread looks at its CPUs only once thread_create_apart has returned:
 * before that it may run with the narrower set it was started on.
 * thread_early_start: the first thread_create_apart after it runs its
 * function on the thread started early (one listed in /proc/self/task
 * before the call), whether that thread still polls or sleeps by then; the
 * next call starts a thread of its own; thread_early_end ends and joins an
 * early thread nobody took, and a process has one early thread at most.
 * Each in a child, as the early thread is once a process.
 */
#include "config.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdbool.h>
#include <time.h>

#include "base/thread.h"

struct seen {
	sem_t created;
	int arg;
	cpu_set_t allowed;
	int allowed_r;
	pid_t tid;
};

static void *note(void *p)
{
	struct seen *s = p;

	while (sem_wait(&s->created) < 0)
		;
	s->arg++;
	s->tid = (pid_t)syscall(SYS_gettid);
	s->allowed_r = pthread_getaffinity_np(pthread_self(), sizeof(s->allowed), &s->allowed);
	return s;
}

/* Starts a thread apart and checks what it saw: it ran once, on `want`. */
static void run_apart(const cpu_set_t *want)
{
	struct seen s = { .arg = 41 };
	pthread_t t;
	void *ret = NULL;

	assert_int_equal(sem_init(&s.created, 0, 0), 0);
	assert_int_equal(thread_create_apart(&t, note, &s), 0);
	assert_int_equal(sem_post(&s.created), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, &s);
	assert_int_equal(s.arg, 42);
	assert_int_equal(s.allowed_r, 0);
	assert_true(CPU_EQUAL(&s.allowed, want));
	sem_destroy(&s.created);
}

static void self_allowed(cpu_set_t *set)
{
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(*set), set), 0);
}

static void test_runs_anywhere_after(void **state)
{
	cpu_set_t all;

	(void)state;
	self_allowed(&all);
	run_apart(&all);
}

/* Runs fn in a child; the child's exit status must be 0. */
static void in_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void one_cpu(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		_exit(10);
	run_apart(&one);
}

static void test_one_cpu(void **state)
{
	(void)state;
	in_child(one_cpu);
}

static void refused(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sched_setaffinity, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	cpu_set_t all;

	self_allowed(&all);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(10);
	/* the filter is in force */
	if (sched_setaffinity(0, sizeof(all), &all) == 0 || errno != EPERM)
		_exit(11);
	run_apart(&all);
}

static void test_affinity_refused(void **state)
{
	(void)state;
	in_child(refused);
}

/* The ids of this process's threads, up to n of them; how many there are. */
static size_t list_tasks(pid_t *ids, size_t n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t k = 0;

	if (!d)
		_exit(40);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			if (k < n)
				ids[k] = (pid_t)strtol(de->d_name, NULL, 10);
			k++;
		}
	closedir(d);
	return k;
}

static bool listed(pid_t tid, const pid_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == tid)
			return true;
	return false;
}

/* Until this process has `want` threads (an ended thread may be listed a
 * moment after its join); whether it came within a second. */
static bool tasks_become(size_t want)
{
	pid_t ids[8];

	for (int i = 0; i < 1000; i++) {
		if (list_tasks(ids, 8) == want)
			return true;
		(void)nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return false;
}

/* thread_create_apart in a child: 0, or the step that went wrong (50 + n). */
static int apart_in_child(struct seen *s, const cpu_set_t *want)
{
	pthread_t t;
	void *ret = NULL;

	s->arg = 41;
	s->tid = 0;
	if (sem_init(&s->created, 0, 0) < 0)
		return 51;
	if (thread_create_apart(&t, note, s) != 0)
		return 52;
	if (sem_post(&s->created) < 0 || pthread_join(t, &ret) != 0)
		return 53;
	sem_destroy(&s->created);
	if (ret != s || s->arg != 42 || s->allowed_r != 0)
		return 54;
	if (!CPU_EQUAL(&s->allowed, want))
		return 55;
	return 0;
}

static void early_taken_after(unsigned sleep_ms)
{
	struct seen s;
	cpu_set_t all;
	pid_t before[8];
	size_t n;
	int r;

	if (pthread_getaffinity_np(pthread_self(), sizeof(all), &all) != 0)
		_exit(20);
	thread_early_start();
	n = list_tasks(before, 8);
	if (n != 2)
		_exit(21);
	/* past its poll, the early thread sleeps */
	(void)nanosleep(&(struct timespec){ .tv_nsec = sleep_ms * 1000000L }, NULL);
	r = apart_in_child(&s, &all);
	if (r)
		_exit(r);
	if (s.tid == getpid() || !listed(s.tid, before, n))
		_exit(22); /* not the early thread */
	r = apart_in_child(&s, &all);
	if (r)
		_exit(r);
	if (listed(s.tid, before, n))
		_exit(23); /* the early thread twice */
	thread_early_end(); /* taken: nothing to end */
	if (!tasks_become(1))
		_exit(24);
}

static void early_polling(void)
{
	early_taken_after(0);
}

static void early_asleep(void)
{
	early_taken_after(20);
}

static void test_early_taken(void **state)
{
	(void)state;
	in_child(early_polling);
	in_child(early_asleep);
}

static void early_ended(void)
{
	struct seen s;
	cpu_set_t all;
	pid_t ids[8];
	int r;

	if (pthread_getaffinity_np(pthread_self(), sizeof(all), &all) != 0)
		_exit(20);
	thread_early_start();
	thread_early_start(); /* one early thread, not two */
	if (list_tasks(ids, 8) != 2)
		_exit(30);
	thread_early_end();
	if (!tasks_become(1))
		_exit(31); /* not ended, or not joined */
	thread_early_start(); /* once a process */
	if (list_tasks(ids, 8) != 1)
		_exit(32);
	r = apart_in_child(&s, &all);
	if (r)
		_exit(r);
}

static void test_early_ended(void **state)
{
	(void)state;
	in_child(early_ended);
}

/* One CPU allowed: the early thread shares it, and is taken all the same. */
static void one_cpu_early(void)
{
	cpu_set_t one;
	struct seen s;
	pid_t before[8];
	size_t n;
	int r;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		_exit(10);
	thread_early_start();
	n = list_tasks(before, 8);
	r = apart_in_child(&s, &one);
	if (r)
		_exit(r);
	if (n != 2 || !listed(s.tid, before, n))
		_exit(33);
}

static void test_one_cpu_early(void **state)
{
	(void)state;
	in_child(one_cpu_early);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_anywhere_after),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_affinity_refused),
		cmocka_unit_test(test_early_taken),
		cmocka_unit_test(test_early_ended),
		cmocka_unit_test(test_one_cpu_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
