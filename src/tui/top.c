/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live views: the process table (vmscope top) and the layout of one
 * process (Enter, or vmscope watch). This file reads keys (htop's, where
 * htop has the key), keeps time and fetches the data; src/tui/topdraw.c
 * draws, from canvases that curses-free code fills (the table, the report).
 */
#include "config.h"

#include "tui/top.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "tui/curses.h"
#include "tui/prompt.h"
#include "tui/ptable.h"
#include "tui/screen.h"
#include "tui/top-internal.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/list.h"
#include "vmscope/model.h"
#include "vmscope/report.h"

static const unsigned intervals_ms[] = { 250, 500, 1000, 2000, 3000, 5000, 10000 };

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void say(struct top *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct top *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

/* Data */

static int refresh_list(struct top *t)
{
	struct vms_plist *next = t->cur == &t->lists[0] ? &t->lists[1] : &t->lists[0];
	int r;

	r = vms_lister_collect(t->lister, next);
	if (r < 0)
		return r;
	t->prev = t->cur;
	t->cur = next;
	vms_view_update(&t->view, t->cur, t->prev);
	vms_view_fill_cgroup_mem(&t->view, t->cg_fd);
	if (vms_meminfo_read(t->o->root_fd, &t->mi) < 0)
		memset(&t->mi, 0, sizeof(t->mi));
	return 0;
}

static int refresh_process(struct top *t)
{
	struct vms_snapshot *snap = NULL;
	int r;

	r = vms_inspect(t->o->root_fd, t->pid, t->o->live,
			VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF, t->cache, &snap);
	if (r < 0)
		return r;
	vms_snapshot_free(t->snap);
	t->snap = snap;
	if (t->o->on_snapshot && t->o->watch_pid > 0)
		t->o->on_snapshot(t->o->on_snapshot_ctx, snap);
	if (snap->proc.comm)
		(void)snprintf(t->comm, sizeof(t->comm), "%s", snap->proc.comm);
	return 0;
}

static void open_process(struct top *t, pid_t pid)
{
	int r;

	t->pid = pid;
	t->pscroll = 0;
	t->comm[0] = '\0';
	r = refresh_process(t);
	if (r < 0) {
		say(t, r == -ESRCH || r == -ENOENT ? "process %d exited" : "cannot read process %d: %s",
		    (int)pid, strerror(-r));
		t->mode = MODE_LIST;
		return;
	}
	t->mode = MODE_PROCESS;
	t->msg[0] = '\0';
}

/* The process shown exited: back to the list (or, watching only it, out). */
static void process_gone(struct top *t, int r)
{
	struct strbuf comm;

	strbuf_init(&comm);
	escape_display(&comm, t->comm, strlen(t->comm));
	if (r == -ESRCH || r == -ENOENT)
		say(t, "process %d (%s) exited", (int)t->pid, comm.buf);
	else
		say(t, "cannot read process %d (%s): %s", (int)t->pid, comm.buf, strerror(-r));
	strbuf_release(&comm);
	vms_snapshot_free(t->snap);
	t->snap = NULL;
	if (t->o->watch_pid > 0) {
		t->status = 1;
		t->quit = true;
		return;
	}
	t->mode = MODE_LIST;
	(void)refresh_list(t);
}

static void top_refresh(struct top *t)
{
	int r;

	if (t->mode == MODE_PROCESS || (t->back == MODE_PROCESS && t->mode == MODE_HELP)) {
		r = refresh_process(t);
		if (r < 0)
			process_gone(t, r);
		return;
	}
	r = refresh_list(t);
	if (r < 0)
		say(t, "cannot list processes: %s", strerror(-r));
}

/* Keys */

static const struct {
	int key;
	enum vms_col col;
} sort_keys[] = {
	{ 'p', VMS_COL_PID },      { 'c', VMS_COL_COMMAND },     { 'v', VMS_COL_VSZ },
	{ 'r', VMS_COL_RSS },      { 'd', VMS_COL_RSS_DELTA },   { 's', VMS_COL_PSS },
	{ 'U', VMS_COL_USS },      { 'w', VMS_COL_SWAP },        { 'W', VMS_COL_SWAP_PSS },
	{ 'f', VMS_COL_MINFLT_RATE }, { 'F', VMS_COL_MAJFLT_RATE }, { 'n', VMS_COL_COUNT },
	{ 'o', VMS_COL_OOM_SCORE },
};

static const int menu_signals[] = { SIGTERM, SIGKILL, SIGINT,  SIGHUP, SIGQUIT,
				    SIGSTOP, SIGCONT, SIGUSR1, SIGUSR2 };

static void change_interval(struct top *t, int dir)
{
	size_t i = 0;

	while (i + 1 < ARRAY_SIZE(intervals_ms) && intervals_ms[i] < t->interval_ms)
		i++;
	if (dir < 0 && i > 0)
		i--;
	else if (dir > 0 && i + 1 < ARRAY_SIZE(intervals_ms) && intervals_ms[i] <= t->interval_ms)
		i++;
	t->interval_ms = intervals_ms[i];
	say(t, "refresh every %.2gs", t->interval_ms / 1000.0);
}

/* Keys both views share; true if handled. */
static bool common_key(struct top *t, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
	case TUI_CTRL('c'):
		t->quit = true;
		return true;
	case '+':
	case '=':
		change_interval(t, -1);
		return true;
	case '-':
		change_interval(t, 1);
		return true;
	case 'Z': /* htop's pause */
		t->paused = !t->paused;
		say(t, t->paused ? "paused (Z resumes)" : "resumed");
		return true;
	case ' ':
		say(t, "Z pauses; space does nothing here");
		return true;
	case KEY_F(1):
	case '?':
	case 'h':
		t->back = t->mode;
		t->mode = MODE_HELP;
		return true;
	case KEY_RESIZE:
		return true;
	}
	return false;
}

