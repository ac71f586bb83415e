/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/elf sections, build-id and symbols: real files against `readelf -SW`,
 * `readelf -n` and `readelf -sW`; hand-made 32- and 64-bit objects in both
 * byte orders; stripped, truncated, forged and bit-flipped section tables;
 * and sections placed onto regions by the model.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/snapshot.h"

#include "readelf.h"

static unsigned char *read_all(const char *path, size_t *ret_len)
{
	struct stat st;
	unsigned char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	assert_non_null(buf);
	while (done < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + done, (size_t)st.st_size - done);

		assert_true(k > 0);
		done += (size_t)k;
	}
	close(fd);
	*ret_len = done;
	return buf;
}

/* The ELF files this test maps: the program, libc, the loader. */
static size_t mapped_elf_paths(char paths[][PATH_MAX], size_t max)
{
	char line[PATH_MAX + 128];
	size_t n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		char *p = strchr(line, '/');
		size_t i;

		if (!p || strstr(line, " (deleted)") || !strstr(line, "r-xp"))
			continue;
		p[strcspn(p, "\n")] = '\0';
		for (i = 0; i < n && strcmp(paths[i], p) != 0; i++)
			;
		if (i == n)
			(void)snprintf(paths[n++], PATH_MAX, "%s", p);
	}
	fclose(f);
	return n;
}

static bool readelf_build_id(const char *path, char *out, size_t n)
{
	char line[1024];
	bool found = false;
	FILE *f = run_readelf("-n", path);

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Build ID: ");

		if (p && !found) {
			p += strlen("Build ID: ");
			p[strcspn(p, "\n ")] = '\0';
			(void)snprintf(out, n, "%s", p);
			found = true;
		}
	}
	pclose(f);
	return found;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case SHT_PROGBITS:
		return "PROGBITS";
	case SHT_NOBITS:
		return "NOBITS";
	case SHT_NOTE:
		return "NOTE";
	case SHT_DYNSYM:
		return "DYNSYM";
	case SHT_STRTAB:
		return "STRTAB";
	case SHT_RELA:
		return "RELA";
	case SHT_DYNAMIC:
		return "DYNAMIC";
	case SHT_INIT_ARRAY:
		return "INIT_ARRAY";
	case SHT_FINI_ARRAY:
		return "FINI_ARRAY";
	case SHT_HASH:
		return "HASH";
	default:
		return NULL;
	}
}

/* Each mapped file's allocated sections and build-id equal readelf's. */
static void test_real_files(void **state)
{
	static char paths[16][PATH_MAX];
	static struct rsec want[256];
	size_t n = mapped_elf_paths(paths, 16), compared = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct vms_object obj = { 0 };
		size_t nw = readelf_sections(paths[i], want, 256), len;
		unsigned char *buf;
		char id[160];
		struct arena a;

		if (nw == 0)
			continue;
		arena_init(&a);
		buf = read_all(paths[i], &len);
		assert_int_equal(vms_elf_load_memory(buf, len, &obj, &a), 0);
		assert_int_equal(obj.sections_error, 0);
		if (obj.n_sections != nw)
			fail_msg("%s: %u sections, readelf %zu", paths[i], obj.n_sections, nw);
		/* readelf lists by index, vmscope by address: find each */
		for (size_t k = 0; k < nw; k++) {
			const struct vms_section *s = NULL;

			for (uint32_t j = 0; j < obj.n_sections && !s; j++)
				if (strcmp(obj.sections[j].name, want[k].name) == 0)
					s = &obj.sections[j];
			if (!s)
				fail_msg("%s: no section %s", paths[i], want[k].name);
			if (s->addr != want[k].addr || s->size != want[k].size ||
			    s->offset != want[k].off)
				fail_msg("%s %s: %" PRIx64 "+%" PRIx64 " @%" PRIx64 ", readelf %" PRIx64
					 "+%" PRIx64 " @%" PRIx64,
					 paths[i], s->name, s->addr, s->size, s->offset, want[k].addr,
					 want[k].size, want[k].off);
			if (type_name(s->type) && strcmp(type_name(s->type), want[k].type) != 0)
				fail_msg("%s %s: type %s, readelf %s", paths[i], s->name,
					 type_name(s->type), want[k].type);
		}
		for (uint32_t j = 1; j < obj.n_sections; j++)
			assert_true(obj.sections[j].addr >=
				    obj.sections[j - 1].addr + obj.sections[j - 1].size);
		if (readelf_build_id(paths[i], id, sizeof(id))) {
			assert_non_null(obj.build_id);
			assert_string_equal(obj.build_id, id);
		} else {
			assert_null(obj.build_id);
		}
		compared++;
		free(buf);
		arena_release(&a);
	}
	if (compared == 0)
		skip(); /* no readelf here */
	print_message("# compared %zu files\n", compared);
	assert_true(compared >= 2);
}

