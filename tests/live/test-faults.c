/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live tests of 'vmscope faults': a target that, on SIGUSR1, writes N new
 * pages of an anonymous mapping, reads M pages of a file mapping dropped
 * from the page cache (major faults), and has a second thread write K pages
 * of its own mapping. vmscope must place the faults in those regions and
 * threads, and its totals must equal the deltas of /proc/<pid>/stat. Also:
 * the target exiting during a run, and an unprivileged user (sampling its
 * own process without kernel samples; another user's process by counters).
 *
 * usage: test-faults VMSCOPE TARGET
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

#define N_ANON 1000
#define K_THREAD 500
#define M_FILE 64
#define FILE_PAGES 256
#define NOBODY "65534"

static const char *vmscope_bin;
static const char *target_bin;
static char tmpdir[256];
static char file_path[512];

static const char *const setpriv_nobody[] = { "setpriv", "--reuid=" NOBODY, "--regid=" NOBODY,
					      "--clear-groups", NULL };

/* ---- the target --------------------------------------------------------- */

struct target {
	struct lt_target lt;
	uint64_t anon, thread_pages, file;
	long thread_tid;
};

/* target_bin for the next target_start: another file (NULL: the one given). */
static void target_bin_swap(const char *path)
{
	static const char *given;

	if (!given)
		given = target_bin;
	target_bin = path ? path : given;
}

/* The target run through prefix (may be NULL) with args, up to its "ready". */
static void target_start(struct target *t, const char *const *prefix, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];
	uint64_t v[2];

	lt_argv(argv, prefix, target_bin, args);
	memset(t, 0, sizeof(*t));
	lt_target_start(&t->lt, argv, 0, NULL, NULL);
	(void)lt_target_read_until(&t->lt, "ready");
	if (lt_target_fact(&t->lt, "fanon", v, 1))
		t->anon = v[0];
	if (lt_target_fact(&t->lt, "ffile", v, 1))
		t->file = v[0];
	if (lt_target_fact(&t->lt, "fthread", v, 2)) {
		t->thread_tid = (long)v[0];
		t->thread_pages = v[1];
	}
	if (!t->anon)
		fail_msg("the target did not start");
}

/* SIGUSR1, then its "done" line. */
static void target_fault(struct target *t)
{
	assert_int_equal(kill(t->lt.pid, SIGUSR1), 0);
	if (!lt_target_read_until(&t->lt, "done "))
		fail_msg("the target did not finish its faults");
}

static void target_stop(struct target *t)
{
	lt_target_stop(&t->lt);
	memset(t, 0, sizeof(*t));
}

/* minflt and majflt of /proc/<pid>/stat (fields 10 and 12, after the last ')'). */
static void proc_faults(pid_t pid, uint64_t *minflt, uint64_t *majflt)
{
	char path[64], buf[1024];
	unsigned long long v[10];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt */
	assert_int_equal(sscanf(p + 2, "%*c %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
				&v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]),
			 9);
	*minflt = v[6];
	*majflt = v[8];
}

/* ---- vmscope ------------------------------------------------------------ */

/* vmscope faults OPTS... PID in the background. */
static void vmscope_start_opts(struct lt_run *r, const char *const *prefix, pid_t target,
			       const char *const *opts)
{
	char pid[16];
	const char *args[LT_ARGV_MAX] = { "faults" };
	const char *argv[LT_ARGV_MAX];
	size_t n = 1;

	snprintf(pid, sizeof(pid), "%d", (int)target);
	while (*opts && n < LT_ARGV_MAX - 2)
		args[n++] = *opts++;
	args[n++] = pid;
	args[n] = NULL;
	lt_argv(argv, prefix, vmscope_bin, args);
	lt_run_start(r, argv, 0);
}

/* vmscope faults --format json ... PID in the background. */
static void vmscope_start(struct lt_run *r, const char *const *prefix, pid_t target,
			  const char *duration)
{
	const char *opts[] = { "--format", "json", "--threads", "--duration", duration, NULL };

	vmscope_start_opts(r, prefix, target, opts);
}

/* Waits until vmscope says it is watching (its events are open). */
static void vmscope_wait_watching(struct lt_run *r)
{
	for (int i = 0; i < 500; i++) {
		char *err = lt_run_peek_err(r);
		bool ready = strstr(err, "watching") != NULL;

		free(err);
		if (ready)
			return;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			fail_msg("vmscope exited before watching");
		usleep(10000);
	}
	fail_msg("vmscope did not start watching");
}

