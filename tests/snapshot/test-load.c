/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot loader: what the JSON writer writes reads back into the same
 * model (the writer then writes the same bytes, the classifier gives the
 * same kinds), and every damaged file is refused with the right place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../report/fixture.h"
#include "damage.h"
#include "vmscope/budget.h"
#include "vmscope/load.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

static char *render_json(const struct vms_snapshot *snap, size_t *ret_len)
{
	struct vms_report_options opt = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(vms_report_json(f, snap, &opt), 0);
	assert_int_equal(fclose(f), 0);
	*ret_len = len;
	return buf;
}

static struct vms_snapshot *load_ok(const char *buf, size_t len)
{
	struct vms_snapshot *snap = NULL;
	struct vms_load_error err;
	int r = vms_snapshot_load(buf, len, &snap, &err);

	if (r != 0)
		fail_msg("load failed (%d) at %u:%u %s: %s", r, err.line, err.column, err.path,
			 err.message);
	return snap;
}

/* writer → loader → writer gives the same bytes */
static void check_round_trip(struct vms_snapshot *orig)
{
	size_t len1, len2;
	char *a = render_json(orig, &len1);
	struct vms_snapshot *back = load_ok(a, len1);
	char *b = render_json(back, &len2);

	assert_int_equal(len1, len2);
	assert_memory_equal(a, b, len1);
	assert_int_equal(back->n_regions, orig->n_regions);
	assert_int_equal(back->n_objects, orig->n_objects);
	assert_int_equal(back->n_threads, orig->n_threads);
	for (int s = 0; s < VMS_SRC__MAX; s++) {
		assert_int_equal(vms_snapshot_have(back, s), vms_snapshot_have(orig, s));
		assert_int_equal(back->src[s].tried ? back->src[s].error : 0,
				 orig->src[s].tried ? orig->src[s].error : 0);
	}
	vms_snapshot_free(back);
	vms_snapshot_free(orig);
	free(a);
	free(b);
}

static void test_round_trip_full(void **state)
{
	(void)state;
	check_round_trip(fixture_full());
}

static void test_round_trip_restricted(void **state)
{
	(void)state;
	check_round_trip(fixture_restricted());
}

static void test_round_trip_kthread(void **state)
{
	(void)state;
	check_round_trip(fixture_kthread());
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*ret_len = (size_t)n;
	return buf;
}

/*
 * The captured fixtures' JSON (real processes): the loaded ELF facts make
 * the classifier give every region the kind, thread and object the file says.
 */
static void check_classify_same(const char *fixture)
{
	const char *dir = getenv("VMSCOPE_FIXTURES_DIR");
	char path[4096];
	struct vms_snapshot *snap;
	enum vms_kind *kinds;
	int32_t *objects, *tids;
	bool *deleted;
	size_t len, n_file = 0;
	char *buf;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s/expected.json", dir, fixture);
	buf = read_file(path, &len);
	snap = load_ok(buf, len);
	assert_true(snap->n_regions > 10);
	kinds = calloc(snap->n_regions, sizeof(*kinds));
	objects = calloc(snap->n_regions, sizeof(*objects));
	tids = calloc(snap->n_regions, sizeof(*tids));
	deleted = calloc(snap->n_regions, sizeof(*deleted));
	for (size_t i = 0; i < snap->n_regions; i++) {
		kinds[i] = snap->regions[i].kind;
		deleted[i] = snap->regions[i].deleted;
		objects[i] = snap->regions[i].object;
		tids[i] = snap->regions[i].tid;
		n_file += kinds[i] == VMS_KIND_TEXT || kinds[i] == VMS_KIND_BSS;
		/* forget what the classifier decides */
		snap->regions[i].kind = VMS_KIND_OTHER;
		snap->regions[i].tid = 0;
	}
	assert_true(n_file >= 2); /* the program's and libc's text at least */
	vms_model_classify(snap);
	for (size_t i = 0; i < snap->n_regions; i++) {
		if (snap->regions[i].kind != kinds[i])
			fail_msg("%s region %zu (%s): kind %s, the file says %s", fixture, i,
				 snap->regions[i].name, vms_kind_to_string(snap->regions[i].kind),
				 vms_kind_to_string(kinds[i]));
		assert_int_equal(snap->regions[i].object, objects[i]);
		assert_int_equal(snap->regions[i].tid, tids[i]);
		assert_int_equal(snap->regions[i].deleted, deleted[i]);
	}
	free(deleted);
	free(kinds);
	free(objects);
	free(tids);
	vms_snapshot_free(snap);
	free(buf);
}

