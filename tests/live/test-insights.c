/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Insights on live processes: stack headroom under a lowered RLIMIT_STACK,
 * a memory cgroup made here, THP coverage, 10,000 mappings, and n/a with a
 * reason for what cannot be read. vmscope's JSON is compared with what the
 * kernel says, read here independently.
 *
 * usage: test-insights VMSCOPE TARGET
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

#define STACK_LIMIT (2u << 20)
#define RECURSE_KIB 1900
#define MANY_MAPS 10000

static const char *vmscope_bin;
static const char *target_bin;
static long page_size;

/* ---- the target ------------------------------------------------------- */

/* What the target's child sets before exec. */
struct target_limits {
	rlim_t stack_limit;
	const char *procs;
};

static void target_setup(const void *data)
{
	const struct target_limits *lim = data;

	if (lim->stack_limit) {
		struct rlimit rl;

		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = lim->stack_limit;
		if (setrlimit(RLIMIT_STACK, &rl) < 0)
			_exit(126);
	}
	if (lim->procs) {
		int fd = open(lim->procs, O_WRONLY);

		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(125);
		close(fd);
	}
}

/*
 * Starts the target with argv (after the program name), with RLIMIT_STACK
 * stack_limit (0: as it is) and in the cgroup whose cgroup.procs is procs
 * (NULL: this one), both set in the child before exec; waits for it to stop
 * after "ready". Its stdout stays open, for the lines after "ready".
 */
static void target_start(struct lt_target *t, rlim_t stack_limit, const char *procs,
			 const char *const *args)
{
	const struct target_limits lim = { stack_limit, procs };
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, target_bin, args);
	lt_target_start(t, argv, 0, target_setup, &lim);
	lt_target_wait_stopped(t, "ready");
}

/* ---- vmscope ------------------------------------------------------------ */

/* Runs vmscope with args; returns its exit status and its stdout (caller frees). */
static int run(char **ret_out, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];
	struct lt_run r;
	int code;

	lt_argv(argv, NULL, vmscope_bin, args);
	lt_run(&r, argv, 0);
	/* what it said goes to the test's log, as if it wrote there itself */
	fputs(r.err, stderr);
	code = lt_exit_code(&r);
	*ret_out = r.out;
	r.out = NULL;
	lt_run_release(&r);
	return code;
}

#define RUN(out, ...) run((out), (const char *const[]){ __VA_ARGS__, NULL })

static json_object *snapshot_of(pid_t pid, const char *proc_root)
{
	char pidbuf[16], *out;
	json_object *j;
	int rc;

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (proc_root)
		rc = RUN(&out, "--format", "json", "--proc-root", proc_root, pidbuf);
	else
		rc = RUN(&out, "--format", "json", pidbuf);
	if (rc != 0)
		fail_msg("vmscope --format json %s exited %d", pidbuf, rc);
	j = json_tokener_parse(out);
	free(out);
	assert_non_null(j);
	return j;
}

static bool jnull(json_object *o, const char *key)
{
	return json_object_is_type(lt_get(o, key), json_type_null);
}

/* The insights' stack of thread tid (0: the main stack). */
static json_object *stack_of(json_object *snap, pid_t tid)
{
	json_object *stacks = lt_get(lt_get(snap, "insights"), "stacks");

	for (size_t i = 0; i < json_object_array_length(stacks); i++) {
		json_object *s = json_object_array_get_idx(stacks, i);
		bool main_stack = json_object_get_boolean(lt_get(s, "main"));

		/* the main stack's tid is the process's: its main thread's */
		if (main_stack)
			assert_int_equal(lt_num(s, "tid"), lt_num(lt_get(snap, "process"), "pid"));
		if ((tid == 0 && main_stack) || (!main_stack && (pid_t)lt_num(s, "tid") == tid))
			return s;
	}
	fail_msg("no stack of tid %d", (int)tid);
	return NULL;
}

/* ---- the kernel's view ---------------------------------------------------- */

