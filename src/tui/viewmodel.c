/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table's rows, filter, order, selection and scrolling. Groups
 * sum their processes; a value some member could not read is summed over
 * the members that could be read, and the row counts the others, so a
 * partial sum is never shown as a whole one.
 */
#include "config.h"

#include "tui/viewmodel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "tui/viewtree.h"

const struct vms_col_desc vms_cols[VMS_COL__MAX] = {
	[VMS_COL_PID] = { "pid", "PID", 0 },
	[VMS_COL_USER] = { "user", "USER", VMS_COLF_TEXT },
	[VMS_COL_COMMAND] = { "command", "COMMAND", VMS_COLF_TEXT },
	[VMS_COL_COUNT] = { "processes", "PROCS", 0 },
	[VMS_COL_VSZ] = { "vsz", "VSZ", VMS_COLF_SIZE },
	[VMS_COL_RSS] = { "rss", "RSS", VMS_COLF_SIZE },
	[VMS_COL_RSS_DELTA] = { "rss_change", "ΔRSS", VMS_COLF_SIZE | VMS_COLF_SIGNED },
	[VMS_COL_RSS_ANON] = { "rss_anon", "RSSANON", VMS_COLF_SIZE },
	[VMS_COL_RSS_FILE] = { "rss_file", "RSSFILE", VMS_COLF_SIZE },
	[VMS_COL_RSS_SHMEM] = { "rss_shmem", "RSSSHMEM", VMS_COLF_SIZE },
	[VMS_COL_PSS] = { "pss", "PSS", VMS_COLF_SIZE },
	[VMS_COL_USS] = { "uss", "USS", VMS_COLF_SIZE },
	[VMS_COL_SWAP] = { "swap", "SWAP", VMS_COLF_SIZE },
	[VMS_COL_SWAP_PSS] = { "swap_pss", "SWAPPSS", VMS_COLF_SIZE },
	[VMS_COL_MINFLT] = { "minflt", "MINFLT", 0 },
	[VMS_COL_MAJFLT] = { "majflt", "MAJFLT", 0 },
	[VMS_COL_MINFLT_RATE] = { "minflt_rate", "MINFLT/s", 0 },
	[VMS_COL_MAJFLT_RATE] = { "majflt_rate", "MAJFLT/s", 0 },
	[VMS_COL_CGROUP_MEM] = { "cgroup_memory", "CG-MEM", VMS_COLF_SIZE },
	[VMS_COL_OOM_SCORE] = { "oom_score", "OOM", 0 },
	[VMS_COL_TREE_PSS] = { "subtree_pss", "TREEPSS", VMS_COLF_SIZE },
};

int vms_col_from_string(const char *name)
{
	for (int i = 0; i < VMS_COL__MAX; i++)
		if (i != VMS_COL_TREE_PSS && strcmp(name, vms_cols[i].name) == 0)
			return i;
	return -EINVAL;
}

static const char *const group_names[VMS_GROUP__MAX] = {
	[VMS_GROUP_NONE] = "process",
	[VMS_GROUP_PROGRAM] = "program",
	[VMS_GROUP_USER] = "user",
	[VMS_GROUP_CGROUP] = "cgroup",
	[VMS_GROUP_LIBRARY] = "library",
};

const char *vms_group_to_string(enum vms_group g)
{
	return (unsigned)g < VMS_GROUP__MAX ? group_names[g] : "?";
}

int vms_group_from_string(const char *s)
{
	for (int i = 0; i < VMS_GROUP__MAX; i++)
		if (strcmp(s, group_names[i]) == 0)
			return i;
	return -EINVAL;
}

void vms_view_init(struct vms_view *v, enum vms_group by)
{
	memset(v, 0, sizeof(*v));
	v->by = by;
	v->sort = VMS_COL_PSS;
	v->desc = true;
	arena_init(&v->keys);
}

void vms_view_release(struct vms_view *v)
{
	free(v->rows);
	free(v->vis);
	free(v->tpos);
	free(v->filter.user);
	free(v->filter.name);
	free(v->filter.pattern);
	if (v->filter.have_re)
		regfree(&v->filter.re);
	free(v->sel_name);
	arena_release(&v->keys);
	memset(v, 0, sizeof(*v));
}

#define BIT(c) (UINT32_C(1) << (c))

