/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live tests of the numbers vmscope derives, each compared with the kernel's
 * own files read while the target is frozen: the shared-memory part of USS,
 * an object mapped three times (a memfd, as ZGC maps its heap), a layout row
 * of regions taking turns (a mapping and its PROT_NONE reserve), the working
 * set of --reset-refs in the text report, and the faults of threads that
 * start and exit during a `vmscope faults` run.
 *
 * usage: test-numbers VMSCOPE NUMBERS-TARGET LIVE-TARGET-STATIC
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
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

/* a run of turns four times or more is one layout row (vmscope(1)) */
#define PAIRS_MIN 4

static const char *vmscope_bin, *target_bin, *live_target_bin;

static void target_start(struct lt_target *t, const char *bin, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, bin, args);
	lt_target_start(t, argv, LT_OWN_GROUP, NULL, NULL);
	lt_target_wait_stopped(t, "ready");
}

/* vmscope ARGS... PID, which must exit 0; its stdout (caller frees). */
static char *vmscope_out(pid_t pid, const char *const *args)
{
	const char *a[LT_ARGV_MAX], *argv[LT_ARGV_MAX];
	char pidbuf[16];
	struct lt_run r;
	size_t n = 0;
	char *out;

	for (; *args; args++)
		a[n++] = *args;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	a[n++] = pidbuf;
	a[n] = NULL;
	lt_argv(argv, NULL, vmscope_bin, a);
	lt_run(&r, argv, 0);
	if (r.code != 0)
		fail_msg("vmscope exited %d: %s", r.code, r.err);
	out = strdup(r.out);
	lt_run_release(&r);
	return out;
}

static json_object *vmscope_json(pid_t pid)
{
	char *out = vmscope_out(pid, (const char *const[]){ "--format", "json", NULL });
	json_object *o = json_tokener_parse(out);

	if (!o)
		fail_msg("no JSON: %.200s", out);
	free(out);
	return o;
}

/* A kB key of a /proc/<pid>/<file> in bytes. */
static uint64_t proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], *s, *at;
	size_t n = strlen(key);
	uint64_t v;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	s = lt_slurp(path);
	for (at = s; (at = strstr(at, key)); at++)
		if ((at == s || at[-1] == '\n') && at[n] == ':')
			break;
	if (!at)
		fail_msg("no %s in %s", key, path);
	v = strtoull(at + n + 1, NULL, 10) * 1024;
	free(s);
	return v;
}

/* The line of text holding needle, cut at its newline (in place). */
static char *line_with(char *text, const char *needle)
{
	char *at = strstr(text, needle), *start;

	if (!at)
		return NULL;
	for (start = at; start > text && start[-1] != '\n'; start--)
		;
	start[strcspn(start, "\n")] = '\0';
	return start;
}

/* ---- USS and its shared memory ----------------------------------------- */

/*
 * Shared anonymous memory written by this process alone is in its USS
 * (Private_Dirty: no one else maps the pages), yet exiting would not free
 * it. vmscope says that part apart: the Private_Clean + Private_Dirty of its
 * shared-memory regions, as smaps has them.
 */
static void test_uss_shmem(void **state)
{
	static const char *const keys[4] = { "Private_Clean", "Private_Dirty", NULL, NULL };
	struct lt_target t;
	struct lt_smaps_sum sm;
	uint64_t f[2], uss;
	json_object *o, *tot;
	char *text, *line, want[64];

	(void)state;
	target_start(&t, target_bin, (const char *const[]){ "--shm-pages", "48", NULL });
	assert_true(lt_target_fact(&t, "shm", f, 2));
	o = vmscope_json(t.pid);
	tot = lt_get(o, "totals");
	lt_smaps_sum(t.pid, f[0], 0, keys, &sm);
	assert_int_equal(sm.v[0] + sm.v[1], f[1]); /* all 48 pages, this process's alone */
	assert_int_equal(lt_num(tot, "uss_shmem"), sm.v[0] + sm.v[1]);
	uss = proc_kb(t.pid, "smaps_rollup", "Private_Clean") +
	      proc_kb(t.pid, "smaps_rollup", "Private_Dirty");
	assert_int_equal(lt_num(tot, "uss"), uss);
	json_object_put(o);

	text = vmscope_out(t.pid, (const char *const[]){ "--bytes", "--color", "never", NULL });
	line = line_with(text, "USS ");
	assert_non_null(line);
	snprintf(want, sizeof(want), "USS %" PRIu64 " (%" PRIu64 " shm)", uss, f[1]);
	if (!strstr(line, want))
		fail_msg("'%s' not in the header: %s", want, line);
	assert_non_null(strstr(line, "SwapPss "));
	free(text);
	lt_target_stop(&t);
}