static json_object *vmscope_finish(struct lt_run *r)
{
	json_object *o;

	lt_run_wait(r);
	o = lt_run_json(r);
	lt_run_release(r);
	return o;
}

static uint64_t get_u(json_object *o, const char *key)
{
	return (uint64_t)json_object_get_int64(lt_get(o, key));
}

/* minflt + majflt (or one of them) of the region row starting at addr; 0 without one. */
static uint64_t region_faults(json_object *rep, uint64_t addr, const char *which)
{
	json_object *r = lt_region_find(rep, addr);

	if (!r)
		return 0;
	if (which)
		return get_u(r, which);
	return get_u(r, "minflt") + get_u(r, "majflt");
}

/* The thread row of tid: its counter delta, or the sampled counts. */
static uint64_t thread_faults(json_object *rep, long tid, bool sampled)
{
	json_object *threads = lt_get(rep, "threads");

	for (size_t i = 0; i < json_object_array_length(threads); i++) {
		json_object *t = json_object_array_get_idx(threads, i), *s;

		if (json_object_get_int64(lt_get(t, "tid")) != tid)
			continue;
		s = sampled ? lt_get(t, "sampled") : t;
		return get_u(s, "minflt") + get_u(s, "majflt");
	}
	fail_msg("no thread %ld in the report", tid);
	return 0;
}

/* A target faulting once while vmscope watches; the deltas of its stat around it. */
static json_object *watch_faults(struct target *t, const char *const *prefix, uint64_t *dmin,
				 uint64_t *dmaj)
{
	uint64_t min0, maj0, min1, maj1;
	struct lt_run vm;

	vmscope_start(&vm, prefix, t->lt.pid, "2s");
	vmscope_wait_watching(&vm);
	proc_faults(t->lt.pid, &min0, &maj0);
	target_fault(t);
	proc_faults(t->lt.pid, &min1, &maj1);
	*dmin = min1 - min0;
	*dmaj = maj1 - maj0;
	return vmscope_finish(&vm);
}

/* A target faulting once while vmscope faults OPTS watches (in text); its stdout. */
static char *watch_faults_text(struct target *t, const char *const *prefix, const char *const *opts,
			       uint64_t *dmin, uint64_t *dmaj)
{
	uint64_t min0, maj0, min1, maj1;
	struct lt_run vm;
	char *out;

	vmscope_start_opts(&vm, prefix, t->lt.pid, opts);
	vmscope_wait_watching(&vm);
	proc_faults(t->lt.pid, &min0, &maj0);
	target_fault(t);
	proc_faults(t->lt.pid, &min1, &maj1);
	*dmin = min1 - min0;
	*dmaj = maj1 - maj0;
	lt_run_wait(&vm);
	assert_int_equal(vm.code, 0);
	out = strdup(vm.out);
	lt_run_release(&vm);
	return out;
}

/* v as the text writes counts: 1,234,567. */
static const char *grouped(char *buf, size_t n, uint64_t v)
{
	char tmp[32];
	size_t len = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Fails unless text holds the printf-made line (or part of one). */
__attribute__((format(printf, 2, 3))) static void assert_text_has(const char *text, const char *fmt,
								   ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (!strstr(text, want))
		fail_msg("no '%s' in:\n%s", want, text);
}

/* The counts of the row that starts with prefix (a region's address, a tid). */
static bool text_row(const char *text, const char *prefix, char *ret_row, size_t n)
{
	size_t plen = strlen(prefix);

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *p = line;
		size_t len = strcspn(line, "\n");

		while (*p == ' ')
			p++;
		if (strncmp(p, prefix, plen) == 0 && p[plen] == ' ') {
			snprintf(ret_row, n, "%.*s", (int)len, line);
			return true;
		}
	}
	return false;
}

/* The last words of a row, as numbers (commas dropped): v[0] the last. */
static unsigned row_numbers(const char *row, uint64_t *v, unsigned n)
{
	const char *e = row + strlen(row);
	unsigned k = 0;

	while (k < n) {
		const char *b;
		uint64_t x = 0;

		while (e > row && e[-1] == ' ')
			e--;
		for (b = e; b > row && b[-1] != ' '; b--)
			;
		if (b == e)
			break;
		for (const char *c = b; c < e; c++) {
			if (*c == ',')
				continue;
			if (*c < '0' || *c > '9')
				return k;
			x = x * 10 + (uint64_t)(*c - '0');
		}
		v[k++] = x;
		e = b;
	}
	return k;
}

/* ---- tests -------------------------------------------------------------- */

