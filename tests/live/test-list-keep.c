/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's lister (vms_lister_keep: /proc files kept open across
 * refreshes, libproc2 asked for names only when they may have changed) must
 * give the rows a full listing gives: on hostile names, after a process
 * renamed itself, rewrote its arguments or called execve, within a budget of
 * fds, closing what it kept of processes gone, and refusing smaps_rollup
 * once a process is no longer readable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "vmscope/list.h"

#define MAX_KIDS 16

/* A child: a shell reading its stdin (our pipe), or a fork of this test. */
struct kid {
	pid_t pid;
	int in;  /* its stdin */
	int out; /* its acknowledgements (forks of this test only) */
};

static struct kid kids[MAX_KIDS];
static unsigned n_kids;
static int proc_fd = -1;

static void kids_reap(void)
{
	for (unsigned i = 0; i < n_kids; i++) {
		kill(kids[i].pid, SIGKILL);
		waitpid(kids[i].pid, NULL, 0);
		close(kids[i].in);
		if (kids[i].out >= 0)
			close(kids[i].out);
	}
	n_kids = 0;
}

static int teardown(void **state)
{
	(void)state;
	kids_reap();
	return 0;
}

/* Waits until /proc/<pid>/cmdline holds want (len bytes), up to 5 s. */
/*
 * Waits until pid sleeps (state S, in its read of the next command): a row
 * compared with a later listing must not catch it still running.
 */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[512];

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 500; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		const char *p;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return;
		}
		usleep(10000);
	}
	fail_msg("pid %d never went to sleep", (int)pid);
}

static void wait_cmdline(pid_t pid, const char *want, size_t len)
{
	char path[64], buf[4096];

	(void)snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	for (int i = 0; i < 500; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

		if (fd >= 0)
			close(fd);
		if (n == (ssize_t)len && memcmp(buf, want, len) == 0)
			return;
		usleep(10000);
	}
	fail_msg("pid %d never showed the expected arguments", (int)pid);
}

/* A shell with the arguments argv (argv[0] any bytes), waiting on its stdin. */
static struct kid *spawn_shell(char *const argv[])
{
	struct kid *k = &kids[n_kids];
	char want[4096];
	size_t len = 0;
	int p[2];

	assert_true(n_kids < MAX_KIDS);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(p[0]);
	k->in = p[1];
	k->out = -1;
	n_kids++;
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		assert_true(len + l <= sizeof(want));
		memcpy(want + len, argv[i], l);
		len += l;
	}
	wait_cmdline(k->pid, want, len);
	wait_sleeping(k->pid);
	return k;
}