/* ---- an object mapped three times ----------------------------------------- */

/*
 * A memfd mapped three times over the same pages: its size counts them once,
 * RSS once per mapping (the kernel's smaps does), PSS once (each mapping
 * has a third of each page); the object is marked ×3.
 */
static void test_memfd_three_maps(void **state)
{
	static const char *const keys[4] = { "Rss", "Pss", NULL, NULL };
	struct lt_target t;
	struct lt_smaps_sum sm;
	uint64_t f[5];
	json_object *o, *objs, *obj = NULL;
	char *text, *line, size[32];

	(void)state;
	target_start(&t, target_bin, (const char *const[]){ "--memfd-pages", "256", NULL });
	assert_true(lt_target_fact(&t, "memfd", f, 5));
	o = vmscope_json(t.pid);
	objs = lt_get(o, "objects");
	for (size_t i = 0; i < json_object_array_length(objs); i++)
		if (lt_num(json_object_array_get_idx(objs, i), "inode") == f[0])
			obj = json_object_array_get_idx(objs, i);
	assert_non_null(obj);
	lt_smaps_sum(t.pid, 0, f[0], keys, &sm);
	assert_int_equal(sm.entries, 3);
	assert_int_equal(lt_num(obj, "regions"), sm.entries);
	assert_int_equal(lt_num(obj, "size"), 3 * f[4]);
	assert_int_equal(lt_num(obj, "distinct_size"), sm.distinct);
	assert_int_equal(sm.distinct, f[4]);
	assert_int_equal(lt_num(obj, "max_maps"), sm.first_page_maps);
	assert_int_equal(lt_num(lt_get(obj, "mem"), "rss"), sm.v[0]);
	assert_int_equal(lt_num(lt_get(obj, "mem"), "pss"), sm.v[1]);
	/* half the file written; the quarter read through the second mapping (and the
	 * pages fault-around maps with it) counts twice in Rss, once in Pss */
	assert_true(sm.v[0] >= f[4] / 2 + f[4] / 4);
	assert_true(sm.v[1] < sm.v[0]);
	json_object_put(o);

	text = vmscope_out(t.pid, (const char *const[]){ "--bytes", "--color", "never", "-n",
							  "100", NULL });
	snprintf(size, sizeof(size), " %" PRIu64 " ", f[4]);
	line = line_with(text, "\u00d73");
	assert_non_null(line);
	if (!strstr(line, size))
		fail_msg("the object's size is not %s: %s", size, line);
	free(text);

	/*
	 * --by object: the total is the process's own, as smaps_rollup and status
	 * say. The target is static, its PSS its own; a run where smaps_rollup
	 * moved around it all the same is tried again (5 at most, logged).
	 */
	for (int i = 0;; i++) {
		uint64_t rss, pss, uss, swap, vsz, before = proc_kb(t.pid, "smaps_rollup", "Pss");
		uint64_t want_rss, want_pss, want_uss;

		text = vmscope_out(t.pid, (const char *const[]){ "--by", "object", "--bytes",
								  "--color", "never", "-n", "100",
								  NULL });
		line = line_with(text, "  total");
		assert_non_null(line);
		/* RSS PSS USS swap size regions total */
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &rss,
			   &pss, &uss, &swap, &vsz) != 5)
			fail_msg("no total row: %s", line);
		want_rss = proc_kb(t.pid, "smaps_rollup", "Rss");
		want_pss = proc_kb(t.pid, "smaps_rollup", "Pss");
		want_uss = proc_kb(t.pid, "smaps_rollup", "Private_Clean") +
			   proc_kb(t.pid, "smaps_rollup", "Private_Dirty");
		/* a run around which the kernel's PSS moved, or that saw it move (a
		 * transient), is tried again; what is compared is the last one */
		if (i < 4 && (before != want_pss || pss != want_pss || rss != want_rss ||
			      uss != want_uss)) {
			print_message("# try %d: PSS %" PRIu64 " before, %" PRIu64 " after, %" PRIu64
				      " shown: again\n", i + 1, before, want_pss, pss);
			free(text);
			continue;
		}
		assert_int_equal(rss, want_rss);
		assert_int_equal(pss, want_pss);
		assert_int_equal(uss, want_uss);
		assert_int_equal(swap, proc_kb(t.pid, "smaps_rollup", "Swap"));
		assert_int_equal(vsz, proc_kb(t.pid, "status", "VmSize"));
		break;
	}
	free(text);
	lt_target_stop(&t);
}

