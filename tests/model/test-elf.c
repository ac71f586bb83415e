/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/elf: program headers of real files compared with what `readelf -lW`
 * says; truncated, bit-flipped and forged headers; opening through
 * /proc/self (map_files, root/<path>) and the cache.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapbuild.h"

#include "base/arena.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"

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

static void write_all(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* What readelf says about a file. */
struct expect {
	int class;
	uint16_t type;
	size_t n;
	struct vms_segment seg[64];
	uint64_t relro_vaddr, relro_memsz;
	bool relro;
};

static bool readelf_facts(const char *path, struct expect *e)
{
	char cmd[PATH_MAX + 64], line[1024];
	FILE *f;
	int st;

	memset(e, 0, sizeof(*e));
	if (strchr(path, '\''))
		return false;
	(void)snprintf(cmd, sizeof(cmd), "readelf -hlW '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (strncmp(p, "Class:", 6) == 0) {
			e->class = strstr(p, "ELF64") ? 2 : strstr(p, "ELF32") ? 1 : 0;
		} else if (strncmp(p, "Type:", 5) == 0) {
			p += 5;
			while (*p == ' ')
				p++;
			e->type = strncmp(p, "EXEC", 4) == 0 ? ET_EXEC
				  : strncmp(p, "DYN", 3) == 0 ? ET_DYN
							       : 0xffff;
		} else if (strncmp(p, "LOAD ", 5) == 0 || strncmp(p, "GNU_RELRO ", 10) == 0) {
			bool relro = p[0] == 'G';
			uint64_t off, vaddr, filesz, memsz, align;
			uint32_t flags = 0;

			p += strcspn(p, " ");
			off = strtoull(p, &p, 16);
			vaddr = strtoull(p, &p, 16);
			(void)strtoull(p, &p, 16); /* paddr */
			filesz = strtoull(p, &p, 16);
			memsz = strtoull(p, &p, 16);
			for (; *p && !(p[0] == '0' && p[1] == 'x'); p++)
				flags |= *p == 'R' ? PF_R : *p == 'W' ? PF_W : *p == 'E' ? PF_X : 0;
			align = strtoull(p, &p, 16);
			if (relro) {
				if (!e->relro) {
					e->relro = true;
					e->relro_vaddr = vaddr;
					e->relro_memsz = memsz;
				}
			} else if (e->n < 64) {
				e->seg[e->n++] = (struct vms_segment){ vaddr, memsz, off, filesz, align,
								       flags };
			}
		}
	}
	st = pclose(f);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && e->class;
}

static void expect_equal(const struct vms_object *obj, const struct expect *e, const char *what)
{
	if (!obj->is_elf || obj->elf_error)
		fail_msg("%s: not read (%d)", what, obj->elf_error);
	assert_int_equal(obj->elf_class, e->class);
	assert_int_equal(obj->elf_type, e->type);
	if (obj->n_segments != e->n)
		fail_msg("%s: %u segments, readelf %zu", what, obj->n_segments, e->n);
	for (size_t i = 0; i < e->n; i++) {
		const struct vms_segment *a = &obj->segments[i], *b = &e->seg[i];

		if (a->vaddr != b->vaddr || a->memsz != b->memsz || a->offset != b->offset ||
		    a->filesz != b->filesz || a->flags != b->flags || a->align != b->align)
			fail_msg("%s: segment %zu differs from readelf", what, i);
	}
	assert_int_equal(obj->relro_memsz, e->relro ? e->relro_memsz : 0);
	assert_int_equal(obj->relro_vaddr, e->relro ? e->relro_vaddr : 0);
}

/* The distinct files mapped into this process, by path. */
static size_t mapped_paths(char paths[][PATH_MAX], size_t max)
{
	char line[PATH_MAX + 128];
	size_t n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		char *p = strchr(line, '/');
		size_t i;

		if (!p || strstr(line, " (deleted)"))
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

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", path, sizeof(path) - 1);

	assert_true(k > 0);
	path[k] = '\0';
	return path;
}