static void mouse_list(struct top *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		vms_view_move(&t->view, -3);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		vms_view_move(&t->view, 3);
	} else if (ev.y == t->table_y) {
		int col = ptable_column_at(&t->table, (unsigned)ev.x);

		if (col >= 0)
			vms_view_sort_toggle(&t->view, (enum vms_col)col);
	} else if (ev.y > t->table_y) {
		vms_view_click(&t->view, (size_t)(ev.y - t->table_y - 1));
	}
}

static void open_menu(struct top *t, enum top_menu kind, const char *title)
{
	tui_menu_clear(&t->menu);
	t->menu.title = title;
	t->menu_kind = kind;
	t->back = t->mode;
	t->mode = MODE_MENU;
}

/* F6: the columns shown, the current one selected. */
static void menu_sort(struct top *t)
{
	open_menu(t, MENU_SORT, "Sort by");
	for (size_t i = 0; i < t->table.n && i < ARRAY_SIZE(t->menu_values); i++) {
		enum vms_col c = t->table.cols[i];

		t->menu_values[t->menu.n] = (int)c;
		if (c == t->view.sort)
			t->menu.sel = t->menu.n;
		tui_menu_add(&t->menu, c == VMS_COL_COMMAND ? "COMMAND" : vms_cols[c].header);
	}
}

/* u: every user with a process listed, or all. */
static void menu_user(struct top *t)
{
	char **users;
	size_t n = t->cur ? vms_plist_users(t->cur, &users) : 0;

	open_menu(t, MENU_USER, "Show processes of");
	tui_menu_add(&t->menu, "All users");
	for (size_t i = 0; i < n; i++) {
		if (t->view.filter.user && strcmp(users[i], t->view.filter.user) == 0)
			t->menu.sel = t->menu.n;
		tui_menu_add(&t->menu, users[i]);
		free(users[i]);
	}
	if (n)
		free(users);
}

/* F9, k: the signals, SIGTERM selected; only for a process of this machine. */
static void menu_signal(struct top *t)
{
	const struct vms_row *r = vms_view_selected(&t->view);
	char item[32];

	if (!r)
		return;
	if (r->pid <= 0) {
		say(t, "a group is no process to signal: list by process to send one");
		return;
	}
	if (!t->o->live) {
		say(t, "these processes are read from --proc-root: no signal is sent to them");
		return;
	}
	t->signal_pid = r->pid;
	t->signal_start = r->start_time;
	(void)snprintf(t->signal_comm, sizeof(t->signal_comm), "%s", r->name ? r->name : "?");
	open_menu(t, MENU_SIGNAL, "Send signal");
	for (size_t i = 0; i < ARRAY_SIZE(menu_signals); i++) {
		(void)snprintf(item, sizeof(item), "%2d %s", menu_signals[i],
			       top_signal_name(menu_signals[i]));
		t->menu_values[i] = menu_signals[i];
		tui_menu_add(&t->menu, item);
	}
}

