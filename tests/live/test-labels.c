/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Labels on a live process that maps what real servers map (labels-target):
 * a 1 GiB PROT_NONE reservation, shared anonymous memory, two SysV segments
 * (one marked for removal), a memfd mapped three times, a thread's stack and
 * guard, its malloc arena, and a named anonymous region where the kernel
 * allows it. The target is frozen; each region's kind, deleted flag and
 * label are checked against what the kernel's maps and /proc/sysvipc/shm say.
 *
 * usage: test-labels VMSCOPE TARGET
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

#define HEAP_MAX (UINT64_C(64) << 20)

static const char *vmscope_bin;
static const char *target_bin;

struct fixture {
	struct lt_target t;
	json_object *snap;
	char *text;   /* vmscope --all --width 200 */
	char *maps;   /* /proc/PID/maps, read while the target was frozen */
	char *shm;    /* /proc/sysvipc/shm */
	int sysv_ids[2];
	/* the target's own memory (smaps_rollup's Rss, Private_Dirty and
	 * Anonymous lines) before and after the two reports */
	char *own_before, *own_after;
};

static struct fixture fx;

/* The maps line of the region that starts at addr (in fx.maps), or fails. */
static void maps_line(uint64_t addr, char *ret, size_t n)
{
	char want[32];
	const char *p = fx.maps;
	int len = snprintf(want, sizeof(want), "%" PRIx64 "-", addr);

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, want, (size_t)len) == 0) {
			if (l >= n)
				l = n - 1;
			memcpy(ret, p, l);
			ret[l] = '\0';
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
	fail_msg("no maps line starts at %" PRIx64, addr);
}

