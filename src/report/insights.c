/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The insights of the text report: how close the process is to its limits
 * (stacks, locked memory, its cgroup, the OOM killer), what its address
 * space costs (page tables, huge pages) and how fragmented it is. A value
 * that could not be read says n/a and why, never 0.
 */
#include "config.h"

#include "report/tables.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/format.h"
#include "vmscope/insights.h"

struct ins {
	const struct report_sink *out;
	const struct vms_snapshot *snap;
	const struct vms_insights *in;
	struct strbuf sb; /* the item being built */
	size_t y;
	unsigned x;
	bool line_empty;
};

/* Items of a line, two spaces apart, wrapped at the width with an indent of two. */
static void line_start(struct ins *s, const char *title)
{
	s->y = canvas_add_row(s->out->cv);
	s->x = canvas_put_str(s->out->cv, 0, s->y, title, s->out->width, 0, CANVAS_BOLD);
	s->line_empty = false;
	strbuf_reset(&s->sb);
}

/* Puts s->sb as one item and empties it. */
static void item_put(struct ins *s, enum canvas_class cls)
{
	struct canvas *cv = s->out->cv;
	size_t w = canvas_text_width(s->sb.buf, s->sb.len);

	if (!s->line_empty && s->x + 2 + w > s->out->width) {
		s->y = canvas_add_row(cv);
		s->x = 0;
		s->line_empty = true;
	}
	s->x += 2;
	if (s->x < s->out->width)
		s->x += canvas_put_text(cv, s->x, s->y, s->sb.buf, s->sb.len, s->out->width - s->x,
					0, cls);
	s->line_empty = false;
	strbuf_reset(&s->sb);
}

static const char *size_str(const struct ins *s, char buf[32], uint64_t v)
{
	if (v == VMS_UNLIMITED)
		return "unlimited";
	return report_size(buf, s->out->opt, true, v);
}

static void add_size(struct ins *s, uint64_t v)
{
	char buf[32];

	strbuf_addstr(&s->sb, size_str(s, buf, v));
}

static void add_permille(struct ins *s, uint32_t pm)
{
	if (pm >= 100)
		strbuf_addf(&s->sb, "%" PRIu32 "%%", (pm + 5) / 10);
	else
		strbuf_addf(&s->sb, "%" PRIu32 ".%" PRIu32 "%%", pm / 10, pm % 10);
}

/* "n/a (Permission denied)" for a value that could not be read. */
static void add_na(struct ins *s, int err)
{
	strbuf_addstr(&s->sb, "n/a");
	if (err)
		strbuf_addf(&s->sb, " (%s)", procfile_strerror(err));
}

/* "USED of LIMIT (LEFT left)" */
static void add_used_of(struct ins *s, uint64_t used, bool have_limit, uint64_t limit, int err)
{
	add_size(s, used);
	strbuf_addstr(&s->sb, " of ");
	if (!have_limit) {
		add_na(s, err);
		return;
	}
	add_size(s, limit);
	if (limit != VMS_UNLIMITED) {
		strbuf_addstr(&s->sb, " (");
		add_size(s, vms_headroom(limit, used));
		strbuf_addstr(&s->sb, " left)");
	}
}

/* The main stack and locked memory against their soft limits. */
static void rlimit_items(struct ins *s)
{
	const struct vms_snapshot *snap = s->snap;
	const struct vms_insights *in = s->in;
	int lerr = snap->limits.error;

	if (in->n_stacks && in->stacks[0].main) {
		const struct vms_stack_use *m = &in->stacks[0];

		strbuf_addstr(&s->sb, "stack ");
		add_used_of(s, m->used, m->have_limit, m->limit, lerr);
		item_put(s, m->near_limit ? CANVAS_WARN : CANVAS_PLAIN);
	} else {
		strbuf_addstr(&s->sb, "stack limit ");
		if (snap->limits.have_stack)
			add_size(s, snap->limits.stack);
		else
			add_na(s, lerr);
		item_put(s, snap->limits.have_stack ? CANVAS_PLAIN : CANVAS_DIM);
	}
	strbuf_addstr(&s->sb, "locked ");
	if (in->have_locked)
		add_used_of(s, in->locked, in->have_memlock, in->memlock, lerr);
	else
		add_na(s, 0);
	item_put(s, in->have_locked ? CANVAS_PLAIN : CANVAS_DIM);
}