static void key_menu(struct top *t, int ch)
{
	enum tui_menu_result res = tui_menu_key(&t->menu, ch);
	size_t sel = t->menu.sel;

	if (res != TUI_MENU_PICK && res != TUI_MENU_CANCEL)
		return;
	t->mode = t->back;
	if (res == TUI_MENU_PICK) {
		switch (t->menu_kind) {
		case MENU_SORT:
			vms_view_sort(&t->view, (enum vms_col)t->menu_values[sel], -1);
			break;
		case MENU_USER:
			/* the user filter applies as the listing is read: read it again */
			vms_view_filter_user(&t->view, sel ? t->menu.items[sel] : NULL);
			(void)refresh_list(t);
			break;
		case MENU_SIGNAL:
			t->signal = t->menu_values[sel];
			t->mode = MODE_CONFIRM;
			break;
		}
	}
	tui_menu_clear(&t->menu);
}

/* y: the signal goes, to that process only; anything else: nothing is sent. */
static void key_confirm(struct top *t, int ch)
{
	int r;

	t->mode = MODE_LIST;
	if (ch != 'y' && ch != 'Y') {
		say(t, "nothing sent");
		return;
	}
	r = vms_proc_signal(t->o->root_fd, t->signal_pid, t->signal_start, t->signal);
	if (r == -ESRCH || r == -ENOENT)
		say(t, "process %d is gone: nothing sent", (int)t->signal_pid);
	else if (r < 0)
		say(t, "cannot send %s to process %d: %s", top_signal_name(t->signal),
		    (int)t->signal_pid, strerror(-r));
	else
		say(t, "sent %s to process %d", top_signal_name(t->signal), (int)t->signal_pid);
	(void)refresh_list(t);
}

static void start_filter(struct top *t)
{
	strbuf_reset(&t->filter);
	if (t->view.filter.pattern)
		strbuf_addstr(&t->filter, t->view.filter.pattern);
	free(t->filter_before);
	t->filter_before = t->view.filter.pattern ? xstrdup(t->view.filter.pattern) : NULL;
	t->filter_bad = false;
	t->mode = MODE_FILTER;
}

static void key_filter(struct top *t, int ch)
{
	switch (tui_line_key(&t->filter, ch)) {
	case TUI_LINE_CANCEL:
		(void)vms_view_filter_pattern(&t->view, t->filter_before, false);
		t->mode = MODE_LIST;
		return;
	case TUI_LINE_DONE:
		/* not the last pattern that compiled while typed: the one before */
		if (t->filter_bad) {
			(void)vms_view_filter_pattern(&t->view, t->filter_before, false);
			say(t, "not a valid regular expression: the filter is what it was");
		}
		t->mode = MODE_LIST;
		return;
	case TUI_LINE_EDITED:
		/* applied while typed, the way a search narrows as one types */
		t->filter_bad = vms_view_filter_pattern(&t->view, t->filter.buf, false) < 0;
		return;
	case TUI_LINE_IGNORED:
		return;
	}
}

/* F3 in the search: the next match; typing: the first match from the selection. */
static void key_search(struct top *t, int ch)
{
	if (ch == KEY_F(3)) {
		t->search_missed = !vms_view_search(&t->view, t->search.buf, true);
		return;
	}
	switch (tui_line_key(&t->search, ch)) {
	case TUI_LINE_CANCEL:
	case TUI_LINE_DONE:
		t->mode = MODE_LIST;
		return;
	case TUI_LINE_EDITED:
		t->search_missed = t->search.len && !vms_view_search(&t->view, t->search.buf, false);
		return;
	case TUI_LINE_IGNORED:
		return;
	}
}

static void toggle_tree(struct top *t)
{
	if (t->view.by != VMS_GROUP_NONE) {
		say(t, "the tree is one of processes: it shows without --by");
		return;
	}
	vms_view_set_tree(&t->view, !t->view.tree);
	say(t, t->view.tree ? "tree: each process under its parent; TREEPSS sums each subtree"
			    : "tree off");
}

static void open_selected(struct top *t)
{
	const struct vms_row *r = vms_view_selected(&t->view);

	if (r && r->pid > 0)
		open_process(t, r->pid);
	else if (r)
		say(t, "a group has no single layout: list by process to open one");
}

