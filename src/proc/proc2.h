/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libproc2, loaded when a lister first needs it (list, top, serve) rather
 * than linked: it brings libsystemd and with it libgcrypt, libgpg-error,
 * lz4, zstd, lzma and libcap, 8 shared objects that a one-process command
 * would map for nothing, lowering the PSS of every process that maps them
 * while it runs. Only src/proc/list*.c call it.
 */
#ifndef VMSCOPE_PROC_PROC2_H
#define VMSCOPE_PROC_PROC2_H

#include <libproc2/pids.h>

/* The functions of libproc2 the listers call, as libproc2's own declare them. */
struct proc2 {
	int (*pids_new)(struct pids_info **info, enum pids_item *items, int numitems);
	int (*pids_unref)(struct pids_info **info);
	struct pids_fetch *(*pids_reap)(struct pids_info *info, enum pids_fetch_type which);
	struct pids_fetch *(*pids_select)(struct pids_info *info, unsigned *these, int numthese,
					  enum pids_select_type which);
};

/*
 * libproc2 (libproc2.so.0), loaded once for the life of the process.
 * Returns 0 and the functions, or -ELIBACC when it cannot be loaded (the
 * reason then in *ret_why, a string of the loader's, valid until the next
 * call).
 */
int proc2_get(const struct proc2 **ret, const char **ret_why);

#endif