/* Symbols of libc: each exported function's address is named by it or an alias. */
static void test_symbols_libc(void **state)
{
	static char paths[16][PATH_MAX];
	size_t n = mapped_elf_paths(paths, 16), checked = 0, len;
	const char *libc = NULL;
	unsigned char *buf;
	char line[1024];
	FILE *f;

	(void)state;
	for (size_t i = 0; i < n; i++)
		if (strstr(paths[i], "/libc.so"))
			libc = paths[i];
	if (!libc)
		skip();
	buf = read_all(libc, &len);
	f = run_readelf("-sW --dyn-syms", libc);
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f) && checked < 200) {
		char type[32], bind[32], vis[32], ndx[32], name[256];
		uint64_t value, size;
		struct strbuf sb;
		unsigned idx;
		int r;

		if (sscanf(line, " %u: %" SCNx64 " %" SCNu64 " %31s %31s %31s %31s %255s", &idx,
			   &value, &size, type, bind, vis, ndx, name) != 8)
			continue;
		if (strcmp(type, "FUNC") != 0 || strcmp(bind, "GLOBAL") != 0 || size < 2 ||
		    strcmp(ndx, "UND") == 0)
			continue;
		strbuf_init(&sb);
		r = vms_elf_symbolize_memory(buf, len, value + 1, &sb);
		if (r <= 0)
			fail_msg("%s at %" PRIx64 ": %d", name, value + 1, r);
		/* the name found lies at the same address (an alias) or is the one */
		{
			char *plus = strrchr(sb.buf, '+');

			assert_non_null(plus);
			assert_string_equal(plus, "+0x1");
		}
		/* the byte just past it is not its own */
		strbuf_release(&sb);
		strbuf_init(&sb);
		r = vms_elf_symbolize_memory(buf, len, value + size, &sb);
		if (r > 0) {
			char past[32];

			snprintf(past, sizeof(past), "+0x%" PRIx64, size);
			if (strlen(sb.buf) >= strlen(past) &&
			    strcmp(sb.buf + strlen(sb.buf) - strlen(past), past) == 0)
				fail_msg("%s at %" PRIx64 " + its size %" PRIu64 ": named %s", name,
					 value, size, sb.buf);
		} else if (r != -ENOENT) {
			fail_msg("%s past its end: %d", name, r);
		}
		strbuf_release(&sb);
		checked++;
	}
	pclose(f);
	free(buf);
	if (checked == 0)
		skip();
	print_message("# named %zu functions of %s\n", checked, libc);
}

/* A hand-made object: ELF header, one PT_LOAD, sections, in either class and byte order. */
struct mk {
	unsigned char buf[4096];
	int class;
	bool msb;
};

static void put(struct mk *m, size_t off, uint64_t v, size_t n)
{
	assert_true(off + n <= sizeof(m->buf));
	for (size_t i = 0; i < n; i++)
		m->buf[off + (m->msb ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

#define PUT(m, base, type64, type32, member, v)                                                \
	((m)->class == ELFCLASS64                                                                \
		 ? put(m, (base) + offsetof(type64, member), v, sizeof(((type64 *)0)->member))   \
		 : put(m, (base) + offsetof(type32, member), v, sizeof(((type32 *)0)->member)))

enum { MK_SHOFF = 1024, MK_STROFF = 2048, MK_NOTEOFF = 3072 };
static const char mk_names[] = "\0.text\0.data\0.bss\0.shstrtab\0.note.gnu.build-id";

static void mk_shdr(struct mk *m, unsigned i, uint32_t name, uint32_t type, uint64_t flags,
		    uint64_t addr, uint64_t off, uint64_t size)
{
	size_t es = m->class == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t b = MK_SHOFF + i * es;

	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_name, name);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_type, type);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_flags, flags);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_addr, addr);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_offset, off);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_size, size);
}

