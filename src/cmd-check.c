/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope check PID|FILE: memory budgets for CI. Each budget is one line,
 * ok or FAIL with the numbers and the region weighing most; any failure
 * (or a budget that could not be checked) exits 1. --junit writes the same
 * as a JUnit XML report.
 */
#include "config.h"

#include "commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli.h"
#include "vmscope/budget.h"
#include "vmscope/diff.h"
#include "vmscope/load.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

enum {
	OPT_MAX_PSS = CLI_OPT_FIRST_FREE,
	OPT_MAX_RSS,
	OPT_MAX_USS,
	OPT_MAX_SWAP,
	OPT_MAX,
	OPT_MAX_GROWTH,
	OPT_BASELINE,
	OPT_BUDGET,
	OPT_JUNIT,
	OPT_FULL,
	OPT_MIN_STACK_HEADROOM,
	OPT_MIN_CGROUP_HEADROOM,
	OPT_MAX_PTE,
	OPT_MAX_REGIONS,
};

static const struct cli_option check_options[] = {
	{ "max-pss", 0, required_argument, OPT_MAX_PSS, "SIZE", "fail above this total PSS" },
	{ "max-rss", 0, required_argument, OPT_MAX_RSS, "SIZE", "fail above this total RSS" },
	{ "max-uss", 0, required_argument, OPT_MAX_USS, "SIZE", "fail above this total USS" },
	{ "max-swap", 0, required_argument, OPT_MAX_SWAP, "SIZE", "fail above this much swap" },
	{ "max", 0, required_argument, OPT_MAX, "WHAT[:M]=SIZE",
	  "fail when the regions of a kind (heap, anon, stacks...) or of a file hold more than SIZE of measure M (pss, rss, uss, swap, size; default pss)" },
	{ "max-growth", 0, required_argument, OPT_MAX_GROWTH, "[M=]SIZE|N%",
	  "fail when the total (default pss) grew more than this since --baseline" },
	{ "min-stack-headroom", 0, required_argument, OPT_MIN_STACK_HEADROOM, "SIZE",
	  "fail when a stack has less room left (the main stack to RLIMIT_STACK, a thread's to its size)" },
	{ "min-cgroup-headroom", 0, required_argument, OPT_MIN_CGROUP_HEADROOM, "SIZE",
	  "fail when the memory cgroup has less room left below memory.max" },
	{ "max-pte", 0, required_argument, OPT_MAX_PTE, "SIZE", "fail above this much page tables (VmPTE)" },
	{ "max-regions", 0, required_argument, OPT_MAX_REGIONS, "N", "fail above this many mappings" },
	{ "baseline", 0, required_argument, OPT_BASELINE, "FILE", "the snapshot growth is measured from" },
	{ "budget", 0, required_argument, OPT_BUDGET, "FILE", "read budgets from a JSON file" },
	{ "junit", 0, required_argument, OPT_JUNIT, "FILE", "also write the results as JUnit XML" },
	{ "full", 0, no_argument, OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command check_command = {
	.name = "check",
	.synopsis = "vmscope check [OPTIONS] PID|NAME|FILE",
	.summary = "Check a process (or a snapshot file) against memory budgets, for CI: one line\n"
		   "per budget, ok or FAIL with the numbers and the region weighing most. Exit\n"
		   "status 1 when a budget is exceeded or cannot be checked. SIZE takes K, M, G\n"
		   "and T suffixes (powers of 1024).\n",
	.options = check_options,
	.n_options = ARRAY_SIZE(check_options),
	.epilog = "Budget file (--budget): {\"max_pss\": \"64M\", \"max_rss\": ..., \"max_uss\": ...,\n"
		  "\"max_swap\": ..., \"max\": {\"heap\": \"32M\", \"libc.so.6:rss\": 4194304},\n"
		  "\"max_growth\": \"10%\", \"baseline\": \"base.json\", \"min_stack_headroom\": \"1M\",\n"
		  "\"min_cgroup_headroom\": \"256M\", \"max_pte\": \"4M\", \"max_regions\": 20000}; sizes as\n"
		  "numbers or strings.\n",
};

struct check_args {
	struct vms_budget_rule *rules;
	size_t n_rules, alloc_rules;
	char **strings; /* owned copies the rules point into */
	size_t n_strings, alloc_strings;
	const char *baseline, *junit, *proc_root;
	bool full;
};

/* "64M", "1.5G", "4096" → bytes (binary units). */
static int parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGTPE";
	char *end;
	double v;
	const char *u;
	int shift = 0;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v >= 0) || s[0] == '-')
		return -EINVAL;
	if (*end) {
		u = strchr(units, *end >= 'a' ? *end - 32 : *end);
		if (!u || !*u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	v *= (double)(UINT64_C(1) << shift);
	if (v >= 18446744073709549568.0)
		return -ERANGE;
	*ret = (uint64_t)(v + 0.5);
	return 0;
}

static int parse_measure(const char *s, size_t n, enum vms_measure *ret)
{
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		const char *name = vms_measure_to_string(m);

		if (strlen(name) == n && strncmp(name, s, n) == 0) {
			*ret = (enum vms_measure)m;
			return 0;
		}
	}
	return -EINVAL;
}

