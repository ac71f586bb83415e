/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text report: golden outputs (tests/report/golden, compared like
 * diff -u, rewritten when VMSCOPE_REGEN_GOLDEN=1), and the properties every
 * output must have whatever the options: no raw control byte, valid UTF-8,
 * no line wider than asked, hostile names escaped, tables in sort order.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "fixture.h"
#include "report/layout.h"
#include "report/pages.h"
#include "vmscope/report.h"

extern char **environ;

static bool have_utf8;

struct out {
	char *buf;
	size_t len;
};

static struct out render(const struct vms_snapshot *s, const struct vms_report_options *opt)
{
	struct out o = { NULL, 0 };
	FILE *f = open_memstream(&o.buf, &o.len);

	assert_non_null(f);
	assert_int_equal(vms_report_text(f, s, opt), 0);
	assert_int_equal(fclose(f), 0);
	return o;
}

/* Golden files */

static void show_diff(const char *golden, const char *text, size_t len)
{
	char actual[] = "/tmp/vmscope-golden-XXXXXX";
	int fd = mkstemp(actual);
	posix_spawn_file_actions_t fa;
	char *argv[] = { "diff", "-u", (char *)golden, actual, NULL };
	pid_t pid;
	int st;

	if (fd < 0)
		return;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(actual);
		return;
	}
	close(fd);
	/* the diff goes to stderr: stdout is the TAP stream */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	if (posix_spawnp(&pid, "diff", &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	unlink(actual);
}

static void golden(const char *name, const struct out *o)
{
	const char *dir = getenv("VMSCOPE_GOLDEN_DIR");
	const char *regen = getenv("VMSCOPE_REGEN_GOLDEN");
	char path[4096];
	char *want = NULL;
	size_t want_len = 0, n;
	FILE *f;

	if (!dir)
		fail_msg("VMSCOPE_GOLDEN_DIR is not set");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (regen && strcmp(regen, "1") == 0) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(o->buf, 1, o->len, f), o->len);
		assert_int_equal(fclose(f), 0);
		print_message("# regenerated %s\n", path);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s: %s (VMSCOPE_REGEN_GOLDEN=1 writes it)", path,
			 strerror(errno));
	want = xmalloc(1 << 20);
	n = fread(want, 1, 1 << 20, f);
	want_len = n;
	fclose(f);
	if (want_len != o->len || memcmp(want, o->buf, o->len) != 0) {
		show_diff(path, o->buf, o->len);
		free(want);
		fail_msg("%s differs from the output (diff -u on stderr; VMSCOPE_REGEN_GOLDEN=1 "
			 "rewrites it)", name);
	}
	free(want);
}

static void test_golden_full(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct out o;

	(void)state;
	o = render(s, &(struct vms_report_options){ 0 });
	golden("full.txt", &o);
	free(o.buf);
	vms_snapshot_free(s);
}

static void test_golden_restricted(void **state)
{
	struct vms_snapshot *s = fixture_restricted();
	struct out o;

	(void)state;
	o = render(s, NULL);
	golden("restricted.txt", &o);
	free(o.buf);
	vms_snapshot_free(s);
}

static void test_golden_kthread(void **state)
{
	struct vms_snapshot *s = fixture_kthread();
	struct out o;

	(void)state;
	o = render(s, NULL);
	golden("kthread.txt", &o);
	free(o.buf);
	vms_snapshot_free(s);
}

static void test_golden_all_bytes(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct out o;

	(void)state;
	o = render(s, &(struct vms_report_options){ .all = true, .bytes = true,
						    .sort = VMS_SORT_ADDRESS, .width = 120 });
	golden("all-bytes-address-120.txt", &o);
	free(o.buf);
	vms_snapshot_free(s);
}

static void test_golden_pss_top(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct out o;

	(void)state;
	o = render(s, &(struct vms_report_options){ .sort = VMS_SORT_PSS, .top = 4,
						    .width = 100 });
	golden("pss-top4-100.txt", &o);
	free(o.buf);
	vms_snapshot_free(s);
}

/* Properties */

/* Checks one output; returns its widest line. */
static size_t check_output(const struct out *o, unsigned width)
{
	size_t widest = 0, i = 0;
	mbstate_t mb;

	assert_true(o->len > 0 && o->buf[o->len - 1] == '\n');
	for (size_t k = 0; k < o->len; k++) {
		unsigned char c = (unsigned char)o->buf[k];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			fail_msg("raw byte 0x%02x at offset %zu", c, k);
	}
	if (!have_utf8)
		return 0;
	memset(&mb, 0, sizeof(mb));
	while (i < o->len) {
		size_t line_w = 0;

		while (i < o->len && o->buf[i] != '\n') {
			wchar_t wc;
			size_t n = mbrtowc(&wc, o->buf + i, o->len - i, &mb);
			int w;

			if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
				fail_msg("invalid UTF-8 at offset %zu", i);
			w = wcwidth(wc);
			if (w < 0 || (wc >= 0x80 && wc < 0xa0))
				fail_msg("unprintable U+%04x at offset %zu", (unsigned)wc, i);
			line_w += (size_t)w;
			i += n;
		}
		if (line_w > width)
			fail_msg("a line of %zu columns (limit %u) ending at offset %zu", line_w,
				 width, i);
		if (line_w > widest)
			widest = line_w;
		i++;
	}
	return widest;
}

static void test_every_option(void **state)
{
	struct vms_snapshot *(*const fixtures[])(void) = { fixture_full, fixture_restricted,
							   fixture_kthread };
	static const unsigned widths[] = { 0, 1, 79, 80, 81, 100, 200 };

	(void)state;
	for (size_t fx = 0; fx < sizeof(fixtures) / sizeof(fixtures[0]); fx++) {
		struct vms_snapshot *s = fixtures[fx]();

		for (int sort = 0; sort < VMS_SORT__MAX; sort++)
			for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
				for (int flags = 0; flags < 4; flags++) {
					struct vms_report_options opt = {
						.sort = sort,
						.width = widths[wi],
						.bytes = flags & 1,
						.all = flags & 2,
					};
					unsigned limit = widths[wi] > 80 ? widths[wi] : 80;
					struct out o = render(s, &opt);

					check_output(&o, limit);
					free(o.buf);
				}
		vms_snapshot_free(s);
	}
}

