/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table's view model (grouping, filters, order, selection,
 * scrolling), its table renderer, and the parsers of the whole-machine
 * collector (meminfo, cgroup), on hand-made listings with hostile names.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "tui/ptable.h"
#include "tui/viewmodel.h"
#include "vmscope/list.h"

#define KIB 1024u

struct proc_spec {
	pid_t pid;
	uid_t uid;
	const char *user, *comm, *cmdline, *cgroup;
	unsigned rss_k, pss_k, priv_k, swap_k; /* kB */
	unsigned long minflt;
	int error; /* rollup_error */
};

static void add(struct vms_plist *pl, const struct proc_spec *s)
{
	struct vms_pentry e = { .pid = s->pid, .uid = s->uid, .state = 'S', .start_time = 100 };

	e.user = s->user ? arena_strdup(&pl->arena, s->user) : NULL;
	e.comm = arena_strdup(&pl->arena, s->comm);
	e.cmdline = s->cmdline ? arena_strdup(&pl->arena, s->cmdline) : NULL;
	e.cgroup = s->cgroup ? arena_strdup(&pl->arena, s->cgroup) : NULL;
	e.vsz = (uint64_t)s->rss_k * 4 * KIB;
	e.rss = (uint64_t)s->rss_k * KIB;
	e.minflt = s->minflt;
	e.rollup_error = s->error;
	if (!s->error) {
		e.rollup.v[VMS_MEM_RSS] = (uint64_t)s->rss_k * KIB;
		e.rollup.v[VMS_MEM_PSS] = (uint64_t)s->pss_k * KIB;
		e.rollup.v[VMS_MEM_PRIVATE_DIRTY] = (uint64_t)s->priv_k * KIB;
		e.rollup.v[VMS_MEM_SWAP] = (uint64_t)s->swap_k * KIB;
		e.rollup.v[VMS_MEM_SWAP_PSS] = (uint64_t)s->swap_k * KIB;
		e.rollup.have = (1u << VMS_MEM_RSS) | (1u << VMS_MEM_PSS) |
				(1u << VMS_MEM_PRIVATE_CLEAN) | (1u << VMS_MEM_PRIVATE_DIRTY) |
				(1u << VMS_MEM_SWAP) | (1u << VMS_MEM_SWAP_PSS);
	}
	ARRAY_GROW(pl->items, pl->n + 1, pl->alloc);
	pl->items[pl->n++] = e;
}

static const struct proc_spec machine[] = {
	{ 1, 0, "root", "init", "/sbin/init", "/", 9000, 0, 0, 0, 10, -EACCES },
	{ 10, 0, "root", "bash", "bash -l", "/user.slice", 4000, 1500, 1000, 0, 500, 0 },
	{ 11, 1000, "alice", "bash", "bash", "/user.slice", 4000, 1200, 900, 100, 100, 0 },
	{ 12, 1000, "alice", "firefox", "firefox --new", "/user.slice/app", 300000, 250000, 200000, 0, 9000, 0 },
	{ 13, 1000, "alice", "\x1b[2Jevil\nname", NULL, "/user.slice/app", 100, 50, 40, 0, 1, 0 },
	{ 14, 4242, NULL, "bash", "bash -c 'sleep 1'", "/", 3000, 800, 600, 0, 70, 0 },
	{ 15, 1000, "alice", "bash", NULL, "/user.slice", 0, 0, 0, 0, 0, -EACCES },
};

static void make_machine(struct vms_plist *pl)
{
	vms_plist_init(pl);
	for (size_t i = 0; i < ARRAY_SIZE(machine); i++)
		add(pl, &machine[i]);
	pl->mono_ns = 10 * 1000000000LL;
}

static size_t find_row(const struct vms_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_vis; i++)
		if (strcmp(vms_view_row(v, i)->name, name) == 0)
			return i;
	fail_msg("no row '%s'", name);
	return 0;
}

/* Invariants after every step: vis is a permutation of passing rows, the selection on screen. */
static void check_invariants(const struct vms_view *v)
{
	assert_true(v->n_vis <= v->n_rows);
	for (size_t i = 0; i < v->n_vis; i++) {
		assert_true(v->vis[i] < v->n_rows);
		for (size_t j = 0; j < i; j++)
			assert_true(v->vis[i] != v->vis[j]);
	}
	if (v->n_vis) {
		assert_true(v->sel < v->n_vis);
		if (v->height) {
			assert_true(v->sel >= v->top);
			assert_true(v->sel < v->top + v->height);
		}
	}
}