/* ---- the working set in text ------------------------------------------------ */

/* Where pid's vdso starts, 0 if it has none. */
static uint64_t vdso_start(pid_t pid)
{
	char path[64], *maps, *line, *end;
	uint64_t start = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = lt_slurp(path);
	for (line = maps; *line; line = end ? end + 1 : line + strlen(line)) {
		size_t n;

		end = strchr(line, '\n');
		n = end ? (size_t)(end - line) : strlen(line);
		if (n > 7 && memcmp(line + n - 7, " [vdso]", 7) == 0) {
			start = strtoull(line, NULL, 16);
			break;
		}
	}
	free(maps);
	return start;
}

/* The referenced bytes of pid's vdso now, 0 without one. */
static uint64_t vdso_referenced(pid_t pid, uint64_t vdso)
{
	struct lt_smaps_entry e;

	if (!vdso)
		return 0;
	assert_true(lt_smaps_entry(pid, vdso, &e));
	return e.referenced;
}

/* The refd column of the row at addr in the report's regions table. */
static uint64_t report_refd(const char *regions, uint64_t addr)
{
	char needle[32], *text = strdup(regions), *row;
	uint64_t refd;

	assert_non_null(text);
	snprintf(needle, sizeof(needle), " %" PRIx64 " ", addr);
	row = line_with(text, needle);
	assert_non_null(row);
	/* address perm size RSS PSS USS swap refd what */
	if (sscanf(row, "%*s %*s %*s %*s %*s %*s %*s %" SCNu64, &refd) != 1)
		fail_msg("no refd column: %s", row);
	free(text);
	return refd;
}

/*
 * A copy of bin, executable, in a new directory under the current one (the
 * build directory: a file with a page cache of its own); its path in path,
 * the directory's in dir. False, with nothing left behind, when it cannot
 * be made.
 */
static bool private_copy(const char *bin, char *dir, size_t dir_size, char *path, size_t size)
{
	struct stat st;
	int in = -1, out = -1;
	off_t off = 0;
	bool ok = false;

	snprintf(dir, dir_size, "vmscope-numbers-XXXXXX");
	if (!mkdtemp(dir))
		return false;
	snprintf(path, size, "%s/target", dir);
	in = open(bin, O_RDONLY | O_CLOEXEC);
	if (chmod(dir, 0755) == 0 && in >= 0 && fstat(in, &st) == 0)
		out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out >= 0) {
		while (off < st.st_size && sendfile(out, in, &off, (size_t)(st.st_size - off)) > 0)
			;
		ok = off == st.st_size;
		ok = close(out) == 0 && ok;
	}
	if (in >= 0)
		close(in);
	if (!ok) {
		fprintf(stderr, "# cannot copy %s to %s: %s\n", bin, path, strerror(errno));
		unlink(path);
		rmdir(dir);
	}
	return ok;
}

/*
 * --reset-refs in text: the header's working set is smaps_rollup's
 * Referenced and the region's refd column its smaps Referenced, as the
 * kernel has them for the frozen target before and after vmscope's read
 * (vmscope touches none of its pages after clearing the bits). A page
 * mapped by other processes too can change its Referenced under the frozen
 * target: the exit of any process whose mapping of it was referenced (as
 * vmscope's own, after its read) turns the page's referenced flag, which
 * every process's smaps shows, on or off (on this kernel: 4 KiB more, or
 * less, at each such exit). So the target runs from bin, a copy of its own
 * (the suite's other copies of the target come and go), and the vdso, whose
 * pages are the machine's, is taken out of each side. One try; false when
 * the kernel's counts moved around vmscope's read otherwise: DAMON, which
 * runs on some test machines, clears accessed bits.
 */
