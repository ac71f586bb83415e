/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --by object: the process's memory by what holds it, librank-style. Each
 * mapped object is one row (its .bss tail included); memory of no object is
 * grouped by what it is ([heap], [stack], [thread stacks], [anon:name] ...).
 * An object's size counts each of its file pages once (an object mapped
 * three times over the same pages is not three times its size); [vsyscall],
 * in the kernel's half and in no total of the process, is left out. The
 * total is the process's own (smaps_rollup, VmSize), not a sum of the rows,
 * which the kernel rounds region by region.
 */
#include "config.h"

#include "report/tables.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/format.h"

struct group {
	int32_t object;    /* or -1 */
	const char *label; /* the group's name when object < 0 */
	uint32_t n_regions;
	uint64_t size;
	struct vms_counters mem;
};

/* The name of the group of a region that maps no object. */
static const char *anon_label(const struct vms_region *r)
{
	const char *name = r->name ? r->name : "";

	switch (r->kind) {
	case VMS_KIND_HEAP:
		return "[heap]";
	case VMS_KIND_STACK:
		return "[stack]";
	case VMS_KIND_THREAD_STACK:
		return "[thread stacks]";
	case VMS_KIND_GUARD:
		return "[guard pages]";
	case VMS_KIND_RESERVED:
		return name[0] == '[' ? name : "[reserved]";
	case VMS_KIND_ARENA:
		return "[malloc arenas]";
	case VMS_KIND_JAVA_HEAP:
		return "[Java heap]";
	case VMS_KIND_CODE_CACHE:
		return "[JVM code cache]";
	case VMS_KIND_CLASS_SPACE:
		return "[JVM class space]";
	case VMS_KIND_MALLOC_MMAP:
		return "[malloc mmap]";
	case VMS_KIND_ANON:
		return name[0] == '[' ? name : "[anon]";
	case VMS_KIND_SHM:
		return name[0] ? name : "[shared anon]";
	default:
		return name[0] ? name : "[other]";
	}
}

struct key_ctx {
	const struct vms_snapshot *snap;
	const char **labels;
	enum vms_sort sort;
	const struct group *groups;
};

static int cmp_region_key(const void *pa, const void *pb, void *arg)
{
	const struct key_ctx *k = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int32_t oa = k->snap->regions[a].object, ob = k->snap->regions[b].object;

	if (oa != ob)
		return oa < ob ? -1 : 1;
	if (oa < 0) {
		int c = strcmp(k->labels[a], k->labels[b]);

		if (c)
			return c;
	}
	return a < b ? -1 : a > b;
}