static void limits_line(struct ins *s)
{
	const struct vms_oom *o = &s->snap->oom;

	/* a snapshot written by a vmscope that did not read them has neither */
	if (!s->snap->limits.tried && !o->tried)
		return;
	line_start(s, "limits");
	if (s->snap->limits.tried)
		rlimit_items(s);
	if (o->tried) {
		strbuf_addstr(&s->sb, "OOM score ");
		if (o->score_error)
			add_na(s, o->score_error);
		else
			strbuf_addf(&s->sb, "%" PRId32, o->score);
		strbuf_addstr(&s->sb, ", adj ");
		if (o->adj_error)
			add_na(s, o->adj_error);
		else
			strbuf_addf(&s->sb, "%" PRId32, o->score_adj);
		item_put(s, o->score_error || o->adj_error ? CANVAS_DIM : CANVAS_PLAIN);
	}
}

static void cgroup_line(struct ins *s)
{
	const struct vms_cgroup *cg = &s->snap->cgroup;
	const struct vms_insights *in = s->in;
	char buf[32];

	if (!cg->tried)
		return;
	line_start(s, "cgroup");
	if (cg->error) {
		if (cg->error == -ENOENT)
			strbuf_addstr(&s->sb, "n/a (no memory cgroup: no cgroup v2 memory controller "
					      "and no v1 memory hierarchy for it)");
		else
			add_na(s, cg->error);
		item_put(s, CANVAS_DIM);
		return;
	}
	if (cg->path)
		strbuf_addstr(&s->sb, cg->path);
	if (cg->version == 1)
		strbuf_addstr(&s->sb, " (v1)");
	item_put(s, CANVAS_PLAIN);
	add_used_of(s, cg->v[VMS_CG_CURRENT], vms_cgroup_has(cg, VMS_CG_MAX), cg->v[VMS_CG_MAX], 0);
	item_put(s, CANVAS_BOLD);
	strbuf_addstr(&s->sb, "high ");
	if (vms_cgroup_has(cg, VMS_CG_HIGH)) {
		add_size(s, cg->v[VMS_CG_HIGH]);
		if (in->have_cg_high_headroom && cg->v[VMS_CG_HIGH] != VMS_UNLIMITED)
			strbuf_addf(&s->sb, " (%s left)", size_str(s, buf, in->cg_high_headroom));
	} else {
		strbuf_addstr(&s->sb, cg->version == 1 ? "n/a (none in v1)" : "n/a");
	}
	item_put(s, CANVAS_PLAIN);
	strbuf_addstr(&s->sb, "swap ");
	if (vms_cgroup_has(cg, VMS_CG_SWAP_CURRENT))
		add_size(s, cg->v[VMS_CG_SWAP_CURRENT]);
	else
		strbuf_addstr(&s->sb, "n/a (no swap accounting)");
	item_put(s, CANVAS_PLAIN);
}

static void cost_line(struct ins *s)
{
	const struct vms_insights *in = s->in;

	line_start(s, "cost");
	strbuf_addstr(&s->sb, "page tables ");
	if (in->have_pte) {
		add_size(s, in->pte);
		if (in->have_pte_share) {
			strbuf_addstr(&s->sb, " (");
			add_permille(s, in->pte_permille);
			strbuf_addstr(&s->sb, " of RSS)");
		}
	} else {
		add_na(s, 0);
	}
	item_put(s, CANVAS_PLAIN);
	strbuf_addstr(&s->sb, "THP ");
	if (in->have_thp) {
		add_size(s, in->anon_huge);
		strbuf_addstr(&s->sb, " of ");
		add_size(s, in->anon);
		strbuf_addstr(&s->sb, " anon (");
		add_permille(s, in->thp_permille);
		strbuf_addf(&s->sb, ") in %zu regions, %zu eligible", in->thp_regions,
			    in->thp_eligible);
	} else {
		add_na(s, 0);
	}
	item_put(s, CANVAS_PLAIN);
}

