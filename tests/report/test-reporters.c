/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Human sizes, sort names and keys, what the reporters share (format.c), the reporter table,
 * the descriptors of the two metrics formats. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "report/format.h"
#include "fixture.h"
#include "vmscope/report.h"

#define KI UINT64_C(1024)
#define MI (KI * KI)
#define GI (MI * KI)
#define TI (GI * KI)
#define PI (TI * KI)
#define EI (PI * KI)

static const struct {
	uint64_t bytes;
	const char *want;
} size_cases[] = {
	{ 0, "0" },
	{ 1, "1" },
	{ 999, "999" },
	{ 1023, "1023" },
	{ 1024, "1.0K" },
	{ 1075, "1.0K" },       /* 1.0498: rounds down */
	{ 1076, "1.1K" },       /* 1.0508: rounds up */
	{ 1536, "1.5K" },
	{ 4096, "4.0K" },
	{ 10188, "9.9K" },      /* 9.949 */
	{ 10189, "10K" },       /* 9.9502 rounds to 10.0: no decimal at 10 */
	{ 10240, "10K" },
	{ 10751, "10K" },       /* 10.499 */
	{ 10752, "11K" },       /* 10.5 */
	{ 1023 * KI, "1023K" },
	{ 1048063, "1023K" },   /* 1023.499K */
	{ 1048064, "1.0M" },    /* 1023.5K rounds to 1024K: shown in the next unit */
	{ 1048575, "1.0M" },    /* 1023.999K: never "1024K" */
	{ MI, "1.0M" },
	{ MI + MI / 2, "1.5M" },
	{ 10 * MI, "10M" },
	{ 212 * MI + MI / 2, "213M" },
	{ 1023 * MI, "1023M" },
	{ GI, "1.0G" },
	{ 837 * GI, "837G" },
	{ 41 * TI + 400 * GI, "41T" },
	{ 128 * TI, "128T" },
	{ PI, "1.0P" },
	{ EI, "1.0E" },
	{ 8 * EI, "8.0E" },
	{ UINT64_MAX, "16E" },
	{ UINT64_MAX / 2, "8.0E" },
};

static void test_format_size_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		char buf[16];

		memset(buf, 'X', sizeof(buf));
		vms_format_size(buf, sizeof(buf), size_cases[i].bytes);
		if (strcmp(buf, size_cases[i].want) != 0)
			fail_msg("%" PRIu64 ": got \"%s\", want \"%s\"", size_cases[i].bytes, buf,
				 size_cases[i].want);
	}
}

/*
 * The invariants for every value of a sweep: at most 8 bytes, a number and
 * a unit, one decimal exactly when the number is below 10, and within half
 * a display step of the exact value.
 */
static void check_size(uint64_t v)
{
	static const char units[] = "KMGTPE";
	char buf[16], unit;
	const char *u;
	double num, scale, err;
	size_t len;

	vms_format_size(buf, sizeof(buf), v);
	len = strlen(buf);
	assert_true(len > 0 && len <= 8);
	if (v < 1024) {
		char want[16];

		snprintf(want, sizeof(want), "%" PRIu64, v);
		assert_string_equal(buf, want);
		return;
	}
	unit = buf[len - 1];
	u = strchr(units, unit);
	if (!u || unit == '\0')
		fail_msg("%" PRIu64 ": no unit in \"%s\"", v, buf);
	num = strtod(buf, NULL);
	scale = ldexp(1.0, 10 * (int)(u - units + 1));
	if (strchr(buf, '.')) {
		assert_true(num < 10.0);
		err = 0.05;
	} else {
		assert_true(num >= 10.0 && num < 1024.0);
		err = 0.5;
	}
	if (fabs((double)v / scale - num) > err + 1e-9)
		fail_msg("%" PRIu64 " shown as \"%s\"", v, buf);
}

static void test_format_size_sweep(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15;

	(void)state;
	for (int shift = 0; shift < 64; shift++) {
		uint64_t p = UINT64_C(1) << shift;

		check_size(p);
		check_size(p - 1);
		check_size(p + 1);
		check_size(p + p / 2);
	}
	for (int i = 0; i < 100000; i++) {
		/* xorshift, so values spread over every magnitude */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_size(x >> (x & 63));
	}
}

