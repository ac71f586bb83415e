/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/prefault.h"

#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
/* what prefault_code reads before it asks go_on again */
#define CODE_STEP (64 * 1024)

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

/* The readable executable segments of the program: [lo, hi) each,
 * page-aligned. */
struct code_ranges {
	uintptr_t lo[16], hi[16];
	unsigned n;
};

static int add_code(struct dl_phdr_info *info, size_t size, void *data)
{
	struct code_ranges *cr = data;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)size;
	/* the program is the object without a name (and comes first) */
	if (info->dlpi_name[0])
		return 1;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum && cr->n < 16; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || (ph->p_flags & (PF_R | PF_X)) != (PF_R | PF_X) ||
		    !ph->p_memsz)
			continue;
		cr->lo[cr->n] = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		cr->hi[cr->n] = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
		cr->n++;
	}
	return 0;
}

void prefault_code(bool (*go_on)(void))
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	struct code_ranges cr = { .n = 0 };

	(void)dl_iterate_phdr(add_code, &cr);
	for (unsigned i = 0; i < cr.n; i++) {
		for (uintptr_t a = cr.lo[i]; a < cr.hi[i]; a += CODE_STEP) {
			uintptr_t b = cr.hi[i] - a > CODE_STEP ? a + CODE_STEP : cr.hi[i];

			if (!go_on())
				return;
			for (uintptr_t p = a; p < b; p += page)
				(void)*(const volatile char *)p;
		}
	}
}
