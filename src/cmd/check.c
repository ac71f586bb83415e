/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope check PID|FILE: memory budgets for CI. Each budget is one line,
 * ok or FAIL with the numbers and the region weighing most; any failure
 * (or a budget that could not be checked) exits 1, and only that: a process
 * that is gone exits 3. --junit writes the same as a JUnit XML report.
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/files.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
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
	OPT_MAX_GROWTH_RATE,
	OPT_AT,
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
	{ "max-growth-rate", 0, required_argument, OPT_MAX_GROWTH_RATE, "[M=]RATE",
	  "fail when the total (default pss) grew faster than RATE, such as 1M/min, from the baseline (a recording's first sample) to the sample checked" },
	{ "min-stack-headroom", 0, required_argument, OPT_MIN_STACK_HEADROOM, "SIZE",
	  "fail when a stack has less room left (the main stack to RLIMIT_STACK, a thread's to its size)" },
	{ "min-cgroup-headroom", 0, required_argument, OPT_MIN_CGROUP_HEADROOM, "SIZE",
	  "fail when the memory cgroup has less room left below memory.max" },
	{ "max-pte", 0, required_argument, OPT_MAX_PTE, "SIZE", "fail above this much page tables (VmPTE)" },
	{ "max-regions", 0, required_argument, OPT_MAX_REGIONS, "N", "fail above this many mappings" },
	{ "baseline", 0, required_argument, OPT_BASELINE, "FILE",
	  "the snapshot growth is measured from (default for a recording: its first sample)" },
	{ "at", 0, required_argument, OPT_AT, "T",
	  "check a recording's sample at T after its start (first, last, 90s; default last)" },
	{ "budget", 0, required_argument, OPT_BUDGET, "FILE", "read budgets from a JSON file (- for standard input)" },
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
		   "and T suffixes (powers of 1024). A recording ('vmscope record') is checked at\n"
		   "its last sample with regions (or --at), growth measured from its first.\n",
	.options = check_options,
	.n_options = ARRAY_SIZE(check_options),
	.epilog = "Budget file (--budget): {\"max_pss\": \"64M\", \"max_rss\": ..., \"max_uss\": ...,\n"
		  "\"max_swap\": ..., \"max\": {\"heap\": \"32M\", \"libc.so.6:rss\": 4194304},\n"
		  "\"max_growth\": \"10%\", \"baseline\": \"base.json\", \"min_stack_headroom\": \"1M\",\n"
		  "\"min_cgroup_headroom\": \"256M\", \"max_pte\": \"4M\", \"max_regions\": 20000,\n"
		  "\"max_growth_rate\": \"rss=1M/min\"}; sizes as\n"
		  "numbers or strings.\n"
		  "Exit status: 0 every budget holds, 1 a budget is exceeded or cannot be checked,\n"
		  "2 usage error, an unreadable file or results that cannot be written, 3 the\n"
		  "process does not exist or exited: nothing was checked.\n",
};

struct check_args {
	struct vms_budget_set set;
	const char *baseline, *junit, *proc_root;
	bool full;
	bool budget_stdin; /* --budget -, read after the options */
	size_t budget_stdin_at; /* where its rules go among the others */
	int64_t at_ns;
};

static int bad_size(const char *option, const char *arg)
{
	cli_error("%s takes %s, not '%s'", option, VMS_BUDGET_SIZE_WHAT, arg);
	return -EINVAL;
}

static int add_total(struct check_args *a, enum vms_measure m, const char *option, const char *arg)
{
	return vms_budget_add_total(&a->set, m, arg) < 0 ? bad_size(option, arg) : 0;
}

static int add_fact(struct check_args *a, enum vms_budget_fact f, const char *option,
		    const char *arg)
{
	if (vms_budget_add_fact(&a->set, f, arg) == 0)
		return 0;
	if (f != VMS_FACT_REGIONS)
		return bad_size(option, arg);
	cli_error("%s takes a number, not '%s'", option, arg);
	return -EINVAL;
}