/*
 * A file of schema 1 (the target fixture as vmscope wrote it then) loads
 * with the kinds schema 2 gives the same process: its fence pages are
 * reserved, the page below the thread's stack stays its guard.
 */
static void test_schema1(void **state)
{
	const char *dir = getenv("VMSCOPE_FIXTURES_DIR");
	char path[4096];
	struct vms_snapshot *old, *now;
	size_t len, n_reserved = 0;
	char *buf;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/../snapshot/target-schema1.json", dir);
	buf = read_file(path, &len);
	assert_non_null(strstr(buf, "\"schema\": 1,"));
	old = load_ok(buf, len);
	free(buf);
	snprintf(path, sizeof(path), "%s/target/expected.json", dir);
	buf = read_file(path, &len);
	now = load_ok(buf, len);
	/* a kind schema 2 added is none of schema 1 */
	{
		struct vms_snapshot *out = NULL;
		struct vms_load_error err;
		char *v = strstr(buf, "\"schema\": 2,");

		assert_non_null(v);
		v[strlen("\"schema\": ")] = '1';
		assert_int_equal(vms_snapshot_load(buf, len, &out, &err), -EBADMSG);
		assert_null(out);
		assert_non_null(strstr(err.message, "unknown kind \"reserved\""));
	}
	free(buf);
	assert_int_equal(old->n_regions, now->n_regions);
	for (size_t i = 0; i < old->n_regions; i++) {
		if (old->regions[i].kind != now->regions[i].kind)
			fail_msg("region %zu: kind %s, schema 2 says %s", i,
				 vms_kind_to_string(old->regions[i].kind),
				 vms_kind_to_string(now->regions[i].kind));
		assert_int_equal(old->regions[i].deleted, now->regions[i].deleted);
		n_reserved += old->regions[i].kind == VMS_KIND_RESERVED;
	}
	assert_int_equal(n_reserved, 3);
	vms_snapshot_free(old);
	vms_snapshot_free(now);
}

static void test_classify_shell(void **state)
{
	(void)state;
	check_classify_same("shell");
}

static void test_classify_deleted(void **state)
{
	(void)state;
	check_classify_same("deleted");
}

/* Reserved, malloc arena, guard, the kernel's shared memory, named regions. */
static void test_classify_labels(void **state)
{
	(void)state;
	check_classify_same("labels");
}

/* Every prefix of a snapshot is refused, at a place inside the text. */
static void test_truncated(void **state)
{
	struct vms_snapshot *snap = fixture_full();
	size_t len, step;
	char *json = render_json(snap, &len);

	(void)state;
	/* the trailing newline is whitespace: one byte less is still whole */
	step = getenv("VMSCOPE_SLOW_TESTS") ? 1 : 3;
	for (size_t n = 0; n + 1 < len; n += step) {
		struct vms_snapshot *out = NULL;
		struct vms_load_error err;
		char *copy = malloc(n ? n : 1);
		unsigned lines = 1;
		int r;

		memcpy(copy, json, n);
		r = vms_snapshot_load(copy, n, &out, &err);
		if (r != -EBADMSG)
			fail_msg("a prefix of %zu bytes gave %d", n, r);
		assert_null(out);
		for (size_t i = 0; i < n; i++)
			lines += copy[i] == '\n';
		assert_true(err.line >= 1 && err.line <= lines);
		assert_true(err.message[0] != '\0');
		free(copy);
	}
	vms_snapshot_free(snap);
	free(json);
}

struct mutation {
	const char *find;    /* the first occurrence is replaced */
	const char *replace;
	int error;
	const char *path;    /* expected error path */
	const char *message; /* a part of the expected message */
	const char *at;      /* the error is at the first occurrence of this in the mutated text */
	const char *file;    /* the document, under the fixtures (NULL: the full fixture's) */
};

