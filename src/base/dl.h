/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries loaded when a command first needs them (dlopen), not at the
 * start of every command: curses by the live view (src/tui/curses.c),
 * json-c by the readers of JSON (src/json/jsonc.c). Each keeps a table of
 * pointers named after the library's functions and loads it once.
 */
#ifndef VMSCOPE_BASE_DL_H
#define VMSCOPE_BASE_DL_H

#include <stddef.h>

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

#endif