static void test_format_size_small_buffer(void **state)
{
	char buf[4];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	vms_format_size(buf, 3, 1536);
	assert_int_equal(buf[2], '\0');
	assert_int_equal(buf[3], 'X');
	assert_string_equal(buf, "1.");
	vms_format_size(buf, 0, 1536); /* writes nothing */
	assert_int_equal(buf[3], 'X');
}

static void test_sort_names(void **state)
{
	(void)state;
	for (int s = 0; s < VMS_SORT__MAX; s++) {
		const char *name = vms_sort_to_string(s);

		assert_non_null(name);
		assert_int_equal(vms_sort_from_string(name), s);
		for (int o = 0; o < s; o++)
			assert_string_not_equal(name, vms_sort_to_string(o));
	}
	assert_string_equal(vms_sort_to_string(VMS_SORT_RSS), "rss");
	assert_string_equal(vms_sort_to_string(VMS_SORT_ADDRESS), "address");
	assert_int_equal(vms_sort_from_string("RSS"), -EINVAL);
	assert_int_equal(vms_sort_from_string(""), -EINVAL);
	assert_int_equal(vms_sort_from_string("rss "), -EINVAL);
	assert_int_equal(vms_sort_from_string(NULL), -EINVAL);
}

static void test_report_size(void **state)
{
	struct vms_report_options human = { 0 }, bytes = { .bytes = true };
	char buf[32];

	(void)state;
	assert_string_equal(report_size(buf, &human, true, 1536), "1.5K");
	assert_string_equal(report_size(buf, &bytes, true, 1536), "1536");
	assert_string_equal(report_size(buf, &bytes, true, UINT64_MAX), "18446744073709551615");
	/* not read: the one "n/a" that callers tell apart by pointer */
	assert_ptr_equal(report_size(buf, &human, false, 1536), report_na);
	assert_ptr_equal(report_size(buf, &bytes, false, 0), report_na);
	assert_string_equal(report_na, "n/a");
}

static void test_sort_keys(void **state)
{
	struct vms_counters c = { .have = UINT32_MAX };

	(void)state;
	c.v[VMS_MEM_RSS] = 10;
	c.v[VMS_MEM_PSS] = 20;
	c.v[VMS_MEM_PRIVATE_CLEAN] = 3;
	c.v[VMS_MEM_PRIVATE_DIRTY] = 4;
	c.v[VMS_MEM_SWAP] = 50;
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_RSS), 10);
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_PSS), 20);
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_USS), 7);
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_SIZE), 99);
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_SWAP), 50);
	/* address order ties every key: the callers order by address then */
	assert_int_equal(report_sort_key(&c, 99, VMS_SORT_ADDRESS), 10);

	assert_true(report_have_uss(&c));
	c.have = UINT32_C(1) << VMS_MEM_PRIVATE_CLEAN;
	assert_false(report_have_uss(&c));
	c.have = UINT32_C(1) << VMS_MEM_PRIVATE_DIRTY;
	assert_false(report_have_uss(&c));
}

/*
 * The first k regions of a table, picked without sorting them all when k
 * is small, are the first k of the whole order, for every sort, with ties
 * (broken by address) and at the sizes around where the pick starts.
 */