static const struct mutation mutations[] = {
	{ "\"schema\": 2", "\"schema\": 3", -EPROTONOSUPPORT, "schema", "version 3", "3," },
	{ "\"schema\": 2", "\"schema\": 0", -EPROTONOSUPPORT, "schema", "version 0", "0," },
	{ "\"schema\": 2", "\"schema\": \"2\"", -EBADMSG, "schema", "expected a whole number",
	  "\"2\"" },
	{ "\"schema\": 2,", "", -EBADMSG, "", "missing member \"schema\"", "{" },
	{ "\"marked_for_removal\": false", "\"marked_for_removal\": true", -EBADMSG, "sysv[0]",
	  "not what mode says", NULL },
	{ "\"sysv\": [", "\"sysv\": [7, ", -EBADMSG, "sysv[0]", "expected an object", "7, " },
	{ "\"start\": \"0x", "\"start\": \"0X", -EBADMSG, "regions[0].start", "address", "\"0X" },
	{ "\"start\": \"0x", "\"start\": \"0xg", -EBADMSG, "regions[0].start", "address",
	  "\"0xg" },
	{ "\"perms\": \"r-xp\"", "\"perms\": \"rxxp\"", -EBADMSG, "regions[1].perms",
	  "permissions", "\"rxxp\"" },
	{ "\"kind\": \"text\"", "\"kind\": \"texture\"", -EBADMSG, "regions[1].kind",
	  "unknown kind", "\"texture\"" },
	{ "\"object\": 0,", "\"object\": 99,", -EBADMSG, "regions[0].object", "index 99",
	  "99," },
	{ "\"object\": 0,", "\"object\": -1,", -EBADMSG, "regions[0].object", "0 or more",
	  "-1," },
	{ "\"object\": 0,", "\"object\": 0.5,", -EBADMSG, "regions[0].object", "fractional",
	  "0.5," },
	{ "\"inode\": ", "\"inode\": 99999999999999999999999, \"x\": ", -EBADMSG,
	  "regions[0].inode", "out of range", "99999999999999999999999" },
	/* a region's counter past its size (its sums would wrap) */
	{ "\"mmu_page_size\": 4096,\n        \"rss\": ",
	  "\"mmu_page_size\": 4096,\n        \"rss\": 18446744073709551614, \"x\": ", -EBADMSG,
	  "regions[0].mem.rss", "out of range", "18446744073709551614", "target/expected.json" },
	{ "\"dev\": \"", "\"dev\": \"zz", -EBADMSG, "regions[0].dev", "device", "\"zz" },
	{ "\"dev\": \"", "\"dev\": \"1:", -EBADMSG, "regions[0].dev", "device", "\"1:" },
	/* what json-c saturates to UINT64_MAX is no number, even where any is allowed */
	{ "\"nattch\": ", "\"nattch\": 18446744073709551616, \"x\": ", -EBADMSG, "sysv[0].nattch",
	  "out of range", "18446744073709551616" },
	{ "\"nattch\": ", "\"nattch\": 18446744073709551615, \"x\": ", -EBADMSG, "sysv[0].nattch",
	  "out of range", "18446744073709551615" },
	{ "\"vmflags\": [\"rd\"", "\"vmflags\": [\"qq\"", -EBADMSG, "regions[0].vmflags[0]",
	  "VmFlags", "\"qq\"" },
	{ "\"rss\": ", "\"rss\": true, \"x\": ", -EBADMSG, "totals.rollup.rss", "whole number",
	  "true" },
	{ "\"comm\": \"", "\"comm\": \"\\u0000", -EBADMSG, "process.comm", "NUL",
	  "\"\\u0000" },
	{ "\"kernel\": \"", "\"kernel\": \"0123456789012345678901234567890123456789012345678901234567890123456789",
	  -EBADMSG, "host.kernel", "longer than 64", "\"0123" },
	{ "\"error\": \"EACCES\"", "\"error\": \"EWHAT\"", -EBADMSG, "sources.tasks.error",
	  "unknown error name", "\"EWHAT\"" },
	{ "\"threads\": [", "\"threads\": [1, ", -EBADMSG, "threads[0]", "expected an object",
	  "1, " },
	{ "\"regions\": [", "\"regions\": {\"a\": [", -EBADMSG, "", "", NULL },
	{ "\"type\": \"DYN\"", "\"type\": \"DYNAMITE\"", -EBADMSG, NULL, "unknown ELF type",
	  "\"DYNAMITE\"" },
	{ "\"flags\": \"r-x\"", "\"flags\": \"x-r\"", -EBADMSG, NULL, "segment flags",
	  "\"x-r\"" },
	{ "{", "{\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], ",
	  -EBADMSG, "", "", NULL },
	{ "\"schema\": 2", "\"schema\": 2, \"schema\": 2 ]", -EBADMSG, "", "", "]" },
	/* the outline of the document and of its big arrays */
	{ "\"regions\": [", "\"regions\": [,", -EBADMSG, "", "expected a value", "," },
	{ "\"schema\": 2,", "\"schema\": 2", -EBADMSG, "", "expected ',' or '}'",
	  "\"vmscope_version\"" },
	/* json-c's own message and place, in the element it was reading */
	{ "\"kind\": \"text\"", "\"kind\": \"text\" x", -EBADMSG, "regions[1]", "separator",
	  NULL },
	{ "\"objects\": [", "\"objects\": [{} 7, ", -EBADMSG, "", "expected ',' or ']'", "7" },
	/* found while regions[0] is read: its elements are parsed one at a time */
	{ "\"name\": \"", "\"name\": \"\xff", -EBADMSG, "regions[0]", "", NULL },
	/* values that contradict each other */
	{ "\"read\": false, \"error\": \"EACCES\"", "\"read\": true, \"error\": \"EACCES\"", -EBADMSG,
	  "sources.tasks", "a source both read and failed", NULL },
	{ "\"size\": 4096,\n      \"perms\": \"r--p\"", "\"size\": 8192,\n      \"perms\": \"r--p\"",
	  -EBADMSG, "regions[0].size", "the size is not end - start", NULL },
	{ "\"start\": \"0x55d2d0001000\",\n      \"end\": \"0x55d2d0201000\",\n      \"size\": 2097152",
	  "\"start\": \"0x55d2d0000800\",\n      \"end\": \"0x55d2d0201000\",\n      \"size\": 2099200",
	  -EBADMSG, "regions[1]", "regions out of order or overlapping", NULL },
	{ "\"cpid\": 4242, \"lpid\": 4243", "\"cpid\": 2147483648, \"lpid\": 4243", -EBADMSG,
	  "sysv[0]", "a pid out of range", NULL },
	{ "\"limits\": {\"stack\": 8388608, \"memlock\": 8388608, \"error\": null}",
	  "\"limits\": {\"stack\": 8388608, \"memlock\": 8388608, \"error\": \"EACCES\"}", -EBADMSG,
	  "limits", "limits both read and failed", NULL, "target/expected.json" },
	{ "\"stack\": 8388608,", "\"stack\": \"8M\",", -EBADMSG, "limits.stack",
	  "expected a number of bytes or \"unlimited\"", "\"8M\"", "target/expected.json" },
	{ "\"score\": null, \"score_adj\": null, \"score_error\": \"ENOENT\"",
	  "\"score\": 5, \"score_adj\": null, \"score_error\": \"ENOENT\"", -EBADMSG, "oom.score",
	  "a value beside the error \"score_error\"", "5,", "target/expected.json" },
	{ "\"mem_available\": null,", "\"mem_available\": 5,", -EBADMSG, "host_memory",
	  "machine memory values beside an error", NULL, "target/expected.json" },
	{ "\"swap_current\": null,\n  \"error\": null", "\"swap_current\": null,\n  \"error\": \"EACCES\"",
	  -EBADMSG, "cgroup", "cgroup values beside an error", NULL,
	  "../fuzz/corpus/json-load/insights" },
	{ "\"sections\":{\"first\":0,\"count\":11}", "\"sections\":{\"first\":0,\"count\":999}",
	  -EBADMSG, "regions[0].sections", "sections past those of the region's object", NULL,
	  "../fuzz/corpus/json-load/static-pages" },
	{ "\"residency\":\"00", "\"residency\":\"0", -EBADMSG, "regions[0].pages.residency",
	  "expected two lowercase hex digits per stretch", NULL,
	  "../fuzz/corpus/json-load/static-pages" },
	{ "\"residency\":\"00", "\"residency\":\"0g", -EBADMSG, "regions[0].pages.residency",
	  "expected two lowercase hex digits per stretch", "\"0g", "../fuzz/corpus/json-load/static-pages" },
	{ "\"residency\":\"00", "\"zero_residency\":\"00\",\"residency\":\"00", -EBADMSG,
	  "regions[0].pages.zero_residency", "expected as many stretches as residency", "\"00\",",
	  "../fuzz/corpus/json-load/static-pages" },
	/* values of the wrong shape, each where the file holds one of the right */
	{ "\"perms\": \"r--p\"", "\"perms\": \"r--x\"", -EBADMSG, "regions[0].perms",
	  "permissions", "\"r--x\"", "target/expected.json" },
	{ "\"dev\": \"fe:00\"", "\"dev\": \"123456789:00\"", -EBADMSG, "regions[0].dev", "device",
	  "\"1234", "target/expected.json" },
	{ "\"start\": \"0x", "\"start\": \"0x\", \"x\": \"", -EBADMSG, "regions[0].start", "address",
	  "\"0x\"" },
	{ "\"score_error\": \"ENOENT\"", "\"score_error\": \"E0\"", -EBADMSG, "oom.score_error",
	  "unknown error name \"E0\"", "\"E0\"", "target/expected.json" },
	{ "\"score_error\": \"ENOENT\"", "\"score_error\": \"E12x\"", -EBADMSG, "oom.score_error",
	  "unknown error name \"E12x\"", "\"E12x\"", "target/expected.json" },
	{ "\"score_error\": \"ENOENT\"", "\"score_error\": \"E100000\"", -EBADMSG,
	  "oom.score_error", "unknown error name \"E100000\"", "\"E100000\"",
	  "target/expected.json" },
	{ "\"score\": null, \"score_adj\": null, \"score_error\": \"ENOENT\"",
	  "\"score\": null, \"score_adj\": null, \"score_error\": null", -EBADMSG, "oom.score",
	  "null without \"score_error\" saying why", "null,", "target/expected.json" },
	{ "\"limits\": {\"stack\": 8388608, \"memlock\": 8388608, \"error\": null}",
	  "\"limits\": {\"stack\": null, \"memlock\": 8388608, \"error\": \"EACCES\"}", -EBADMSG,
	  "limits", "limits both read and failed", NULL, "target/expected.json" },
	{ "\"rss\": ", "\"rss\": {}, \"x\": ", -EBADMSG, "totals.rollup.rss",
	  "expected a whole number, found an object", NULL },
	{ "\"rss\": ", "\"rss\": null, \"x\": ", -EBADMSG, "totals.rollup.rss",
	  "expected a whole number, found null", "null" },
	{ "\"class\":64", "\"class\":48", -EBADMSG, "objects[0].elf.class",
	  "expected 32, 64 or null", "48", "../fuzz/corpus/json-load/static-pages" },
	{ "\"type\":\"DYN\"", "\"type\":\"0x1234567\"", -EBADMSG, "objects[0].elf.type",
	  "unknown ELF type", "\"0x1234567\"", "../fuzz/corpus/json-load/static-pages" },
	{ "\"type\":\"PROGBITS\",\"flags\":\"A\"", "\"type\":\"PROGBITS\",\"flags\":\"AZ\"",
	  -EBADMSG, "objects[0].elf.sections[0]", "unknown section type or flags", NULL,
	  "../fuzz/corpus/json-load/static-pages" },
	{ "\"type\":\"PROGBITS\",\"flags\":\"A\"", "\"type\":\"0x123\",\"flags\":\"A\"",
	  -EBADMSG, "objects[0].elf.sections[0]", "unknown section type or flags", NULL,
	  "../fuzz/corpus/json-load/static-pages" },
};