static void row_from_entry(struct vms_row *r, const struct vms_pentry *e)
{
	const struct vms_counters *c = &e->rollup;

	memset(r, 0, sizeof(*r));
	r->pid = e->pid;
	r->ppid = e->ppid;
	r->start_time = e->start_time;
	r->uid = e->uid;
	r->user = e->user;
	r->name = e->comm;
	r->cmdline = e->cmdline;
	r->count = 1;
	r->v[VMS_COL_PID] = (uint64_t)e->pid;
	r->v[VMS_COL_COUNT] = 1;
	r->v[VMS_COL_VSZ] = e->vsz;
	r->v[VMS_COL_RSS] = e->rss;
	r->v[VMS_COL_MINFLT] = e->minflt;
	r->v[VMS_COL_MAJFLT] = e->majflt;
	r->have = BIT(VMS_COL_PID) | BIT(VMS_COL_USER) | BIT(VMS_COL_COMMAND) | BIT(VMS_COL_COUNT) |
		  BIT(VMS_COL_VSZ) | BIT(VMS_COL_RSS) | BIT(VMS_COL_MINFLT) | BIT(VMS_COL_MAJFLT);
	if (e->have_oom_score) {
		r->v[VMS_COL_OOM_SCORE] = (uint64_t)e->oom_score;
		r->have |= BIT(VMS_COL_OOM_SCORE);
	}
	/* status, which anyone may read: known for unreadable processes too */
	if (e->have_status) {
		r->v[VMS_COL_SWAP] = e->swap;
		r->v[VMS_COL_RSS_ANON] = e->rss_anon;
		r->v[VMS_COL_RSS_FILE] = e->rss_file;
		r->v[VMS_COL_RSS_SHMEM] = e->rss_shmem;
		r->have |= BIT(VMS_COL_SWAP) | BIT(VMS_COL_RSS_ANON) | BIT(VMS_COL_RSS_FILE) |
			   BIT(VMS_COL_RSS_SHMEM);
	}
	if (!vms_pentry_readable(e)) {
		r->unreadable = 1;
		return;
	}
	/* A process without an address space (a kernel thread, a zombie) has a
	 * rollup with no keys: its memory is a true 0. */
	r->v[VMS_COL_PSS] = c->v[VMS_MEM_PSS];
	r->v[VMS_COL_USS] = vms_counters_uss(c);
	r->v[VMS_COL_SWAP_PSS] = c->v[VMS_MEM_SWAP_PSS];
	r->have |= BIT(VMS_COL_PSS) | BIT(VMS_COL_USS);
	/* SwapPss is missing on old kernels: not a 0 then. */
	if (!c->have || vms_counters_has(c, VMS_MEM_SWAP_PSS))
		r->have |= BIT(VMS_COL_SWAP_PSS);
}

static int cmp_pid_key(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key;
	const struct vms_pentry *e = elem;

	return (pid > e->pid) - (pid < e->pid);
}

/* Rates and RSS change against the same process (pid and start time) in prev. */
static void row_deltas(struct vms_row *r, const struct vms_pentry *e, const struct vms_plist *prev,
		       int64_t dt_ns)
{
	const struct vms_pentry *p;

	if (!prev || !prev->n || dt_ns <= 0)
		return;
	p = bsearch(&e->pid, prev->items, prev->n, sizeof(*prev->items), cmp_pid_key);
	if (!p || p->start_time != e->start_time)
		return;
	r->v[VMS_COL_RSS_DELTA] = (uint64_t)((int64_t)e->rss - (int64_t)p->rss);
	if (e->minflt >= p->minflt)
		r->v[VMS_COL_MINFLT_RATE] =
			(uint64_t)((double)(e->minflt - p->minflt) * 1e9 / (double)dt_ns + 0.5);
	if (e->majflt >= p->majflt)
		r->v[VMS_COL_MAJFLT_RATE] =
			(uint64_t)((double)(e->majflt - p->majflt) * 1e9 / (double)dt_ns + 0.5);
	r->have |= BIT(VMS_COL_RSS_DELTA) | BIT(VMS_COL_MINFLT_RATE) | BIT(VMS_COL_MAJFLT_RATE);
}

