/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of src/elf share. elf-facts.c holds it: the facts read
 * from one file, where its bytes come from, bounded readers of raw ELF fields
 * in either byte order, and the cache of facts by (dev, inode); it calls none
 * of the others. elf.c reads the program headers (through libelf) and answers
 * the public calls of vmscope/elf.h; elf-sections.c and elf-symbols.c decode
 * section headers, notes and symbols by hand from bounded reads rather than
 * handing them to libelf whole: a forged count or offset then costs one
 * refused read, never an allocation or a walk. Calls go elf.c -> elf-sections.c,
 * elf-symbols.c -> elf-facts.c, never back.
 */
#ifndef VMSCOPE_ELF_INTERNAL_H
#define VMSCOPE_ELF_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

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
	/* syms by address (elf_symbols_find sorts them at its first call: a
	 * lookup by name needs no order, and sorting libjvm.so's 100,000
	 * symbols took half of a JVM's report) */
	bool sorted;
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
	uint64_t tls_memsz, tls_align; /* PT_TLS, memsz 0 if none */
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

/* Frees f's arrays and symbols (elf-facts.c). */
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
int elf_source_read(const struct elf_source *src, uint64_t off, void *buf, size_t n);

/*
 * An unsigned field of width n (1, 2, 4 or 8) at p. Inline: every caller
 * knows n, so a field in this machine's byte order is one load (section
 * headers are read by the dozen for every mapped file).
 */
static inline uint64_t elf_get(const unsigned char *p, size_t n, bool msb)
{
	uint64_t v = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (!msb && n <= sizeof(v)) {
		memcpy(&v, p, n);
		return v;
	}
#endif
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[msb ? n - 1 - i : i] << (8 * i);
	return v;
}
#define ELF_FIELD(buf, type, member, msb)                                                    \
	elf_get((const unsigned char *)(buf) + offsetof(type, member),                       \
		sizeof(((type *)0)->member), (msb))

/* Whether [a, a + b) does not fit below limit. */
bool elf_add_overflows(uint64_t a, uint64_t b, uint64_t limit);

/* elf_open_mapped's answer for a device, socket or anon inode (never an
 * errno of fstatat or openat). */
#define ELF_NOT_REGULAR ENOEXEC

/*
 * Opens the file region r of the process at pid_dirfd maps, through
 * map_files/ or else root/<path> (the inode must match), when it is a regular
 * file: opening a mapped device can have effects. Not on a FUSE filesystem,
 * nor on an anonymous device no mount names (-EREMOTE; see elf-facts.c); the
 * cache (may be NULL) keeps the process's mountinfo for that. Returns an fd
 * and fills ret_st, or -ELF_NOT_REGULAR, -EREMOTE or -errno.
 */
struct vms_elf_cache;
int elf_open_mapped(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
		    struct stat *ret_st);

/* One file's facts in the cache (struct vms_elf_cache, elf-facts.c). */
struct elf_cache_entry {
	bool used;
	/* the cache's pass in which the file was read or found unchanged */
	uint64_t pass;
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	/*
	 * What fstat said when the file was parsed. Inode numbers are reused
	 * (a library upgraded while `top` runs): a hit whose file can be
	 * opened and looks different is parsed again.
	 */
	dev_t st_dev;
	ino_t st_ino;
	off_t st_size;
	struct timespec st_mtim, st_ctim;
	struct elf_facts facts;
};

struct vms_elf_cache;

/* The entry of the file region r maps, or NULL (also for a NULL cache). */
struct elf_cache_entry *elf_cache_find(struct vms_elf_cache *cache, const struct vms_region *r);

/* Whether the file e was read from still looks as fstat said then. */
bool elf_cache_entry_matches(const struct elf_cache_entry *e, const struct stat *st);

/* Whether e (or NULL) was read or found unchanged in the cache's pass: its
 * file is not looked at again before the next pass. */
bool elf_cache_entry_fresh(const struct vms_elf_cache *cache, const struct elf_cache_entry *e);
/* e was found unchanged in this pass. */
void elf_cache_entry_checked(const struct vms_elf_cache *cache, struct elf_cache_entry *e);

/* Keeps f for r's (dev, inode), replacing what was there; takes f's arrays
 * and clears f. */
void elf_cache_put(struct vms_elf_cache *cache, const struct vms_region *r, const struct stat *st,
		   struct elf_facts *f);

/*
 * Reads the section headers, the build-id and where the symbol tables are.
 * Sets f->sections_error rather than failing: the program headers stand
 * without sections.
 */
void elf_read_sections(const struct elf_source *src, struct elf_facts *f);

/* Reads f's symbol tables into f->symbols (or sets f->symbols_error). */
void elf_read_symbols(const struct elf_source *src, struct elf_facts *f);
/* (elf-facts.c, as the facts own their symbols) */
void elf_symbols_free(struct elf_symbols *s);

/* The symbol holding vaddr, or NULL. */
const struct elf_symbol *elf_symbols_find(struct elf_symbols *s, uint64_t vaddr);

#endif
