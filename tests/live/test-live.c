/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live tests: vmscope run as a user runs it, on real processes frozen with
 * SIGSTOP, its JSON compared with what the kernel says about the same
 * process at the same instant (read here, independently of vmscope).
 *
 * usage: test-live VMSCOPE TARGET
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
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

#include "vmscope/snapshot.h"

#define MAX_FACTS 32
#define MANY_MAPS 30000

static const char *vmscope_bin;
static const char *target_bin;
static char tmpdir[1024];
static long page_size;

/* ---- processes ---------------------------------------------------------- */

struct fact {
	uint64_t v[4];
};

/* The numbers of the target's "key v0..." line; fails without one. */
static struct fact fact_get(const struct lt_target *t, const char *key)
{
	struct fact f;

	if (!lt_target_fact(t, key, f.v, 4))
		fail_msg("the target did not report '%s'", key);
	return f;
}

/*
 * Runs argv in its own process group, dying with this process; waits for
 * it to stop itself (SIGSTOP). With facts, reads the target's "key value"
 * lines up to "ready" first.
 */
static void start_stopped(char *const argv[], struct lt_target *t, bool facts)
{
	lt_target_start(t, (const char *const *)argv, LT_NULL_STDIN | LT_OWN_GROUP, NULL, NULL);
	if (!facts)
		lt_target_close_out(t);
	lt_target_wait_stopped(t, facts ? "ready" : NULL);
	lt_target_close_out(t);
}

/* Runs vmscope with args (NULL-terminated), stdout and stderr captured. */
static void run_vmscope_v(struct lt_run *r, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, vmscope_bin, args);
	lt_run(r, argv, LT_NULL_STDIN);
}

#define run_vmscope(r, ...) run_vmscope_v((r), (const char *const[]){ __VA_ARGS__, NULL })

/* The exit status, and what vmscope said when it is not the one expected. */
static void expect_exit(const struct lt_run *r, int code)
{
	int got = lt_exit_code(r);

	if (got != code)
		fail_msg("vmscope exited %d, not %d; stderr:\n%s", got, code, r->err);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- what the kernel says, read here -------------------------------------- */

struct kv {
	char key[40];
	uint64_t bytes;
	bool kb;
};

/* "Key:   123 kB" lines of /proc/<pid>/<name>; returns how many. */
static unsigned read_kv(pid_t pid, const char *name, struct kv *kv, unsigned max)
{
	char path[64], line[256];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) && n < max) {
		char *colon = strchr(line, ':'), *end;
		unsigned long long v;

		if (!colon || (size_t)(colon - line) >= sizeof(kv[n].key))
			continue;
		errno = 0;
		v = strtoull(colon + 1, &end, 10);
		if (errno || end == colon + 1)
			continue;
		memcpy(kv[n].key, line, (size_t)(colon - line));
		kv[n].key[colon - line] = '\0';
		kv[n].kb = strncmp(end, " kB", 3) == 0;
		kv[n].bytes = kv[n].kb ? v * 1024 : v;
		n++;
	}
	fclose(f);
	return n;
}

static const struct kv *kv_find(const struct kv *kv, unsigned n, const char *key)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return &kv[i];
	return NULL;
}

struct maps_line {
	uint64_t start, end;
	char perms[5];
};

static struct maps_line *read_maps(pid_t pid, size_t *ret_n)
{
	char path[64], line[4096 + 256];
	size_t n = 0, alloc = 1024;
	struct maps_line *m = malloc(alloc * sizeof(*m));
	FILE *f;

	assert_non_null(m);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (n == alloc) {
			alloc *= 2;
			m = realloc(m, alloc * sizeof(*m));
			assert_non_null(m);
		}
		m[n].start = strtoull(line, &p, 16);
		assert_int_equal(*p, '-');
		m[n].end = strtoull(p + 1, &p, 16);
		assert_int_equal(*p, ' ');
		memcpy(m[n].perms, p + 1, 4);
		m[n].perms[4] = '\0';
		n++;
	}
	fclose(f);
	*ret_n = n;
	return m;
}

/* ---- reading vmscope's JSON ------------------------------------------------ */

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = lt_get(o, key);

	if (!json_object_is_type(v, json_type_string))
		fail_msg("JSON '%s' is not a string: %s", key, json_object_to_json_string(v));
	return json_object_get_string(v);
}