static void test_rows_and_na(void **state)
{
	struct vms_plist pl;
	struct vms_view v;
	const struct vms_row *r;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	check_invariants(&v);
	assert_int_equal(v.n_vis, ARRAY_SIZE(machine));
	/* PSS descending; the unreadable ones last, whatever the order */
	assert_int_equal(vms_view_row(&v, 0)->pid, 12);
	assert_false(vms_row_has(vms_view_row(&v, v.n_vis - 1), VMS_COL_PSS));
	assert_false(vms_row_has(vms_view_row(&v, v.n_vis - 2), VMS_COL_PSS));
	vms_view_sort(&v, VMS_COL_PSS, 0);
	assert_int_equal(vms_view_row(&v, 0)->pid, 13);
	assert_false(vms_row_has(vms_view_row(&v, v.n_vis - 1), VMS_COL_PSS));
	/* an unreadable process keeps its RSS (from stat) and faults */
	r = vms_view_row(&v, v.n_vis - 1);
	assert_true(vms_row_has(r, VMS_COL_RSS));
	assert_true(vms_row_has(r, VMS_COL_MINFLT));
	assert_int_equal(r->unreadable, 1);
	/* the total: readable ones summed, unreadable ones counted */
	assert_int_equal(v.total.count, 7);
	assert_int_equal(v.total.unreadable, 2);
	assert_int_equal(v.total.v[VMS_COL_PSS], (1500 + 1200 + 250000 + 50 + 800) * KIB);
	assert_int_equal(v.total.v[VMS_COL_USS], (1000 + 900 + 200000 + 40 + 600) * KIB);
	assert_int_equal(v.total.v[VMS_COL_RSS], (9000 + 4000 + 4000 + 300000 + 100 + 3000) * KIB);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_group_program(void **state)
{
	struct vms_plist pl;
	struct vms_view v;
	const struct vms_row *r;
	uint64_t sum = 0;
	unsigned count = 0, unreadable = 0;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_PROGRAM);
	vms_view_update(&v, &pl, NULL);
	check_invariants(&v);
	assert_int_equal(v.n_vis, 4); /* init, bash, firefox, the escape one */
	for (size_t i = 0; i < ARRAY_SIZE(machine); i++)
		if (strcmp(machine[i].comm, "bash") == 0) {
			count++;
			if (machine[i].error)
				unreadable++;
			else
				sum += machine[i].pss_k * KIB;
		}
	r = vms_view_row(&v, find_row(&v, "bash"));
	assert_int_equal(r->count, count);
	assert_int_equal(r->unreadable, unreadable);
	assert_int_equal(r->v[VMS_COL_PSS], sum);
	assert_int_equal(r->pid, 0);
	/* init: its only process unreadable, so its PSS is unknown, not 0 */
	r = vms_view_row(&v, find_row(&v, "init"));
	assert_false(vms_row_has(r, VMS_COL_PSS));
	assert_true(vms_row_has(r, VMS_COL_RSS));
	/* groups sum to the same total as processes */
	assert_int_equal(v.total.count, ARRAY_SIZE(machine));
	vms_view_release(&v);
	vms_plist_release(&pl);
}

/*
 * A group's OOM score is its likeliest member's (scores do not add up),
 * whatever the order of the members; a member without one adds nothing;
 * the total is the machine's likeliest.
 */