static struct vms_budget_rule *add_rule(struct check_args *a, enum vms_budget_scope scope,
					enum vms_measure m)
{
	struct vms_budget_rule *r;

	ARRAY_GROW(a->rules, a->n_rules + 1, a->alloc_rules);
	r = &a->rules[a->n_rules++];
	*r = (struct vms_budget_rule){ .scope = scope, .measure = m };
	return r;
}

static const char *keep(struct check_args *a, const char *s, size_t n)
{
	ARRAY_GROW(a->strings, a->n_strings + 1, a->alloc_strings);
	return a->strings[a->n_strings++] = xstrndup(s, n);
}

static int add_total(struct check_args *a, enum vms_measure m, const char *what, const char *size)
{
	struct vms_budget_rule *r;
	uint64_t v;

	if (parse_size(size, &v) < 0) {
		fprintf(stderr, "vmscope: %s takes a size like 64M, not '%s'\n", what, size);
		return -EINVAL;
	}
	r = add_rule(a, VMS_BUDGET_TOTAL, m);
	r->limit = v;
	return 0;
}

static const struct {
	const char *option, *key; /* --option and the budget file's key */
	enum vms_budget_fact fact;
} fact_budgets[] = {
	{ "--min-stack-headroom", "min_stack_headroom", VMS_FACT_STACK_HEADROOM },
	{ "--min-cgroup-headroom", "min_cgroup_headroom", VMS_FACT_CGROUP_HEADROOM },
	{ "--max-pte", "max_pte", VMS_FACT_PAGE_TABLES },
	{ "--max-regions", "max_regions", VMS_FACT_REGIONS },
};

/* A budget on a fact of insights.h: a size, or a plain count for regions. */
static int add_fact(struct check_args *a, enum vms_budget_fact f, const char *arg)
{
	struct vms_budget_rule *r;
	uint64_t v;
	int err;

	if (f == VMS_FACT_REGIONS) {
		const char *p = arg;

		for (v = 0, err = *p ? 0 : -EINVAL; *p && !err; p++)
			if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
				err = -EINVAL;
			else
				v = v * 10 + (uint64_t)(*p - '0');
	} else {
		err = parse_size(arg, &v);
	}
	if (err < 0) {
		fprintf(stderr, "vmscope: %s takes %s, not '%s'\n", fact_budgets[f].option,
			f == VMS_FACT_REGIONS ? "a number" : "a size like 64M", arg);
		return -EINVAL;
	}
	r = add_rule(a, VMS_BUDGET_FACT, VMS_MEASURE_SIZE);
	r->fact = f;
	r->limit = v;
	return 0;
}