static bool reset_refs_try(const char *bin)
{
	static const char *const args[] = { "--refs-pages", "20", "--refs-touch", "5", NULL };
	char pid[16], *hdr, *row;
	const char *vargs[] = { "--reset-refs", "2", "--bytes", "-a", "--sort", "referenced",
				"--color", "never", "--width", "200", pid, NULL };
	const char *argv[LT_ARGV_MAX];
	struct lt_target t;
	struct lt_smaps_entry e;
	struct lt_run r;
	uint64_t f[3], refd, before, after, shown = 0, vdso, vdso_before, vdso_after, vdso_shown;
	int st;

	target_start(&t, bin, args);
	assert_true(lt_target_fact(&t, "refs", f, 3));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	lt_argv(argv, NULL, vmscope_bin, vargs);
	lt_run_start(&r, argv, 0);
	/* once the bits are cleared, the target reads its pages and stops again */
	lt_run_await_err(&r, "cleared");
	kill(t.pid, SIGCONT);
	assert_int_equal(waitpid(t.pid, &st, WUNTRACED), t.pid);
	assert_true(WIFSTOPPED(st));
	vdso = vdso_start(t.pid);
	before = proc_kb(t.pid, "smaps_rollup", "Referenced");
	vdso_before = vdso_referenced(t.pid, vdso);
	lt_run_wait(&r);
	assert_int_equal(r.code, 0);
	after = proc_kb(t.pid, "smaps_rollup", "Referenced");
	vdso_after = vdso_referenced(t.pid, vdso);
	assert_true(lt_smaps_entry(t.pid, f[0], &e));
	hdr = line_with(r.out, "working set ");
	assert_non_null(hdr);
	if (sscanf(strstr(hdr, "working set "), "working set %" SCNu64 " in 2 s", &shown) != 1)
		fail_msg("no working set in the header: %s", hdr);
	row = strstr(hdr + strlen(hdr) + 1, "\nregions:");
	assert_non_null(row);
	refd = report_refd(row, f[0]);
	vdso_shown = vdso ? report_refd(row, vdso) : 0;
	lt_run_release(&r);
	lt_target_stop(&t);
	assert_true(e.referenced <= f[2]);
	assert_true(vdso_before <= before && vdso_after <= after && vdso_shown <= shown);
	if (before - vdso_before == after - vdso_after && shown - vdso_shown == after - vdso_after &&
	    refd == e.referenced)
		return true;
	print_message("# Referenced %" PRIu64 " before vmscope's read, %" PRIu64 " after, "
		      "shown %" PRIu64 " (the vdso's %" PRIu64 ", %" PRIu64 ", %" PRIu64 "); "
		      "region %" PRIu64 ", shown %" PRIu64 "\n",
		      before, after, shown, vdso_before, vdso_after, vdso_shown, e.referenced, refd);
	return false;
}

/* Whether a DAMON monitor runs on this machine (it clears accessed bits). */
static bool damon_running(void)
{
	char *s = lt_slurp_maybe("/sys/kernel/mm/damon/admin/kdamonds/0/state");
	bool on = s && strncmp(s, "on", 2) == 0;

	free(s);
	return on;
}

/* The target's own copy, made before test_reset_refs_text and removed after. */
static char private_dir[64], private_bin[96];

static int private_target_make(void **state)
{
	(void)state;
	return private_copy(live_target_bin, private_dir, sizeof(private_dir), private_bin,
			    sizeof(private_bin))
		       ? 0
		       : -1;
}

static int private_target_remove(void **state)
{
	(void)state;
	unlink(private_bin);
	rmdir(private_dir);
	return 0;
}

static void test_reset_refs_text(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		if (reset_refs_try(private_bin))
			return;
	if (damon_running()) {
		fprintf(stderr, "# DAMON clears accessed bits here: no quiet try in 5\n");
		skip();
	}
	fail_msg("vmscope's working set differed from the kernel's in 5 quiet tries");
}

/* ---- faults of threads that start and exit during the run --------------------- */

/* Fields 10 and 12 of /proc/<pid>/stat: the process's minor and major faults. */
static void stat_faults(pid_t pid, uint64_t *minflt, uint64_t *majflt)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = lt_slurp(path);
	p = strrchr(s, ')');
	assert_non_null(p);
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %" SCNu64 " %*u %" SCNu64, minflt,
		   majflt) != 2)
		fail_msg("bad stat: %s", s);
	free(s);
}

/*
 * vmscope faults while the target starts 20 threads one after the other,
 * each faulting 8 pages of its own and exiting. The kernel's counters (stat,
 * read while the target is stopped before and after) give the faults of the
 * run; with inheritance every one of them is sampled, and the timeline has
 * every second of the run. Without it (scans of task/, as for a process of
 * too many threads), the report says how many were missed.
 */