static uint64_t jaddr(json_object *o, const char *key)
{
	const char *s = jstr(o, key);
	char *end;
	uint64_t v;

	if (strncmp(s, "0x", 2) != 0)
		fail_msg("address '%s' = '%s' does not start with 0x", key, s);
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno || *end || end == s + 2)
		fail_msg("address '%s' = '%s' is not hex", key, s);
	for (const char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			fail_msg("address '%s' is not lowercase", s);
	return v;
}

/* A region's counter, 0 when the key is absent (checked elsewhere). */
static uint64_t rmem(json_object *region, const char *key)
{
	json_object *v = jget(lt_get(region, "mem"), key);

	return v ? json_object_get_uint64(v) : 0;
}

static json_object *snapshot_of(const char *target_arg)
{
	struct lt_run r;
	json_object *snap;

	run_vmscope(&r, "--format", "json", target_arg);
	snap = lt_run_json(&r);
	lt_run_release(&r);
	return snap;
}

static json_object *snapshot_pid(pid_t pid)
{
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", (int)pid);
	return snapshot_of(arg);
}

static json_object *regions_of(json_object *snap)
{
	json_object *a = lt_get(snap, "regions");

	assert_true(json_object_is_type(a, json_type_array));
	return a;
}

/* Index of the region holding addr, or fails. */
static size_t region_at(json_object *snap, uint64_t addr)
{
	json_object *a = regions_of(snap);
	size_t n = json_object_array_length(a);

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(a, i);

		if (jaddr(r, "start") <= addr && addr < jaddr(r, "end"))
			return i;
	}
	fail_msg("no region holds 0x%" PRIx64, addr);
	return 0;
}

static json_object *region(json_object *snap, size_t i)
{
	return json_object_array_get_idx(regions_of(snap), i);
}

static void assert_kind(json_object *r, const char *kind)
{
	const char *k = jstr(r, "kind");

	if (strcmp(k, kind) != 0)
		fail_msg("region %s-%s '%s' is '%s', not '%s'", jstr(r, "start"), jstr(r, "end"),
			 jstr(r, "name"), k, kind);
}

/* ---- checks that hold for any process --------------------------------------- */

/* The regions are the maps lines, in order, with their sizes and perms. */
static void check_regions_are_maps(json_object *snap, pid_t pid)
{
	json_object *a = regions_of(snap);
	size_t n_maps, n = json_object_array_length(a);
	struct maps_line *m = read_maps(pid, &n_maps);

	assert_int_equal(lt_num(snap, "dropped_regions"), 0);
	if (n != n_maps)
		fail_msg("%zu regions, but /proc/%d/maps has %zu lines", n, (int)pid, n_maps);
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(a, i);
		uint64_t start = jaddr(r, "start"), end = jaddr(r, "end");

		if (start != m[i].start || end != m[i].end || strcmp(jstr(r, "perms"), m[i].perms) != 0)
			fail_msg("region %zu is %" PRIx64 "-%" PRIx64 " %s, maps says %" PRIx64 "-%" PRIx64 " %s",
				 i, start, end, jstr(r, "perms"), m[i].start, m[i].end, m[i].perms);
		assert_int_equal(lt_num(r, "size"), end - start);
		if (vms_kind_from_string(jstr(r, "kind")) < 0)
			fail_msg("unknown kind '%s'", jstr(r, "kind"));
	}
	free(m);
}

/*
 * Counters that do not depend on other processes (RSS, swap, anonymous):
 * the regions sum to the rollup, and the rollup is what the kernel says.
 */
