/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_PREFAULT_H
#define VMSCOPE_BASE_PREFAULT_H

#include <stdbool.h>
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

/*
 * Reads a byte of each page of the program's code (its readable executable
 * segments), 64 KiB at a time, for as long as go_on() says true. Each
 * 64 KiB of code the program runs for the first time is a page fault
 * otherwise (fault-around maps that much from the page cache), 11 to 15 us
 * on a virtual machine with shadow page tables, and there each page's first
 * access is a fault of the host's besides, even once mapped (about 1.2 us):
 * read here, both are paid by this thread instead of the one that runs the
 * code. For a thread that would otherwise wait (the early thread of
 * thread.h). The libraries' code is left alone: libc's is 1.3 MiB, most of
 * which vmscope never runs, and all of it would count in vmscope's
 * resident set.
 */
void prefault_code(bool (*go_on)(void));

#endif