static void make_file(void)
{
	char buf[4096];
	int fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	for (int i = 0; i < FILE_PAGES; i++) {
		memset(buf, i, sizeof(buf));
		assert_int_equal(write(fd, buf, sizeof(buf)), (int)sizeof(buf));
	}
	/* Clean pages are the ones posix_fadvise can drop. */
	assert_int_equal(fsync(fd), 0);
	close(fd);
}

static void test_attribution(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", "--fault-file", file_path, "--fault-file-read",
					    "64", NULL };
	struct target t;
	uint64_t dmin, dmaj, anon, thr, file, file_maj, placed, total;
	json_object *rep;

	(void)state;
	make_file();
	target_start(&t, NULL, args);
	rep = watch_faults(&t, NULL, &dmin, &dmaj);

	assert_string_equal(json_object_get_string(lt_get(rep, "method")), "perf");
	assert_false(json_object_get_boolean(lt_get(rep, "exited")));
	/* the kernel's counters, as vmscope read them, and every sample */
	assert_int_equal(get_u(lt_get(rep, "totals"), "minflt"), dmin);
	assert_int_equal(get_u(lt_get(rep, "totals"), "majflt"), dmaj);
	assert_int_equal(get_u(lt_get(rep, "sampled"), "minflt"), dmin);
	assert_int_equal(get_u(lt_get(rep, "sampled"), "majflt"), dmaj);
	assert_int_equal(get_u(lt_get(rep, "sampled"), "lost"), 0);

	anon = region_faults(rep, t.anon, NULL);
	thr = region_faults(rep, t.thread_pages, NULL);
	file = region_faults(rep, t.file, NULL);
	file_maj = region_faults(rep, t.file, "majflt");
	placed = anon + thr + file;
	total = dmin + dmaj;
	if (anon < N_ANON || thr < K_THREAD || placed * 100 < total * 99)
		fail_msg("anon %" PRIu64 "/%d, thread %" PRIu64 "/%d, file %" PRIu64
			 ": %" PRIu64 " of %" PRIu64 " faults in their regions",
			 anon, N_ANON, thr, K_THREAD, file, placed, total);
	/* Each page read after the drop is a major fault, unless the file
	 * system keeps no page cache to drop (then there is nothing to check). */
	if (dmaj) {
		assert_true(file_maj >= 1);
		assert_true(file_maj * 100 >= dmaj * 99);
		assert_true(file <= M_FILE + M_FILE / 100 + 1);
	}
	/* the threads: the helper took its K pages, the main thread the rest */
	assert_true(thread_faults(rep, t.thread_tid, true) >= K_THREAD);
	assert_true(thread_faults(rep, t.thread_tid, true) * 100 <= (uint64_t)K_THREAD * 101);
	assert_true(thread_faults(rep, t.lt.pid, true) >= N_ANON + file);
	assert_int_equal(thread_faults(rep, t.thread_tid, false) + thread_faults(rep, t.lt.pid, false),
			 total);
	json_object_put(rep);
	target_stop(&t);
}

static void test_target_exits(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-exit",
					    NULL };
	struct timespec a, b;
	struct target t;
	json_object *rep;
	struct lt_run vm;
	int st;

	(void)state;
	target_start(&t, NULL, args);
	clock_gettime(CLOCK_MONOTONIC, &a);
	vmscope_start(&vm, NULL, t.lt.pid, "20s");
	vmscope_wait_watching(&vm);
	assert_int_equal(kill(t.lt.pid, SIGUSR1), 0);
	assert_int_equal(waitpid(t.lt.pid, &st, 0), t.lt.pid);
	t.lt.pid = 0;
	rep = vmscope_finish(&vm);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* it noticed, and did not wait for the 20 s */
	assert_true(b.tv_sec - a.tv_sec < 10);
	assert_true(json_object_get_boolean(lt_get(rep, "exited")));
	if (region_faults(rep, t.anon, NULL) < N_ANON)
		fail_msg("%" PRIu64 " faults in the anonymous region, expected %d",
			 region_faults(rep, t.anon, NULL), N_ANON);
	json_object_put(rep);
	target_stop(&t);
}