static void test_hostile_names(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct vms_report_options opt = { .width = 200, .all = true };
	struct out o;

	(void)state;
	o = render(s, &opt);
	check_output(&o, 200);
	/* comm: ESC[2J shown, not sent */
	assert_non_null(strstr(o.buf, "evil\\x1b[2Jname"));
	/* the command line: OSC title, BEL, newline and C1 CSI, all visible */
	assert_non_null(strstr(o.buf, "--title \\x1b]0;pwned\\x07 --motd line1\\x0aline2 "
				      "\\xc2\\x9b31m"));
	/* a path with invalid UTF-8 and the kernel's \012 (its backslash doubled) */
	assert_non_null(strstr(o.buf, "/tmp/plug\\xff\\xfe-in\\\\012\\xe2\\x82.so (deleted)"));
	assert_null(strchr(o.buf, '\x1b'));
	assert_null(strstr(o.buf, "\xc2\x9b"));
	free(o.buf);
	vms_snapshot_free(s);
}

/* Color: SGR sequences only, and removing them gives the plain output. */
static void test_color(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct vms_report_options opt = { .all = true };
	struct out plain, color;
	char *stripped;
	size_t n = 0, sgr = 0;

	(void)state;
	plain = render(s, &opt);
	opt.color = true;
	color = render(s, &opt);
	stripped = xmalloc(color.len + 1);
	for (size_t i = 0; i < color.len;) {
		if (color.buf[i] == '\x1b') {
			size_t k = i + 1;

			if (k >= color.len || color.buf[k] != '[')
				fail_msg("ESC not starting a CSI at offset %zu", i);
			k++;
			while (k < color.len &&
			       ((color.buf[k] >= '0' && color.buf[k] <= '9') || color.buf[k] == ';'))
				k++;
			if (k >= color.len || color.buf[k] != 'm')
				fail_msg("a sequence that is not SGR at offset %zu", i);
			sgr++;
			i = k + 1;
			continue;
		}
		stripped[n++] = color.buf[i++];
	}
	assert_true(sgr > 20);
	assert_int_equal(n, plain.len);
	assert_memory_equal(stripped, plain.buf, n);
	/* without color, no SGR at all */
	assert_null(memchr(plain.buf, '\x1b', plain.len));
	free(stripped);
	free(plain.buf);
	free(color.buf);
	vms_snapshot_free(s);
}

/* The lines of a titled section ("regions: ..."), header skipped. */
static char **section_rows(const char *text, const char *title, size_t *ret_n)
{
	const char *p = strstr(text, title);
	char **rows = NULL;
	size_t n = 0, alloc = 0;

	assert_non_null(p);
	p = strchr(p + 1, '\n') + 1; /* the title */
	p = strchr(p, '\n') + 1; /* the column heads */
	while (*p && *p != '\n') {
		const char *e = strchr(p, '\n');

		ARRAY_GROW(rows, n + 1, alloc);
		rows[n++] = xstrndup(p, (size_t)(e - p));
		p = e + 1;
	}
	*ret_n = n;
	return rows;
}

static uint64_t region_key(const struct vms_region *r, enum vms_sort sort)
{
	switch (sort) {
	case VMS_SORT_RSS:
		return r->mem.v[VMS_MEM_RSS];
	case VMS_SORT_PSS:
		return r->mem.v[VMS_MEM_PSS];
	case VMS_SORT_USS:
		return r->mem.v[VMS_MEM_PRIVATE_CLEAN] + r->mem.v[VMS_MEM_PRIVATE_DIRTY];
	case VMS_SORT_SIZE:
		return r->end - r->start;
	case VMS_SORT_SWAP:
		return r->mem.v[VMS_MEM_SWAP];
	case VMS_SORT_REFERENCED:
		return r->mem.v[VMS_MEM_REFERENCED];
	default:
		return r->start;
	}
}

static void test_region_order(void **state)
{
	struct vms_snapshot *s = fixture_full();

	(void)state;
	for (int sort = 0; sort < VMS_SORT__MAX; sort++) {
		struct vms_report_options opt = { .sort = sort, .all = true };
		struct out o = render(s, &opt);
		size_t n;
		char **rows = section_rows(o.buf, "\nregions: ", &n);
		const struct vms_region *prev = NULL;

		assert_int_equal(n, s->n_regions);
		for (size_t i = 0; i < n; i++) {
			uint64_t addr = strtoull(rows[i], NULL, 16);
			const struct vms_region *r = vms_snapshot_find(s, addr);

			if (!r || r->start != addr)
				fail_msg("row \"%s\" names no region", rows[i]);
			if (prev) {
				uint64_t a = region_key(prev, sort), b = region_key(r, sort);
				bool ok = sort == VMS_SORT_ADDRESS ? a < b
								   : a > b || (a == b &&
									       prev->start < r->start);

				if (!ok)
					fail_msg("by %s: \"%s\" after \"%s\"",
						 vms_sort_to_string(sort), rows[i], rows[i - 1]);
			}
			prev = r;
			free(rows[i]);
		}
		free(rows);
		free(o.buf);
	}
	vms_snapshot_free(s);
}

/* One region with its counters, of the given kind and object. */
static struct vms_region *add_region(struct vms_snapshot *s, uint64_t start, uint64_t end,
				     uint8_t perms, const char *name, enum vms_kind kind,
				     int32_t object)
{
	struct vms_region *r;

	/* grown by half, not by one: test_turns_rows adds 10,000 (one by one, a
	 * sanitizer's realloc copied them all each time: 29 s) */
	ARRAY_GROW(s->regions, s->n_regions + 1, s->alloc_regions);
	r = &s->regions[s->n_regions++];
	*r = (struct vms_region){
		.start = start,
		.end = end,
		.perms = perms,
		.inode = object >= 0 ? 77 : 0,
		.kind = kind,
		.object = object,
		.name = arena_strdup(s->arena, name),
		.thp_eligible = -1,
		.protection_key = -1,
	};
	r->mem.v[VMS_MEM_SIZE] = end - start;
	r->mem.have = UINT32_C(1) << VMS_MEM_SIZE;
	return r;
}

