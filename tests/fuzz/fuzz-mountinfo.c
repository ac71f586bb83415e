/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the mountinfo reader of src/base (mounts_kind_of): the
 * device asked for in the first 8 bytes, the text after them. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t major, minor;
	enum mounts_kind k;

	if (size < 8)
		return 0;
	memcpy(&major, data, 4);
	memcpy(&minor, data + 4, 4);
	k = mounts_kind_of((const char *)data + 8, size - 8, major, minor);
	if (k != MOUNTS_NONE && k != MOUNTS_OTHER && k != MOUNTS_FUSE)
		__builtin_trap();
	/* FUSE only from a type that says so */
	if (k == MOUNTS_FUSE && !memmem(data + 8, size - 8, "fuse", 4))
		__builtin_trap();
	return 0;
}