static void test_mutations(void **state)
{
	struct vms_snapshot *snap = fixture_full();
	size_t full_len;
	char *full = render_json(snap, &full_len);
	const char *dir = getenv("VMSCOPE_FIXTURES_DIR");

	(void)state;
	assert_non_null(dir);
	for (size_t m = 0; m < sizeof(mutations) / sizeof(mutations[0]); m++) {
		const struct mutation *mu = &mutations[m];
		char path[4096], *json = full;
		size_t len = full_len;
		const char *hit;

		if (mu->file) {
			snprintf(path, sizeof(path), "%s/%s", dir, mu->file);
			json = read_file(path, &len);
		}
		hit = strstr(json, mu->find);
		size_t flen = strlen(mu->find), rlen = strlen(mu->replace);
		struct vms_snapshot *out = NULL;
		struct vms_load_error err;
		char *text;
		size_t n;
		int r;

		if (!hit)
			fail_msg("mutation %zu: '%s' not in the fixture's JSON", m, mu->find);
		n = len - flen + rlen;
		text = malloc(n + 1);
		memcpy(text, json, (size_t)(hit - json));
		memcpy(text + (hit - json), mu->replace, rlen);
		memcpy(text + (hit - json) + rlen, hit + flen, len - (size_t)(hit - json) - flen);
		text[n] = '\0';
		r = vms_snapshot_load(text, n, &out, &err);
		if (r != mu->error)
			fail_msg("mutation %zu (%s): %d, not %d (%s)", m, mu->replace, r, mu->error,
				 err.message);
		assert_null(out);
		if (mu->path && strcmp(err.path, mu->path) != 0)
			fail_msg("mutation %zu: path '%s', not '%s'", m, err.path, mu->path);
		if (!strstr(err.message, mu->message))
			fail_msg("mutation %zu: message '%s' lacks '%s'", m, err.message,
				 mu->message);
		/* a number is said as the file has it, never json-c's saturation of it */
		if (strstr(err.message, "18446744073709551615") &&
		    !strstr(mu->replace, "18446744073709551615"))
			fail_msg("mutation %zu: message '%s' says a number the file does not hold",
				 m, err.message);
		if (mu->at) {
			/* the place named is the value at fault, searched from the mutation */
			const char *at = strstr(text + (hit - json), mu->at);
			unsigned line, col;

			if (mu->at[0] == '{')
				at = text;
			assert_non_null(at);
			damage_position_of(text, (size_t)(at - text), &line, &col);
			if (err.line != line || err.column != col)
				fail_msg("mutation %zu: at %u:%u, not %u:%u (%s)", m, err.line,
					 err.column, line, col, err.message);
		}
		free(text);
		if (json != full)
			free(json);
	}
	vms_snapshot_free(snap);
	free(full);
}

