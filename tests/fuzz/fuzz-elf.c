/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the ELF reader of src/elf: program headers, section
 * headers, the build-id and the symbol tables.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "base/arena.h"
#include "base/strbuf.h"
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
	/* Sections: what the model relies on to place them by address. */
	if (obj.n_sections && (r < 0 || !obj.sections))
		__builtin_trap();
	if (obj.n_sections && obj.sections_error)
		__builtin_trap();
	for (uint32_t i = 0; i < obj.n_sections; i++) {
		const struct vms_section *s = &obj.sections[i];

		if (!s->name || s->size == 0 || s->addr > UINT64_MAX - s->size)
			__builtin_trap();
		if (i && s->addr < obj.sections[i - 1].addr + obj.sections[i - 1].size)
			__builtin_trap();
	}
	if (obj.build_id && (strlen(obj.build_id) % 2 || strlen(obj.build_id) > 128))
		__builtin_trap();
	/* Symbols: at an address the input picks, or the first section's. */
	if (r == 0 && obj.is_elf) {
		struct strbuf sb;
		uint64_t vaddr = obj.n_sections ? obj.sections[0].addr : 0;

		if (size >= 8)
			memcpy(&vaddr, data + size - 8, 8);
		strbuf_init(&sb);
		if (vms_elf_symbolize_memory(data, size, vaddr, &sb) >= 0 && !strstr(sb.buf, "+0x"))
			__builtin_trap();
		strbuf_release(&sb);
	}
	arena_release(&arena);
	return 0;
}
