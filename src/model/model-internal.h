/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the files of src/model. */
#ifndef VMSCOPE_MODEL_INTERNAL_H
#define VMSCOPE_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/snapshot.h"

static inline const char *model_region_name(const struct vms_region *r)
{
	return r->name ? r->name : "";
}

/*
 * Whether r maps a file: it has an inode, or a path (a few filesystems
 * report inode 0). Objects group exactly these regions.
 */
static inline bool model_region_is_file(const struct vms_region *r)
{
	return r->inode != 0 || model_region_name(r)[0] == '/';
}

/*
 * The file regions grouped into snap->objects by (dev, inode, path), in the
 * order of their first region, a block of regions at a time: as smaps is
 * parsed (model/inspect.c), while the regions are still in the cache, or all
 * at once in model_build. Each object's regions are a list in address
 * order: first[o], next[first[o]], ... up to MODEL_NO_REGION, which
 * classify walks for the object's load bias.
 */
#define MODEL_NO_REGION UINT32_MAX
struct model_groups {
	int32_t *slots;     /* objects by hash; -1 empty; at least twice the objects */
	size_t n_slots;
	uint32_t *first, *last; /* per object: its first and last region */
	size_t alloc_first, alloc_last;
	uint32_t *next;     /* per region: the next region of its object */
	size_t alloc_next;
	size_t done;        /* regions [0, done) grouped */
};

/* Groups the regions [g->done, to) of snap. */
void model_groups_add(struct model_groups *g, struct vms_snapshot *snap, size_t to);
/* Region i joins the list of object o; first, last and next have room. */
void model_groups_link(struct model_groups *g, size_t i, size_t o);
void model_groups_release(struct model_groups *g);

struct vms_elf_cache;
/* vms_model_build, with the regions grouped so far by g (released), or NULL. */
void model_build(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd,
		 struct model_groups *g);
/* Called for each region once classify has made all it makes of it, in address order. */
typedef void model_region_done(void *ctx, struct vms_snapshot *snap, size_t i);
/*
 * vms_model_classify of a snapshot whose regions g grouped (their objects
 * are g's), or with g NULL of any snapshot (its region links checked);
 * done, when not NULL, is called for each region as it is finished.
 */
void model_classify(struct vms_snapshot *snap, const struct model_groups *g,
		    model_region_done *done, void *ctx);

/*
 * The sections each segment region holds (sections.c): the objects' changed
 * flags first, then each region once classify has finished it.
 */
void model_sections_begin(struct vms_snapshot *snap);
void model_place_region(struct vms_snapshot *snap, size_t i);

static inline bool model_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Regions whose file is worth a look for program headers: a path, not a
 * device or a SysV segment (opening a device can have effects, and these
 * are never ELF), mapped private and executable, as the loader maps the
 * code of what it loads (an object's other segments are found through it).
 * Any other file is no loaded program, and its open and close are not
 * harmless: on ext4 the first close of a file after it was truncated,
 * anyone's, writes its dirty pages back, cleaning the page table entries of
 * whoever maps it shared (a JVM's hsperfdata, a database's or a cache's data
 * file), even when this process maps it private, to read it.
 */
static inline bool model_elf_candidate(const struct vms_region *r)
{
	const char *name = model_region_name(r);

	return name[0] == '/' && (r->perms & VMS_PERM_EXEC) && !(r->perms & VMS_PERM_SHARED) &&
	       !model_startswith(name, "/dev/") && !model_startswith(name, "/SYSV");
}

#endif