static void check_stable_totals(json_object *snap, pid_t pid)
{
	static const char *const keys[] = { "rss", "swap", "anonymous", "locked" };
	json_object *a = regions_of(snap), *rollup = lt_get(lt_get(snap, "totals"), "rollup");
	struct kv kv[64];
	unsigned nkv = read_kv(pid, "smaps_rollup", kv, 64);
	size_t n = json_object_array_length(a);

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t sum = 0;
		const char *key = NULL;

		for (size_t m = 0; m < VMS_MEM__MAX; m++)
			if (strcmp(vms_mem_fields[m].name, keys[k]) == 0)
				key = vms_mem_fields[m].key;
		assert_non_null(key);
		for (size_t i = 0; i < n; i++)
			sum += rmem(json_object_array_get_idx(a, i), keys[k]);
		if (sum != lt_num(rollup, keys[k]))
			fail_msg("regions' %s sum to %" PRIu64 ", the rollup says %" PRIu64, keys[k], sum,
				 lt_num(rollup, keys[k]));
		if (!kv_find(kv, nkv, key))
			fail_msg("smaps_rollup has no %s", key);
		if (lt_num(rollup, keys[k]) != kv_find(kv, nkv, key)->bytes)
			fail_msg("rollup %s is %" PRIu64 ", smaps_rollup says %" PRIu64, keys[k],
				 lt_num(rollup, keys[k]), kv_find(kv, nkv, key)->bytes);
	}
}

/*
 * Counters that another process can change by mapping the same pages (PSS,
 * private/shared): the regions sum to the rollup vmscope read beside them.
 * Returns a message, or NULL when they agree.
 */
static char *sharing_totals_mismatch(json_object *snap)
{
	static const char *const keys[] = { "private_clean", "private_dirty", "shared_clean",
					    "shared_dirty" };
	json_object *a = regions_of(snap), *totals = lt_get(snap, "totals");
	json_object *rollup = lt_get(totals, "rollup");
	size_t n = json_object_array_length(a);
	uint64_t pss = 0, rollup_pss = lt_num(rollup, "pss");
	char *msg = NULL;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t sum = 0;

		for (size_t i = 0; i < n; i++)
			sum += rmem(json_object_array_get_idx(a, i), keys[k]);
		if (sum != lt_num(rollup, keys[k])) {
			if (asprintf(&msg, "regions' %s sum to %" PRIu64 ", the rollup says %" PRIu64, keys[k],
				     sum, lt_num(rollup, keys[k])) < 0)
				msg = NULL;
			return msg ? msg : strdup("mismatch");
		}
	}
	if (lt_num(totals, "uss") != lt_num(rollup, "private_clean") + lt_num(rollup, "private_dirty"))
		return strdup("uss is not private_clean + private_dirty");
	/* Each region's PSS is truncated to a kB on its own, the rollup's once. */
	for (size_t i = 0; i < n; i++)
		pss += rmem(json_object_array_get_idx(a, i), "pss");
	if (pss % 1024 || rollup_pss % 1024 || pss > rollup_pss || rollup_pss - pss >= n * 1024) {
		if (asprintf(&msg, "regions' pss sum to %" PRIu64 ", the rollup says %" PRIu64 " (%zu regions)",
			     pss, rollup_pss, n) < 0)
			msg = NULL;
		return msg ? msg : strdup("mismatch");
	}
	return NULL;
}

/* Status fields are per-process counters: equal to the kernel's, exactly. */
static void check_status(json_object *snap, pid_t pid)
{
	json_object *status = lt_get(lt_get(snap, "totals"), "status");
	struct kv kv[96];
	unsigned nkv = read_kv(pid, "status", kv, 96);
	unsigned checked = 0;

	for (size_t i = 0; i < VMS_ST__MAX; i++) {
		const struct kv *k = kv_find(kv, nkv, vms_status_fields[i].key);

		if (!k)
			continue;
		if (lt_num(status, vms_status_fields[i].name) != k->bytes)
			fail_msg("status %s is %" PRIu64 ", the kernel says %" PRIu64, vms_status_fields[i].name,
				 lt_num(status, vms_status_fields[i].name), k->bytes);
		checked++;
	}
	assert_true(checked >= 10);
	assert_int_equal(lt_num(lt_get(snap, "process"), "threads"), kv_find(kv, nkv, "Threads")->bytes);
	assert_int_equal(json_object_array_length(lt_get(snap, "threads")), kv_find(kv, nkv, "Threads")->bytes);
}