/* A snapshot of n_objects objects, the first /usr/bin/node (inode 77, loaded
 * at 0x400000) with the n sections secs. */
static struct vms_snapshot *node_snapshot(const struct vms_section *secs, size_t n,
					  size_t n_objects)
{
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_object *o;

	s->host.page_size = 4096;
	s->objects = xcalloc(n_objects, sizeof(*s->objects));
	s->n_objects = n_objects;
	o = &s->objects[0];
	o->path = "/usr/bin/node";
	o->inode = 77;
	o->is_elf = true;
	o->sections = arena_memdup(s->arena, secs, n * sizeof(*secs));
	o->n_sections = (uint32_t)n;
	o->have_bias = true;
	o->load_bias = 0x400000;
	return s;
}

/*
 * Labels of what the loader did not map: part of a program's .text mapped
 * again elsewhere (node's builtins in V8's code range), a file named by
 * digits alone (a JVM's hsperfdata), reserved address space of an object.
 */
/* node's text mapped again, its whole file read, a JVM's hsperfdata file,
 * reserved space of node and of a named cage, the clock pages. */
static struct vms_snapshot *remapped_snapshot(void)
{
	static const struct vms_section secs[] = {
		{ ".rodata", 0x1000, 0x3000, 0x1000, 2, 1 },
		{ ".text", 0x5000, 0x20000, 0x5000, 6, 1 },
		{ ".bss", 0x40000, 0x1000, 0x25000, 3, 8 },
	};
	struct vms_snapshot *s = node_snapshot(secs, 3, 2);
	struct vms_region *r;

	s->objects[1].path = "/tmp/hsperfdata_app/4242";
	s->objects[1].inode = 78;
	/* .text again, at offset 0x8000, far from where the loader put it */
	r = add_region(s, 0x7f0000000000, 0x7f0000010000, VMS_PERM_READ | VMS_PERM_EXEC,
		       "/usr/bin/node", VMS_KIND_FILE, 0);
	r->offset = 0x8000;
	/* the same file read whole, not executable: only its name */
	add_region(s, 0x7f0000100000, 0x7f0000126000, VMS_PERM_READ, "/usr/bin/node",
		   VMS_KIND_FILE, 0);
	add_region(s, 0x7f0000200000, 0x7f0000208000, VMS_PERM_READ | VMS_PERM_WRITE | VMS_PERM_SHARED,
		   "/tmp/hsperfdata_app/4242", VMS_KIND_FILE, 1)->inode = 78;
	add_region(s, 0x7f0000300000, 0x7f0000400000, 0, "/usr/bin/node", VMS_KIND_RESERVED, 0);
	add_region(s, 0x7f0000400000, 0x7f0000500000, 0, "[anon:cage]", VMS_KIND_RESERVED, -1);
	add_region(s, 0x7f0000500000, 0x7f0000600000, VMS_PERM_READ, "[vvar_vclock]", VMS_KIND_VVAR,
		   -1);
	s->src[VMS_SRC_SMAPS].tried = true;
	return s;
}

static void test_labels_remapped(void **state)
{
	struct vms_snapshot *s = remapped_snapshot();
	struct vms_report_options opt = { .width = 160, .all = true };
	struct out out;

	(void)state;
	out = render(s, &opt);
	/* the regions table: a row each */
	assert_non_null(strstr(out.buf, "n/a  node .text (remapped)  /usr/bin/node\n"));
	assert_non_null(strstr(out.buf, "n/a  node  /usr/bin/node\n"));
	assert_non_null(strstr(out.buf, "n/a  hsperfdata_app/4242  /tmp/hsperfdata_app/4242\n"));
	assert_non_null(strstr(out.buf, "n/a  node reserved\n"));
	assert_non_null(strstr(out.buf, "n/a  [anon:cage] reserved\n"));
	assert_non_null(strstr(out.buf, "n/a  vvar_vclock\n"));
	free(out.buf);
	vms_snapshot_free(s);
}

/*
 * Labels of regions the fixtures lack: a malloc arena of five threads (three
 * named, the rest counted), a thread's stack whose thread is unknown, shared
 * memory without a name and with a bracketed one, a guard of a named region,
 * a region of another kind named by no path.
 */
static void test_labels_more(void **state)
{
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_report_options opt = { .width = 160, .all = true };
	struct out out;

	(void)state;
	s->host.page_size = 4096;
	s->threads = xcalloc(5, sizeof(*s->threads));
	s->n_threads = 5;
	for (int t = 0; t < 5; t++) {
		s->threads[t].tid = 100 + t;
		s->threads[t].region = -1;
		s->threads[t].arena = 0x7f0000000000 + VMS_GLIBC_HEAP_INFO_SIZE;
	}
	add_region(s, 0x7f0000000000, 0x7f0000100000, VMS_PERM_READ | VMS_PERM_WRITE, "",
		   VMS_KIND_ARENA, -1);
	add_region(s, 0x7f0000200000, 0x7f0000300000, VMS_PERM_READ | VMS_PERM_WRITE, "",
		   VMS_KIND_THREAD_STACK, -1);
	add_region(s, 0x7f0000300000, 0x7f0000301000, VMS_PERM_READ | VMS_PERM_SHARED, "",
		   VMS_KIND_SHM, -1);
	add_region(s, 0x7f0000400000, 0x7f0000401000, VMS_PERM_READ | VMS_PERM_SHARED, "[shm:ring]",
		   VMS_KIND_SHM, -1);
	add_region(s, 0x7f0000500000, 0x7f0000501000, 0, "[anon:pool]", VMS_KIND_GUARD, -1);
	add_region(s, 0x7f0000600000, 0x7f0000601000, VMS_PERM_READ, "anon_inode:dmabuf",
		   VMS_KIND_OTHER, -1);
	s->src[VMS_SRC_SMAPS].tried = true;

	out = render(s, &opt);
	for (size_t k = 0; k < 6; k++) {
		/* in the layout, each label beside its address */
		static const char *const want[] = {
			"7f0000000000  malloc arena of 100 101 102 +2   1.0M",
			"7f0000200000  thread stack   ", "7f0000300000  shared anon   ",
			"7f0000400000  [shm:ring]   ", "7f0000500000  [anon:pool] guard   ",
			"7f0000600000  anon_inode:dmabuf   ",
		};

		if (!strstr(out.buf, want[k]))
			fail_msg("no '%s' in\n%s", want[k], out.buf);
	}
	free(out.buf);
	vms_snapshot_free(s);
}

