/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A memory image for the tests and fuzz targets that read a process's
 * memory (struct vms_mem_reader): bytes laid at IMAGE_BASE; a read outside
 * them fails, as a read of memory the process does not map, or of a page
 * not in memory, does.
 */
#ifndef VMSCOPE_TESTS_IMAGE_H
#define VMSCOPE_TESTS_IMAGE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IMAGE_BASE UINT64_C(0x7f3d00000000)

/* n bytes at addr of data[0, size) laid at IMAGE_BASE: 0, or -EIO outside it. */
static inline int image_copy(const void *data, size_t size, uint64_t addr, void *buf, size_t n)
{
	if (addr < IMAGE_BASE || addr - IMAGE_BASE > size || n > size - (addr - IMAGE_BASE))
		return -EIO;
	memcpy(buf, (const char *)data + (addr - IMAGE_BASE), n);
	return 0;
}

struct image {
	const uint8_t *data;
	size_t size;
};

/* A struct vms_mem_reader's read, ctx a struct image. */
static inline int image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	const struct image *im = ctx;

	return image_copy(im->data, im->size, addr, buf, n);
}

#endif
