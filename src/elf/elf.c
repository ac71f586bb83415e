/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Program headers of mapped objects, and the public calls of vmscope/elf.h:
 * loading an object's facts through the cache, and the symbolizer. The
 * cache, the file reader and the facts themselves are in elf-facts.c.
 *
 * The bytes come from files a process maps, which may be anything: a font, a
 * locale archive, a half-written or hostile ELF. Only the ELF header and the
 * program header table are read, into a bounded buffer; the section header
 * fields are cleared in that copy before libelf sees it, so a forged section
 * count can neither make libelf allocate nor walk anything. Section headers,
 * notes and symbols are decoded by hand (elf-sections.c, elf-symbols.c).
 * Every offset and size is checked against the file size.
 */
#include "config.h"

#include "vmscope/elf.h"

#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "elf/elf-internal.h"

/* The kernel refuses program header tables over 64 KiB; so do we. */
#define ELF_PHDRS_MAX (64 * 1024)
/* The headers must lie within the first MiB: real files have them at 64. */
#define ELF_HEADERS_MAX (1024 * 1024)
/* One read covers the headers of almost every file. */
#define ELF_HEAD_READ 4096

static void libelf_init(void)
{
	/* Idempotent; libelf needs it before any other call. */
	(void)elf_version(EV_CURRENT);
}

/*
 * Clears e_shoff, e_shnum and e_shstrndx in a copy of the header: we need
 * no sections, and zero is zero in either byte order.
 */
static void clear_section_fields(unsigned char *img, int class)
{
	if (class == ELFCLASS64) {
		memset(img + offsetof(Elf64_Ehdr, e_shoff), 0, sizeof(Elf64_Off));
		memset(img + offsetof(Elf64_Ehdr, e_shnum), 0, sizeof(Elf64_Half));
		memset(img + offsetof(Elf64_Ehdr, e_shstrndx), 0, sizeof(Elf64_Half));
	} else {
		memset(img + offsetof(Elf32_Ehdr, e_shoff), 0, sizeof(Elf32_Off));
		memset(img + offsetof(Elf32_Ehdr, e_shnum), 0, sizeof(Elf32_Half));
		memset(img + offsetof(Elf32_Ehdr, e_shstrndx), 0, sizeof(Elf32_Half));
	}
}

static int read_phdrs(Elf *elf, int class, size_t phnum, uint64_t file_size, struct elf_facts *f)
{
	uint64_t addr_max = class == ELFCLASS32 ? UINT32_MAX : UINT64_MAX;
	size_t n_load = 0;
	bool have_relro = false;

	f->segments = xcalloc(phnum ? phnum : 1, sizeof(*f->segments));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return -EBADMSG;
		if (ph.p_type == PT_LOAD) {
			struct vms_segment *s = &f->segments[n_load++];

			/* What the kernel and the dynamic loader refuse, or what
			 * would make the address arithmetic of the model wrap. */
			if (ph.p_filesz > ph.p_memsz)
				return -EBADMSG;
			if (elf_add_overflows(ph.p_offset, ph.p_filesz, file_size))
				return -EBADMSG;
			if (elf_add_overflows(ph.p_vaddr, ph.p_memsz, addr_max))
				return -EBADMSG;
			s->vaddr = ph.p_vaddr;
			s->memsz = ph.p_memsz;
			s->offset = ph.p_offset;
			s->filesz = ph.p_filesz;
			s->align = ph.p_align;
			s->flags = ph.p_flags & (PF_R | PF_W | PF_X);
		} else if (ph.p_type == PT_NOTE && f->layout.n_notes < ARRAY_SIZE(f->layout.notes)) {
			/* checked against the file when read */
			f->layout.notes[f->layout.n_notes].offset = ph.p_offset;
			f->layout.notes[f->layout.n_notes].size = ph.p_filesz;
			f->layout.notes[f->layout.n_notes].align = ph.p_align;
			f->layout.n_notes++;
		} else if (ph.p_type == PT_GNU_RELRO && !have_relro) {
			if (elf_add_overflows(ph.p_vaddr, ph.p_memsz, addr_max))
				return -EBADMSG;
			f->relro_vaddr = ph.p_vaddr;
			f->relro_memsz = ph.p_memsz;
			have_relro = true;
		} else if (ph.p_type == PT_TLS && f->tls_memsz == 0) {
			f->tls_memsz = ph.p_memsz;
			f->tls_align = ph.p_align;
		}
	}
	f->n_segments = (uint32_t)n_load;
	return 0;
}