/* A fork of this test that obeys one-byte commands on its stdin and answers each. */
static void kid_loop(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1) {
		switch (c) {
		case 'n': /* a hostile name */
			prctl(PR_SET_NAME, "a)b (\x1b[7m\n", 0, 0, 0);
			break;
		case 'd':
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			break;
		case 'D':
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
			break;
		case 'u': /* a user of its own, still readable by that user */
			if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
				_exit(1);
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
			break;
		}
		if (write(out, &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static struct kid *spawn_fork(void)
{
	struct kid *k = &kids[n_kids];
	int in[2], out[2];

	assert_true(n_kids < MAX_KIDS);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		close(in[1]);
		close(out[0]);
		kid_loop(in[0], out[1]);
	}
	close(in[0]);
	close(out[1]);
	k->in = in[1];
	k->out = out[0];
	n_kids++;
	return k;
}

static void kid_do(struct kid *k, char c)
{
	char a;

	assert_int_equal(write(k->in, &c, 1), 1);
	assert_int_equal(read(k->out, &a, 1), 1);
	assert_int_equal(a, c);
	wait_sleeping(k->pid);
}

static const struct vms_pentry *find(const struct vms_plist *pl, pid_t pid)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->items[i].pid == pid)
			return &pl->items[i];
	return NULL;
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

/*
 * Lists into pl at an instant when each of the pids the listing has sleeps
 * (state S, waiting for its next command): a child that sleeps in read()
 * was once seen running ('R') by one listing and sleeping by the next, on a
 * busy machine, although it had been seen asleep before both. pids NULL:
 * every child of the test still alive.
 */
static void collect_at_rest(struct vms_lister *l, struct vms_plist *pl, const pid_t *pids,
			    size_t n)
{
	for (int i = 0; i < 200; i++) {
		bool rest = true;

		assert_int_equal(vms_lister_collect(l, pl), 0);
		for (size_t k = 0; k < (pids ? n : n_kids) && rest; k++) {
			const struct vms_pentry *e = find(pl, pids ? pids[k] : kids[k].pid);

			rest = !e || e->state == 'S';
		}
		if (rest)
			return;
		usleep(10000);
	}
	fail_msg("a child never slept in a listing");
}

/* The child's row in the kept listing is the row of a full listing made now. */
static void assert_rows_equal(const struct vms_plist *kept, pid_t pid)
{
	struct vms_lister *full;
	struct vms_plist pl;
	const struct vms_pentry *a, *b;

	assert_int_equal(vms_lister_new(proc_fd, true, 0, &full), 0);
	vms_plist_init(&pl);
	collect_at_rest(full, &pl, &pid, 1);
	a = find(kept, pid);
	b = find(&pl, pid);
	if (!a || !b)
		fail_msg("pid %d: in the kept listing %d, in the full one %d", (int)pid, !!a, !!b);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->state, b->state);
	assert_true(a->start_time == b->start_time);
	assert_int_equal(a->kernel_thread, b->kernel_thread);
	assert_string_equal(str(a->user), str(b->user));
	assert_string_equal(str(a->comm), str(b->comm));
	assert_string_equal(str(a->cmdline), str(b->cmdline));
	assert_int_equal(a->rollup_error, b->rollup_error);
	assert_int_equal(a->have_oom_score, b->have_oom_score);
	assert_true(a->rss <= a->vsz);
	vms_plist_release(&pl);
	vms_lister_free(full);
}