/* The keys of the table that are not a sort letter; true if handled. */
static bool list_command_key(struct top *t, int ch)
{
	switch (ch) {
	case KEY_F(3):
	case '/':
		strbuf_reset(&t->search);
		t->search_missed = false;
		t->mode = MODE_SEARCH;
		return true;
	case KEY_F(4):
	case '\\':
		start_filter(t);
		return true;
	case KEY_F(5):
	case 't':
		toggle_tree(t);
		return true;
	case KEY_F(6):
		menu_sort(t);
		return true;
	case '<':
	case '>':
		vms_view_sort_step(&t->view, t->table.cols, t->table.n, ch == '>' ? 1 : -1);
		return true;
	case 'I':
		vms_view_sort(&t->view, t->view.sort, !t->view.desc);
		return true;
	case 'M': /* htop: memory */
		vms_view_sort(&t->view, VMS_COL_PSS, 1);
		return true;
	case 'N': /* htop: pid */
		vms_view_sort(&t->view, VMS_COL_PID, 0);
		return true;
	case 'P': /* htop: CPU, and T: time */
	case 'T':
		say(t, "vmscope shows memory, not CPU or time: M sorts by PSS, F6 picks a column");
		return true;
	case 'u':
		menu_user(t);
		return true;
	case KEY_F(9):
	case 'k':
		menu_signal(t);
		return true;
	case '\r':
	case '\n':
	case KEY_ENTER:
		open_selected(t);
		return true;
	case KEY_MOUSE:
		mouse_list(t);
		return true;
	}
	return false;
}

static void key_list(struct top *t, int ch)
{
	int page = LINES - TOP_HEADER_LINES - 2 > 1 ? LINES - TOP_HEADER_LINES - 2 : 1;

	switch (ch) {
	case KEY_UP:
		vms_view_move(&t->view, -1);
		return;
	case KEY_DOWN:
		vms_view_move(&t->view, 1);
		return;
	case KEY_PPAGE:
		vms_view_move(&t->view, -page);
		return;
	case KEY_NPAGE:
		vms_view_move(&t->view, page);
		return;
	case KEY_HOME:
		vms_view_home(&t->view);
		return;
	case KEY_END:
		vms_view_end(&t->view);
		return;
	case KEY_LEFT:
	case KEY_RIGHT:
		vms_view_hscroll(&t->view, ch == KEY_RIGHT ? 8 : -8);
		return;
	}
	if (list_command_key(t, ch))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++)
		if (sort_keys[i].key == ch) {
			vms_view_sort_toggle(&t->view, sort_keys[i].col);
			return;
		}
}

static void key_process(struct top *t, int ch)
{
	int page = LINES - 2 > 1 ? LINES - 2 : 1;

	switch (ch) {
	case TUI_KEY_ESCAPE:
	case KEY_LEFT:
	case KEY_BACKSPACE:
		if (t->o->watch_pid > 0)
			return;
		t->mode = MODE_LIST;
		vms_snapshot_free(t->snap);
		t->snap = NULL;
		(void)refresh_list(t);
		return;
	case KEY_UP:
	case 'k':
		if (t->pscroll > 0)
			t->pscroll--;
		return;
	case KEY_DOWN:
	case 'j':
		t->pscroll++;
		return;
	case KEY_PPAGE:
		t->pscroll = t->pscroll > (size_t)page ? t->pscroll - (size_t)page : 0;
		return;
	case KEY_NPAGE:
		t->pscroll += (size_t)page;
		return;
	case KEY_HOME:
		t->pscroll = 0;
		return;
	case KEY_END:
		t->pscroll = (size_t)-1 / 2;
		return;
	}
}

static void handle_key(struct top *t, int ch)
{
	switch (t->mode) {
	case MODE_FILTER:
		key_filter(t, ch);
		return;
	case MODE_SEARCH:
		key_search(t, ch);
		return;
	case MODE_MENU:
		if (ch != KEY_RESIZE && ch != KEY_MOUSE)
			key_menu(t, ch);
		return;
	case MODE_CONFIRM:
		if (ch != KEY_RESIZE && ch != KEY_MOUSE)
			key_confirm(t, ch);
		return;
	case MODE_HELP:
		if (ch != KEY_RESIZE && ch != KEY_MOUSE)
			t->mode = t->back;
		return;
	case MODE_LIST:
	case MODE_PROCESS:
		break;
	}
	t->msg[0] = '\0';
	if (common_key(t, ch))
		return;
	if (t->mode == MODE_LIST)
		key_list(t, ch);
	else
		key_process(t, ch);
}