static void test_group_oom_score(void **state)
{
	/* bash is 10, 11, 14 and 15 (no score), in the machine's order */
	static const struct {
		pid_t pid;
		int32_t score;
	} scores[] = { { 10, 200 }, { 11, 700 }, { 14, 300 }, { 12, 650 }, { 13, 900 } };
	struct vms_plist pl;
	struct vms_view v;
	const struct vms_row *r;

	(void)state;
	make_machine(&pl);
	for (size_t i = 0; i < ARRAY_SIZE(scores); i++)
		for (size_t k = 0; k < pl.n; k++)
			if (pl.items[k].pid == scores[i].pid) {
				pl.items[k].oom_score = scores[i].score;
				pl.items[k].have_oom_score = true;
			}
	vms_view_init(&v, VMS_GROUP_PROGRAM);
	vms_view_update(&v, &pl, NULL);
	r = vms_view_row(&v, find_row(&v, "bash"));
	assert_true(vms_row_has(r, VMS_COL_OOM_SCORE));
	assert_int_equal(r->v[VMS_COL_OOM_SCORE], 700);
	assert_false(vms_row_has(vms_view_row(&v, find_row(&v, "init")), VMS_COL_OOM_SCORE));
	assert_int_equal(v.total.v[VMS_COL_OOM_SCORE], 900);
	vms_view_release(&v);

	vms_view_init(&v, VMS_GROUP_USER);
	vms_view_update(&v, &pl, NULL);
	/* alice: bash 700, firefox 650, the escape one 900, bash 15 none */
	assert_int_equal(vms_view_row(&v, find_row(&v, "alice"))->v[VMS_COL_OOM_SCORE], 900);
	assert_int_equal(vms_view_row(&v, find_row(&v, "root"))->v[VMS_COL_OOM_SCORE], 200);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_group_user_and_cgroup(void **state)
{
	struct vms_plist pl;
	struct vms_view v;
	unsigned seen = 0;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_USER);
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 3); /* root, alice, 4242 (no name) */
	assert_int_equal(vms_view_row(&v, find_row(&v, "alice"))->count, 4);
	assert_int_equal(vms_view_row(&v, find_row(&v, "4242"))->count, 1);
	vms_view_release(&v);

	vms_view_init(&v, VMS_GROUP_CGROUP);
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 3);
	assert_int_equal(vms_view_row(&v, find_row(&v, "/user.slice"))->count, 3);
	assert_int_equal(vms_view_row(&v, find_row(&v, "/user.slice/app"))->v[VMS_COL_PSS],
			 (250000 + 50) * KIB);
	assert_false(vms_row_has(vms_view_row(&v, 0), VMS_COL_CGROUP_MEM));
	vms_view_set_cgroup_mem(&v, v.vis[0], 12345);
	assert_int_equal(vms_view_row(&v, 0)->v[VMS_COL_CGROUP_MEM], 12345);
	vms_view_set_cgroup_mem(&v, 999, 1); /* out of range: ignored */
	vms_view_release(&v);

	/*
	 * One path in the v1 memory hierarchy and in the unified one names two
	 * cgroups (whose memory is read from two places): two groups, each
	 * with its own processes, whatever order the processes come in.
	 */
	for (size_t k = 0; k < pl.n; k++)
		pl.items[k].cgroup_v1 = pl.items[k].pid == 11;
	vms_view_init(&v, VMS_GROUP_CGROUP);
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 4);
	for (size_t i = 0; i < v.n_vis; i++) {
		const struct vms_row *r = vms_view_row(&v, i);

		if (strcmp(r->name, "/user.slice") != 0)
			continue;
		/* v2: bash 10 and the unreadable 15; v1: bash 11 */
		assert_int_equal(r->count, r->cgroup_v1 ? 1 : 2);
		assert_int_equal(r->v[VMS_COL_PSS], (r->cgroup_v1 ? 1200 : 1500) * KIB);
		seen |= r->cgroup_v1 ? 2 : 1;
	}
	assert_int_equal(seen, 3);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_filters(void **state)
{
	struct vms_plist pl;
	struct vms_view v;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(vms_view_filter_pattern(&v, "^BASH$", false), 0); /* case-insensitive */
	check_invariants(&v);
	assert_int_equal(v.n_vis, 4);
	assert_int_equal(v.total.count, 4);
	/* a bad pattern is refused and the old filter stays */
	assert_int_equal(vms_view_filter_pattern(&v, "(", false), -EINVAL);
	assert_int_equal(v.n_vis, 4);
	assert_int_equal(vms_view_filter_pattern(&v, "sleep", true), 0);
	assert_int_equal(v.n_vis, 1);
	assert_int_equal(vms_view_row(&v, 0)->pid, 14);
	/* the full command line falls back to comm when there is none */
	assert_int_equal(vms_view_filter_pattern(&v, "evil", true), 0);
	assert_int_equal(v.n_vis, 1);
	assert_int_equal(vms_view_filter_pattern(&v, "nothing-like-this", false), 0);
	assert_int_equal(v.n_vis, 0);
	assert_null(vms_view_selected(&v));
	vms_view_move(&v, 3);
	check_invariants(&v);
	assert_int_equal(vms_view_filter_pattern(&v, "", false), 0);
	assert_int_equal(v.n_vis, ARRAY_SIZE(machine));

	/* user by name or by uid; name exactly */
	vms_view_filter_user(&v, "alice");
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 4);
	vms_view_filter_user(&v, "4242");
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 1);
	vms_view_filter_user(&v, NULL);
	vms_view_filter_name(&v, "bas");
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 0);
	vms_view_filter_name(&v, "bash");
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(v.n_vis, 4);
	vms_view_release(&v);

	/* name and user filters apply before grouping: a group sums only matches */
	vms_view_init(&v, VMS_GROUP_PROGRAM);
	vms_view_filter_user(&v, "root");
	vms_view_update(&v, &pl, NULL);
	assert_int_equal(vms_view_row(&v, find_row(&v, "bash"))->count, 1);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_sort_toggle(void **state)
{
	struct vms_plist pl;
	struct vms_view v;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	vms_view_sort_toggle(&v, VMS_COL_COMMAND);
	assert_false(v.desc);
	for (size_t i = 1; i < v.n_vis; i++)
		assert_true(strcmp(vms_view_row(&v, i - 1)->name, vms_view_row(&v, i)->name) <= 0);
	vms_view_sort_toggle(&v, VMS_COL_COMMAND);
	assert_true(v.desc);
	assert_string_equal(vms_view_row(&v, 0)->name, "init");
	vms_view_sort_toggle(&v, VMS_COL_PID);
	assert_false(v.desc);
	for (size_t i = 1; i < v.n_vis; i++)
		assert_true(vms_view_row(&v, i - 1)->pid < vms_view_row(&v, i)->pid);
	vms_view_sort_toggle(&v, VMS_COL_RSS);
	assert_true(v.desc);
	for (size_t i = 1; i < v.n_vis; i++)
		assert_true(vms_view_row(&v, i - 1)->v[VMS_COL_RSS] >=
			    vms_view_row(&v, i)->v[VMS_COL_RSS]);
	check_invariants(&v);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_selection_scrolling(void **state)
{
	struct vms_plist pl, next;
	struct vms_view v;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	vms_view_set_height(&v, 3);
	check_invariants(&v);
	assert_int_equal(vms_view_selected(&v)->pid, 12);
	vms_view_move(&v, 4);
	check_invariants(&v);
	assert_int_equal(v.sel, 4);
	assert_int_equal(v.top, 2);
	vms_view_move(&v, -100);
	check_invariants(&v);
	assert_int_equal(v.sel, 0);
	vms_view_end(&v);
	check_invariants(&v);
	assert_int_equal(v.sel, v.n_vis - 1);
	vms_view_move(&v, 100);
	assert_int_equal(v.sel, v.n_vis - 1);
	vms_view_home(&v);
	assert_int_equal(v.sel, 0);
	assert_true(vms_view_click(&v, 2));
	assert_int_equal(v.sel, 2);
	assert_false(vms_view_click(&v, 3)); /* below the screen */
	assert_int_equal(v.sel, 2);

	/* the selected process stays selected when the order changes */
	pid_t sel = vms_view_selected(&v)->pid;
	vms_view_sort(&v, VMS_COL_PID, -1);
	assert_int_equal(vms_view_selected(&v)->pid, sel);
	check_invariants(&v);

	/* a refresh where it exited: the selection stays on screen, on a row */
	vms_plist_init(&next);
	for (size_t i = 0; i < ARRAY_SIZE(machine); i++)
		if (machine[i].pid != sel)
			add(&next, &machine[i]);
	next.mono_ns = pl.mono_ns + 1000000000LL;
	vms_view_update(&v, &next, &pl);
	check_invariants(&v);
	assert_non_null(vms_view_selected(&v));
	assert_int_not_equal(vms_view_selected(&v)->pid, sel);

	/* a smaller screen keeps the selection visible */
	vms_view_end(&v);
	vms_view_set_height(&v, 1);
	check_invariants(&v);
	vms_view_set_height(&v, 0);
	check_invariants(&v);
	vms_view_release(&v);
	vms_plist_release(&pl);
	vms_plist_release(&next);
}

static void test_rates(void **state)
{
	struct vms_plist a, b;
	struct vms_view v;
	const struct vms_row *r;

	(void)state;
	make_machine(&a);
	make_machine(&b);
	b.mono_ns = a.mono_ns + 2000000000LL; /* 2 s later */
	b.items[3].minflt += 3000;            /* firefox: 1500/s */
	b.items[3].rss -= 8192;
	b.items[1].start_time = 999;          /* pid 10 is another process now */
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &b, &a);
	r = vms_view_row(&v, 0);
	assert_int_equal(r->pid, 12);
	assert_int_equal(r->v[VMS_COL_MINFLT_RATE], 1500);
	assert_int_equal(vms_row_signed(r, VMS_COL_RSS_DELTA), -8192);
	r = vms_view_row(&v, find_row(&v, "bash"));
	for (size_t i = 0; i < v.n_vis; i++) {
		r = vms_view_row(&v, i);
		if (r->pid == 10)
			assert_false(vms_row_has(r, VMS_COL_MINFLT_RATE));
		else
			assert_true(vms_row_has(r, VMS_COL_MINFLT_RATE));
	}
	/* sorting by a signed column: the shrinking process last */
	vms_view_sort(&v, VMS_COL_RSS_DELTA, -1);
	assert_int_equal(vms_view_row(&v, v.n_vis - 2)->pid, 12);
	vms_view_release(&v);
	/* no previous listing: no rates */
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &b, NULL);
	assert_false(vms_row_has(vms_view_row(&v, 0), VMS_COL_MINFLT_RATE));
	vms_view_release(&v);
	vms_plist_release(&a);
	vms_plist_release(&b);
}