/* Pseudo-paths name their kind; the program's text is the main object's. */
static void check_kinds(json_object *snap, pid_t pid)
{
	static const struct { const char *name, *kind; } pseudo[] = {
		{ "[stack]", "stack" }, { "[heap]", "heap" }, { "[vdso]", "vdso" },
		{ "[vvar]", "vvar" }, { "[vsyscall]", "vsyscall" },
	};
	json_object *a = regions_of(snap), *objects = lt_get(snap, "objects");
	size_t n = json_object_array_length(a);
	char link[64], exe[PATH_MAX];
	bool seen_stack = false, seen_vdso = false, seen_text = false;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	len = readlink(link, exe, sizeof(exe) - 1);
	assert_true(len > 0);
	exe[len] = '\0';
	assert_string_equal(jstr(lt_get(snap, "process"), "exe"), exe);

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(a, i), *obj;
		const char *name = jstr(r, "name");

		for (size_t k = 0; k < sizeof(pseudo) / sizeof(pseudo[0]); k++)
			if (strcmp(name, pseudo[k].name) == 0)
				assert_kind(r, pseudo[k].kind);
		seen_stack |= strcmp(name, "[stack]") == 0;
		seen_vdso |= strcmp(name, "[vdso]") == 0;
		if (strcmp(name, exe) == 0 && strcmp(jstr(r, "perms"), "r-xp") == 0) {
			assert_kind(r, "text");
			obj = lt_get(r, "object");
			assert_true(json_object_is_type(obj, json_type_int));
			obj = json_object_array_get_idx(objects, (size_t)json_object_get_int(obj));
			assert_non_null(obj);
			assert_true(json_object_get_boolean(lt_get(obj, "main")));
			assert_string_equal(jstr(obj, "path"), exe);
			seen_text = true;
		}
	}
	assert_true(seen_stack);
	assert_true(seen_vdso);
	if (!seen_text)
		fail_msg("no r-xp region of %s", exe);
}

static void check_any_process(pid_t pid)
{
	json_object *snap = NULL;
	char *why = NULL;

	/* Another process mapping the same file pages moves them from private
	 * to shared between two reads; a real mismatch persists. */
	for (int attempt = 0; attempt < 3; attempt++) {
		json_object_put(snap);
		free(why);
		snap = snapshot_pid(pid);
		why = sharing_totals_mismatch(snap);
		if (!why)
			break;
	}
	if (why)
		fail_msg("%s", why);
	assert_int_equal(lt_num(snap, "schema"), 2);
	assert_int_equal(lt_num(lt_get(snap, "process"), "pid"), pid);
	check_regions_are_maps(snap, pid);
	check_stable_totals(snap, pid);
	check_status(snap, pid);
	check_kinds(snap, pid);
	json_object_put(snap);
}

/* ---- the layout target --------------------------------------------------- */

#define ANON_PAGES 64
#define ANON_TOUCH 17
#define SHARED_PAGES 60
#define CHILDREN 3
#define FILE_PAGES 25
#define FILE_READ 5
#define BSS_TOUCH 9
#define SBRK_PAGES 8

struct layout {
	struct lt_target t;
	json_object *snap;
	char file[PATH_MAX];
	char deleted[PATH_MAX];
};

static void write_file(const char *path, size_t size)
{
	char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		done += n;
	}
	assert_int_equal(close(fd), 0);
}

static int layout_setup(void **state)
{
	static struct layout l;
	char n[7][16];

	snprintf(l.file, sizeof(l.file), "%s/mapped file", tmpdir);
	snprintf(l.deleted, sizeof(l.deleted), "%s/gone soon", tmpdir);
	/* Not a page multiple: the mapping still covers whole pages. */
	write_file(l.file, FILE_PAGES * (size_t)page_size - 100);
	write_file(l.deleted, 3 * (size_t)page_size);
	snprintf(n[0], sizeof(n[0]), "%d", ANON_PAGES);
	snprintf(n[1], sizeof(n[1]), "%d", ANON_TOUCH);
	snprintf(n[2], sizeof(n[2]), "%d", SHARED_PAGES);
	snprintf(n[3], sizeof(n[3]), "%d", CHILDREN);
	snprintf(n[4], sizeof(n[4]), "%d", FILE_READ);
	snprintf(n[5], sizeof(n[5]), "%d", BSS_TOUCH);
	snprintf(n[6], sizeof(n[6]), "%d", SBRK_PAGES);
	{
		char *argv[] = { (char *)target_bin, "--anon-pages", n[0], "--anon-touch", n[1],
				 "--shared-pages", n[2], "--children", n[3], "--file", l.file,
				 "--file-read", n[4], "--deleted", l.deleted, "--bss-touch", n[5],
				 "--sbrk-pages", n[6], "--thread", NULL };

		start_stopped(argv, &l.t, true);
	}
	l.snap = snapshot_pid(l.t.pid);
	*state = &l;
	return 0;
}