/* The whole file (/proc gives a page or less per read); valid until the next call. */
static char *read_text(const char *path)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static uint64_t read_u64(const char *path)
{
	char *s = read_text(path);

	if (!s)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	return strtoull(s, NULL, 10);
}

/* "Key:  N kB" of /proc/<pid>/<file>, in bytes. */
static uint64_t proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], *s, *at;
	size_t n = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	s = read_text(path);
	assert_non_null(s);
	for (at = s; (at = strstr(at, key)); at++)
		if ((at == s || at[-1] == '\n') && at[n] == ':')
			return strtoull(at + n + 1, NULL, 10) * 1024;
	fail_msg("no %s in %s", key, path);
	return 0;
}

/* ---- stacks ---------------------------------------------------------------- */

/*
 * A thread recursing through 1900 KiB of a 2 MiB stack (RLIMIT_STACK
 * lowered to 2 MiB before exec, so its thread stack is that size): its
 * resident size grows by what it wrote, its headroom is its size less what
 * it touched, and it is flagged near its limit; the main stack's headroom
 * is the lowered limit less its size.
 */
static void test_stack_headroom(void **state)
{
	struct lt_target t;
	json_object *a, *b, *sa, *sb, *m;
	unsigned long long top, deep;
	long tid;
	struct lt_smaps_entry e;
	uint64_t touched, grew;
	char pidbuf[16], limbuf[32], *out;
	int rc;

	(void)state;
	target_start(&t, STACK_LIMIT, NULL,
		     (const char *const[]){ "--recurse-kib", "1900", NULL });
	assert_int_equal(sscanf(lt_target_line(&t, "recurse"), "%ld %llx", &tid, &top), 2);
	a = snapshot_of(t.pid, NULL);
	sa = stack_of(a, (pid_t)tid);

	kill(t.pid, SIGCONT);
	lt_target_wait_stopped(&t, "recursed");
	assert_int_equal(sscanf(lt_target_line(&t, "recursed"), "%ld %llx %llx", &tid, &top, &deep), 3);
	b = snapshot_of(t.pid, NULL);
	sb = stack_of(b, (pid_t)tid);

	/* the limit is the one set before exec */
	assert_int_equal(lt_num(lt_get(b, "limits"), "stack"), STACK_LIMIT);

	/* grew by what the recursion wrote, to the page */
	touched = (top & ~(uint64_t)(page_size - 1)) - (deep & ~(uint64_t)(page_size - 1));
	grew = lt_num(sb, "rss") - lt_num(sa, "rss");
	if (grew + 2 * (uint64_t)page_size < touched || grew > touched + 2 * (uint64_t)page_size)
		fail_msg("the thread stack grew by %" PRIu64 " bytes, the recursion wrote %" PRIu64,
			 grew, touched);

	/* headroom: the mapped size less Rss and Swap, as smaps says */
	(void)lt_smaps_entry(t.pid, top, &e);
	assert_int_equal(lt_num(sb, "size"), e.end - e.start);
	assert_int_equal(lt_num(sb, "limit"), e.end - e.start);
	assert_int_equal(lt_num(sb, "rss"), e.rss);
	assert_int_equal(lt_num(sb, "headroom"), e.end - e.start - e.rss - e.swap);
	assert_true(json_object_get_boolean(lt_get(sb, "near_limit")));
	assert_false(json_object_get_boolean(lt_get(sa, "near_limit")));
	assert_true(lt_num(sb, "guard") >= (uint64_t)page_size);

	/* the main stack against the lowered limit */
	m = stack_of(b, 0);
	assert_int_equal(lt_num(m, "limit"), STACK_LIMIT);
	assert_int_equal(lt_num(m, "headroom"), STACK_LIMIT - lt_num(m, "size"));

	/* the text report warns; check enforces a floor */
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)t.pid);
	rc = RUN(&out, "--color", "never", pidbuf);
	assert_int_equal(rc, 0);
	{
		char want[96];

		snprintf(want, sizeof(want), "warning: the stack of thread %ld is within 10%%", tid);
		if (!strstr(out, want))
			fail_msg("no \"%s\" in:\n%s", want, out);
	}
	free(out);
	snprintf(limbuf, sizeof(limbuf), "%" PRIu64, lt_num(sb, "headroom"));
	assert_int_equal(RUN(&out, "check", "--min-stack-headroom", limbuf, pidbuf), 0);
	free(out);
	snprintf(limbuf, sizeof(limbuf), "%" PRIu64, lt_num(sb, "headroom") + 1);
	assert_int_equal(RUN(&out, "check", "--min-stack-headroom", limbuf, pidbuf), 1);
	if (!strstr(out, "FAIL  stack headroom"))
		fail_msg("check said:\n%s", out);
	free(out);

	json_object_put(a);
	json_object_put(b);
	lt_target_stop(&t);
}