/*
 * Where the section headers are, from the raw header: the copy libelf sees
 * has them cleared.
 */
static void read_layout(const unsigned char *img, int class, struct elf_layout *lay)
{
	bool m = img[EI_DATA] == ELFDATA2MSB;

	lay->class = class;
	lay->msb = m;
	if (class == ELFCLASS64) {
		lay->shoff = ELF_FIELD(img, Elf64_Ehdr, e_shoff, m);
		lay->shnum = (uint32_t)ELF_FIELD(img, Elf64_Ehdr, e_shnum, m);
		lay->shstrndx = (uint32_t)ELF_FIELD(img, Elf64_Ehdr, e_shstrndx, m);
		lay->shentsize = (uint32_t)ELF_FIELD(img, Elf64_Ehdr, e_shentsize, m);
	} else {
		lay->shoff = ELF_FIELD(img, Elf32_Ehdr, e_shoff, m);
		lay->shnum = (uint32_t)ELF_FIELD(img, Elf32_Ehdr, e_shnum, m);
		lay->shstrndx = (uint32_t)ELF_FIELD(img, Elf32_Ehdr, e_shstrndx, m);
		lay->shentsize = (uint32_t)ELF_FIELD(img, Elf32_Ehdr, e_shentsize, m);
	}
}

/*
 * Reads the facts of one file into f (which the caller releases, also on
 * error). Returns 0 (f->is_elf false for something that is not ELF), or
 * -EBADMSG (corrupt), -EFBIG (headers out of reach) or a read error.
 */
static int parse_source(const struct elf_source *src, struct elf_facts *f)
{
	_cleanup_free_ unsigned char *img = NULL;
	size_t img_len, head_len, ehdr_size, phentsize, phnum;
	uint64_t phdrs_end;
	Elf *elf = NULL;
	GElf_Ehdr eh;
	int class, r;

	memset(f, 0, sizeof(*f));
	libelf_init();

	img_len = src->size < ELF_HEAD_READ ? (size_t)src->size : ELF_HEAD_READ;
	img = xmalloc(img_len ? img_len : 1);
	r = elf_source_read(src, 0, img, img_len);
	if (r < 0)
		return r;
	if (img_len < SELFMAG || memcmp(img, ELFMAG, SELFMAG) != 0)
		return 0; /* a font, a locale archive, a database: not ours to read */
	f->is_elf = true;

	class = img_len > EI_CLASS ? img[EI_CLASS] : ELFCLASSNONE;
	if (class == ELFCLASS64) {
		ehdr_size = sizeof(Elf64_Ehdr);
		phentsize = sizeof(Elf64_Phdr);
	} else if (class == ELFCLASS32) {
		ehdr_size = sizeof(Elf32_Ehdr);
		phentsize = sizeof(Elf32_Phdr);
	} else {
		return -EBADMSG;
	}
	if (img_len < ehdr_size)
		return -EBADMSG;
	read_layout(img, class, &f->layout);
	clear_section_fields(img, class);

	/* First the header alone, to learn where the program headers are. */
	elf = elf_memory((char *)img, ehdr_size);
	if (!elf)
		return -EBADMSG;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		r = -EBADMSG;
		goto out;
	}
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM || phnum > ELF_PHDRS_MAX / phentsize) {
		r = -EBADMSG;
		goto out;
	}
	if (phnum > 0 && eh.e_phentsize != phentsize) {
		r = -EBADMSG;
		goto out;
	}
	if (elf_add_overflows(eh.e_phoff, phnum * phentsize, src->size)) {
		r = -EBADMSG;
		goto out;
	}
	phdrs_end = phnum ? eh.e_phoff + phnum * phentsize : ehdr_size;
	if (phdrs_end < ehdr_size)
		phdrs_end = ehdr_size;
	if (phdrs_end > ELF_HEADERS_MAX) {
		r = -EFBIG;
		goto out;
	}
	elf_end(elf);
	elf = NULL;

	head_len = img_len > phdrs_end ? img_len : (size_t)phdrs_end; /* bytes read */
	if (phdrs_end > img_len) {
		img = xrealloc(img, (size_t)phdrs_end);
		r = elf_source_read(src, img_len, img + img_len, (size_t)phdrs_end - img_len);
		if (r < 0)
			return r;
	}
	img_len = (size_t)phdrs_end;

	/* Then the header with its program header table. */
	elf = elf_memory((char *)img, img_len);
	if (!elf)
		return -EBADMSG;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || gelf_getclass(elf) != class) {
		r = -EBADMSG;
		goto out;
	}
	{
		size_t n;

		/* (libelf refuses a table of none that starts at the end) */
		if (phnum > 0 && (elf_getphdrnum(elf, &n) != 0 || n != phnum)) {
			r = -EBADMSG;
			goto out;
		}
	}
	f->type = eh.e_type;
	f->class = (uint8_t)class;
	r = read_phdrs(elf, class, phnum, src->size, f);
	if (r == 0) {
		/* (the copy's header has its section fields cleared: not served) */
		struct elf_source with_head = *src;

		with_head.head = img;
		with_head.head_len = head_len;
		with_head.head_skip = ehdr_size;
		elf_read_sections(&with_head, f);
	}
