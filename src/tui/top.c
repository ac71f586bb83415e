/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live views: the process table (vmscope top) and the layout of one
 * process (Enter, or vmscope watch). What is shown is drawn into canvases
 * by curses-free code (the table, the report); this file only reads keys,
 * keeps time and copies canvases to the screen.
 */
#include "config.h"

#include "tui/top.h"

#include <curses.h>
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

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "tui/ptable.h"
#include "tui/reportcanvas.h"
#include "tui/screen.h"
#include "vmscope/elf.h"
#include "vmscope/list.h"
#include "vmscope/model.h"
#include "vmscope/report.h"

#define HEADER_LINES 3
#define CTRL(c) ((c) & 0x1f)
#define KEY_ESCAPE 27

static const unsigned intervals_ms[] = { 250, 500, 1000, 2000, 3000, 5000, 10000 };

enum mode { MODE_LIST, MODE_PROCESS, MODE_HELP, MODE_FILTER };

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
	enum mode mode, back; /* back: the mode help and filter return to */
	struct strbuf filter;  /* being typed */
	char *filter_before;   /* restored by Esc */
	bool filter_bad;
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

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* Drawing */

static void header_memory(struct top *t, struct canvas *cv)
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

static void header_table(struct top *t, struct canvas *cv, bool live_view)
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
	canvas_put_text(cv, 0, y, sb.buf, sb.len, cv->width, 0, CANVAS_PLAIN);
	strbuf_release(&sb);
}

static unsigned table_flags(const struct top *t)
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
	int rows = LINES - HEADER_LINES - 2;
	unsigned width = COLS > 0 ? (unsigned)COLS : 80;

	if (rows < 1)
		rows = 1;
	vms_view_set_height(&t->view, (size_t)rows);
	ptable_layout(&t->table, &t->view, width, table_flags(t));
	canvas_init(&cv, width);
	{
		size_t y = canvas_add_row(&cv);
		char title[128];

		(void)snprintf(title, sizeof(title), "vmscope top   %zu of %zu %s%s", t->view.n_vis,
			       t->view.n_rows, vms_group_to_string(t->view.by),
			       t->view.by == VMS_GROUP_NONE ? "es" : "s");
		canvas_put_str(&cv, 0, y, title, width, 0, CANVAS_BOLD);
	}
	header_memory(t, &cv);
	header_table(t, &cv, true);
	t->table_y = HEADER_LINES;
	ptable_draw_header(&t->table, &t->view, &cv, canvas_add_row(&cv));
	for (int i = 0; i < rows; i++) {
		size_t y = canvas_add_row(&cv);

		if (t->view.top + (size_t)i < t->view.n_vis)
			ptable_draw_row(&t->table, &t->view, vms_view_row(&t->view, t->view.top + (size_t)i),
					&cv, y);
	}
	screen_put_canvas(&cv, 0, 0, (int)cv.height, 0,
			  t->view.n_vis ? HEADER_LINES + 1 + (t->view.sel - t->view.top) : (size_t)-1);
	canvas_release(&cv);
	draw_status(t, t->view.by == VMS_GROUP_NONE
			       ? "q quit  ? help  / filter  Enter layout  s/r/u/p/c sort  +/- interval  space pause"
			       : "q quit  ? help  / filter  s/r/u/n/c sort  +/- interval  space pause");
}

static void draw_process(struct top *t)
{
	struct vms_report_options ro = { .width = COLS > 80 ? (unsigned)COLS : 80 };
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
			       ? "q quit  ? help  up/down/PgUp/PgDn scroll  +/- interval  space pause"
			       : "Esc back  q quit  ? help  up/down/PgUp/PgDn scroll  +/- interval  space pause");
}

static const char *const help_text[] = {
	"vmscope top: keys",
	"",
	"  up/down, PgUp/PgDn, Home/End   select a process (also a mouse click)",
	"  Enter       the live layout of the selected process; Esc goes back",
	"  p u c       sort by pid, user, command",
	"  v r d       sort by VSZ, RSS, RSS change",
	"  s U w W     sort by PSS, USS, swap, SwapPss",
	"  f F n       sort by minor, major fault rate, processes in a group",
	"  o           sort by OOM score (a group's highest)",
	"              the same key again reverses; a click on a column header sorts too",
	"  /           filter: a regular expression on the name (Enter keeps; Esc restores the last)",
	"  + -         refresh more or less often",
	"  space       pause",
	"  q, Ctrl-C   quit",
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

static void draw_filter(struct top *t)
{
	draw_list(t);
	move(LINES - 1, 0);
	clrtoeol();
	attrset(A_BOLD);
	addstr("filter: /");
	attrset(A_NORMAL);
	addnstr(t->filter.buf, (int)t->filter.len);
	if (t->filter_bad) {
		attrset(A_DIM);
		addstr("   (not a valid regular expression yet)");
		attrset(A_NORMAL);
	}
}

static void draw(struct top *t)
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
		draw_filter(t);
		break;
	}
	refresh();
}

