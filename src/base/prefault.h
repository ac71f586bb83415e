/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_PREFAULT_H
#define VMSCOPE_BASE_PREFAULT_H

#include <stddef.h>

/*
 * Faults in the pages of [from, to) for writing, in one system call, ahead
 * of the writes that would each fault: a call for sixteen pages costs less
 * than sixteen faults, and on a machine with shadow page tables less than
 * half (3.7 against 8.6 us a page). The range is widened to whole pages:
 * it must lie in memory the caller may write, to the end of its last page
 * (a malloc() block, a mapping). Returns the end of that last page (what
 * is in memory now, from `from` on); NULL when the kernel cannot (before
 * 5.14, MADV_POPULATE_WRITE): then the pages fault one by one, as without
 * it, and later calls return NULL at once.
 */
char *prefault_range(void *from, void *to);

/*
 * The rule of the buffers that grow into memory of their own (an arena's
 * block, a snapshot's regions): in a buffer of `size` bytes at `base`, of
 * which `used` are in use and `faulted` in memory, faults in as much again
 * as is in use, `window` bytes at most, not past `size` (a small buffer
 * faults in a page or two, a big one a window a call). Returns how many
 * bytes from `base` are in memory now, to the end of a page (so at least
 * `faulted`), or SIZE_MAX when the kernel cannot: then the caller, whose
 * `used` never passes SIZE_MAX, calls no more.
 */
size_t prefault_ahead(void *base, size_t faulted, size_t used, size_t size, size_t window);

#endif