/* SIGINT (Ctrl-C) ends the watch early: a whole report of the faults so far. */
static void test_interrupted(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", NULL };
	struct timespec a, b;
	struct target t;
	json_object *rep;
	struct lt_run vm;

	(void)state;
	target_start(&t, NULL, args);
	clock_gettime(CLOCK_MONOTONIC, &a);
	vmscope_start(&vm, NULL, t.lt.pid, "20s");
	vmscope_wait_watching(&vm);
	target_fault(&t);
	assert_int_equal(kill(vm.pid, SIGINT), 0);
	rep = vmscope_finish(&vm);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 10);
	assert_true(json_object_get_boolean(lt_get(rep, "interrupted")));
	assert_false(json_object_get_boolean(lt_get(rep, "exited")));
	assert_true(get_u(rep, "duration_ns") < UINT64_C(10000000000));
	if (region_faults(rep, t.anon, NULL) < N_ANON)
		fail_msg("%" PRIu64 " faults in the anonymous region, expected %d",
			 region_faults(rep, t.anon, NULL), N_ANON);
	json_object_put(rep);
	target_stop(&t);
}

/* Whether uid 65534 may run the program at path (not from a clone under a
 * directory it may not enter, such as /root). */
static bool nobody_runs(const char *path)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd),
		 "setpriv --reuid=" NOBODY " --regid=" NOBODY " --clear-groups test -x '%s'", path);
	return system(cmd) == 0;
}

/* Root, setpriv, and vmscope and the target within reach of uid 65534. */
static bool can_setpriv(void)
{
	static int can = -1;

	if (can < 0) {
		can = geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0 &&
		      nobody_runs(vmscope_bin) && nobody_runs(target_bin);
		if (!can)
			print_message("# no setpriv, or uid 65534 cannot run %s or %s: its cases skipped\n",
				      vmscope_bin, target_bin);
	}
	return can;
}

static int paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

/* nobody watches nobody's process: user-space samples where the kernel allows them. */
static void test_not_root_own(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", NULL };
	struct target t;
	uint64_t dmin, dmaj;
	json_object *rep;

	(void)state;
	if (!can_setpriv())
		skip();
	target_start(&t, setpriv_nobody, args);
	rep = watch_faults(&t, setpriv_nobody, &dmin, &dmaj);
	assert_int_equal(get_u(lt_get(rep, "totals"), "minflt"), dmin);
	if (paranoid() <= 2) {
		assert_string_equal(json_object_get_string(lt_get(rep, "method")), "perf");
		assert_false(json_object_get_boolean(lt_get(lt_get(rep, "sampled"), "kernel")));
		assert_true(region_faults(rep, t.anon, NULL) >= N_ANON);
		assert_true(region_faults(rep, t.thread_pages, NULL) >= K_THREAD);
	} else {
		assert_string_equal(json_object_get_string(lt_get(rep, "method")), "counters");
	}
	json_object_put(rep);
	target_stop(&t);
}

/* nobody watches root's process: refused, so counter deltas and one line why. */
static void test_not_root_fallback(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", NULL };
	struct target t;
	uint64_t dmin, dmaj;
	json_object *rep;
	const char *why;

	(void)state;
	if (!can_setpriv())
		skip();
	target_start(&t, NULL, args);
	rep = watch_faults(&t, setpriv_nobody, &dmin, &dmaj);
	assert_string_equal(json_object_get_string(lt_get(rep, "method")), "counters");
	why = json_object_get_string(lt_get(rep, "why"));
	assert_non_null(why);
	assert_non_null(strstr(why, "Permission denied"));
	assert_true(json_object_is_type(lt_get(rep, "sampled"), json_type_null));
	assert_int_equal(get_u(lt_get(rep, "totals"), "minflt"), dmin);
	assert_int_equal(get_u(lt_get(rep, "totals"), "majflt"), dmaj);
	/* per thread, from task/<tid>/stat */
	assert_true(thread_faults(rep, t.thread_tid, false) >= K_THREAD);
	assert_true(thread_faults(rep, t.lt.pid, false) >= N_ANON);
	assert_int_equal(thread_faults(rep, t.thread_tid, false) + thread_faults(rep, t.lt.pid, false),
			 dmin + dmaj);
	json_object_put(rep);
	target_stop(&t);
}