/* ---- cgroup ------------------------------------------------------------------ */

struct cg {
	char dir[PATH_MAX];
	int version;
};

static bool has_memory_controller(const char *controllers_file)
{
	char *s = read_text(controllers_file);

	return s && strstr(s, "memory");
}

/* A memory cgroup of our own with max set, or false where none can be made. */
static bool cg_make(struct cg *cg, uint64_t max)
{
	const char *base;
	char path[PATH_MAX + 32], val[32];
	int fd;

	if (has_memory_controller("/sys/fs/cgroup/cgroup.controllers")) {
		base = "/sys/fs/cgroup";
		cg->version = 2;
	} else if (has_memory_controller("/sys/fs/cgroup/unified/cgroup.controllers")) {
		base = "/sys/fs/cgroup/unified";
		cg->version = 2;
	} else if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
		base = "/sys/fs/cgroup/memory";
		cg->version = 1;
	} else {
		fprintf(stderr, "# no memory controller in cgroup v2 or v1 here\n");
		return false;
	}
	snprintf(cg->dir, sizeof(cg->dir), "%s/vmscope-test-%d", base, (int)getpid());
	if (mkdir(cg->dir, 0755) < 0) {
		fprintf(stderr, "# cannot make %s: %s\n", cg->dir, strerror(errno));
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->version == 2 ? "memory.max" : "memory.limit_in_bytes");
	snprintf(val, sizeof(val), "%" PRIu64, max);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		fprintf(stderr, "# cannot set %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		rmdir(cg->dir);
		return false;
	}
	close(fd);
	return true;
}

/* The cgroup's swap as the kernel counts it; false without swap accounting. */
static bool cg_swap(const struct cg *cg, uint64_t *ret)
{
	char path[PATH_MAX + 32], *s, *at;

	if (cg->version == 2) {
		snprintf(path, sizeof(path), "%s/memory.swap.current", cg->dir);
		if (access(path, F_OK) < 0)
			return false;
		*ret = read_u64(path);
		return true;
	}
	snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
	s = read_text(path);
	assert_non_null(s);
	at = strstr(s, "\ntotal_swap ");
	if (at)
		*ret = strtoull(at + 12, NULL, 10);
	return at != NULL;
}