out:
	elf_end(elf);
	return r;
}

static void facts_to_object(const struct elf_facts *f, struct vms_object *obj, struct arena *arena)
{
	obj->elf_error = f->error;
	if (f->error < 0)
		return;
	obj->is_elf = f->is_elf;
	if (!f->is_elf)
		return;
	obj->elf_type = f->type;
	obj->elf_class = f->class;
	obj->n_segments = f->n_segments;
	obj->segments = f->n_segments
		? arena_memdup(arena, f->segments, f->n_segments * sizeof(*f->segments))
		: NULL;
	obj->relro_vaddr = f->relro_vaddr;
	obj->relro_memsz = f->relro_memsz;
	obj->tls_memsz = f->tls_memsz;
	obj->tls_align = f->tls_align;
	obj->sections_error = f->sections_error;
	obj->build_id = f->build_id[0] ? arena_strdup(arena, f->build_id) : NULL;
	obj->mtime_ns = f->mtime_ns;
	obj->n_sections = f->n_sections;
	obj->sections = NULL;
	if (f->n_sections) {
		obj->sections = arena_memdup(arena, f->sections,
					     f->n_sections * sizeof(*f->sections));
		for (uint32_t i = 0; i < f->n_sections; i++)
			obj->sections[i].name = arena_strdup(arena, f->sections[i].name);
	}
}

static void clear_object_elf(struct vms_object *obj)
{
	obj->is_elf = false;
	obj->elf_error = 0;
	obj->elf_type = 0;
	obj->elf_class = 0;
	obj->segments = NULL;
	obj->n_segments = 0;
	obj->relro_vaddr = 0;
	obj->relro_memsz = 0;
	obj->tls_memsz = 0;
	obj->tls_align = 0;
	obj->sections = NULL;
	obj->n_sections = 0;
	obj->sections_error = 0;
	obj->build_id = NULL;
	obj->mtime_ns = 0;
}

int vms_elf_load_memory(const void *buf, size_t len, struct vms_object *obj, struct arena *arena)
{
	struct elf_source src = { .fd = -1, .mem = buf, .size = len };
	struct elf_facts f;
	int r;

	clear_object_elf(obj);
	r = parse_source(&src, &f);
	f.error = r;
	facts_to_object(&f, obj, arena);
	elf_facts_release(&f);
	return r;
}


/* f into obj, unless there is no obj (a prefetch). */
static void facts_to(const struct elf_facts *f, struct vms_object *obj, struct arena *arena)
{
	if (obj)
		facts_to_object(f, obj, arena);
}

/*
 * vms_elf_load_object, and with obj NULL vms_elf_prefetch: the facts of the
 * file r maps, from the cache when its entry was read or checked in this
 * pass, or when the file still looks as it did (or cannot be opened through
 * this process but was read through another); else the file is read, and
 * the parse's verdict kept in the cache.
 */
static int load_object(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
		       struct vms_object *obj, struct arena *arena)
{
	struct elf_cache_entry *e = elf_cache_find(cache, r);
	struct elf_facts f;
	struct stat st;
	int fd, ret;

	if (obj)
		clear_object_elf(obj);
	if (elf_cache_entry_fresh(cache, e)) {
		facts_to(&e->facts, obj, arena);
		return e->facts.error;
	}
	if (pid_dirfd < 0) {
		if (!e) {
			if (obj)
				obj->elf_error = -EBADF;
			return -EBADF;
		}
		facts_to(&e->facts, obj, arena);
		return e->facts.error;
	}