/* Every ELF file this test has mapped: the program, libc, the loader... */
static void test_real_files(void **state)
{
	static char paths[64][PATH_MAX];
	size_t n = mapped_paths(paths, 64), compared = 0;
	struct expect e;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct vms_object obj = { 0 };
		struct arena a;
		unsigned char *buf;
		size_t len;

		if (!readelf_facts(paths[i], &e))
			continue;
		arena_init(&a);
		buf = read_all(paths[i], &len);
		assert_int_equal(vms_elf_load_memory(buf, len, &obj, &a), 0);
		expect_equal(&obj, &e, paths[i]);
		compared++;
		free(buf);
		arena_release(&a);
	}
	if (compared == 0)
		skip(); /* no readelf here */
	/* at least the program and its C library */
	print_message("# compared %zu files\n", compared);
	assert_true(compared >= 2);
}

static void test_not_elf(void **state)
{
	static const char *const inputs[] = {
		"", "\x7f", "\x7f" "EL", "ELF\x7f", "hello, world\n", "\x7f" "elf and more bytes",
	};
	unsigned char blob[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]) + 1; i++) {
		struct vms_object obj = { .elf_error = -99, .is_elf = true, .n_segments = 7 };
		const void *buf = i < 6 ? (const void *)inputs[i] : blob;
		size_t len = i < 6 ? strlen(inputs[i]) : sizeof(blob);
		struct arena a;

		if (i == 6)
			for (size_t k = 0; k < sizeof(blob); k++)
				blob[k] = (unsigned char)(k * 7 + 3); /* a locale-archive-like blob */
		arena_init(&a);
		assert_int_equal(vms_elf_load_memory(buf, len, &obj, &a), 0);
		assert_false(obj.is_elf);
		assert_int_equal(obj.elf_error, 0);
		assert_int_equal(obj.n_segments, 0);
		assert_null(obj.segments);
		arena_release(&a);
	}
}

static uint64_t load_end(const struct vms_object *obj)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < obj->n_segments; i++)
		if (obj->segments[i].offset + obj->segments[i].filesz > end)
			end = obj->segments[i].offset + obj->segments[i].filesz;
	return end;
}

/*
 * Every truncation of the first 4 KiB is refused (the program headers are
 * cut, or the segments they describe lie past the end); further on, a
 * truncation is read exactly when it holds every segment. Each copy is
 * allocated at its exact length, so a read past it is seen by ASan.
 */
static void check_truncations(const char *path)
{
	struct vms_object full = { 0 };
	struct arena a;
	unsigned char *buf;
	size_t len;
	uint64_t end;

	arena_init(&a);
	buf = read_all(path, &len);
	assert_int_equal(vms_elf_load_memory(buf, len, &full, &a), 0);
	end = load_end(&full);
	assert_true(end > 4096);
	for (size_t n = 0; n <= 4096 && n < len; n++) {
		struct vms_object obj = { 0 };
		unsigned char *copy = malloc(n ? n : 1);
		int r;

		memcpy(copy, buf, n);
		r = vms_elf_load_memory(copy, n, &obj, &a);
		if (n < SELFMAG) {
			assert_int_equal(r, 0);
			assert_false(obj.is_elf);
		} else {
			if (r != -EBADMSG)
				fail_msg("%s cut at %zu: %d", path, n, r);
			assert_int_equal(obj.elf_error, r);
			assert_false(obj.is_elf);
			assert_int_equal(obj.n_segments, 0);
		}
		free(copy);
	}
	for (size_t n = 4097; n <= len; n += len / 61 + 1) {
		struct vms_object obj = { 0 };
		unsigned char *copy = malloc(n);
		int r;

		memcpy(copy, buf, n);
		r = vms_elf_load_memory(copy, n, &obj, &a);
		assert_int_equal(r, n >= end ? 0 : -EBADMSG);
		free(copy);
	}
	free(buf);
	arena_release(&a);
}

static const char *mapped_libc(void)
{
	static char paths[64][PATH_MAX];
	size_t n = mapped_paths(paths, 64);

	for (size_t i = 0; i < n; i++)
		if (strstr(paths[i], "/libc.so") || strstr(paths[i], "/libc-"))
			return paths[i];
	return NULL;
}

static void test_truncated(void **state)
{
	const char *libc = mapped_libc();

	(void)state;
	check_truncations(self_exe());
	if (!libc)
		skip();
	check_truncations(libc);
}

