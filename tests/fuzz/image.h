/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A memory image for the fuzz targets that read a process's memory: the
 * input at address FUZZ_IMAGE_BASE; a read outside it fails, as a read of
 * memory the process does not map, or of a page not in memory, does.
 */
#ifndef VMSCOPE_TESTS_FUZZ_IMAGE_H
#define VMSCOPE_TESTS_FUZZ_IMAGE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FUZZ_IMAGE_BASE UINT64_C(0x7f3d00000000)

struct fuzz_image {
	const uint8_t *data;
	size_t size;
};

/* A struct vms_mem_reader's read, ctx a struct fuzz_image. */
static inline int fuzz_image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	const struct fuzz_image *im = ctx;

	if (addr < FUZZ_IMAGE_BASE || addr - FUZZ_IMAGE_BASE > im->size ||
	    n > im->size - (addr - FUZZ_IMAGE_BASE))
		return -EIO;
	memcpy(buf, im->data + (addr - FUZZ_IMAGE_BASE), n);
	return 0;
}

#endif
