/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tree view's two steps (src/tui/viewtree.c), called by the view model
 * around its sort: the subtree sums, then the order of a depth-first walk.
 * Curses-free.
 */
#ifndef VMSCOPE_TUI_VIEWTREE_H
#define VMSCOPE_TUI_VIEWTREE_H

#include "tui/viewmodel.h"

/* Sets VMS_COL_TREE_PSS of each visible row: its PSS and that of the visible rows under it. */
void viewtree_sum(struct vms_view *v);
/*
 * Reorders v->vis (sorted) as a depth-first walk, each process under its
 * parent and siblings in their sorted order, and fills v->tpos.
 */
void viewtree_order(struct vms_view *v);

#endif
