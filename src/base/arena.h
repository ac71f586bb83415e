/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A block-chained bump allocator: a snapshot's strings and small arrays live
 * in one, so freeing a snapshot is a few calls, whatever its size.
 */
#ifndef VMSCOPE_BASE_ARENA_H
#define VMSCOPE_BASE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_total; /* bytes handed out, for benchmarks */
};

void arena_init(struct arena *a);
/* Frees every block; the arena is empty and usable again. */
void arena_release(struct arena *a);

/* Aligned to max_align_t; never NULL (dies on OOM). */
void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* Copy of n bytes plus a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