static int load_budget_file(struct check_args *a, const char *path)
{
	struct vms_load_error err;
	int r;

	r = vms_budget_load_file(&a->set, AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path,
				 &err);
	if (r == 0)
		return 0;
	if (err.line)
		cli_error("%s:%u:%u: %s", path, err.line, err.column, err.message);
	else if (r == -EBADMSG)
		cli_error("%s: %s%s%s", path, err.path, err.path[0] ? ": " : "", err.message);
	else
		cli_error("cannot read budgets from '%s': %s", path, err.message);
	return -EINVAL;
}

/* The budgets of standard input, read now, among the rules where --budget - was given. */
static int load_budget_stdin(struct check_args *a)
{
	struct vms_budget_set *s = &a->set;
	size_t at = a->budget_stdin_at, from = s->n_rules, k;
	struct vms_budget_rule *read;

	if (load_budget_file(a, "-") < 0)
		return -EINVAL;
	k = s->n_rules - from;
	read = xreallocarray(NULL, k ? k : 1, sizeof(*read));
	memcpy(read, s->rules + from, k * sizeof(*read));
	memmove(s->rules + at + k, s->rules + at, (from - at) * sizeof(*read));
	memcpy(s->rules + at, read, k * sizeof(*read));
	free(read);
	return 0;
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
		if (vms_budget_add_max(&a->set, arg, NULL) == 0)
			return 0;
		cli_error("--max takes KIND=SIZE or FILE=SIZE, with :pss :rss :uss :swap or "
			  ":size after the name, not '%s'",
			  arg);
		return -EINVAL;
	case OPT_MAX_GROWTH:
		if (vms_budget_add_growth(&a->set, arg) == 0)
			return 0;
		cli_error("--max-growth takes [MEASURE=]SIZE or N%%, not '%s'", arg);
		return -EINVAL;
	case OPT_MAX_GROWTH_RATE:
		if (vms_budget_add_growth_rate(&a->set, arg) == 0)
			return 0;
		cli_error("--max-growth-rate takes [MEASURE=]SIZE/min (or /s, /h), not '%s'", arg);
		return -EINVAL;
	case OPT_AT:
		return cmd_parse_at(arg, &a->at_ns);
	case OPT_MIN_STACK_HEADROOM:
		return add_fact(a, VMS_FACT_STACK_HEADROOM, "--min-stack-headroom", arg);
	case OPT_MIN_CGROUP_HEADROOM:
		return add_fact(a, VMS_FACT_CGROUP_HEADROOM, "--min-cgroup-headroom", arg);
	case OPT_MAX_PTE:
		return add_fact(a, VMS_FACT_PAGE_TABLES, "--max-pte", arg);
	case OPT_MAX_REGIONS:
		return add_fact(a, VMS_FACT_REGIONS, "--max-regions", arg);
	case OPT_BASELINE:
		a->baseline = arg;
		return 0;
	case OPT_BUDGET:
		if (strcmp(arg, "-") == 0) {
			if (a->budget_stdin) {
				cli_error("--budget - given twice: standard input is read once");
				return -EINVAL;
			}
			a->budget_stdin = true;
			/* read once the operands are known: the snapshot may be
			 * standard input too, which is then the error to say */
			a->budget_stdin_at = a->set.n_rules;
			return 0;
		}
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

/* Why a budget's value is unknown: the file it comes from, and the error of its read. */
static void unread_source(struct strbuf *sb, const struct vms_snapshot *snap,
			  const struct vms_budget_rule *rule)
{
	/* a total's PSS and USS are smaps_rollup's; the others status'; a region's smaps' */
	enum vms_source src = rule->scope != VMS_BUDGET_TOTAL  ? VMS_SRC_SMAPS
			      : rule->measure == VMS_MEASURE_PSS ||
					rule->measure == VMS_MEASURE_USS
				      ? VMS_SRC_SMAPS_ROLLUP
				      : VMS_SRC_STATUS;
	int err = snap->src[src].error;

	strbuf_addf(sb, "cannot be checked: %s was not read", vms_source_to_string(src));
	if (err)
		strbuf_addf(sb, " (%s)", procfile_strerror(err));
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
	case VMS_BUDGET_GROWTH_RATE:
		strbuf_addf(sb, "%s growth rate", measure_label(r->measure));
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

/* n of base in tenths of a percent, rounded: "118.3%" */
static void add_percent(struct strbuf *sb, uint64_t n, uint64_t base)
{
	uint64_t permille = (uint64_t)((double)n * 1000.0 / (double)base + 0.5);

	strbuf_addf(sb, "%" PRIu64 ".%" PRIu64 "%%", permille / 10, permille % 10);
}

/*
 * What a growth and its limit are, each as what it is: "growth 118.3% of
 * the baseline's 103M, limit 10.0%".
 */
static void growth_detail(struct strbuf *sb, const struct vms_budget_rule *rule,
			  const struct vms_budget_result *res)
{
	char b[32];

	vms_format_size(b, sizeof(b), res->baseline);
	strbuf_addstr(sb, "; growth ");
	if (res->baseline)
		add_percent(sb, res->value, res->baseline);
	else
		strbuf_addstr(sb, "from nothing");
	strbuf_addf(sb, " of the baseline's %s", b);
	if (rule->percent)
		strbuf_addf(sb, ", limit %" PRIu64 ".%" PRIu64 "%% of it", rule->limit / 10,
			    rule->limit % 10);
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
		else if (rule->scope == VMS_BUDGET_GROWTH_RATE)
			strbuf_addstr(sb, "cannot be checked: needs a recording, or a baseline "
					  "taken earlier with this measure");
		else if (rule->scope != VMS_BUDGET_TOTAL && res->matched == 0 &&
			 !snap->src[VMS_SRC_SMAPS].error)
			strbuf_addstr(sb, "cannot be checked: no such region in the process");
		else
			unread_source(sb, snap, rule);
		return;
	}
	if (rule->scope == VMS_BUDGET_FACT) {
		fact_detail(sb, rule, res);
	} else if (rule->scope == VMS_BUDGET_GROWTH_RATE) {
		vms_format_size(v, sizeof(v), res->value);
		vms_format_size(l, sizeof(l), res->limit);
		strbuf_addf(sb, "%s/min %s %s/min (%" PRIu64 " %s %" PRIu64 " bytes per minute)", v,
			    res->ok ? "<=" : ">", l, res->value, res->ok ? "<=" : ">", res->limit);
	} else {
		vms_format_size(v, sizeof(v), res->value);
		vms_format_size(l, sizeof(l), res->limit);
		strbuf_addf(sb, "%s %s %s (%" PRIu64 " %s %" PRIu64 " bytes)", v,
			    res->ok ? "<=" : ">", l, res->value, res->ok ? "<=" : ">", res->limit);
	}
	if (rule->scope == VMS_BUDGET_GROWTH)
		growth_detail(sb, rule, res);
	if (rule->scope == VMS_BUDGET_KIND && res->matched == 0)
		strbuf_addf(sb, "; found no %s region in the process",
			    rule->kind == VMS_BUDGET_KIND_STACKS ? "stack"
								 : vms_kind_to_string(rule->kind));
	if (res->region >= 0 && (size_t)res->region < snap->n_regions) {
		const struct vms_region *r = &snap->regions[res->region];

		vms_format_size(v, sizeof(v), res->region_value);
		strbuf_addstr(sb, rule->scope == VMS_BUDGET_GROWTH ||
					  rule->scope == VMS_BUDGET_GROWTH_RATE
				  ? "; grew most: "
				  : rule->scope == VMS_BUDGET_FACT ? "; tightest: "
								   : "; most in ");
		cmd_region_label(sb, snap, r);
		strbuf_addf(sb, " at %" PRIx64 " (%s%s)", r->start, v,
			    rule->scope == VMS_BUDGET_GROWTH_RATE ? "/min" : "");
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
		       size_t n, size_t failures, struct strbuf *why)
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
	r = cmd_write_file_atomic(path, buf, len, why);
	free(buf);
	return r;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { .at_ns = CMD_AT_LAST };
	struct vms_snapshot *snap = NULL, *base = NULL, *first_sample = NULL;
	struct vms_budget_result *res = NULL;
	char **ops;
	size_t failures = 0, n_rules;
	unsigned width;
	struct strbuf sb;
	int r, n, first, status;

	r = cli_parse(argc, argv, &check_command, check_option, &a, &first);
	if (r != 0) {
		vms_budget_set_release(&a.set);
		return r > 0 ? 0 : EXIT_USAGE;
	}
	ops = argv + first;
	n = argc - first;
	status = EXIT_USAGE;
	if (n != 1) {
		fputs("vmscope: check takes one PID, NAME, snapshot FILE or recording\n", stderr);
		goto out;
	}
	/* standard input is read once: by one of them */
	if ((strcmp(ops[0], "-") == 0) + a.budget_stdin + (a.baseline && strcmp(a.baseline, "-") == 0) > 1) {
		fputs("vmscope: standard input (-) given twice: the snapshot, --budget and "
		      "--baseline read it once between them\n",
		      stderr);
		goto out;
	}
	if (a.budget_stdin && load_budget_stdin(&a) < 0)
		goto out;
	if (a.set.n_rules == 0) {
		fputs("vmscope: no budgets: give --max-pss, --max or --budget FILE (see --help)\n",
		      stderr);
		goto out;
	}
	status = cmd_snapshot_operand(ops[0], a.proc_root, a.full, a.at_ns, &snap, &first_sample);
	/* 1 is "a budget is exceeded": a process that is gone is no verdict */
	if (status == EXIT_GONE)
		status = EXIT_NO_VERDICT;
	if (status)
		goto out;
	n_rules = a.set.n_rules;
	/* No memory to hold to a budget: one line, and no rule is checked. */
	if (cmd_say_no_address_space(snap, stdout))
		n_rules = 0;
	/* --baseline wins over the budget file's */
	if (!a.baseline)
		a.baseline = a.set.baseline;
	if (a.baseline && (status = cmd_load_snapshot(a.baseline, &base)))
		goto out;
	/* a recording's growth is measured from its first sample */
	if (!base)
		base = TAKE_PTR(first_sample);

	res = xcalloc(a.set.n_rules, sizeof(*res));
	width = cli_output_width(0, STDOUT_FILENO);
	strbuf_init(&sb);
	for (size_t i = 0; i < n_rules; i++) {
		if (!vms_budget_eval(snap, base, &a.set.rules[i], &res[i]))
			failures++;
		strbuf_reset(&sb);
		strbuf_addstr(&sb, res[i].ok ? "ok    " : "FAIL  ");
		rule_name(&sb, &a.set.rules[i]);
		strbuf_addstr(&sb, ": ");
		result_detail(&sb, snap, &a.set.rules[i], &res[i]);
		cmd_put_wrapped(stdout, sb.buf, width, 6);
	}
	strbuf_release(&sb);
	status = failures ? EXIT_GONE : 0;
	if (a.junit) {
		strbuf_init(&sb);
		r = write_junit(a.junit, ops[0], snap, a.set.rules, res, n_rules, failures,
				&sb);
		if (r < 0) {
			cmd_say_cannot_write(a.junit, r, &sb);
			status = EXIT_USAGE;
		}
		strbuf_release(&sb);
	}
	/* Exit 1 is the verdict "a budget is exceeded": a results line that
	 * could not be written is no verdict, whatever the budgets say. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			cli_error("cannot write the results: %s", strerror(errno ? errno : EIO));
		status = EXIT_USAGE;
	}
out:
	free(res);
	vms_snapshot_free(snap);
	vms_snapshot_free(base);
	vms_snapshot_free(first_sample);
	vms_budget_set_release(&a.set);
	return status;
}
