/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hand-built snapshots for the model tests. */
#ifndef VMSCOPE_TESTS_SNAPBUILD_H
#define VMSCOPE_TESTS_SNAPBUILD_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "vmscope/snapshot.h"

#define ET_EXEC_ 2
#define ET_DYN_ 3
#define ET_CORE_ 4
#define PF_X_ 1
#define PF_W_ 2
#define PF_R_ 4

#define SEG(off, va, fsz, msz, fl) \
	{ .vaddr = (va), .memsz = (msz), .offset = (off), .filesz = (fsz), .align = 0x1000, .flags = (fl) }

static inline uint8_t sb_perms(const char *p)
{
	uint8_t v = 0;

	if (p[0] == 'r')
		v |= VMS_PERM_READ;
	if (p[1] == 'w')
		v |= VMS_PERM_WRITE;
	if (p[2] == 'x')
		v |= VMS_PERM_EXEC;
	if (p[3] == 's')
		v |= VMS_PERM_SHARED;
	return v;
}

/*
 * Appends a region as a maps line would give it: a name ending in
 * " (deleted)" is stripped and flagged, as the parser does. File regions
 * (inode != 0) are on device 8:1. Returns its index.
 */
static inline size_t sb_region(struct vms_snapshot *snap, uint64_t start, uint64_t end,
			       const char *perms, uint64_t offset, uint64_t inode, const char *name)
{
	static const char deleted[] = " (deleted)";
	size_t len = strlen(name), dl = sizeof(deleted) - 1;
	struct vms_region *r;

	ARRAY_GROW(snap->regions, snap->n_regions + 1, snap->alloc_regions);
	r = &snap->regions[snap->n_regions];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->perms = sb_perms(perms);
	r->offset = offset;
	r->inode = inode;
	r->dev_major = inode ? 8 : 0;
	r->dev_minor = inode ? 1 : 0;
	r->thp_eligible = -1;
	r->protection_key = -1;
	r->object = -1;
	if (len >= dl && strcmp(name + len - dl, deleted) == 0) {
		r->deleted = true;
		len -= dl;
	}
	r->name = arena_strndup(snap->arena, name, len);
	r->mem.v[VMS_MEM_SIZE] = end - start;
	r->mem.have = UINT32_C(1) << VMS_MEM_SIZE;
	return snap->n_regions++;
}

static inline size_t sb_thread(struct vms_snapshot *snap, pid_t tid, uint64_t sp)
{
	struct vms_thread *t;

	ARRAY_GROW(snap->threads, snap->n_threads + 1, snap->alloc_threads);
	t = &snap->threads[snap->n_threads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->comm = "t";
	t->sp = sp;
	t->region = -7; /* must be overwritten */
	return snap->n_threads++;
}

static inline struct vms_object *sb_object(struct vms_snapshot *snap, const char *path)
{
	for (size_t i = 0; i < snap->n_objects; i++)
		if (strcmp(snap->objects[i].path, path) == 0)
			return &snap->objects[i];
	fail_msg("no object %s", path);
	return NULL;
}

static inline int32_t sb_object_index(struct vms_snapshot *snap, const char *path)
{
	return (int32_t)(sb_object(snap, path) - snap->objects);
}

/* What src/elf would have found in the file. */
static inline void sb_elf(struct vms_snapshot *snap, const char *path, uint16_t type,
			  const struct vms_segment *segs, uint32_t n, uint64_t relro_vaddr,
			  uint64_t relro_memsz)
{
	struct vms_object *o = sb_object(snap, path);

	o->is_elf = true;
	o->elf_error = 0;
	o->elf_type = type;
	o->elf_class = 2;
	o->segments = arena_memdup(snap->arena, segs, n * sizeof(*segs));
	o->n_segments = n;
	o->relro_vaddr = relro_vaddr;
	o->relro_memsz = relro_memsz;
}

static inline void sb_expect_kinds(const struct vms_snapshot *snap, const enum vms_kind *want,
				   size_t n)
{
	assert_int_equal(snap->n_regions, n);
	for (size_t i = 0; i < n; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->kind != want[i])
			fail_msg("region %zu %" PRIx64 "-%" PRIx64 " %s: %s, expected %s", i, r->start,
				 r->end, r->name, vms_kind_to_string(r->kind),
				 vms_kind_to_string(want[i]));
	}
}

#define EXPECT_KINDS(snap, ...)                                                                    \
	do {                                                                                       \
		const enum vms_kind want_[] = { __VA_ARGS__ };                                     \
		sb_expect_kinds((snap), want_, sizeof(want_) / sizeof(want_[0]));                   \
	} while (0)

#endif