static void test_table(void **state)
{
	struct vms_plist pl;
	struct vms_view v;
	struct ptable t;
	struct canvas cv;
	char buf[64];

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	for (unsigned w = 40; w <= 200; w += 40) {
		ptable_layout(&t, &v, w, PTABLE_LIVE);
		assert_int_equal(t.cols[t.n - 1], VMS_COL_COMMAND);
		assert_true(t.x[t.n - 1] + t.w[t.n - 1] <= w);
		canvas_init(&cv, w);
		ptable_draw_header(&t, &v, &cv, canvas_add_row(&cv));
		for (size_t i = 0; i < v.n_vis; i++)
			ptable_draw_row(&t, &v, vms_view_row(&v, i), &cv, canvas_add_row(&cv));
		ptable_draw_total(&t, &v, &cv, canvas_add_row(&cv));
		/* no raw control byte from a process name reaches a cell */
		for (size_t y = 0; y < cv.height; y++)
			for (unsigned x = 0; x < cv.width; x++) {
				const struct canvas_cell *c = canvas_cell(&cv, x, y);
				for (unsigned k = 0; k < c->len; k++)
					assert_true((unsigned char)c->glyph[k] >= 0x20);
			}
		assert_true(ptable_column_at(&t, t.x[0]) == (int)t.cols[0]);
		canvas_release(&cv);
	}
	ptable_layout(&t, &v, 200, 0);
	for (size_t i = 0; i < t.n; i++)
		assert_true(t.cols[i] != VMS_COL_MINFLT_RATE);
	/* unreadable: n/a; exact bytes with PTABLE_BYTES */
	ptable_cell(&t, vms_view_row(&v, v.n_vis - 1), VMS_COL_PSS, buf, sizeof(buf));
	assert_string_equal(buf, "n/a");
	ptable_layout(&t, &v, 200, PTABLE_BYTES);
	ptable_cell(&t, vms_view_row(&v, 0), VMS_COL_PSS, buf, sizeof(buf));
	assert_string_equal(buf, "256000000");
	/* a partial sum is marked */
	ptable_cell(&t, &v.total, VMS_COL_PSS, buf, sizeof(buf));
	assert_non_null(strchr(buf, '+'));
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_meminfo(void **state)
{
	static const char good[] = "MemTotal:       16384 kB\nMemFree:  100 kB\n"
				   "MemAvailable:   8192 kB\nBuffers: 1 kB\nSwapTotal: 0 kB\n"
				   "SwapFree: 0 kB\nCommitLimit: 5 kB\nCommitted_AS: 7 kB\n"
				   "HugePages_Total:       0\nHugepagesize:       2048 kB";
	static const char *const bad[] = {
		"MemTotal: x kB\n", "MemTotal: 1 MB\n", "no colon here\n",
		"MemTotal: 99999999999999999999 kB\n", "MemTotal: 18014398509481984 kB\n",
	};
	struct vms_meminfo mi;

	(void)state;
	assert_int_equal(vms_meminfo_parse(good, strlen(good), &mi), 0);
	assert_int_equal(mi.total, 16384 * 1024);
	assert_int_equal(mi.available, 8192 * 1024);
	assert_int_equal(mi.committed_as, 7 * 1024);
	assert_int_equal(mi.commit_limit, 5 * 1024);
	assert_int_equal(mi.have, (1u << VMS_MI__MAX) - 1);
	assert_int_equal(vms_meminfo_parse("", 0, &mi), 0);
	assert_int_equal(mi.have, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(vms_meminfo_parse(bad[i], strlen(bad[i]), &mi), -EBADMSG);
}

static void test_cgroup(void **state)
{
	static const struct {
		const char *in;
		int r;
		const char *path;
		bool v1;
	} cases[] = {
		{ "0::/user.slice/user-1000.slice/session-2.scope\n", 0,
		  "/user.slice/user-1000.slice/session-2.scope", false },
		{ "0::/\n", 0, "/", false },
		{ "12:pids:/a\n4:cpu,memory:/docker/abc\n0::/\n", 0, "/docker/abc", true },
		{ "4:memory,cpu:/m\n", 0, "/m", true },
		{ "4:memoryx:/m\n0::/v2 with space\n", 0, "/v2 with space", false },
		{ "1:name=systemd:/\n", -ENOENT, NULL, false },
		{ "", -ENOENT, NULL, false },
		{ "garbage\n", -EBADMSG, NULL, false },
		{ "0:/no-second-colon\n", -EBADMSG, NULL, false },
		{ "0::relative\n", -EBADMSG, NULL, false },
		{ "0::", -EBADMSG, NULL, false },
	};
	const char *path;
	size_t len;
	bool v1;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = vms_cgroup_parse(cases[i].in, strlen(cases[i].in), &path, &len, &v1);

		assert_int_equal(r, cases[i].r);
		if (r == 0) {
			assert_int_equal(len, strlen(cases[i].path));
			assert_memory_equal(path, cases[i].path, len);
			assert_int_equal(v1, cases[i].v1);
		}
	}
	/* paths that would leave the cgroup tree are refused */
	assert_int_equal(vms_cgroup_memory(-1, "/", false, &(uint64_t){ 0 }), -ENOENT);
	assert_int_equal(vms_cgroup_memory(0, "/a/../../etc", false, &(uint64_t){ 0 }), -ENOENT);
	assert_int_equal(vms_cgroup_memory(0, "/a/..", true, &(uint64_t){ 0 }), -ENOENT);
	assert_int_equal(vms_cgroup_memory(0, "relative", true, &(uint64_t){ 0 }), -ENOENT);
}

/* The text of the command cell of visible row i, drawn by ptable at width w. */
static void command_cell(const struct vms_view *v, size_t i, unsigned w, char *buf, size_t n)
{
	struct ptable t;
	struct canvas cv;
	size_t len = 0;

	ptable_layout(&t, v, w, PTABLE_LIVE);
	canvas_init(&cv, w);
	ptable_draw_row(&t, v, vms_view_row(v, i), &cv, canvas_add_row(&cv));
	for (unsigned x = t.x[t.n - 1]; x < w; x++) {
		const struct canvas_cell *c = canvas_cell(&cv, x, 0);

		for (unsigned k = 0; k < c->len && len + 1 < n; k++)
			buf[len++] = c->glyph[k];
	}
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	canvas_release(&cv);
}

static void set_ppids(struct vms_plist *pl, const pid_t (*pairs)[2], size_t n)
{
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < pl->n; i++)
			if (pl->items[i].pid == pairs[k][0])
				pl->items[i].ppid = pairs[k][1];
}