/* --sections of objects whose sections cannot be listed: each says why. */
static void test_sections_why_not(void **state)
{
	static const struct {
		const char *path;
		bool is_elf, changed, have_bias;
		int elf_error, sections_error;
		const char *why;
	} objs[] = {
		{ "/srv/plain.dat", false, false, false, 0, 0, "not an ELF file: a plain file mapping" },
		{ "/srv/unread.so", false, false, false, -EACCES, 0, "could not be read" },
		{ "/srv/badelf.so", true, false, false, -EBADMSG, 0, "could not be read" },
		{ "/srv/changed.so", true, true, true, 0, 0,
		  "modified after the process started: its sections may not be what is mapped, "
		  "not shown" },
		{ "/srv/big.so", true, false, true, 0, -EFBIG,
		  "section headers larger than vmscope reads: segments only" },
		{ "/srv/corrupt.so", true, false, true, 0, -EBADMSG,
		  "section headers corrupt: segments only" },
		{ "/srv/moved.so", true, false, false, 0, 0,
		  "not mapped as the loader maps it: sections not placed" },
	};
	size_t n = sizeof(objs) / sizeof(objs[0]);
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_report_options opt = { .width = 160, .all = true, .sections = true };
	struct out out;

	(void)state;
	s->host.page_size = 4096;
	s->objects = xcalloc(n, sizeof(*s->objects));
	s->n_objects = n;
	for (size_t i = 0; i < n; i++) {
		struct vms_object *o = &s->objects[i];
		struct vms_region *r;

		o->path = objs[i].path;
		o->inode = 77 + i;
		o->is_elf = objs[i].is_elf;
		o->changed = objs[i].changed;
		o->have_bias = objs[i].have_bias;
		o->elf_error = objs[i].elf_error;
		o->sections_error = objs[i].sections_error;
		r = add_region(s, 0x7f0000000000 + 0x100000 * i, 0x7f0000010000 + 0x100000 * i,
			       VMS_PERM_READ, objs[i].path, VMS_KIND_FILE, (int32_t)i);
		r->inode = o->inode;
	}
	s->src[VMS_SRC_SMAPS].tried = true;
	out = render(s, &opt);
	for (size_t i = 0; i < n; i++) {
		char want[256];

		/* the object's name, then its reason on the next line */
		snprintf(want, sizeof(want), "%s\n %s\n", strrchr(objs[i].path, '/') + 1, objs[i].why);
		if (!strstr(out.buf, want))
			fail_msg("no '%s' in\n%s", want, out.buf);
	}
	free(out.buf);
	vms_snapshot_free(s);
}

/* A stack region of tid (0: the main one), its RSS (-1: not read) and swap. */
static void stack_region(struct vms_snapshot *s, uint64_t start, uint64_t size, int32_t tid,
			 int64_t rss, uint64_t swap)
{
	struct vms_region *r = add_region(s, start, start + size, VMS_PERM_READ | VMS_PERM_WRITE,
					  tid ? "" : "[stack]",
					  tid ? VMS_KIND_THREAD_STACK : VMS_KIND_STACK, -1);

	r->tid = tid;
	if (rss < 0)
		return;
	r->mem.v[VMS_MEM_RSS] = (uint64_t)rss;
	r->mem.v[VMS_MEM_SWAP] = swap;
	r->mem.have |= UINT32_C(1) << VMS_MEM_RSS | UINT32_C(1) << VMS_MEM_SWAP;
}

/*
 * The stacks, least room left first (swapped pages count as used; a stack
 * whose RSS was not read last, n/a), --top of them and how many more, the
 * guard page below one, a warning for the thread near its end; narrow, the
 * columns that fit.
 */
static void test_stacks_table(void **state)
{
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_report_options opt = { .width = 100, .top = 4 };
	struct out out;
	const char *at;

	(void)state;
	s->host.page_size = 4096;
	s->proc.pid = 100;
	s->limits = (struct vms_limits){ .tried = true, .stack = 8 << 20, .have_stack = true };
	add_region(s, 0x7f0000000000, 0x7f0000001000, 0, "", VMS_KIND_GUARD, -1);
	stack_region(s, 0x7f0000001000, 0x100000, 101, 0x10000, 0);      /* 960K left */
	stack_region(s, 0x7f0000200000, 0x100000, 102, 0x80000, 0x40000); /* 256K left */
	stack_region(s, 0x7f0000400000, 0x100000, 103, -1, 0);           /* n/a */
	stack_region(s, 0x7f0000600000, 0x100000, 104, 0xff000, 0);      /* 4.0K left */
	stack_region(s, 0x7f0000800000, 0x100000, 105, 0x20000, 0);      /* 896K left */
	stack_region(s, 0x7ffc00000000, 0x21000, 0, 0x8000, 0);
	s->src[VMS_SRC_SMAPS].tried = true;

	out = render(s, &opt);
	at = strstr(out.buf, " stack            tid     size      RSS     left    guard\n"
			     " thread           104     1.0M    1020K     4.0K     none\n"
			     " thread           102     1.0M     512K     256K     none\n"
			     " thread           105     1.0M     128K     896K     none\n");
	if (!at)
		fail_msg("no stacks table, least room first, in\n%s", out.buf);
	assert_non_null(strstr(at, " thread           101     1.0M      64K     960K     4.0K\n"));
	assert_non_null(strstr(at, " 2 more stacks (--top)\n"));
	assert_non_null(strstr(out.buf, "warning: the stack of thread 104 is within"));
	free(out.buf);

	opt.width = 40;
	opt.top = 0;
	out = render(s, &opt);
	at = strstr(out.buf, " stack            tid     size      RSS\n");
	if (!at || !strstr(at, " thread           103     1.0M      n/a\n"))
		fail_msg("no three columns, the stack whose RSS was not read last, in\n%s", out.buf);
	free(out.buf);
	vms_snapshot_free(s);
}

