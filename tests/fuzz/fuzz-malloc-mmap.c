/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the walk of malloc's mmapped chunks in a region
 * (vms_malloc_mmap_chunks, src/proc/arena.c) over a memory image, the input:
 * its first byte gives the page size (16 << (byte % 8), so that small
 * inputs hold many pages), its second the most chunks read; the region is
 * the rest of the input, cut to whole pages (tests/image.h). Seeds: three chunks end to end, one
 * chunk of the whole region, and a second header that runs past the end.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "tests/image.h"
#include "vmscope/collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im;
	struct vms_mem_reader m = { .read = image_read, .ctx = &im };
	uint64_t page, len;
	size_t max, n, reads = 0;

	if (size < 2)
		return 0;
	page = UINT64_C(16) << (data[0] % 8);
	max = data[1];
	im = (struct image){ data + 2, size - 2 };
	len = (size - 2) / page * page;
	n = vms_malloc_mmap_chunks(&m, IMAGE_BASE, IMAGE_BASE + len, page, max, &reads);
	/* no more chunks than asked or than pages, one header read each; no
	 * more reads than asked, nor than pages (each chunk is one at least) */
	if (n > max || n > len / page || (n && reads != n) || reads > max ||
	    reads > len / page)
		__builtin_trap();
	return 0;
}