/* The grouped number right after the first "word" in text (0 without one). */
static uint64_t number_after(const char *text, const char *word)
{
	const char *p = strstr(text, word);
	uint64_t v = 0;

	if (!p)
		fail_msg("no '%s' in:\n%s", word, text);
	for (p += strlen(word); (*p >= '0' && *p <= '9') || *p == ','; p++)
		if (*p != ',')
			v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

/* The sums of the timeline's rows ("second minor major" then a row a second). */
static void timeline_sums(const char *text, uint64_t *min, uint64_t *maj)
{
	const char *p = strstr(text, "second      minor    major\n");

	if (!p)
		fail_msg("no timeline in:\n%s", text);
	*min = *maj = 0;
	for (p = strchr(p, '\n') + 1; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
		char row[32];
		uint64_t v[2];

		/* "%6zu %10s %8s  " and the bar: the numbers are the first 26 columns */
		snprintf(row, sizeof(row), "%.26s", p);
		assert_int_equal(row_numbers(row, v, 2), 2);
		*maj += v[0];
		*min += v[1];
	}
}

/* --major, in text: the file's major faults each sampled, minor ones counted only. */
static void test_text_major(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "100", "--fault-file",
					    file_path, "--fault-file-read", "64", NULL };
	static const char *const opts[] = { "--major", "--threads", "--duration", "1s", NULL };
	char a[32], b[32], key[32], row[512];
	uint64_t dmin, dmaj, v[3];
	struct target t;
	char *out;

	(void)state;
	make_file();
	target_start(&t, NULL, args);
	out = watch_faults_text(&t, NULL, opts, &dmin, &dmaj);
	assert_text_has(out, "  pid %d  ", (int)t.lt.pid);
	assert_text_has(out, " s: %s minor, %s major faults (", grouped(a, sizeof(a), dmin),
			grouped(b, sizeof(b), dmaj));
	assert_text_has(out, "\n--major: minor faults are counted, not sampled\n");
	/* the main thread, alone: its counters' delta is the process's; major ones sampled */
	snprintf(key, sizeof(key), "%d", (int)t.lt.pid);
	if (!text_row(out, key, row, sizeof(row)))
		fail_msg("no thread %s in:\n%s", key, out);
	assert_int_equal(row_numbers(row, v, 3), 3);
	assert_int_equal(v[2], dmin);
	assert_int_equal(v[1], dmaj);
	assert_int_equal(v[0], dmaj);
	if (dmaj) {
		assert_text_has(out, "sampled %s faults (100.0%% of the kernel's count) in 1 thread\n",
				grouped(b, sizeof(b), dmaj));
		/* the file's row: every major fault, no minor one sampled */
		snprintf(key, sizeof(key), "%" PRIx64, t.file);
		if (!text_row(out, key, row, sizeof(row)))
			fail_msg("no region %s in:\n%s", key, out);
		assert_int_equal(row_numbers(row, v, 3), 3);
		assert_int_equal(v[1], dmaj);
		assert_int_equal(v[2], 0);
	} else {
		assert_text_has(out, "\nno fault was sampled\n");
	}
	free(out);
	target_stop(&t);
}

/*
 * The target exits during a watch that follows threads by scans of task/
 * (too many threads for inheritance, as the environment variable makes it):
 * the text says so and keeps what was sampled up to the exit.
 */
static void test_text_exits_scanning(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", "--fault-exit", NULL };
	static const char *const no_inherit[] = { "env", "VMSCOPE_TEST_NO_INHERIT=1", NULL };
	static const char *const opts[] = { "--duration", "20s", NULL };
	char key[32], row[512];
	struct timespec a, b;
	struct target t;
	struct lt_run vm;
	uint64_t v[3];
	pid_t pid;
	int st;

	(void)state;
	target_start(&t, NULL, args);
	pid = t.lt.pid;
	clock_gettime(CLOCK_MONOTONIC, &a);
	vmscope_start_opts(&vm, no_inherit, t.lt.pid, opts);
	vmscope_wait_watching(&vm);
	assert_int_equal(kill(t.lt.pid, SIGUSR1), 0);
	/* not reaped until vmscope is done: it sees a zombie, not a missing pid */
	if (!lt_target_read_until(&t.lt, "done "))
		fail_msg("the target did not finish its faults");
	lt_run_wait(&vm);
	assert_int_equal(waitpid(t.lt.pid, &st, 0), t.lt.pid);
	t.lt.pid = 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 10);
	assert_int_equal(vm.code, 0);
	assert_text_has(vm.out, "process %d exited during the run: what it did until then is shown\n",
			(int)pid);
	/* the counters died with it: the totals are at least what was sampled */
	assert_true(number_after(vm.out, " s: ") >= N_ANON + K_THREAD);
	assert_true(number_after(vm.out, "sampled ") >= N_ANON + K_THREAD);
	snprintf(key, sizeof(key), "%" PRIx64, t.anon);
	if (!text_row(vm.out, key, row, sizeof(row)))
		fail_msg("no region %s in:\n%s", key, vm.out);
	assert_int_equal(row_numbers(row, v, 3), 3);
	assert_true(v[2] >= N_ANON);
	snprintf(key, sizeof(key), "%" PRIx64, t.thread_pages);
	if (!text_row(vm.out, key, row, sizeof(row)))
		fail_msg("no region %s in:\n%s", key, vm.out);
	assert_int_equal(row_numbers(row, v, 3), 3);
	assert_true(v[2] >= K_THREAD);
	lt_run_release(&vm);
	target_stop(&t);
}