static int top_init(struct top *t, const struct tui_top_options *o)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->o = o;
	t->interval_ms = o->interval_ms ? o->interval_ms : 2000;
	t->cg_fd = -1;
	vms_plist_init(&t->lists[0]);
	vms_plist_init(&t->lists[1]);
	vms_view_init(&t->view, o->by);
	vms_view_filter_user(&t->view, o->user);
	vms_view_filter_name(&t->view, o->name);
	if (vms_view_filter_pattern(&t->view, o->match, o->full) < 0)
		return -EINVAL;
	vms_view_sort(&t->view, o->sort >= 0 ? (enum vms_col)o->sort : VMS_COL_PSS, -1);
	if (o->reverse)
		vms_view_sort(&t->view, t->view.sort, !t->view.desc);
	strbuf_init(&t->filter);
	strbuf_init(&t->search);
	canvas_init(&t->pcv, 80);
	t->cache = vms_elf_cache_new();
	if (o->by == VMS_GROUP_CGROUP && o->live)
		t->cg_fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = vms_lister_new(o->root_fd, o->live,
			   (o->kernel ? VMS_LIST_KERNEL : 0) | (o->by == VMS_GROUP_CGROUP ? VMS_LIST_CGROUP : 0),
			   &t->lister);
	if (r < 0)
		return r;
	return vms_lister_keep(t->lister, vms_lister_fd_budget());
}

static void top_release(struct top *t)
{
	vms_lister_free(t->lister);
	vms_plist_release(&t->lists[0]);
	vms_plist_release(&t->lists[1]);
	vms_view_release(&t->view);
	strbuf_release(&t->filter);
	strbuf_release(&t->search);
	tui_menu_clear(&t->menu);
	free(t->filter_before);
	vms_snapshot_free(t->snap);
	vms_elf_cache_free(t->cache);
	canvas_release(&t->pcv);
	if (t->cg_fd >= 0)
		close(t->cg_fd);
}

int tui_top_once(const struct tui_top_options *o, FILE *out, unsigned width)
{
	struct top t;
	struct canvas cv;
	int r;

	r = top_init(&t, o);
	if (r < 0) {
		top_release(&t);
		return r;
	}
	/* two listings an interval apart, so that rates are rates */
	r = refresh_list(&t);
	if (r >= 0) {
		struct timespec ts = { t.interval_ms / 1000, (long)(t.interval_ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		r = refresh_list(&t);
	}
	if (r >= 0) {
		/* no width: the command lines whole (ptable_layout) */
		ptable_layout(&t.table, &t.view, width, top_table_flags(&t));
		canvas_init(&cv, t.table.width);
		cv.ascii = o->ascii;
		top_header_memory(&t, &cv);
		top_header_table(&t, &cv, false);
		ptable_draw_header(&t.table, &t.view, &cv, canvas_add_row(&cv));
		for (size_t i = 0; i < t.view.n_vis; i++)
			ptable_draw_row(&t.table, &t.view, vms_view_row(&t.view, i), &cv,
					canvas_add_row(&cv));
		r = canvas_write(&cv, out, o->color);
		canvas_release(&cv);
	}
	top_release(&t);
	return r;
}

int tui_top_run(const struct tui_top_options *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct top t;
	int64_t next;
	int r;

	r = top_init(&t, o);
	if (r < 0) {
		top_release(&t);
		return r;
	}
	if (o->watch_pid > 0) {
		t.pid = o->watch_pid;
		r = refresh_process(&t);
		if (r < 0) {
			top_release(&t);
			return r;
		}
		t.mode = MODE_PROCESS;
	} else {
		r = refresh_list(&t);
		if (r < 0) {
			top_release(&t);
			return r;
		}
	}
	r = screen_open(o->color);
	if (r < 0) {
		top_release(&t);
		return r;
	}
	/* no SA_RESTART: a signal ends the wait for a key */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	next = mono_ms() + t.interval_ms;
	top_draw(&t);
	while (!t.quit && !got_signal) {
		int64_t wait = next - mono_ms();
		int ch;

		timeout(wait < 0 ? 0 : wait > 1000000 ? 1000000 : (int)wait);
		ch = getch();
		if (got_signal)
			break;
		if (ch == ERR) {
			if (mono_ms() >= next) {
				if (!t.paused)
					top_refresh(&t);
				next = mono_ms() + t.interval_ms;
			}
		} else {
			unsigned before = t.interval_ms;

			handle_key(&t, ch);
			if (t.interval_ms != before)
				next = mono_ms() + t.interval_ms;
		}
		if (!t.quit)
			top_draw(&t);
	}
	screen_close();
	if (t.status && t.msg[0])
		fprintf(stderr, "vmscope: %s\n", t.msg);
	r = t.status;
	top_release(&t);
	return r;
}