/* How many fds of this process are open on /proc/<pid>/ files (pid 0: any pid's). */
static unsigned fds_on(pid_t pid)
{
	char prefix[64], link[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	(void)snprintf(prefix, sizeof(prefix), "/proc/%d/", (int)pid);
	while ((de = readdir(d))) {
		ssize_t l = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (l <= 0)
			continue;
		link[l] = '\0';
		if (pid ? strncmp(link, prefix, strlen(prefix)) == 0
			: strncmp(link, "/proc/", 6) == 0 && link[6] >= '0' && link[6] <= '9')
			n++;
	}
	closedir(d);
	return n;
}

static struct vms_lister *keep_lister(size_t max_fds)
{
	struct vms_lister *l;

	assert_int_equal(vms_lister_new(proc_fd, true, 0, &l), 0);
	assert_int_equal(vms_lister_keep(l, max_fds), 0);
	return l;
}

static void hostile_names(void **state)
{
	static char *const a1[] = { "sl\x01" "ep", "-c", "read x", "a\tb", "c\nd", "\x7f",
				    "caf\xc3\xa9", "\xff\xfe", "\xe4\xb8\xad\xe6\x96\x87", "",
				    "x", NULL };
	static char *const a2[] = { "\x1b[31mred", "-c", "read x", "e\xcc\x81", "\xc2\x9b csi",
				    NULL };
	static char *const a3[] = { "-", "-c", "read x", NULL };
	struct kid *s1, *s2, *s3, *f;
	struct vms_lister *l = keep_lister(4096);
	struct vms_plist pl;

	(void)state;
	s1 = spawn_shell(a1);
	s2 = spawn_shell(a2);
	s3 = spawn_shell(a3);
	f = spawn_fork();
	kid_do(f, 'n');
	vms_plist_init(&pl);
	/* the first listing asks libproc2; the second uses what it kept */
	for (int round = 0; round < 2; round++) {
		collect_at_rest(l, &pl, NULL, 0);
		assert_rows_equal(&pl, s1->pid);
		assert_rows_equal(&pl, s2->pid);
		assert_rows_equal(&pl, s3->pid);
		assert_rows_equal(&pl, f->pid);
	}
	/* the arguments' bytes as written, as the report's (not libproc2's '?') */
	assert_string_equal(str(find(&pl, s1->pid)->cmdline),
			    "sl\x01" "ep -c read x a\tb c\nd \x7f caf\xc3\xa9 \xff\xfe "
			    "\xe4\xb8\xad\xe6\x96\x87  x");
	assert_string_equal(str(find(&pl, s3->pid)->cmdline), "- -c read x");
	assert_string_equal(str(find(&pl, f->pid)->comm), "a)b (\x1b[7m\n");
	vms_plist_release(&pl);
	vms_lister_free(l);
}

static void names_follow_changes(void **state)
{
	/* the shell calls execve on a shell: the same comm, other arguments */
	static char *const a[] = { "first", "-c", "read x; exec /bin/sh -c 'read y' second \"$0\"",
				   NULL };
	static const char second[] = "/bin/sh\0-c\0read y\0second\0first";
	struct vms_lister *l = keep_lister(4096);
	struct vms_plist pl;
	const struct vms_pentry *e;
	struct kid *s, *f;
	char before[64];

	(void)state;
	s = spawn_shell(a);
	f = spawn_fork();
	vms_plist_init(&pl);
	collect_at_rest(l, &pl, NULL, 0);
	assert_non_null(e = find(&pl, f->pid));
	(void)snprintf(before, sizeof(before), "%s", str(e->comm));
	assert_rows_equal(&pl, s->pid);
	assert_non_null(e = find(&pl, s->pid));
	assert_string_equal(str(e->cmdline), "first -c read x; exec /bin/sh -c 'read y' second \"$0\"");
	assert_true(fds_on(s->pid) > 0);

	kid_do(f, 'n');
	assert_int_equal(write(s->in, "\n", 1), 1);
	wait_cmdline(s->pid, second, sizeof(second));
	wait_sleeping(s->pid);
	collect_at_rest(l, &pl, NULL, 0);
	assert_rows_equal(&pl, f->pid);
	assert_rows_equal(&pl, s->pid);
	assert_string_not_equal(str(find(&pl, f->pid)->comm), before);
	/* the smaps_rollup kept from before execve is of an address space that is gone */
	assert_non_null(e = find(&pl, s->pid));
	assert_string_equal(str(e->cmdline), "/bin/sh -c read y second first");
	assert_int_equal(e->rollup_error, 0);
	assert_true(vms_counters_has(&e->rollup, VMS_MEM_RSS) && e->rollup.v[VMS_MEM_RSS] > 0);
	vms_plist_release(&pl);
	vms_lister_free(l);
}

static void fds_closed_and_budget(void **state)
{
	static char *const a[] = { "budget", "-c", "read x", NULL };
	struct vms_lister *l;
	struct vms_plist pl;
	struct kid *s;
	unsigned base = fds_on(0);

	(void)state;
	s = spawn_shell(a);
	vms_plist_init(&pl);
	l = keep_lister(4096);
	assert_int_equal(vms_lister_collect(l, &pl), 0);
	assert_int_equal(fds_on(s->pid), 5); /* stat, cmdline, smaps_rollup, status, oom_score */
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	assert_int_equal(vms_lister_collect(l, &pl), 0);
	assert_null(find(&pl, s->pid));
	assert_int_equal(fds_on(s->pid), 0);
	vms_lister_free(l);
	assert_int_equal(fds_on(0), base);

	/* beyond the budget, files are opened and closed each time: the same rows */
	for (size_t budget = 0; budget <= 6; budget += 6) {
		s = spawn_shell(a);
		l = keep_lister(budget);
		for (int round = 0; round < 2; round++) {
			collect_at_rest(l, &pl, NULL, 0);
			assert_true(fds_on(0) <= base + budget);
			assert_rows_equal(&pl, s->pid);
		}
		vms_lister_free(l);
		kids_reap();
	}
	vms_plist_release(&pl);
}

/*
 * smaps_rollup is checked when opened: a process that is no longer dumpable
 * is refused to another user's fresh open, and so must be to a kept one.
 * Run as root: a viewer and a target of uid 65534.
 */
static void refused_when_not_dumpable(void **state)
{
	struct kid *t;
	int go[2], res[2];
	pid_t viewer;
	int got[2];

	(void)state;
	if (geteuid() != 0)
		skip();
	t = spawn_fork();
	kid_do(t, 'u');
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	viewer = fork();
	assert_true(viewer >= 0);
	if (viewer == 0) {
		struct vms_lister *l;
		struct vms_plist pl;
		const struct vms_pentry *e;
		char c;

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0 ||
		    vms_lister_new(proc_fd, true, 0, &l) < 0 || vms_lister_keep(l, 4096) < 0)
			_exit(1);
		vms_plist_init(&pl);
		for (int round = 0; round < 2; round++) {
			int r = 1;

			if (round == 1 && read(go[0], &c, 1) != 1)
				_exit(1);
			if (vms_lister_collect(l, &pl) == 0 && (e = find(&pl, t->pid)))
				r = e->rollup_error;
			if (write(res[1], &r, sizeof(r)) != sizeof(r))
				_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(read(res[0], &got[0], sizeof(got[0])), sizeof(got[0]));
	kid_do(t, 'd');
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(res[0], &got[1], sizeof(got[1])), sizeof(got[1]));
	waitpid(viewer, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], -EACCES);
}

