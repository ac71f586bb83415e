/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Libraries loaded when first needed: see dl.h. */
#include "config.h"

#include "base/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

int dl_open_symbols(const char *soname, const struct dl_symbol *syms, size_t n,
		    const char *lacking, const char **ret_why)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	bool ok = true;

	if (!h) {
		*ret_why = dlerror();
		return -ELIBACC;
	}
	/* POSIX's dlsym returns an object pointer: stored through one, as its
	 * rationale says to */
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		ok = ok && *syms[i].slot;
	}
	if (!ok) {
		*ret_why = lacking;
		dlclose(h);
		return -ELIBACC;
	}
	return 0;
}

int dl_library_load(struct dl_library *lib, const char **ret_why)
{
	int r;

	pthread_mutex_lock(&lib->lock);
	if (!lib->tried) {
		lib->error = dl_open_symbols(lib->soname, lib->symbols, lib->n_symbols,
					     lib->lacking, &lib->why);
		lib->tried = true;
	}
	r = lib->error;
	if (r < 0 && ret_why)
		*ret_why = lib->why;
	pthread_mutex_unlock(&lib->lock);
	return r;
}
