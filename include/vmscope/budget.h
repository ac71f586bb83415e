/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory budgets (src/model): limits on a snapshot's totals, on the sum of
 * the regions of one kind or of one mapped object, and on growth against a
 * baseline snapshot. Evaluation is pure: it says, for each rule, the value,
 * whether it fits, and the region that weighs most in it.
 */
#ifndef VMSCOPE_BUDGET_H
#define VMSCOPE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/diff.h"
#include "vmscope/load.h"
#include "vmscope/snapshot.h"

/* What a size is, in the messages of check's options and of the budget file
 * alike: the same parser reads both (parse_size_str). */
#define VMS_BUDGET_SIZE_WHAT "a size like 64M, 1.5G or 4096 (binary units, K = 1024; under 8E)"

enum vms_budget_scope {
	VMS_BUDGET_TOTAL = 0, /* the process's total (status, smaps_rollup) */
	VMS_BUDGET_KIND,      /* the regions of one kind */
	VMS_BUDGET_OBJECT,    /* the regions of one mapped file (path or file name) */
	VMS_BUDGET_GROWTH,    /* the total's growth since the baseline */
	VMS_BUDGET_FACT,      /* a limit or cost of insights.h (enum vms_budget_fact) */
	/* the total's growth since the baseline per minute between them (wall
	 * clock): (now - then) * 60 s / (time now - time then), 0 when it shrank */
	VMS_BUDGET_GROWTH_RATE,
};

/* What a VMS_BUDGET_FACT rule limits. */
enum vms_budget_fact {
	VMS_FACT_STACK_HEADROOM = 0, /* the least room left on any stack (minimum) */
	VMS_FACT_CGROUP_HEADROOM,    /* memory.max less memory.current (minimum) */
	VMS_FACT_PAGE_TABLES,        /* VmPTE (maximum) */
	VMS_FACT_REGIONS,            /* the number of mappings, a count (maximum) */
	VMS_FACT__MAX
};
/* Whether the fact is a floor (value >= limit) rather than a ceiling. */
static inline bool vms_budget_fact_is_minimum(enum vms_budget_fact f)
{
	return f == VMS_FACT_STACK_HEADROOM || f == VMS_FACT_CGROUP_HEADROOM;
}

/* VMS_BUDGET_KIND with this kind: the main stack and every thread stack. */
#define VMS_BUDGET_KIND_STACKS (-2)

struct vms_budget_rule {
	enum vms_budget_scope scope;
	enum vms_measure measure;
	int kind;           /* VMS_BUDGET_KIND: enum vms_kind or VMS_BUDGET_KIND_STACKS */
	const char *object; /* VMS_BUDGET_OBJECT: borrowed */
	uint64_t limit;     /* bytes (a growth rate: per minute); for growth with percent,
			     * per mille of the baseline */
	bool percent;       /* VMS_BUDGET_GROWTH: limit is limit_permille of the baseline */
	enum vms_budget_fact fact; /* VMS_BUDGET_FACT */
};

struct vms_budget_result {
	bool have;      /* the value could be read (else the rule fails: unchecked) */
	bool ok;
	uint64_t value; /* bytes (for growth: the growth, 0 when it shrank; a count for
			 * VMS_FACT_REGIONS; VMS_UNLIMITED for headroom under no limit) */
	uint64_t limit; /* bytes, percentages resolved */
	int32_t region; /* the region weighing most (grew most, for growth), -1 none */
	uint64_t region_value;
	size_t matched; /* regions of the kind or object */
	uint64_t baseline; /* growth: the measure in the baseline */
};

/*
 * Budgets as the user gives them (src/json/budget-load.c): from options
 * and from a budget file, into one set of rules.
 */
struct vms_budget_set {
	struct vms_budget_rule *rules;
	size_t n_rules, alloc_rules;
	char **strings; /* owned copies the rules point into */
	size_t n_strings, alloc_strings;
	const char *baseline; /* the budget file's "baseline", NULL when none */
};
void vms_budget_set_release(struct vms_budget_set *s);

/*
 * Each adds one rule and returns 0, or -EINVAL when its text is not of the
 * form it takes, adding nothing. A SIZE is bytes with K, M, G, T, P or E
 * (powers of 1024, "1.5G", "2GiB" too):
 *   total   SIZE                          the process's total of measure m
 *   fact    SIZE (a plain count for VMS_FACT_REGIONS)
 *   max     WHAT[:MEASURE]=SIZE, WHAT a kind, "stacks", or a file's path
 *           or name; with size given, spec is WHAT[:MEASURE] alone
 *   growth  [MEASURE=]SIZE or [MEASURE=]N%
 *   growth rate  below
 */
int vms_budget_add_total(struct vms_budget_set *s, enum vms_measure m, const char *size);
int vms_budget_add_fact(struct vms_budget_set *s, enum vms_budget_fact f, const char *arg);
int vms_budget_add_max(struct vms_budget_set *s, const char *spec, const char *size);
int vms_budget_add_growth(struct vms_budget_set *s, const char *spec);
/*   growth rate  [MEASURE=]SIZE/min (also /s, /h; kept per minute) */
int vms_budget_add_growth_rate(struct vms_budget_set *s, const char *spec);

/*
 * A budget file: a JSON object of max_pss, max_rss, max_uss, max_swap, the
 * fact keys, "max" (an object of WHAT[:MEASURE] to a size), max_growth and
 * baseline; sizes as numbers of bytes or strings like "64M". Adds its rules
 * to s; returns 0, or -EBADMSG (-EFBIG, -ELIBACC, -errno for the file) with err
 * filled: err->path is the offending key ("max.heap"), and line and column
 * are set for text that is no JSON. On an error s keeps what it had.
 */
int vms_budget_load(struct vms_budget_set *s, const char *buf, size_t len,
		    struct vms_load_error *err);
int vms_budget_load_file(struct vms_budget_set *s, int dirfd, const char *path,
			 struct vms_load_error *err);

/*
 * Evaluates rule against snap (and baseline for VMS_BUDGET_GROWTH; a growth
 * rule without one is not have). Returns whether it passed.
 */
bool vms_budget_eval(const struct vms_snapshot *snap, const struct vms_snapshot *baseline,
		     const struct vms_budget_rule *rule, struct vms_budget_result *ret);

#endif