static void commit_line(struct ins *s)
{
	const struct vms_host_memory *hm = &s->snap->host_mem;
	uint64_t c = hm->v[VMS_HM_COMMITTED_AS], l = hm->v[VMS_HM_COMMIT_LIMIT];
	bool have_c = hm->have & (UINT32_C(1) << VMS_HM_COMMITTED_AS);
	bool have_l = hm->have & (UINT32_C(1) << VMS_HM_COMMIT_LIMIT);

	if (!hm->tried || hm->error)
		return; /* a machine-wide fact: left out of a captured process's report */
	line_start(s, "machine");
	strbuf_addstr(&s->sb, "committed ");
	if (have_c)
		add_size(s, c);
	else
		add_na(s, 0);
	strbuf_addstr(&s->sb, " of limit ");
	if (have_l)
		add_size(s, l);
	else
		add_na(s, 0);
	if (have_c && have_l && l) {
		strbuf_addstr(&s->sb, " (");
		double pm = (double)c * 1000.0 / (double)l + 0.5; /* rounded, as the others */

		add_permille(s, pm < (double)UINT32_MAX ? (uint32_t)pm : UINT32_MAX);
		strbuf_addch(&s->sb, ')');
	}
	item_put(s, have_c && have_l && c > l ? CANVAS_WARN : CANVAS_PLAIN);
	strbuf_addstr(&s->sb, "available ");
	if (hm->have & (UINT32_C(1) << VMS_HM_AVAILABLE))
		add_size(s, hm->v[VMS_HM_AVAILABLE]);
	else
		add_na(s, 0);
	item_put(s, CANVAS_PLAIN);
}

static void stack_warnings(struct ins *s)
{
	for (size_t i = 0; i < s->in->n_stacks; i++) {
		const struct vms_stack_use *st = &s->in->stacks[i];
		char a[32], b[32];
		size_t y;

		if (!st->near_limit)
			continue;
		strbuf_reset(&s->sb);
		if (!st->main)
			strbuf_addf(&s->sb, "warning: the stack of thread %d", (int)st->tid);
		else
			strbuf_addstr(&s->sb, "warning: the main stack");
		strbuf_addf(&s->sb, " is within %d%% of its limit: %s left of %s",
			    VMS_STACK_WARN_PERMILLE / 10, size_str(s, a, st->headroom),
			    size_str(s, b, st->limit));
		y = canvas_add_row(s->out->cv);
		canvas_put_text(s->out->cv, 0, y, s->sb.buf, s->sb.len, s->out->width, 0, CANVAS_WARN);
	}
	strbuf_reset(&s->sb);
}

