/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread_create_apart: the thread runs its function with its argument and
 * returns its value (thread_join_apart); once running it may run on every
 * CPU its creator may, on a stack of thread.c's (eight at a time; then
 * glibc's), kept once it is joined for the next thread apart (two kept, the
 * others unmapped). With one CPU allowed, and where a system
 * call filter refuses to set an affinity (as vmscope-serve's unit does), it
 * is a thread as any other.
 * The last two in a child, whose CPUs and filter do not outlive it.
 * The thread looks at its CPUs only once thread_create_apart has returned:
 * before that it may run with the narrower set it was started on.
 * thread_early_start: the first thread_create_apart after it runs its
 * function on the thread started early (one listed in /proc/self/task
 * before the call), whether that thread still polls or sleeps by then; the
 * next call starts a thread of its own; thread_early_end ends and joins an
 * early thread nobody took, and a process has one early thread at most.
 * Each in a child, as the early thread is once a process.
 * prefault_code, the early thread's work while it waits: the program's
 * code is in memory after it (resident as much as mapped; this program's
 * has 256 KiB never run, below), in 64 KiB steps, each asked of go_on
 * first, none once go_on says no; the early thread does it. In a child:
 * fork leaves out the parent's page table entries of the code, which each
 * page's first run faults in again.
 * thread_watch_move: a watched thread goes onto the caller's CPU, unless the
 * kernel has it there: then onto the CPUs it may run on but that one, if it
 * has any; one that has not said its id (thread_watch_begins) goes onto the
 * caller's CPU. Where the thread began does not count, where it is does.
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

#include "base/prefault.h"
#include "base/thread.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct seen {
	sem_t created;
	int arg;
	cpu_set_t allowed;
	int allowed_r;
	pid_t tid;
	void *stack; /* the lowest address of its stack */
};

static void *note(void *p)
{
	struct seen *s = p;
	pthread_attr_t attr;

	while (sem_wait(&s->created) < 0)
		;
	s->arg++;
	s->tid = (pid_t)syscall(SYS_gettid);
	s->allowed_r = pthread_getaffinity_np(pthread_self(), sizeof(s->allowed), &s->allowed);
	s->stack = NULL;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		size_t size;

		if (pthread_attr_getstack(&attr, &s->stack, &size) != 0)
			s->stack = NULL;
		pthread_attr_destroy(&attr);
	}
	return s;
}

/* Whether the page at p is mapped (mincore fails with ENOMEM if not). */
static bool mapped(void *p)
{
	unsigned char v;

	return mincore(p, 1, &v) == 0 || errno != ENOMEM;
}

/*
 * Starts n threads apart, all running at once (each waits for its
 * semaphore until all are started), and joins them: what each saw in s.
 */
static void apart_at_once(struct seen *s, int n)
{
	pthread_t t[16];

	assert_true(n <= 16);
	for (int i = 0; i < n; i++) {
		s[i] = (struct seen){ .arg = 41 };
		assert_int_equal(sem_init(&s[i].created, 0, 0), 0);
		assert_int_equal(thread_create_apart(&t[i], note, &s[i]), 0);
	}
	for (int i = 0; i < n; i++)
		assert_int_equal(sem_post(&s[i].created), 0);
	for (int i = 0; i < n; i++) {
		assert_ptr_equal(thread_join_apart(t[i]), &s[i]);
		sem_destroy(&s[i].created);
		assert_non_null(s[i].stack);
	}
}

/* Starts a thread apart and joins it: what it saw in s. */
static void one_apart(struct seen *s)
{
	apart_at_once(s, 1);
}

/*
 * Starts a thread apart and checks what it saw: it ran once, on `want`;
 * with `own`, on a stack of thread.c's, kept once joined: the next thread
 * apart runs on the same stack, and it is still there once that one is
 * joined too.
 */
static void run_apart(const cpu_set_t *want, bool own)
{
	struct seen s, again;

	one_apart(&s);
	assert_int_equal(s.arg, 42);
	assert_int_equal(s.allowed_r, 0);
	assert_true(CPU_EQUAL(&s.allowed, want));
	if (!own)
		return;
	assert_true(mapped(s.stack));
	one_apart(&again);
	assert_ptr_equal(again.stack, s.stack);
	assert_true(mapped(s.stack));
	assert_int_equal(again.arg, 42);
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
	run_apart(&all, CPU_COUNT(&all) > 1);
}

/*
 * Nine threads apart at once: eight run on stacks of thread.c's, the ninth
 * on one of glibc's (the table holds eight); each sees the creator's whole
 * set of CPUs, the eight widened by themselves (apart_main, from their
 * entries in the table), the ninth by its creator. Once all are joined, two of
 * the eight are kept and six unmapped, and the ninth's is still mapped
 * (glibc keeps its stacks for its next thread); two threads apart at once
 * then run on the two kept, and a third on a new stack.
 */
