/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared objects summed across processes. Each process is read with the
 * one-process collector and modelled with the shared ELF cache, so a library
 * mapped by 300 processes has its headers read once; its objects are then
 * folded into one table keyed by (dev, inode) alone, so the same file seen
 * under two paths (another mount namespace) is one library.
 */
#include "config.h"

#include "vmscope/libraries.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"

void vms_liblist_init(struct vms_liblist *ll)
{
	memset(ll, 0, sizeof(*ll));
	arena_init(&ll->arena);
}

void vms_liblist_release(struct vms_liblist *ll)
{
	arena_release(&ll->arena);
	free(ll->items);
	free(ll->slots);
	vms_liblist_init(ll);
}

static size_t lib_hash(uint32_t major, uint32_t minor, uint64_t inode)
{
	uint64_t h = inode * UINT64_C(0x9e3779b97f4a7c15);

	h ^= ((uint64_t)major << 32 | minor) * UINT64_C(0xc2b2ae3d27d4eb4f);
	return (size_t)(h ^ (h >> 29));
}

static void rehash(struct vms_liblist *ll, size_t n_slots)
{
	free(ll->slots);
	ll->slots = xreallocarray(NULL, n_slots, sizeof(*ll->slots));
	ll->n_slots = n_slots;
	for (size_t i = 0; i < n_slots; i++)
		ll->slots[i] = -1;
	for (size_t i = 0; i < ll->n; i++) {
		const struct vms_library *l = &ll->items[i];
		size_t k = lib_hash(l->dev_major, l->dev_minor, l->inode) & (n_slots - 1);

		while (ll->slots[k] >= 0)
			k = (k + 1) & (n_slots - 1);
		ll->slots[k] = (int32_t)i;
	}
}

/* The library of obj, made when new. NULL past INT32_MAX libraries. */
static struct vms_library *lookup(struct vms_liblist *ll, const struct vms_object *obj)
{
	struct vms_library *l;
	size_t k;

	/* at most half full, so a probe always ends */
	if (2 * (ll->n + 1) > ll->n_slots)
		rehash(ll, ll->n_slots ? 2 * ll->n_slots : 64);
	k = lib_hash(obj->dev_major, obj->dev_minor, obj->inode) & (ll->n_slots - 1);
	for (; ll->slots[k] >= 0; k = (k + 1) & (ll->n_slots - 1)) {
		l = &ll->items[ll->slots[k]];
		if (l->inode == obj->inode && l->dev_major == obj->dev_major &&
		    l->dev_minor == obj->dev_minor)
			return l;
	}
	if (ll->n >= INT32_MAX)
		return NULL;
	ARRAY_GROW(ll->items, ll->n + 1, ll->alloc);
	l = &ll->items[ll->n];
	*l = (struct vms_library){
		.path = arena_strdup(&ll->arena, obj->path),
		.inode = obj->inode,
		.dev_major = obj->dev_major,
		.dev_minor = obj->dev_minor,
		.deleted = obj->deleted,
		.have_swap_pss = true,
	};
	ll->slots[k] = (int32_t)ll->n++;
	return l;
}

/*
 * Code: a file mapped executable that is ELF, or whose header could not be
 * read (refused files are still programs; a font mapped r-x is not).
 */
static bool is_code(const struct vms_object *obj, bool exec)
{
	return exec && (obj->is_elf || obj->elf_error != 0);
}

void vms_liblist_add(struct vms_liblist *ll, const struct vms_snapshot *snap)
{
	bool *exec;

	if (!vms_snapshot_have(snap, VMS_SRC_SMAPS)) {
		if (!ll->unreadable_error)
			ll->unreadable_error = snap->src[VMS_SRC_SMAPS].error ? snap->src[VMS_SRC_SMAPS].error : -EIO;
		ll->unreadable++;
		return;
	}
	ll->processes++;
	ll->seq++;
	exec = xcalloc(snap->n_objects ? snap->n_objects : 1, sizeof(*exec));
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->object >= 0 && (size_t)r->object < snap->n_objects &&
		    (r->perms & VMS_PERM_EXEC))
			exec[r->object] = true;
	}
	for (size_t o = 0; o < snap->n_objects; o++) {
		const struct vms_object *obj = &snap->objects[o];
		const struct vms_counters *c = &obj->mem;
		struct vms_library *l;

		if (!is_code(obj, exec[o]))
			continue;
		l = lookup(ll, obj);
		if (!l)
			continue;
		/* two paths to one file in a process are still one process */
		if (l->last_seq != ll->seq) {
			l->last_seq = ll->seq;
			l->processes++;
		}
		l->vsize += obj->vsize;
		l->rss += c->v[VMS_MEM_RSS];
		l->pss += c->v[VMS_MEM_PSS];
		l->uss += vms_counters_uss(c);
		l->swap += c->v[VMS_MEM_SWAP];
		l->swap_pss += c->v[VMS_MEM_SWAP_PSS];
		if (!vms_counters_has(c, VMS_MEM_SWAP_PSS))
			l->have_swap_pss = false;
	}
	free(exec);
}

static void add_one(struct vms_liblist *ll, int root_fd, bool live, pid_t pid,
		    struct vms_elf_cache *cache)
{
	struct vms_snapshot *snap;
	struct vms_proc *p;
	int r;

	r = vms_proc_open(root_fd, pid, live, &p);
	if (r < 0) {
		/* refused at the door is unreadable; not there is gone */
		if (r == -ENOENT || r == -ESRCH) {
			ll->vanished++;
		} else {
			ll->unreadable++;
			if (!ll->unreadable_error)
				ll->unreadable_error = r;
		}
		return;
	}
	snap = vms_snapshot_new();
	r = vms_collect(p, VMS_COLLECT_REGIONS, snap);
	if (r >= 0) {
		vms_model_build(snap, cache, vms_proc_dirfd(p));
		/* only a process still there vouches for what was read */
		if (vms_proc_alive(p) == 0)
			r = -ESRCH;
	}
	if (r < 0)
		ll->vanished++;
	else
		vms_liblist_add(ll, snap);
	vms_snapshot_free(snap);
	vms_proc_free(p);
}

void vms_liblist_collect(struct vms_liblist *ll, int root_fd, bool live, const pid_t *pids,
			 size_t n, struct vms_elf_cache *cache)
{
	struct vms_elf_cache *own = cache ? NULL : vms_elf_cache_new();

	for (size_t i = 0; i < n; i++)
		add_one(ll, root_fd, live, pids[i], cache ? cache : own);
	vms_elf_cache_free(own);
}
