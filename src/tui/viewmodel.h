/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table as `vmscope list` prints it and `vmscope top` shows it:
 * rows (processes, or groups of them by program, user or cgroup), a filter,
 * a sort order, a selection and a scroll position. No curses here, so the
 * behaviour of the live view is unit-tested without a terminal.
 */
#ifndef VMSCOPE_TUI_VIEWMODEL_H
#define VMSCOPE_TUI_VIEWMODEL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmscope/libraries.h"
#include "vmscope/list.h"

enum vms_col {
	VMS_COL_PID = 0,
	VMS_COL_USER,
	VMS_COL_COMMAND,
	VMS_COL_COUNT,    /* processes in a group */
	VMS_COL_VSZ,
	VMS_COL_RSS,
	VMS_COL_RSS_DELTA,/* RSS change since the previous refresh */
	VMS_COL_RSS_ANON, /* the split of RSS, from status */
	VMS_COL_RSS_FILE,
	VMS_COL_RSS_SHMEM,
	VMS_COL_PSS,
	VMS_COL_USS,
	VMS_COL_SWAP,
	VMS_COL_SWAP_PSS,
	VMS_COL_MINFLT,
	VMS_COL_MAJFLT,
	VMS_COL_MINFLT_RATE, /* per second since the previous refresh */
	VMS_COL_MAJFLT_RATE,
	VMS_COL_CGROUP_MEM,  /* the cgroup's own memory.current (--by cgroup) */
	VMS_COL_OOM_SCORE,   /* oom_score; a group's highest */
	VMS_COL_TREE_PSS,    /* tree view: PSS of a process and of those shown under it */
	VMS_COL__MAX
};

enum {
	VMS_COLF_TEXT = 1 << 0,  /* sorts ascending by default */
	VMS_COLF_SIZE = 1 << 1,  /* bytes */
	VMS_COLF_SIGNED = 1 << 2,/* the value is an int64_t */
};

struct vms_col_desc {
	const char *name;   /* for --sort, CSV and JSON */
	const char *header; /* for the table */
	unsigned flags;
};
extern const struct vms_col_desc vms_cols[VMS_COL__MAX];
/* Returns the column, or -EINVAL (the tree's sums are no column to ask for). */
int vms_col_from_string(const char *name);

enum vms_group {
	VMS_GROUP_NONE = 0,
	VMS_GROUP_PROGRAM, /* by comm */
	VMS_GROUP_USER,
	VMS_GROUP_CGROUP,
	VMS_GROUP_LIBRARY, /* shared objects across processes: rows from vms_view_set_libraries */
	VMS_GROUP__MAX
};
const char *vms_group_to_string(enum vms_group g);
int vms_group_from_string(const char *s);

/* One row: a process, or a group of processes. */
struct vms_row {
	pid_t pid;            /* 0 for a group */
	pid_t ppid;
	uint64_t start_time;
	uid_t uid;
	const char *user;     /* NULL: show the uid; borrowed from the listing */
	const char *name;     /* comm, or the group's key; borrowed or the view's */
	const char *cmdline;  /* NULL when none */
	bool cgroup_v1;       /* groups by cgroup: the hierarchy of name */
	uint32_t count;       /* processes summed in the row */
	uint32_t unreadable;  /* of those, how many could not be read (values are partial) */
	uint64_t v[VMS_COL__MAX];
	uint32_t have;        /* 1u << column for each value known */
};

static inline bool vms_row_has(const struct vms_row *r, enum vms_col c)
{
	return r->have & (UINT32_C(1) << c);
}

static inline int64_t vms_row_signed(const struct vms_row *r, enum vms_col c)
{
	return (int64_t)r->v[c];
}

struct vms_filter {
	char *user;         /* user name or uid; NULL: any */
	char *name;         /* exact comm; NULL: any */
	char *pattern;      /* extended regex, case-insensitive, on comm or (full) cmdline */
	bool full;
	regex_t re;
	bool have_re;
};

/* Where a visible row stands in the tree view. */
struct vms_tree_pos {
	uint32_t depth;       /* 0: shown at the left, its parent not shown */
	bool last;            /* the last child of its parent */
	uint64_t more;        /* bit k: the ancestor at depth k + 1 has children after it */
};