static void test_cgroup_and_oom(void **state)
{
	struct cg cg;
	struct lt_target t;
	json_object *s, *c, *o;
	char procs[PATH_MAX + 16], path[PATH_MAX + 32], adj_path[64];
	uint64_t before, after, cur, max = 256u << 20;
	const char *rel;
	int fd;

	(void)state;
	if (!cg_make(&cg, max))
		skip();
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg.dir);
	target_start(&t, 0, procs, (const char *const[]){ "--anon-pages", "256", "--anon-touch",
							  "256", NULL });
	/* oom_score_adj set by the test */
	snprintf(adj_path, sizeof(adj_path), "/proc/%d/oom_score_adj", (int)t.pid);
	fd = open(adj_path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "345", 3), 3);
	close(fd);

	snprintf(path, sizeof(path), "%s/%s", cg.dir,
		 cg.version == 2 ? "memory.current" : "memory.usage_in_bytes");
	before = read_u64(path);
	s = snapshot_of(t.pid, NULL);
	after = read_u64(path);
	c = lt_get(s, "cgroup");
	assert_true(jnull(c, "error"));
	assert_int_equal(lt_num(c, "version"), cg.version);
	rel = strstr(cg.dir, "/vmscope-test-");
	assert_string_equal(json_object_get_string(lt_get(c, "path")), rel);
	assert_int_equal(lt_num(c, "max"), max);
	cur = lt_num(c, "current");
	if (cur < (before < after ? before : after) || cur > (before > after ? before : after))
		fail_msg("current %" PRIu64 " is not between %" PRIu64 " and %" PRIu64, cur, before,
			 after);
	assert_true(cur >= 256 * (uint64_t)page_size);
	assert_int_equal(lt_num(lt_get(s, "insights"), "cgroup_headroom"), max - cur);
	/* swap: one counter, the kernel's own (v1: memory.stat's total_swap) */
	if (cg_swap(&cg, &before)) {
		assert_int_equal(lt_num(c, "swap_current"), before);
	} else {
		assert_true(jnull(c, "swap_current"));
	}

	o = lt_get(s, "oom");
	assert_int_equal(json_object_get_int(lt_get(o, "score_adj")), 345);
	snprintf(path, sizeof(path), "/proc/%d/oom_score", (int)t.pid);
	assert_int_equal(lt_num(o, "score"), read_u64(path));

	json_object_put(s);
	lt_target_stop(&t);
	/* the cgroup goes once it is empty: the kernel may take a moment */
	for (int i = 0; i < 100 && rmdir(cg.dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

/* ---- huge pages, mappings ---------------------------------------------------- */

static void test_thp_coverage(void **state)
{
	struct lt_target t;
	json_object *s, *thp;
	char *mode = read_text("/sys/kernel/mm/transparent_hugepage/enabled");
	unsigned long long addr;
	uint64_t huge;

	(void)state;
	if (!mode || strstr(mode, "[never]"))
		skip();
	target_start(&t, 0, NULL, (const char *const[]){ "--thp-mib", "8", NULL });
	assert_int_equal(sscanf(lt_target_line(&t, "thp"), "%llx", &addr), 1);
	s = snapshot_of(t.pid, NULL);
	huge = proc_kb(t.pid, "smaps_rollup", "AnonHugePages");
	thp = lt_get(lt_get(s, "insights"), "thp");
	assert_int_equal(lt_num(thp, "anon_huge"), huge);
	assert_int_equal(lt_num(thp, "anon"), proc_kb(t.pid, "smaps_rollup", "Anonymous"));
	if (huge == 0) {
		json_object_put(s);
		lt_target_stop(&t);
		skip(); /* no huge page could be had (fragmented memory) */
	}
	assert_true(lt_num(thp, "regions") >= 1);
	assert_int_equal(lt_num(thp, "permille"),
			 (uint64_t)((double)huge * 1000.0 / (double)lt_num(thp, "anon") + 0.5));
	json_object_put(s);
	lt_target_stop(&t);
}

static void test_many_mappings(void **state)
{
	struct lt_target t;
	json_object *s, *in;
	char path[64], pidbuf[16], lim[32], *out;
	uint64_t lines = 0, pte;
	FILE *f;
	int ch;

	(void)state;
	target_start(&t, 0, NULL, (const char *const[]){ "--maps", "10000", NULL });
	s = snapshot_of(t.pid, NULL);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t.pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while ((ch = fgetc(f)) != EOF)
		lines += ch == '\n';
	fclose(f);
	pte = proc_kb(t.pid, "status", "VmPTE");
	in = lt_get(s, "insights");
	assert_true(lines > MANY_MAPS);
	assert_int_equal(lt_num(in, "regions"), lines);
	assert_int_equal(lt_num(in, "page_tables"), pte);
	assert_int_equal(lt_num(in, "page_tables_permille_of_rss"),
			 (uint64_t)((double)pte * 1000.0 / (double)proc_kb(t.pid, "status", "VmRSS") +
				    0.5));

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)t.pid);
	snprintf(lim, sizeof(lim), "%" PRIu64, lines);
	assert_int_equal(RUN(&out, "check", "--max-regions", lim, "--max-pte", "1G", pidbuf), 0);
	free(out);
	snprintf(lim, sizeof(lim), "%" PRIu64, lines - 1);
	assert_int_equal(RUN(&out, "check", "--max-regions", lim, pidbuf), 1);
	free(out);
	snprintf(lim, sizeof(lim), "%" PRIu64, pte - 1);
	assert_int_equal(RUN(&out, "check", "--max-pte", lim, pidbuf), 1);
	free(out);
	json_object_put(s);
	lt_target_stop(&t);
}

