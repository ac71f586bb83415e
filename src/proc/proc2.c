/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libproc2, loaded on first use: see proc2.h. */
#include "config.h"

#include "proc/proc2.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

/* The soname the package's libproc2-0 installs (libproc2-dev's link points to it). */
#define PROC2_SONAME "libproc2.so.0"

struct proc2_load {
	pthread_once_t once;
	struct proc2 fn;
	int error;
	const char *why;
};

/* One load for the process: the library stays mapped until it exits. */
static struct proc2_load proc2_load = { .once = PTHREAD_ONCE_INIT };

static void proc2_open(void)
{
	struct proc2_load *l = &proc2_load;
	void *h = dlopen(PROC2_SONAME, RTLD_NOW | RTLD_LOCAL);

	l->error = -ELIBACC;
	if (!h) {
		l->why = dlerror();
		return;
	}
	/* POSIX's dlsym returns an object pointer: cast through the union of
	 * both, as its rationale says to */
	*(void **)&l->fn.pids_new = dlsym(h, "procps_pids_new");
	*(void **)&l->fn.pids_unref = dlsym(h, "procps_pids_unref");
	*(void **)&l->fn.pids_reap = dlsym(h, "procps_pids_reap");
	*(void **)&l->fn.pids_select = dlsym(h, "procps_pids_select");
	if (!l->fn.pids_new || !l->fn.pids_unref || !l->fn.pids_reap || !l->fn.pids_select) {
		l->why = "libproc2.so.0 lacks a procps_pids function";
		dlclose(h);
		return;
	}
	l->error = 0;
}

int proc2_get(const struct proc2 **ret, const char **ret_why)
{
	pthread_once(&proc2_load.once, proc2_open);
	if (proc2_load.error) {
		if (ret_why)
			*ret_why = proc2_load.why;
		return proc2_load.error;
	}
	*ret = &proc2_load.fn;
	return 0;
}
