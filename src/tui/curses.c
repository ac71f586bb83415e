/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The curses library, loaded when the live view starts: see curses.h. */
#include "config.h"

#define CURSES_LOADER
#include "tui/curses.h"

#include "base/dl.h"

struct curses_api curses_api;

/* tinfo's names come through ncursesw's needs */
static const struct dl_symbol curses_symbols[] = {
#define CURSES_SYMBOL(name) { #name, (void **)&curses_api.name },
	CURSES_FUNCTIONS(CURSES_SYMBOL)
#undef CURSES_SYMBOL
	{ "stdscr", (void **)&curses_api.stdscr_ },
	{ "cur_term", (void **)&curses_api.cur_term_ },
	{ "COLS", (void **)&curses_api.cols_ },
	{ "LINES", (void **)&curses_api.lines_ },
};

static struct dl_library curses_library =
	DL_LIBRARY(CURSES_SONAME, curses_symbols,
		   CURSES_SONAME " lacks a function or variable of curses");

int curses_load(const char **ret_why)
{
	return dl_library_load(&curses_library, ret_why);
}