/* An errno the C library has no name for is written "E123" and read back. */
static void test_errno_number(void **state)
{
	struct vms_snapshot *snap = fixture_full(), *back;
	size_t len, len2;
	char *json, *hit, *again;

	(void)state;
	snap->src[VMS_SRC_TASKS].error = -123;
	json = render_json(snap, &len);
	hit = strstr(json, "\"tasks\": {\"read\": false, \"error\": \"E123\"");
	assert_non_null(hit);
	back = load_ok(json, len);
	assert_int_equal(back->src[VMS_SRC_TASKS].error, -123);
	again = render_json(back, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(json, again, len);
	vms_snapshot_free(back);
	vms_snapshot_free(snap);
	free(json);
	free(again);
}

static int load_snapshot(const char *buf, size_t len, struct vms_load_error *err, void *ctx)
{
	struct vms_snapshot *snap = NULL;
	int r = vms_snapshot_load(buf, len, &snap, err);

	(void)ctx;
	if (r == 0)
		assert_non_null(snap);
	else
		assert_null(snap);
	vms_snapshot_free(snap);
	return r;
}

/* Every member of the full fixture's document, and the first element of each
 * array, given the wrong type and left out (damage.h). */
static void test_damaged_members(void **state)
{
	/* what the loader derives again from the rest, and the writer's version */
	static const char *const unread[] = {
		"vmscope_version", "sources.*.message", "totals.uss", "totals.uss_shmem",
		"insights.*", "objects\\[*\\].distinct_size", "objects\\[*\\].max_maps", NULL,
	};
	struct vms_snapshot *snap = fixture_full();
	struct damage_counts c = { 0 };
	size_t len;
	char *json = render_json(snap, &len);

	/* documents with what the full fixture lacks: limits, OOM score and
	 * machine memory (a captured fixture), a cgroup, and sections and pages
	 * (schema 1, as the fuzzer's corpus keeps them) */
	static const char *const files[] = {
		"target/expected.json",
		"../fuzz/corpus/json-load/insights",
		"../fuzz/corpus/json-load/static-pages",
	};
	const char *dir = getenv("VMSCOPE_FIXTURES_DIR");

	(void)state;
	damage_each_member(json, 0, len, 0, load_snapshot, NULL, unread, &c);
	assert_non_null(dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		size_t n;
		char *buf;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		buf = read_file(path, &n);
		vms_snapshot_free(load_ok(buf, n));
		damage_each_member(buf, 0, n, 0, load_snapshot, NULL, unread, &c);
		free(buf);
	}
	print_message("# %u members: %u required, %u optional; out of range: %u refused, %u "
		      "loaded\n",
		      c.members, c.required, c.optional, c.refused, c.accepted);
	assert_true(c.required > 0 && c.optional > 0 && c.refused > 0 && c.accepted > 0);
	damage_counts_release(&c);
	vms_snapshot_free(snap);
	free(json);
}

static int load_budgets(const char *buf, size_t len, struct vms_load_error *err, void *ctx)
{
	struct vms_budget_set set = { 0 };
	int r = vms_budget_load(&set, buf, len, err);

	(void)ctx;
	if (r < 0)
		assert_int_equal(set.n_rules, 0);
	vms_budget_set_release(&set);
	return r;
}

/* A budget file with every budget (vmscope-check(1)'s example), each
 * damaged in turn: refused with its key, every one optional. */
static void test_budget_damaged_members(void **state)
{
	static const char doc[] =
		"{\"max_pss\": \"64M\", \"max_rss\": 100000000, \"max_uss\": \"48M\", \"max_swap\": 0,\n"
		" \"max\": {\"heap\": \"32M\", \"libc.so.6:rss\": \"4M\", \"stacks\": \"8M\"},\n"
		" \"max_growth\": \"10%\", \"baseline\": \"base.json\",\n"
		" \"min_stack_headroom\": \"1M\", \"min_cgroup_headroom\": \"256M\",\n"
		" \"max_pte\": \"4M\", \"max_regions\": 20000, \"max_growth_rate\": \"rss=1M/min\"}\n";
	struct vms_budget_set set = { 0 };
	struct damage_counts c = { 0 };
	struct vms_load_error err;

	(void)state;
	assert_int_equal(vms_budget_load(&set, doc, strlen(doc), &err), 0);
	/* 4 totals, 3 of max, growth, 4 facts, growth rate */
	assert_int_equal(set.n_rules, 13);
	assert_string_equal(set.baseline, "base.json");
	vms_budget_set_release(&set);
	damage_each_member(doc, 0, strlen(doc), DAMAGE_BY_PATH, load_budgets, NULL, NULL, &c);
	assert_int_equal(c.members, 15);
	assert_int_equal(c.required, 0);
	damage_counts_release(&c);
}

/* Budget values that are none, each refused with its key; the edges that are. */
static void test_budget_values(void **state)
{
	static const struct {
		const char *doc, *path, *message;
	} bad[] = {
		{ "{\"max\": {\"heap:vsz\": \"1M\"}}", "max.heap:vsz", "KIND or FILE" },
		{ "{\"max\": {\":rss\": \"1M\"}}", "max.:rss", "KIND or FILE" },
		{ "{\"max\": {\"heap\": \"1Q\"}}", "max.heap", "KIND or FILE" },
		{ "{\"max\": {\"heap\": \"1\\u0000M\"}}", "max.heap", "a size like 64M" },
		{ "{\"max_regions\": \"\"}", "max_regions", "a number, not \"\"" },
		{ "{\"max_regions\": \"12x\"}", "max_regions", "a number, not \"12x\"" },
		{ "{\"max_regions\": \"99999999999999999999\"}", "max_regions", "a number" },
		{ "{\"max_growth\": \"vsz=10%\"}", "max_growth", "[MEASURE=]SIZE or N%" },
		{ "{\"max_growth\": \"1x%\"}", "max_growth", "not \"1x%\"" },
		{ "{\"max_growth\": \"10000000001%\"}", "max_growth", "not \"10000000001%\"" },
		{ "{\"max_growth_rate\": \"vsz=1M/min\"}", "max_growth_rate", "[MEASURE=]SIZE/min" },
		{ "{\"max_growth_rate\": \"1M\"}", "max_growth_rate", "not \"1M\"" },
		{ "{\"max_growth_rate\": "
		  "\"1111111111111111111111111111111111111111111111111111111111111111/min\"}",
		  "max_growth_rate", "SIZE/min" },
		{ "{\"max_growth_rate\": \"1M/day\"}", "max_growth_rate", "not \"1M\\/day\"" },
		{ "{\"max_growth_rate\": \"1Q/min\"}", "max_growth_rate", "not \"1Q\\/min\"" },
		{ "{\"max_growth_rate\": \"4E/s\"}", "max_growth_rate", "not \"4E\\/s\"" },
		{ "{\"baseline\": \"a\\u0000b\"}", "baseline", "the path of a snapshot file" },
		{ "{\"baseline\": \"\"}", "baseline", "the path of a snapshot file" },
		/* json-c keeps the last of a key given twice: which did the author mean? */
		{ "{\"max_pss\": \"1M\", \"max_rss\": \"1G\", \"max_pss\": \"2M\"}", "",
		  "budget \"max_pss\" given twice" },
		{ "{\"max\": {\"heap:rss\": \"1M\", \"stacks\": \"1M\", \"heap:rss\": \"2M\"}}", "",
		  "budget \"heap:rss\" given twice" },
	};
	static const char good[] = "{\"max_growth\": \"rss=12.5%\", \"max_growth_rate\": \"uss=1M/h\","
				   " \"max\": {\"stacks:swap\": \"1M\"}, \"max_regions\": \"0\"}";
	struct vms_budget_set set = { 0 };
	struct vms_load_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = vms_budget_load(&set, bad[i].doc, strlen(bad[i].doc), &err);

		if (r != -EBADMSG || strcmp(err.path, bad[i].path) != 0 ||
		    !strstr(err.message, bad[i].message))
			fail_msg("%s: %d '%s' (%s), not -EBADMSG '%s' (%s)", bad[i].doc, r, err.path,
				 err.message, bad[i].path, bad[i].message);
		assert_int_equal(set.n_rules, 0);
		vms_budget_set_release(&set);
	}
	assert_int_equal(vms_budget_load(&set, good, strlen(good), &err), 0);
	assert_int_equal(set.n_rules, 4);
	/* facts, then max, growth, growth rate */
	assert_int_equal(set.rules[0].scope, VMS_BUDGET_FACT);
	assert_int_equal(set.rules[0].fact, VMS_FACT_REGIONS);
	assert_int_equal(set.rules[0].limit, 0);
	assert_int_equal(set.rules[1].scope, VMS_BUDGET_KIND);
	assert_int_equal(set.rules[1].kind, VMS_BUDGET_KIND_STACKS);
	assert_int_equal(set.rules[1].measure, VMS_MEASURE_SWAP);
	assert_int_equal(set.rules[1].limit, 1048576);
	assert_int_equal(set.rules[2].scope, VMS_BUDGET_GROWTH);
	assert_int_equal(set.rules[2].measure, VMS_MEASURE_RSS);
	assert_true(set.rules[2].percent);
	assert_int_equal(set.rules[2].limit, 125); /* per mille */
	assert_int_equal(set.rules[3].scope, VMS_BUDGET_GROWTH_RATE);
	assert_int_equal(set.rules[3].measure, VMS_MEASURE_USS);
	assert_int_equal(set.rules[3].limit, 17476); /* 1M an hour, per minute, rounded */
	vms_budget_set_release(&set);
}