	fd = elf_open_mapped(cache, pid_dirfd, r, &st);
	if (fd == -ELF_NOT_REGULAR)
		return 0; /* not a file with contents: not ELF */
	if (fd < 0) {
		if (e) {
			/* This process's files are out of reach, but this
			 * (dev, inode) was read before through another. */
			facts_to(&e->facts, obj, arena);
			return e->facts.error;
		}
		if (obj)
			obj->elf_error = fd;
		return fd;
	}
	if (e && elf_cache_entry_matches(e, &st)) {
		close(fd);
		elf_cache_entry_checked(cache, e);
		facts_to(&e->facts, obj, arena);
		return e->facts.error;
	}

	{
		struct elf_source src = { .fd = fd, .size = st.st_size > 0 ? (uint64_t)st.st_size : 0 };

		ret = parse_source(&src, &f);
	}
	close(fd);
	f.error = ret;
	f.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	facts_to(&f, obj, arena);
	/* Parse verdicts are facts of the file; an I/O error is not. */
	if (cache && (ret == 0 || ret == -EBADMSG || ret == -EFBIG))
		elf_cache_put(cache, r, &st, &f);
	elf_facts_release(&f);
	return ret;
}

int vms_elf_load_object(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
			struct vms_object *obj, struct arena *arena)
{
	return load_object(cache, pid_dirfd, r, obj, arena);
}

int vms_elf_open_mapped(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
			struct stat *st)
{
	return elf_open_mapped(cache, pid_dirfd, r, st);
}

void vms_elf_prefetch(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r)
{
	if (cache && pid_dirfd >= 0)
		(void)load_object(cache, pid_dirfd, r, NULL, NULL);
}

/* Whether region r maps object o's file itself (not its .bss tail). */
static bool maps_file_of(const struct vms_region *r, const struct vms_object *o)
{
	return r->inode == o->inode && r->dev_major == o->dev_major &&
	       r->dev_minor == o->dev_minor && r->name && o->path && strcmp(r->name, o->path) == 0;
}

/*
 * The cache entry of the file region r maps, with its symbols read. The
 * file is opened again only when they were never read.
 */
static int cache_symbols(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
			 struct elf_symbols **ret)
{
	struct elf_cache_entry *e = elf_cache_find(cache, r);
	struct elf_source src;
	struct elf_facts f;
	struct stat st;
	int fd, ret_parse;

	if (!e || !e->facts.symbols_tried) {
		if (pid_dirfd < 0)
			return -EBADF;
		fd = elf_open_mapped(cache, pid_dirfd, r, &st);
		if (fd == -ELF_NOT_REGULAR)
			return -ENOEXEC;
		if (fd < 0)
			return fd;
		src = (struct elf_source){ .fd = fd, .size = st.st_size > 0 ? (uint64_t)st.st_size : 0 };
		if (!e || !elf_cache_entry_matches(e, &st)) {
			ret_parse = parse_source(&src, &f);
			f.error = ret_parse;
			f.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
			if (ret_parse == 0 || ret_parse == -EBADMSG || ret_parse == -EFBIG)
				elf_cache_put(cache, r, &st, &f);
			elf_facts_release(&f);
			e = elf_cache_find(cache, r);
		}
		if (e && e->facts.error == 0 && e->facts.is_elf)
			elf_read_symbols(&src, &e->facts);
		close(fd);
		if (!e)
			return -EIO;
	}
	if (e->facts.error < 0)
		return e->facts.error;
	if (!e->facts.is_elf)
		return -ENOEXEC;
	if (!e->facts.symbols)
		return e->facts.symbols_error < 0 ? e->facts.symbols_error : -ENODATA;
	*ret = e->facts.symbols;
	return 0;
}

