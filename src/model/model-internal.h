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

#endif
