/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The curses library, loaded when the live view starts: see curses.h. */
#include "config.h"

#define CURSES_LOADER
#include "tui/curses.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

struct curses_api curses_api;

static pthread_once_t curses_once = PTHREAD_ONCE_INIT;
static int curses_error;
static const char *curses_why;

/* One symbol of h into *slot; false when the library lacks it. */
static bool find(void *h, const char *name, void **slot)
{
	*slot = dlsym(h, name);
	return *slot != NULL;
}

static void curses_open(void)
{
	void *h = dlopen(CURSES_SONAME, RTLD_NOW | RTLD_LOCAL);
	bool ok = true;

	curses_error = -ELIBACC;
	if (!h) {
		curses_why = dlerror();
		return;
	}
	/* POSIX's dlsym returns an object pointer: stored through one, as its
	 * rationale says to; tinfo's names come through ncursesw's needs */
#define CURSES_FIND(name) ok = find(h, #name, (void **)&curses_api.name) && ok;
	CURSES_FUNCTIONS(CURSES_FIND)
#undef CURSES_FIND
	ok = find(h, "stdscr", (void **)&curses_api.stdscr_) && ok;
	ok = find(h, "cur_term", (void **)&curses_api.cur_term_) && ok;
	ok = find(h, "COLS", (void **)&curses_api.cols_) && ok;
	ok = find(h, "LINES", (void **)&curses_api.lines_) && ok;
	if (!ok) {
		curses_why = CURSES_SONAME " lacks a function or variable of curses";
		dlclose(h);
		return;
	}
	curses_error = 0;
}

int curses_load(const char **ret_why)
{
	pthread_once(&curses_once, curses_open);
	if (curses_error && ret_why)
		*ret_why = curses_why;
	return curses_error;
}