struct vms_view {
	enum vms_group by;
	bool tree;             /* processes under their parents (by == VMS_GROUP_NONE) */
	struct vms_tree_pos *tpos; /* with tree: one per position of vis */
	size_t alloc_tpos;
	struct vms_row *rows;  /* every row of the listing, unfiltered */
	size_t n_rows, alloc_rows;
	size_t *vis;           /* rows passing the filter, in sort order */
	size_t n_vis, alloc_vis;
	struct vms_row total;  /* sum of the visible rows */
	struct vms_filter filter;
	enum vms_col sort;
	bool desc;
	struct arena keys;     /* group keys made by the view (uid numbers) */
	/* selection and scrolling, in positions of vis */
	size_t sel, top;
	size_t height;         /* rows that fit on the screen; 0: unknown */
	size_t hscroll;        /* characters of the command column scrolled off to the left */
	pid_t sel_pid;         /* what the selection is, kept across refreshes */
	char *sel_name;
	/* by library: the processes read, and those that could not be */
	uint32_t lib_processes, lib_unreadable;
};

void vms_view_init(struct vms_view *v, enum vms_group by);
void vms_view_release(struct vms_view *v);

/*
 * Rebuilds the rows from cur. prev (the previous refresh, may be NULL) gives
 * the rates and the RSS change, for processes found in both by pid and start
 * time; dt_ns is the time between them. The filter, the sort and the
 * selection (by pid or group key) are kept. The view borrows strings from
 * cur: keep cur until the next call.
 */
void vms_view_update(struct vms_view *v, const struct vms_plist *cur,
		     const struct vms_plist *prev);

/*
 * The tree view (processes only): each process under its parent, siblings in
 * the sort order, with the PSS of each subtree (VMS_COL_TREE_PSS) summed over
 * the process and those shown under it. Filters apply first: a process whose
 * parent is filtered out is shown at the left.
 */
void vms_view_set_tree(struct vms_view *v, bool on);

/*
 * Search (F3, /): selects the next visible row, from the selection (next:
 * from the row after it) around to it, whose name or command line holds
 * text, case-insensitively. Returns false (the selection unchanged) when
 * none does.
 */
bool vms_view_search(struct vms_view *v, const char *text, bool next);

/*
 * The next (dir > 0) or previous sort column among cols, the columns shown,
 * in their natural direction.
 */
void vms_view_sort_step(struct vms_view *v, const enum vms_col *cols, size_t n, int dir);

/*
 * The users of the processes of l, by name (a uid without a name as its
 * number), sorted, each once: *ret (the caller frees the array and each
 * string) and the count.
 */
size_t vms_plist_users(const struct vms_plist *l, char ***ret);

/* Column and direction; desc < 0 picks the column's natural direction. */
void vms_view_sort(struct vms_view *v, enum vms_col col, int desc);
/* The same column again reverses it; another takes its natural direction. */
void vms_view_sort_toggle(struct vms_view *v, enum vms_col col);

/*
 * Filters: NULL or "" clears one. A pattern that is not a valid regular
 * expression returns -EINVAL and leaves the filter as it was.
 */
int vms_view_filter_pattern(struct vms_view *v, const char *pattern, bool full);
void vms_view_filter_user(struct vms_view *v, const char *user);
void vms_view_filter_name(struct vms_view *v, const char *name);

/*
 * Whether process e can show in v, by its filters alone: false when no row
 * of its could pass them, whatever its memory (user and name; the pattern
 * too when processes are not grouped). Only what a lister knows before it
 * reads a process's own files is looked at (vms_lister_filter).
 */
bool vms_view_may_show(const struct vms_view *v, const struct vms_pentry *e);

/* Scrolls the command column right (delta > 0) or left, as far as its start. */
void vms_view_hscroll(struct vms_view *v, long delta);

/* Selection and scrolling: the selection always stays within the screen. */
void vms_view_set_height(struct vms_view *v, size_t height);
void vms_view_move(struct vms_view *v, long delta);
void vms_view_home(struct vms_view *v);
void vms_view_end(struct vms_view *v);
/* Selects the visible row at screen line y (0 = first row shown); false if none. */
bool vms_view_click(struct vms_view *v, size_t y);
/* The selected row, or NULL when nothing is visible. */
const struct vms_row *vms_view_selected(const struct vms_view *v);
static inline const struct vms_row *vms_view_row(const struct vms_view *v, size_t i)
{
	return &v->rows[v->vis[i]];
}

/*
 * By library: one row per library of ll (the view borrows the paths; keep
 * ll), in place of vms_view_update. The pattern filter applies to the path.
 */
void vms_view_set_libraries(struct vms_view *v, const struct vms_liblist *ll);

/* Sets the cgroup memory of a group row (an index in rows). */
void vms_view_set_cgroup_mem(struct vms_view *v, size_t row, uint64_t bytes);
/*
 * With --by cgroup: each row's cgroup's own memory, read under the cgroup
 * file system root cg_root_fd (/sys/fs/cgroup; < 0: none); sorts again.
 */
void vms_view_fill_cgroup_mem(struct vms_view *v, int cg_root_fd);

#endif