/* ---- n/a with a reason -------------------------------------------------------- */

static void write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void copy_file(const char *from, const char *to)
{
	char *s = read_text(from);

	assert_non_null(s);
	write_text(to, s);
}

/*
 * A captured process without limits and oom_score: n/a with the reason in
 * JSON and text, never 0; then a limits file that is not one.
 */
static void test_unreadable_na(void **state)
{
	static const char *const files[] = { "stat", "status", "maps", "smaps", "smaps_rollup",
					     "comm" };
	char root[] = "/tmp/vmscope-insights-XXXXXX", dir[128], from[64], to[160], pidbuf[16];
	struct lt_target t;
	json_object *s, *l, *o;
	char *out;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(root));
	target_start(&t, 0, NULL, (const char *const[]){ "--anon-pages", "4", NULL });
	snprintf(dir, sizeof(dir), "%s/%d", root, (int)t.pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "/proc/%d/%s", (int)t.pid, files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		copy_file(from, to);
	}
	pid = t.pid;
	lt_target_stop(&t);

	s = snapshot_of(pid, root);
	l = lt_get(s, "limits");
	assert_true(jnull(l, "stack"));
	assert_string_equal(json_object_get_string(lt_get(l, "error")), "ENOENT");
	o = lt_get(s, "oom");
	assert_true(jnull(o, "score"));
	assert_true(jnull(o, "score_adj"));
	assert_string_equal(json_object_get_string(lt_get(o, "score_error")), "ENOENT");
	/* a captured process has no cgroup of this machine */
	assert_false(json_object_object_get_ex(s, "cgroup", NULL));
	assert_true(jnull(lt_get(s, "insights"), "memlock_limit"));
	assert_true(jnull(stack_of(s, 0), "headroom"));
	json_object_put(s);

	snprintf(pidbuf, sizeof(pidbuf), "%s", strrchr(dir, '/') + 1);
	assert_int_equal(RUN(&out, "--proc-root", root, "--color", "never", pidbuf), 0);
	if (!strstr(out, "OOM score n/a (No such file or directory)") ||
	    !strstr(out, "of n/a (No such file or directory)"))
		fail_msg("no n/a with its reason in:\n%s", out);
	free(out);
	assert_int_equal(RUN(&out, "check", "--proc-root", root, "--min-stack-headroom", "1K",
			     pidbuf), 1);
	if (!strstr(out, "cannot be checked"))
		fail_msg("check said:\n%s", out);
	free(out);

	snprintf(to, sizeof(to), "%s/limits", dir);
	write_text(to, "Max stack size   lots   of   room\n");
	s = snapshot_of(pid, root);
	assert_string_equal(json_object_get_string(lt_get(lt_get(s, "limits"), "error")), "EBADMSG");
	assert_true(jnull(lt_get(s, "limits"), "stack"));
	json_object_put(s);

	/* OOM files the kernel never writes: past its range, more than a number,
	 * nothing; and the two ends of the ranges, without a newline */
	{
		static const struct {
			const char *score, *adj, *score_error, *adj_error;
			int64_t score_v, adj_v;
		} oom[] = {
			{ "2001\n", "-1001\n", "EBADMSG", "EBADMSG", 0, 0 },
			{ "-1\n", "1001\n", "EBADMSG", "EBADMSG", 0, 0 },
			{ "12x\n", "", "EBADMSG", "EBADMSG", 0, 0 },
			{ "2000", "-1000", NULL, NULL, 2000, -1000 },
		};

		for (size_t i = 0; i < sizeof(oom) / sizeof(oom[0]); i++) {
			snprintf(to, sizeof(to), "%s/oom_score", dir);
			write_text(to, oom[i].score);
			snprintf(to, sizeof(to), "%s/oom_score_adj", dir);
			write_text(to, oom[i].adj);
			s = snapshot_of(pid, root);
			o = lt_get(s, "oom");
			if (oom[i].score_error) {
				assert_true(jnull(o, "score") && jnull(o, "score_adj"));
				assert_string_equal(json_object_get_string(lt_get(o, "score_error")),
						    oom[i].score_error);
				assert_string_equal(json_object_get_string(lt_get(o, "adj_error")),
						    oom[i].adj_error);
			} else {
				assert_int_equal(json_object_get_int64(lt_get(o, "score")), oom[i].score_v);
				assert_int_equal(json_object_get_int64(lt_get(o, "score_adj")), oom[i].adj_v);
			}
			json_object_put(s);
		}
	}

	snprintf(to, sizeof(to), "rm -rf '%s'", root);
	assert_int_equal(system(to), 0);
}

