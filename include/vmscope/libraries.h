/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared objects across processes (src/model/libraries.c), for `vmscope list
 * --by library`: every ELF file mapped executable (libraries and programs),
 * keyed by (dev, inode), with the memory of its regions summed over the
 * processes that map it. A process whose smaps cannot be read is counted as
 * unreadable, so sums over the others are known to be partial.
 */
#ifndef VMSCOPE_LIBRARIES_H
#define VMSCOPE_LIBRARIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arena.h"
#include "vmscope/snapshot.h"

struct vms_elf_cache;

struct vms_library {
	const char *path;     /* as the first process seen maps it (kernel-escaped); arena */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	bool deleted;
	uint32_t processes;   /* processes that map it */
	uint64_t vsize;       /* bytes mapped, summed */
	/* summed over those processes' regions of the file, in bytes */
	uint64_t rss, pss, uss, swap, swap_pss;
	bool have_swap_pss;   /* every process's smaps had SwapPss */
	uint64_t last_seq;    /* the process that last counted it (internal) */
};

struct vms_liblist {
	struct arena arena;   /* the paths */
	struct vms_library *items;
	size_t n, alloc;
	int32_t *slots;       /* open addressing on (dev, inode) → index in items */
	size_t n_slots;
	uint32_t processes;   /* processes whose regions were read and added */
	uint32_t unreadable;  /* processes whose smaps could not be read */
	int unreadable_error; /* the first of their errors (-EACCES) */
	uint32_t vanished;    /* processes that exited while being read */
	uint64_t seq;
};

void vms_liblist_init(struct vms_liblist *ll);
void vms_liblist_release(struct vms_liblist *ll);

/*
 * Adds the shared objects of one process (a snapshot with regions and the
 * model built with ELF facts): each object that has an executable region
 * and is ELF (or whose ELF header could not be read: a file mapped
 * executable is code). Counts a snapshot without smaps as unreadable.
 */
void vms_liblist_add(struct vms_liblist *ll, const struct vms_snapshot *snap);

/*
 * Reads the smaps of each of pids under the proc root and adds them. live:
 * root_fd is this machine's /proc. cache: ELF facts shared across calls (may
 * be NULL: a private one). Never fails: vanished and unreadable processes
 * are counted in ll.
 */
void vms_liblist_collect(struct vms_liblist *ll, int root_fd, bool live, const pid_t *pids,
			 size_t n, struct vms_elf_cache *cache);

#endif
