/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that never returns NULL: out of memory is fatal through a die
 * hook, so base/ never depends on the UI. The live view registers a hook that
 * restores the terminal before the message is printed.
 */
#ifndef VMSCOPE_BASE_XALLOC_H
#define VMSCOPE_BASE_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

typedef void (*die_hook_fn)(void);

/* Called once before a fatal message is printed; NULL removes it. */
void die_set_hook(die_hook_fn hook);
_Noreturn void die_oom(size_t size);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* n * size, or die on overflow */
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * xreallocarray for an array whose first `kept` items are in use: with
 * none, a new block (free, then malloc) instead of realloc(), which copies
 * the whole old block into the new one's pages (a page fault each where
 * they are dear: 11 us on the virtual machine of issue 18).
 */
void *xreallocarray_kept(void *p, size_t kept, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Sort the n items of an array. qsort's array must not be NULL even when n
 * is 0, and an array that never grew is NULL: every sort goes through here.
 */
#define ARRAY_SORT(items, n, cmp)                                                              \
	do {                                                                                   \
		if ((size_t)(n) > 1)                                                           \
			qsort((items), (n), sizeof(*(items)), (cmp));                          \
	} while (0)

/*
 * The count ARRAY_GROW grows to: alloc (8 at least) doubled until need fits.
 * Dies on overflow. Out of line: every ARRAY_GROW keeps one compare inline,
 * and the growth and its overflow check are one piece of code.
 */
size_t array_grow_count(size_t alloc, size_t need);

/*
 * Grow (items, alloc) so that at least `need` items fit, the first `kept`
 * of them in use (xreallocarray_kept). Overflow-checked; doubles, so
 * appending n items is O(n). Items may move: keep indices.
 */
#define ARRAY_GROW_KEPT(items, need, alloc, kept)                                              \
	do {                                                                                   \
		if ((size_t)(need) > (alloc)) {                                                \
			size_t grow_n_ = array_grow_count((alloc), (size_t)(need));            \
			(items) = xreallocarray_kept((items), (kept), grow_n_, sizeof(*(items))); \
			(alloc) = grow_n_;                                                     \
		}                                                                              \
	} while (0)
/* The same, every item kept. */
#define ARRAY_GROW(items, need, alloc) ARRAY_GROW_KEPT(items, need, alloc, (size_t)-1)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* For __attribute__((cleanup)): free(*p). */
static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

/* Hand a cleanup-owned pointer on: returns it and clears the variable. */
#define TAKE_PTR(p)                                                                            \
	({                                                                                     \
		__typeof__(p) take_ptr_tmp_ = (p);                                             \
		(p) = NULL;                                                                    \
		take_ptr_tmp_;                                                                 \
	})

#endif