static void test_sorted_first_k(void **state)
{
	static const size_t ks[] = { 0, 1, 2, 7, 100, 249, 250, 251, 999, 1000 };
	struct vms_snapshot *snap = vms_snapshot_new();
	uint32_t seed = 7;

	(void)state;
	snap->n_regions = 1000;
	snap->regions = calloc(snap->n_regions, sizeof(*snap->regions));
	assert_non_null(snap->regions);
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *r = &snap->regions[i];

		seed = seed * 1103515245u + 12345u;
		r->start = 0x10000 * (i + 1);
		r->end = r->start + 4096 * (1 + (seed >> 28));
		r->mem.have = UINT32_MAX;
		/* few distinct values: many ties */
		r->mem.v[VMS_MEM_RSS] = 4096 * ((seed >> 20) % 8);
		r->mem.v[VMS_MEM_PSS] = 1024 * ((seed >> 12) % 5);
		r->mem.v[VMS_MEM_PRIVATE_DIRTY] = 4096 * ((seed >> 8) % 3);
		r->mem.v[VMS_MEM_SWAP] = 4096 * (seed % 2);
		r->mem.v[VMS_MEM_REFERENCED] = (seed >> 4) % 1000;
	}
	for (int sort = 0; sort < VMS_SORT__MAX; sort++) {
		size_t *all = report_sorted_regions(snap, (enum vms_sort)sort, snap->n_regions);

		for (size_t i = 1; i < snap->n_regions; i++) {
			const struct vms_region *a = &snap->regions[all[i - 1]], *b = &snap->regions[all[i]];
			uint64_t ka = report_sort_key(&a->mem, vms_region_size(a), (enum vms_sort)sort);
			uint64_t kb = report_sort_key(&b->mem, vms_region_size(b), (enum vms_sort)sort);

			if (sort != VMS_SORT_ADDRESS)
				assert_true(ka > kb || (ka == kb && a->start < b->start));
			else
				assert_true(a->start < b->start);
		}
		for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++) {
			size_t *first = report_sorted_regions(snap, (enum vms_sort)sort, ks[j]);

			if (ks[j])
				assert_memory_equal(first, all, ks[j] * sizeof(*all));
			free(first);
		}
		free(all);
	}
	free(snap->regions);
	snap->regions = NULL;
	snap->n_regions = 0;
	vms_snapshot_free(snap);
}

static void test_tables_shown_and_titled(void **state)
{
	struct vms_report_options o = { .top = REPORT_DEFAULT_TOP };
	struct strbuf sb;

	(void)state;
	assert_int_equal(report_shown(&o, 0), 0);
	assert_int_equal(report_shown(&o, 14), 14);
	assert_int_equal(report_shown(&o, 15), 15);
	assert_int_equal(report_shown(&o, 40), 15);
	o.all = true;
	assert_int_equal(report_shown(&o, 40), 40);

	strbuf_init(&sb);
	report_table_title(&sb, "regions", 40, 15, VMS_SORT_PSS);
	assert_string_equal(sb.buf, "regions: top 15 of 40 by pss");
	strbuf_reset(&sb);
	report_table_title(&sb, "by object", 3, 3, VMS_SORT_ADDRESS);
	assert_string_equal(sb.buf, "by object: 3 by address");
	strbuf_release(&sb);
}

static void test_reporter_table(void **state)
{
	size_t n = 0;

	(void)state;
	for (const struct vms_reporter *r = vms_reporters; r->name; r++) {
		assert_non_null(r->render);
		assert_ptr_equal(vms_reporter_find(r->name), r);
		n++;
	}
	assert_true(n >= 2);
	assert_ptr_equal(vms_reporter_find("text")->render, vms_report_text);
	assert_ptr_equal(vms_reporter_find("json")->render, vms_report_json);
	assert_ptr_equal(vms_reporter_find("html")->render, vms_report_html);
	assert_null(vms_reporter_find("JSON"));
	assert_null(vms_reporter_find("tex"));
	assert_null(vms_reporter_find(""));
	assert_null(vms_reporter_find(NULL));
}

/* escape_html: no tag, entity or attribute boundary from a name, nothing
 * unprintable, valid UTF-8 kept. */
static void test_escape_html(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{ "libc.so.6", 9, "libc.so.6" },
		{ "<script>alert('x')</script>", 27,
		  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ "a\"b&c", 5, "a&quot;b&amp;c" },
		{ "&lt;", 4, "&amp;lt;" },
		{ "tab\there", 8, "tab\\x09here" },
		{ "\x1b[31m", 5, "\\x1b[31m" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "\xff\xfe", 2, "\\xff\\xfe" },
		{ "caf\xc3\xa9 \xe2\x80\x94", 9, "caf\xc3\xa9 \xe2\x80\x94" },
		{ "nul\0x", 5, "nul\\x00x" },
	};
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		escape_html(&sb, cases[i].in, cases[i].n);
		assert_string_equal(sb.buf, cases[i].want);
		assert_null(strpbrk(sb.buf, "<>\"'"));
	}
	strbuf_release(&sb);
}

/* The HTML page of each fixture: whole, one script (vmscope's), no control
 * byte, valid UTF-8 though the fixture's names hold escapes, control
 * characters and invalid bytes. */