static void test_not_snapshots(void **state)
{
	static const char *const docs[] = {
		"", " ", "[]", "null", "1", "{}", "{\"schema\": 1}", "{\"schema\": 1} {}",
		"{\"schema\": 1}\n\n  x",
	};
	struct vms_snapshot *out = NULL;
	struct vms_load_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(vms_snapshot_load(docs[i], strlen(docs[i]), &out, &err), -EBADMSG);
		assert_null(out);
		assert_true(err.line >= 1);
	}
	/* text after the document is pointed at */
	assert_int_equal(vms_snapshot_load(docs[8], strlen(docs[8]), &out, &err), -EBADMSG);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
	/* a NUL byte is pointed at */
	assert_int_equal(vms_snapshot_load("{\n \0}", 5, &out, &err), -EBADMSG);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 2);
	/* the outline of the document: each fault at its place, said */
	static const struct {
		const char *doc;
		unsigned column;
		const char *message;
	} outline[] = {
		{ "{\"sch\\u0000ema\": 2}", 2, "a NUL character in a member name" },
		{ "{\"schema\" 2}", 11, "expected ':'" },
		{ "{2: 1}", 2, "expected a member name" },
		{ "{\"schema\": 2 \"x\": 1}", 14, "expected ',' or '}' after a member" },
		{ "{\"regions\": [1 2]}", 16, "expected ',' or ']' after an element" },
		/* a closing bracket where a value belongs is no value, not the end */
		{ "{\"schema\": }", 12, "expected a value" },
		{ "{\"regions\": [1, ]}", 17, "expected a value" },
		{ "{\"regions\": [}", 14, "expected a value" },
		{ "]", 1, "expected a value" },
	};
	for (size_t i = 0; i < sizeof(outline) / sizeof(outline[0]); i++) {
		int r = vms_snapshot_load(outline[i].doc, strlen(outline[i].doc), &out, &err);

		if (r != -EBADMSG || err.line != 1 || err.column != outline[i].column ||
		    strcmp(err.message, outline[i].message) != 0)
			fail_msg("%s: %d at %u:%u '%s', not -EBADMSG at 1:%u '%s'", outline[i].doc, r,
				 err.line, err.column, err.message, outline[i].column,
				 outline[i].message);
	}
}

