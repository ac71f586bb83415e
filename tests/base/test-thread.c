/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread_create_apart: the thread runs its function with its argument and
 * returns its value; once running it may run on every CPU its creator may;
 * with one CPU allowed, and where a system call filter refuses to set an
 * affinity (as vmscope-serve's unit does), it is a thread as any other.
 * The last two in a child, whose CPUs and filter do not outlive it.
 * The thread looks at its CPUs only once thread_create_apart has returned:
 * before that it may run with the narrower set it was started on.
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

#include "base/thread.h"

struct seen {
	sem_t created;
	int arg;
	cpu_set_t allowed;
	int allowed_r;
};

static void *note(void *p)
{
	struct seen *s = p;

	while (sem_wait(&s->created) < 0)
		;
	s->arg++;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_anywhere_after),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_affinity_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
