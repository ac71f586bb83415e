/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of src/elf share: the facts read from one file, where its
 * bytes come from, and bounded readers of raw ELF fields in either byte
 * order. Section headers, notes and symbols are decoded here by hand from
 * bounded reads rather than handed to libelf whole: a forged count or
 * offset then costs one refused read, never an allocation or a walk.
 */
#ifndef VMSCOPE_ELF_INTERNAL_H
#define VMSCOPE_ELF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/snapshot.h"

/* A table of symbols and the string table it names into. */
struct elf_symtab_ref {
	uint64_t offset, size, entsize;
	uint64_t str_offset, str_size;
};

/* Symbols of one file, sorted by value; built on first lookup. */
struct elf_symbol {
	uint64_t value, size;
	uint32_t name; /* offset in elf_symbols.names */
	uint8_t rank;  /* higher wins among symbols at one address */
};

struct elf_symbols {
	struct elf_symbol *syms;
	size_t n;
	char *names;
	size_t names_len;
};

/* The fields of the ELF header that locate the rest, decoded by hand. */
struct elf_layout {
	int class; /* ELFCLASS32 / ELFCLASS64 */
	bool msb;  /* big-endian */
	uint64_t shoff;
	uint32_t shnum, shstrndx, shentsize;
	/* PT_NOTE segments, for the build-id */
	uint32_t n_notes;
	struct {
		uint64_t offset, size, align;
	} notes[8];
};

/* What one file says, owned by the cache or by a stack frame. */
struct elf_facts {
	int error; /* 0 or -EBADMSG/-EFBIG: what parsing said */
	bool is_elf;
	uint16_t type;
	uint8_t class;
	uint32_t n_segments;
	struct vms_segment *segments; /* malloc'd */
	uint64_t relro_vaddr, relro_memsz;
	/* sections (elf-sections.c) */
	int sections_error;
	uint32_t n_sections;
	struct vms_section *sections; /* malloc'd; names point into shstrtab */
	char *shstrtab;               /* malloc'd, NUL-terminated */
	char build_id[2 * 64 + 1];    /* hex, "" when none */
	struct elf_symtab_ref symtab[2]; /* .symtab, .dynsym; size 0 when absent */
	int64_t mtime_ns;
	struct elf_layout layout;
	/* symbols (elf-symbols.c), loaded on first use by the cache */
	struct elf_symbols *symbols;
	int symbols_error;
	bool symbols_tried;
};

void elf_facts_release(struct elf_facts *f);

/*
 * Where the bytes come from: an open file or a buffer. head: the file's
 * first head_len bytes, already read (notes usually lie there), from which
 * reads past the ELF header are served without a system call.
 */
struct elf_source {
	int fd;
	const unsigned char *mem;
	uint64_t size;
	const unsigned char *head;
	size_t head_len, head_skip;
};

/* Reads n bytes at off; -EBADMSG when they are not all in the file. */
int source_read(const struct elf_source *src, uint64_t off, void *buf, size_t n);

/* An unsigned field of width n (1, 2, 4 or 8) at p. */
uint64_t elf_get(const unsigned char *p, size_t n, bool msb);
#define ELF_FIELD(buf, type, member, msb)                                                    \
	elf_get((const unsigned char *)(buf) + offsetof(type, member),                       \
		sizeof(((type *)0)->member), (msb))

bool elf_add_overflows(uint64_t a, uint64_t b, uint64_t limit);

/*
 * Reads the section headers, the build-id and where the symbol tables are.
 * Sets f->sections_error rather than failing: the program headers stand
 * without sections.
 */
void elf_read_sections(const struct elf_source *src, struct elf_facts *f);

/* Reads f's symbol tables into f->symbols (or sets f->symbols_error). */
void elf_read_symbols(const struct elf_source *src, struct elf_facts *f);
void elf_symbols_free(struct elf_symbols *s);

/* The symbol holding vaddr, or NULL. */
const struct elf_symbol *elf_symbols_find(const struct elf_symbols *s, uint64_t vaddr);

#endif
