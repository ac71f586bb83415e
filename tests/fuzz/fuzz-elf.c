/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the program header reader of src/elf. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "vmscope/elf.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_object obj = { 0 };
	struct arena arena;
	int r;

	/* Any bytes: read or refused, never a read past the end. What is
	 * accepted must hold what the model relies on. */
	arena_init(&arena);
	r = vms_elf_load_memory(data, size, &obj, &arena);
	if (r != obj.elf_error || (r < 0 && (obj.is_elf || obj.n_segments)))
		__builtin_trap();
	if (r == 0 && !obj.is_elf && obj.n_segments)
		__builtin_trap();
	for (uint32_t i = 0; i < obj.n_segments; i++) {
		const struct vms_segment *s = &obj.segments[i];

		if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset ||
		    s->memsz > UINT64_MAX - s->vaddr)
			__builtin_trap();
	}
	arena_release(&arena);
	return 0;
}
