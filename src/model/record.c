/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recorder's deltas (recording.h): which regions changed between two
 * samples, each with a track id that follows it for its life.
 */
#include "config.h"

#include "vmscope/recording.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "model/model-internal.h"

/* What the recorder remembers of a region of the previous region sample. */
struct vms_rec_state {
	uint64_t start, end, offset, inode;
	uint32_t dev_major, dev_minor;
	uint8_t perms;
	bool deleted;
	enum vms_kind kind;
	int32_t tid;
	char *name; /* owned */
	uint64_t v[VMS_RV__MAX];
	uint8_t have;
	uint32_t id;
	bool matched;
};

const enum vms_mem vms_rec_value_mem[VMS_RV__MAX] = {
	[VMS_RV_RSS] = VMS_MEM_RSS,
	[VMS_RV_PSS] = VMS_MEM_PSS,
	[VMS_RV_PRIVATE_CLEAN] = VMS_MEM_PRIVATE_CLEAN,
	[VMS_RV_PRIVATE_DIRTY] = VMS_MEM_PRIVATE_DIRTY,
	[VMS_RV_SWAP] = VMS_MEM_SWAP,
};

void vms_rec_delta_release(struct vms_rec_delta *d)
{
	free(d->changes);
	free(d->gone);
	*d = (struct vms_rec_delta){ 0 };
}

void vms_recorder_init(struct vms_recorder *rec)
{
	*rec = (struct vms_recorder){ 0 };
}

static void states_free(struct vms_rec_state *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].name);
	free(s);
}

void vms_recorder_release(struct vms_recorder *rec)
{
	states_free(rec->prev, rec->n_prev);
	*rec = (struct vms_recorder){ 0 };
}

static void values_of(const struct vms_region *r, uint64_t v[VMS_RV__MAX], uint8_t *have)
{
	*have = 0;
	for (int i = 0; i < VMS_RV__MAX; i++) {
		v[i] = 0;
		if (vms_counters_has(&r->mem, vms_rec_value_mem[i])) {
			v[i] = r->mem.v[vms_rec_value_mem[i]];
			*have |= (uint8_t)(1u << i);
		}
	}
}

/* The same mapping where it was: same file place, or the same anonymous name. */
static bool same_mapping(const struct vms_rec_state *s, const struct vms_region *r)
{
	return s->inode == r->inode && s->dev_major == r->dev_major &&
	       s->dev_minor == r->dev_minor && s->offset == r->offset &&
	       strcmp(s->name, model_region_name(r)) == 0;
}

/* What a full record says is unchanged. */
static bool same_identity(const struct vms_rec_state *s, const struct vms_region *r)
{
	return s->offset == r->offset && s->inode == r->inode && s->dev_major == r->dev_major &&
	       s->dev_minor == r->dev_minor && s->perms == r->perms && s->deleted == r->deleted &&
	       s->kind == r->kind && s->tid == r->tid && strcmp(s->name, model_region_name(r)) == 0;
}

/* A key for regions that may move: a named one by name and offset, a thread's
 * stack by its thread; 0 for anonymous memory, matched only in place. */
static uint64_t move_key(const char *name, uint64_t offset, enum vms_kind kind, int32_t tid)
{
	uint64_t h = 1469598103934665603u;

	if (kind == VMS_KIND_THREAD_STACK && tid > 0) {
		h ^= (uint64_t)tid;
		return (h * 1099511628211u) | 1;
	}
	if (!name[0])
		return 0;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ offset) * 1099511628211u;
	return h | 1;
}

/* Anonymous memory of no name, which vms_diff_build pairs by address too. */
static bool by_address(const char *name, uint64_t inode, enum vms_kind kind, int32_t tid)
{
	return !name[0] && inode == 0 && !(kind == VMS_KIND_THREAD_STACK && tid > 0);
}

static bool movable_match(const struct vms_rec_state *s, const struct vms_region *r)
{
	if (r->kind == VMS_KIND_THREAD_STACK && r->tid > 0)
		return s->kind == VMS_KIND_THREAD_STACK && s->tid == r->tid;
	return s->name[0] && strcmp(s->name, model_region_name(r)) == 0 &&
	       s->offset == r->offset && s->inode == r->inode;
}

/* Unmatched previous regions by move key, open addressing; indices + 1. */
struct move_table {
	uint64_t *keys;
	size_t *idx;
	size_t mask;
};

static void move_table_build(struct move_table *t, struct vms_rec_state *prev, size_t n)
{
	size_t slots = 16;

	while (slots < 2 * n)
		slots *= 2;
	t->mask = slots - 1;
	t->keys = xcalloc(slots, sizeof(*t->keys));
	t->idx = xcalloc(slots, sizeof(*t->idx));
	for (size_t i = 0; i < n; i++) {
		uint64_t k;
		size_t h;

		if (prev[i].matched)
			continue;
		k = move_key(prev[i].name, prev[i].offset, prev[i].kind, prev[i].tid);
		if (!k)
			continue;
		for (h = k & t->mask; t->keys[h]; h = (h + 1) & t->mask)
			;
		t->keys[h] = k;
		t->idx[h] = i + 1;
	}
}

