/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file regions grouped into objects by (dev, inode, path), a block of
 * regions at a time, and each object's list of regions: model-internal.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "model/model-internal.h"

static uint64_t object_hash(uint32_t major, uint32_t minor, uint64_t inode, const char *name)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = (h ^ major) * UINT64_C(0x100000001b3);
	h = (h ^ minor) * UINT64_C(0x100000001b3);
	h = (h ^ inode) * UINT64_C(0x100000001b3);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * UINT64_C(0x100000001b3);
	return h ^ (h >> 32);
}

/* The slot of the object of (dev, inode, path) in g's table: its own, or the empty one it would take. */
static size_t groups_slot(const struct model_groups *g, const struct vms_snapshot *snap,
			  uint32_t major, uint32_t minor, uint64_t inode, const char *path)
{
	size_t k = (size_t)object_hash(major, minor, inode, path) & (g->n_slots - 1);

	for (;; k = (k + 1) & (g->n_slots - 1)) {
		const struct vms_object *o;

		if (g->slots[k] < 0)
			return k;
		o = &snap->objects[g->slots[k]];
		if (o->inode == inode && o->dev_major == major && o->dev_minor == minor &&
		    strcmp(o->path, path) == 0)
			return k;
	}
}

/* Room in g's table for one more object: at least twice as many slots as objects. */
static void groups_grow(struct model_groups *g, const struct vms_snapshot *snap)
{
	size_t n = g->n_slots ? g->n_slots : 32;

	while (n < 2 * (snap->n_objects + 1))
		n *= 2;
	if (n == g->n_slots)
		return;
	free(g->slots);
	g->slots = xreallocarray(NULL, n, sizeof(*g->slots));
	g->n_slots = n;
	for (size_t k = 0; k < n; k++)
		g->slots[k] = -1;
	for (size_t o = 0; o < snap->n_objects; o++) {
		const struct vms_object *obj = &snap->objects[o];

		g->slots[groups_slot(g, snap, obj->dev_major, obj->dev_minor, obj->inode,
				     obj->path)] = (int32_t)o;
	}
}

void model_groups_link(struct model_groups *g, size_t i, size_t o)
{
	/* more regions than a list can hold end it: the bias needs the first */
	if (i >= MODEL_NO_REGION)
		return;
	g->next[i] = MODEL_NO_REGION;
	if (g->first[o] == MODEL_NO_REGION)
		g->first[o] = (uint32_t)i;
	else
		g->next[g->last[o]] = (uint32_t)i;
	g->last[o] = (uint32_t)i;
}

void model_groups_add(struct model_groups *g, struct vms_snapshot *snap, size_t to)
{
	if (to > g->done)
		ARRAY_GROW(g->next, to, g->alloc_next);
	for (size_t i = g->done; i < to; i++) {
		struct vms_region *r = &snap->regions[i];
		const char *name = model_region_name(r);
		size_t k;

		r->object = -1;
		if (!model_region_is_file(r))
			continue;
		if (2 * (snap->n_objects + 1) > g->n_slots)
			groups_grow(g, snap);
		k = groups_slot(g, snap, r->dev_major, r->dev_minor, r->inode, name);
		if (g->slots[k] < 0) {
			if (snap->n_objects >= INT32_MAX)
				continue;
			ARRAY_GROW(snap->objects, snap->n_objects + 1, snap->alloc_objects);
			ARRAY_GROW(g->first, snap->n_objects + 1, g->alloc_first);
			ARRAY_GROW(g->last, snap->n_objects + 1, g->alloc_last);
			snap->objects[snap->n_objects] = (struct vms_object){
				.path = name,
				.inode = r->inode,
				.dev_major = r->dev_major,
				.dev_minor = r->dev_minor,
				.deleted = r->deleted,
			};
			g->first[snap->n_objects] = MODEL_NO_REGION;
			g->slots[k] = (int32_t)snap->n_objects++;
		}
		r->object = g->slots[k];
		model_groups_link(g, i, (size_t)r->object);
	}
	if (to > g->done)
		g->done = to;
}

void model_groups_release(struct model_groups *g)
{
	free(g->slots);
	free(g->first);
	free(g->last);
	free(g->next);
	*g = (struct model_groups){ 0 };
}
