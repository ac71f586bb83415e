/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model (src/model): turns what the collectors read into the region
 * model the reporters draw: objects, kinds, thread stacks, aggregates.
 */
#ifndef VMSCOPE_MODEL_H
#define VMSCOPE_MODEL_H

#include <stdbool.h>
#include <sys/types.h>

#include "vmscope/snapshot.h"

struct vms_elf_cache;
struct vms_jvm_ranges;

/*
 * Groups file regions into objects (by dev, inode and path), loads their
 * program headers through the cache when pid_dirfd >= 0, gives every region
 * its kind, ties thread stacks to their tids, and sums each object's regions.
 * Idempotent on a snapshot without objects; pure given the ELF facts, so a
 * snapshot loaded from JSON classifies the same way.
 */
void vms_model_build(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd);

/*
 * After vms_model_build, for a live process that maps HotSpot's libjvm.so:
 * the ranges of its Java heap and its code cache, read from the JVM's
 * memory through pid_dirfd's mem (src/model/jvm.c; VMS_SRC_MEM), and the
 * anonymous accessible regions inside them made java_heap and code_cache.
 * Nothing for a range that cannot be read.
 */
void vms_model_jvm(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd);
/*
 * Its two steps, for a caller that looks at one JVM again and again (the
 * ranges do not change while it runs): the ranges, 0 or -errno (-ENOENT: no
 * 64-bit libjvm.so mapped, or nothing found); the regions marked.
 */
int vms_model_jvm_ranges(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd,
			 struct vms_jvm_ranges *ret);
void vms_model_jvm_mark(struct vms_snapshot *snap, const struct vms_jvm_ranges *r);

/* Only the kinds (objects and their ELF facts must be in place). */
void vms_model_classify(struct vms_snapshot *snap);

/*
 * Groups file regions into objects and sums them, keeping every region's
 * kind: for regions whose kinds were decided already (a recording).
 */
void vms_model_group_objects(struct vms_snapshot *snap);

/*
 * What a snapshot of schema 1 could not say, from what it holds: PROT_NONE
 * regions it called guards are guards only below a stack, else reserved;
 * malloc arenas; the kernel's shared memory is no deleted file (a SysV
 * segment's removal mark was not kept: it reads as not marked).
 */
void vms_model_upgrade_v1(struct vms_snapshot *snap);

/* Each object's distinct_size and max_maps, from its regions (objects.c). */
void vms_model_object_extents(struct vms_snapshot *snap);

/*
 * The part of USS in shared memory: Private_Clean + Private_Dirty of the
 * regions of kind shm (SysV, memfd, /dev/shm, shared anonymous). Only this
 * process maps those pages, but they stay when it exits: the segment or file
 * holds them. False when the regions were not read.
 */
bool vms_model_uss_shmem(const struct vms_snapshot *snap, uint64_t *ret);

/* Sum of the counters of every region (for reconciliation with smaps_rollup). */
void vms_model_sum_regions(const struct vms_snapshot *snap, struct vms_counters *ret);

enum {
	VMS_INSPECT_REGIONS = 1 << 0,
	VMS_INSPECT_THREADS = 1 << 1,
	VMS_INSPECT_ELF = 1 << 2,
	/* page counters and residency from pagemap, within a budget (pages.h) */
	VMS_INSPECT_PAGES = 1 << 3,
	VMS_INSPECT_PAGES_DETAIL = 1 << 4, /* exclusive pages; kpageflags as root */
	VMS_INSPECT_PAGES_PREAD = 1 << 5,  /* pread of entries, not PAGEMAP_SCAN */
	VMS_INSPECT_PAGES_ALL = 1 << 6,    /* no budget */
	VMS_INSPECT_NO_CMDLINE = 1 << 7,   /* VMS_COLLECT_NO_CMDLINE */
	/* VMS_COLLECT_POLL: for a command that waits for this one snapshot,
	 * not for those that read again and again (top, serve, record) */
	VMS_INSPECT_POLL = 1 << 8,
};

/*
 * Everything for one process: open, collect, classify, confirm it is still
 * alive. Returns 0 and a complete snapshot (some sources may be missing, see
 * snap->src), -ENOENT (no such process), -ESRCH (it exited during the read:
 * no snapshot), -EAGAIN (it exec'd during each of 3 reads: it runs, but no
 * read saw one program whole), or another -errno.
 */
int vms_inspect(int root_fd, pid_t pid, bool live, unsigned flags, struct vms_elf_cache *cache,
		struct vms_snapshot **ret);

#endif