/* sections: .text, .data, .bss, .shstrtab, .note.gnu.build-id (6 with the null one) */
static void mk_build(struct mk *m, int class, bool msb)
{
	size_t eh = class == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t ph = class == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t sh = class == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	static const unsigned char id[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };

	memset(m, 0, sizeof(*m));
	m->class = class;
	m->msb = msb;
	memcpy(m->buf, ELFMAG, SELFMAG);
	m->buf[EI_CLASS] = (unsigned char)class;
	m->buf[EI_DATA] = msb ? ELFDATA2MSB : ELFDATA2LSB;
	m->buf[EI_VERSION] = EV_CURRENT;
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_type, ET_DYN);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_machine, class == ELFCLASS64 ? EM_X86_64 : EM_386);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_version, EV_CURRENT);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_phoff, eh);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_shoff, MK_SHOFF);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_ehsize, eh);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_phentsize, ph);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_phnum, 2);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_shentsize, sh);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_shnum, 6);
	PUT(m, 0, Elf64_Ehdr, Elf32_Ehdr, e_shstrndx, 4);
	/* one PT_LOAD of the whole file plus a .bss, one PT_NOTE */
	PUT(m, eh, Elf64_Phdr, Elf32_Phdr, p_type, PT_LOAD);
	PUT(m, eh, Elf64_Phdr, Elf32_Phdr, p_flags, PF_R | PF_W | PF_X);
	PUT(m, eh, Elf64_Phdr, Elf32_Phdr, p_filesz, sizeof(m->buf));
	PUT(m, eh, Elf64_Phdr, Elf32_Phdr, p_memsz, 0x3000);
	PUT(m, eh, Elf64_Phdr, Elf32_Phdr, p_align, 0x1000);
	PUT(m, eh + ph, Elf64_Phdr, Elf32_Phdr, p_type, PT_NOTE);
	PUT(m, eh + ph, Elf64_Phdr, Elf32_Phdr, p_offset, MK_NOTEOFF);
	PUT(m, eh + ph, Elf64_Phdr, Elf32_Phdr, p_filesz, 12 + 4 + 8);
	PUT(m, eh + ph, Elf64_Phdr, Elf32_Phdr, p_align, 4);

	mk_shdr(m, 1, 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x200, 0x200, 0x100);
	mk_shdr(m, 2, 7, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x800, 0x800, 0x80);
	mk_shdr(m, 3, 13, SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x1000, 0x1000, 0x2000);
	mk_shdr(m, 4, 18, SHT_STRTAB, 0, 0, MK_STROFF, sizeof(mk_names));
	mk_shdr(m, 5, 28, SHT_NOTE, SHF_ALLOC, MK_NOTEOFF, MK_NOTEOFF, 12 + 4 + 8);
	memcpy(m->buf + MK_STROFF, mk_names, sizeof(mk_names));
	put(m, MK_NOTEOFF, 4, 4);
	put(m, MK_NOTEOFF + 4, sizeof(id), 4);
	put(m, MK_NOTEOFF + 8, NT_GNU_BUILD_ID, 4);
	memcpy(m->buf + MK_NOTEOFF + 12, "GNU", 4);
	memcpy(m->buf + MK_NOTEOFF + 16, id, sizeof(id));
}

static int mk_load(const struct mk *m, size_t len, struct vms_object *obj, struct arena *a)
{
	/* a copy of the exact length, so a read past it is seen by ASan */
	unsigned char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, m->buf, len);
	memset(obj, 0, sizeof(*obj));
	r = vms_elf_load_memory(copy, len, obj, a);
	free(copy);
	return r;
}

