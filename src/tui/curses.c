/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The curses library, loaded when the live view starts: see curses.h. */
#include "config.h"

#define CURSES_LOADER
#include "tui/curses.h"

#include <pthread.h>

#include "base/dl.h"
#include "base/xalloc.h"

struct curses_api curses_api;

static pthread_once_t curses_once = PTHREAD_ONCE_INIT;
static int curses_error;
static const char *curses_why;

static void curses_open(void)
{
	/* tinfo's names come through ncursesw's needs */
	static const struct dl_symbol symbols[] = {
#define CURSES_SYMBOL(name) { #name, (void **)&curses_api.name },
		CURSES_FUNCTIONS(CURSES_SYMBOL)
#undef CURSES_SYMBOL
		{ "stdscr", (void **)&curses_api.stdscr_ },
		{ "cur_term", (void **)&curses_api.cur_term_ },
		{ "COLS", (void **)&curses_api.cols_ },
		{ "LINES", (void **)&curses_api.lines_ },
	};

	curses_error = dl_open_symbols(CURSES_SONAME, symbols, ARRAY_SIZE(symbols),
				       CURSES_SONAME " lacks a function or variable of curses",
				       &curses_why);
}

int curses_load(const char **ret_why)
{
	pthread_once(&curses_once, curses_open);
	if (curses_error && ret_why)
		*ret_why = curses_why;
	return curses_error;
}