static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random flips in the headers and the first page, fixed seed. */
static void test_byte_flips(void **state)
{
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	size_t len, ok = 0, refused = 0, head;
	unsigned char *orig = read_all(self_exe(), &len);
	unsigned char *buf = malloc(len);
	struct arena a;

	(void)state;
	arena_init(&a);
	head = len < 4096 ? len : 4096;
	memcpy(buf, orig, len);
	for (int iter = 0; iter < 4000; iter++) {
		struct vms_object obj = { 0 };
		unsigned flips = 1 + (unsigned)(rnd_next(&seed) % 8);
		int r;

		memcpy(buf, orig, head); /* only the head is ever flipped */
		for (unsigned k = 0; k < flips; k++) {
			uint64_t x = rnd_next(&seed);
			/* half of the flips in the ELF and program headers */
			size_t span = (x & 1) ? 64 + 14 * 56 : head;
			size_t pos = (size_t)((x >> 8) % (span < head ? span : head));

			buf[pos] ^= (unsigned char)(1u << ((x >> 4) % 8));
		}
		r = vms_elf_load_memory(buf, len, &obj, &a);
		assert_int_equal(obj.elf_error, r < 0 ? r : 0);
		if (r < 0) {
			assert_true(r == -EBADMSG || r == -EFBIG);
			assert_int_equal(obj.n_segments, 0);
			refused++;
			continue;
		}
		ok++;
		if (!obj.is_elf)
			continue;
		assert_true(obj.elf_class == ELFCLASS32 || obj.elf_class == ELFCLASS64);
		for (uint32_t i = 0; i < obj.n_segments; i++) {
			const struct vms_segment *s = &obj.segments[i];

			assert_true(s->filesz <= s->memsz);
			assert_true(s->offset <= len && s->filesz <= len - s->offset);
			assert_true(s->memsz <= UINT64_MAX - s->vaddr);
		}
		if (a.used_total > (1u << 20))
			arena_release(&a);
	}
	/* both outcomes happen: flips in padding are harmless, in the
	 * headers they are not */
	print_message("# flips: %zu ok, %zu refused\n", ok, refused);
	assert_true(ok > 100);
	assert_true(refused > 100);
	free(buf);
	free(orig);
	arena_release(&a);
}

/* Forged headers, built field by field in either byte order. */

static void put(unsigned char *b, size_t off, uint64_t v, size_t size, bool big)
{
	for (size_t i = 0; i < size; i++) {
		size_t shift = 8 * (big ? size - 1 - i : i);

		b[off + i] = (unsigned char)(v >> shift);
	}
}

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct img {
	unsigned char *buf;
	size_t len;
	int class;
	bool big;
	uint64_t phoff;
};

#define F64(field) offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field)
#define F32(field) offsetof(Elf32_Ehdr, field), sizeof(((Elf32_Ehdr *)0)->field)

static void set_ehdr(struct img *im, size_t off64, size_t sz64, size_t off32, size_t sz32, uint64_t v)
{
	if (im->class == ELFCLASS64)
		put(im->buf, off64, v, sz64, im->big);
	else
		put(im->buf, off32, v, sz32, im->big);
}

#define SET_EHDR(im, field, v) set_ehdr((im), F64(field), F32(field), (v))

static void set_phdr(struct img *im, size_t i, const struct ph *p)
{
	if (im->class == ELFCLASS64) {
		size_t o = im->phoff + i * sizeof(Elf64_Phdr);

		put(im->buf, o + offsetof(Elf64_Phdr, p_type), p->type, 4, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_flags), p->flags, 4, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_offset), p->offset, 8, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_vaddr), p->vaddr, 8, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_paddr), p->vaddr, 8, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_filesz), p->filesz, 8, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_memsz), p->memsz, 8, im->big);
		put(im->buf, o + offsetof(Elf64_Phdr, p_align), p->align, 8, im->big);
	} else {
		size_t o = im->phoff + i * sizeof(Elf32_Phdr);

		put(im->buf, o + offsetof(Elf32_Phdr, p_type), p->type, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_flags), p->flags, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_offset), p->offset, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_vaddr), p->vaddr, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_paddr), p->vaddr, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_filesz), p->filesz, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_memsz), p->memsz, 4, im->big);
		put(im->buf, o + offsetof(Elf32_Phdr, p_align), p->align, 4, im->big);
	}
}

