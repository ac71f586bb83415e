/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the maps line parser of src/proc (every line of
 * /proc/PID/maps, and the header line of each VMA in smaps). An accepted
 * line gives a region that does not end before it starts, and a name no
 * longer than the line.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct arena arena;

	arena_init(&arena);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct vms_region r;

		memset(&r, 0, sizeof(r));
		if (vms_maps_parse_line(p, len, &arena, &r) == 0) {
			if (r.end < r.start)
				__builtin_trap();
			if (r.name && strlen(r.name) > len)
				__builtin_trap();
		}
		p += len + (nl ? 1 : 0);
	}
	arena_release(&arena);
	return 0;
}