static void test_stacks_table(void **state)
{
	struct seen s[9], next[3];
	bool kept_before[8];
	cpu_set_t all;
	unsigned unmapped = 0;

	(void)state;
	self_allowed(&all);
	if (CPU_COUNT(&all) < 2)
		skip();
	apart_at_once(s, 9);
	for (int i = 0; i < 9; i++) {
		assert_int_equal(s[i].allowed_r, 0);
		assert_true(CPU_EQUAL(&s[i].allowed, &all));
	}
	for (int i = 0; i < 8; i++) {
		kept_before[i] = mapped(s[i].stack);
		unmapped += !kept_before[i];
	}
	assert_int_equal(unmapped, 6);
	assert_true(mapped(s[8].stack));
	apart_at_once(next, 3);
	for (int i = 0; i < 3; i++) {
		unsigned kept = 0;

		for (int k = 0; k < 8; k++)
			kept += kept_before[k] && next[i].stack == s[k].stack;
		/* the first two on the stacks kept, the third on a new one */
		assert_int_equal(kept, i < 2);
	}
	assert_ptr_not_equal(next[0].stack, next[1].stack);
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
	run_apart(&one, false);
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
	run_apart(&all, false);
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
	if (sem_post(&s->created) < 0 || (ret = thread_join_apart(t)) == NULL)
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
	void *early_stack;
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
	if (CPU_COUNT(&all) > 1 && (!s.stack || !mapped(s.stack)))
		_exit(25); /* the early thread's stack is thread.c's, kept once joined */
	early_stack = s.stack;
	r = apart_in_child(&s, &all);
	if (r)
		_exit(r);
	if (listed(s.tid, before, n))
		_exit(23); /* the early thread twice */
	if (CPU_COUNT(&all) > 1 && s.stack != early_stack)
		_exit(26); /* the next thread apart runs on the stack kept last */
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

/*
 * Code never run, 256 KiB, whose pages each test takes out of the page
 * tables first (MADV_DONTNEED: a fault, or fault-around, may have mapped
 * them with the code run, a large folio of the page cache at once), so that
 * the program's code is not all in memory before the test.
 */
__asm__(".pushsection .text\n"
	".balign 4096\n"
	".globl test_thread_unrun\n"
	".hidden test_thread_unrun\n"
	"test_thread_unrun:\n"
	".fill 262144, 1, 0xcc\n"
	".popsection\n");
extern const char test_thread_unrun[];

/* The unrun code out of the page tables, its pages left in the page cache. */
static void unmap_unrun(void)
{
	if (madvise((void *)test_thread_unrun, 262144, MADV_DONTNEED) < 0)
		_exit(38);
}

/* Of the program's executable mappings (smaps, by the path of
 * /proc/self/exe): kB mapped and resident, and the 64 KiB steps they take. */
struct code_seen {
	unsigned long size_kb, rss_kb, steps;
};

static struct code_seen code_seen(void)
{
	struct code_seen seen = { 0, 0, 0 };
	char exe[4096], line[4096 + 128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	bool in = false;
	FILE *f;

	if (n <= 0)
		_exit(39);
	exe[n] = '\0';
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		_exit(40);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, kb;
		char perms[8];
		int path = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path) == 3 &&
		    path > 0) {
			line[strcspn(line, "\n")] = '\0';
			in = strchr(perms, 'x') && strcmp(line + path, exe) == 0;
			if (in)
				seen.steps += (hi - lo + 65535) / 65536;
		} else if (in && sscanf(line, "Size: %lu kB", &kb) == 1) {
			seen.size_kb += kb;
		} else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1) {
			seen.rss_kb += kb;
		}
	}
	fclose(f);
	return seen;
}

static unsigned go_on_calls;

static bool go_on_yes(void)
{
	go_on_calls++;
	return true;
}

static bool go_on_no(void)
{
	go_on_calls++;
	return false;
}

static void code_prefaulted(void)
{
	struct code_seen before, after;

	unmap_unrun();
	before = code_seen();
	if (before.size_kb < 256 || before.rss_kb >= before.size_kb)
		_exit(41);
	go_on_calls = 0;
	prefault_code(go_on_no);
	if (go_on_calls != 1)
		_exit(42);
	prefault_code(go_on_yes);
	after = code_seen();
	if (go_on_calls != 1 + before.steps)
		_exit(43);
	if (after.rss_kb != after.size_kb)
		_exit(44);
}

static void test_prefault_code(void **state)
{
	(void)state;
	in_child(code_prefaulted);
}