static void test_made_objects(void **state)
{
	(void)state;
	for (int v = 0; v < 4; v++) {
		int class = v & 1 ? ELFCLASS32 : ELFCLASS64;
		struct vms_object obj;
		struct arena a;
		struct mk m;

		mk_build(&m, class, v & 2);
		arena_init(&a);
		assert_int_equal(mk_load(&m, sizeof(m.buf), &obj, &a), 0);
		assert_true(obj.is_elf);
		assert_int_equal(obj.elf_class, class);
		assert_int_equal(obj.sections_error, 0);
		assert_int_equal(obj.n_sections, 4);
		assert_string_equal(obj.sections[0].name, ".text");
		assert_int_equal(obj.sections[0].addr, 0x200);
		assert_int_equal(obj.sections[0].size, 0x100);
		assert_int_equal(obj.sections[0].flags, SHF_ALLOC | SHF_EXECINSTR);
		assert_string_equal(obj.sections[1].name, ".data");
		/* by address: the note (0xc00) comes before .bss (0x1000) */
		assert_string_equal(obj.sections[2].name, ".note.gnu.build-id");
		assert_int_equal(obj.sections[2].type, SHT_NOTE);
		assert_string_equal(obj.sections[3].name, ".bss");
		assert_int_equal(obj.sections[3].type, SHT_NOBITS);
		assert_int_equal(obj.sections[3].size, 0x2000);
		assert_string_equal(obj.build_id, "deadbeef01");
		arena_release(&a);
	}
}

/* What a file may be: each case is one forgery of the section table. */
static void test_forged(void **state)
{
	enum {
		SHNUM = offsetof(Elf64_Ehdr, e_shnum),
		SHOFF = offsetof(Elf64_Ehdr, e_shoff),
		SHENTSIZE = offsetof(Elf64_Ehdr, e_shentsize),
		SHSTRNDX = offsetof(Elf64_Ehdr, e_shstrndx),
	};
	static const struct {
		const char *what;
		int want;
	} cases[] = {
		{ "no section headers", -ENODATA },
		{ "table past the end", -EBADMSG },
		{ "wrong entry size", -EBADMSG },
		{ "names index past the table", -EBADMSG },
		{ "names not a string table", -EBADMSG },
		{ "name past the names", -EBADMSG },
		{ "overlapping sections", -EBADMSG },
		{ "section past the end of the file", -EBADMSG },
		{ "section wrapping the address space", -EBADMSG },
		{ "count in section 0, too many", -EFBIG },
		{ "huge names table", -EFBIG },
		{ "names index in section 0", 0 },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct vms_object obj;
		struct arena a;
		struct mk m;

		mk_build(&m, ELFCLASS64, false);
		switch (c) {
		case 0:
			put(&m, SHOFF, 0, 8);
			break;
		case 1:
			put(&m, SHOFF, sizeof(m.buf) - 64, 8);
			break;
		case 2:
			put(&m, SHENTSIZE, 40, 2);
			break;
		case 3:
			put(&m, SHSTRNDX, 6, 2);
			break;
		case 4:
			put(&m, SHSTRNDX, 1, 2);
			break;
		case 5:
			mk_shdr(&m, 2, 4000, SHT_PROGBITS, SHF_ALLOC, 0x800, 0x800, 0x80);
			break;
		case 6:
			mk_shdr(&m, 2, 7, SHT_PROGBITS, SHF_ALLOC, 0x280, 0x280, 0x80);
			break;
		case 7:
			mk_shdr(&m, 2, 7, SHT_PROGBITS, SHF_ALLOC, 0x800, 0xf00, 0x800);
			break;
		case 8:
			mk_shdr(&m, 3, 13, SHT_NOBITS, SHF_ALLOC, UINT64_MAX - 0x10, 0, 0x100);
			break;
		case 9:
			put(&m, SHNUM, 0, 2);
			mk_shdr(&m, 0, 0, SHT_NULL, 0, 0, 0, UINT64_C(1) << 40);
			break;
		case 10:
			mk_shdr(&m, 4, 18, SHT_STRTAB, 0, 0, 0, sizeof(m.buf));
			/* the file is not that big; make it claim more than the cap */
			mk_shdr(&m, 4, 18, SHT_STRTAB, 0, 0, 0, UINT64_C(1) << 21);
			break;
		case 11:
			put(&m, SHSTRNDX, SHN_XINDEX, 2);
			put(&m, MK_SHOFF + offsetof(Elf64_Shdr, sh_link), 4, 4);
			break;
		}
		arena_init(&a);
		/* case 10 claims 2 MiB of names: give it a file that large */
		if (c == 10) {
			unsigned char *big = calloc(1, 3u << 20);
			memcpy(big, m.buf, sizeof(m.buf));
			memset(&obj, 0, sizeof(obj));
			assert_int_equal(vms_elf_load_memory(big, 3u << 20, &obj, &a), 0);
			free(big);
		} else {
			int r = mk_load(&m, sizeof(m.buf), &obj, &a);

			if (r != 0)
				print_message("# %s: load %d\n", cases[c].what, r);
			assert_int_equal(r, 0);
		}
		/* the program headers stand whatever the sections say */
		assert_true(obj.is_elf);
		assert_int_equal(obj.elf_error, 0);
		assert_int_equal(obj.n_segments, 1);
		if (obj.sections_error != cases[c].want)
			fail_msg("%s: %d, want %d", cases[c].what, obj.sections_error, cases[c].want);
		if (cases[c].want) {
			assert_int_equal(obj.n_sections, 0);
			assert_null(obj.sections);
		} else {
			assert_int_equal(obj.n_sections, 4);
		}
		/* the build-id comes from PT_NOTE: it needs no section table */
		assert_string_equal(obj.build_id, "deadbeef01");
		arena_release(&a);
	}
}

