/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One process, from open to a complete snapshot. */
#include "config.h"

#include "vmscope/model.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

#include "model/model-internal.h"

/* What is done with the regions as smaps is parsed. */
struct parsed {
	struct vms_snapshot *snap;
	int root_fd;
	struct model_groups groups;
	struct vms_elf_cache *cache; /* NULL: no ELF facts */
	int pid_dirfd;
};

/*
 * The regions just parsed, while smaps is still read and they are still in
 * the cache: grouped into objects, and the ELF files among them read once
 * for a run of regions of one object, so that a file that cannot be opened
 * (deleted, out of reach) is tried once for the run, not once a segment.
 */
static void regions_parsed(void *ctx, struct vms_snapshot *snap, size_t from, size_t to)
{
	struct parsed *pd = ctx;

	model_groups_add(&pd->groups, snap, to);
	if (!pd->cache)
		return;
	for (size_t i = from; i < to; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->object >= 0 && model_elf_candidate(r) &&
		    (i == 0 || r[-1].object != r->object || !model_elf_candidate(&r[-1])))
			vms_elf_prefetch(pd->cache, pd->pid_dirfd, r);
	}
}

/*
 * What an inspection does while it waits for the kernel's smaps: the
 * host's facts (not needed before the model is built). At 1,000 VMAs, they
 * started the read 15 us later when read first.
 */
static void while_waiting(void *ctx)
{
	struct parsed *pd = ctx;

	vms_collect_host(pd->root_fd, &pd->snap->host);
}

/* A read of a process: 0, -ENOENT, -ESRCH, -EAGAIN (it exec'd), -errno. */
static int inspect_once(int root_fd, pid_t pid, bool live, unsigned flags,
			struct vms_elf_cache *cache, struct vms_snapshot **ret)
{
	struct vms_snapshot *snap = NULL;
	struct vms_proc *p = NULL;
	struct parsed pd = { .pid_dirfd = -1 };
	unsigned cflags = 0;
	struct vms_pages_options po = {
		.method = flags & VMS_INSPECT_PAGES_PREAD ? VMS_PAGEMAP_PREAD : VMS_PAGEMAP_AUTO,
		.flags = flags & VMS_INSPECT_PAGES_DETAIL ? VMS_PAGEMAP_DETAIL : 0,
		.pread_budget = flags & VMS_INSPECT_PAGES_ALL ? 0 : VMS_PAGES_PREAD_BUDGET,
	};
	int r;

	r = vms_proc_open(root_fd, pid, live, &p);
	if (r < 0)
		return r == -ESRCH ? -ENOENT : r;
	if (flags & VMS_INSPECT_REGIONS)
		cflags |= VMS_COLLECT_REGIONS;
	if (flags & VMS_INSPECT_THREADS)
		cflags |= VMS_COLLECT_THREADS;
	if (flags & VMS_INSPECT_NO_CMDLINE)
		cflags |= VMS_COLLECT_NO_CMDLINE;
	if (flags & VMS_INSPECT_POLL)
		cflags |= VMS_COLLECT_POLL;
	cflags |= VMS_COLLECT_INSIGHTS;
	/* the page sweep overlaps the read of smaps */
	if (flags & VMS_INSPECT_PAGES)
		vms_proc_sweep_early(p, root_fd, &po);

	if ((flags & VMS_INSPECT_ELF) && cache) {
		vms_elf_cache_pass(cache);
		pd.cache = cache;
		pd.pid_dirfd = vms_proc_dirfd(p);
	}
	vms_proc_on_regions(p, regions_parsed, &pd);
	snap = vms_snapshot_new();
	pd.snap = snap;
	pd.root_fd = root_fd;
	vms_proc_on_wait(p, while_waiting, &pd);
	r = vms_collect(p, cflags, snap);
	if (r < 0)
		goto fail;
	snap->live = live;
	vms_collect_sysv(root_fd, vms_proc_dirfd(p), live, snap);
	if (flags & VMS_INSPECT_ELF)
		model_build(snap, cache, vms_proc_dirfd(p), &pd.groups);
	else
		model_build(snap, NULL, -1, &pd.groups);
	/* a JVM's heap and code cache, and the threads of malloc arenas:
	 * from the memory of a live process */
	if (live && (flags & VMS_INSPECT_ELF))
		vms_model_jvm(snap, cache, vms_proc_dirfd(p));
	if (live && (flags & VMS_INSPECT_THREADS))
		vms_collect_arenas(vms_proc_dirfd(p), snap);
	/* No address space (a kernel thread, a zombie) is an answer, not an
	 * exit: its pagemap cannot be opened, and it holds no pages. */
	if ((flags & VMS_INSPECT_PAGES) && !vms_snapshot_no_address_space(snap)) {
		r = vms_collect_pages_swept(vms_proc_take_sweep(p), vms_proc_dirfd(p), root_fd,
					    &po, snap);
		if (r < 0)
			goto fail;
	}

	/* Everything above may have read a process that exited half-way:
	 * short reads look like empty files. Only a process still there
	 * vouches for what was read. */
	r = vms_proc_alive(p);
	if (r == 0) {
		r = -ESRCH;
		goto fail;
	}
	/* r < 0: whether it lives cannot be told (a captured directory);
	 * what was read stands. */
	vms_proc_free(p);
	*ret = snap;
	return 0;

fail:
	/* An address space gone from a process that still runs, under the
	 * same start time, was replaced by an exec: the process is there. */
	if (r == -ESRCH && vms_proc_alive(p) == 1)
		r = -EAGAIN;
	/* p first: the page sweep's thread may still be writing into snap */
	vms_proc_free(p);
	vms_snapshot_free(snap);
	model_groups_release(&pd.groups);
	return r;
}

int vms_inspect(int root_fd, pid_t pid, bool live, unsigned flags, struct vms_elf_cache *cache,
		struct vms_snapshot **ret)
{
	int r;

	/* A process that execs while it is read is read again, its new
	 * program whole; one that keeps exec'ing is -EAGAIN after 3 tries. */
	for (int i = 0; i < 3; i++) {
		r = inspect_once(root_fd, pid, live, flags, cache, ret);
		if (r != -EAGAIN)
			break;
	}
	return r;
}
