/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static die_hook_fn die_hook;

void die_set_hook(die_hook_fn hook)
{
	die_hook = hook;
}

#if VMSCOPE_COVERAGE
/* libgcov's: writes the counts, as exit() would and _exit does not */
void __gcov_dump(void);
#endif

/*
 * tests/hardening/test-size.sh runs this under a ulimit -v where malloc
 * fails, tests/base/test-xalloc.c on an overflow. In a gcov build the
 * counts are written before the _exit, so that coverage.sh counts the
 * paths that end here.
 */
_Noreturn void die_oom(size_t size)
{
	die_hook_fn hook = die_hook;

	die_hook = NULL;
	if (hook)
		hook();
	/* The one place below main that prints: there is no one to return to. */
	fprintf(stderr, "vmscope: out of memory (allocating %zu bytes)\n", size);
#if VMSCOPE_COVERAGE
	__gcov_dump();
#endif
	_exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		die_oom(size);
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom(SIZE_MAX);
	return xrealloc(p, n * size);
}

void *xreallocarray_kept(void *p, size_t kept, size_t n, size_t size)
{
	if (kept == 0) {
		free(p);
		p = NULL;
	}
	return xreallocarray(p, n, size);
}

size_t array_grow_count(size_t alloc, size_t need)
{
	size_t n = alloc < 8 ? 8 : alloc;

	while (n < need) {
		if (n > SIZE_MAX / 2)
			die_oom(SIZE_MAX);
		n *= 2;
	}
	return n;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
