/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the live view's two files share: the state (src/tui/top.c reads keys,
 * keeps time and fetches data) and its drawing (src/tui/topdraw.c, which
 * calls nothing of top.c).
 */
#ifndef VMSCOPE_TUI_TOP_INTERNAL_H
#define VMSCOPE_TUI_TOP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"
#include "report/canvas.h"
#include "tui/prompt.h"
#include "tui/ptable.h"
#include "tui/top.h"
#include "tui/viewmodel.h"
#include "vmscope/elf.h"
#include "vmscope/list.h"
#include "vmscope/snapshot.h"

#define TOP_HEADER_LINES 3

enum top_mode {
	MODE_LIST,
	MODE_PROCESS,
	MODE_HELP,
	MODE_FILTER,  /* typing the filter (F4, \) */
	MODE_SEARCH,  /* typing a search (F3, /) */
	MODE_MENU,    /* picking from the menu on the left */
	MODE_CONFIRM, /* send that signal? y or n */
};

enum top_menu { MENU_SORT, MENU_USER, MENU_SIGNAL };

struct top {
	const struct tui_top_options *o;
	struct vms_lister *lister;
	struct vms_plist lists[2];
	struct vms_plist *cur, *prev;
	struct vms_view view;
	struct vms_meminfo mi;
	int cg_fd;
	unsigned interval_ms;
	bool paused, quit;
	enum top_mode mode, back; /* back: the mode help, prompts and menus return to */
	struct strbuf filter;  /* being typed */
	char *filter_before;   /* restored by Esc */
	bool filter_bad;
	struct strbuf search;  /* being typed, and kept for F3 */
	bool search_missed;
	struct tui_menu menu;
	enum top_menu menu_kind;
	int menu_values[32];   /* a column or a signal for each item */
	/* the signal to confirm, and the process it is for */
	int signal;
	pid_t signal_pid;
	uint64_t signal_start;
	char signal_comm[64];  /* its name when it was picked, for the question */
	char msg[256];
	int status;
	/* the process view */
	pid_t pid;
	char comm[64];
	struct vms_snapshot *snap;
	struct vms_elf_cache *cache;
	struct canvas pcv;
	size_t pscroll;
	/* the table as last drawn, for mouse clicks */
	struct ptable table;
	int table_y;
};

/* The screen of the current mode. */
void top_draw(struct top *t);
/* The header lines of the process table: the machine's memory; the sums and the state. */
void top_header_memory(const struct top *t, struct canvas *cv);
void top_header_table(const struct top *t, struct canvas *cv, bool live_view);
unsigned top_table_flags(const struct top *t);
/* The name of signal sig ("SIGTERM"). */
const char *top_signal_name(int sig);

#endif
