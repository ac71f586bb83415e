/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory budgets: a value per rule, whether it fits, and who weighs most in it. */
#include "config.h"

#include "vmscope/budget.h"

#include <string.h>

#include "model/model-internal.h"
#include "vmscope/insights.h"

static bool kind_matches(int want, enum vms_kind k)
{
	if (want == VMS_BUDGET_KIND_STACKS)
		return k == VMS_KIND_STACK || k == VMS_KIND_THREAD_STACK;
	return (int)k == want;
}

/* The object by path, or by file name when the rule has no slash. */
static bool object_matches(const struct vms_snapshot *snap, const struct vms_region *r,
			   const char *want)
{
	const struct vms_object *o = vms_region_object(snap, r);
	const char *path, *base;

	if (!o || !want)
		return false;
	path = o->path;
	if (!path)
		return false;
	if (strchr(want, '/'))
		return strcmp(path, want) == 0;
	base = strrchr(path, '/');
	return strcmp(base ? base + 1 : path, want) == 0;
}

static bool region_selected(const struct vms_snapshot *snap, const struct vms_region *r,
			    const struct vms_budget_rule *rule)
{
	switch (rule->scope) {
	case VMS_BUDGET_KIND:
		return kind_matches(rule->kind, r->kind);
	case VMS_BUDGET_OBJECT:
		return object_matches(snap, r, rule->object);
	default:
		return true;
	}
}

/* The region of snap weighing most by measure m among those rule selects. */
static void heaviest(const struct vms_snapshot *snap, const struct vms_budget_rule *rule,
		     struct vms_budget_result *res, uint64_t *ret_sum, bool *ret_have)
{
	uint64_t sum = 0;
	bool have = true;

	res->region = -1;
	res->region_value = 0;
	res->matched = 0;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		uint64_t v;

		if (!region_selected(snap, r, rule))
			continue;
		res->matched++;
		if (!vms_region_measure(r, rule->measure, &v)) {
			have = false;
			continue;
		}
		sum += v;
		if (res->region < 0 || v > res->region_value) {
			res->region = (int32_t)i;
			res->region_value = v;
		}
	}
	*ret_sum = sum;
	*ret_have = have;
}

static void growth(const struct vms_snapshot *snap, const struct vms_snapshot *base,
		   const struct vms_budget_rule *rule, struct vms_budget_result *res)
{
	uint64_t now, then;
	struct vms_diff d;

	if (!base || !vms_snapshot_measure(snap, rule->measure, &now) ||
	    !vms_snapshot_measure(base, rule->measure, &then))
		return;
	res->have = true;
	res->baseline = then;
	res->value = now > then ? now - then : 0;
	res->limit = rule->percent ? then / 1000 * rule->limit + then % 1000 * rule->limit / 1000
				   : rule->limit;
	/* the region that grew most names the growth */
	vms_diff_build(base, snap, &d);
	for (size_t i = 0; i < d.n; i++) {
		const struct vms_diff_entry *e = &d.entries[i];

		if (e->b >= 0 && (e->have & (UINT32_C(1) << rule->measure)) &&
		    e->delta[rule->measure] > 0 &&
		    (uint64_t)e->delta[rule->measure] > res->region_value) {
			res->region = e->b;
			res->region_value = (uint64_t)e->delta[rule->measure];
		}
	}
	vms_diff_release(&d);
}

/* v * f rounded, UINT64_MAX when past it (a conversion from there is undefined). */
static uint64_t scale_rounded(uint64_t v, double f)
{
	double x = (double)v * f + 0.5;

	return x >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)x;
}

/* The growth per minute between the baseline's time and the snapshot's. */
static void growth_rate(const struct vms_snapshot *snap, const struct vms_snapshot *base,
			const struct vms_budget_rule *rule, struct vms_budget_result *res)
{
	struct vms_budget_rule g = *rule;
	double per_min;

	if (!base || snap->wall_ns <= base->wall_ns)
		return;
	g.percent = false;
	growth(snap, base, &g, res);
	per_min = 60e9 / (double)(snap->wall_ns - base->wall_ns);
	res->value = scale_rounded(res->value, per_min);
	res->region_value = scale_rounded(res->region_value, per_min);
	res->limit = rule->limit;
}

static void fact(const struct vms_snapshot *snap, const struct vms_budget_rule *rule,
		 struct vms_budget_result *res)
{
	struct vms_insights in;

	vms_insights_build(snap, &in);
	switch (rule->fact) {
	case VMS_FACT_STACK_HEADROOM:
		res->have = in.tightest >= 0;
		if (res->have) {
			const struct vms_stack_use *st = &in.stacks[in.tightest];

			res->value = st->headroom;
			res->region = st->region;
			res->region_value = st->used;
		}
		res->matched = in.n_stacks;
		break;
	case VMS_FACT_CGROUP_HEADROOM:
		res->have = in.have_cg_headroom;
		res->value = in.cg_headroom;
		break;
	case VMS_FACT_PAGE_TABLES:
		res->have = in.have_pte;
		res->value = in.pte;
		break;
	case VMS_FACT_REGIONS:
		res->have = in.have_regions;
		res->value = in.n_regions;
		break;
	default:
		break;
	}
	vms_insights_release(&in);
}

bool vms_budget_eval(const struct vms_snapshot *snap, const struct vms_snapshot *baseline,
		     const struct vms_budget_rule *rule, struct vms_budget_result *ret)
{
	struct vms_budget_result res = { .region = -1, .limit = rule->limit };
	uint64_t sum;
	bool have;

	switch (rule->scope) {
	case VMS_BUDGET_TOTAL:
		res.have = vms_snapshot_measure(snap, rule->measure, &res.value);
		heaviest(snap, rule, &res, &sum, &have);
		res.matched = 0;
		break;
	case VMS_BUDGET_KIND:
	case VMS_BUDGET_OBJECT:
		heaviest(snap, rule, &res, &sum, &have);
		/* a file the process does not map is more likely a typo than 0;
		 * no region read (smaps refused) is no region known, not 0 */
		res.have = have && (rule->scope == VMS_BUDGET_KIND || res.matched > 0) &&
			   !snap->src[VMS_SRC_SMAPS].error;
		res.value = sum;
		break;
	case VMS_BUDGET_GROWTH:
		growth(snap, baseline, rule, &res);
		break;
	case VMS_BUDGET_FACT:
		fact(snap, rule, &res);
		break;
	case VMS_BUDGET_GROWTH_RATE:
		growth_rate(snap, baseline, rule, &res);
		break;
	}
	if (rule->scope == VMS_BUDGET_FACT && vms_budget_fact_is_minimum(rule->fact))
		res.ok = res.have && res.value >= res.limit;
	else
		res.ok = res.have && res.value <= res.limit;
	*ret = res;
	return res.ok;
}