/* Keys */

static const struct {
	int key;
	enum vms_col col;
} sort_keys[] = {
	{ 'p', VMS_COL_PID },        { 'u', VMS_COL_USER },       { 'c', VMS_COL_COMMAND },
	{ 'v', VMS_COL_VSZ },        { 'r', VMS_COL_RSS },        { 'd', VMS_COL_RSS_DELTA },
	{ 's', VMS_COL_PSS },        { 'U', VMS_COL_USS },        { 'w', VMS_COL_SWAP },
	{ 'W', VMS_COL_SWAP_PSS },   { 'f', VMS_COL_MINFLT_RATE }, { 'F', VMS_COL_MAJFLT_RATE },
	{ 'n', VMS_COL_COUNT },      { 'o', VMS_COL_OOM_SCORE },
};

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
	case CTRL('c'):
		t->quit = true;
		return true;
	case '+':
	case '=':
		change_interval(t, -1);
		return true;
	case '-':
		change_interval(t, 1);
		return true;
	case ' ':
		t->paused = !t->paused;
		say(t, t->paused ? "paused (space resumes)" : "resumed");
		return true;
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

static void key_list(struct top *t, int ch)
{
	int page = LINES - HEADER_LINES - 2 > 1 ? LINES - HEADER_LINES - 2 : 1;

	switch (ch) {
	case KEY_UP:
	case 'k':
		vms_view_move(&t->view, -1);
		return;
	case KEY_DOWN:
	case 'j':
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
	case '/':
		strbuf_reset(&t->filter);
		if (t->view.filter.pattern)
			strbuf_addstr(&t->filter, t->view.filter.pattern);
		free(t->filter_before);
		t->filter_before = t->view.filter.pattern ? xstrdup(t->view.filter.pattern) : NULL;
		t->filter_bad = false;
		t->mode = MODE_FILTER;
		return;
	case '\r':
	case '\n':
	case KEY_ENTER: {
		const struct vms_row *r = vms_view_selected(&t->view);

		if (r && r->pid > 0)
			open_process(t, r->pid);
		else if (r)
			say(t, "a group has no single layout: list by process to open one");
		return;
	}
	case KEY_MOUSE:
		mouse_list(t);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++)
		if (sort_keys[i].key == ch) {
			vms_view_sort_toggle(&t->view, sort_keys[i].col);
			return;
		}
}

static void key_filter(struct top *t, int ch)
{
	switch (ch) {
	case KEY_ESCAPE:
		(void)vms_view_filter_pattern(&t->view, t->filter_before, false);
		t->mode = MODE_LIST;
		return;
	case '\r':
	case '\n':
	case KEY_ENTER:
		if (t->filter_bad)
			say(t, "not a valid regular expression: the filter is what it was");
		t->mode = MODE_LIST;
		return;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (t->filter.len > 0)
			strbuf_setlen(&t->filter, t->filter.len - 1);
		break;
	case CTRL('u'): /* the whole line, as in a shell */
		strbuf_reset(&t->filter);
		break;
	default:
		if (ch < 0x20 || ch > 0x7e)
			return;
		if (t->filter.len < 200)
			strbuf_addch(&t->filter, (char)ch);
		break;
	}
	/* applied while typed, the way a search narrows as one types */
	t->filter_bad = vms_view_filter_pattern(&t->view, t->filter.buf, false) < 0;
}

static void key_process(struct top *t, int ch)
{
	int page = LINES - 2 > 1 ? LINES - 2 : 1;

	switch (ch) {
	case KEY_ESCAPE:
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
	if (t->mode == MODE_FILTER) {
		key_filter(t, ch);
		return;
	}
	if (t->mode == MODE_HELP) {
		if (ch != KEY_RESIZE && ch != KEY_MOUSE)
			t->mode = t->back;
		return;
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
		ptable_layout(&t.table, &t.view, width, table_flags(&t));
		canvas_init(&cv, width);
		header_memory(&t, &cv);
		header_table(&t, &cv, false);
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

	next = now_ms() + t.interval_ms;
	draw(&t);
	while (!t.quit && !got_signal) {
		int64_t wait = next - now_ms();
		int ch;

		timeout(wait < 0 ? 0 : wait > 1000000 ? 1000000 : (int)wait);
		ch = getch();
		if (got_signal)
			break;
		if (ch == ERR) {
			if (now_ms() >= next) {
				if (!t.paused)
					top_refresh(&t);
				next = now_ms() + t.interval_ms;
			}
		} else {
			unsigned before = t.interval_ms;

			handle_key(&t, ch);
			if (t.interval_ms != before)
				next = now_ms() + t.interval_ms;
		}
		if (!t.quit)
			draw(&t);
	}
	screen_close();
	if (t.status && t.msg[0])
		fprintf(stderr, "vmscope: %s\n", t.msg);
	r = t.status;
	top_release(&t);
	return r;
}
