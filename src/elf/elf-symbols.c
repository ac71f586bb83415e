/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbols of a mapped object (.symtab, else what .dynsym exports), read on
 * the first lookup and kept by the cache: only the fault analyzer asks, and
 * a report of 200 objects should not pay for it.
 */
#include "config.h"

#include "elf/elf-internal.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

/* Caps on one table and its strings: a large program's .symtab is tens of MiB. */
#define SYMTAB_MAX (256u * 1024 * 1024)
#define STRTAB_MAX (256u * 1024 * 1024)
/* Symbols that may hold an address are looked for this far back. */
#define LOOKBACK 64

struct sym {
	uint32_t name;
	uint8_t info;
	uint16_t shndx;
	uint64_t value, size;
};

/* The fields of a symbol of type T (Elf32_Sym or Elf64_Sym). */
#define DECODE_SYM(T, p, m, s)                                                               \
	do {                                                                                 \
		(s)->name = (uint32_t)ELF_FIELD(p, T, st_name, m);                           \
		(s)->info = (uint8_t)ELF_FIELD(p, T, st_info, m);                            \
		(s)->shndx = (uint16_t)ELF_FIELD(p, T, st_shndx, m);                         \
		(s)->value = ELF_FIELD(p, T, st_value, m);                                   \
		(s)->size = ELF_FIELD(p, T, st_size, m);                                     \
	} while (0)

static void decode_sym(const unsigned char *p, const struct elf_layout *lay, struct sym *s)
{
	if (lay->class == ELFCLASS64)
		DECODE_SYM(Elf64_Sym, p, lay->msb, s);
	else
		DECODE_SYM(Elf32_Sym, p, lay->msb, s);
}

/* Functions before data, globals before weak before local. */
static uint8_t sym_rank(uint8_t info)
{
	uint8_t type = ELF64_ST_TYPE(info), bind = ELF64_ST_BIND(info);
	uint8_t r = type == STT_FUNC || type == STT_GNU_IFUNC ? 4 : 0;

	return r + (bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0);
}

static int read_table(const struct elf_source *src, const struct elf_layout *lay,
		      const struct elf_symtab_ref *t, struct elf_symbol **syms, size_t *n,
		      size_t *alloc, struct strbuf *names)
{
	size_t esize = lay->class == ELFCLASS64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	_cleanup_free_ unsigned char *tab = NULL;
	_cleanup_free_ char *str = NULL;
	uint64_t count;
	int r;

	if (t->entsize != esize || t->size % esize)
		return -EBADMSG;
	if (t->size > SYMTAB_MAX || t->str_size > STRTAB_MAX)
		return -EFBIG;
	if (elf_add_overflows(t->offset, t->size, src->size) ||
	    elf_add_overflows(t->str_offset, t->str_size, src->size) || t->str_size == 0)
		return -EBADMSG;
	count = t->size / esize;
	tab = xmalloc((size_t)t->size ? (size_t)t->size : 1);
	str = xmalloc((size_t)t->str_size + 1);
	r = elf_source_read(src, t->offset, tab, (size_t)t->size);
	if (r < 0)
		return r;
	r = elf_source_read(src, t->str_offset, str, (size_t)t->str_size);
	if (r < 0)
		return r;
	str[t->str_size] = '\0';

	for (uint64_t i = 1; i < count; i++) {
		struct sym s;
		uint8_t type;

		decode_sym(tab + i * esize, lay, &s);
		type = ELF64_ST_TYPE(s.info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT)
			continue;
		if (s.shndx == SHN_UNDEF || s.shndx == SHN_ABS || s.value == 0 ||
		    s.name == 0 || s.name >= t->str_size || str[s.name] == '\0')
			continue;
		if (names->len > UINT32_MAX - 4096)
			return -EFBIG;
		ARRAY_GROW(*syms, *n + 1, *alloc);
		(*syms)[(*n)++] = (struct elf_symbol){
			.value = s.value,
			.size = s.size,
			.name = (uint32_t)names->len,
			.rank = sym_rank(s.info),
		};
		strbuf_addstr(names, str + s.name);
		strbuf_addch(names, '\0');
	}
	return 0;
}

static int cmp_symbol(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* at one address the preferred name comes last: found first */
	return (int)x->rank - (int)y->rank;
}

void elf_read_symbols(const struct elf_source *src, struct elf_facts *f)
{
	struct elf_symbols *s = xcalloc(1, sizeof(*s));
	struct strbuf names;
	size_t alloc = 0;
	int r = -ENODATA;

	f->symbols_tried = true;
	strbuf_init(&names);
	/* .symtab holds every function; .dynsym only the exported ones */
	for (int i = 0; i < 2 && r < 0; i++) {
		if (f->symtab[i].size == 0)
			continue;
		s->n = 0;
		strbuf_reset(&names);
		r = read_table(src, &f->layout, &f->symtab[i], &s->syms, &s->n, &alloc, &names);
	}
	if (r == 0 && s->n == 0)
		r = -ENODATA;
	if (r < 0) {
		strbuf_release(&names);
		elf_symbols_free(s);
		f->symbols_error = r;
		return;
	}
	s->names = strbuf_detach(&names, &s->names_len);
	f->symbols = s;
	f->symbols_error = 0;
}

const struct elf_symbol *elf_symbols_find(struct elf_symbols *s, uint64_t vaddr)
{
	size_t lo = 0, hi, stop;

	if (!s || s->n == 0)
		return NULL;
	if (!s->sorted) {
		ARRAY_SORT(s->syms, s->n, cmp_symbol);
		s->sorted = true;
	}
	/* the first symbol above vaddr */
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Nearest first; a size of 0 (hand-written assembly) holds only its
	 * own address, never the gap after it. */
	stop = lo > LOOKBACK ? lo - LOOKBACK : 0;
	for (size_t i = lo; i-- > stop;) {
		const struct elf_symbol *sym = &s->syms[i];

		if (vaddr - sym->value < sym->size || vaddr == sym->value)
			return sym;
	}
	return NULL;
}