static int cmp_group(const void *pa, const void *pb, void *arg)
{
	const struct key_ctx *k = arg;
	const struct group *a = &k->groups[*(const size_t *)pa];
	const struct group *b = &k->groups[*(const size_t *)pb];
	uint64_t ka = report_sort_key(&a->mem, a->size, k->sort);
	uint64_t kb = report_sort_key(&b->mem, b->size, k->sort);

	if (k->sort != VMS_SORT_ADDRESS && ka != kb)
		return ka < kb ? 1 : -1;
	/* groups are made in the order of their first region's address */
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static int cmp_first(const void *pa, const void *pb, void *arg)
{
	const size_t *first = arg;
	size_t a = first[*(const size_t *)pa], b = first[*(const size_t *)pb];

	return a < b ? -1 : a > b;
}

static void add_mem(struct vms_counters *sum, const struct vms_counters *c)
{
	for (int m = 0; m < VMS_MEM__MAX; m++) {
		if (!vms_counters_has(c, m))
			continue;
		sum->v[m] += c->v[m];
		sum->have |= UINT32_C(1) << m;
	}
}

/* The groups, in the order of their lowest region. */
static struct group *make_groups(const struct vms_snapshot *snap, size_t *ret_n)
{
	size_t n_reg = snap->n_regions, n = 0, alloc = 0;
	const char **labels = xreallocarray(NULL, n_reg ? n_reg : 1, sizeof(*labels));
	size_t *order = xreallocarray(NULL, n_reg ? n_reg : 1, sizeof(*order));
	size_t *first = xreallocarray(NULL, n_reg ? n_reg : 1, sizeof(*first));
	struct key_ctx k = { .snap = snap, .labels = labels };
	struct group *g = NULL, *sorted;

	for (size_t i = 0; i < n_reg; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->object >= 0 && (size_t)r->object >= snap->n_objects)
			labels[i] = "[other]";
		else
			labels[i] = r->object < 0 ? anon_label(r) : NULL;
		order[i] = i;
	}
	qsort_r(order, n_reg, sizeof(*order), cmp_region_key, &k);
	for (size_t j = 0; j < n_reg; j++) {
		const struct vms_region *r = &snap->regions[order[j]];
		const struct vms_region *p = j ? &snap->regions[order[j - 1]] : NULL;

		if (r->kind == VMS_KIND_VSYSCALL)
			continue;

		/* sorted by group, then address: a group starts at its lowest region */
		if (!p || p->object != r->object ||
		    (r->object < 0 && strcmp(labels[order[j - 1]], labels[order[j]]) != 0)) {
			ARRAY_GROW(g, n + 1, alloc);
			g[n] = (struct group){ .object = r->object, .label = labels[order[j]] };
			first[n] = order[j];
			n++;
		}
		g[n - 1].n_regions++;
		if (r->object >= 0 && (size_t)r->object < snap->n_objects)
			g[n - 1].size = snap->objects[r->object].distinct_size;
		else
			g[n - 1].size += r->end - r->start;
		add_mem(&g[n - 1].mem, &r->mem);
	}
	/* into address order: the base of the sort by size */
	{
		size_t *by_addr = xreallocarray(NULL, n ? n : 1, sizeof(*by_addr));

		for (size_t i = 0; i < n; i++)
			by_addr[i] = i;
		qsort_r(by_addr, n, sizeof(*by_addr), cmp_first, first);
		sorted = xreallocarray(NULL, n ? n : 1, sizeof(*sorted));
		for (size_t i = 0; i < n; i++)
			sorted[i] = g[by_addr[i]];
		free(by_addr);
	}
	free(g);
	free(first);
	free(order);
	free(labels);
	*ret_n = n;
	return sorted;
}

enum { BC_RSS, BC_PSS, BC_USS, BC_SWAP, BC_SIZE, BC__MAX };