static const struct ph base_ph[] = {
	{ PT_LOAD, PF_R, 0x0, 0x0, 0x1000, 0x1000, 0x1000 },
	{ PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x800, 0x800, 0x1000 },
	{ PT_NOTE, PF_R, 0x200, 0x200, 0x20, 0x20, 4 },
	{ PT_LOAD, PF_R | PF_W, 0x1e00, 0x2e00, 0x200, 0x1000, 0x1000 },
	{ PT_GNU_RELRO, PF_R, 0x1e00, 0x2e00, 0x100, 0x100, 1 },
	{ PT_GNU_RELRO, PF_R, 0x1f00, 0x2f00, 0x80, 0x80, 1 },
};
#define BASE_N (sizeof(base_ph) / sizeof(base_ph[0]))

/* A small shared object: three PT_LOADs, a note, two RELRO (the first counts). */
static struct img make_img(int class, bool big, size_t len)
{
	struct img im = { .buf = calloc(1, len), .len = len, .class = class, .big = big };
	size_t phentsize = class == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	assert_non_null(im.buf);
	im.phoff = class == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	memcpy(im.buf, ELFMAG, SELFMAG);
	im.buf[EI_CLASS] = (unsigned char)class;
	im.buf[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
	im.buf[EI_VERSION] = EV_CURRENT;
	SET_EHDR(&im, e_type, ET_DYN);
	SET_EHDR(&im, e_machine, class == ELFCLASS64 ? EM_X86_64 : EM_386);
	SET_EHDR(&im, e_version, EV_CURRENT);
	SET_EHDR(&im, e_phoff, im.phoff);
	SET_EHDR(&im, e_ehsize, im.phoff);
	SET_EHDR(&im, e_phentsize, phentsize);
	SET_EHDR(&im, e_phnum, BASE_N);
	for (size_t i = 0; i < BASE_N; i++)
		set_phdr(&im, i, &base_ph[i]);
	return im;
}

static int load_img(const struct img *im, struct vms_object *obj, struct arena *a)
{
	memset(obj, 0, sizeof(*obj));
	return vms_elf_load_memory(im->buf, im->len, obj, a);
}

static void expect_base(const struct vms_object *obj, int class)
{
	static const uint32_t load[] = { 0, 1, 3 };

	assert_true(obj->is_elf);
	assert_int_equal(obj->elf_error, 0);
	assert_int_equal(obj->elf_class, class);
	assert_int_equal(obj->elf_type, ET_DYN);
	assert_int_equal(obj->n_segments, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct ph *p = &base_ph[load[i]];

		assert_int_equal(obj->segments[i].vaddr, p->vaddr);
		assert_int_equal(obj->segments[i].memsz, p->memsz);
		assert_int_equal(obj->segments[i].offset, p->offset);
		assert_int_equal(obj->segments[i].filesz, p->filesz);
		assert_int_equal(obj->segments[i].align, p->align);
		assert_int_equal(obj->segments[i].flags, p->flags);
	}
	assert_int_equal(obj->relro_vaddr, 0x2e00);
	assert_int_equal(obj->relro_memsz, 0x100);
}

static void test_forged_valid(void **state)
{
	struct vms_object obj;
	struct arena a;

	(void)state;
	arena_init(&a);
	for (int class = ELFCLASS32; class <= ELFCLASS64; class++) {
		for (int big = 0; big <= 1; big++) {
			struct img im = make_img(class, big, 0x2000);

			assert_int_equal(load_img(&im, &obj, &a), 0);
			expect_base(&obj, class);

			/* Section headers are never looked at: a forged
			 * extended count (e_shnum 0, sh_size of section 0
			 * huge) or garbage offsets change nothing. */
			SET_EHDR(&im, e_shoff, 0x1000);
			SET_EHDR(&im, e_shnum, 0);
			SET_EHDR(&im, e_shentsize, class == ELFCLASS64 ? 64 : 40);
			SET_EHDR(&im, e_shstrndx, SHN_XINDEX);
			put(im.buf, 0x1000 + (class == ELFCLASS64 ? 32 : 20), 0xffffffff,
			    class == ELFCLASS64 ? 8 : 4, big);
			assert_int_equal(load_img(&im, &obj, &a), 0);
			expect_base(&obj, class);
			SET_EHDR(&im, e_shoff, class == ELFCLASS64 ? UINT64_MAX - 3 : UINT32_MAX - 3);
			SET_EHDR(&im, e_shnum, 0xffff);
			assert_int_equal(load_img(&im, &obj, &a), 0);
			expect_base(&obj, class);

			/* section 0 read from inside the program headers:
			 * its sh_size (here a note's p_filesz) is a huge
			 * extended section count, which libelf refuses */
			{
				struct ph note = base_ph[2];

				note.filesz = class == ELFCLASS64 ? UINT64_C(0x100000000) : 0xfffffff0;
				set_phdr(&im, 2, &note);
				SET_EHDR(&im, e_shnum, 0);
				SET_EHDR(&im, e_shoff, class == ELFCLASS64 ? 176 : 112);
				assert_int_equal(load_img(&im, &obj, &a), 0);
				expect_base(&obj, class);
			}

			/* no program headers: an ELF file with no segments */
			SET_EHDR(&im, e_phnum, 0);
			assert_int_equal(load_img(&im, &obj, &a), 0);
			assert_true(obj.is_elf);
			assert_int_equal(obj.n_segments, 0);
			assert_int_equal(obj.relro_memsz, 0);
			free(im.buf);
		}
	}
	arena_release(&a);
}

static void expect_refused(struct img *im, int want, const char *what)
{
	struct vms_object obj;
	struct arena a;
	int r;

	arena_init(&a);
	r = load_img(im, &obj, &a);
	if (r != want)
		fail_msg("%s (class %d, %s): %d, expected %d", what, im->class,
			 im->big ? "big" : "little", r, want);
	assert_int_equal(obj.elf_error, want);
	assert_false(obj.is_elf);
	assert_int_equal(obj.n_segments, 0);
	arena_release(&a);
	free(im->buf);
}

static void test_forged_invalid(void **state)
{
	(void)state;
	for (int class = ELFCLASS32; class <= ELFCLASS64; class++) {
		for (int big = 0; big <= 1; big++) {
			uint64_t max = class == ELFCLASS64 ? UINT64_MAX : UINT32_MAX;
			struct img im;
			struct ph p;

			im = make_img(class, big, 0x2000);
			SET_EHDR(&im, e_phnum, PN_XNUM);
			expect_refused(&im, -EBADMSG, "phnum PN_XNUM");

			im = make_img(class, big, 0x2000);
			SET_EHDR(&im, e_phnum, 0xfff0);
			expect_refused(&im, -EBADMSG, "phnum over 64 KiB of headers");

			im = make_img(class, big, 0x2000);
			SET_EHDR(&im, e_phentsize, 24);
			expect_refused(&im, -EBADMSG, "wrong phentsize");

			im = make_img(class, big, 0x2000);
			SET_EHDR(&im, e_phoff, 0x2000 - 10);
			expect_refused(&im, -EBADMSG, "headers past the end");

			im = make_img(class, big, 0x2000);
			SET_EHDR(&im, e_phoff, max - 8);
			expect_refused(&im, -EBADMSG, "phoff wraps");

			im = make_img(class, big, 0x2000);
			im.buf[EI_VERSION] = 0;
			expect_refused(&im, -EBADMSG, "bad version");

			im = make_img(class, big, 0x2000);
			im.buf[EI_DATA] = 7;
			expect_refused(&im, -EBADMSG, "bad byte order");

			im = make_img(class, big, 0x2000);
			im.buf[EI_CLASS] = 3;
			expect_refused(&im, -EBADMSG, "bad class");

			im = make_img(class, big, 0x2000);
			p = base_ph[3];
			p.filesz = p.memsz + 1;
			set_phdr(&im, 3, &p);
			expect_refused(&im, -EBADMSG, "filesz over memsz");

			im = make_img(class, big, 0x2000);
			p = base_ph[3];
			p.offset = 0x1f00;
			set_phdr(&im, 3, &p);
			expect_refused(&im, -EBADMSG, "segment past the end of the file");

			im = make_img(class, big, 0x2000);
			p = base_ph[3];
			p.offset = max - 0x10;
			set_phdr(&im, 3, &p);
			expect_refused(&im, -EBADMSG, "segment offset wraps");

			im = make_img(class, big, 0x2000);
			p = base_ph[3];
			p.vaddr = max - 0x100;
			set_phdr(&im, 3, &p);
			expect_refused(&im, -EBADMSG, "segment address wraps");

			im = make_img(class, big, 0x2000);
			p = base_ph[4];
			p.vaddr = max - 0x10;
			set_phdr(&im, 4, &p);
			expect_refused(&im, -EBADMSG, "RELRO address wraps");

			/* headers far into a file: out of reach, said so */
			im = make_img(class, big, 0x201000);
			SET_EHDR(&im, e_phoff, 0x200000);
			expect_refused(&im, -EFBIG, "headers 2 MiB into the file");
		}
	}
}

/* An ELF header cut inside itself, for each class. */
static void test_forged_short(void **state)
{
	(void)state;
	for (int class = ELFCLASS32; class <= ELFCLASS64; class++) {
		struct img im = make_img(class, false, 0x2000);
		size_t ehsize = class == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

		for (size_t n = SELFMAG; n < ehsize; n++) {
			struct vms_object obj = { 0 };
			unsigned char *copy = malloc(n);
			struct arena a;

			arena_init(&a);
			memcpy(copy, im.buf, n);
			assert_int_equal(vms_elf_load_memory(copy, n, &obj, &a), -EBADMSG);
			free(copy);
			arena_release(&a);
		}
		free(im.buf);
	}
}

/* Opening through /proc/<pid>. */

static struct vms_region path_region(const char *name, const struct stat *st)
{
	struct vms_region r = { 0 };