/* --sections at each width from 40 (the least) to 100 columns: no line
 * wider, the region and its sections listed (their names whole where they
 * fit); the object's build-id beside its name where 12 columns are left. */
static void test_sections_widths(void **state)
{
	static const char name[] = "libvery-long-name-of-a-library.so.1";
	struct vms_snapshot *s = remapped_snapshot();

	(void)state;
	s->objects[0].path = "/usr/lib/libvery-long-name-of-a-library.so.1";
	s->objects[0].build_id = "0123456789abcdef0123456789abcdef01234567";
	/* the whole file's mapping holds .rodata and .text: listed under it */
	s->regions[1].first_section = 0;
	s->regions[1].n_sections = 2;
	for (unsigned w = 40; w <= 100; w += 10) {
		struct vms_report_options opt = { .width = w, .all = true, .sections = true };
		struct out out = render(s, &opt);
		const char *sec = strstr(out.buf, "\nsections\n");

		check_output(&out, w);
		if (!sec || !strstr(sec, name) || !strstr(sec, "\n 7f0000100000 ") ||
		    (w >= 60 && !strstr(sec, " .text\n")))
			fail_msg("width %u: no object, region or .text under sections in\n%s", w,
				 out.buf);
		if ((strstr(sec, "  build-id ") != NULL) != (sizeof(name) - 1 + 12 < w))
			fail_msg("width %u: the build-id %s in\n%s", w,
				 sizeof(name) - 1 + 12 < w ? "missing" : "shown", out.buf);
		free(out.buf);
	}
	vms_snapshot_free(s);
}

static void test_top(void **state)
{
	struct vms_snapshot *s = fixture_full();
	struct vms_report_options opt = { .top = 3 };
	struct out o;
	char **rows, want[64];
	size_t n;

	(void)state;
	o = render(s, &opt);
	rows = section_rows(o.buf, "\nregions: top 3 of ", &n);
	assert_int_equal(n, 4); /* three rows and the "more" line */
	snprintf(want, sizeof(want), "%zu more regions not shown", s->n_regions - 3);
	assert_non_null(strstr(rows[3], want));
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	rows = section_rows(o.buf, "\nobjects: top 3 of ", &n);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	free(o.buf);

	/* the default is 15, and --all lists everything */
	o = render(s, NULL);
	rows = section_rows(o.buf, "\nregions: top 15 of ", &n);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	free(o.buf);
	vms_snapshot_free(s);
}

/* A large address space: runs of anonymous regions fold, lines stay in width. */
static void test_many_regions(void **state)
{
	struct vms_snapshot *s = vms_snapshot_new();
	struct out o;
	char want[64];
	const size_t runs = 200, per_run = 100;

	(void)state;
	s->src[VMS_SRC_SMAPS].tried = true;
	for (size_t k = 0; k < runs; k++) {
		for (size_t i = 0; i < per_run; i++) {
			struct vms_region *r;
			uint64_t start = UINT64_C(0x7f0000000000) + (k * (per_run + 1) + i) * 0x10000;

			ARRAY_GROW(s->regions, s->n_regions + 1, s->alloc_regions);
			r = &s->regions[s->n_regions++];
			memset(r, 0, sizeof(*r));
			r->start = start;
			r->end = start + 0x10000;
			r->perms = VMS_PERM_READ | VMS_PERM_WRITE;
			r->object = -1;
			r->kind = VMS_KIND_ANON;
			r->name = (k % 2) ? "[anon:pool]" : "";
			r->thp_eligible = -1;
			r->protection_key = -1;
			r->mem.v[VMS_MEM_RSS] = (i % 3) * 4096;
			r->mem.have = UINT32_C(1) << VMS_MEM_RSS;
		}
	}
	o = render(s, &(struct vms_report_options){ .all = true });
	check_output(&o, 80);
	snprintf(want, sizeof(want), "anon mmap \u00d7%zu", per_run);
	assert_non_null(strstr(o.buf, want));
	snprintf(want, sizeof(want), "[anon:pool] \u00d7%zu", per_run);
	assert_non_null(strstr(o.buf, want));
	/* PSS was not read: n/a, never 0 */
	assert_non_null(strstr(o.buf, "n/a"));
	free(o.buf);
	vms_snapshot_free(s);
}