static void faults_burst(bool inherit, json_object **ret, char **ret_text, uint64_t *ret_delta)
{
	static const char *const args[] = { "--burst", "20", "--burst-pages", "8", NULL };
	const char *vargs[] = { "faults", "--duration", "3s", "--format", inherit ? "json" : "text",
				NULL, NULL };
	const char *argv[LT_ARGV_MAX];
	uint64_t min0, maj0, min1, maj1;
	struct lt_target t;
	struct lt_run r;
	char pid[16];
	int st;

	target_start(&t, target_bin, args);
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	vargs[5] = pid;
	if (!inherit)
		setenv("VMSCOPE_TEST_NO_INHERIT", "1", 1);
	stat_faults(t.pid, &min0, &maj0);
	lt_argv(argv, NULL, vmscope_bin, vargs);
	lt_run_start(&r, argv, 0);
	unsetenv("VMSCOPE_TEST_NO_INHERIT");
	lt_run_await_err(&r, "watching");
	usleep(300000);
	kill(t.pid, SIGCONT);
	assert_int_equal(waitpid(t.pid, &st, WUNTRACED), t.pid);
	assert_true(WIFSTOPPED(st));
	lt_run_wait(&r);
	assert_int_equal(r.code, 0);
	stat_faults(t.pid, &min1, &maj1);
	*ret_delta = min1 - min0 + maj1 - maj0;
	*ret = inherit ? lt_run_json(&r) : NULL;
	*ret_text = inherit ? NULL : strdup(r.out);
	lt_run_release(&r);
	lt_target_stop(&t);
}

static void test_faults_short_threads(void **state)
{
	json_object *o, *tl;
	uint64_t delta, seconds_with = 0, secs;
	char *text, *line, want[64];

	(void)state;
	faults_burst(true, &o, &text, &delta);
	assert_true(delta >= 20 * 8);
	assert_int_equal(lt_num(lt_get(o, "totals"), "minflt") + lt_num(lt_get(o, "totals"), "majflt"),
			 delta);
	assert_true(json_object_get_boolean(lt_get(lt_get(o, "sampled"), "inherited")));
	assert_int_equal(lt_num(lt_get(o, "sampled"), "minflt") +
				 lt_num(lt_get(o, "sampled"), "majflt"),
			 delta);
	/* every second of the run: 3 s asked, more when the machine is slow to end
	 * it (a last tenth of a second is the run's end, not a second) */
	tl = lt_get(o, "timeline");
	secs = (lt_num(o, "duration_ns") + 900000000u) / 1000000000u;
	assert_true(secs >= 3);
	assert_int_equal(json_object_array_length(tl), secs);
	for (size_t i = 0; i < secs; i++)
		seconds_with += lt_num(json_object_array_get_idx(tl, i), "minflt") > 0;
	assert_true(seconds_with < secs); /* the burst takes well under a second */
	json_object_put(o);

	faults_burst(false, &o, &text, &delta);
	line = line_with(text, "sampled ");
	assert_non_null(line);
	line = line_with(line + strlen(line) + 1, "missed ");
	assert_non_null(line);
	/* the threads exit faster than task/ is scanned: most faults are missed */
	{
		uint64_t sampled = 0, missed = 0;
		char *at = strstr(text, "sampled ");

		assert_int_equal(sscanf(at, "sampled %" SCNu64, &sampled), 1);
		assert_int_equal(sscanf(line, "missed %" SCNu64, &missed), 1);
		assert_int_equal(sampled + missed, delta);
		snprintf(want, sizeof(want), "between two scans of task/");
		assert_non_null(strstr(line, want));
	}
	free(text);
}

/* ---- the observer -------------------------------------------------------------- */

/*
 * A one-process command maps no libproc2, nor the libraries it brings
 * (libsystemd, libgcrypt ...), nor json-c (it reads no JSON): while it
 * runs, the PSS of every process that maps them is not lowered by it. Its
 * own maps say so while it watches.
 */
static void test_observer_maps(void **state)
{
	const char *vargs[] = { "faults", "--duration", "1s", NULL, NULL };
	static const char *const libs[] = { "libproc2", "libsystemd", "libgcrypt",
					    "libgpg-error", "liblz4", "libzstd", "libjson-c" };
	const char *argv[LT_ARGV_MAX];
	struct lt_target t;
	struct lt_run r;
	char pid[16], path[64], *maps;

	(void)state;
	target_start(&t, target_bin, (const char *const[]){ "--shm-pages", "1", NULL });
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	vargs[3] = pid;
	lt_argv(argv, NULL, vmscope_bin, vargs);
	lt_run_start(&r, argv, 0);
	lt_run_await_err(&r, "watching");
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)r.pid);
	maps = lt_slurp(path);
	assert_non_null(strstr(maps, "libelf")); /* the maps of vmscope, read in time */
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (strstr(maps, libs[i]))
			fail_msg("vmscope faults maps %s", libs[i]);
	free(maps);
	lt_run_wait(&r);
	assert_int_equal(r.code, 0);
	lt_run_release(&r);
	lt_target_stop(&t);
}