/*
 * 20,000 faults of one thread followed by a scan of task/ (one ring): more
 * samples than the ring holds go through it while vmscope drains it, so
 * records straddle its end; what the kernel dropped, if anything, is lost,
 * and the samples and the lost sum to the kernel's count, the samples in
 * the anonymous region.
 */
static void test_ring_wraps(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "20000", NULL };
	static const char *const no_inherit[] = { "env", "VMSCOPE_TEST_NO_INHERIT=1", NULL };
	uint64_t dmin, dmaj, sampled, lost;
	struct target t;
	json_object *rep, *s;

	(void)state;
	target_start(&t, NULL, args);
	rep = watch_faults(&t, no_inherit, &dmin, &dmaj);
	s = lt_get(rep, "sampled");
	assert_false(json_object_get_boolean(lt_get(s, "inherited")));
	sampled = get_u(s, "minflt") + get_u(s, "majflt");
	lost = get_u(s, "lost");
	assert_int_equal(sampled + lost, dmin + dmaj);
	assert_true(sampled >= 2731);
	/* each of its 20,000 pages, a record straddling the ring's end too */
	if (region_faults(rep, t.anon, NULL) + lost < 20000)
		fail_msg("%" PRIu64 " samples in the anonymous region, %" PRIu64 " lost",
			 region_faults(rep, t.anon, NULL), lost);
	json_object_put(rep);
	target_stop(&t);
}

/* The first code site of a text report ("%10s %8s  SITE"), without its counts. */
static void first_site(const char *text, char *ret, size_t n)
{
	const char *p = strstr(text, "\n     minor    major  code\n");

	if (!p)
		fail_msg("no code sites in:\n%s", text);
	p = strchr(p + 1, '\n') + 1;
	if (strlen(p) < 22)
		fail_msg("no code site in:\n%s", text);
	snprintf(ret, n, "%.*s", (int)strcspn(p + 21, "\n"), p + 21);
}

/* The address of sym in the symbol table of the ELF file path (nm), or 0. */
static uint64_t nm_address(const char *path, const char *sym)
{
	char cmd[600], line[512];
	uint64_t v = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "nm --defined-only '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[256], type;
		unsigned long long a;

		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && strcmp(name, sym) == 0)
			v = a;
	}
	pclose(f);
	return v;
}

/*
 * The text of a watch of the file path (NULL: the target itself) faulting
 * 1,000 pages, its first code site into site; cmd (NULL: none) is run on
 * path once the target started. The caller frees the text.
 */
static char *sites_of(const char *path, const char *cmd, char *site, size_t n)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", NULL };
	static const char *const opts[] = { "--duration", "1s", NULL };
	uint64_t dmin, dmaj;
	struct target t;
	char *out;

	target_bin_swap(path);
	target_start(&t, NULL, args);
	target_bin_swap(NULL);
	if (cmd)
		assert_int_equal(system(cmd), 0);
	out = watch_faults_text(&t, NULL, opts, &dmin, &dmaj);
	first_site(out, site, n);
	target_stop(&t);
	return out;
}

/*
 * The same target stripped of its symbol tables: its code sites are the
 * file and the address in it (the same address as "function+offset" of
 * the whole file), and the text says why no symbol names them. Then a
 * copy whose file changed on disk after it started (its mtime an hour
 * ahead, as an upgrade in place leaves it): its symbols may name other
 * code now, so the site is its region and the offset in the file (the
 * text's file offsets are its addresses in this target).
 */