/* Adds a row into a sum: a value is known in the sum if any member knows it. */
static void row_add(struct vms_row *sum, const struct vms_row *r)
{
	for (int c = VMS_COL_COUNT; c < VMS_COL__MAX; c++) {
		if (c == VMS_COL_CGROUP_MEM || c == VMS_COL_TREE_PSS || !vms_row_has(r, c))
			continue;
		/* a score does not add up: the group is as likely killed as its likeliest */
		if (c == VMS_COL_OOM_SCORE) {
			if (!vms_row_has(sum, c) || r->v[c] > sum->v[c])
				sum->v[c] = r->v[c];
			sum->have |= BIT(c);
			continue;
		}
		sum->v[c] += r->v[c];
		sum->have |= BIT(c);
	}
	sum->count += r->count;
	sum->unreadable += r->unreadable;
	sum->v[VMS_COL_COUNT] = sum->count;
}

static const char *group_key(struct vms_view *v, const struct vms_row *r, const struct vms_pentry *e)
{
	char buf[32];

	switch (v->by) {
	case VMS_GROUP_PROGRAM:
		return r->name;
	case VMS_GROUP_USER:
		if (r->user)
			return r->user;
		(void)snprintf(buf, sizeof(buf), "%u", (unsigned)r->uid);
		return arena_strdup(&v->keys, buf);
	case VMS_GROUP_CGROUP:
		return e->cgroup ? e->cgroup : "?";
	default:
		return NULL;
	}
}

struct key_index {
	const char *key;
	bool v1;
	size_t row;
};

static int cmp_key_index(const void *a, const void *b)
{
	const struct key_index *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->v1 > y->v1) - (x->v1 < y->v1);
}

/* Folds v->rows (one per process) into one row per key. */
static void group_rows(struct vms_view *v, const struct vms_pentry *const *entries)
{
	struct key_index *ki = xreallocarray(NULL, v->n_rows ? v->n_rows : 1, sizeof(*ki));
	struct vms_row *groups = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < v->n_rows; i++)
		ki[i] = (struct key_index){ group_key(v, &v->rows[i], entries[i]),
					    entries[i]->cgroup_v1, i };
	ARRAY_SORT(ki, v->n_rows, cmp_key_index);
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct vms_row *r = &v->rows[ki[i].row];

		if (i == 0 || cmp_key_index(&ki[i - 1], &ki[i]) != 0) {
			ARRAY_GROW(groups, n + 1, alloc);
			memset(&groups[n], 0, sizeof(groups[n]));
			groups[n].name = ki[i].key;
			groups[n].cgroup_v1 = ki[i].v1;
			groups[n].have = BIT(VMS_COL_COMMAND) | BIT(VMS_COL_COUNT);
			if (v->by == VMS_GROUP_USER) {
				groups[n].uid = r->uid;
				groups[n].user = r->user;
			}
			n++;
		}
		row_add(&groups[n - 1], r);
	}
	free(ki);
	free(v->rows);
	v->rows = groups;
	v->n_rows = n;
	v->alloc_rows = alloc;
}

static bool user_matches(const struct vms_filter *f, const char *user, uid_t uid)
{
	char buf[32];

	if (user && strcmp(user, f->user) == 0)
		return true;
	(void)snprintf(buf, sizeof(buf), "%u", (unsigned)uid);
	return strcmp(buf, f->user) == 0;
}

static bool pattern_matches(const struct vms_filter *f, const char *name, const char *cmdline)
{
	return regexec(&f->re, f->full && cmdline ? cmdline : name, 0, NULL, 0) == 0;
}

/* Filters apply to processes; for groups, the pattern applies to the key. */
static bool row_passes(const struct vms_view *v, const struct vms_row *r)
{
	const struct vms_filter *f = &v->filter;

	if (f->user && v->by == VMS_GROUP_NONE && !user_matches(f, r->user, r->uid))
		return false;
	if (f->name && v->by == VMS_GROUP_NONE && strcmp(r->name, f->name) != 0)
		return false;
	return !f->have_re || pattern_matches(f, r->name, r->cmdline);
}

/* Process filters by user and name apply before grouping, so a group sums only matches. */
static bool entry_passes(const struct vms_view *v, const struct vms_pentry *e)
{
	const struct vms_filter *f = &v->filter;

	if (f->user && !user_matches(f, e->user, e->uid))
		return false;
	if (f->name && strcmp(e->comm, f->name) != 0)
		return false;
	return true;
}

bool vms_view_may_show(const struct vms_view *v, const struct vms_pentry *e)
{
	const struct vms_filter *f = &v->filter;

	if (!entry_passes(v, e))
		return false;
	/* grouped, the pattern is the groups' (and by library, the files') */
	return !f->have_re || v->by != VMS_GROUP_NONE || pattern_matches(f, e->comm, e->cmdline);
}

