/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Section headers and the build-id of a mapped object.
 *
 * Only the allocated sections are kept (what the loader maps), plus where
 * the symbol tables are for a later lookup. Every count, offset and size is
 * checked against the file and a cap before anything is read or allocated.
 */
#include "config.h"

#include "elf/elf-internal.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* Caps: far beyond real files (libc has 70 sections, 800 bytes of names). */
#define SHDRS_MAX_BYTES (4u * 1024 * 1024)
#define SHSTRTAB_MAX (1024u * 1024)
#define NOTE_MAX (64u * 1024)
#define BUILD_ID_MAX 64
/* Bytes read ahead of the section table for the names (libc's are 800). */
#define NAMES_AHEAD 2048u

/* One section header, whichever the class. */
struct shdr {
	uint32_t name, type, link;
	uint64_t flags, addr, offset, size, entsize;
};

/* The fields of a section header of type T (Elf32_Shdr or Elf64_Shdr). */
#define DECODE_SHDR(T, p, m, s)                                                              \
	do {                                                                                 \
		(s)->name = (uint32_t)ELF_FIELD(p, T, sh_name, m);                           \
		(s)->type = (uint32_t)ELF_FIELD(p, T, sh_type, m);                           \
		(s)->flags = ELF_FIELD(p, T, sh_flags, m);                                   \
		(s)->addr = ELF_FIELD(p, T, sh_addr, m);                                     \
		(s)->offset = ELF_FIELD(p, T, sh_offset, m);                                 \
		(s)->size = ELF_FIELD(p, T, sh_size, m);                                     \
		(s)->link = (uint32_t)ELF_FIELD(p, T, sh_link, m);                           \
		(s)->entsize = ELF_FIELD(p, T, sh_entsize, m);                               \
	} while (0)

static void decode_shdr(const unsigned char *p, const struct elf_layout *lay, struct shdr *s)
{
	if (lay->class == ELFCLASS64)
		DECODE_SHDR(Elf64_Shdr, p, lay->msb, s);
	else
		DECODE_SHDR(Elf32_Shdr, p, lay->msb, s);
}

/* Whether a section's bytes lie in the file (SHT_NOBITS has none). */
static bool in_file(const struct shdr *s, uint64_t file_size)
{
	return s->type == SHT_NOBITS || !elf_add_overflows(s->offset, s->size, file_size);
}

/*
 * Looks for NT_GNU_BUILD_ID among the notes at [off, off + size) of the
 * file. Returns true when found (f->build_id is then set).
 */
static bool scan_notes(const struct elf_source *src, bool msb, uint64_t off, uint64_t size,
		       uint64_t align, struct elf_facts *f)
{
	_cleanup_free_ unsigned char *buf = NULL;
	size_t n, pos = 0;

	if (size == 0 || elf_add_overflows(off, size, src->size))
		return false;
	n = size > NOTE_MAX ? NOTE_MAX : (size_t)size;
	buf = xmalloc(n);
	if (elf_source_read(src, off, buf, n) < 0)
		return false;
	/* Notes are padded to 4 bytes, or to 8 in a segment aligned to 8. */
	align = align == 8 ? 8 : 4;
	while (n - pos >= 12) {
		uint64_t namesz = elf_get(buf + pos, 4, msb);
		uint64_t descsz = elf_get(buf + pos + 4, 4, msb);
		uint64_t type = elf_get(buf + pos + 8, 4, msb);
		uint64_t name_pad = (namesz + align - 1) & ~(align - 1);
		uint64_t desc_pad = (descsz + align - 1) & ~(align - 1);
		size_t name_at = pos + 12;

		if (name_pad > n - name_at || desc_pad > n - name_at - name_pad)
			return false;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(buf + name_at, "GNU", 4) == 0 &&
		    descsz > 0 && descsz <= BUILD_ID_MAX) {
			static const char hex[] = "0123456789abcdef";
			const unsigned char *d = buf + name_at + name_pad;

			for (size_t i = 0; i < descsz; i++) {
				f->build_id[2 * i] = hex[d[i] >> 4];
				f->build_id[2 * i + 1] = hex[d[i] & 15];
			}
			f->build_id[2 * descsz] = '\0';
			return true;
		}
		pos = name_at + (size_t)name_pad + (size_t)desc_pad;
	}
	return false;
}