static void test_stripped_sites(void **state)
{
	char path[600], cmd[1400], whole[256], site[256], want[256], sym[128];
	unsigned long long off;
	uint64_t addr;
	char *out;

	(void)state;
	snprintf(path, sizeof(path), "%s/stripped-target", tmpdir);
	snprintf(cmd, sizeof(cmd), "strip --strip-all -o '%s' '%s'", path, target_bin);
	if (system(cmd) != 0)
		skip();
	/* the whole file: "function+0xoff (live-target)" */
	free(sites_of(NULL, NULL, whole, sizeof(whole)));
	if (sscanf(whole, "%127[^+]+0x%llx (", sym, &off) != 2)
		fail_msg("not a symbol: %s", whole);
	addr = nm_address(target_bin, sym);
	assert_true(addr != 0);

	out = sites_of(path, NULL, site, sizeof(site));
	snprintf(want, sizeof(want), "stripped-target+0x%" PRIx64, addr + (uint64_t)off);
	if (strcmp(site, want) != 0)
		fail_msg("the stripped file's site is '%s', not '%s' (%s in the whole file)", site,
			 want, whole);
	assert_text_has(out, "\n(object+0xoff: no symbol holds the address, or the object was "
			     "unreadable)\n");
	free(out);
	/* at 40 columns the note is prose wrapped to them (vmscope-faults(1)) */
	assert_int_equal(setenv("COLUMNS", "40", 1), 0);
	out = sites_of(path, NULL, site, sizeof(site));
	assert_int_equal(unsetenv("COLUMNS"), 0);
	assert_text_has(out, "\n(object+0xoff: no symbol holds the\n address, or the object was "
			     "unreadable)\n");
	free(out);
	unlink(path);

	snprintf(path, sizeof(path), "%s/changed-target", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", target_bin, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "touch -d @%lld '%s'", (long long)time(NULL) + 3600, path);
	free(sites_of(path, cmd, site, sizeof(site)));
	snprintf(want, sizeof(want), "changed-target text+0x%" PRIx64, addr + (uint64_t)off);
	if (strcmp(site, want) != 0)
		fail_msg("the changed file's site is '%s', not '%s' (%s in the whole file)", site,
			 want, whole);
	unlink(path);
}

/* nobody watches its own process, in text: the line that says kernel samples are not taken. */
static void test_text_not_root_own(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", NULL };
	static const char *const opts[] = { "--threads", "--duration", "1s", NULL };
	char a[32], key[32], row[512];
	uint64_t dmin, dmaj, v[3];
	struct target t;
	char *out;

	(void)state;
	if (!can_setpriv() || paranoid() > 2)
		skip();
	target_start(&t, setpriv_nobody, args);
	out = watch_faults_text(&t, setpriv_nobody, opts, &dmin, &dmaj);
	assert_text_has(out, " s: %s minor, ", grouped(a, sizeof(a), dmin));
	assert_text_has(out, "\nnot privileged for kernel samples: faults taken inside system calls "
			     "are counted but not sampled\n");
	/* the helper thread's row: its counters' delta, and its samples */
	snprintf(key, sizeof(key), "%ld", t.thread_tid);
	if (!text_row(out, key, row, sizeof(row)))
		fail_msg("no thread %s in:\n%s", key, out);
	assert_int_equal(row_numbers(row, v, 3), 3);
	assert_true(v[2] >= K_THREAD);
	assert_true(v[0] >= K_THREAD);
	free(out);
	target_stop(&t);
}

/*
 * nobody watches root's process, in text: why there are no samples, then
 * the threads' counters (sampled n/a) and the timeline from the counters,
 * both summing to the kernel's deltas.
 */
static void test_text_counters(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-thread",
					    "500", NULL };
	static const char *const opts[] = { "--duration", "1s", NULL };
	char a[32], b[32], key[32], row[512];
	uint64_t dmin, dmaj, v[2], tmin, tmaj;
	struct target t;
	size_t len;
	char *out;

	/* in the C locale: the timeline's bars in '#' */
	static const char *const nobody_c[] = { "setpriv", "--reuid=" NOBODY, "--regid=" NOBODY,
						"--clear-groups", "env", "LC_ALL=C", NULL };

	(void)state;
	if (!can_setpriv())
		skip();
	target_start(&t, NULL, args);
	out = watch_faults_text(&t, nobody_c, opts, &dmin, &dmaj);
	assert_text_has(out, " s: %s minor, %s major faults (", grouped(a, sizeof(a), dmin),
			grouped(b, sizeof(b), dmaj));
	/* the busiest second's bar is the whole 30 columns */
	assert_text_has(out, "  ##############################\n");
	assert_null(strstr(out, "\u2588"));
	assert_text_has(out, "\ncannot sample faults of pid %d: Permission denied (run as the "
			     "process's owner, as root, or with CAP_PERFMON "
			     "(kernel.perf_event_paranoid is above 2, or the process is another "
			     "user's)); the kernel's counters are shown, without regions or code\n",
			(int)t.lt.pid);
	/* the threads without --threads, nothing sampled */
	snprintf(key, sizeof(key), "%ld", t.thread_tid);
	if (!text_row(out, key, row, sizeof(row)))
		fail_msg("no thread %s in:\n%s", key, out);
	len = strlen(row);
	assert_true(len > 4 && strcmp(row + len - 4, " n/a") == 0);
	row[len - 4] = '\0';
	assert_int_equal(row_numbers(row, v, 2), 2);
	assert_int_equal(v[1], K_THREAD);
	timeline_sums(out, &tmin, &tmaj);
	assert_int_equal(tmin, dmin);
	assert_int_equal(tmaj, dmaj);
	free(out);
	target_stop(&t);
}

