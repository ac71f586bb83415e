/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tree view: parents found by pid among the visible rows, subtree sums
 * added up from the deepest rows, and a depth-first walk that keeps the sort
 * order among siblings. A pid graph read from /proc while processes come and
 * go could hold a cycle (a reused pid): a row on one is shown at the left.
 */
#include "config.h"

#include "tui/viewtree.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct pid_pos {
	pid_t pid;
	size_t pos;
};

static int cmp_pid_pos(const void *a, const void *b)
{
	const struct pid_pos *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* parent[i]: the position in vis of row i's parent, or SIZE_MAX. The caller frees. */
static size_t *find_parents(const struct vms_view *v)
{
	size_t n = v->n_vis;
	struct pid_pos *map = xreallocarray(NULL, n ? n : 1, sizeof(*map));
	size_t *parent = xreallocarray(NULL, n ? n : 1, sizeof(*parent));

	for (size_t i = 0; i < n; i++)
		map[i] = (struct pid_pos){ vms_view_row(v, i)->pid, i };
	ARRAY_SORT(map, n, cmp_pid_pos);
	for (size_t i = 0; i < n; i++) {
		const struct vms_row *r = vms_view_row(v, i);
		struct pid_pos key = { r->ppid, 0 }, *hit = NULL;

		if (r->ppid > 0 && r->ppid != r->pid)
			hit = bsearch(&key, map, n, sizeof(*map), cmp_pid_pos);
		parent[i] = hit ? hit->pos : SIZE_MAX;
	}
	free(map);
	return parent;
}

/* depth[i] along parent links; a row on a cycle loses its parent. */
static void find_depths(size_t *parent, size_t n, size_t *depth)
{
	for (size_t i = 0; i < n; i++) {
		size_t d = 0, p = parent[i];

		while (p != SIZE_MAX && d <= n) {
			d++;
			p = parent[p];
		}
		if (d > n) { /* a cycle: cut it here */
			parent[i] = SIZE_MAX;
			d = 0;
		}
		depth[i] = d;
	}
	/* cutting a cycle shortens the paths through it: count again */
	for (size_t i = 0; i < n; i++) {
		size_t d = 0;

		for (size_t p = parent[i]; p != SIZE_MAX; p = parent[p])
			d++;
		depth[i] = d;
	}
}

struct by_depth {
	size_t depth, pos;
};

static int cmp_deepest_first(const void *a, const void *b)
{
	const struct by_depth *x = a, *y = b;

	return (x->depth < y->depth) - (x->depth > y->depth);
}

void viewtree_sum(struct vms_view *v)
{
	size_t n = v->n_vis;
	size_t *parent = find_parents(v);
	size_t *depth = xreallocarray(NULL, n ? n : 1, sizeof(*depth));
	struct by_depth *order = xreallocarray(NULL, n ? n : 1, sizeof(*order));
	const uint32_t tree_bit = UINT32_C(1) << VMS_COL_TREE_PSS;

	find_depths(parent, n, depth);
	for (size_t i = 0; i < n; i++) {
		struct vms_row *r = &v->rows[v->vis[i]];

		r->v[VMS_COL_TREE_PSS] = vms_row_has(r, VMS_COL_PSS) ? r->v[VMS_COL_PSS] : 0;
		r->have = vms_row_has(r, VMS_COL_PSS) ? r->have | tree_bit : r->have & ~tree_bit;
		order[i] = (struct by_depth){ depth[i], i };
	}
	/* children before their parents: each adds its whole subtree upward */
	ARRAY_SORT(order, n, cmp_deepest_first);
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k].pos;
		const struct vms_row *r = &v->rows[v->vis[i]];
		struct vms_row *p;

		if (parent[i] == SIZE_MAX || !vms_row_has(r, VMS_COL_TREE_PSS))
			continue;
		p = &v->rows[v->vis[parent[i]]];
		p->v[VMS_COL_TREE_PSS] += r->v[VMS_COL_TREE_PSS];
		p->have |= tree_bit;
	}
	free(order);
	free(depth);
	free(parent);
}

void viewtree_order(struct vms_view *v)
{
	size_t n = v->n_vis, out = 0, sp = 0;
	size_t *parent = find_parents(v);
	size_t *depth = xreallocarray(NULL, n ? n : 1, sizeof(*depth));
	size_t *first = xreallocarray(NULL, n ? n : 1, sizeof(*first));
	size_t *last = xreallocarray(NULL, n ? n : 1, sizeof(*last));
	size_t *next = xreallocarray(NULL, n ? n : 1, sizeof(*next));
	size_t *vis = xreallocarray(NULL, n ? n : 1, sizeof(*vis));
	struct frame {
		size_t pos;
		uint32_t depth;
		uint64_t more;
	} *stack = xreallocarray(NULL, n ? n : 1, sizeof(*stack));
	size_t *kids = xreallocarray(NULL, n ? n : 1, sizeof(*kids));
	bool *done = xcalloc(n ? n : 1, sizeof(*done));

	find_depths(parent, n, depth);
	for (size_t i = 0; i < n; i++)
		first[i] = last[i] = next[i] = SIZE_MAX;
	/* children listed in the sorted order of vis */
	for (size_t i = 0; i < n; i++) {
		size_t p = parent[i];

		if (p == SIZE_MAX)
			continue;
		if (first[p] == SIZE_MAX)
			first[p] = i;
		else
			next[last[p]] = i;
		last[p] = i;
	}
	ARRAY_GROW(v->tpos, n ? n : 1, v->alloc_tpos);
	for (size_t root = 0; root < n; root++) {
		if (parent[root] != SIZE_MAX || done[root])
			continue;
		stack[sp++] = (struct frame){ root, 0, 0 };
		while (sp) {
			struct frame f = stack[--sp];
			size_t nk = 0;
			uint64_t more = f.more;

			done[f.pos] = true;
			vis[out] = v->vis[f.pos];
			v->tpos[out] = (struct vms_tree_pos){
				f.depth, f.depth && next[f.pos] == SIZE_MAX, f.more
			};
			out++;
			if (f.depth && f.depth <= 64 && next[f.pos] != SIZE_MAX)
				more |= UINT64_C(1) << (f.depth - 1);
			/* pushed last first, so that the first child comes out first */
			for (size_t c = first[f.pos]; c != SIZE_MAX; c = next[c])
				kids[nk++] = c;
			while (nk)
				stack[sp++] = (struct frame){ kids[--nk], f.depth + 1, more };
		}
	}
	/* what no root reaches (cut cycles leave none, but be sure): at the left */
	for (size_t i = 0; i < n; i++)
		if (!done[i]) {
			vis[out] = v->vis[i];
			v->tpos[out++] = (struct vms_tree_pos){ 0, false, 0 };
		}
	memcpy(v->vis, vis, n * sizeof(*vis));
	free(done);
	free(kids);
	free(stack);
	free(vis);
	free(next);
	free(last);
	free(first);
	free(depth);
	free(parent);
}
