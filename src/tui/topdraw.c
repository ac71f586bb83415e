/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live views drawn: the process table with its headers, the layout of
 * one process, the help, and the prompts and menus over the table. What is
 * shown comes from the curses-free canvases (the table, the report); this
 * file copies them to the screen and calls nothing of top.c.
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "tui/curses.h"
#include "tui/reportcanvas.h"
#include "tui/screen.h"
#include "tui/top-internal.h"
#include "vmscope/model.h"
#include "vmscope/report.h"

void top_header_memory(const struct top *t, struct canvas *cv)
{
	const struct vms_meminfo *mi = &t->mi;
	char a[32], b[32], c[32], d[32];
	struct strbuf sb;
	size_t y = canvas_add_row(cv);

	strbuf_init(&sb);
	if (mi->have & (1u << VMS_MI_TOTAL) && mi->have & (1u << VMS_MI_AVAILABLE)) {
		vms_format_size(a, sizeof(a), mi->total);
		vms_format_size(b, sizeof(b), mi->total - (mi->available < mi->total ? mi->available : mi->total));
		vms_format_size(c, sizeof(c), mi->available);
		strbuf_addf(&sb, "Mem %s total, %s used, %s available", a, b, c);
	} else {
		strbuf_addstr(&sb, "Mem n/a");
	}
	if (mi->have & (1u << VMS_MI_SWAP_TOTAL) && mi->have & (1u << VMS_MI_SWAP_FREE)) {
		vms_format_size(a, sizeof(a), mi->swap_total - (mi->swap_free < mi->swap_total ? mi->swap_free : mi->swap_total));
		vms_format_size(b, sizeof(b), mi->swap_total);
		strbuf_addf(&sb, "   Swap %s of %s", a, b);
	}
	if (mi->have & (1u << VMS_MI_COMMITTED_AS) && mi->have & (1u << VMS_MI_COMMIT_LIMIT)) {
		vms_format_size(c, sizeof(c), mi->committed_as);
		vms_format_size(d, sizeof(d), mi->commit_limit);
		strbuf_addf(&sb, "   Committed %s of %s", c, d);
	}
	canvas_put_text(cv, 0, y, sb.buf, sb.len, cv->width, 0, CANVAS_BOLD);
	strbuf_release(&sb);
}

void top_header_table(const struct top *t, struct canvas *cv, bool live_view)
{
	const struct vms_row *tot = &t->view.total;
	struct strbuf sb;
	char pss[32];
	size_t y = canvas_add_row(cv);

	strbuf_init(&sb);
	vms_format_size(pss, sizeof(pss), tot->v[VMS_COL_PSS]);
	strbuf_addf(&sb, "PSS sum %s%s over %" PRIu32 " process%s", pss,
		    tot->unreadable ? "+" : "", tot->count, tot->count == 1 ? "" : "es");
	if (tot->unreadable)
		strbuf_addf(&sb, " (%" PRIu32 " unreadable)", tot->unreadable);
	if (t->view.by != VMS_GROUP_NONE)
		strbuf_addf(&sb, " in %zu %s%s", t->view.n_vis, vms_group_to_string(t->view.by),
			    t->view.n_vis == 1 ? "" : "s");
	if (live_view)
		strbuf_addf(&sb, "   every %.2gs%s", t->interval_ms / 1000.0,
			    t->paused ? "   PAUSED" : "");
	if (t->view.filter.pattern)
		strbuf_addf(&sb, "   filter /%s/", t->view.filter.pattern);
	if (t->view.filter.user)
		strbuf_addf(&sb, "   user %s", t->view.filter.user);
	if (t->view.tree)
		strbuf_addstr(&sb, "   tree");
	canvas_put_text(cv, 0, y, sb.buf, sb.len, cv->width, 0, CANVAS_PLAIN);
	strbuf_release(&sb);
}

unsigned top_table_flags(const struct top *t)
{
	return PTABLE_LIVE | (t->o->bytes ? PTABLE_BYTES : 0);
}