	/* a range nothing maps: map_files has no entry, root/<path> is used */
	r.start = 0x1000;
	r.end = 0x2000;
	r.perms = VMS_PERM_READ;
	r.inode = st->st_ino;
	r.dev_major = major(st->st_dev);
	r.dev_minor = minor(st->st_dev);
	r.name = name;
	r.object = -1;
	return r;
}

static void expect_same_facts(const struct vms_object *a, const struct vms_object *b)
{
	assert_int_equal(a->is_elf, b->is_elf);
	assert_int_equal(a->elf_error, b->elf_error);
	assert_int_equal(a->elf_class, b->elf_class);
	assert_int_equal(a->elf_type, b->elf_type);
	assert_int_equal(a->n_segments, b->n_segments);
	if (a->n_segments)
		assert_memory_equal(a->segments, b->segments, a->n_segments * sizeof(*a->segments));
	assert_int_equal(a->relro_vaddr, b->relro_vaddr);
	assert_int_equal(a->relro_memsz, b->relro_memsz);
}

struct tmp {
	char dir[64];
	char path[128];
};

/* A copy of this test's own program in a new directory, reached by its path
 * through /proc/self, and its facts. */
struct exe_copy {
	struct tmp t;
	unsigned char *exe;
	size_t len;
	int dirfd;
	struct vms_region r;
	struct vms_object want;
};

static void exe_copy_make(struct exe_copy *c, struct arena *a)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(c->dirfd >= 0);
	(void)snprintf(c->t.dir, sizeof(c->t.dir), "/tmp/vms-elf-XXXXXX");
	assert_non_null(mkdtemp(c->t.dir));
	(void)snprintf(c->t.path, sizeof(c->t.path), "%s/prog", c->t.dir);
	c->exe = read_all(self_exe(), &c->len);
	write_all(c->t.path, c->exe, c->len);
	assert_int_equal(vms_elf_load_memory(c->exe, c->len, &c->want, a), 0);
	assert_int_equal(stat(c->t.path, &st), 0);
	c->r = path_region(c->t.path, &st);
}