/* ---- regions taking turns ------------------------------------------------ */

/*
 * Twelve pairs of a read-write region (one page written) and a PROT_NONE
 * one: one layout row "anon mmap + reserved ×12" at the first, its size the
 * pairs', its RSS and PSS the sums of the 24 regions' smaps; the HTML map
 * draws the same row; so do four. Three pairs stay rows of their own.
 */
static void turns_check(unsigned pairs)
{
	static const char *const keys[4] = { "Rss", "Pss", NULL, NULL };
	char arg[16], label[64], *text, *line;
	struct lt_target t;
	uint64_t f[3], rss = 0, pss = 0, at, size, row_rss, row_pss;

	snprintf(arg, sizeof(arg), "%u", pairs);
	target_start(&t, live_target_bin, (const char *const[]){ "--turns", arg, NULL });
	assert_true(lt_target_fact(&t, "turns", f, 3));
	assert_int_equal(f[2], pairs);
	for (uint64_t a = f[0]; a < f[0] + f[1]; a += f[1] / (2 * pairs)) {
		struct lt_smaps_sum sm;

		assert_true(lt_smaps_sum(t.pid, a, 0, keys, &sm));
		/* each region a VMA of its own, as the target made them */
		assert_int_equal(sm.start, a);
		assert_int_equal(sm.end, a + f[1] / (2 * pairs));
		rss += sm.v[0];
		pss += sm.v[1];
	}
	assert_int_equal(rss, pairs * (uint64_t)sysconf(_SC_PAGESIZE));
	snprintf(label, sizeof(label), "anon mmap + reserved \u00d7%u", pairs);
	text = vmscope_out(t.pid, (const char *const[]){ "--bytes", "--color", "never", "-w",
							  "120", NULL });
	line = line_with(text, label);
	if (pairs < PAIRS_MIN) {
		if (line)
			fail_msg("%u pairs folded: %s", pairs, line);
		assert_null(line_with(text, " + reserved"));
		free(text);
		lt_target_stop(&t);
		return;
	}
	if (!line)
		fail_msg("no row \"%s\" in\n%s", label, text);
	/* address  label  size RSS PSS */
	if (sscanf(line, " %" SCNx64, &at) != 1 ||
	    sscanf(strstr(line, label) + strlen(label), " %" SCNu64 " %" SCNu64 " %" SCNu64, &size,
		   &row_rss, &row_pss) != 3)
		fail_msg("no address or numbers: %s", line);
	assert_int_equal(at, f[0]);
	assert_int_equal(size, f[1]);
	assert_int_equal(row_rss, rss);
	assert_int_equal(row_pss, pss);
	free(text);
	text = vmscope_out(t.pid, (const char *const[]){ "--format", "html", NULL });
	snprintf(label, sizeof(label), "data-start=\"0x%" PRIx64 "\"", f[0]);
	line = line_with(text, label);
	assert_non_null(line);
	/* the row's <title>: its label, then a line of its numbers */
	snprintf(label, sizeof(label), "<title>anon mmap + reserved \u00d7%u", pairs);
	if (!strstr(line, label) || strcmp(strstr(line, label) + strlen(label), "") != 0)
		fail_msg("the map's row is not \"%s\": %s", label, line);
	free(text);
	lt_target_stop(&t);
}

static void test_turns(void **state)
{
	(void)state;
	turns_check(12);
	turns_check(PAIRS_MIN);
	turns_check(PAIRS_MIN - 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uss_shmem),
		cmocka_unit_test(test_memfd_three_maps),
		cmocka_unit_test(test_turns),
		cmocka_unit_test_setup_teardown(test_reset_refs_text, private_target_make,
						private_target_remove),
		cmocka_unit_test(test_faults_short_threads),
		cmocka_unit_test(test_observer_maps),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s VMSCOPE NUMBERS-TARGET LIVE-TARGET-STATIC\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	live_target_bin = argv[3];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