/* An anonymous region of `pages` pages at start, with page data of n_hist stretches. */
static struct vms_region_pages *strip_region(struct vms_snapshot *s, uint64_t start, uint64_t pages,
					     unsigned n_hist)
{
	struct vms_region *r;
	struct vms_region_pages *p = xcalloc(1, sizeof(*p));

	ARRAY_GROW(s->regions, s->n_regions + 1, s->alloc_regions);
	r = &s->regions[s->n_regions++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = start + pages * 4096;
	r->perms = VMS_PERM_READ | VMS_PERM_WRITE;
	r->object = -1;
	r->kind = VMS_KIND_ANON;
	r->name = "";
	r->pages = p;
	p->n_hist = (uint8_t)n_hist;
	return p;
}

/*
 * The residency strip of a row: each region's stretches laid end to end by
 * size over the cells. Two regions of 4 pages, the first in memory, the
 * second with the zero page in its third page only: over 8 cells, 4 full
 * and the zero page in the seventh; over 16, each page two cells.
 */
static void test_strip(void **state)
{
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_region_pages *a, *b;
	struct layout_hidden hidden;
	struct layout_row *rows;
	uint8_t levels[16];
	bool zero[16];
	size_t n;

	(void)state;
	s->host.page_size = 4096;
	a = strip_region(s, UINT64_C(0x7f0000000000), 4, 4);
	b = strip_region(s, UINT64_C(0x7f0000004000), 4, 4);
	memset(a->hist, 255, 4);
	b->hist[4 + 2] = 255; /* vms_region_pages_zero */
	rows = layout_rows(s, &n, &hidden);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].count, 2);
	assert_true(pages_strip(s, &rows[0], 8, levels, zero));
	assert_memory_equal(levels, ((uint8_t[]){ 8, 8, 8, 8, 0, 0, 0, 0 }), 8);
	assert_memory_equal(zero, ((bool[]){ 0, 0, 0, 0, 0, 0, 1, 0 }), 8 * sizeof(bool));
	assert_true(pages_strip(s, &rows[0], 16, levels, zero));
	assert_memory_equal(levels, ((uint8_t[]){ 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 }), 16);
	for (unsigned c = 0; c < 16; c++)
		assert_int_equal(zero[c], c == 12 || c == 13);
	/* half the first region's pages in memory, one stretch for all: half
	 * of each of its cells */
	a->n_hist = 1;
	a->hist[0] = 128;
	a->hist[1] = 0;
	assert_true(pages_strip(s, &rows[0], 8, levels, zero));
	assert_memory_equal(levels, ((uint8_t[]){ 4, 4, 4, 4, 0, 0, 0, 0 }), 8);
	free(rows);

	/* the zero page alone in one stretch of sixteen (next_used's eight at
	 * a time): drawn */
	{
		struct vms_snapshot *z = vms_snapshot_new();
		struct vms_region_pages *p = strip_region(z, UINT64_C(0x7f0000000000), 16, 16);
		struct layout_row *zr;
		size_t zn;

		z->host.page_size = 4096;
		p->hist[16 + 3] = 255; /* vms_region_pages_zero */
		zr = layout_rows(z, &zn, &hidden);
		assert_int_equal(zn, 1);
		assert_true(pages_strip(z, &zr[0], 16, levels, zero));
		for (unsigned c = 0; c < 16; c++) {
			assert_int_equal(levels[c], 0);
			assert_int_equal(zero[c], c == 3);
		}
		free(zr);
		free(p);
		vms_snapshot_free(z);
	}

	/* a region without page data: no strip for its row */
	s->regions[1].pages = NULL;
	rows = layout_rows(s, &n, &hidden);
	assert_int_equal(n, 1);
	assert_false(pages_strip(s, &rows[0], 8, levels, zero));
	free(rows);
	free(a);
	free(b);
	vms_snapshot_free(s);
}

/* Regions of two looks taking turns, `pairs` times from `at`, each 16 pages
 * (the first look's with `rss`), then `extra` regions of look a. */
static uint64_t add_turns(struct vms_snapshot *s, uint64_t at, size_t pairs, size_t extra,
			  enum vms_kind a, enum vms_kind b, uint64_t rss)
{
	for (size_t i = 0; i < 2 * pairs + extra; i++, at += 0x10000) {
		bool first = i % 2 == 0 || i >= 2 * pairs;
		struct vms_region *r = add_region(s, at, at + 0x10000, first ? VMS_PERM_READ | VMS_PERM_WRITE : 0,
						  "", first ? a : b, -1);

		r->mem.v[VMS_MEM_RSS] = first ? rss : 0;
		r->mem.v[VMS_MEM_PSS] = first ? rss / 2 : 0;
		r->mem.have |= UINT32_C(1) << VMS_MEM_RSS | UINT32_C(1) << VMS_MEM_PSS;
	}
	return at;
}

/* A row's label, as the diagram and the HTML map write it (caller frees). */
static char *row_label(const struct vms_snapshot *s, const struct layout_row *row)
{
	struct strbuf sb;

	strbuf_init(&sb);
	(void)layout_row_label(&sb, s, row);
	return strbuf_detach(&sb, NULL);
}

static void assert_row(const struct vms_snapshot *s, const struct layout_row *row,
		       const char *label, size_t first, size_t count, size_t pairs)
{
	char *got = row_label(s, row);

	if (strcmp(got, label) != 0 || row->first != first || row->count != count ||
	    row->pairs != pairs)
		fail_msg("row \"%s\" of %zu from %zu, %zu pairs; want \"%s\" of %zu from %zu, "
			 "%zu pairs", got, row->count, row->first, row->pairs, label, count, first,
			 pairs);
	free(got);
}

/*
 * Regions of one look folded into a row (a program's text mapped in three:
 * .plt, 27 pages of .text, a stub) are named by the largest, not the first.
 */
static void test_fold_label(void **state)
{
	static const struct vms_section secs[] = {
		/* name addr size offset flags (alloc, exec) type (progbits) */
		{ ".plt", 0x1000, 0x1000, 0x1000, 6, 1 },
		{ ".text", 0x2000, 0x1b000, 0x2000, 6, 1 },
		{ "lpstub", 0x1d000, 0x1000, 0x1d000, 6, 1 },
	};
	struct vms_snapshot *s = node_snapshot(secs, 3, 1);
	struct layout_hidden hidden;
	struct layout_row *rows;
	size_t n;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct vms_region *r = add_region(s, 0x400000 + secs[i].addr,
						  0x400000 + secs[i].addr + secs[i].size,
						  VMS_PERM_READ | VMS_PERM_EXEC, "/usr/bin/node",
						  VMS_KIND_TEXT, 0);

		r->offset = secs[i].offset;
		r->first_section = i;
		r->n_sections = 1;
	}
	s->src[VMS_SRC_SMAPS].tried = true;
	rows = layout_rows(s, &n, &hidden);
	assert_int_equal(n, 1);
	assert_row(s, &rows[0], "node .text", 0, 3, 0);
	free(rows);
	vms_snapshot_free(s);
}

/*
 * Two looks taking turns LAYOUT_PAIRS_MIN times or more fold into one row,
 * summed; one time fewer stay rows; an odd region after the pairs is a row
 * of its own, folded with a like region after it; malloc arenas, each named
 * by its threads, never fold; a gap row ends the turns.
 */