/* WHAT[:MEASURE]=SIZE */
static int add_max(struct check_args *a, const char *spec, const char *size_override)
{
	const char *eq = size_override ? spec + strlen(spec) : strrchr(spec, '=');
	const char *colon, *size = size_override;
	enum vms_measure m = VMS_MEASURE_PSS;
	struct vms_budget_rule *r;
	size_t wlen;
	uint64_t v;
	int k;

	if (!eq || eq == spec)
		goto bad;
	if (!size)
		size = eq + 1;
	colon = memchr(spec, ':', (size_t)(eq - spec));
	wlen = colon ? (size_t)(colon - spec) : (size_t)(eq - spec);
	if (colon && parse_measure(colon + 1, (size_t)(eq - colon - 1), &m) < 0)
		goto bad;
	if (wlen == 0 || parse_size(size, &v) < 0)
		goto bad;
	r = add_rule(a, VMS_BUDGET_KIND, m);
	r->limit = v;
	if (wlen == 6 && strncmp(spec, "stacks", 6) == 0) {
		r->kind = VMS_BUDGET_KIND_STACKS;
		return 0;
	}
	k = vms_kind_from_string(keep(a, spec, wlen));
	if (k >= 0) {
		r->kind = k;
	} else {
		r->scope = VMS_BUDGET_OBJECT;
		r->object = a->strings[a->n_strings - 1];
	}
	return 0;
bad:
	fprintf(stderr,
		"vmscope: --max takes KIND=SIZE or FILE=SIZE, with :pss :rss :uss :swap or :size "
		"after the name, not '%s%s%s'\n",
		spec, size_override ? "=" : "", size_override ? size_override : "");
	return -EINVAL;
}

/* [MEASURE=]SIZE or [MEASURE=]N% */
static int add_growth(struct check_args *a, const char *spec)
{
	const char *eq = strchr(spec, '='), *val = eq ? eq + 1 : spec;
	enum vms_measure m = VMS_MEASURE_PSS;
	struct vms_budget_rule *r;
	size_t n = strlen(val);
	uint64_t v;

	if (eq && parse_measure(spec, (size_t)(eq - spec), &m) < 0)
		goto bad;
	r = add_rule(a, VMS_BUDGET_GROWTH, m);
	if (n > 1 && val[n - 1] == '%') {
		char *end;
		double p;

		errno = 0;
		p = strtod(val, &end);
		if (errno || end != val + n - 1 || !(p >= 0) || p > 1e9)
			goto bad;
		r->percent = true;
		r->limit = (uint64_t)(p * 10 + 0.5); /* per mille */
		return 0;
	}
	if (parse_size(val, &v) < 0)
		goto bad;
	r->limit = v;
	return 0;
bad:
	fprintf(stderr, "vmscope: --max-growth takes [MEASURE=]SIZE or N%%, not '%s'\n", spec);
	return -EINVAL;
}

/* A size member of the budget file: a number of bytes or a string like "64M". */
static int json_size_text(struct json_object *v, char *buf, size_t n)
{
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		snprintf(buf, n, "%" PRId64, json_object_get_int64(v));
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		snprintf(buf, n, "%s", json_object_get_string(v));
		return 0;
	}
	return -EINVAL;
}

