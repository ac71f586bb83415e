/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/prefault.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static bool unsupported; /* set once, read by any thread: a stale false costs one call */

char *prefault_range(void *from, void *to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)from & ~(page - 1);
	uintptr_t hi = ((uintptr_t)to + page - 1) & ~(page - 1);

	if (__atomic_load_n(&unsupported, __ATOMIC_RELAXED))
		return NULL;
	if (hi > lo && madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) < 0) {
		__atomic_store_n(&unsupported, true, __ATOMIC_RELAXED);
		return NULL;
	}
	return (char *)hi;
}

size_t prefault_ahead(void *base, size_t faulted, size_t used, size_t size, size_t window)
{
	size_t ahead = used < window ? used : window;
	size_t to = size - used > ahead ? used + ahead : size;
	char *end;

	if (to <= faulted)
		return faulted;
	end = prefault_range((char *)base + faulted, (char *)base + to);
	return end ? (size_t)(end - (char *)base) : SIZE_MAX;
}
