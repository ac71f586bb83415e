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
#include "vmscope/snapshot.h"

enum vms_budget_scope {
	VMS_BUDGET_TOTAL = 0, /* the process's total (status, smaps_rollup) */
	VMS_BUDGET_KIND,      /* the regions of one kind */
	VMS_BUDGET_OBJECT,    /* the regions of one mapped file (path or file name) */
	VMS_BUDGET_GROWTH,    /* the total's growth since the baseline */
	VMS_BUDGET_FACT,      /* a limit or cost of insights.h (enum vms_budget_fact) */
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
	uint64_t limit;     /* bytes; for growth with percent, per mille of the baseline */
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
};

/*
 * Evaluates rule against snap (and baseline for VMS_BUDGET_GROWTH; a growth
 * rule without one is not have). Returns whether it passed.
 */
bool vms_budget_eval(const struct vms_snapshot *snap, const struct vms_snapshot *baseline,
		     const struct vms_budget_rule *rule, struct vms_budget_result *ret);

#endif