/* Every truncation and random flips: no crash, and the invariants hold. */
static void test_truncated_and_flipped(void **state)
{
	uint64_t seed = UINT64_C(0x2545f4914f6cdd1d);

	(void)state;
	for (size_t len = 0; len <= 4096; len += 7) {
		struct vms_object obj;
		struct arena a;
		struct mk m;

		mk_build(&m, ELFCLASS32, len & 8);
		arena_init(&a);
		(void)mk_load(&m, len, &obj, &a);
		if (len < MK_SHOFF + 6 * sizeof(Elf32_Shdr))
			assert_int_equal(obj.n_sections, 0);
		arena_release(&a);
	}
	for (int i = 0; i < 20000; i++) {
		struct vms_object obj;
		struct arena a;
		struct mk m;

		mk_build(&m, i & 1 ? ELFCLASS32 : ELFCLASS64, i & 2);
		for (int k = 0; k < 1 + i % 4; k++) {
			size_t at;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			/* aim at the headers, the section table and the names */
			at = (size_t)(seed >> 32) % 3 == 0 ? (seed >> 8) % 128
			     : (seed >> 32) % 3 == 1    ? MK_SHOFF + (seed >> 8) % 400
							: MK_STROFF + (seed >> 8) % 64;
			m.buf[at] ^= (unsigned char)(1u << ((seed >> 4) & 7));
		}
		arena_init(&a);
		(void)mk_load(&m, sizeof(m.buf), &obj, &a);
		for (uint32_t j = 0; j < obj.n_sections; j++) {
			const struct vms_section *s = &obj.sections[j];

			assert_non_null(s->name);
			assert_true(s->size > 0 && s->addr + s->size > s->addr);
			if (j)
				assert_true(s->addr >= obj.sections[j - 1].addr + obj.sections[j - 1].size);
		}
		if (obj.build_id)
			assert_true(strlen(obj.build_id) % 2 == 0 && strlen(obj.build_id) <= 128);
		arena_release(&a);
	}
}

/* Symbols of a made object: nearest, sized, aliases, absent. */
static void test_symbolize_memory(void **state)
{
	struct strbuf sb;
	struct mk m;

	(void)state;
	/* The made object has no symbol table: said, not guessed. */
	mk_build(&m, ELFCLASS64, false);
	strbuf_init(&sb);
	assert_int_equal(vms_elf_symbolize_memory(m.buf, sizeof(m.buf), 0x210, &sb), -ENODATA);
	assert_int_equal(sb.len, 0);
	/* not ELF */
	assert_int_equal(vms_elf_symbolize_memory("hello", 5, 0, &sb), -ENOEXEC);
	strbuf_release(&sb);
}