static void test_html_pages(void **state)
{
	struct vms_snapshot *(*const make[])(void) = { fixture_full, fixture_restricted,
						      fixture_kthread };

	(void)state;
	for (size_t k = 0; k < sizeof(make) / sizeof(make[0]); k++) {
		struct vms_snapshot *snap = make[k]();
		char *buf = NULL;
		size_t len = 0, n_script = 0;
		FILE *f = open_memstream(&buf, &len);
		static const char tail[] = "</body></html>\n";

		assert_non_null(f);
		assert_int_equal(vms_report_html(f, snap, NULL), 0);
		assert_int_equal(fclose(f), 0);
		assert_true(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
		assert_true(len > sizeof(tail) && strcmp(buf + len - (sizeof(tail) - 1), tail) == 0);
		for (const char *p = buf; (p = strstr(p, "<script")); p++)
			n_script++;
		assert_int_equal(n_script, 1);
		for (size_t i = 0; i < len;) {
			uint32_t cp;
			size_t l = utf8_decode(buf + i, len - i, &cp);

			assert_true(l > 0);
			assert_true(cp == '\n' || !utf8_is_control(cp));
			i += l;
		}
		free(buf);
		vms_snapshot_free(snap);
	}
}

/* What vms_metrics_family and vms_metrics_end write, into a string. */
static char *metrics_text(enum vms_metrics_format fmt, const char *name, const char *type)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	vms_metrics_family(f, fmt, name, type, "Help.");
	vms_metrics_end(f, fmt);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The OpenMetrics text of one snapshot. */
static char *openmetrics_text(const struct vms_snapshot *snap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(vms_report_openmetrics(f, snap, NULL), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * What a snapshot does not know is left out of the metrics, never written as
 * a 0: no user name (the uid instead), unlimited or unread limits, a cgroup
 * or host memory that could not be read, no fault counts, a stack without a
 * limit. A stream that cannot be written is -EIO.
 */
static void test_openmetrics_left_out(void **state)
{
	struct vms_snapshot *snap = fixture_full();
	char *full, *less;
	FILE *f;

	(void)state;
	snap->limits = (struct vms_limits){ .tried = true, .stack = 8 << 20, .memlock = 64 << 10,
					    .have_stack = true, .have_memlock = true };
	snap->cgroup.tried = true;
	snap->cgroup.error = 0;
	snap->cgroup.have = (1u << VMS_CG_CURRENT) | (1u << VMS_CG_MAX);
	snap->cgroup.v[VMS_CG_CURRENT] = 1 << 20;
	snap->cgroup.v[VMS_CG_MAX] = 4 << 20;
	snap->host_mem = (struct vms_host_memory){ .tried = true, .have = 1, .v = { 1 << 30 } };
	full = openmetrics_text(snap);
	assert_non_null(strstr(full, "measure=\"memlock_limit\"} 65536\n"));
	assert_non_null(strstr(full, "vmscope_process_cgroup_memory_bytes{"));
	assert_non_null(strstr(full, "measure=\"max\"} 4194304\n"));
	assert_non_null(strstr(full, "measure=\"headroom\"} 3145728\n"));
	assert_non_null(strstr(full, "vmscope_host_memory_bytes{measure="));
	assert_non_null(strstr(full, "vmscope_process_page_faults_total{"));
	assert_non_null(strstr(full, "vmscope_process_stack_limit_bytes{"));

	snap->proc.user = NULL;
	snap->proc.uid = 4242;
	snap->limits.memlock = VMS_UNLIMITED;
	snap->limits.stack = VMS_UNLIMITED;
	snap->cgroup.v[VMS_CG_MAX] = VMS_UNLIMITED;
	snap->host_mem.error = -EACCES;
	snap->totals.have_faults = false;
	less = openmetrics_text(snap);
	assert_non_null(strstr(less, ",user=\"4242\"}"));
	assert_null(strstr(less, "memlock_limit"));
	assert_null(strstr(less, "measure=\"max\""));
	assert_null(strstr(less, "measure=\"headroom\""));
	assert_non_null(strstr(less, "measure=\"current\"} 1048576\n"));
	assert_null(strstr(less, "vmscope_host_memory_bytes{"));
	assert_null(strstr(less, "vmscope_process_page_faults_total{"));
	assert_null(strstr(less, "stack=\"main\""));
	free(less);

	snap->cgroup.error = -ENOENT;
	snap->limits.error = -EACCES;
	snap->limits.memlock = 64 << 10;
	less = openmetrics_text(snap);
	assert_null(strstr(less, "vmscope_process_cgroup_memory_bytes{"));
	assert_null(strstr(less, "memlock_limit"));
	/* the families are all there, each with its help and type */
	assert_non_null(strstr(less, "# TYPE vmscope_process_cgroup_memory_bytes gauge\n"));
	assert_int_equal(strcmp(less + strlen(less) - 6, "# EOF\n"), 0);
	free(less);
	free(full);

	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(vms_report_openmetrics(f, snap, NULL), -EIO);
	fclose(f);
	vms_snapshot_free(snap);
}

/*
 * A label value as the exposition formats define it: backslash, quote and
 * newline escaped; other controls as the text report's \xNN, its
 * backslash escaped; bytes that are not UTF-8 replaced.
 */
static void test_metrics_label_value(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain name", "plain name" },
		{ "a\"q\"", "a\\\"q\\\"" },
		{ "back\\slash", "back\\\\slash" },
		{ "two\nlines", "two\\nlines" },
		{ "tab\there", "tab\\\\x09here" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },
		/* a lead byte where a continuation belongs: both replaced */
		{ "x\xc3\xc3", "x\xef\xbf\xbd\xef\xbf\xbd" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb);
		vms_metrics_label_value(&sb, cases[i].in);
		if (strcmp(sb.len ? sb.buf : "", cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, sb.len ? sb.buf : "",
				 cases[i].want);
		strbuf_release(&sb);
	}
}

static void test_metrics_formats(void **state)
{
	static const struct {
		enum vms_metrics_format fmt;
		const char *name, *type, *want;
	} cases[] = {
		/* 0.0.4: the sample name everywhere, no unit, no end, info a gauge */
		{ VMS_METRICS_PROMETHEUS, "x_bytes", "gauge",
		  "# HELP x_bytes Help.\n# TYPE x_bytes gauge\n" },
		{ VMS_METRICS_PROMETHEUS, "x_faults_total", "counter",
		  "# HELP x_faults_total Help.\n# TYPE x_faults_total counter\n" },
		{ VMS_METRICS_PROMETHEUS, "x_host_info", "info",
		  "# HELP x_host_info Help.\n# TYPE x_host_info gauge\n" },
		/* OpenMetrics: a unit for _bytes, families without _total or _info, # EOF */
		{ VMS_METRICS_OPENMETRICS, "x_bytes", "gauge",
		  "# HELP x_bytes Help.\n# TYPE x_bytes gauge\n# UNIT x_bytes bytes\n# EOF\n" },
		{ VMS_METRICS_OPENMETRICS, "x_faults_total", "counter",
		  "# HELP x_faults Help.\n# TYPE x_faults counter\n# EOF\n" },
		{ VMS_METRICS_OPENMETRICS, "x_host_info", "info",
		  "# HELP x_host Help.\n# TYPE x_host info\n# EOF\n" },
		{ VMS_METRICS_OPENMETRICS, "x_processes", "gauge",
		  "# HELP x_processes Help.\n# TYPE x_processes gauge\n# EOF\n" },
		/* a gauge that merely ends in _total keeps its name */
		{ VMS_METRICS_OPENMETRICS, "x_total", "gauge",
		  "# HELP x_total Help.\n# TYPE x_total gauge\n# EOF\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = metrics_text(cases[i].fmt, cases[i].name, cases[i].type);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
	assert_string_equal(vms_metrics_content_type(VMS_METRICS_PROMETHEUS),
			    "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(vms_metrics_content_type(VMS_METRICS_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_ptr_equal(vms_reporter_find("openmetrics")->render, vms_report_openmetrics);
	assert_ptr_equal(vms_reporter_find("prometheus")->render, vms_report_prometheus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_size_table),
		cmocka_unit_test(test_format_size_sweep),
		cmocka_unit_test(test_format_size_small_buffer),
		cmocka_unit_test(test_sort_names),
		cmocka_unit_test(test_report_size),
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_sorted_first_k),
		cmocka_unit_test(test_tables_shown_and_titled),
		cmocka_unit_test(test_reporter_table),
		cmocka_unit_test(test_escape_html),
		cmocka_unit_test(test_html_pages),
		cmocka_unit_test(test_metrics_formats),
		cmocka_unit_test(test_metrics_label_value),
		cmocka_unit_test(test_openmetrics_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
