/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A shared library of known contents for `list --by library`: initialized
 * data the target writes (private pages in each process) and constant data
 * it reads (file pages shared by every process that maps the library).
 */
#include <stddef.h>

#define LIB_PAGES 64
#define LIB_PAGE 4096

unsigned long vmstest_touch(size_t pages);

char vmstest_data[LIB_PAGES * LIB_PAGE] = { 1 };
const volatile char vmstest_rodata[LIB_PAGES * LIB_PAGE] = { 2 };

/* Writes the first pages of the data and reads as many of the constants. */
unsigned long vmstest_touch(size_t pages)
{
	unsigned long sum = 0;

	if (pages > LIB_PAGES)
		pages = LIB_PAGES;
	for (size_t i = 0; i < pages; i++) {
		vmstest_data[i * LIB_PAGE] = (char)i;
		sum += (unsigned char)vmstest_rodata[i * LIB_PAGE];
	}
	return sum;
}