/* (the copy itself is unlinked by the test) */
static void exe_copy_drop(struct exe_copy *c)
{
	free(c->exe);
	assert_int_equal(rmdir(c->t.dir), 0);
	close(c->dirfd);
}

static void test_load_by_path_and_cache(void **state)
{
	struct vms_elf_cache *cache = vms_elf_cache_new();
	struct vms_object obj = { 0 };
	struct exe_copy c;
	struct stat st;
	struct arena a;
	struct img im;

	(void)state;
	arena_init(&a);
	exe_copy_make(&c, &a);

	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_same_facts(&obj, &c.want);
	/* without /proc, only the cache can answer */
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, -1, &c.r, &obj, &a), 0);
	expect_same_facts(&obj, &c.want);
	/* no cache at all */
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(NULL, c.dirfd, &c.r, &obj, &a), 0);
	expect_same_facts(&obj, &c.want);

	/* The file changes in place (same inode): parsed again. */
	im = make_img(ELFCLASS64, false, 0x2000);
	write_all(c.t.path, im.buf, im.len);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_base(&obj, ELFCLASS64);
	free(im.buf);

	/* Gone from the path: the cache still knows this (dev, inode). */
	assert_int_equal(unlink(c.t.path), 0);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_base(&obj, ELFCLASS64);
	/* ...but with no cache the error is said */
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(NULL, c.dirfd, &c.r, &obj, &a), -ENOENT);
	assert_int_equal(obj.elf_error, -ENOENT);
	assert_false(obj.is_elf);

	/* an inode never seen, without /proc */
	c.r.inode++;
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, -1, &c.r, &obj, &a), -EBADF);
	assert_int_equal(obj.elf_error, -EBADF);

	/* A corrupt file: the verdict is cached too. */
	write_all(c.t.path, c.exe, 100);
	assert_int_equal(stat(c.t.path, &st), 0);
	c.r = path_region(c.t.path, &st);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), -EBADMSG);
	assert_int_equal(obj.elf_error, -EBADMSG);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, -1, &c.r, &obj, &a), -EBADMSG);
	assert_int_equal(obj.elf_error, -EBADMSG);
	assert_int_equal(unlink(c.t.path), 0);

	exe_copy_drop(&c);
	vms_elf_cache_free(cache);
	arena_release(&a);
}