static void test_tree(void **state)
{
	static const pid_t ppids[][2] = { { 1, 0 }, { 10, 1 }, { 11, 10 }, { 12, 10 },
					  { 13, 12 }, { 14, 999 }, { 15, 11 } };
	static const pid_t order[] = { 14, 1, 10, 12, 13, 11, 15 };
	static const uint32_t depth[] = { 0, 0, 1, 2, 3, 2, 3 };
	static const bool last[] = { false, false, true, false, true, true, true };
	static const uint64_t more[] = { 0, 0, 0, 0, 2, 0, 0 };
	struct vms_plist pl;
	struct vms_view v;
	char buf[256];

	(void)state;
	make_machine(&pl);
	set_ppids(&pl, ppids, ARRAY_SIZE(ppids));
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	vms_view_move(&v, 1);
	assert_int_equal(vms_view_selected(&v)->pid, 10);
	vms_view_set_tree(&v, true);
	check_invariants(&v);
	/* the selection stays on its process */
	assert_int_equal(vms_view_selected(&v)->pid, 10);
	assert_int_equal(v.n_vis, ARRAY_SIZE(order));
	for (size_t i = 0; i < v.n_vis; i++) {
		assert_int_equal(vms_view_row(&v, i)->pid, order[i]);
		assert_int_equal(v.tpos[i].depth, depth[i]);
		assert_int_equal(v.tpos[i].last, last[i]);
		assert_int_equal(v.tpos[i].more, more[i]);
	}
	/* subtree sums: an unreadable process adds nothing, its parent's sum is still known */
	assert_int_equal(vms_view_row(&v, 4)->v[VMS_COL_TREE_PSS], 50 * KIB);
	assert_int_equal(vms_view_row(&v, 3)->v[VMS_COL_TREE_PSS], 250050 * KIB);
	assert_int_equal(vms_view_row(&v, 5)->v[VMS_COL_TREE_PSS], 1200 * KIB);
	assert_int_equal(vms_view_row(&v, 2)->v[VMS_COL_TREE_PSS], (1500 + 1200 + 250050) * KIB);
	assert_true(vms_row_has(vms_view_row(&v, 1), VMS_COL_TREE_PSS));
	assert_int_equal(vms_view_row(&v, 1)->v[VMS_COL_TREE_PSS], (1500 + 1200 + 250050) * KIB);
	assert_false(vms_row_has(vms_view_row(&v, 6), VMS_COL_TREE_PSS));
	/* the total does not count a subtree twice */
	assert_false(vms_row_has(&v.total, VMS_COL_TREE_PSS));
	/* drawn: the lines of the tree before the command */
	command_cell(&v, 3, 200, buf, sizeof(buf));
	assert_string_equal(buf, "  ├─firefox --new");
	command_cell(&v, 2, 200, buf, sizeof(buf));
	assert_string_equal(buf, "└─bash -l");
	command_cell(&v, 0, 200, buf, sizeof(buf));
	assert_string_equal(buf, "bash -c 'sleep 1'");
	/* siblings follow the sort: ascending PSS puts 11 before 12 */
	vms_view_sort(&v, VMS_COL_PSS, 0);
	assert_int_equal(vms_view_row(&v, 3)->pid, 11);
	assert_int_equal(vms_view_row(&v, 4)->pid, 15);
	assert_int_equal(vms_view_row(&v, 5)->pid, 12);
	/* by subtree: the biggest branch first */
	vms_view_sort(&v, VMS_COL_TREE_PSS, 1);
	assert_int_equal(vms_view_row(&v, 0)->pid, 1);
	/* a filter leaves a process whose parent is hidden at the left */
	assert_int_equal(vms_view_filter_pattern(&v, "^(firefox|.*evil.*)$", false), 0);
	assert_int_equal(v.n_vis, 2);
	assert_int_equal(v.tpos[0].depth, 0);
	assert_int_equal(v.tpos[1].depth, 1);
	assert_int_equal(vms_view_filter_pattern(&v, NULL, false), 0);
	/* off: the flat order again, no subtree column */
	vms_view_set_tree(&v, false);
	check_invariants(&v);
	assert_int_equal(v.sort, VMS_COL_PSS);
	assert_int_equal(vms_view_row(&v, 0)->pid, 12);
	assert_int_equal(vms_col_from_string("subtree_pss"), -EINVAL);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_tree_cycle(void **state)
{
	/* a reused pid can make a cycle of parents: every row is still shown once */
	static const pid_t ppids[][2] = { { 1, 15 }, { 10, 1 }, { 11, 10 }, { 12, 11 },
					  { 13, 12 }, { 14, 13 }, { 15, 14 } };
	struct vms_plist pl;
	struct vms_view v;

	(void)state;
	make_machine(&pl);
	set_ppids(&pl, ppids, ARRAY_SIZE(ppids));
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_set_tree(&v, true);
	vms_view_update(&v, &pl, NULL);
	check_invariants(&v);
	assert_int_equal(v.n_vis, pl.n);
	assert_int_equal(v.tpos[0].depth, 0);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_search_sort_step_users(void **state)
{
	static const enum vms_col cols[] = { VMS_COL_PID, VMS_COL_RSS, VMS_COL_PSS };
	struct vms_plist pl;
	struct vms_view v;
	char **users, buf[256];
	size_t n, first;

	(void)state;
	make_machine(&pl);
	vms_view_init(&v, VMS_GROUP_NONE);
	vms_view_update(&v, &pl, NULL);
	/* search: the selection moves to a match, by name or command line, any case */
	assert_true(vms_view_search(&v, "FIRE", false));
	assert_int_equal(vms_view_selected(&v)->pid, 12);
	assert_true(vms_view_search(&v, "firefox", false)); /* the selection itself matches */
	assert_int_equal(vms_view_selected(&v)->pid, 12);
	assert_true(vms_view_search(&v, "sleep", false));
	assert_int_equal(vms_view_selected(&v)->pid, 14);
	assert_true(vms_view_search(&v, "bash", false));
	first = v.sel;
	assert_true(vms_view_search(&v, "bash", true));
	assert_true(v.sel != first);
	for (int i = 0; i < 8; i++) /* next goes round */
		assert_true(vms_view_search(&v, "bash", true));
	assert_false(vms_view_search(&v, "nosuchthing", false));
	assert_false(vms_view_search(&v, "", false));
	check_invariants(&v);
	/* < and >: the columns shown, around */
	vms_view_sort_step(&v, cols, ARRAY_SIZE(cols), 1);
	assert_int_equal(v.sort, VMS_COL_PID);
	assert_false(v.desc);
	vms_view_sort_step(&v, cols, ARRAY_SIZE(cols), -1);
	assert_int_equal(v.sort, VMS_COL_PSS);
	assert_true(v.desc);
	vms_view_sort_step(&v, cols, ARRAY_SIZE(cols), -1);
	assert_int_equal(v.sort, VMS_COL_RSS);
	/* users: each once, sorted, a uid without a name as its number */
	n = vms_plist_users(&pl, &users);
	assert_int_equal(n, 3);
	assert_string_equal(users[0], "4242");
	assert_string_equal(users[1], "alice");
	assert_string_equal(users[2], "root");
	for (size_t i = 0; i < n; i++)
		free(users[i]);
	free(users);
	/* horizontal scroll: the command column from its n-th character, never before its start */
	vms_view_search(&v, "sleep", false);
	vms_view_hscroll(&v, -4);
	assert_int_equal(v.hscroll, 0);
	vms_view_hscroll(&v, 8);
	command_cell(&v, v.sel, 200, buf, sizeof(buf));
	assert_string_equal(buf, "'sleep 1'");
	vms_view_hscroll(&v, -3);
	command_cell(&v, v.sel, 200, buf, sizeof(buf));
	assert_string_equal(buf, "-c 'sleep 1'");
	/* no further than 4096 characters */
	vms_view_hscroll(&v, 100000);
	assert_int_equal(v.hscroll, 4096);
	/* a sort column that is not shown: > takes the first shown, < the last */
	vms_view_sort(&v, VMS_COL_USS, -1);
	vms_view_sort_step(&v, cols, ARRAY_SIZE(cols), 1);
	assert_int_equal(v.sort, VMS_COL_PID);
	vms_view_sort(&v, VMS_COL_USS, -1);
	vms_view_sort_step(&v, cols, ARRAY_SIZE(cols), -1);
	assert_int_equal(v.sort, VMS_COL_PSS);
	/* by user: by name, a user without one first (""), a tie by uid */
	vms_view_sort(&v, VMS_COL_USER, 0);
	assert_int_equal(vms_view_row(&v, 0)->pid, 14);
	for (size_t i = 1; i < v.n_vis; i++) {
		const struct vms_row *a = vms_view_row(&v, i - 1), *b = vms_view_row(&v, i);
		int c = strcmp(a->user ? a->user : "", b->user ? b->user : "");

		assert_true(c < 0 || (c == 0 && a->uid <= b->uid));
	}
	assert_string_equal(vms_view_row(&v, v.n_vis - 1)->user, "root");
	check_invariants(&v);
	vms_view_release(&v);
	vms_plist_release(&pl);
}

static void test_names(void **state)
{
	(void)state;
	for (int c = 0; c < VMS_COL__MAX; c++) {
		assert_non_null(vms_cols[c].name);
		/* the tree's sums are no column to sort a listing by */
		assert_int_equal(vms_col_from_string(vms_cols[c].name),
				 c == VMS_COL_TREE_PSS ? -EINVAL : c);
	}
	assert_int_equal(vms_col_from_string("PSS"), -EINVAL);
	for (int g = 0; g < VMS_GROUP__MAX; g++)
		assert_int_equal(vms_group_from_string(vms_group_to_string(g)), g);
	assert_int_equal(vms_group_from_string(""), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_and_na),
		cmocka_unit_test(test_group_program),
		cmocka_unit_test(test_group_oom_score),
		cmocka_unit_test(test_group_user_and_cgroup),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_sort_toggle),
		cmocka_unit_test(test_selection_scrolling),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_tree_cycle),
		cmocka_unit_test(test_search_sort_step_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