/* s into the file name under the directory root */
static void write_under(const char *root, const char *name, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	write_text(path, s);
}

/* The cgroup reader on a made-up cgroup file system: v2 without memory, v2, v1. */
static void test_cgroup_reader(void **state)
{
	char root[] = "/tmp/vmscope-cgfs-XXXXXX", p[256];
	struct vms_cgroup cg;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	snprintf(p, sizeof(p), "%s/unified", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/unified/app", root);
	assert_int_equal(mkdir(p, 0755), 0);
	/* a v2 group without the memory controller: n/a, not 0 */
	assert_int_equal(vms_cgroup_read(fd, "/app", false, &cg), -ENOENT);
	assert_int_equal(vms_cgroup_read(fd, "/../etc", false, &cg), -ENOENT);
	assert_int_equal(vms_cgroup_read(fd, "app", false, &cg), -ENOENT);

	write_under(root, "unified/app/memory.current", "1048576\n");
	write_under(root, "unified/app/memory.max", "max\n");
	write_under(root, "unified/app/memory.high", "4194304\n");
	assert_int_equal(vms_cgroup_read(fd, "/app", false, &cg), 0);
	assert_int_equal(cg.version, 2);
	assert_int_equal(cg.v[VMS_CG_CURRENT], 1048576);
	assert_true(cg.v[VMS_CG_MAX] == VMS_UNLIMITED);
	assert_int_equal(cg.v[VMS_CG_HIGH], 4194304);
	assert_false(vms_cgroup_has(&cg, VMS_CG_SWAP_CURRENT));

	write_under(root, "unified/app/memory.current", "12ab\n");
	assert_int_equal(vms_cgroup_read(fd, "/app", false, &cg), -EBADMSG);

	snprintf(p, sizeof(p), "%s/memory", root);
	assert_int_equal(mkdir(p, 0755), 0);
	write_under(root, "memory/memory.usage_in_bytes", "8192\n");
	write_under(root, "memory/memory.limit_in_bytes", "9223372036854771712\n");
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_int_equal(cg.version, 1);
	assert_true(cg.v[VMS_CG_MAX] == VMS_UNLIMITED);
	assert_false(vms_cgroup_has(&cg, VMS_CG_HIGH));
	/* no swap accounting: no swap line, and memsw files are not read */
	assert_false(vms_cgroup_has(&cg, VMS_CG_SWAP_CURRENT));
	write_under(root, "memory/memory.memsw.usage_in_bytes", "1000000\n");
	write_under(root, "memory/memory.stat", "cache 4096\nrss 4096\n");
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_false(vms_cgroup_has(&cg, VMS_CG_SWAP_CURRENT));
	/* the hierarchical total_swap, not the cgroup's own swap line */
	write_under(root, "memory/memory.stat", "cache 4096\nrss 4096\nswap 4096\nswapcached 0\ntotal_swap 12288\n");
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_true(vms_cgroup_has(&cg, VMS_CG_SWAP_CURRENT));
	assert_int_equal(cg.v[VMS_CG_SWAP_CURRENT], 12288);
	write_under(root, "memory/memory.stat", "total_swap 12x\n");
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_false(vms_cgroup_has(&cg, VMS_CG_SWAP_CURRENT));
	/* keys that only start like it, and the line without its newline, last */
	write_under(root, "memory/memory.stat", "total_swap\ntotal_swapcached 4096\ntotal_swap_x 1\ntotal_swap 8192");
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_int_equal(cg.v[VMS_CG_SWAP_CURRENT], 8192);
	/* no limit file: the usage alone; no usage file: nothing */
	snprintf(p, sizeof(p), "%s/memory/memory.limit_in_bytes", root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), 0);
	assert_int_equal(cg.v[VMS_CG_CURRENT], 8192);
	assert_false(vms_cgroup_has(&cg, VMS_CG_MAX));
	snprintf(p, sizeof(p), "%s/memory/memory.usage_in_bytes", root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(vms_cgroup_read(fd, "/", true, &cg), -ENOENT);
	/* v2 at the root of the mount (not under unified/), an empty value file */
	snprintf(p, sizeof(p), "%s/svc", root);
	assert_int_equal(mkdir(p, 0755), 0);
	write_under(root, "svc/memory.current", "4096");
	write_under(root, "svc/memory.max", "");
	assert_int_equal(vms_cgroup_read(fd, "/svc", false, &cg), 0);
	assert_int_equal(cg.v[VMS_CG_CURRENT], 4096);
	assert_false(vms_cgroup_has(&cg, VMS_CG_MAX));
	/* a path that climbs out at its end: not the parent's values */
	write_under(root, "memory.current", "1\n");
	assert_int_equal(vms_cgroup_read(fd, "/svc/..", false, &cg), -ENOENT);
	close(fd);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

static void test_limits_parser(void **state)
{
	static const char good[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max stack size            1048576              unlimited            bytes     \n"
		"Max locked memory         unlimited            unlimited            bytes     \n";
	struct vms_limits l;

	(void)state;
	assert_int_equal(vms_limits_parse(good, sizeof(good) - 1, &l), 0);
	assert_true(l.have_stack && l.have_memlock);
	assert_int_equal(l.stack, 1048576);
	assert_true(l.memlock == VMS_UNLIMITED);
	/* no header, a value cut short, an overflow */
	assert_int_equal(vms_limits_parse(good + 80, sizeof(good) - 81, &l), -EBADMSG);
	assert_int_equal(vms_limits_parse(good, 95, &l), -EBADMSG);
	{
		static const char big[] = "Limit x\nMax stack size 99999999999999999999999 x\n";

		assert_int_equal(vms_limits_parse(big, sizeof(big) - 1, &l), -EBADMSG);
	}
	/* the locked memory's value malformed, or the largest value (unlimited's own) */
	{
		static const char lock[] = "Limit x\nMax locked memory  lots  lots  bytes\n";
		static const char top[] = "Limit x\nMax stack size  18446744073709551615  x\n";

		assert_int_equal(vms_limits_parse(lock, sizeof(lock) - 1, &l), -EBADMSG);
		assert_int_equal(vms_limits_parse(top, sizeof(top) - 1, &l), -EBADMSG);
	}
	/* a file without these limits: read, but not had */
	assert_int_equal(vms_limits_parse("Limit x\n", 8, &l), 0);
	assert_false(l.have_stack || l.have_memlock);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_parser),
		cmocka_unit_test(test_cgroup_reader),
		cmocka_unit_test(test_stack_headroom),
		cmocka_unit_test(test_cgroup_and_oom),
		cmocka_unit_test(test_thp_coverage),
		cmocka_unit_test(test_many_mappings),
		cmocka_unit_test(test_unreadable_na),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s VMSCOPE TARGET\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	page_size = sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