/* "max": {"heap": "32M", "libc.so.6:rss": 4194304} */
static int load_budget_max(struct check_args *a, struct json_object *max)
{
	char buf[128];
	int r = 0;

	if (!json_object_is_type(max, json_type_object))
		return -EINVAL;
	json_object_object_foreach(max, key, val) {
		if (json_size_text(val, buf, sizeof(buf)) < 0)
			return -EINVAL;
		r = add_max(a, keep(a, key, strlen(key)), buf);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_budget_file(struct check_args *a, const char *path)
{
	static const struct {
		const char *key;
		enum vms_measure m;
	} totals[] = {
		{ "max_pss", VMS_MEASURE_PSS },
		{ "max_rss", VMS_MEASURE_RSS },
		{ "max_uss", VMS_MEASURE_USS },
		{ "max_swap", VMS_MEASURE_SWAP },
	};
	struct json_object *root = json_object_from_file(path), *v;
	char buf[128];
	int r = 0;

	if (!root || !json_object_is_type(root, json_type_object)) {
		fprintf(stderr, "vmscope: cannot read budgets from '%s': %s\n", path,
			root ? "not a JSON object" : json_util_get_last_err());
		json_object_put(root);
		return -EINVAL;
	}
	json_object_object_foreach(root, key, val) {
		bool known = strcmp(key, "max") == 0 || strcmp(key, "max_growth") == 0 ||
			     strcmp(key, "baseline") == 0;

		for (size_t i = 0; i < ARRAY_SIZE(fact_budgets); i++)
			known |= strcmp(key, fact_budgets[i].key) == 0;

		for (size_t i = 0; i < ARRAY_SIZE(totals); i++)
			known |= strcmp(key, totals[i].key) == 0;
		(void)val;
		if (!known) {
			fprintf(stderr, "vmscope: %s: unknown budget \"%s\"\n", path, key);
			r = -EINVAL;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(totals) && r == 0; i++) {
		if (!json_object_object_get_ex(root, totals[i].key, &v))
			continue;
		if (json_size_text(v, buf, sizeof(buf)) < 0)
			r = -EINVAL;
		else
			r = add_total(a, totals[i].m, totals[i].key, buf);
	}
	for (size_t i = 0; i < ARRAY_SIZE(fact_budgets) && r == 0; i++) {
		if (!json_object_object_get_ex(root, fact_budgets[i].key, &v))
			continue;
		if (json_size_text(v, buf, sizeof(buf)) < 0)
			r = -EINVAL;
		else
			r = add_fact(a, fact_budgets[i].fact, buf);
	}
	if (r == 0 && json_object_object_get_ex(root, "max", &v))
		r = load_budget_max(a, v);
	if (r == 0 && json_object_object_get_ex(root, "max_growth", &v)) {
		if (json_size_text(v, buf, sizeof(buf)) < 0)
			r = -EINVAL;
		else
			r = add_growth(a, keep(a, buf, strlen(buf)));
	}
	if (r == 0 && json_object_object_get_ex(root, "baseline", &v) && !a->baseline) {
		if (json_object_is_type(v, json_type_string))
			a->baseline = keep(a, json_object_get_string(v),
					   (size_t)json_object_get_string_len(v));
		else
			r = -EINVAL;
	}
	if (r < 0)
		fprintf(stderr, "vmscope: %s: budgets are sizes (numbers or strings like \"64M\")\n",
			path);
	json_object_put(root);
	return r;
}

static int check_option(int id, const char *arg, void *ctx)
{
	struct check_args *a = ctx;

	switch (id) {
	case OPT_MAX_PSS:
		return add_total(a, VMS_MEASURE_PSS, "--max-pss", arg);
	case OPT_MAX_RSS:
		return add_total(a, VMS_MEASURE_RSS, "--max-rss", arg);
	case OPT_MAX_USS:
		return add_total(a, VMS_MEASURE_USS, "--max-uss", arg);
	case OPT_MAX_SWAP:
		return add_total(a, VMS_MEASURE_SWAP, "--max-swap", arg);
	case OPT_MAX:
		return add_max(a, arg, NULL);
	case OPT_MAX_GROWTH:
		return add_growth(a, arg);
	case OPT_MIN_STACK_HEADROOM:
		return add_fact(a, VMS_FACT_STACK_HEADROOM, arg);
	case OPT_MIN_CGROUP_HEADROOM:
		return add_fact(a, VMS_FACT_CGROUP_HEADROOM, arg);
	case OPT_MAX_PTE:
		return add_fact(a, VMS_FACT_PAGE_TABLES, arg);
	case OPT_MAX_REGIONS:
		return add_fact(a, VMS_FACT_REGIONS, arg);
	case OPT_BASELINE:
		a->baseline = arg;
		return 0;
	case OPT_BUDGET:
		return load_budget_file(a, arg);
	case OPT_JUNIT:
		a->junit = arg;
		return 0;
	case OPT_FULL:
		a->full = true;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return -EINVAL;
}

static const char *measure_label(enum vms_measure m)
{
	static const char *const labels[VMS_MEASURE__MAX] = { "size", "RSS", "PSS", "USS", "swap" };

	return (unsigned)m < VMS_MEASURE__MAX ? labels[m] : "?";
}

/* "PSS", "heap RSS", "libc.so.6 PSS", "PSS growth": what a rule limits. */
static void rule_name(struct strbuf *sb, const struct vms_budget_rule *r)
{
	switch (r->scope) {
	case VMS_BUDGET_TOTAL:
		strbuf_addf(sb, "total %s", measure_label(r->measure));
		break;
	case VMS_BUDGET_KIND:
		strbuf_addf(sb, "%s %s",
			    r->kind == VMS_BUDGET_KIND_STACKS ? "stacks" : vms_kind_to_string(r->kind),
			    measure_label(r->measure));
		break;
	case VMS_BUDGET_OBJECT:
		escape_display(sb, r->object, strlen(r->object));
		strbuf_addf(sb, " %s", measure_label(r->measure));
		break;
	case VMS_BUDGET_GROWTH:
		strbuf_addf(sb, "%s growth", measure_label(r->measure));
		break;
	case VMS_BUDGET_FACT: {
		static const char *const names[VMS_FACT__MAX] = {
			[VMS_FACT_STACK_HEADROOM] = "stack headroom",
			[VMS_FACT_CGROUP_HEADROOM] = "cgroup headroom",
			[VMS_FACT_PAGE_TABLES] = "page tables",
			[VMS_FACT_REGIONS] = "regions",
		};

		strbuf_addstr(sb, (unsigned)r->fact < VMS_FACT__MAX ? names[r->fact] : "?");
		break;
	}
	}
}

/* "1.0M >= 512K (1048576 >= 524288 bytes)", "unlimited >= 1.0M", "312 <= 20000". */
static void fact_detail(struct strbuf *sb, const struct vms_budget_rule *rule,
			const struct vms_budget_result *res)
{
	bool min = vms_budget_fact_is_minimum(rule->fact);
	const char *op = res->ok ? (min ? ">=" : "<=") : (min ? "<" : ">");
	char v[32], l[32];

	if (rule->fact == VMS_FACT_REGIONS) {
		strbuf_addf(sb, "%" PRIu64 " %s %" PRIu64, res->value, op, res->limit);
		return;
	}
	if (res->value == VMS_UNLIMITED) {
		vms_format_size(l, sizeof(l), res->limit);
		strbuf_addf(sb, "unlimited %s %s", op, l);
		return;
	}
	vms_format_size(v, sizeof(v), res->value);
	vms_format_size(l, sizeof(l), res->limit);
	strbuf_addf(sb, "%s %s %s (%" PRIu64 " %s %" PRIu64 " bytes)", v, op, l, res->value, op,
		    res->limit);
}

/* The line's details: "12.0M > 8.0M; most in heap at 55d2e0000000 (11.9M)". */
static void result_detail(struct strbuf *sb, const struct vms_snapshot *snap,
			  const struct vms_budget_rule *rule, const struct vms_budget_result *res)
{
	char v[32], l[32];

	if (!res->have) {
		if (rule->scope == VMS_BUDGET_FACT && rule->fact == VMS_FACT_CGROUP_HEADROOM)
			strbuf_addf(sb, "cannot be checked: %s",
				    snap->cgroup.error ? "no memory cgroup could be read"
						       : "no memory.max, or not read");
		else if (rule->scope == VMS_BUDGET_FACT && rule->fact == VMS_FACT_STACK_HEADROOM)
			strbuf_addstr(sb, "cannot be checked: no stack with a known limit");
		else if (rule->scope == VMS_BUDGET_GROWTH)
			strbuf_addstr(sb, "cannot be checked: no baseline with this measure");
		else if (rule->scope != VMS_BUDGET_TOTAL && res->matched == 0 &&
			 !snap->src[VMS_SRC_SMAPS].error)
			strbuf_addstr(sb, "cannot be checked: no such region in the process");
		else
			strbuf_addstr(sb, "cannot be checked: the snapshot could not read it");
		return;
	}
	if (rule->scope == VMS_BUDGET_FACT) {
		fact_detail(sb, rule, res);
	} else {
		vms_format_size(v, sizeof(v), res->value);
		vms_format_size(l, sizeof(l), res->limit);
		strbuf_addf(sb, "%s %s %s (%" PRIu64 " %s %" PRIu64 " bytes)", v,
			    res->ok ? "<=" : ">", l, res->value, res->ok ? "<=" : ">", res->limit);
	}
	if (rule->scope == VMS_BUDGET_GROWTH && rule->percent)
		strbuf_addf(sb, ", %" PRIu64 ".%" PRIu64 "%% of the baseline", rule->limit / 10,
			    rule->limit % 10);
	if (res->region >= 0 && (size_t)res->region < snap->n_regions) {
		const struct vms_region *r = &snap->regions[res->region];

		vms_format_size(v, sizeof(v), res->region_value);
		strbuf_addstr(sb, rule->scope == VMS_BUDGET_GROWTH  ? "; grew most: "
				  : rule->scope == VMS_BUDGET_FACT ? "; tightest: "
								   : "; most in ");
		cmd_region_label(sb, snap, r);
		strbuf_addf(sb, " at %" PRIx64 " (%s)", r->start, v);
	}
}

static void xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			/* XML 1.0 has no place for other control characters */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				fputc('?', out);
			else
				fputc(*s, out);
		}
	}
}

static int write_junit(const char *path, const char *target, const struct vms_snapshot *snap,
		       const struct vms_budget_rule *rules, const struct vms_budget_result *res,
		       size_t n, size_t failures)
{
	char *buf = NULL;
	size_t len = 0;
	struct strbuf sb, suite;
	FILE *out = open_memstream(&buf, &len);
	int r;

	if (!out)
		die_oom(0);
	strbuf_init(&sb);
	strbuf_init(&suite);
	strbuf_addf(&suite, "vmscope check %s", target);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites tests=\"%zu\" failures=\"%zu\">\n", n, failures);
	fputs("  <testsuite name=\"", out);
	xml_escaped(out, suite.buf);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", n, failures);
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&sb);
		rule_name(&sb, &rules[i]);
		fputs("    <testcase classname=\"vmscope.budget\" name=\"", out);
		xml_escaped(out, sb.buf);
		fputs("\"", out);
		strbuf_reset(&sb);
		result_detail(&sb, snap, &rules[i], &res[i]);
		if (res[i].ok) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure message=\"", out);
		xml_escaped(out, sb.buf);
		fputs("\" type=\"budget\">", out);
		xml_escaped(out, sb.buf);
		fputs("</failure>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	strbuf_release(&sb);
	strbuf_release(&suite);
	if (fclose(out) != 0)
		die_oom(0);
	r = cmd_write_file_atomic(path, buf, len);
	free(buf);
	return r;
}