/*
 * nobody watches root's process by its counters, and it exits (a zombie,
 * not reaped until vmscope is done): the counters say it is gone, the
 * watch ends early and the text says so.
 */
static void test_counters_exits(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "1000", "--fault-exit",
					    NULL };
	static const char *const opts[] = { "--duration", "20s", NULL };
	struct timespec a, b;
	struct target t;
	struct lt_run vm;
	pid_t pid;
	int st;

	(void)state;
	if (!can_setpriv())
		skip();
	target_start(&t, NULL, args);
	pid = t.lt.pid;
	clock_gettime(CLOCK_MONOTONIC, &a);
	vmscope_start_opts(&vm, setpriv_nobody, pid, opts);
	vmscope_wait_watching(&vm);
	assert_int_equal(kill(pid, SIGUSR1), 0);
	if (!lt_target_read_until(&t.lt, "done "))
		fail_msg("the target did not finish its faults");
	lt_run_wait(&vm);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	t.lt.pid = 0;
	assert_true(b.tv_sec - a.tv_sec < 10);
	assert_int_equal(vm.code, 0);
	assert_text_has(vm.out, "process %d exited during the run: what it did until then is shown\n",
			(int)pid);
	assert_text_has(vm.out, "\ncannot sample faults of pid %d: Permission denied", (int)pid);
	lt_run_release(&vm);
	target_stop(&t);
}

/*
 * vmscope stopped while the target faults more than its rings hold: the
 * kernel says how many samples it dropped, and the text says they were
 * lost, the samples and the lost summing to the kernel's count.
 */
static void test_text_lost(void **state)
{
	static const char *const args[] = { "--no-stop", "--fault-anon", "20000", NULL };
	static const char *const opts[] = { "--duration", "1s", NULL };
	uint64_t min0, maj0, min1, maj1, sampled, lost;
	const char *missed;
	char a[32];
	struct target t;
	struct lt_run vm;

	(void)state;
	target_start(&t, NULL, args);
	vmscope_start_opts(&vm, NULL, t.lt.pid, opts);
	vmscope_wait_watching(&vm);
	assert_int_equal(kill(vm.pid, SIGSTOP), 0);
	proc_faults(t.lt.pid, &min0, &maj0);
	target_fault(&t);
	proc_faults(t.lt.pid, &min1, &maj1);
	assert_int_equal(kill(vm.pid, SIGCONT), 0);
	lt_run_wait(&vm);
	assert_int_equal(vm.code, 0);
	assert_text_has(vm.out, " s: %s minor, ", grouped(a, sizeof(a), min1 - min0));
	sampled = number_after(vm.out, "\nsampled ");
	missed = strstr(vm.out, "\nmissed ");
	if (!missed)
		fail_msg("no missed faults in:\n%s", vm.out);
	/* "missed M: L lost when a ring was full; ..." */
	lost = number_after(missed, ": ");
	assert_text_has(vm.out, " lost when a ring was full; threads started while the events were "
				"being opened, and faults between the counters' reads and the "
				"events' start and end\n");
	assert_true(lost > 0);
	assert_int_equal(number_after(missed, "missed "), lost);
	assert_int_equal(sampled + lost, (min1 - min0) + (maj1 - maj0));
	lt_run_release(&vm);
	target_stop(&t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_target_exits),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_not_root_own),
		cmocka_unit_test(test_not_root_fallback),
		cmocka_unit_test(test_text_major),
		cmocka_unit_test(test_text_exits_scanning),
		cmocka_unit_test(test_text_not_root_own),
		cmocka_unit_test(test_text_counters),
		cmocka_unit_test(test_counters_exits),
		cmocka_unit_test(test_text_lost),
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_stripped_sites),
	};
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s VMSCOPE TARGET\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	/* In the build directory, not /tmp: a tmpfs has no page cache to drop. */
	snprintf(tmpdir, sizeof(tmpdir), "vmscope-faults-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	/* nobody writes its output through fds opened here, but setpriv'd
	 * processes must be able to reach the directory */
	(void)chmod(tmpdir, 0755);
	snprintf(file_path, sizeof(file_path), "%s/file", tmpdir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(file_path);
	rmdir(tmpdir);
	return r;
}