/*
 * The host's facts, read while smaps is (vms_inspect's wait), as uname and
 * sysfs give them.
 */
static void check_host(json_object *host)
{
	struct utsname u;
	char thp[128] = "", *open_b, *close_b;
	FILE *f;

	assert_int_equal(uname(&u), 0);
	assert_string_equal(jstr(host, "kernel"), u.release);
	assert_string_equal(jstr(host, "machine"), u.machine);
	assert_string_equal(jstr(host, "hostname"), u.nodename);
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return;
	assert_non_null(fgets(thp, sizeof(thp), f));
	fclose(f);
	open_b = strchr(thp, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	assert_non_null(close_b);
	*close_b = '\0';
	assert_string_equal(jstr(host, "thp_enabled"), open_b + 1);
}

static int layout_teardown(void **state)
{
	struct layout *l = *state;

	json_object_put(l->snap);
	lt_target_stop(&l->t);
	unlink(l->file);
	return 0;
}

static void test_layout_consistent(void **state)
{
	struct layout *l = *state;

	check_any_process(l->t.pid);
}

static void test_layout_process(void **state)
{
	struct layout *l = *state;
	json_object *p = lt_get(l->snap, "process");

	assert_int_equal(lt_num(p, "pid"), l->t.pid);
	assert_int_equal(lt_num(p, "ppid"), getpid());
	assert_int_equal(lt_num(p, "uid"), getuid());
	assert_int_equal(lt_num(p, "threads"), 2);
	assert_string_equal(jstr(p, "state"), "T");
	assert_false(json_object_get_boolean(lt_get(p, "kernel_thread")));
	assert_non_null(strstr(jstr(p, "cmdline"), "--anon-pages 64"));
	assert_int_equal(lt_num(lt_get(l->snap, "host"), "page_size"), page_size);
	check_host(lt_get(l->snap, "host"));
}

static void test_layout_anon(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "anon");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0]));

	assert_kind(r, "anon");
	assert_int_equal(jaddr(r, "start"), f.v[0]);
	assert_int_equal(lt_num(r, "size"), ANON_PAGES * page_size);
	assert_int_equal(rmem(r, "rss"), ANON_TOUCH * page_size);
	assert_int_equal(rmem(r, "private_dirty"), ANON_TOUCH * page_size);
	assert_int_equal(rmem(r, "pss"), ANON_TOUCH * page_size);
	assert_string_equal(jstr(r, "name"), "");
}

static void test_layout_shared_after_fork(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "shared");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0]));

	assert_int_equal(lt_num(r, "size"), SHARED_PAGES * page_size);
	assert_int_equal(rmem(r, "rss"), SHARED_PAGES * page_size);
	assert_int_equal(rmem(r, "pss"), rmem(r, "rss") / (CHILDREN + 1));
	assert_int_equal(rmem(r, "pss") * (CHILDREN + 1), rmem(r, "rss"));
	assert_int_equal(rmem(r, "shared_dirty"), rmem(r, "rss"));
	assert_int_equal(rmem(r, "private_dirty"), 0);
}

static void test_layout_file(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "file");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0])), *obj;
	uint64_t rss = rmem(r, "rss");

	assert_kind(r, "file");
	assert_string_equal(jstr(r, "name"), l->file);
	assert_false(json_object_get_boolean(lt_get(r, "deleted")));
	assert_int_equal(lt_num(r, "size"), FILE_PAGES * page_size);
	/* Fault-around may map more of the cached file than was read. */
	assert_true(rss >= FILE_READ * (uint64_t)page_size && rss <= FILE_PAGES * (uint64_t)page_size);
	obj = lt_get(r, "object");
	assert_true(json_object_is_type(obj, json_type_int));
	obj = json_object_array_get_idx(lt_get(l->snap, "objects"), (size_t)json_object_get_int(obj));
	assert_non_null(obj);
	assert_string_equal(jstr(obj, "path"), l->file);
	assert_false(json_object_get_boolean(lt_get(obj, "main")));
}