/* Over the cap: refused from the file's size, before a byte is read. */
static void test_size_cap(void **state)
{
	char path[] = "/tmp/vmscope-test-load-XXXXXX";
	struct vms_snapshot *out = NULL;
	struct vms_load_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)VMS_LOAD_MAX_BYTES + 1), 0);
	close(fd);
	assert_int_equal(vms_snapshot_load_file(AT_FDCWD, path, &out, &err), -EFBIG);
	assert_null(out);
	assert_non_null(strstr(err.message, "MiB"));
	/* at the cap exactly it is read (and is not JSON: NUL bytes) */
	fd = open(path, O_WRONLY);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	assert_int_equal(vms_snapshot_load_file(AT_FDCWD, path, &out, &err), -EBADMSG);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.column, 1);
	unlink(path);
	assert_int_equal(vms_snapshot_load_file(AT_FDCWD, path, &out, &err), -ENOENT);
	assert_int_equal(vms_snapshot_load_file(AT_FDCWD, "/", &out, &err), -EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_round_trip_restricted),
		cmocka_unit_test(test_round_trip_kthread),
		cmocka_unit_test(test_classify_shell),
		cmocka_unit_test(test_schema1),
		cmocka_unit_test(test_classify_deleted),
		cmocka_unit_test(test_classify_labels),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_damaged_members),
		cmocka_unit_test(test_errno_number),
		cmocka_unit_test(test_budget_damaged_members),
		cmocka_unit_test(test_budget_values),
		cmocka_unit_test(test_not_snapshots),
		cmocka_unit_test(test_size_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