static int cmp_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct vms_view *v = arg;
	const struct vms_row *a = &v->rows[*(const size_t *)pa], *b = &v->rows[*(const size_t *)pb];
	enum vms_col c = v->sort;
	int res;

	if (c == VMS_COL_USER) {
		res = cmp_text(a->user, b->user);
		if (!res)
			res = (a->uid > b->uid) - (a->uid < b->uid);
	} else if (c == VMS_COL_COMMAND) {
		res = cmp_text(a->name, b->name);
	} else {
		bool ha = vms_row_has(a, c), hb = vms_row_has(b, c);

		/* unknown values last, whatever the direction */
		if (ha != hb)
			return ha ? -1 : 1;
		if (vms_cols[c].flags & VMS_COLF_SIGNED)
			res = (vms_row_signed(a, c) > vms_row_signed(b, c)) -
			      (vms_row_signed(a, c) < vms_row_signed(b, c));
		else
			res = (a->v[c] > b->v[c]) - (a->v[c] < b->v[c]);
	}
	if (v->desc)
		res = -res;
	if (!res) {
		/* a stable order for equal keys: by pid, or by group key */
		res = (a->pid > b->pid) - (a->pid < b->pid);
		if (!res)
			res = cmp_text(a->name, b->name);
	}
	return res;
}

static bool row_is_selected(const struct vms_view *v, const struct vms_row *r)
{
	if (v->by == VMS_GROUP_NONE)
		return r->pid == v->sel_pid;
	return v->sel_name && r->name && strcmp(r->name, v->sel_name) == 0;
}

static void remember_selection(struct vms_view *v)
{
	const struct vms_row *r = vms_view_selected(v);

	if (!r)
		return;
	v->sel_pid = r->pid;
	free(v->sel_name);
	v->sel_name = r->name ? xstrdup(r->name) : NULL;
}

static void clamp(struct vms_view *v)
{
	if (v->n_vis == 0) {
		v->sel = v->top = 0;
		return;
	}
	if (v->sel >= v->n_vis)
		v->sel = v->n_vis - 1;
	if (v->height) {
		if (v->sel < v->top)
			v->top = v->sel;
		if (v->sel >= v->top + v->height)
			v->top = v->sel - v->height + 1;
		/* no empty screen lines below the last row while rows are above */
		if (v->top + v->height > v->n_vis)
			v->top = v->n_vis > v->height ? v->n_vis - v->height : 0;
	} else {
		v->top = 0;
	}
}

/* Filter and sort again, keeping the selected row selected if it is still shown. */
static void refresh_visible(struct vms_view *v)
{
	bool had_sel = v->n_vis > 0 || v->sel_pid || v->sel_name;
	size_t old_pos = v->sel;

	v->n_vis = 0;
	ARRAY_GROW(v->vis, v->n_rows ? v->n_rows : 1, v->alloc_vis);
	memset(&v->total, 0, sizeof(v->total));
	v->total.have = BIT(VMS_COL_COUNT);
	for (size_t i = 0; i < v->n_rows; i++) {
		if (!row_passes(v, &v->rows[i]))
			continue;
		v->vis[v->n_vis++] = i;
		row_add(&v->total, &v->rows[i]);
	}
	/* a sum of no process is 0, known; the highest score of none is none */
	if (v->n_vis == 0)
		for (int c = VMS_COL_COUNT; c < VMS_COL__MAX; c++)
			if (c != VMS_COL_CGROUP_MEM && c != VMS_COL_TREE_PSS && c != VMS_COL_OOM_SCORE)
				v->total.have |= BIT(c);
	if (v->tree && v->by == VMS_GROUP_NONE)
		viewtree_sum(v);
	qsort_r(v->vis, v->n_vis, sizeof(*v->vis), cmp_rows, v);
	if (v->tree && v->by == VMS_GROUP_NONE)
		viewtree_order(v);
	if (had_sel) {
		size_t i;

		for (i = 0; i < v->n_vis; i++)
			if (row_is_selected(v, vms_view_row(v, i)))
				break;
		/* gone: the row that took its place on the screen */
		v->sel = i < v->n_vis ? i : old_pos;
	}
	clamp(v);
	remember_selection(v);
}