static void test_layout_deleted(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "deleted");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0]));

	assert_true(json_object_get_boolean(lt_get(r, "deleted")));
	assert_string_equal(jstr(r, "name"), l->deleted);
	assert_string_equal(jstr(r, "perms"), "rw-s");
	assert_int_equal(lt_num(r, "size"), 3 * page_size);
	assert_int_equal(rmem(r, "rss"), page_size);
}

static void test_layout_thread_stack(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "thread");
	size_t i = region_at(l->snap, f.v[1]);
	json_object *r = region(l->snap, i), *threads = lt_get(l->snap, "threads");
	bool found = false;

	assert_kind(r, "thread_stack");
	assert_int_equal(lt_num(r, "tid"), f.v[0]);
	assert_true(rmem(r, "rss") >= 64 * 1024);
	for (size_t k = 0; k < json_object_array_length(threads); k++) {
		json_object *t = json_object_array_get_idx(threads, k);

		if (lt_num(t, "tid") != f.v[0])
			continue;
		found = true;
		assert_int_equal(lt_num(t, "region"), i);
		assert_true(jaddr(t, "sp") >= jaddr(r, "start") && jaddr(t, "sp") < jaddr(r, "end"));
	}
	assert_true(found);
}

/* Rss of the VMA starting at start, as /proc/<pid>/smaps says. */
static uint64_t kernel_region_rss(pid_t pid, uint64_t start)
{
	struct lt_smaps_entry e;

	assert_true(lt_smaps_entry(pid, start, &e) && e.start == start);
	return e.rss;
}

static void test_layout_bss(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "bss");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0]));
	uint64_t rss = rmem(r, "rss"), before = f.v[0] - jaddr(r, "start");

	assert_kind(r, "bss");
	/* The whole array lies in the one region. */
	assert_true(jaddr(r, "end") >= f.v[0] + f.v[1]);
	assert_int_equal(rss, kernel_region_rss(l->t.pid, jaddr(r, "start")));
	/* The pages written, and maybe those of the libc variables the
	 * program holds copies of (copy relocations) before the array. */
	assert_true(rss >= BSS_TOUCH * (uint64_t)page_size);
	assert_true(rss <= BSS_TOUCH * (uint64_t)page_size + before);
}

static void test_layout_heap(void **state)
{
	struct layout *l = *state;
	const struct fact f = fact_get(&l->t, "heap");
	json_object *r = region(l->snap, region_at(l->snap, f.v[0]));

	assert_kind(r, "heap");
	assert_string_equal(jstr(r, "name"), "[heap]");
	assert_true(jaddr(r, "end") >= f.v[0] + f.v[1]);
	assert_true(rmem(r, "rss") >= SBRK_PAGES * (uint64_t)page_size);
}

static void test_layout_stack_and_text(void **state)
{
	struct layout *l = *state;
	json_object *stack = region(l->snap, region_at(l->snap, fact_get(&l->t, "stack").v[0]));
	json_object *text = region(l->snap, region_at(l->snap, fact_get(&l->t, "text").v[0]));

	assert_kind(stack, "stack");
	assert_string_equal(jstr(stack, "name"), "[stack]");
	assert_kind(text, "text");
	assert_string_equal(jstr(text, "perms"), "r-xp");
}

/* The text report fits the width asked for and has no escape bytes. */
static void test_layout_text_report(void **state)
{
	struct layout *l = *state;
	struct lt_run r;
	char pid[16];
	unsigned col = 0, widest = 0;

	snprintf(pid, sizeof(pid), "%d", (int)l->t.pid);
	run_vmscope(&r, "--color", "never", "--width", "80", pid);
	expect_exit(&r, 0);
	assert_true(r.out_len > 200);
	assert_null(memchr(r.out, '\033', r.out_len));
	assert_non_null(strstr(r.out, pid));
	for (size_t i = 0; i < r.out_len; i++) {
		unsigned char c = (unsigned char)r.out[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if ((c & 0xc0) != 0x80 && ++col > widest)
			widest = col;
	}
	if (widest > 80)
		fail_msg("a line of the report is %u columns wide:\n%s", widest, r.out);
	lt_run_release(&r);

	run_vmscope(&r, "--color", "always", "--all", "--bytes", pid);
	expect_exit(&r, 0);
	assert_non_null(memchr(r.out, '\033', r.out_len));
	lt_run_release(&r);
}

/* ---- other processes ------------------------------------------------------ */

static void test_shell(void **state)
{
	char *argv[] = { "sh", "-c", "kill -STOP $$; exit 0", NULL };
	struct lt_target t;

	(void)state;
	start_stopped(argv, &t, false);
	check_any_process(t.pid);
	lt_target_stop(&t);
}

static void test_python(void **state)
{
	char *argv[] = { "python3", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSTOP)", NULL };
	struct lt_target t;

	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0) {
		skip();
		return;
	}
	start_stopped(argv, &t, false);
	check_any_process(t.pid);
	lt_target_stop(&t);
}