/*
 * A pass of the cache: facts vms_elf_prefetch read are taken without a look
 * at the file until the next pass; without a pass, every load looks.
 */
static void test_prefetch_pass(void **state)
{
	struct vms_elf_cache *cache = vms_elf_cache_new();
	struct vms_object obj = { 0 };
	struct exe_copy c;
	struct vms_region never;
	struct arena a;
	struct img im = make_img(ELFCLASS32, false, 0x2000);

	(void)state;
	arena_init(&a);
	exe_copy_make(&c, &a);
	assert_int_equal(c.want.elf_class, ELFCLASS64);

	/* No pass begun: the prefetch fills the cache, a load still looks
	 * at the file, which changed in place. */
	vms_elf_prefetch(cache, c.dirfd, &c.r);
	write_all(c.t.path, im.buf, im.len);
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_base(&obj, ELFCLASS32);

	/* In a pass, the load takes what the prefetch read... */
	write_all(c.t.path, c.exe, c.len);
	vms_elf_cache_pass(cache);
	vms_elf_prefetch(cache, c.dirfd, &c.r);
	write_all(c.t.path, im.buf, im.len);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_same_facts(&obj, &c.want);
	/* ...and a second prefetch in the pass does not read it again */
	vms_elf_prefetch(cache, c.dirfd, &c.r);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_same_facts(&obj, &c.want);

	/* The next pass looks at the file again, once. */
	vms_elf_cache_pass(cache);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_base(&obj, ELFCLASS32);
	write_all(c.t.path, c.exe, c.len);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &c.r, &obj, &a), 0);
	expect_base(&obj, ELFCLASS32);

	/* A file the prefetch cannot open is left for the load to say why;
	 * without a cache or a directory the prefetch does nothing. */
	never = c.r;
	never.inode++;
	assert_int_equal(unlink(c.t.path), 0);
	vms_elf_prefetch(cache, c.dirfd, &never);
	vms_elf_prefetch(NULL, c.dirfd, &never);
	vms_elf_prefetch(cache, -1, &never);
	memset(&obj, 0, sizeof(obj));
	assert_int_equal(vms_elf_load_object(cache, c.dirfd, &never, &obj, &a), -ENOENT);
	assert_int_equal(obj.elf_error, -ENOENT);
	assert_false(obj.is_elf);

	free(im.buf);
	exe_copy_drop(&c);
	vms_elf_cache_free(cache);
	arena_release(&a);
}

