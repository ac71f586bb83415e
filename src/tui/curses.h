/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The curses library, loaded by the live view when it starts (dlopen), as
 * libproc2 is by the listers: ncursesw and tinfo bind all their ~500
 * symbols when they are loaded, 0.19 ms that every report paid before it
 * drew a line, for `top` alone. The screens include this instead of
 * <curses.h> and <term.h>: the names they use are the loaded library's.
 */
#ifndef VMSCOPE_TUI_CURSES_H
#define VMSCOPE_TUI_CURSES_H

#include <curses.h>
#include <term.h>

/* The soname of the package's libncursesw6 (libncurses-dev's link points to it). */
#define CURSES_SONAME "libncursesw.so.6"

/* Each function the screens call, by its name in the library. */
#define CURSES_FUNCTIONS(X)                                                                        \
	X(cbreak) X(curs_set) X(del_curterm) X(endwin) X(getmouse) X(has_colors) X(init_pair)     \
	X(keypad) X(mouseinterval) X(mousemask) X(mvprintw) X(newterm) X(noecho) X(nonl)           \
	X(set_curterm) X(set_escdelay) X(setupterm) X(start_color) X(tigetstr)                     \
	X(use_default_colors) X(waddnstr) X(wattrset) X(wclrtoeol) X(werase) X(wgetch) X(whline)   \
	X(wmove) X(wrefresh) X(wtimeout)

struct curses_api {
#define CURSES_POINTER(name) __typeof__(name) *name;
	CURSES_FUNCTIONS(CURSES_POINTER)
#undef CURSES_POINTER
	/* the library's variables the screens read */
	__typeof__(stdscr) *stdscr_;
	__typeof__(cur_term) *cur_term_;
	__typeof__(COLS) *cols_;
	__typeof__(LINES) *lines_;
};

extern struct curses_api curses_api;

/*
 * Loads the library once for the process (it stays mapped until the exit).
 * Returns 0, or -ELIBACC with *ret_why saying why (dlerror's words).
 */
int curses_load(const char **ret_why);

/* the names redirected, but in the loader (which names the members) */
#ifndef CURSES_LOADER
#undef cbreak
#define cbreak (*curses_api.cbreak)
#undef curs_set
#define curs_set (*curses_api.curs_set)
#undef del_curterm
#define del_curterm (*curses_api.del_curterm)
#undef endwin
#define endwin (*curses_api.endwin)
#undef getmouse
#define getmouse (*curses_api.getmouse)
#undef has_colors
#define has_colors (*curses_api.has_colors)
#undef init_pair
#define init_pair (*curses_api.init_pair)
#undef keypad
#define keypad (*curses_api.keypad)
#undef mouseinterval
#define mouseinterval (*curses_api.mouseinterval)
#undef mousemask
#define mousemask (*curses_api.mousemask)
#undef mvprintw
#define mvprintw (*curses_api.mvprintw)
#undef newterm
#define newterm (*curses_api.newterm)
#undef noecho
#define noecho (*curses_api.noecho)
#undef nonl
#define nonl (*curses_api.nonl)
#undef set_curterm
#define set_curterm (*curses_api.set_curterm)
#undef set_escdelay
#define set_escdelay (*curses_api.set_escdelay)
#undef setupterm
#define setupterm (*curses_api.setupterm)
#undef start_color
#define start_color (*curses_api.start_color)
#undef tigetstr
#define tigetstr (*curses_api.tigetstr)
#undef use_default_colors
#define use_default_colors (*curses_api.use_default_colors)
#undef waddnstr
#define waddnstr (*curses_api.waddnstr)
#undef wattrset
#define wattrset (*curses_api.wattrset)
#undef wclrtoeol
#define wclrtoeol (*curses_api.wclrtoeol)
#undef werase
#define werase (*curses_api.werase)
#undef wgetch
#define wgetch (*curses_api.wgetch)
#undef whline
#define whline (*curses_api.whline)
#undef wmove
#define wmove (*curses_api.wmove)
#undef wrefresh
#define wrefresh (*curses_api.wrefresh)
#undef wtimeout
#define wtimeout (*curses_api.wtimeout)
#undef stdscr
#define stdscr (*curses_api.stdscr_)
#undef cur_term
#define cur_term (*curses_api.cur_term_)
#undef COLS
#define COLS (*curses_api.cols_)
#undef LINES
#define LINES (*curses_api.lines_)
#endif

#endif