static void draw_status(struct top *t, const char *hint)
{
	move(LINES - 1, 0);
	clrtoeol();
	if (t->msg[0]) {
		struct strbuf sb;

		strbuf_init(&sb);
		escape_display(&sb, t->msg, strlen(t->msg));
		attrset(A_BOLD);
		addnstr(sb.buf, (int)sb.len);
		strbuf_release(&sb);
	} else {
		attrset(A_DIM);
		addnstr(hint, COLS > 1 ? COLS - 1 : 1);
	}
	attrset(A_NORMAL);
}

static void draw_list(struct top *t)
{
	struct canvas cv;
	int rows = LINES - TOP_HEADER_LINES - 2;
	unsigned width = COLS > 0 ? (unsigned)COLS : 80;

	if (rows < 1)
		rows = 1;
	vms_view_set_height(&t->view, (size_t)rows);
	ptable_layout(&t->table, &t->view, width, top_table_flags(t));
	canvas_init(&cv, width);
	cv.ascii = t->o->ascii;
	{
		size_t y = canvas_add_row(&cv);
		char title[128];

		(void)snprintf(title, sizeof(title), "vmscope top   %zu of %zu %s%s", t->view.n_vis,
			       t->view.n_rows, vms_group_to_string(t->view.by),
			       t->view.by == VMS_GROUP_NONE ? "es" : "s");
		canvas_put_str(&cv, 0, y, title, width, 0, CANVAS_BOLD);
	}
	top_header_memory(t, &cv);
	top_header_table(t, &cv, true);
	t->table_y = TOP_HEADER_LINES;
	ptable_draw_header(&t->table, &t->view, &cv, canvas_add_row(&cv));
	for (int i = 0; i < rows; i++) {
		size_t y = canvas_add_row(&cv);

		if (t->view.top + (size_t)i < t->view.n_vis)
			ptable_draw_row(&t->table, &t->view, vms_view_row(&t->view, t->view.top + (size_t)i),
					&cv, y);
	}
	screen_put_canvas(&cv, 0, 0, (int)cv.height, 0,
			  t->view.n_vis ? TOP_HEADER_LINES + 1 + (t->view.sel - t->view.top) : (size_t)-1);
	canvas_release(&cv);
	draw_status(t, t->view.by == VMS_GROUP_NONE
			       ? "F1 help  F3 search  F4 filter  F5 tree  F6 sort  F9 kill  F10 quit  Enter layout"
			       : "F1 help  F3 search  F4 filter  F6 sort  F10 quit");
}

static void draw_process(struct top *t)
{
	struct vms_report_options ro = { .width = COLS > 40 ? (unsigned)COLS : 40,
					 .ascii = t->o->ascii };
	int rows = LINES - 2;
	char title[160];
	struct strbuf comm;

	if (t->snap)
		(void)report_canvas_draw(&t->pcv, t->snap, &ro);
	if (rows < 1)
		rows = 1;
	if (t->pcv.height > (size_t)rows && t->pscroll > t->pcv.height - (size_t)rows)
		t->pscroll = t->pcv.height - (size_t)rows;
	if (t->pcv.height <= (size_t)rows)
		t->pscroll = 0;
	strbuf_init(&comm);
	escape_display(&comm, t->comm, strlen(t->comm));
	(void)snprintf(title, sizeof(title), "vmscope watch %d (%s)   every %.2gs%s", (int)t->pid,
		       comm.buf, t->interval_ms / 1000.0, t->paused ? "   PAUSED" : "");
	strbuf_release(&comm);
	move(0, 0);
	clrtoeol();
	attrset(A_BOLD);
	addnstr(title, COLS > 0 ? COLS : 1);
	attrset(A_NORMAL);
	screen_put_canvas(&t->pcv, t->pscroll, 1, rows, 0, (size_t)-1);
	draw_status(t, t->o->watch_pid > 0
			       ? "F1 help  F10 quit  up/down/PgUp/PgDn scroll  +/- interval  Z pause"
			       : "Esc back  F1 help  F10 quit  up/down/PgUp/PgDn scroll  +/- interval  Z pause");
}