static void test_load_hostile_paths(void **state)
{
	struct vms_object obj = { 0 };
	struct vms_region r;
	struct stat st;
	struct tmp t;
	struct arena a;
	char nl[160], nl_escaped[160], text[160];
	unsigned char *exe;
	size_t len;
	int dirfd;

	(void)state;
	arena_init(&a);
	dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	(void)snprintf(t.dir, sizeof(t.dir), "/tmp/vms-elf-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	exe = read_all(self_exe(), &len);

	/* a newline in the name, as maps escapes it */
	(void)snprintf(nl, sizeof(nl), "%s/a\nb c", t.dir);
	(void)snprintf(nl_escaped, sizeof(nl_escaped), "%s/a\\012b c", t.dir);
	write_all(nl, exe, len);
	assert_int_equal(stat(nl, &st), 0);
	r = path_region(nl_escaped, &st);
	assert_int_equal(vms_elf_load_object(NULL, dirfd, &r, &obj, &a), 0);
	assert_true(obj.is_elf);

	/* the path now names another file than the one mapped */
	r.inode ^= 0x5a5a;
	assert_int_equal(vms_elf_load_object(NULL, dirfd, &r, &obj, &a), -ENOENT);
	assert_false(obj.is_elf);
	r.inode ^= 0x5a5a;

	/* deleted: the path is not that file any more, not even tried */
	r.deleted = true;
	assert_true(vms_elf_load_object(NULL, dirfd, &r, &obj, &a) < 0);
	assert_false(obj.is_elf);
	r.deleted = false;

	/* not a path */
	r.name = "anon_inode:[perf_event]";
	assert_true(vms_elf_load_object(NULL, dirfd, &r, &obj, &a) < 0);
	assert_int_equal(unlink(nl), 0);

	/* a text file */
	(void)snprintf(text, sizeof(text), "%s/notes.txt", t.dir);
	write_all(text, "not an ELF file\n", 16);
	assert_int_equal(stat(text, &st), 0);
	r = path_region(text, &st);
	assert_int_equal(vms_elf_load_object(NULL, dirfd, &r, &obj, &a), 0);
	assert_false(obj.is_elf);
	assert_int_equal(obj.elf_error, 0);
	assert_int_equal(unlink(text), 0);

	/* a device: never opened, not ELF */
	assert_int_equal(stat("/dev/null", &st), 0);
	r = path_region("/dev/null", &st);
	assert_int_equal(vms_elf_load_object(NULL, dirfd, &r, &obj, &a), 0);
	assert_false(obj.is_elf);
	assert_int_equal(obj.elf_error, 0);

	free(exe);
	assert_int_equal(rmdir(t.dir), 0);
	close(dirfd);
	arena_release(&a);
}

/* A real mapping of a deleted file: only map_files reaches it. */
static void test_load_map_files(void **state)
{
	struct vms_object want = { 0 }, obj = { 0 };
	struct vms_region r = { 0 };
	char name[64], line[512];
	struct stat st;
	struct tmp t;
	struct arena a;
	unsigned char *exe;
	size_t len;
	void *map;
	FILE *f;
	int fd, dirfd, probe, got;
	bool found = false;

	(void)state;
	arena_init(&a);
	dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	(void)snprintf(t.dir, sizeof(t.dir), "/tmp/vms-elf-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	(void)snprintf(t.path, sizeof(t.path), "%s/lib.so", t.dir);
	exe = read_all(self_exe(), &len);
	write_all(t.path, exe, len);
	assert_int_equal(vms_elf_load_memory(exe, len, &want, &a), 0);
	fd = open(t.path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	assert_int_equal(unlink(t.path), 0);

	f = fopen("/proc/self/maps", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strtoull(line, NULL, 16) != (uintptr_t)map)
			continue;
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(vms_maps_parse_line(line, strlen(line), &a, &r), 0);
		found = true;
	}
	fclose(f);
	assert_true(found);
	assert_true(r.deleted);

	/* what this process may do with map_files decides the outcome */
	(void)snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, r.start, r.end);
	probe = fstatat(dirfd, name, &st, 0) == 0 ? 0 : -errno;
	got = vms_elf_load_object(NULL, dirfd, &r, &obj, &a);
	assert_int_equal(got, probe);
	if (probe == 0)
		expect_same_facts(&obj, &want);
	else
		assert_int_equal(obj.elf_error, probe);

	munmap(map, 4096);
	free(exe);
	assert_int_equal(rmdir(t.dir), 0);
	close(dirfd);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_byte_flips),
		cmocka_unit_test(test_forged_valid),
		cmocka_unit_test(test_forged_invalid),
		cmocka_unit_test(test_forged_short),
		cmocka_unit_test(test_load_by_path_and_cache),
		cmocka_unit_test(test_prefetch_pass),
		cmocka_unit_test(test_load_hostile_paths),
		cmocka_unit_test(test_load_map_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