static void check_args_release(struct check_args *a)
{
	for (size_t i = 0; i < a->n_strings; i++)
		free(a->strings[i]);
	free(a->strings);
	free(a->rules);
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { 0 };
	struct vms_snapshot *snap = NULL, *base = NULL;
	struct vms_budget_result *res = NULL;
	_cleanup_free_ char **ops = NULL;
	size_t failures = 0;
	struct strbuf sb;
	int r, n, status;

	r = cmd_parse_anywhere(argc, argv, &check_command, check_option, &a, &ops, &n);
	if (r != 0) {
		check_args_release(&a);
		return r > 0 ? 0 : EXIT_USAGE;
	}
	status = EXIT_USAGE;
	if (n != 1) {
		fputs("vmscope: check takes one PID, NAME or snapshot FILE\n", stderr);
		goto out;
	}
	if (a.n_rules == 0) {
		fputs("vmscope: no budgets: give --max-pss, --max or --budget FILE (see --help)\n",
		      stderr);
		goto out;
	}
	status = cmd_snapshot_operand(ops[0], a.proc_root, a.full, &snap);
	if (status)
		goto out;
	if (a.baseline && (status = cmd_load_snapshot(a.baseline, &base)))
		goto out;

	res = xcalloc(a.n_rules, sizeof(*res));
	strbuf_init(&sb);
	for (size_t i = 0; i < a.n_rules; i++) {
		if (!vms_budget_eval(snap, base, &a.rules[i], &res[i]))
			failures++;
		strbuf_reset(&sb);
		strbuf_addstr(&sb, res[i].ok ? "ok    " : "FAIL  ");
		rule_name(&sb, &a.rules[i]);
		strbuf_addstr(&sb, ": ");
		result_detail(&sb, snap, &a.rules[i], &res[i]);
		printf("%s\n", sb.buf);
	}
	strbuf_release(&sb);
	status = failures ? EXIT_GONE : 0;
	if (a.junit) {
		r = write_junit(a.junit, ops[0], snap, a.rules, res, a.n_rules, failures);
		if (r < 0) {
			fprintf(stderr, "vmscope: cannot write '%s': %s\n", a.junit, strerror(-r));
			status = EXIT_USAGE;
		}
	}
	if (fflush(stdout) != 0 && errno != EPIPE && !status)
		status = EXIT_GONE;
out:
	free(res);
	vms_snapshot_free(snap);
	vms_snapshot_free(base);
	check_args_release(&a);
	return status;
}
