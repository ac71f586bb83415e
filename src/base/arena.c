/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/prefault.h"
#include "base/xalloc.h"

#define ARENA_BLOCK_MIN (64 * 1024)
#define ARENA_ALIGN alignof(max_align_t)

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	size_t faulted; /* data[0, faulted) faulted in ahead, or SIZE_MAX: not to be */
	alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}

/*
 * A block's pages are faulted in ahead of what is handed out, as much
 * again as is in use, 16 KiB at a time at most (prefault_ahead): a
 * snapshot's arena holds each region's page counters and name, 4.5 MB at
 * 30,000 VMAs, its pages two thirds of a report's faults.
 */
#define ARENA_FAULT_AHEAD (16 * 1024)

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t rounded;

	if (size > SIZE_MAX - ARENA_ALIGN)
		die_oom(size);
	rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (!b || b->size - b->used < rounded) {
		size_t bsize = rounded > ARENA_BLOCK_MIN ? rounded : ARENA_BLOCK_MIN;
		struct arena_block *nb = xmalloc(sizeof(*nb) + bsize);

		nb->size = bsize;
		nb->used = 0;
		nb->faulted = 0;
		/* A big allocation gets a block of its own behind the current one,
		 * so the space left in the current block is not wasted. */
		if (b && rounded > ARENA_BLOCK_MIN) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += rounded;
	a->used_total += rounded;
	if (b->used > b->faulted)
		b->faulted = prefault_ahead(b->data, b->faulted, b->used, b->size, ARENA_FAULT_AHEAD);
	return p;
}

void *arena_zalloc(struct arena *a, size_t size)
{
	return memset(arena_alloc(a, size), 0, size);
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	return n ? memcpy(arena_alloc(a, n), p, n) : arena_alloc(a, 1);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