void vms_view_update(struct vms_view *v, const struct vms_plist *cur, const struct vms_plist *prev)
{
	int64_t dt = prev ? cur->mono_ns - prev->mono_ns : 0;
	const struct vms_pentry **kept = NULL;
	size_t n = 0;

	arena_release(&v->keys);
	ARRAY_GROW(v->rows, cur->n ? cur->n : 1, v->alloc_rows);
	kept = xreallocarray(NULL, cur->n ? cur->n : 1, sizeof(*kept));
	for (size_t i = 0; i < cur->n; i++) {
		struct vms_row *r = &v->rows[n];

		if (!entry_passes(v, &cur->items[i]))
			continue;
		row_from_entry(r, &cur->items[i]);
		row_deltas(r, &cur->items[i], prev, dt);
		kept[n++] = &cur->items[i];
	}
	v->n_rows = n;
	if (v->by != VMS_GROUP_NONE)
		group_rows(v, kept);
	free(kept);
	refresh_visible(v);
}

void vms_view_set_libraries(struct vms_view *v, const struct vms_liblist *ll)
{
	ARRAY_GROW(v->rows, ll->n ? ll->n : 1, v->alloc_rows);
	for (size_t i = 0; i < ll->n; i++) {
		const struct vms_library *l = &ll->items[i];
		struct vms_row *r = &v->rows[i];

		*r = (struct vms_row){ .name = l->path, .count = l->processes };
		r->v[VMS_COL_COUNT] = l->processes;
		r->v[VMS_COL_VSZ] = l->vsize;
		r->v[VMS_COL_RSS] = l->rss;
		r->v[VMS_COL_PSS] = l->pss;
		r->v[VMS_COL_USS] = l->uss;
		r->v[VMS_COL_SWAP] = l->swap;
		r->v[VMS_COL_SWAP_PSS] = l->swap_pss;
		r->have = BIT(VMS_COL_COMMAND) | BIT(VMS_COL_COUNT) | BIT(VMS_COL_VSZ) |
			  BIT(VMS_COL_RSS) | BIT(VMS_COL_PSS) | BIT(VMS_COL_USS) | BIT(VMS_COL_SWAP);
		if (l->have_swap_pss)
			r->have |= BIT(VMS_COL_SWAP_PSS);
	}
	v->n_rows = ll->n;
	v->lib_processes = ll->processes;
	v->lib_unreadable = ll->unreadable;
	refresh_visible(v);
}

void vms_view_sort(struct vms_view *v, enum vms_col col, int desc)
{
	if ((unsigned)col >= VMS_COL__MAX)
		return;
	remember_selection(v);
	v->sort = col;
	/* text and pids read best ascending, amounts biggest first */
	v->desc = desc < 0 ? !(vms_cols[col].flags & VMS_COLF_TEXT) && col != VMS_COL_PID : desc > 0;
	refresh_visible(v);
}

void vms_view_sort_toggle(struct vms_view *v, enum vms_col col)
{
	vms_view_sort(v, col, col == v->sort ? !v->desc : -1);
}

void vms_view_sort_step(struct vms_view *v, const enum vms_col *cols, size_t n, int dir)
{
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n && cols[i] != v->sort; i++)
		;
	if (i == n) /* the sort column is not shown: start from an end */
		i = dir > 0 ? n - 1 : 0;
	i = dir > 0 ? (i + 1) % n : (i + n - 1) % n;
	vms_view_sort(v, cols[i], -1);
}

void vms_view_set_tree(struct vms_view *v, bool on)
{
	if (v->tree == on)
		return;
	remember_selection(v);
	v->tree = on;
	if (!on) /* the sums are no column outside the tree */
		for (size_t i = 0; i < v->n_rows; i++)
			v->rows[i].have &= ~BIT(VMS_COL_TREE_PSS);
	if (!on && v->sort == VMS_COL_TREE_PSS)
		v->sort = VMS_COL_PSS;
	refresh_visible(v);
}

static bool holds(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle);
}

