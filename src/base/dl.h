/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries loaded when a command first needs them (dlopen), not at the
 * start of every command: curses by the live view (src/tui/curses.c),
 * json-c by the readers of JSON (src/json/jsonc.c). Each keeps a table of
 * pointers named after the library's functions, filled once (dl_library).
 */
#ifndef VMSCOPE_BASE_DL_H
#define VMSCOPE_BASE_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/xalloc.h"

/* One name of the library and where its address goes. */
struct dl_symbol {
	const char *name;
	void **slot;
};

/*
 * dlopen(soname, RTLD_NOW | RTLD_LOCAL) and every symbol of syms into its
 * slot. Returns 0, or -ELIBACC with *ret_why set: dlerror's words, or
 * lacking when the library has not every name (it is closed again then).
 */
int dl_open_symbols(const char *soname, const struct dl_symbol *syms, size_t n,
		    const char *lacking, const char **ret_why);

/* A library loaded once for the process, by whichever thread asks first. */
struct dl_library {
	const char *soname;
	const struct dl_symbol *symbols;
	size_t n_symbols;
	const char *lacking; /* the words when a name is missing */
	pthread_mutex_t lock;
	bool tried;
	int error; /* of the one try */
	const char *why;
};

/* A struct dl_library of the library soname_ and the names of symbols_ (an
 * array), with lacking_ the words for a missing name. */
#define DL_LIBRARY(soname_, symbols_, lacking_)                                          \
	{ .soname = (soname_), .symbols = (symbols_), .n_symbols = ARRAY_SIZE(symbols_), \
	  .lacking = (lacking_), .lock = PTHREAD_MUTEX_INITIALIZER }

/*
 * Loads lib the first time (dl_open_symbols), and says how that went every
 * time after: 0, or -ELIBACC with *ret_why (if ret_why is not NULL) set.
 */
int dl_library_load(struct dl_library *lib, const char **ret_why);

#endif