static int cmp_section(const void *a, const void *b)
{
	const struct vms_section *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* Reads the table; returns 0 or -errno, keeping what it read in f. */
static int read_table(const struct elf_source *src, struct elf_facts *f, uint64_t *ret_note_off,
		      uint64_t *ret_note_size)
{
	const struct elf_layout *lay = &f->layout;
	uint64_t addr_max = lay->class == ELFCLASS32 ? UINT32_MAX : UINT64_MAX;
	size_t shdr_size = lay->class == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	_cleanup_free_ unsigned char *area = NULL;
	const unsigned char *table;
	uint64_t shnum = lay->shnum, shstrndx = lay->shstrndx;
	size_t before;
	struct shdr s, strs;
	uint32_t n_symtabs = 0;
	int r;

	if (lay->shoff == 0)
		return -ENODATA; /* stripped of section headers: segments only */
	if (lay->shentsize != shdr_size)
		return -EBADMSG;
	if (shnum == 0 || shstrndx == SHN_XINDEX) {
		/* more than 0xff00 of them: the real values are in section 0 */
		unsigned char first[sizeof(Elf64_Shdr)];

		r = elf_source_read(src, lay->shoff, first, shdr_size);
		if (r < 0)
			return r;
		decode_shdr(first, lay, &s);
		if (shnum == 0)
			shnum = s.size;
		if (shstrndx == SHN_XINDEX)
			shstrndx = s.link;
	}
	if (shnum == 0)
		return -ENODATA;
	if (shnum > SHDRS_MAX_BYTES / shdr_size)
		return -EFBIG;
	if (elf_add_overflows(lay->shoff, shnum * shdr_size, src->size))
		return -EBADMSG;
	if (shstrndx == SHN_UNDEF || shstrndx >= shnum)
		return -EBADMSG;
	/*
	 * Linkers put the section names right before the table, at the end
	 * of the file: one read of both, when they are there.
	 */
	before = lay->shoff < NAMES_AHEAD ? (size_t)lay->shoff : NAMES_AHEAD;
	area = xmalloc(before + (size_t)shnum * shdr_size);
	r = elf_source_read(src, lay->shoff - before, area, before + (size_t)shnum * shdr_size);
	if (r < 0)
		return r;
	table = area + before;

	decode_shdr(table + shstrndx * shdr_size, lay, &strs);
	if (strs.type != SHT_STRTAB || strs.size == 0 || !in_file(&strs, src->size))
		return -EBADMSG;
	if (strs.size > SHSTRTAB_MAX)
		return -EFBIG;
	f->shstrtab = xmalloc((size_t)strs.size + 1);
	if (strs.offset >= lay->shoff - before && strs.offset <= lay->shoff &&
	    strs.size <= lay->shoff - strs.offset) {
		memcpy(f->shstrtab, area + (strs.offset - (lay->shoff - before)), (size_t)strs.size);
	} else {
		r = elf_source_read(src, strs.offset, f->shstrtab, (size_t)strs.size);
		if (r < 0)
			return r;
	}
	f->shstrtab[strs.size] = '\0'; /* a name running off the end stops here */

	f->sections = xreallocarray(NULL, (size_t)shnum, sizeof(*f->sections));
	for (uint64_t i = 1; i < shnum; i++) {
		decode_shdr(table + i * shdr_size, lay, &s);
		if (s.name >= strs.size || !in_file(&s, src->size))
			return -EBADMSG;
		if ((s.type == SHT_SYMTAB || s.type == SHT_DYNSYM) && s.size > 0 && n_symtabs < 2) {
			struct shdr str;

			/* the lookup checks the rest; a table we cannot use is
			 * no reason to drop the sections */
			if (s.link > 0 && s.link < shnum) {
				decode_shdr(table + (uint64_t)s.link * shdr_size, lay, &str);
				if (str.type == SHT_STRTAB && in_file(&str, src->size))
					f->symtab[s.type == SHT_SYMTAB ? 0 : 1] =
						(struct elf_symtab_ref){ s.offset, s.size, s.entsize,
									 str.offset, str.size };
			}
			n_symtabs++;
		}
		if (s.type == SHT_NOTE && strcmp(f->shstrtab + s.name, ".note.gnu.build-id") == 0) {
			*ret_note_off = s.offset;
			*ret_note_size = s.size;
		}
		if (!(s.flags & SHF_ALLOC) || s.size == 0)
			continue;
		/* A TLS template of no size in the image overlaps what follows. */
		if ((s.flags & SHF_TLS) && s.type == SHT_NOBITS)
			continue;
		if (elf_add_overflows(s.addr, s.size, addr_max))
			return -EBADMSG;
		f->sections[f->n_sections++] = (struct vms_section){
			.name = f->shstrtab + s.name,
			.addr = s.addr,
			.size = s.size,
			.offset = s.offset,
			.flags = s.flags,
			.type = s.type,
		};
	}
	/* room was made for every section, and about half are allocated:
	 * the rest back to malloc, for the next file's (each file's facts are
	 * kept for the process, and the heap grows a fault a page) */
	f->sections = xreallocarray(f->sections, f->n_sections ? f->n_sections : 1,
				    sizeof(*f->sections));
	ARRAY_SORT(f->sections, f->n_sections, cmp_section);
	/* The model places sections by address: one address, one section. */
	for (uint32_t i = 1; i < f->n_sections; i++)
		if (f->sections[i].addr < f->sections[i - 1].addr + f->sections[i - 1].size)
			return -EBADMSG;
	return 0;
}

void elf_read_sections(const struct elf_source *src, struct elf_facts *f)
{
	const struct elf_layout *lay = &f->layout;
	uint64_t note_off = 0, note_size = 0;
	bool found = false;
	int r;

	r = read_table(src, f, &note_off, &note_size);
	if (r < 0) {
		/* Sections are all or nothing: half a table would mislabel. */
		free(f->sections);
		f->sections = NULL;
		f->n_sections = 0;
		memset(f->symtab, 0, sizeof(f->symtab));
		f->sections_error = r;
	}
	for (uint32_t i = 0; i < lay->n_notes && !found; i++)
		found = scan_notes(src, lay->msb, lay->notes[i].offset, lay->notes[i].size,
				   lay->notes[i].align, f);
	if (!found && r == 0 && note_size)
		(void)scan_notes(src, lay->msb, note_off, note_size, 4, f);
}