enum { MK_SYMOFF = 0x600 };

/*
 * Section 2 of a made object becomes a symbol table at MK_SYMOFF (type
 * SHT_SYMTAB, entries of entsize bytes, its names in section link) holding
 * the symbols syms[0 .. n): { st_name, st_info, st_shndx, st_value, st_size }.
 */
static void mk_symtab(struct mk *m, uint64_t entsize, uint32_t link, const uint64_t (*syms)[5],
		      size_t n)
{
	size_t es = m->class == ELFCLASS64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	size_t b = MK_SHOFF + 2 * (m->class == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));

	mk_shdr(m, 2, 7, SHT_SYMTAB, 0, 0, MK_SYMOFF, (n + 1) * es);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_entsize, entsize);
	PUT(m, b, Elf64_Shdr, Elf32_Shdr, sh_link, link);
	for (size_t i = 0; i < n; i++) {
		size_t e = MK_SYMOFF + (i + 1) * es; /* entry 0 stays the null symbol */

		PUT(m, e, Elf64_Sym, Elf32_Sym, st_name, syms[i][0]);
		PUT(m, e, Elf64_Sym, Elf32_Sym, st_info, syms[i][1]);
		PUT(m, e, Elf64_Sym, Elf32_Sym, st_shndx, syms[i][2]);
		PUT(m, e, Elf64_Sym, Elf32_Sym, st_value, syms[i][3]);
		PUT(m, e, Elf64_Sym, Elf32_Sym, st_size, syms[i][4]);
	}
}

/*
 * A symbol table in each class and byte order: a function with its size, an
 * object of size 0 (it holds its own address only), and what is no symbol
 * to name code by (undefined, absolute, at 0, nameless, a section symbol);
 * then tables the lookup cannot use, each said by its error.
 */
static void test_symbols_made(void **state)
{
	static const uint64_t syms[][5] = {
		{ 1, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x200, 0x40 },   /* ".text" */
		{ 13, ELF64_ST_INFO(STB_LOCAL, STT_OBJECT), 3, 0x1000, 0 }, /* ".bss" */
		{ 7, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), SHN_UNDEF, 0x300, 8 },
		{ 7, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), SHN_ABS, 0x300, 8 },
		{ 7, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0, 8 },
		{ 0, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x300, 8 },
		{ 4000, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x300, 8 },
		{ 7, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), 1, 0x300, 8 },
	};
	static const struct {
		uint64_t vaddr;
		int r;
		const char *name;
	} lookups[] = {
		{ 0x200, 2, ".text+0x0" }, { 0x23f, 2, ".text+0x3f" }, { 0x240, -ENOENT, "" },
		{ 0x1000, 2, ".bss+0x0" }, { 0x1001, -ENOENT, "" },    { 0x300, -ENOENT, "" },
	};
	struct strbuf sb;
	struct mk m;

	(void)state;
	strbuf_init(&sb);
	for (int v = 0; v < 4; v++) {
		int class = v & 1 ? ELFCLASS32 : ELFCLASS64;
		size_t es = class == ELFCLASS64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

		mk_build(&m, class, v & 2);
		mk_symtab(&m, es, 4, syms, ARRAY_SIZE(syms));
		for (size_t i = 0; i < ARRAY_SIZE(lookups); i++) {
			int r;

			strbuf_reset(&sb);
			r = vms_elf_symbolize_memory(m.buf, sizeof(m.buf), lookups[i].vaddr, &sb);
			if (r != lookups[i].r || strcmp(sb.buf, lookups[i].name) != 0)
				fail_msg("class %d msb %d, 0x%" PRIx64 ": %d '%s', want %d '%s'", class,
					 v >> 1, lookups[i].vaddr, r, sb.buf, lookups[i].r, lookups[i].name);
		}
		/* tables that cannot be used: said, not guessed */
		{
			static const struct {
				const char *what;
				int r;
			} bad[] = {
				{ "entries of the other class's size", -EBADMSG },
				{ "a size that is no whole number of entries", -EBADMSG },
				{ "names in a section that is no string table", -ENODATA },
				{ "a table past the end of the file: no section table", -ENODATA },
				{ "no symbol to name code by", -ENODATA },
				{ "no section of names at all", -ENODATA },
				{ "names in an empty string table", -EBADMSG },
			};

			for (size_t c = 0; c < ARRAY_SIZE(bad); c++) {
				size_t b = MK_SHOFF + 2 * (class == ELFCLASS64 ? sizeof(Elf64_Shdr)
										: sizeof(Elf32_Shdr));
				int r;

				mk_build(&m, class, v & 2);
				mk_symtab(&m, es, 4, syms, ARRAY_SIZE(syms));
				switch (c) {
				case 0:
					mk_symtab(&m, class == ELFCLASS64 ? sizeof(Elf32_Sym)
									  : sizeof(Elf64_Sym),
						  4, syms, ARRAY_SIZE(syms));
					break;
				case 1:
					PUT(&m, b, Elf64_Shdr, Elf32_Shdr, sh_size,
					    (ARRAY_SIZE(syms) + 1) * es - 1);
					break;
				case 2:
					mk_symtab(&m, es, 1, syms, ARRAY_SIZE(syms));
					break;
				case 3:
					PUT(&m, b, Elf64_Shdr, Elf32_Shdr, sh_size, 1u << 20);
					break;
				case 4:
					mk_symtab(&m, es, 4, syms + 2, ARRAY_SIZE(syms) - 2);
					break;
				case 5:
					mk_symtab(&m, es, 0, syms, ARRAY_SIZE(syms));
					break;
				case 6:
					mk_shdr(&m, 5, 28, SHT_STRTAB, 0, 0, MK_NOTEOFF, 0);
					mk_symtab(&m, es, 5, syms, ARRAY_SIZE(syms));
					break;
				}
				strbuf_reset(&sb);
				r = vms_elf_symbolize_memory(m.buf, sizeof(m.buf), 0x200, &sb);
				if (r != bad[c].r)
					fail_msg("class %d msb %d, %s: %d, want %d", class, v >> 1,
						 bad[c].what, r, bad[c].r);
				assert_int_equal(sb.len, 0);
			}
		}
	}
	strbuf_release(&sb);
}