static ptrdiff_t move_table_find(const struct move_table *t, struct vms_rec_state *prev,
				 const struct vms_region *r)
{
	uint64_t k = move_key(model_region_name(r), r->offset, r->kind, r->tid);

	if (!k)
		return -1;
	for (size_t h = k & t->mask; t->keys[h]; h = (h + 1) & t->mask) {
		struct vms_rec_state *s = &prev[t->idx[h] - 1];

		if (t->keys[h] == k && !s->matched && movable_match(s, r))
			return (ptrdiff_t)(t->idx[h] - 1);
	}
	return -1;
}

static void state_set(struct vms_rec_state *s, const struct vms_region *r, uint32_t id,
		      char *name)
{
	*s = (struct vms_rec_state){
		.start = r->start,
		.end = r->end,
		.offset = r->offset,
		.inode = r->inode,
		.dev_major = r->dev_major,
		.dev_minor = r->dev_minor,
		.perms = r->perms,
		.deleted = r->deleted,
		.kind = r->kind,
		.tid = r->tid,
		.name = name,
		.id = id,
	};
	values_of(r, s->v, &s->have);
}

static void add_change(struct vms_rec_delta *d, uint32_t id, size_t region, bool full)
{
	ARRAY_GROW(d->changes, d->n + 1, d->alloc);
	d->changes[d->n++] = (struct vms_rec_change){ .id = id, .region = (uint32_t)region,
						      .full = full };
}

void vms_recorder_step(struct vms_recorder *rec, const struct vms_snapshot *snap,
		       struct vms_rec_delta *d)
{
	size_t n = snap->n_regions, np = rec->n_prev, alloc_next = 0;
	struct vms_rec_state *prev = rec->prev, *next = NULL;
	ptrdiff_t *match = xreallocarray(NULL, n ? n : 1, sizeof(*match));
	struct move_table mt;

	d->n = d->n_gone = 0;
	ARRAY_GROW(next, n ? n : 1, alloc_next);

	/* in place: both sorted by start */
	for (size_t i = 0, j = 0; j < n; j++) {
		const struct vms_region *r = &snap->regions[j];

		match[j] = -1;
		while (i < np && prev[i].start < r->start)
			i++;
		if (i < np && prev[i].start == r->start && same_mapping(&prev[i], r)) {
			prev[i].matched = true;
			match[j] = (ptrdiff_t)i++;
		}
	}
	/* anonymous memory that grew or shrank at its start (the kernel merges
	 * a mapping made or opened just below it): the same end and kind, as
	 * vms_diff_build pairs it */
	for (size_t i = 0, j = 0; j < n; j++) {
		const struct vms_region *r = &snap->regions[j];

		if (match[j] >= 0 || !by_address(model_region_name(r), r->inode, r->kind, r->tid))
			continue;
		while (i < np && prev[i].end < r->end)
			i++;
		if (i < np && prev[i].end == r->end && !prev[i].matched && prev[i].kind == r->kind &&
		    by_address(prev[i].name, prev[i].inode, prev[i].kind, prev[i].tid)) {
			prev[i].matched = true;
			match[j] = (ptrdiff_t)i;
		}
	}
	/* moved: by name or thread */
	move_table_build(&mt, prev, np);
	for (size_t j = 0; j < n; j++) {
		if (match[j] >= 0)
			continue;
		match[j] = move_table_find(&mt, prev, &snap->regions[j]);
		if (match[j] >= 0)
			prev[match[j]].matched = true;
	}
	free(mt.keys);
	free(mt.idx);

	for (size_t j = 0; j < n; j++) {
		const struct vms_region *r = &snap->regions[j];
		struct vms_rec_state *s = &next[j];

		if (match[j] < 0) {
			state_set(s, r, rec->next_id++, xstrdup(model_region_name(r)));
			add_change(d, s->id, j, true);
			continue;
		}
		struct vms_rec_state *p = &prev[match[j]];
		bool full = !same_identity(p, r);

		state_set(s, r, p->id, p->name);
		p->name = NULL;
		if (full) {
			free(s->name);
			s->name = xstrdup(model_region_name(r));
		}
		if (full || p->start != s->start || p->end != s->end || p->have != s->have ||
		    memcmp(p->v, s->v, sizeof(s->v)) != 0)
			add_change(d, s->id, j, full);
	}
	for (size_t i = 0; i < np; i++) {
		if (prev[i].matched)
			continue;
		ARRAY_GROW(d->gone, d->n_gone + 1, d->alloc_gone);
		d->gone[d->n_gone++] = prev[i].id;
	}
	free(match);
	states_free(prev, np);
	rec->prev = next;
	rec->n_prev = n;
	rec->alloc_prev = alloc_next;
}