static const char *const help_text[] = {
	"vmscope top: keys (as in htop where htop has the key)",
	"",
	"  up/down, PgUp/PgDn, Home/End  select a process (also a mouse click)",
	"  left/right    scroll the command lines sideways",
	"  Enter         the live layout of the selected process; Esc goes back",
	"  F1 ? h        this help",
	"  F3 /          search a name or command line; F3 again: the next match",
	"  F4 \\          filter: a regular expression on the name (Enter keeps it;",
	"                Esc restores the one before)",
	"  F5 t          tree: processes under their parents, TREEPSS the PSS of each subtree",
	"  F6            sort by a column picked from a list;  < >  the column before, after",
	"  I             invert the order;  M  sort by memory (PSS);  N  by pid",
	"  p c v r d     sort by pid, command, VSZ, RSS, RSS change",
	"  s U w W       sort by PSS, USS, swap, SwapPss",
	"  f F n o       sort by minor, major fault rate, processes in a group, OOM score;",
	"                the same key again reverses; a click on a column header sorts too",
	"  u             only the processes of a user picked from a list",
	"  F9 k          send a signal to the selected process, after a y to confirm",
	"  + -           refresh more or less often",
	"  Z             pause",
	"  F10 q         quit (also Ctrl-C)",
	"",
	"PSS: the process's share of the memory it maps; USS: what only it maps;",
	"n/a: not readable by this user (run as the owner or as root); '+': at least.",
	"",
	"Press any key to go back.",
};

static void draw_help(void)
{
	erase();
	for (size_t i = 0; i < ARRAY_SIZE(help_text) && (int)i < LINES; i++) {
		attrset(i == 0 ? A_BOLD : A_NORMAL);
		mvaddnstr((int)i, 0, help_text[i], COLS > 0 ? COLS : 1);
	}
	attrset(A_NORMAL);
}

static const struct {
	int sig;
	const char *name;
} signals[] = {
	{ SIGTERM, "SIGTERM" }, { SIGKILL, "SIGKILL" }, { SIGINT, "SIGINT" },
	{ SIGHUP, "SIGHUP" },   { SIGQUIT, "SIGQUIT" }, { SIGSTOP, "SIGSTOP" },
	{ SIGCONT, "SIGCONT" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
};

const char *top_signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return "?";
}

/* The question names the process as it was when picked: the selection may move since. */
static void draw_confirm(struct top *t)
{
	struct strbuf sb, name;

	draw_list(t);
	strbuf_init(&sb);
	strbuf_init(&name);
	escape_display(&name, t->signal_comm, strlen(t->signal_comm));
	strbuf_addf(&sb, "send %s (%d) to process %d (%s)? y/n ", top_signal_name(t->signal),
		    t->signal, (int)t->signal_pid, name.buf);
	move(LINES - 1, 0);
	clrtoeol();
	attrset(A_BOLD | A_REVERSE);
	addnstr(sb.buf, COLS > 1 ? COLS - 1 : 1);
	attrset(A_NORMAL);
	strbuf_release(&name);
	strbuf_release(&sb);
}

void top_draw(struct top *t)
{
	switch (t->mode) {
	case MODE_LIST:
		draw_list(t);
		break;
	case MODE_PROCESS:
		draw_process(t);
		break;
	case MODE_HELP:
		draw_help();
		break;
	case MODE_FILTER:
		draw_list(t);
		tui_line_draw("filter: ", &t->filter,
			      t->filter_bad ? "   (not a valid regular expression yet)" : NULL);
		break;
	case MODE_SEARCH:
		draw_list(t);
		tui_line_draw("search: ", &t->search,
			      t->search_missed ? "   (no match)" : "   (F3 next, Enter keeps, Esc)");
		break;
	case MODE_MENU:
		draw_list(t);
		tui_menu_draw(&t->menu, TOP_HEADER_LINES);
		break;
	case MODE_CONFIRM:
		draw_confirm(t);
		break;
	}
	refresh();
}
