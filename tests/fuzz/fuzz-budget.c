/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the budget file of vmscope check. What it accepts must
 * be rules the evaluator takes (kinds, measures and facts in range, an
 * object name for a file's budget); what it refuses must leave the set as it
 * was, with a message.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/budget.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_budget_set set = { 0 };
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_load_error err;

	/* a rule from an option first: a refused file must leave it alone */
	if (vms_budget_add_max(&set, "heap:rss=1M", NULL) < 0)
		__builtin_trap();
	for (int pass = 0; pass < 2; pass++) {
		size_t before = set.n_rules;
		const char *baseline = set.baseline;

		if (vms_budget_load(&set, (const char *)data, size, &err) < 0) {
			if (set.n_rules != before || set.baseline != baseline || !err.message[0])
				__builtin_trap();
			break;
		}
	}
	for (size_t i = 0; i < set.n_rules; i++) {
		const struct vms_budget_rule *r = &set.rules[i];
		struct vms_budget_result res;

		if ((unsigned)r->measure >= VMS_MEASURE__MAX || (unsigned)r->fact >= VMS_FACT__MAX)
			__builtin_trap();
		if (r->scope == VMS_BUDGET_KIND && r->kind != VMS_BUDGET_KIND_STACKS &&
		    (r->kind < 0 || r->kind >= VMS_KIND__MAX))
			__builtin_trap();
		if (r->scope == VMS_BUDGET_OBJECT && (!r->object || !r->object[0]))
			__builtin_trap();
		(void)vms_budget_eval(snap, snap, r, &res);
	}
	vms_budget_set_release(&set);
	vms_snapshot_free(snap);
	return 0;
}