int vms_elf_symbolize(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_snapshot *snap,
		      uint64_t addr, struct strbuf *out)
{
	const struct vms_region *r = vms_snapshot_find(snap, addr), *fr = NULL;
	struct elf_symbols *syms = NULL;
	const struct elf_symbol *sym = NULL;
	const struct vms_object *o;
	const char *base;
	uint64_t vaddr;
	size_t i;

	o = r ? vms_region_object(snap, r) : NULL;
	if (!cache || !o)
		return -ENOENT;
	if (!o->is_elf || o->elf_error || !o->have_bias)
		return -ENOENT;
	if (o->changed)
		return -ESTALE; /* its symbols may name other code now */
	/* the .bss tail maps no file: any region of the object leads to it */
	for (i = (size_t)(r - snap->regions) + 1; i-- > 0 && !fr;)
		if (snap->regions[i].object == r->object && maps_file_of(&snap->regions[i], o))
			fr = &snap->regions[i];
	if (!fr)
		return -ENOENT;
	vaddr = addr - o->load_bias;
	if (cache_symbols(cache, pid_dirfd, fr, &syms) == 0)
		sym = elf_symbols_find(syms, vaddr);

	base = strrchr(o->path, '/');
	base = base && base[1] ? base + 1 : o->path;
	if (!sym) {
		strbuf_addf(out, "%s+0x%" PRIx64, base, vaddr);
		return 1;
	}
	strbuf_addf(out, "%s+0x%" PRIx64 " (%s)", syms->names + sym->name, vaddr - sym->value,
		    base);
	return 0;
}

/* The most names vms_elf_symbol_addresses looks up at once. */
#define ELF_NAMES_MAX 16

int vms_elf_symbol_addresses(struct vms_elf_cache *cache, int pid_dirfd,
			     const struct vms_snapshot *snap, size_t object, const char *const *names,
			     size_t n, uint64_t *ret)
{
	struct elf_symbols *syms = NULL;
	const struct vms_region *fr = NULL;
	const struct vms_object *o;
	uint8_t rank[ELF_NAMES_MAX];
	bool got[ELF_NAMES_MAX] = { false };
	size_t found = 0;
	int r;

	if (n > ELF_NAMES_MAX)
		return -EINVAL;
	if (!cache || object >= snap->n_objects)
		return -ENOENT;
	o = &snap->objects[object];
	if (!o->is_elf || o->elf_error || !o->have_bias)
		return -ENOENT;
	if (o->changed)
		return -ESTALE;
	for (size_t i = 0; i < snap->n_regions && !fr; i++)
		if (snap->regions[i].object == (int32_t)object && maps_file_of(&snap->regions[i], o))
			fr = &snap->regions[i];
	if (!fr)
		return -ENOENT;
	r = cache_symbols(cache, pid_dirfd, fr, &syms);
	if (r < 0)
		return r;
	/* one pass over the table, in its order (the symbols of a name met
	 * twice, locals of two files: the preferred binding, then the lowest
	 * address); a name's first byte is compared before the rest, as most
	 * of a large table's differ there */
	for (size_t k = 0; k < n; k++)
		ret[k] = 0;
	for (size_t i = 0; i < syms->n; i++) {
		const struct elf_symbol *sym = &syms->syms[i];
		const char *name = syms->names + sym->name;

		for (size_t k = 0; k < n; k++) {
			if (name[0] != names[k][0] || strcmp(name, names[k]) != 0)
				continue;
			if (sym->value > UINT64_MAX - o->load_bias)
				return -EBADMSG;
			if (!got[k] || sym->rank > rank[k] ||
			    (sym->rank == rank[k] && o->load_bias + sym->value < ret[k])) {
				found += !got[k];
				got[k] = true;
				ret[k] = o->load_bias + sym->value;
				rank[k] = sym->rank;
			}
		}
	}
	return (int)found;
}

int vms_elf_symbolize_memory(const void *buf, size_t len, uint64_t vaddr, struct strbuf *out)
{
	struct elf_source src = { .fd = -1, .mem = buf, .size = len };
	const struct elf_symbol *sym;
	struct elf_facts f;
	int r;

	r = parse_source(&src, &f);
	if (r == 0 && !f.is_elf)
		r = -ENOEXEC;
	if (r == 0) {
		elf_read_symbols(&src, &f);
		r = f.symbols_error;
	}
	if (r == 0) {
		sym = elf_symbols_find(f.symbols, vaddr);
		if (sym) {
			strbuf_addf(out, "%s+0x%" PRIx64, f.symbols->names + sym->name,
				    vaddr - sym->value);
			r = (int)(f.symbols->n > INT32_MAX ? INT32_MAX : f.symbols->n);
		} else {
			r = -ENOENT;
		}
	}
	elf_facts_release(&f);
	return r;
}
