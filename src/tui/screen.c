/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only file besides the views that talks to curses. The die hook ends
 * curses before an out-of-memory message, so the shell is never left in raw
 * mode.
 */
#include "config.h"

#include "tui/screen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "tui/curses.h"

static bool screen_is_open;
static bool screen_color;

/*
 * Run by die_oom only, when an allocation fails while the screen is open:
 * no test forces that (test-size.sh's limit is met before a screen opens),
 * so coverage.sh shows this function unrun.
 */
static void screen_die_hook(void)
{
	screen_close();
}

/* A color pair per canvas class, on the terminal's own background. */
static const struct {
	short fg;
	attr_t attr;
} class_look[CANVAS__MAX] = {
	[CANVAS_PLAIN] = { -1, A_NORMAL },     [CANVAS_BOLD] = { -1, A_BOLD },
	[CANVAS_DIM] = { -1, A_DIM },          [CANVAS_WARN] = { COLOR_YELLOW, A_BOLD },
	[CANVAS_CODE] = { COLOR_BLUE, A_NORMAL }, [CANVAS_DATA] = { COLOR_CYAN, A_NORMAL },
	[CANVAS_HEAP] = { COLOR_GREEN, A_NORMAL }, [CANVAS_STACK] = { COLOR_MAGENTA, A_NORMAL },
	[CANVAS_ANON] = { COLOR_YELLOW, A_NORMAL }, [CANVAS_FILE] = { COLOR_WHITE, A_NORMAL },
	[CANVAS_SHM] = { COLOR_MAGENTA, A_BOLD },   [CANVAS_SPECIAL] = { -1, A_DIM },
};

int screen_usable(const char **ret_why)
{
	const char *term = getenv("TERM");
	TERMINAL *saved, *probe;
	const char *cup;
	bool moves;
	int err = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	if (!term || !*term)
		return -ENOENT;
	err = curses_load(ret_why);
	if (err < 0)
		return err;
	saved = cur_term;
	/* curses's own answer: setupterm on a throwaway, never the screen's */
	if (setupterm(term, STDOUT_FILENO, &err) != OK) {
		set_curterm(saved);
		return -EINVAL;
	}
	cup = tigetstr("cup");
	moves = cup && cup != (const char *)-1;
	probe = set_curterm(saved);
	del_curterm(probe);
	return moves ? 0 : -EOPNOTSUPP;
}

int screen_open(bool color)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	if (!newterm(NULL, stdout, stdin))
		return -ENOTTY;
	die_set_hook(screen_die_hook);
	screen_is_open = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	screen_color = color && has_colors();
	if (screen_color) {
		start_color();
		use_default_colors();
		for (short c = 1; c < CANVAS__MAX; c++)
			init_pair(c, class_look[c].fg, -1);
	}
	return 0;
}

void screen_close(void)
{
	if (!screen_is_open)
		return;
	screen_is_open = false;
	die_set_hook(NULL);
	curs_set(1);
	endwin();
	fflush(stdout);
}

static attr_t class_attr(unsigned cls)
{
	if (cls >= CANVAS__MAX)
		return A_NORMAL;
	if (!screen_color)
		return cls == CANVAS_BOLD || cls == CANVAS_WARN ? A_BOLD
		       : cls == CANVAS_DIM			 ? A_DIM
								 : A_NORMAL;
	return class_look[cls].attr | (cls ? COLOR_PAIR(cls) : 0);
}

void screen_put_canvas(const struct canvas *cv, size_t first, int y, int rows, unsigned xoff,
		       size_t highlight)
{
	int cols = COLS;

	for (int i = 0; i < rows; i++) {
		size_t row = first + (size_t)i;
		attr_t extra = row == highlight ? A_REVERSE : A_NORMAL;
		int x = 0;

		move(y + i, 0);
		if (row >= cv->height) {
			clrtoeol();
			continue;
		}
		for (unsigned cx = xoff; cx < cv->width && x < cols; cx++, x++) {
			const struct canvas_cell *c = canvas_cell(cv, cx, row);

			if (c->len == 0)
				continue; /* the right half of a wide glyph */
			attrset(class_attr(c->cls) | extra);
			addnstr(c->glyph, c->len);
		}
		attrset(extra);
		if (x < cols) {
			/* hline neither wraps nor moves: the highlight runs to the edge */
			if (extra)
				hline(' ', cols - x);
			else
				clrtoeol();
		}
		attrset(A_NORMAL);
	}
}