static void test_turns_rows(void **state)
{
	struct vms_snapshot *s = vms_snapshot_new();
	const uint64_t gap = UINT64_C(1) << 32;
	struct layout_hidden hidden;
	struct layout_row *rows;
	uint64_t at = UINT64_C(0x7f0000000000);
	size_t n;

	(void)state;
	/* 0: 5000 pairs, then two anon regions */
	at = add_turns(s, at, 5000, 2, VMS_KIND_ANON, VMS_KIND_RESERVED, 8192) + gap;
	/* 10002: one pair too few */
	at = add_turns(s, at, LAYOUT_PAIRS_MIN - 1, 0, VMS_KIND_ANON, VMS_KIND_RESERVED, 4096) + gap;
	/* 10008: arenas */
	at = add_turns(s, at, 6, 0, VMS_KIND_ARENA, VMS_KIND_RESERVED, 4096) + gap;
	/* 10020: the fewest pairs, then a region of the second look */
	at = add_turns(s, at, LAYOUT_PAIRS_MIN, 0, VMS_KIND_ANON, VMS_KIND_GUARD, 4096);
	add_region(s, at, at + 0x10000, 0, "", VMS_KIND_GUARD, -1);
	at += 0x10000 + gap;
	/* 10029: the fewest pairs, then a gap row and a region whose turn it
	 * would be: the gap ends the turns */
	at = add_turns(s, at, LAYOUT_PAIRS_MIN, 0, VMS_KIND_ANON, VMS_KIND_RESERVED, 4096) + gap;
	add_region(s, at, at + 0x10000, VMS_PERM_READ | VMS_PERM_WRITE, "", VMS_KIND_ANON, -1);
	s->src[VMS_SRC_SMAPS].tried = true;

	rows = layout_rows(s, &n, &hidden);
	assert_int_equal(n, 2 + 1 + 2 * (LAYOUT_PAIRS_MIN - 1) + 1 + 12 + 1 + 2 + 1 + 1 + 1 + 1);
	assert_row(s, &rows[0], "anon mmap + reserved \u00d75000", 0, 10000, 5000);
	assert_int_equal(rows[0].start, UINT64_C(0x7f0000000000));
	assert_int_equal(rows[0].end, rows[0].start + 10000 * 0x10000);
	assert_int_equal(rows[0].size, 10000 * 0x10000);
	assert_int_equal(rows[0].rss, 5000 * 8192);
	assert_int_equal(rows[0].pss, 5000 * 4096);
	assert_true(rows[0].have_rss && rows[0].have_pss);
	assert_row(s, &rows[1], "anon mmap \u00d72", 10000, 2, 0);
	assert_int_equal(rows[1].rss, 2 * 8192);
	assert_true(rows[2].gap);
	for (size_t i = 0; i < 2 * (LAYOUT_PAIRS_MIN - 1); i++)
		assert_row(s, &rows[3 + i], i % 2 ? "reserved" : "anon mmap", 10002 + i, 1, 0);
	n = 3 + 2 * (LAYOUT_PAIRS_MIN - 1);
	assert_true(rows[n].gap);
	for (size_t i = 0; i < 12; i++) {
		assert_int_equal(rows[n + 1 + i].count, 1);
		assert_int_equal(rows[n + 1 + i].pairs, 0);
	}
	n += 13;
	assert_true(rows[n].gap);
	assert_row(s, &rows[n + 1], "anon mmap + guard \u00d74", 10020, 8, 4);
	assert_row(s, &rows[n + 2], "guard", 10028, 1, 0);
	assert_true(rows[n + 3].gap);
	assert_row(s, &rows[n + 4], "anon mmap + reserved \u00d74", 10029, 8, 4);
	assert_true(rows[n + 5].gap);
	assert_row(s, &rows[n + 6], "anon mmap", 10037, 1, 0);
	assert_int_equal(hidden.n, 0);
	free(rows);

	/* the text report draws the row with its sums */
	{
		struct out o = render(s, &(struct vms_report_options){ .bytes = true, .width = 120 });
		const char *label = "anon mmap + reserved \u00d75000", *row = strstr(o.buf, label);
		uint64_t v[3];

		if (!row || sscanf(row + strlen(label), " %" SCNu64 " %" SCNu64 " %" SCNu64, &v[0],
				  &v[1], &v[2]) != 3)
			fail_msg("no row \"%s\" with numbers in\n%s", label, o.buf);
		assert_int_equal(v[0], (uint64_t)10000 * 0x10000);
		assert_int_equal(v[1], (uint64_t)5000 * 8192);
		assert_int_equal(v[2], (uint64_t)5000 * 4096);
		free(o.buf);
	}
	vms_snapshot_free(s);
}