/* The early thread maps the code while it waits to be given a function. */
static void early_prefaults(void)
{
	struct code_seen seen;

	unmap_unrun();
	seen = code_seen();
	if (seen.rss_kb >= seen.size_kb)
		_exit(45);
	thread_early_start();
	/* it polls 1 ms, then sleeps */
	(void)nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	seen = code_seen();
	if (seen.rss_kb != seen.size_kb)
		_exit(46);
	thread_early_end();
}

static void test_early_prefaults(void **state)
{
	(void)state;
	in_child(early_prefaults);
}

/* test_watch_move's watched thread: on `on`, says its id if `say`, then
 * goes to `then` if not -1, then may run on `after`, and sleeps (where it
 * last ran) until told to end */
struct watched {
	struct thread_watch tw;
	pthread_t thread;
	int on, then;
	bool say;
	cpu_set_t after;
	sem_t ready, end;
};

/* Runs the calling thread on cpu alone: set while it runs elsewhere, the
 * affinity moves it before it returns. */
static bool run_on(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
}

static void *watched_main(void *p)
{
	struct watched *w = p;

	if (run_on(w->on)) {
		if (w->say)
			thread_watch_begins(&w->tw);
		if (w->then >= 0)
			(void)run_on(w->then);
	}
	(void)pthread_setaffinity_np(pthread_self(), sizeof(w->after), &w->after);
	sem_post(&w->ready);
	while (sem_wait(&w->end) < 0)
		;
	return NULL;
}

/* A thread watched and moved by this thread (on `here` alone): where it may
 * run after the move. */
static void moved(int on, int then, bool say, const cpu_set_t *after, cpu_set_t *to)
{
	struct watched w = { .on = on, .then = then, .say = say, .after = *after };

	assert_int_equal(sem_init(&w.ready, 0, 0), 0);
	assert_int_equal(sem_init(&w.end, 0, 0), 0);
	assert_int_equal(pthread_create(&w.thread, NULL, watched_main, &w), 0);
	while (sem_wait(&w.ready) < 0)
		;
	thread_watch_start(&w.tw, w.thread, 0, 0);
	assert_true(w.tw.on);
	assert_true(say ? w.tw.tid > 0 : w.tw.tid == 0);
	thread_watch_move(&w.tw);
	assert_false(w.tw.on);
	assert_int_equal(pthread_getaffinity_np(w.thread, sizeof(*to), to), 0);
	sem_post(&w.end);
	assert_int_equal(pthread_join(w.thread, NULL), 0);
	sem_destroy(&w.ready);
	sem_destroy(&w.end);
}

static void test_watch_move(void **state)
{
	cpu_set_t all, one, here, rest, to;
	int cpu = -1, other = -1;

	(void)state;
	self_allowed(&all);
	for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
		if (CPU_ISSET(c, &all))
			*(cpu < 0 ? &cpu : &other) = c;
	if (other < 0)
		skip();
	CPU_ZERO(&here);
	CPU_SET(cpu, &here);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(here), &here), 0);
	assert_int_equal(sched_getcpu(), cpu);
	rest = all;
	CPU_CLR(cpu, &rest);

	/* it is on the other CPU: onto this one */
	moved(other, -1, true, &all, &to);
	assert_true(CPU_EQUAL(&to, &here));
	/* it is here, where it may run with others: onto those */
	moved(cpu, -1, true, &all, &to);
	assert_true(CPU_EQUAL(&to, &rest));
	/* it began here, then went to the other CPU: onto this one */
	moved(cpu, other, true, &all, &to);
	assert_true(CPU_EQUAL(&to, &here));
	/* it began elsewhere, then came here: off this one */
	moved(other, cpu, true, &all, &to);
	assert_true(CPU_EQUAL(&to, &rest));
	/* it never said its id: here, as it may be anywhere */
	moved(cpu, -1, false, &all, &to);
	assert_true(CPU_EQUAL(&to, &here));
	/* it is here and may run nowhere else: left here */
	moved(cpu, -1, true, &here, &to);
	assert_true(CPU_EQUAL(&to, &here));
	/* it is elsewhere and now may only run there: onto this one */
	CPU_ZERO(&one);
	CPU_SET(other, &one);
	moved(other, -1, true, &one, &to);
	assert_true(CPU_EQUAL(&to, &here));

	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(all), &all), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_anywhere_after),
		cmocka_unit_test(test_stacks_table),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_affinity_refused),
		cmocka_unit_test(test_early_taken),
		cmocka_unit_test(test_early_ended),
		cmocka_unit_test(test_one_cpu_early),
		cmocka_unit_test(test_prefault_code),
		cmocka_unit_test(test_early_prefaults),
		cmocka_unit_test(test_watch_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