static int cmp_headroom(const void *pa, const void *pb, void *arg)
{
	const struct vms_stack_use *st = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	uint64_t ha = st[a].have_used ? st[a].headroom : UINT64_MAX;
	uint64_t hb = st[b].have_used ? st[b].headroom : UINT64_MAX;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Every stack, least room first, with its tid, size, resident bytes and guard. */
static void stacks_table(struct ins *s)
{
	static const char *const heads[] = { "tid", "size", "RSS", "left", "guard" };
	const struct vms_insights *in = s->in;
	struct canvas *cv = s->out->cv;
	unsigned top = s->out->opt->top ? s->out->opt->top : REPORT_DEFAULT_TOP, vw = 7;
	unsigned nk = ARRAY_SIZE(heads);
	size_t *idx, n = in->n_stacks, show;

	if (n == 0 || (n == 1 && in->stacks[0].main))
		return; /* the limits line said all there is about a lone main stack */
	idx = xreallocarray(NULL, n, sizeof(*idx));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_headroom, in->stacks);
	show = n > top ? top : n;
	/* narrow: the columns that fit whole; guard goes first, then left, RSS */
	while (nk > 1 && 14 + (nk - 1) * (vw + 2) + vw > s->out->width)
		nk--;

	canvas_add_row(cv);
	s->y = canvas_add_row(cv);
	canvas_put_str(cv, 1, s->y, "stack", 12, 0, CANVAS_BOLD);
	for (unsigned k = 0; k < nk; k++)
		canvas_put_str(cv, 14 + k * (vw + 2), s->y, heads[k], vw, CANVAS_ALIGN_RIGHT,
			       CANVAS_BOLD);
	for (size_t j = 0; j < show; j++) {
		const struct vms_stack_use *st = &in->stacks[idx[j]];
		char v[ARRAY_SIZE(heads)][32];
		bool dim[ARRAY_SIZE(heads)] = { false };

		snprintf(v[0], 32, "%d", (int)st->tid);
		report_size(v[1], s->out->opt, true, st->size);
		snprintf(v[2], 32, "%s", report_size(v[4], s->out->opt, st->have_rss, st->rss));
		dim[2] = !st->have_rss;
		if (st->have_used && st->have_limit)
			snprintf(v[3], 32, "%s", size_str(s, v[4], st->headroom));
		else
			snprintf(v[3], 32, "n/a");
		dim[3] = !(st->have_used && st->have_limit);
		if (st->guard)
			report_size(v[4], s->out->opt, true, st->guard);
		else
			snprintf(v[4], 32, "none");
		dim[4] = !st->guard;
		s->y = canvas_add_row(cv);
		canvas_put_str(cv, 1, s->y, st->main ? "main" : "thread", 12, 0,
			       st->near_limit ? CANVAS_WARN : CANVAS_STACK);
		for (unsigned k = 0; k < nk; k++)
			canvas_put_str(cv, 14 + k * (vw + 2), s->y, v[k], vw, CANVAS_ALIGN_RIGHT,
				       dim[k] ? CANVAS_DIM : CANVAS_PLAIN);
		s->out->maybe_flush(s->out->ctx);
	}
	if (show < n) {
		s->y = canvas_add_row(cv);
		strbuf_reset(&s->sb);
		strbuf_addf(&s->sb, "%zu more stacks (--top)", n - show);
		canvas_put_text(cv, 1, s->y, s->sb.buf, s->sb.len, s->out->width - 1, 0, CANVAS_DIM);
		strbuf_reset(&s->sb);
	}
	free(idx);
}

/* The header of the layout: how many regions, the holes between them, the heap. */
static void layout_line(struct ins *s)
{
	const struct vms_insights *in = s->in;
	char buf[32];

	if (!in->have_regions || in->n_regions == 0)
		return;
	canvas_add_row(s->out->cv);
	line_start(s, "layout");
	strbuf_addf(&s->sb, "%zu regions", in->n_regions);
	item_put(s, CANVAS_PLAIN);
	strbuf_addf(&s->sb, "%zu gaps, ", in->n_gaps);
	add_size(s, in->unmapped);
	strbuf_addstr(&s->sb, " unmapped");
	if (in->n_gaps)
		strbuf_addf(&s->sb, ", largest %s at %" PRIx64,
			    size_str(s, buf, in->largest_gap), in->largest_gap_start);
	item_put(s, CANVAS_PLAIN);
	if (in->have_heap) {
		strbuf_addstr(&s->sb, "heap ");
		add_size(s, in->heap_size);
		strbuf_addstr(&s->sb, ", ");
		if (in->have_heap_rss)
			add_size(s, in->heap_rss);
		else
			add_na(s, 0);
		strbuf_addstr(&s->sb, " resident");
		item_put(s, CANVAS_PLAIN);
	}
}

void report_insights(const struct report_sink *out, const struct vms_snapshot *snap)
{
	struct vms_insights in;
	struct ins s = { .out = out, .snap = snap, .in = &in };

	if (snap->proc.kernel_thread)
		return; /* no address space, no limits that matter */
	vms_insights_build(snap, &in);
	strbuf_init(&s.sb);
	limits_line(&s);
	cgroup_line(&s);
	cost_line(&s);
	commit_line(&s);
	stack_warnings(&s);
	stacks_table(&s);
	layout_line(&s);
	strbuf_release(&s.sb);
	vms_insights_release(&in);
}