bool vms_view_search(struct vms_view *v, const char *text, bool next)
{
	if (!text || !*text || v->n_vis == 0)
		return false;
	/* every row once, the selected one first (next: last) */
	for (size_t k = 0; k < v->n_vis; k++) {
		size_t i = (v->sel + k + (next ? 1 : 0)) % v->n_vis;
		const struct vms_row *r = vms_view_row(v, i);

		if (holds(r->name, text) || holds(r->cmdline, text)) {
			v->sel = i;
			clamp(v);
			remember_selection(v);
			return true;
		}
	}
	return false;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t vms_plist_users(const struct vms_plist *l, char ***ret)
{
	char **names = xreallocarray(NULL, l->n ? l->n : 1, sizeof(*names));
	size_t n = 0, m = 0;

	for (size_t i = 0; i < l->n; i++) {
		char buf[32];
		const char *u = l->items[i].user;

		if (!u) {
			(void)snprintf(buf, sizeof(buf), "%u", (unsigned)l->items[i].uid);
			u = buf;
		}
		names[n++] = xstrdup(u);
	}
	ARRAY_SORT(names, n, cmp_str_ptr);
	for (size_t i = 0; i < n; i++) {
		if (m && strcmp(names[m - 1], names[i]) == 0)
			free(names[i]);
		else
			names[m++] = names[i];
	}
	*ret = names;
	return m;
}

static void set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = s && *s ? xstrdup(s) : NULL;
}

int vms_view_filter_pattern(struct vms_view *v, const char *pattern, bool full)
{
	regex_t re;

	if (pattern && *pattern) {
		if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			return -EINVAL;
	}
	remember_selection(v);
	if (v->filter.have_re)
		regfree(&v->filter.re);
	v->filter.have_re = pattern && *pattern;
	if (v->filter.have_re)
		v->filter.re = re;
	set_str(&v->filter.pattern, pattern);
	v->filter.full = full;
	refresh_visible(v);
	return 0;
}

/* User and name filters act on processes before grouping: the next update applies them. */
void vms_view_filter_user(struct vms_view *v, const char *user)
{
	set_str(&v->filter.user, user);
}

void vms_view_filter_name(struct vms_view *v, const char *name)
{
	set_str(&v->filter.name, name);
}

void vms_view_set_height(struct vms_view *v, size_t height)
{
	v->height = height;
	clamp(v);
}

void vms_view_move(struct vms_view *v, long delta)
{
	if (v->n_vis == 0)
		return;
	if (delta < 0 && (size_t)-delta > v->sel)
		v->sel = 0;
	else if (delta > 0 && (size_t)delta >= v->n_vis - v->sel)
		v->sel = v->n_vis - 1;
	else
		v->sel = (size_t)((long)v->sel + delta);
	clamp(v);
	remember_selection(v);
}

void vms_view_hscroll(struct vms_view *v, long delta)
{
	enum { MAX_HSCROLL = 4096 };

	if (delta < 0 && (size_t)-delta > v->hscroll)
		v->hscroll = 0;
	else
		v->hscroll = (size_t)((long)v->hscroll + delta);
	if (v->hscroll > MAX_HSCROLL)
		v->hscroll = MAX_HSCROLL;
}

void vms_view_home(struct vms_view *v)
{
	vms_view_move(v, -(long)v->n_vis);
}

void vms_view_end(struct vms_view *v)
{
	vms_view_move(v, (long)v->n_vis);
}

bool vms_view_click(struct vms_view *v, size_t y)
{
	if (v->top + y >= v->n_vis || (v->height && y >= v->height))
		return false;
	v->sel = v->top + y;
	clamp(v);
	remember_selection(v);
	return true;
}

const struct vms_row *vms_view_selected(const struct vms_view *v)
{
	if (v->n_vis == 0 || v->sel >= v->n_vis)
		return NULL;
	return vms_view_row(v, v->sel);
}

void vms_view_set_cgroup_mem(struct vms_view *v, size_t row, uint64_t bytes)
{
	if (row >= v->n_rows)
		return;
	v->rows[row].v[VMS_COL_CGROUP_MEM] = bytes;
	v->rows[row].have |= BIT(VMS_COL_CGROUP_MEM);
	/* the total of cgroup memory would count nested cgroups twice: none */
}

void vms_view_fill_cgroup_mem(struct vms_view *v, int cg_root_fd)
{
	if (v->by != VMS_GROUP_CGROUP || cg_root_fd < 0)
		return;
	for (size_t i = 0; i < v->n_rows; i++) {
		uint64_t bytes;

		if (vms_cgroup_memory(cg_root_fd, v->rows[i].name, v->rows[i].cgroup_v1, &bytes) == 0)
			vms_view_set_cgroup_mem(v, i, bytes);
	}
	vms_view_sort(v, v->sort, v->desc);
}