/* The model: sections onto the regions of a hand-built snapshot. */
static void test_placement(void **state)
{
	static const struct vms_segment segs[] = {
		{ .vaddr = 0, .memsz = 0x1000, .offset = 0, .filesz = 0x1000, .align = 0x1000,
		  .flags = PF_R },
		{ .vaddr = 0x1000, .memsz = 0x2000, .offset = 0x1000, .filesz = 0x2000,
		  .align = 0x1000, .flags = PF_R | PF_X },
		{ .vaddr = 0x3000, .memsz = 0x5000, .offset = 0x3000, .filesz = 0x1100,
		  .align = 0x1000, .flags = PF_R | PF_W },
	};
	static const struct vms_section secs[] = {
		{ ".dynsym", 0x200, 0x300, 0x200, SHF_ALLOC, SHT_DYNSYM },
		{ ".text", 0x1000, 0x1f00, 0x1000, SHF_ALLOC | SHF_EXECINSTR, SHT_PROGBITS },
		{ ".data", 0x3000, 0x1100, 0x3000, SHF_ALLOC | SHF_WRITE, SHT_PROGBITS },
		{ ".bss", 0x4100, 0x3f00, 0x4100, SHF_ALLOC | SHF_WRITE, SHT_NOBITS },
	};
	const uint64_t base = 0x7f0000000000;
	struct vms_snapshot *snap = vms_snapshot_new();
	static const char *const path = "/lib/libt.so";
	struct vms_region *r;

	(void)state;
	snap->host.page_size = 4096;
	for (int i = 0; i < 5; i++) {
		static const struct {
			uint64_t lo, hi, off;
			const char *perms;
			bool file;
		} maps[] = {
			{ 0, 0x1000, 0, "r--p", true },
			{ 0x1000, 0x3000, 0x1000, "r-xp", true },
			{ 0x3000, 0x5000, 0x3000, "rw-p", true },
			{ 0x5000, 0x8000, 0, "rw-p", false },
			{ 0x9000, 0xa000, 0, "rw-p", false },
		};

		ARRAY_GROW(snap->regions, snap->n_regions + 1, snap->alloc_regions);
		r = &snap->regions[snap->n_regions++];
		*r = (struct vms_region){ .start = base + maps[i].lo, .end = base + maps[i].hi,
					  .offset = maps[i].off, .inode = maps[i].file ? 42 : 0,
					  .dev_major = maps[i].file ? 8 : 0,
					  .perms = (uint8_t)((maps[i].perms[1] == 'w' ? VMS_PERM_WRITE : 0) |
							     (maps[i].perms[2] == 'x' ? VMS_PERM_EXEC : 0) |
							     VMS_PERM_READ),
					  .name = maps[i].file ? path : "", .object = -1,
					  .thp_eligible = -1, .protection_key = -1 };
	}
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->n_objects, 1);
	{
		struct vms_object *o = &snap->objects[0];

		o->is_elf = true;
		o->elf_type = ET_DYN;
		o->elf_class = ELFCLASS64;
		o->segments = arena_memdup(snap->arena, segs, sizeof(segs));
		o->n_segments = ARRAY_SIZE(segs);
		o->sections = arena_memdup(snap->arena, secs, sizeof(secs));
		o->n_sections = ARRAY_SIZE(secs);
	}
	vms_model_build(snap, NULL, -1);
	assert_true(snap->objects[0].have_bias);
	assert_int_equal(snap->objects[0].load_bias, base);
	/* r--p: .dynsym; r-xp: .text; rw-p: .data and .bss's head; tail: .bss */
	assert_int_equal(snap->regions[0].first_section, 0);
	assert_int_equal(snap->regions[0].n_sections, 1);
	assert_int_equal(snap->regions[1].first_section, 1);
	assert_int_equal(snap->regions[1].n_sections, 1);
	assert_int_equal(snap->regions[2].first_section, 2);
	assert_int_equal(snap->regions[2].n_sections, 2);
	assert_int_equal(snap->regions[3].kind, VMS_KIND_BSS);
	assert_int_equal(snap->regions[3].first_section, 3);
	assert_int_equal(snap->regions[3].n_sections, 1);
	/* an anonymous mapping past the segment is no part of it */
	assert_int_equal(snap->regions[4].n_sections, 0);
	/* .dynsym grown to end exactly where the r-xp region starts: none of it */
	snap->objects[0].sections[0].size = 0x1000 - 0x200;
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->regions[0].first_section, 0);
	assert_int_equal(snap->regions[0].n_sections, 1);
	assert_int_equal(snap->regions[1].first_section, 1);
	assert_int_equal(snap->regions[1].n_sections, 1);
	/* a file changed since the process started: nothing placed */
	snap->live = true;
	snap->wall_ns = INT64_C(1700000000) * 1000000000;
	snap->mono_ns = INT64_C(1000) * 1000000000;
	snap->proc.start_time = 100 * 100; /* 100 s after boot */
	snap->objects[0].mtime_ns = snap->wall_ns; /* after that */
	vms_model_build(snap, NULL, -1);
	assert_true(snap->objects[0].changed);
	for (size_t i = 0; i < snap->n_regions; i++)
		assert_int_equal(snap->regions[i].n_sections, 0);
	snap->objects[0].mtime_ns = snap->wall_ns - snap->mono_ns; /* at boot: before */
	vms_model_build(snap, NULL, -1);
	assert_false(snap->objects[0].changed);
	assert_int_equal(snap->regions[1].n_sections, 1);
	/* stripped: no sections, nothing placed, kinds unchanged */
	snap->objects[0].sections = NULL;
	snap->objects[0].n_sections = 0;
	vms_model_build(snap, NULL, -1);
	assert_int_equal(snap->regions[1].kind, VMS_KIND_TEXT);
	for (size_t i = 0; i < snap->n_regions; i++)
		assert_int_equal(snap->regions[i].n_sections, 0);
	vms_snapshot_free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_symbols_libc),
		cmocka_unit_test(test_made_objects),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_truncated_and_flipped),
		cmocka_unit_test(test_symbolize_memory),
		cmocka_unit_test(test_symbols_made),
		cmocka_unit_test(test_placement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