/* The machine's commitment, rounded to a tenth of a percent as every share is. */
static void test_committed_rounds(void **state)
{
	static const struct {
		uint64_t committed, limit;
		const char *want;
	} cases[] = {
		{ 49999, 1000000, "(5.0%)" },   /* 4.9999%: not cut to 4.9% */
		{ 49949, 1000000, "(5.0%)" },
		{ 49400, 1000000, "(4.9%)" },
		{ 1049999, 1000000, "(105%)" },
		{ 3, 1000, "(0.3%)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_snapshot *s = fixture_full();
		struct vms_report_options opt = { .sort = VMS_SORT_RSS };
		struct out o;

		s->host_mem = (struct vms_host_memory){ .tried = true };
		s->host_mem.v[VMS_HM_COMMITTED_AS] = cases[i].committed << 10;
		s->host_mem.v[VMS_HM_COMMIT_LIMIT] = cases[i].limit << 10;
		s->host_mem.have = (UINT32_C(1) << VMS_HM_COMMITTED_AS) |
				   (UINT32_C(1) << VMS_HM_COMMIT_LIMIT);
		o = render(s, &opt);
		if (!strstr(o.buf, cases[i].want))
			fail_msg("committed %" PRIu64 " of %" PRIu64 ": no %s in\n%s", cases[i].committed,
				 cases[i].limit, cases[i].want, o.buf);
		free(o.buf);
		vms_snapshot_free(s);
	}
}

/* What the insight lines say of a cgroup, limits, the OOM score and the
 * machine's commitment, each as the snapshot has it. */
static void cg_none(struct vms_snapshot *s)
{
	s->cgroup = (struct vms_cgroup){ .tried = true, .error = -ENOENT };
}

static void cg_refused(struct vms_snapshot *s)
{
	s->cgroup = (struct vms_cgroup){ .tried = true, .error = -EACCES };
}

static void cg_v1(struct vms_snapshot *s)
{
	s->cgroup = (struct vms_cgroup){ .tried = true, .version = 1, .path = "/user.slice" };
	s->cgroup.v[VMS_CG_CURRENT] = 10 << 20;
	s->cgroup.v[VMS_CG_MAX] = VMS_UNLIMITED;
	s->cgroup.have = UINT32_C(1) << VMS_CG_CURRENT | UINT32_C(1) << VMS_CG_MAX;
}

static void cg_v2(struct vms_snapshot *s)
{
	s->cgroup = (struct vms_cgroup){ .tried = true, .version = 2, .path = "/app.slice" };
	s->cgroup.v[VMS_CG_CURRENT] = 10 << 20;
	s->cgroup.v[VMS_CG_MAX] = 100 << 20;
	s->cgroup.v[VMS_CG_HIGH] = 50 << 20;
	s->cgroup.v[VMS_CG_SWAP_CURRENT] = 1 << 20;
	s->cgroup.have = UINT32_C(1) << VMS_CG_CURRENT | UINT32_C(1) << VMS_CG_MAX |
			 UINT32_C(1) << VMS_CG_HIGH | UINT32_C(1) << VMS_CG_SWAP_CURRENT;
}

static void cg_v2_high_unlimited(struct vms_snapshot *s)
{
	cg_v2(s);
	s->cgroup.v[VMS_CG_HIGH] = VMS_UNLIMITED;
	s->cgroup.have &= ~(UINT32_C(1) << VMS_CG_SWAP_CURRENT);
}

static void limits_only(struct vms_snapshot *s)
{
	s->limits = (struct vms_limits){ .tried = true, .stack = 8 << 20, .have_stack = true,
					 .memlock = VMS_UNLIMITED, .have_memlock = true };
}

static void oom_refused(struct vms_snapshot *s)
{
	s->oom = (struct vms_oom){ .tried = true, .score_error = -EACCES, .score_adj = -500 };
}

static void committed_only(struct vms_snapshot *s)
{
	s->host_mem = (struct vms_host_memory){ .tried = true };
	s->host_mem.v[VMS_HM_COMMITTED_AS] = 1 << 20;
	s->host_mem.have = UINT32_C(1) << VMS_HM_COMMITTED_AS;
}

static void overcommitted(struct vms_snapshot *s)
{
	s->host_mem = (struct vms_host_memory){ .tried = true };
	s->host_mem.v[VMS_HM_COMMITTED_AS] = 3 << 20;
	s->host_mem.v[VMS_HM_COMMIT_LIMIT] = 1 << 20;
	s->host_mem.have = UINT32_C(1) << VMS_HM_COMMITTED_AS | UINT32_C(1) << VMS_HM_COMMIT_LIMIT;
}

static void heap_unread(struct vms_snapshot *s)
{
	for (size_t i = 0; i < s->n_regions; i++)
		if (s->regions[i].kind == VMS_KIND_HEAP)
			s->regions[i].mem.have &= ~(UINT32_C(1) << VMS_MEM_RSS);
}

static void rss_unread(struct vms_snapshot *s)
{
	s->totals.status_have &= ~(UINT32_C(1) << VMS_ST_VM_RSS);
}

static void no_commit_limit(struct vms_snapshot *s)
{
	overcommitted(s);
	s->host_mem.v[VMS_HM_COMMIT_LIMIT] = 0;
}

static void test_insight_lines(void **state)
{
	static const struct {
		void (*set)(struct vms_snapshot *s);
		const char *want[3];
	} cases[] = {
		{ cg_none, { "cgroup  n/a (no memory cgroup: no cgroup v2 memory controller and no v1 "
			     "memory hierarchy for it)" } },
		{ cg_refused, { "cgroup  n/a (Permission denied)\n" } },
		{ cg_v1, { "cgroup  /user.slice (v1)  10M of unlimited  high n/a (none in v1)  "
			   "swap n/a (no swap accounting)\n" } },
		{ cg_v2, { "cgroup  /app.slice  10M of 100M (90M left)  high 50M (40M left)  "
			   "swap 1.0M\n" } },
		{ cg_v2_high_unlimited, { "  high unlimited  swap n/a (no swap accounting)\n" } },
		{ limits_only, { "limits  stack ", "  locked ", NULL } },
		{ oom_refused, { "limits  OOM score n/a (Permission denied), adj -500\n" } },
		{ committed_only, { "machine  committed 1.0M of limit n/a  " } },
		{ overcommitted, { "machine  committed 3.0M of limit 1.0M (300%)  " } },
		{ no_commit_limit, { "machine  committed 3.0M of limit 0  available" } },
		{ heap_unread, { "  heap 2.1M, n/a resident\n" } },
		{ rss_unread, { "cost  page tables 120K  THP" } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_snapshot *s = fixture_full();
		struct vms_report_options opt = { .width = 200 };
		struct out o;

		cases[i].set(s);
		o = render(s, &opt);
		for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
			if (!strstr(o.buf, cases[i].want[k]))
				fail_msg("case %zu: no '%s' in\n%s", i, cases[i].want[k], o.buf);
		free(o.buf);
		vms_snapshot_free(s);
	}
}

static void test_write_error(void **state)
{
	struct vms_snapshot *s = fixture_full();
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(vms_report_text(f, s, NULL), -EIO);
	fclose(f);
	vms_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_full),
		cmocka_unit_test(test_golden_restricted),
		cmocka_unit_test(test_golden_kthread),
		cmocka_unit_test(test_golden_all_bytes),
		cmocka_unit_test(test_golden_pss_top),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_region_order),
		cmocka_unit_test(test_labels_remapped),
		cmocka_unit_test(test_labels_more),
		cmocka_unit_test(test_sections_why_not),
		cmocka_unit_test(test_sections_widths),
		cmocka_unit_test(test_stacks_table),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_many_regions),
		cmocka_unit_test(test_turns_rows),
		cmocka_unit_test(test_fold_label),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_committed_rounds),
		cmocka_unit_test(test_insight_lines),
		cmocka_unit_test(test_write_error),
	};

	have_utf8 = setlocale(LC_CTYPE, "C.UTF-8") != NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
