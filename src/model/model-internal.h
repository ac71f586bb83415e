/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the files of src/model. */
#ifndef VMSCOPE_MODEL_INTERNAL_H
#define VMSCOPE_MODEL_INTERNAL_H

#include <stdbool.h>
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

/* Gives each segment region the sections it holds (sections.c); after classify. */
void model_place_sections(struct vms_snapshot *snap);

static inline bool model_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Files whose contents are worth a look for program headers: a path, not a
 * device or a SysV segment (opening a device can have effects, and these
 * are never ELF), and mapped private, as the loader maps what it loads. A
 * file a process shares (a JVM's hsperfdata, a database's or a cache's data
 * file) is no loaded object, and its open and close are not harmless: on
 * ext4 the first close of a file after it was truncated, anyone's, writes
 * its dirty pages back, cleaning the sharer's page table entries.
 */
static inline bool model_elf_candidate(const struct vms_region *r)
{
	const char *name = model_region_name(r);

	return name[0] == '/' && !(r->perms & VMS_PERM_SHARED) &&
	       !model_startswith(name, "/dev/") && !model_startswith(name, "/SYSV");
}

#endif