static const char *jstr(json_object *o, const char *key)
{
	return json_object_get_string(lt_get(o, key));
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v = lt_get(o, key);

	assert_true(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

static uint64_t jaddr(json_object *o, const char *key)
{
	return strtoull(jstr(o, key), NULL, 16);
}

static void assert_kind(json_object *r, const char *kind)
{
	if (strcmp(jstr(r, "kind"), kind) != 0)
		fail_msg("region %s (%s): kind %s, expected %s", jstr(r, "start"), jstr(r, "name"),
			 jstr(r, "kind"), kind);
}

/* The text report's line for the region at addr (the layout's or the table's). */
static bool text_has(uint64_t addr, const char *label)
{
	char want[32];
	const char *p = fx.text;

	snprintf(want, sizeof(want), " %" PRIx64 " ", addr);
	while ((p = strstr(p, want)) != NULL) {
		const char *nl = strchr(p, '\n');
		const char *hit = strstr(p, label);

		if (hit && (!nl || hit < nl))
			return true;
		p += strlen(want);
	}
	return false;
}

static void assert_label(uint64_t addr, const char *label)
{
	if (!text_has(addr, label))
		fail_msg("no line for %" PRIx64 " says '%s':\n%s", addr, label, fx.text);
}

/* The /proc/sysvipc/shm row of shmid id: perms (octal), size, nattch. */
static bool shm_row(int id, unsigned *ret_mode, uint64_t *ret_size, uint64_t *ret_nattch)
{
	const char *p = strchr(fx.shm, '\n');

	while (p && *++p) {
		long long key, sid;
		unsigned mode;
		unsigned long long size, cpid, lpid, nattch;

		if (sscanf(p, "%lld %lld %o %llu %llu %llu %llu", &key, &sid, &mode, &size, &cpid,
			   &lpid, &nattch) == 7 &&
		    sid == id) {
			*ret_mode = mode;
			*ret_size = size;
			*ret_nattch = nattch;
			return true;
		}
		p = strchr(p, '\n');
	}
	return false;
}

/*
 * Room in the static TLS for libraries loaded later that no thread writes:
 * the top of each thread's stack, where vmscope looks for its TCB, then
 * holds pages never written, which a read of /proc/PID/mem would make the
 * target's own.
 */
static void tls_surplus(const void *data)
{
	(void)data;
	if (setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=65536", 1) != 0)
		_exit(127);
}

/* The lines of the target's smaps_rollup that only its own memory moves. */
static char *own_memory(pid_t pid)
{
	char path[64], *all, *out, *o;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	all = lt_slurp(path);
	out = o = calloc(1, strlen(all) + 1);
	assert_non_null(out);
	for (p = all; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (strncmp(p, "Rss:", 4) == 0 || strncmp(p, "Private_Dirty:", 14) == 0 ||
		    strncmp(p, "Anonymous:", 10) == 0) {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	free(all);
	return out;
}

static int group_setup(void **state)
{
	const char *argv[LT_ARGV_MAX];
	char pid[16], path[64];
	uint64_t v[4];
	struct lt_run r;

	(void)state;
	lt_argv(argv, NULL, target_bin, (const char *const[]){ NULL });
	lt_target_start(&fx.t, argv, 0, tls_surplus, NULL);
	lt_target_wait_stopped(&fx.t, "ready");
	fx.sysv_ids[0] = fx.sysv_ids[1] = -1;
	if (lt_target_fact(&fx.t, "sysv", v, 4))
		fx.sysv_ids[0] = (int)v[2];
	if (lt_target_fact(&fx.t, "sysvrm", v, 4))
		fx.sysv_ids[1] = (int)v[2];

	snprintf(pid, sizeof(pid), "%d", (int)fx.t.pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)fx.t.pid);
	fx.maps = lt_slurp(path);
	fx.shm = lt_slurp("/proc/sysvipc/shm");
	fx.own_before = own_memory(fx.t.pid);
	lt_argv(argv, NULL, vmscope_bin, (const char *const[]){ "--format", "json", pid, NULL });
	fx.snap = lt_run_json_of(argv, 0);
	lt_argv(argv, NULL, vmscope_bin,
		(const char *const[]){ "--all", "--width", "200", "--color", "never", pid, NULL });
	lt_run(&r, argv, 0);
	assert_int_equal(lt_exit_code(&r), 0);
	fx.text = r.out;
	r.out = NULL;
	lt_run_release(&r);
	fx.own_after = own_memory(fx.t.pid);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lt_target_stop(&fx.t);
	/* the segment not marked for removal outlives its process */
	if (fx.sysv_ids[0] >= 0)
		(void)shmctl(fx.sysv_ids[0], IPC_RMID, NULL);
	json_object_put(fx.snap);
	free(fx.text);
	free(fx.maps);
	free(fx.shm);
	free(fx.own_before);
	free(fx.own_after);
	return 0;
}

/*
 * The two reports read the target's memory through /proc/PID/mem (each
 * thread's TCB and static TLS, its arena's first word), where the pages are
 * in memory only, and do not open the data file it maps shared (whose close
 * would write its dirty pages back): the target's own memory is as it was
 * before them, its dirty pages still dirty.
 */
static void test_reads_change_nothing(void **state)
{
	(void)state;
	assert_string_equal(fx.own_after, fx.own_before);
}

/* The region of the target's "TAG ADDR BYTES" line (into v): it is that,
 * with perms (" ---p ") in the kernel's maps line. */
static json_object *fact_region(const char *tag, const char *perms, uint64_t v[2])
{
	json_object *r;
	char line[512];

	assert_true(lt_target_fact(&fx.t, tag, v, 2));
	r = lt_region_at(fx.snap, v[0]);
	maps_line(v[0], line, sizeof(line));
	assert_non_null(strstr(line, perms));
	assert_int_equal(jaddr(r, "start"), v[0]);
	assert_int_equal(lt_num(r, "size"), v[1]);
	assert_int_equal(jaddr(r, "end") - v[0], v[1]);
	return r;
}

/* 1 GiB of PROT_NONE is reserved address space, not a guard. */
static void test_reserved(void **state)
{
	uint64_t v[2];
	json_object *r;

	(void)state;
	r = fact_region("reserve", " ---p ", v);
	assert_kind(r, "reserved");
	assert_label(v[0], "reserved");
}

/* MAP_SHARED|MAP_ANONYMOUS: the kernel says /dev/zero (deleted). */
static void test_shared_anon(void **state)
{
	uint64_t v[2];
	json_object *r;
	char line[512];

	(void)state;
	assert_true(lt_target_fact(&fx.t, "shanon", v, 2));
	maps_line(v[0], line, sizeof(line));
	assert_non_null(strstr(line, " rw-s "));
	assert_non_null(strstr(line, "/dev/zero (deleted)"));
	r = lt_region_at(fx.snap, v[0]);
	assert_kind(r, "shm");
	assert_string_equal(jstr(r, "name"), "/dev/zero");
	assert_false(jbool(r, "deleted"));
	assert_label(v[0], "shared anon");
	assert_false(text_has(v[0], "deleted"));
	assert_false(text_has(v[0], "zero"));
}

/* Both segments read "(deleted)" in maps; only the marked one is. */
static void check_sysv(const char *tag, bool marked)
{
	uint64_t v[4], size = 0, nattch = 0;
	json_object *r, *segs, *seg = NULL;
	char line[512], label[64];
	unsigned mode = 0;

	assert_true(lt_target_fact(&fx.t, tag, v, 4));
	maps_line(v[0], line, sizeof(line));
	assert_non_null(strstr(line, " (deleted)"));
	/* the kernel: the inode is the shmid, the table has SHM_DEST iff marked */
	assert_true(shm_row((int)v[2], &mode, &size, &nattch));
	assert_int_equal(!!(mode & 01000), marked);
	assert_int_equal(size, v[1]);

	r = lt_region_at(fx.snap, v[0]);
	assert_kind(r, "shm");
	assert_int_equal(lt_num(r, "inode"), v[2]);
	assert_int_equal(jbool(r, "deleted"), marked);
	segs = lt_get(fx.snap, "sysv");
	for (size_t i = 0; i < json_object_array_length(segs); i++)
		if (lt_num(json_object_array_get_idx(segs, i), "id") == v[2])
			seg = json_object_array_get_idx(segs, i);
	assert_non_null(seg);
	assert_int_equal(lt_num(seg, "size"), size);
	assert_int_equal(lt_num(seg, "nattch"), nattch);
	assert_int_equal(lt_num(seg, "mode"), mode);
	assert_int_equal(jbool(seg, "marked_for_removal"), marked);
	/* once removed the table's key is 0; the name keeps it */
	assert_int_equal(lt_num(seg, "key"), marked ? 0 : v[3]);

	snprintf(label, sizeof(label), "SysV shm key 0x%08" PRIx64 " id %" PRIu64, v[3], v[2]);
	assert_label(v[0], label);
	assert_int_equal(text_has(v[0], "(marked for removal)"), marked);
	assert_false(text_has(v[0], "(deleted)"));
}

static void test_sysv(void **state)
{
	(void)state;
	check_sysv("sysv", false);
}

static void test_sysv_marked(void **state)
{
	(void)state;
	check_sysv("sysvrm", true);
}

/*
 * The same target in an IPC namespace of its own (unshare --ipc): our
 * /proc/sysvipc/shm is not its table, so its segments are not looked up
 * there; the source says why, the region keeps the key its name holds.
 */
static void test_sysv_other_namespace(void **state)
{
	const char *argv[LT_ARGV_MAX];
	char pid[16], label[64];
	json_object *snap, *src;
	struct lt_target t;
	struct lt_run r;
	uint64_t v[4];

	(void)state;
	if (system("unshare --ipc true 2>/dev/null") != 0)
		skip();
	lt_argv(argv, (const char *const[]){ "unshare", "--ipc", NULL }, target_bin,
		(const char *const[]){ NULL });
	lt_target_start(&t, argv, 0, NULL, NULL);
	lt_target_wait_stopped(&t, "ready");
	assert_true(lt_target_fact(&t, "sysv", v, 4));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	lt_argv(argv, NULL, vmscope_bin, (const char *const[]){ "--format", "json", pid, NULL });
	snap = lt_run_json_of(argv, 0);
	src = lt_get(lt_get(snap, "sources"), "sysv_shm");
	assert_string_equal(json_object_get_string(lt_get(src, "error")), "EXDEV");
	assert_int_equal(json_object_array_length(lt_get(snap, "sysv")), 0);
	assert_kind(lt_region_at(snap, v[0]), "shm");
	lt_argv(argv, NULL, vmscope_bin,
		(const char *const[]){ "--all", "--width", "200", "--color", "never", pid, NULL });
	lt_run(&r, argv, 0);
	assert_int_equal(lt_exit_code(&r), 0);
	snprintf(label, sizeof(label), "SysV shm key 0x%08" PRIx64 " id %" PRIu64, v[3], v[2]);
	if (!strstr(r.out, label) || !strstr(r.out, "the process is in another IPC namespace"))
		fail_msg("no '%s' or no reason in:\n%s", label, r.out);
	lt_run_release(&r);
	json_object_put(snap);
	lt_target_stop(&t);
}

/* One memfd mapped three times: three regions, one object, no deletion. */
static void test_memfd(void **state)
{
	uint64_t v[4];
	json_object *objects = lt_get(fx.snap, "objects");
	int64_t object = -1;

	(void)state;
	assert_true(lt_target_fact(&fx.t, "memfd", v, 4));
	for (int i = 0; i < 3; i++) {
		json_object *r = lt_region_at(fx.snap, v[i]);
		char line[512];

		maps_line(v[i], line, sizeof(line));
		assert_non_null(strstr(line, "/memfd:vmscope-labels (deleted)"));
		assert_kind(r, "shm");
		assert_false(jbool(r, "deleted"));
		assert_int_equal(lt_num(r, "size"), v[3]);
		if (i == 0)
			object = (int64_t)lt_num(r, "object");
		assert_int_equal(lt_num(r, "object"), object);
		assert_label(v[i], "memfd vmscope-labels");
		assert_false(text_has(v[i], "(deleted)"));
	}
	assert_false(jbool(json_object_array_get_idx(objects, (size_t)object), "deleted"));
}

/* A thread's stack, and glibc's guard page right below it. */
static void test_thread_guard(void **state)
{
	uint64_t v[2], start;
	json_object *stack, *guard;
	char line[512];

	(void)state;
	assert_true(lt_target_fact(&fx.t, "thread", v, 2));
	stack = NULL;
	for (size_t i = 0; i < json_object_array_length(lt_get(fx.snap, "regions")); i++) {
		json_object *r = json_object_array_get_idx(lt_get(fx.snap, "regions"), i);

		if (jaddr(r, "start") <= v[1] && v[1] < jaddr(r, "end"))
			stack = r;
	}
	assert_non_null(stack);
	assert_kind(stack, "thread_stack");
	assert_int_equal(lt_num(stack, "tid"), v[0]);
	start = jaddr(stack, "start");
	guard = NULL;
	for (size_t i = 0; i < json_object_array_length(lt_get(fx.snap, "regions")); i++) {
		json_object *r = json_object_array_get_idx(lt_get(fx.snap, "regions"), i);

		if (jaddr(r, "end") == start)
			guard = r;
	}
	assert_non_null(guard);
	maps_line(jaddr(guard, "start"), line, sizeof(line));
	assert_non_null(strstr(line, " ---p "));
	assert_kind(guard, "guard");
	assert_true(lt_num(guard, "size") <= lt_num(stack, "size"));
	assert_label(jaddr(guard, "start"), "guard");
}

/* The thread's arena: a heap at a 64 MiB boundary, rw then PROT_NONE. */
static void test_arena(void **state)
{
	uint64_t v[2];
	json_object *heap, *rest;
	char line[512];

	(void)state;
	assert_true(lt_target_fact(&fx.t, "arena", v, 2));
	assert_int_equal(v[1] % HEAP_MAX, 0);
	heap = lt_region_at(fx.snap, v[1]);
	maps_line(v[1], line, sizeof(line));
	assert_non_null(strstr(line, " rw-p "));
	assert_kind(heap, "malloc_arena");
	rest = lt_region_at(fx.snap, jaddr(heap, "end"));
	maps_line(jaddr(heap, "end"), line, sizeof(line));
	assert_non_null(strstr(line, " ---p "));
	assert_kind(rest, "reserved");
	assert_int_equal(jaddr(rest, "end"), v[1] + HEAP_MAX);
	assert_label(jaddr(heap, "end"), "reserved");
	/* whose it is, from the thread's thread_arena, as the thread itself
	 * found it: its block lies in this heap */
	snprintf(line, sizeof(line), "malloc arena of %" PRIu64, v[0]);
	assert_label(v[1], line);
	for (size_t i = 0; i < json_object_array_length(lt_get(fx.snap, "threads")); i++) {
		json_object *t = json_object_array_get_idx(lt_get(fx.snap, "threads"), i);
		json_object *a = lt_get(t, "arena");

		if (lt_num(t, "tid") == v[0])
			assert_int_equal(strtoull(json_object_get_string(a), NULL, 16), v[1] + 48);
		else
			assert_true(json_object_is_type(a, json_type_null));
	}
}

/* An anonymous private region of the program's own, not malloc's. */
static void check_not_chunks(const char *tag)
{
	uint64_t v[2];

	assert_kind(fact_region(tag, " rw-p ", v), "anon");
	assert_label(v[0], "anon mmap");
}

/*
 * Three requests over malloc's mmap threshold, side by side: one region of
 * three chunks, read in the target's memory; mappings of the program's own
 * beside them are not, one with a header whose size runs past its end.
 */
static void test_malloc_mmap(void **state)
{
	uint64_t v[2];

	(void)state;
	assert_kind(fact_region("chunks", " rw-p ", v), "malloc_mmap");
	assert_label(v[0], "malloc mmap");
	check_not_chunks("plainmap");
	check_not_chunks("fakehead");
}

/*
 * 1,800 requests of 128 KiB in 13 regions of 299 chunks or 1: read lowest
 * first, a region is read while fewer than 1,024 headers have been (a
 * process's bound), so the regions below it are malloc_mmap and the rest
 * anon.
 */
static void test_malloc_mmap_bound(void **state)
{
	const char *argv[LT_ARGV_MAX];
	uint64_t v[1 + 2 * 32], reads = 0, chunk = (128 << 10) + 4096;
	unsigned labelled = 0, left = 0;
	struct lt_target t;
	json_object *snap;
	char pid[16];

	(void)state;
	lt_argv(argv, NULL, target_bin, (const char *const[]){ "--chunk-groups", NULL });
	lt_target_start(&t, argv, 0, NULL, NULL);
	lt_target_wait_stopped(&t, "ready");
	memset(v, 0, sizeof(v));
	assert_true(lt_target_fact(&t, "chunkregions", v, 2));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	lt_argv(argv, NULL, vmscope_bin, (const char *const[]){ "--format", "json", pid, NULL });
	snap = lt_run_json_of(argv, 0);
	/* the line's numbers: pairs until the first 0 address */
	(void)lt_target_fact(&t, "chunkregions", v, sizeof(v) / sizeof(v[0]));
	for (unsigned i = 0; i + 1 < sizeof(v) / sizeof(v[0]) && v[i]; i += 2) {
		json_object *r = lt_region_at(snap, v[i]);

		assert_int_equal(lt_num(r, "size"), v[i + 1]);
		assert_int_equal(v[i + 1] % chunk, 0);
		if (reads < 1024) {
			assert_kind(r, "malloc_mmap");
			reads += v[i + 1] / chunk;
			labelled++;
		} else {
			assert_kind(r, "anon");
			left++;
		}
	}
	assert_true(labelled >= 5);
	assert_true(left >= 1);
	json_object_put(snap);
	lt_target_stop(&t);
}

/*
 * 100 threads allocating from 8 arenas: each thread's arena, found in its
 * static TLS (the threads' TLS read on two threads, 64 or more), is the
 * malloc_state at the start of the heap its block lies in; the main
 * thread's, and any other thread's glibc gave the main arena, is null.
 */
#define ARENA_THREADS 100

static void test_arena_threads(void **state)
{
	const char *argv[LT_ARGV_MAX];
	uint64_t v[1 + 2 * ARENA_THREADS];
	struct lt_target t;
	json_object *snap, *threads;
	unsigned found = 0;
	char pid[16], n[16];

	(void)state;
	snprintf(n, sizeof(n), "%d", ARENA_THREADS);
	lt_argv(argv, NULL, target_bin, (const char *const[]){ "--arena-threads", n, NULL });
	lt_target_start(&t, argv, 0, tls_surplus, NULL);
	lt_target_wait_stopped(&t, "ready");
	assert_true(lt_target_fact(&t, "arenas", v, sizeof(v) / sizeof(v[0])));
	assert_int_equal(v[0], ARENA_THREADS);
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	lt_argv(argv, NULL, vmscope_bin, (const char *const[]){ "--format", "json", pid, NULL });
	snap = lt_run_json_of(argv, 0);
	threads = lt_get(snap, "threads");
	assert_int_equal(json_object_array_length(threads), ARENA_THREADS + 1);
	for (size_t i = 0; i < json_object_array_length(threads); i++) {
		json_object *th = json_object_array_get_idx(threads, i), *a = lt_get(th, "arena");
		uint64_t tid = lt_num(th, "tid"), want = 0;

		bool listed = tid == (uint64_t)t.pid;

		for (unsigned k = 0; k < ARENA_THREADS; k++)
			if (v[1 + 2 * k] == tid) {
				listed = true;
				want = v[2 + 2 * k] ? v[2 + 2 * k] + 48 : 0;
			}
		assert_true(listed);
		if (!want) {
			/* the main arena, the main thread's and a few others' */
			assert_true(json_object_is_type(a, json_type_null));
			continue;
		}
		if (json_object_is_type(a, json_type_null) ||
		    strtoull(json_object_get_string(a), NULL, 16) != want)
			fail_msg("thread %" PRIu64 ": arena %s, want 0x%" PRIx64, tid,
				 json_object_get_string(a), want);
		found++;
	}
	/* 7 arenas of threads' own at least (the 8th may be the main one) */
	assert_true(found >= ARENA_THREADS / 2);
	json_object_put(snap);
	lt_target_stop(&t);
}

/* [anon:NAME] and [anon_shmem:NAME] keep their names, where the kernel names them. */
static void check_named(const char *tag, const char *kind, const char *name)
{
	uint64_t v[3];
	json_object *r;
	char line[512];

	assert_true(lt_target_fact(&fx.t, tag, v, 3));
	if (v[2] != 0) {
		fprintf(stderr, "# prctl(PR_SET_VMA_ANON_NAME) failed with errno %" PRIu64
				" (CONFIG_ANON_VMA_NAME is off): the fixture \"labels\" tests %s\n",
			v[2], name);
		skip();
	}
	maps_line(v[0], line, sizeof(line));
	assert_non_null(strstr(line, name));
	r = lt_region_at(fx.snap, v[0]);
	assert_kind(r, kind);
	assert_string_equal(jstr(r, "name"), name);
	assert_false(jbool(r, "deleted"));
	assert_label(v[0], name);
}

static void test_anon_name(void **state)
{
	(void)state;
	check_named("anonname", "anon", "[anon:vmscope-name]");
}

static void test_anon_shmem_name(void **state)
{
	(void)state;
	check_named("shmname", "shm", "[anon_shmem:vmscope-shared]");
}

/* Kernel 6.x maps the clock pages apart: [vvar_vclock]. */
static void test_vvar_vclock(void **state)
{
	const char *p = strstr(fx.maps, "[vvar_vclock]");
	uint64_t start;

	(void)state;
	if (!p) {
		fprintf(stderr, "# this kernel has no [vvar_vclock]\n");
		skip();
	}
	while (p > fx.maps && p[-1] != '\n')
		p--;
	start = strtoull(p, NULL, 16);
	assert_kind(lt_region_at(fx.snap, start), "vvar");
	assert_label(start, "vvar_vclock");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved),    cmocka_unit_test(test_shared_anon),
		cmocka_unit_test(test_sysv),        cmocka_unit_test(test_sysv_marked),
		cmocka_unit_test(test_sysv_other_namespace),
		cmocka_unit_test(test_memfd),       cmocka_unit_test(test_thread_guard),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_arena_threads),       cmocka_unit_test(test_malloc_mmap),
		cmocka_unit_test(test_malloc_mmap_bound),
		cmocka_unit_test(test_reads_change_nothing),
		cmocka_unit_test(test_anon_name),
		cmocka_unit_test(test_anon_shmem_name), cmocka_unit_test(test_vvar_vclock),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s VMSCOPE TARGET\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