static void test_many_maps(void **state)
{
	char *argv[] = { (char *)target_bin, "--maps", "30000", NULL };
	struct lt_target t;
	json_object *snap;
	size_t i0;

	(void)state;
	start_stopped(argv, &t, true);
	snap = snapshot_pid(t.pid);
	assert_true(json_object_array_length(regions_of(snap)) >= MANY_MAPS);
	check_regions_are_maps(snap, t.pid);
	check_stable_totals(snap, t.pid);
	i0 = region_at(snap, fact_get(&t, "maps").v[0]);
	for (size_t i = 0; i < MANY_MAPS; i++)
		assert_int_equal(lt_num(region(snap, i0 + i), "size"), page_size);
	json_object_put(snap);
	lt_target_stop(&t);
}

static void test_no_such_process(void **state)
{
	struct lt_run r;

	(void)state;
	run_vmscope(&r, "999999999");
	expect_exit(&r, 1);
	assert_int_equal(r.out_len, 0);
	if (count_lines(r.err) != 1)
		fail_msg("not one line on stderr:\n%s", r.err);
	lt_run_release(&r);
}

/* PID 1 may be unreadable even as root: what cannot be read says n/a. */
static void test_pid1(void **state)
{
	struct lt_run r;
	int code;

	(void)state;
	run_vmscope(&r, "--format", "json", "1");
	code = lt_exit_code(&r);
	assert_true(code == 0 || code == 1);
	if (code == 1) {
		assert_true(count_lines(r.err) >= 1);
		lt_run_release(&r);
		return;
	}
	{
		json_object *snap = json_tokener_parse(r.out), *smaps;

		assert_non_null(snap);
		smaps = lt_get(lt_get(snap, "sources"), "smaps");
		lt_run_release(&r);
		if (!json_object_get_boolean(lt_get(smaps, "read"))) {
			assert_true(json_object_is_type(lt_get(smaps, "error"), json_type_string));
			run_vmscope(&r, "--color", "never", "1");
			code = lt_exit_code(&r);
			assert_true(code == 0 || code == 1);
			if (code == 0)
				assert_non_null(strstr(r.out, "n/a"));
			lt_run_release(&r);
		}
		json_object_put(snap);
	}
}

static void test_no_argument_is_caller(void **state)
{
	struct lt_run r;
	json_object *snap;

	(void)state;
	run_vmscope(&r, "--format", "json");
	expect_exit(&r, 0);
	snap = json_tokener_parse(r.out);
	assert_non_null(snap);
	assert_int_equal(lt_num(lt_get(snap, "process"), "pid"), getpid());
	json_object_put(snap);
	lt_run_release(&r);
}

static void test_name_one_match(void **state)
{
	char comm[16], pid[16];
	char *argv[] = { (char *)target_bin, "--comm", comm, NULL };
	struct lt_target t;
	json_object *snap;

	(void)state;
	snprintf(comm, sizeof(comm), "vmsl%d", (int)getpid());
	start_stopped(argv, &t, true);
	snap = snapshot_of(comm);
	assert_int_equal(lt_num(lt_get(snap, "process"), "pid"), t.pid);
	assert_string_equal(jstr(lt_get(snap, "process"), "comm"), comm);
	json_object_put(snap);

	/* An anchored pattern that matches nothing is "no such process". */
	{
		struct lt_run r;
		char pattern[32];

		snprintf(pattern, sizeof(pattern), "^%sx$", comm);
		run_vmscope(&r, pattern);
		expect_exit(&r, 1);
		if (count_lines(r.err) != 1)
			fail_msg("not one line on stderr:\n%s", r.err);
		lt_run_release(&r);

		/* --full matches the command line, where the name is not. */
		snprintf(pid, sizeof(pid), "%d", (int)t.pid);
		snprintf(pattern, sizeof(pattern), "target --comm %s$", comm);
		run_vmscope(&r, "--full", "--format", "json", "--", pattern);
		expect_exit(&r, 0);
		assert_non_null(strstr(r.out, pid));
		lt_run_release(&r);
	}
	lt_target_stop(&t);
}