/*
 * The budget of fds the live view keeps under a limit of open files (as
 * "ulimit -n" sets it): the soft limit is raised to the hard one, 256 are
 * left for the rest, at most 4,096 kept; none kept under a limit of 256 or
 * less. Each limit is set in a child, which writes what it got.
 */
static void fd_budget_under_limits(void **state)
{
	static const struct {
		rlim_t soft, hard;
		size_t budget;
	} cases[] = {
		{ 200, 200, 0 },          /* ulimit -n 200: nothing kept */
		{ 256, 256, 0 },
		{ 257, 257, 1 },
		{ 300, 300, 44 },
		{ 100, 1000, 744 },       /* the soft limit raised to the hard one */
		{ 1024, 8192, 4096 },     /* the cap */
		{ 4352, 4352, 4096 },
		{ 4351, 4351, 4095 },
	};

	struct rlimit now;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fds[2];
		size_t got = (size_t)-1;
		pid_t pid;
		int st;

		/* a hard limit can only be lowered here */
		if (now.rlim_max != RLIM_INFINITY && cases[i].hard > now.rlim_max)
			continue;
		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct rlimit rl = { cases[i].soft, cases[i].hard };
			size_t b;

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				_exit(1);
			b = vms_lister_fd_budget();
			_exit(write(fds[1], &b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : 1);
		}
		close(fds[1]);
		if (read(fds[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
			fail_msg("limit %lu/%lu: no budget read", (unsigned long)cases[i].soft,
				 (unsigned long)cases[i].hard);
		close(fds[0]);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (got != cases[i].budget)
			fail_msg("limit %lu/%lu: a budget of %zu, not %zu", (unsigned long)cases[i].soft,
				 (unsigned long)cases[i].hard, got, cases[i].budget);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(hostile_names, teardown),
		cmocka_unit_test_teardown(names_follow_changes, teardown),
		cmocka_unit_test_teardown(fds_closed_and_budget, teardown),
		cmocka_unit_test_teardown(refused_when_not_dumpable, teardown),
		cmocka_unit_test(fd_budget_under_limits),
	};

	proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