static void group_row(const struct report_sink *out, const struct vms_snapshot *snap,
		      const struct group *g, unsigned vw, const char *total)
{
	const struct vms_counters *m = &g->mem;
	const struct vms_object *o = g->object >= 0 ? &snap->objects[g->object] : NULL;
	uint64_t v[BC__MAX] = { m->v[VMS_MEM_RSS], m->v[VMS_MEM_PSS], vms_counters_uss(m),
				m->v[VMS_MEM_SWAP], g->size };
	bool have[BC__MAX] = { vms_counters_has(m, VMS_MEM_RSS), vms_counters_has(m, VMS_MEM_PSS),
			       report_have_uss(m), vms_counters_has(m, VMS_MEM_SWAP), true };
	size_t y = canvas_add_row(out->cv);
	unsigned x = 1;
	struct strbuf sb;
	char buf[32];

	for (int k = 0; k < BC__MAX; k++, x += vw + 2) {
		const char *s = report_size(buf, out->opt, have[k], v[k]);

		canvas_put_str(out->cv, x, y, s, vw, CANVAS_ALIGN_RIGHT,
			       have[k] ? CANVAS_PLAIN : CANVAS_DIM);
	}
	snprintf(buf, sizeof(buf), "%" PRIu32, g->n_regions);
	canvas_put_str(out->cv, x, y, buf, 7, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	x += 7 + 2;
	if (x >= out->width)
		return;
	strbuf_init(&sb);
	if (total)
		strbuf_addstr(&sb, total);
	else if (o)
		report_object_name(&sb, snap, (size_t)(o - snap->objects));
	else
		strbuf_addstr(&sb, g->label);
	if (o && o->max_maps > 1)
		strbuf_addf(&sb, " \u00d7%" PRIu32, o->max_maps);
	report_put_last_col(out->cv, out->opt, x, y, sb.buf, sb.len, out->width,
			    total ? CANVAS_BOLD : o ? (o->is_main ? CANVAS_BOLD : CANVAS_FILE) :
				    CANVAS_ANON);
	strbuf_release(&sb);
}

/* What the table sums, said under it. */
static void by_object_note(const struct report_sink *out, const struct vms_snapshot *snap,
			   const struct group *g, size_t n)
{
	const char *s = "total: smaps_rollup and VmSize; rows: their regions' sums, rounded per KiB";
	size_t y = canvas_add_row(out->cv);

	canvas_put_str(out->cv, 1, y, s, out->width - 1, 0, CANVAS_DIM);
	for (size_t i = 0; i < n; i++) {
		if (g[i].object < 0 || snap->objects[g[i].object].max_maps < 2)
			continue;
		y = canvas_add_row(out->cv);
		canvas_put_str(out->cv, 1, y,
			       "\u00d7N: its file pages mapped N times: size and PSS count them once, "
			       "RSS N times",
			       out->width - 1, 0, CANVAS_DIM);
		break;
	}
}

void report_by_object(const struct report_sink *out, const struct vms_snapshot *snap)
{
	static const char *const heads[BC__MAX] = { "RSS", "PSS", "USS", "swap", "size" };
	struct group total = { .object = -1 };
	size_t n, show, *idx;
	struct group *g = make_groups(snap, &n);
	struct key_ctx k = { .snap = snap, .sort = out->opt->sort, .groups = g };
	unsigned vw = 5, x = 1;
	char buf[32];
	size_t y;

	if (n == 0) {
		free(g);
		return;
	}
	idx = xreallocarray(NULL, n, sizeof(*idx));
	for (size_t i = 0; i < n; i++) {
		idx[i] = i;
		total.n_regions += g[i].n_regions;
		total.size += g[i].size;
		add_mem(&total.mem, &g[i].mem);
	}
	qsort_r(idx, n, sizeof(*idx), cmp_group, &k);
	show = report_shown(out->opt, n);
	if (out->opt->bytes) {
		size_t w = strlen(report_size(buf, out->opt, true,
					      total.size > total.mem.v[VMS_MEM_RSS]
						      ? total.size : total.mem.v[VMS_MEM_RSS]));

		vw = w > vw ? (unsigned)w : vw;
	}

	canvas_add_row(out->cv);
	y = canvas_add_row(out->cv);
	{
		struct strbuf sb;

		strbuf_init(&sb);
		report_table_title(&sb, "by object", n, show, out->opt->sort);
		canvas_put_str(out->cv, 0, y, sb.buf, out->width, 0, CANVAS_BOLD);
		strbuf_release(&sb);
	}
	y = canvas_add_row(out->cv);
	for (int c = 0; c < BC__MAX; c++, x += vw + 2)
		canvas_put_str(out->cv, x, y, heads[c], vw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(out->cv, x, y, "regions", 7, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	if (x + 9 < out->width)
		canvas_put_str(out->cv, x + 9, y, "object", out->width - x - 9, 0, CANVAS_BOLD);
	for (size_t i = 0; i < show; i++) {
		group_row(out, snap, &g[idx[i]], vw, NULL);
		out->maybe_flush(out->ctx);
	}
	if (show < n) {
		struct group rest = { .object = -1 };
		char label[64];

		for (size_t i = show; i < n; i++) {
			rest.n_regions += g[idx[i]].n_regions;
			rest.size += g[idx[i]].size;
			add_mem(&rest.mem, &g[idx[i]].mem);
		}
		snprintf(label, sizeof(label), "\u2026 %zu more", n - show);
		group_row(out, snap, &rest, vw, label);
	}
	/* the process's totals: the rows are the kernel's per-region roundings */
	if (vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP))
		total.mem = snap->totals.rollup;
	if (snap->totals.status_have & (UINT32_C(1) << VMS_ST_VM_SIZE))
		total.size = snap->totals.status[VMS_ST_VM_SIZE];
	group_row(out, snap, &total, vw, "total");
	by_object_note(out, snap, g, n);
	free(idx);
	free(g);
}