static void test_name_several_matches(void **state)
{
	char comm[16], pid[2][16];
	char *argv[] = { (char *)target_bin, "--comm", comm, NULL };
	struct lt_target t[2];
	struct lt_run r;

	(void)state;
	snprintf(comm, sizeof(comm), "vmsm%d", (int)getpid());
	start_stopped(argv, &t[0], true);
	start_stopped(argv, &t[1], true);
	/* the report: each process's, headed */
	run_vmscope(&r, comm);
	expect_exit(&r, 0);
	for (int i = 0; i < 2; i++) {
		char head[64];

		snprintf(head, sizeof(head), "==> pid %d, %d of 2 <==", (int)t[i].pid, i + 1);
		if (!strstr(r.out, head))
			fail_msg("no \"%s\" in the report:\n%s%s", head, r.out, r.err);
	}
	lt_run_release(&r);
	/* a command of one process: the matches listed, exit 2 */
	run_vmscope(&r, "pages", comm);
	expect_exit(&r, 2);
	for (int i = 0; i < 2; i++) {
		snprintf(pid[i], sizeof(pid[i]), "%d", (int)t[i].pid);
		if (!strstr(r.out, pid[i]) && !strstr(r.err, pid[i]))
			fail_msg("the list of matches does not name pid %s:\n%s%s", pid[i], r.out, r.err);
	}
	lt_run_release(&r);
	lt_target_stop(&t[0]);
	lt_target_stop(&t[1]);
}

static void test_usage_errors(void **state)
{
	static const char *const bad[][4] = {
		{ "--format", "xml", "1", NULL },
		{ "--sort", "color", "1", NULL },
		{ "--top", "0", "1", NULL },
		{ "--width", "wide", "1", NULL },
		{ "--color", "sometimes", "1", NULL },
		{ "--no-such-option", NULL },
		{ "pages", "1", "2", NULL },
		{ "--format", NULL },
	};
	struct lt_run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_vmscope_v(&r, bad[i]);
		if (lt_exit_code(&r) != 2)
			fail_msg("vmscope %s %s exited %d, not 2", bad[i][0], bad[i][1] ? bad[i][1] : "",
				 lt_exit_code(&r));
		assert_int_equal(r.out_len, 0);
		assert_true(count_lines(r.err) >= 1);
		lt_run_release(&r);
	}
	run_vmscope(&r, "--version");
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, VMSCOPE_VERSION));
	lt_run_release(&r);
	run_vmscope(&r, "--help");
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "--format"));
	lt_run_release(&r);
}

/* A failed assertion leaves this process's buffers behind: not a leak of vmscope. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_consistent, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_process, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_anon, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_shared_after_fork, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_file, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_deleted, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_thread_stack, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_bss, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_heap, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_stack_and_text, layout_setup, layout_teardown),
		cmocka_unit_test_setup_teardown(test_layout_text_report, layout_setup, layout_teardown),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_many_maps),
		cmocka_unit_test(test_no_such_process),
		cmocka_unit_test(test_pid1),
		cmocka_unit_test(test_no_argument_is_caller),
		cmocka_unit_test(test_name_one_match),
		cmocka_unit_test(test_name_several_matches),
		cmocka_unit_test(test_usage_errors),
	};
	const char *tmp = getenv("TMPDIR");
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: test-live VMSCOPE TARGET\n");
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	page_size = sysconf(_SC_PAGESIZE);
	/* A space in the path: every file the targets map has one. */
	snprintf(tmpdir, sizeof(tmpdir), "%s/vmscope live XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	/* Orphaned children of the targets come back to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	alarm(600);
	r = cmocka_run_group_tests_name("live", tests, NULL, NULL);
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/gone soon", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return r;
}
