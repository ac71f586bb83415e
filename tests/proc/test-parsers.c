/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc parsers on hostile and real-shaped input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

#include "../spinner.h"

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Whether addr is in one of this process's mappings (its maps file). */
static bool self_maps_holds(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	bool in = false;

	assert_non_null(f);
	while (!in && fgets(line, sizeof(line), f))
		in = sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi;
	fclose(f);
	return in;
}

struct maps_case {
	const char *line;
	int ret;
	uint64_t start, end, offset, inode;
	uint32_t major, minor;
	uint8_t perms;
	const char *name;
	bool deleted;
};

static const struct maps_case maps_cases[] = {
	{ "561e47ae7000-561e47ae9000 r--p 00000000 fe:00 247134                     /usr/bin/cat", 0,
	  0x561e47ae7000, 0x561e47ae9000, 0, 247134, 0xfe, 0, VMS_PERM_READ, "/usr/bin/cat", false },
	{ "7f91a0a93000-7f91a0ab5000 rw-p 00000000 00:00 0 ", 0, 0x7f91a0a93000, 0x7f91a0ab5000, 0, 0, 0,
	  0, VMS_PERM_READ | VMS_PERM_WRITE, "", false },
	/* no trailing space at all */
	{ "7f91a0a93000-7f91a0ab5000 rw-p 00000000 00:00 0", 0, 0x7f91a0a93000, 0x7f91a0ab5000, 0, 0, 0,
	  0, VMS_PERM_READ | VMS_PERM_WRITE, "", false },
	{ "7f0000000000-7f0000001000 r-xs 0001a000 103:02 99 /tmp/my file with spaces.so", 0,
	  0x7f0000000000, 0x7f0000001000, 0x1a000, 99, 0x103, 2,
	  VMS_PERM_READ | VMS_PERM_EXEC | VMS_PERM_SHARED, "/tmp/my file with spaces.so", false },
	{ "7f0000000000-7f0000001000 rw-s 00000000 00:01 1234 /memfd:pool (deleted)", 0,
	  0x7f0000000000, 0x7f0000001000, 0, 1234, 0, 1,
	  VMS_PERM_READ | VMS_PERM_WRITE | VMS_PERM_SHARED, "/memfd:pool", true },
	{ "7f0000000000-7f0000001000 rw-p 00000000 00:00 0    [anon:thread pool]", 0, 0x7f0000000000,
	  0x7f0000001000, 0, 0, 0, 0, VMS_PERM_READ | VMS_PERM_WRITE, "[anon:thread pool]", false },
	/* the kernel escapes a newline in a path as \012; kept as printed */
	{ "7f0000000000-7f0000001000 r--p 00000000 08:01 5 /tmp/a\\012b", 0, 0x7f0000000000,
	  0x7f0000001000, 0, 5, 8, 1, VMS_PERM_READ, "/tmp/a\\012b", false },
	/* 32-bit addresses */
	{ "08048000-08049000 r-xp 00000000 08:01 77 /bin/prog32", 0, 0x08048000, 0x08049000, 0, 77, 8,
	  1, VMS_PERM_READ | VMS_PERM_EXEC, "/bin/prog32", false },
	{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]", 0,
	  0xffffffffff600000, 0xffffffffff601000, 0, 0, 0, 0, VMS_PERM_EXEC, "[vsyscall]", false },
	/* " (deleted)" on a pseudo name is not a deleted file */
	{ "1000-2000 rw-p 00000000 00:00 0 [heap] (deleted)", 0, 0x1000, 0x2000, 0, 0, 0, 0,
	  VMS_PERM_READ | VMS_PERM_WRITE, "[heap] (deleted)", false },
	/* malformed */
	{ "", -EBADMSG },
	{ "1000-", -EBADMSG },
	{ "2000-1000 rw-p 00000000 00:00 0", -EBADMSG },
	{ "1000-2000 rwzp 00000000 00:00 0", -EBADMSG },
	{ "1000-2000 rw-p 00000000 00:00", -EBADMSG },
	{ "1000-2000 rw-p 00000000 0000 0", -EBADMSG },
	{ "1000-2000 rw-p 0000000g 00:00 0", -EBADMSG },
	{ "1000-2000 rw-p", -EBADMSG },
	{ "10000000000000000-10000000000000001 rw-p 00000000 00:00 0", -EBADMSG },
	{ "1000-2000 rw-p 00000000 00:00 99999999999999999999999", -EBADMSG },
	{ "1000-2000 rw-p 00000000 00:00 12x /x", -EBADMSG },
	{ "1000-2000 rw-p 00000000 100000000:00 0", -EBADMSG },
};

static void test_maps_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(maps_cases) / sizeof(maps_cases[0]); i++) {
		const struct maps_case *c = &maps_cases[i];
		struct vms_region r;
		struct arena a;
		int ret;

		arena_init(&a);
		ret = vms_maps_parse_line(c->line, strlen(c->line), &a, &r);
		if (ret != c->ret)
			fail_msg("case %zu '%s': got %d, want %d", i, c->line, ret, c->ret);
		if (ret == 0) {
			assert_int_equal(r.start, c->start);
			assert_int_equal(r.end, c->end);
			assert_int_equal(r.offset, c->offset);
			assert_int_equal(r.inode, c->inode);
			assert_int_equal(r.dev_major, c->major);
			assert_int_equal(r.dev_minor, c->minor);
			assert_int_equal(r.perms, c->perms);
			assert_string_equal(r.name, c->name);
			assert_int_equal(r.deleted, c->deleted);
			assert_int_equal(r.object, -1);
			assert_int_equal(r.thp_eligible, -1);
		}
		arena_release(&a);
		/* no arena: the same line, its name not kept */
		ret = vms_maps_parse_line(c->line, strlen(c->line), NULL, &r);
		if (ret != c->ret)
			fail_msg("case %zu '%s' with no arena: got %d, want %d", i, c->line, ret, c->ret);
		if (ret == 0) {
			assert_int_equal(r.start, c->start);
			assert_int_equal(r.end, c->end);
			if (c->name[0])
				assert_null(r.name);
			else
				assert_string_equal(r.name, "");
		}
	}
}

static const char smaps_two[] =
	"561e47ae7000-561e47ae9000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
	"Size:                  8 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                   8 kB\n"
	"Pss:                   5 kB\n"
	"Pss_Dirty:             0 kB\n"
	"Shared_Clean:          4 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:         4 kB\n"
	"Private_Dirty:         0 kB\n"
	"Referenced:            8 kB\n"
	"Anonymous:             0 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n"
	"ProtectionKey:         3\n"
	"FutureCounter:        17 kB\n"
	"VmFlags: rd mr mw me zz \n"
	"7ffe50ae1000-7ffe50b02000 rw-p 00000000 00:00 0                          [stack]\n"
	"Size:                132 kB\n"
	"Rss:                  24 kB\n"
	"Pss:                  24 kB\n"
	"Private_Dirty:        24 kB\n"
	"Swap:               4096 kB\n"
	"THPeligible:           1\n"
	"VmFlags: rd wr mr mw me gd ac";

static void test_smaps_two_regions(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const struct vms_region *r;

	(void)state;
	assert_int_equal(vms_smaps_parse(snap, smaps_two, strlen(smaps_two)), 0);
	assert_int_equal(snap->n_regions, 2);
	/* the room past the regions given back, to the page */
	assert_true(snap->alloc_regions >= 2);
	assert_true((snap->alloc_regions - 2) * sizeof(*snap->regions) < page_size());
	r = &snap->regions[0];
	assert_int_equal(r->mem.v[VMS_MEM_SIZE], 8192);
	assert_int_equal(r->mem.v[VMS_MEM_PSS], 5 * 1024);
	assert_int_equal(r->mem.v[VMS_MEM_SHARED_CLEAN], 4096);
	assert_int_equal(r->mem.v[VMS_MEM_PRIVATE_CLEAN], 4096);
	assert_true(vms_counters_has(&r->mem, VMS_MEM_LOCKED));
	assert_false(vms_counters_has(&r->mem, VMS_MEM_PSS_ANON));
	assert_int_equal(r->thp_eligible, 0);
	assert_int_equal(r->protection_key, 3);
	/* rd mr mw me, the unknown "zz" ignored */
	uint64_t want = 0;
	for (unsigned i = 0; vms_vmflag_names[i]; i++)
		if (!strcmp(vms_vmflag_names[i], "rd") || !strcmp(vms_vmflag_names[i], "mr") ||
		    !strcmp(vms_vmflag_names[i], "mw") || !strcmp(vms_vmflag_names[i], "me"))
			want |= UINT64_C(1) << i;
	assert_int_equal(r->vmflags, want);

	r = &snap->regions[1];
	assert_string_equal(r->name, "[stack]");
	assert_int_equal(r->mem.v[VMS_MEM_SWAP], 4096ULL * 1024);
	assert_int_equal(r->mem.v[VMS_MEM_PRIVATE_DIRTY], 24 * 1024);
	assert_false(vms_counters_has(&r->mem, VMS_MEM_SHARED_CLEAN));
	assert_int_equal(r->thp_eligible, 1);
	assert_int_equal(r->protection_key, -1);
	assert_ptr_equal(vms_snapshot_find(snap, 0x7ffe50ae1000), r);
	assert_ptr_equal(vms_snapshot_find(snap, 0x7ffe50b01fff), r);
	assert_null(vms_snapshot_find(snap, 0x7ffe50b02000));
	assert_null(vms_snapshot_find(snap, 0));
	vms_snapshot_free(snap);
}

/*
 * The regions of a large process are written where they stay: the array
 * does not move as it fills (each move costs a fault per page again on
 * some machines), and its room past them goes back at the end.
 */
static void test_smaps_regions_stay(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_smaps_parser ps;
	const struct vms_region *first;
	char line[128];

	(void)state;
	vms_smaps_parser_init(&ps, snap);
	for (unsigned i = 0; i < 40000; i++) {
		int n = snprintf(line, sizeof(line), "%x000-%x000 rw-p 00000000 00:00 0", i + 1, i + 2);

		assert_int_equal(vms_smaps_parse_line(&ps, line, (size_t)n), 0);
		assert_int_equal(vms_smaps_parse_line(&ps, "Rss:  4 kB", 10), 0);
		if (i == 0)
			first = snap->regions;
	}
	assert_ptr_equal(snap->regions, first);
	/* their pages faulted in ahead (or the kernel cannot, and said so) */
	assert_true(snap->regions_faulted >= 40000);
	vms_smaps_parser_done(&ps);
	assert_int_equal(snap->n_regions, 40000);
	assert_true(snap->alloc_regions >= 40000);
	assert_true((snap->alloc_regions - 40000) * sizeof(*snap->regions) < page_size());
	/* the room past the last page given back to the system: unmapped */
	assert_false(self_maps_holds(((uintptr_t)(snap->regions + snap->alloc_regions) +
				      page_size() - 1) & ~(uintptr_t)(page_size() - 1)));
	assert_true(self_maps_holds((uintptr_t)snap->regions));
	assert_int_equal(snap->regions[39999].start, 40000ULL * 4096);
	assert_int_equal(snap->regions[39999].mem.v[VMS_MEM_RSS], 4096);
	vms_snapshot_free(snap);
}

/* A reservation outgrown moves, its regions with it; one trimmed to none keeps a page. */
static void test_regions_outgrow_reservation(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	size_t room;

	(void)state;
	vms_snapshot_reserve_regions(snap, 10);
	assert_true(snap->regions_mapped);
	room = snap->alloc_regions;
	assert_true(room >= 10);
	for (size_t i = 0; i < 3 * room + 5; i++) {
		vms_snapshot_grow_regions(snap, i + 1);
		snap->regions[i] = (struct vms_region){ .start = i, .end = i + 1 };
		snap->n_regions = i + 1;
	}
	assert_true(snap->alloc_regions >= 3 * room + 5);
	/* their pages faulted in ahead (or the kernel cannot, and said so) */
	assert_true(snap->regions_faulted >= snap->n_regions);
	for (size_t i = 0; i < snap->n_regions; i++)
		assert_int_equal(snap->regions[i].start, i);
	vms_snapshot_trim_regions(snap);
	assert_true((snap->alloc_regions - snap->n_regions) * sizeof(*snap->regions) < page_size());
	assert_int_equal(snap->regions[snap->n_regions - 1].end, snap->n_regions);
	snap->n_regions = 0;
	vms_snapshot_trim_regions(snap);
	assert_true(snap->alloc_regions >= 1);
	vms_snapshot_free(snap);

	/* a snapshot with regions from malloc grows and trims the same */
	snap = vms_snapshot_new();
	vms_snapshot_grow_regions(snap, 100);
	assert_false(snap->regions_mapped);
	vms_snapshot_reserve_regions(snap, 1000);
	assert_false(snap->regions_mapped);
	assert_true(snap->alloc_regions >= 1000);
	snap->n_regions = 7;
	vms_snapshot_trim_regions(snap);
	assert_int_equal(snap->alloc_regions, 7);
	vms_snapshot_free(snap);
}

/*
 * A later kernel's key that begins (and is as long) as the key expected next
 * is not that key: its value is not taken for it.
 */
static void test_smaps_key_like_expected(void **state)
{
	static const char buf[] = "1000-2000 rw-p 00000000 00:00 0\n"
				  "Rss:                   4 kB\n"
				  "Private_Clean:         4 kB\n"
				  "Private_Dirty:         0 kB\n"
				  "Locked:                0 kB\n"
				  "2000-3000 rw-p 00000000 00:00 0\n"
				  "Rss:                   8 kB\n"
				  "Private_Cleaz:         7 kB\n"
				  "Private_Dirty:         8 kB\n"
				  "Lockez:                5 kB\n";
	struct vms_snapshot *snap = vms_snapshot_new();
	const struct vms_region *r;

	(void)state;
	assert_int_equal(vms_smaps_parse(snap, buf, strlen(buf)), 0);
	assert_int_equal(snap->n_regions, 2);
	r = &snap->regions[1];
	assert_int_equal(r->mem.v[VMS_MEM_RSS], 8192);
	assert_int_equal(r->mem.v[VMS_MEM_PRIVATE_DIRTY], 8192);
	assert_false(vms_counters_has(&r->mem, VMS_MEM_PRIVATE_CLEAN));
	assert_false(vms_counters_has(&r->mem, VMS_MEM_LOCKED));
	vms_snapshot_free(snap);
}

/* maps is built a page at a time with the lock dropped: a VMA can repeat. */
static void test_smaps_duplicate_dropped(void **state)
{
	static const char buf[] = "1000-3000 rw-p 00000000 00:00 0\n"
				  "Rss: 8 kB\n"
				  "2000-3000 rw-p 00000000 00:00 0\n"
				  "Rss: 4 kB\n"
				  "THPeligible:           1\n"
				  "ProtectionKey:         5\n"
				  "VmFlags: rd \n"
				  "1000-3000 rw-p 00000000 00:00 0\n"
				  "Rss: 8 kB\n"
				  "3000-4000 r--p 00000000 00:00 0\n"
				  "Rss: 4 kB\n";
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	assert_int_equal(vms_smaps_parse(snap, buf, strlen(buf)), 0);
	assert_int_equal(snap->n_regions, 2);
	assert_int_equal(snap->dropped_regions, 2);
	assert_int_equal(snap->regions[0].mem.v[VMS_MEM_RSS], 8192);
	/* the lines of a dropped entry change no region */
	assert_int_equal(snap->regions[0].thp_eligible, -1);
	assert_int_equal(snap->regions[0].protection_key, -1);
	assert_int_equal(snap->regions[0].vmflags, 0);
	assert_int_equal(snap->regions[1].start, 0x3000);
	assert_int_equal(snap->regions[1].mem.v[VMS_MEM_RSS], 4096);
	vms_snapshot_free(snap);
}

static void test_smaps_malformed(void **state)
{
	static const char *const bad[] = {
		"Rss: 8 kB\n",                                     /* key before any region */
		"1000-2000 rw-p 00000000 00:00 0\nRss: 8\n",       /* cut before the unit */
		"1000-2000 rw-p 00000000 00:00 0\nRss: kB\n",      /* no number */
		"1000-2000 rw-p 00000000 00:00 0\nRss 8 kB\n",     /* no colon */
		"1000-2000 rw-p 00000000 00:00 0\nRss: 99999999999999999999 kB\n",
		"1000-2000 rw-p 00000000 00:00 0\nRss: 18014398509481984 kB\n", /* bytes overflow */
		"1000-2000 rw-p 00000000 00:00 0\nTHPeligible: 2\n",
		"1000-2000 rw-p 00000000 00:00 0\nProtectionKey: -1\n",
		"1000-2000 rw-p\n",
		"THPeligible:           1\n",                      /* before any region */
		"VmFlags: rd \n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		int r = vms_smaps_parse(snap, bad[i], strlen(bad[i]));

		if (r != -EBADMSG)
			fail_msg("case %zu: got %d, want -EBADMSG", i, r);
		vms_snapshot_free(snap);
	}
}

/* Any prefix of a valid file parses or fails cleanly, and never reads past it. */
static void test_smaps_every_truncation(void **state)
{
	size_t n = strlen(smaps_two);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		char *copy = test_malloc(cut ? cut : 1);
		int r;

		memcpy(copy, smaps_two, cut);
		r = vms_smaps_parse(snap, copy, cut);
		assert_true(r == 0 || r == -EBADMSG);
		if (r == 0)
			assert_true(snap->n_regions <= 2);
		test_free(copy);
		vms_snapshot_free(snap);
	}
}

/* text fed to a parser in pieces of `piece` bytes, each what is left over
 * and the next piece, as the read-ahead thread hands smaps over */
static int parse_in_pieces(struct vms_snapshot *snap, const char *text, size_t len, size_t piece)
{
	struct vms_smaps_parser ps;
	char *buf = test_malloc(len + piece + 1);
	size_t off = 0, have = 0;
	ptrdiff_t r = 0;

	vms_smaps_parser_init(&ps, snap);
	do {
		size_t k = len - off < piece ? len - off : piece;

		memcpy(buf + have, text + off, k);
		off += k;
		have += k;
		r = vms_smaps_parse_lines(&ps, buf, have, off == len);
		if (r < 0)
			break;
		memmove(buf, buf + r, have - (size_t)r);
		have -= (size_t)r;
	} while (off < len);
	vms_smaps_parser_done(&ps);
	test_free(buf);
	/* every line counted once, whichever way it was read */
	if (r >= 0) {
		size_t lines = 0;

		for (size_t i = 0; i < len; i++)
			lines += text[i] == '\n';
		assert_int_equal(ps.line, lines);
	}
	return r < 0 ? (int)r : 0;
}

static void assert_same_regions(const struct vms_snapshot *a, const struct vms_snapshot *b)
{
	assert_int_equal(a->n_regions, b->n_regions);
	for (size_t i = 0; i < a->n_regions; i++) {
		const struct vms_region *x = &a->regions[i], *y = &b->regions[i];

		assert_int_equal(x->start, y->start);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->thp_eligible, y->thp_eligible);
		assert_int_equal(x->protection_key, y->protection_key);
		assert_int_equal(x->vmflags, y->vmflags);
		assert_int_equal(x->mem.have, y->mem.have);
		assert_memory_equal(x->mem.v, y->mem.v, sizeof(x->mem.v));
		assert_string_equal(x->name, y->name);
	}
}

/*
 * Lines the way the kernel pads them (the key to 16 columns, the number to
 * 8 more) are taken a word at a time: the counters, THPeligible,
 * ProtectionKey, VmFlags. The same values written loose (one blank, tabs)
 * are read a line at a time. Both give the same regions, and so do the
 * padded ones fed in pieces of every size up to 40 bytes.
 */
static void test_smaps_columns(void **state)
{
	/* 100000000 has 9 digits: a line a byte longer, read the long way;
	 * 7 is written with leading zeros where padded */
	static const uint64_t values[] = { 0, 1, 4, 9, 10, 99, 12345, 7, 99999999, 100000000, 132 };
	static const char *const flags[] = { "rd", "wr", "mr", "zz", "ac", "??", "sd", "me" };
	struct strbuf cols, loose;
	struct vms_snapshot *a = vms_snapshot_new(), *b = vms_snapshot_new();
	unsigned seed = 1;

	(void)state;
	strbuf_init(&cols);
	strbuf_init(&loose);
	for (unsigned i = 0; i < 40; i++) {
		char line[128];
		unsigned thp = i & 1, pkey = i * 1001 % 32768;

		snprintf(line, sizeof(line), "%x000-%x000 rw-p 00000000 00:00 0     [anon:r%u]\n", i + 1,
			 i + 2, i);
		strbuf_addstr(&cols, line);
		strbuf_addstr(&loose, line);
		for (unsigned k = 0; k < VMS_MEM__MAX; k++) {
			char key[32];
			uint64_t v;

			seed = seed * 1103515245 + 12345;
			/* every third region skips a counter: the order learned again */
			if (i % 3 == 2 && k == i % VMS_MEM__MAX)
				continue;
			v = values[(seed >> 16) % (sizeof(values) / sizeof(values[0]))];
			snprintf(key, sizeof(key), "%s:", vms_mem_fields[k].key);
			if (v == 7)
				snprintf(line, sizeof(line), "%-16s%08" PRIu64 " kB\n", key, v);
			else
				snprintf(line, sizeof(line), "%-16s%8" PRIu64 " kB\n", key, v);
			strbuf_addstr(&cols, line);
			snprintf(line, sizeof(line), "%s%s%" PRIu64 " kB\n", key, k & 1 ? "\t" : " ", v);
			strbuf_addstr(&loose, line);
		}
		snprintf(line, sizeof(line), "%-16s%8u\n%-16s%8u\nVmFlags: ", "THPeligible:", thp,
			 "ProtectionKey:", pkey);
		strbuf_addstr(&cols, line);
		snprintf(line, sizeof(line), "THPeligible:\t%u\nProtectionKey: %u\nVmFlags:", thp, pkey);
		strbuf_addstr(&loose, line);
		for (unsigned f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			/* "??" (a bit the kernel has no name for) in one region of four */
			if (((i >> (f % 5)) & 1) && (strcmp(flags[f], "??") != 0 || i % 4 == 0)) {
				strbuf_addstr(&cols, flags[f]);
				strbuf_addch(&cols, ' ');
				strbuf_addch(&loose, '\t');
				strbuf_addstr(&loose, flags[f]);
			}
		}
		strbuf_addch(&cols, '\n');
		strbuf_addch(&loose, '\n');
	}
	assert_int_equal(vms_smaps_parse(a, cols.buf, cols.len), 0);
	assert_int_equal(vms_smaps_parse(b, loose.buf, loose.len), 0);
	assert_int_equal(a->n_regions, 40);
	assert_same_regions(a, b);
	/* a few values, against what was written */
	assert_int_equal(a->regions[5].protection_key, 5005);
	assert_int_equal(a->regions[5].thp_eligible, 1);
	assert_int_equal(a->regions[4].thp_eligible, 0);
	assert_int_equal(a->regions[3].vmflags,
			 vms_vmflag_bit("rd") | vms_vmflag_bit("wr") | vms_vmflag_bit("sd"));
	assert_int_equal(a->regions[4].vmflags, vms_vmflag_bit("mr") | vms_vmflag_bit("me"));
	for (size_t piece = 1; piece <= 40; piece++) {
		struct vms_snapshot *c = vms_snapshot_new();

		assert_int_equal(parse_in_pieces(c, cols.buf, cols.len, piece), 0);
		assert_same_regions(a, c);
		vms_snapshot_free(c);
	}
	strbuf_release(&cols);
	strbuf_release(&loose);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

/* Padded lines that are not quite the kernel's: each read the long way, and
 * refused where that refuses it. Size is the key expected first. */
static void test_smaps_columns_not_quite(void **state)
{
	static const struct {
		const char *line;
		int ret;
		uint64_t size; /* kB; UINT64_MAX: no Size read */
	} cases[] = {
		{ "Size:                  4 kB\n", 0, 4 },
		{ "Size:           12345678 kB\n", 0, 12345678 },
		{ "Size:          123456789 kB\n", 0, 123456789 },
		{ "Size:                 04 kB\n", 0, 4 },
		{ "Size:          \t       4 kB\n", 0, 4 },
		{ "Size:              4     kB\n", 0, 4 },
		{ "Size:                1 2 kB\n", -EBADMSG, 0 },
		{ "Size:                 4a kB\n", -EBADMSG, 0 },
		{ "Size:                4:4 kB\n", -EBADMSG, 0 },
		{ "Size:                    kB\n", -EBADMSG, 0 },
		{ "Size:                  4 kb\n", -EBADMSG, 0 },
		{ "Size:                  4 kB \n", -EBADMSG, 0 },
		{ "Sizf:                  4 kB\n", 0, UINT64_MAX },
		{ "THPeligible:           2\n", -EBADMSG, UINT64_MAX },
		{ "ProtectionKey:     32768\n", -EBADMSG, UINT64_MAX },
		{ "ProtectionKey:     32767\n", 0, UINT64_MAX },
		{ "VmFlags: rd wr\n", 0, UINT64_MAX },
		{ "VmFlags: rd Wr \n", 0, UINT64_MAX },
		{ "VmFlags: rd w \n", 0, UINT64_MAX },
		/* a newline is no letter of a mnemonic: the line ends there */
		{ "VmFlags: w\n wr \n", -EBADMSG, UINT64_MAX },
		/* a key of a newer kernel in lowercase: no maps line, ignored */
		{ "future_key:            4 kB\n", 0, UINT64_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		char text[256];
		int r;

		snprintf(text, sizeof(text), "1000-2000 rw-p 00000000 00:00 0\n%s", cases[i].line);
		r = vms_smaps_parse(snap, text, strlen(text));
		if (r != cases[i].ret)
			fail_msg("case %zu (%s): got %d, want %d", i, cases[i].line, r, cases[i].ret);
		if (r == 0 && cases[i].size != UINT64_MAX)
			assert_int_equal(snap->regions[0].mem.v[VMS_MEM_SIZE], cases[i].size * 1024);
		if (r == 0 && cases[i].size == UINT64_MAX)
			assert_false(vms_counters_has(&snap->regions[0].mem, VMS_MEM_SIZE));
		vms_snapshot_free(snap);
	}
}

static const char rollup[] = "556cc8441000-7fffc0eb0000 ---p 00000000 00:00 0                          [rollup]\n"
			     "Rss:                1808 kB\n"
			     "Pss:                 418 kB\n"
			     "Pss_Dirty:           112 kB\n"
			     "Pss_Anon:            112 kB\n"
			     "Pss_File:            306 kB\n"
			     "Pss_Shmem:             0 kB\n"
			     "Shared_Clean:       1608 kB\n"
			     "Shared_Dirty:          0 kB\n"
			     "Private_Clean:        88 kB\n"
			     "Private_Dirty:       112 kB\n"
			     "Referenced:         1808 kB\n"
			     "Anonymous:           112 kB\n"
			     "Swap:                  0 kB\n"
			     "SwapPss:               0 kB\n"
			     "Locked:                0 kB\n";

static void test_rollup(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const struct vms_counters *c = &snap->totals.rollup;

	(void)state;
	assert_int_equal(vms_rollup_parse(snap, rollup, strlen(rollup)), 0);
	assert_int_equal(snap->totals.rollup_start, 0x556cc8441000);
	assert_int_equal(snap->totals.rollup_end, 0x7fffc0eb0000);
	assert_int_equal(c->v[VMS_MEM_RSS], 1808 * 1024);
	assert_int_equal(c->v[VMS_MEM_PSS_FILE], 306 * 1024);
	assert_int_equal(vms_counters_uss(c), (88 + 112) * 1024);
	assert_true(vms_counters_has(c, VMS_MEM_PSS_SHMEM));
	assert_false(vms_counters_has(c, VMS_MEM_KSM));
	assert_int_equal(vms_rollup_parse(snap, "garbage\n", 8), -EBADMSG);
	vms_snapshot_free(snap);
}

/*
 * Every counter key with a value of its own, none 0: a key stored under
 * another's index, or left in kB (SwapPss is 0 on a machine without swap),
 * shows. Both files, each key in the kernel's order.
 */
static void test_every_key_distinct(void **state)
{
	struct strbuf sb;

	(void)state;
	for (int is_rollup = 0; is_rollup < 2; is_rollup++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		const struct vms_counters *c;

		strbuf_init(&sb);
		strbuf_addf(&sb, "1000-%x rw-p 00000000 00:00 0 %s\n", is_rollup ? 0x9000 : 0x2000,
			    is_rollup ? "[rollup]" : "");
		for (unsigned i = 0; i < VMS_MEM__MAX; i++)
			strbuf_addf(&sb, "%s: %8u kB\n", vms_mem_fields[i].key, 1000 * (i + 1) + 7 * i + 3);
		if (is_rollup) {
			assert_int_equal(vms_rollup_parse(snap, sb.buf, sb.len), 0);
			c = &snap->totals.rollup;
		} else {
			assert_int_equal(vms_smaps_parse(snap, sb.buf, sb.len), 0);
			assert_int_equal(snap->n_regions, 1);
			c = &snap->regions[0].mem;
		}
		for (unsigned i = 0; i < VMS_MEM__MAX; i++) {
			if (!vms_counters_has(c, i))
				fail_msg("%s: %s not had", is_rollup ? "rollup" : "smaps", vms_mem_fields[i].key);
			if (c->v[i] != (uint64_t)(1000 * (i + 1) + 7 * i + 3) * 1024)
				fail_msg("%s: %s = %" PRIu64 ", want %u kB", is_rollup ? "rollup" : "smaps",
					 vms_mem_fields[i].key, c->v[i], 1000 * (i + 1) + 7 * i + 3);
		}
		strbuf_release(&sb);
		vms_snapshot_free(snap);
	}
}

static const char status[] = "Name:\tcat\n"
			     "Umask:\t0022\n"
			     "State:\tR (running)\n"
			     "Tgid:\t1919\n"
			     "PPid:\t1914\n"
			     "Uid:\t1000\t1001\t1002\t1003\n"
			     "Kthread:\t0\n"
			     "VmPeak:\t    3060 kB\n"
			     "VmSize:\t    3060 kB\n"
			     "VmLck:\t       0 kB\n"
			     "VmHWM:\t    1636 kB\n"
			     "VmRSS:\t    1636 kB\n"
			     "RssAnon:\t     116 kB\n"
			     "VmPTE:\t      52 kB\n"
			     "VmSwap:\t       0 kB\n"
			     "Threads:\t7\n"
			     "SigQ:\t0/96365\n"
			     "Cpus_allowed_list:\t0-1";

static void test_status(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	const struct vms_totals *t = &snap->totals;

	(void)state;
	assert_int_equal(vms_status_parse(snap, status, strlen(status)), 0);
	assert_int_equal(snap->proc.uid, 1000);
	assert_int_equal(snap->proc.ppid, 1914);
	assert_int_equal(snap->proc.threads, 7);
	assert_false(snap->proc.kernel_thread);
	assert_int_equal(t->status[VMS_ST_VM_SIZE], 3060 * 1024);
	assert_int_equal(t->status[VMS_ST_VM_PTE], 52 * 1024);
	assert_true(t->status_have & (1u << VMS_ST_VM_SWAP));
	assert_false(t->status_have & (1u << VMS_ST_RSS_FILE));
	assert_int_equal(vms_status_parse(snap, "VmRSS:\t12\n", 10), -EBADMSG);
	assert_int_equal(vms_status_parse(snap, "no colon here\n", 14), -EBADMSG);
	vms_snapshot_free(snap);
}

/*
 * status lines the kernel never writes: a value past its type (uid_t, a pid,
 * a thread count, kB that overflow bytes) or not a number is -EBADMSG, never
 * a value cut to its type; unknown keys and blank lines are passed over.
 */
static void test_status_hostile(void **state)
{
	static const char *const bad[] = {
		"Uid:\t4294967296\t0\t0\t0\n",
		"Uid:\tx\n",
		"PPid:\t2147483648\n",
		"PPid:\t-1\n",
		"Threads:\t4294967296\n",
		"Threads:\t\n",
		"Kthread:\tyes\n",
		"VmSize:\t18014398509481984 kB\n",
		"VmSize:\tkB\n",
		"HugetlbPages:\t1 MB\n",
	};
	static const char good[] = "Name:\tx\n\n\nVmFoo:\t7 kB\nRssBar:\t1 kB\nHugeness:\tbig\n"
				   "Kthread:\t1\nUid:\t4294967295\t0\t0\t0\nPPid:\t2147483647\n"
				   "Threads:\t4294967295\nVmSize:\t18014398509481983 kB\n";
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vms_status_parse(snap, bad[i], strlen(bad[i])) != -EBADMSG)
			fail_msg("read: %s", bad[i]);
	vms_snapshot_free(snap);
	snap = vms_snapshot_new();
	assert_int_equal(vms_status_parse(snap, good, strlen(good)), 0);
	assert_true(snap->proc.kernel_thread);
	assert_int_equal(snap->proc.uid, UINT32_MAX);
	assert_int_equal(snap->proc.ppid, INT32_MAX);
	assert_int_equal(snap->proc.threads, UINT32_MAX);
	assert_int_equal(snap->totals.status[VMS_ST_VM_SIZE], UINT64_C(18014398509481983) * 1024);
	/* VmSize alone was had: VmFoo and RssBar are no fields of ours */
	assert_int_equal(snap->totals.status_have, 1u << VMS_ST_VM_SIZE);
	vms_snapshot_free(snap);
}

static void test_stat(void **state)
{
	static const char normal[] =
		"1920 (cat) R 1914 1914 1169 0 -1 4194304 98 5 3 1 0 0 0 0 20 0 1 0 35484 3133440 413 "
		"18446744073709551615 94556685402112 0\n";
	/* a comm with spaces and ')' in it: the comm ends at the last ')' */
	static const char hostile[] =
		"42 (a) b) (c) S 1 42 42 0 -1 2097152 1 2 3 4 0 0 0 0 20 0 3 0 99 0 0 0";
	struct vms_stat st;

	(void)state;
	assert_int_equal(vms_stat_parse(normal, strlen(normal), &st), 0);
	assert_int_equal(st.pid, 1920);
	assert_string_equal(st.comm, "cat");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 1914);
	assert_int_equal(st.minflt, 98);
	assert_int_equal(st.cminflt, 5);
	assert_int_equal(st.majflt, 3);
	assert_int_equal(st.cmajflt, 1);
	assert_int_equal(st.num_threads, 1);
	assert_int_equal(st.start_time, 35484);
	assert_int_equal(st.vsize, 3133440);
	assert_int_equal(st.rss_pages, 413);

	assert_int_equal(vms_stat_parse(hostile, strlen(hostile), &st), 0);
	assert_string_equal(st.comm, "a) b) (c");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.flags & 0x00200000, 0x00200000);
	assert_int_equal(st.num_threads, 3);

	assert_int_equal(vms_stat_parse("1 (x", 4, &st), -EBADMSG);
	assert_int_equal(vms_stat_parse("1 (x) R 0", 9, &st), -EBADMSG);
	assert_int_equal(vms_stat_parse("", 0, &st), -EBADMSG);
	assert_int_equal(vms_stat_parse("x (y) R 1 2 3", 13, &st), -EBADMSG);
	/* the ')' before the '(', a pid past pid_t, no blank after the pid,
	 * a parent pid below 0 or past pid_t */
	{
		static const char tail[] = " 1 1 0 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 5 4096 1\n";
		static const char *const heads[] = { "1 )x( R", "2147483648 (x) R", "1(x) R",
						     "1 (x) R -1", "1 (x) R 2147483648" };
		char line[160];

		for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
			/* the tail without its first field when the head has the ppid */
			snprintf(line, sizeof(line), "%s%s", heads[i], i >= 3 ? tail + 2 : tail);
			if (vms_stat_parse(line, strlen(line), &st) != -EBADMSG)
				fail_msg("read: %s", line);
		}
		/* a '(' only after the fields: the ')' before it ends no comm */
		snprintf(line, sizeof(line), "1 ) R%.*s (x\n", (int)strlen(tail) - 1, tail);
		assert_int_equal(vms_stat_parse(line, strlen(line), &st), -EBADMSG);
		snprintf(line, sizeof(line), "1 (x) R%s", tail);
		assert_int_equal(vms_stat_parse(line, strlen(line), &st), 0);
		assert_int_equal(st.ppid, 1);
		assert_int_equal(st.vsize, 4096);
	}
	/* every prefix that ends before field 24 (rss) fails cleanly */
	for (size_t cut = 0; cut < (size_t)(strstr(normal, " 413 ") - normal) + 1; cut++)
		assert_int_equal(vms_stat_parse(normal, cut, &st), -EBADMSG);
}

static void test_syscall(void **state)
{
	static const char blocked[] = "0 0x3 0x7fdd19f0d000 0x20000 0x7fdd19f9eb60 0xffffffff 0x0 "
				      "0x7ffe29730ae8 0x7fdd1a0872ad\n";
	uint64_t sp = 0;

	(void)state;
	assert_int_equal(vms_syscall_parse_sp(blocked, strlen(blocked), &sp), 0);
	assert_int_equal(sp, 0x7ffe29730ae8);
	assert_int_equal(vms_syscall_parse_sp("-1 0x7ffc0000 0x401000\n", 23, &sp), 0);
	assert_int_equal(sp, 0x7ffc0000);
	assert_int_equal(vms_syscall_parse_sp("running\n", 8, &sp), -EAGAIN);
	assert_int_equal(vms_syscall_parse_sp("", 0, &sp), -EBADMSG);
	assert_int_equal(vms_syscall_parse_sp("0 0x1 0x2\n", 10, &sp), -EBADMSG);
	assert_int_equal(vms_syscall_parse_sp("-1 12345 0x1\n", 13, &sp), -EBADMSG);
	/* the stack pointer not in hex, or more than hex; a line break inside */
	assert_int_equal(vms_syscall_parse_sp("-1 0y10 0x1\n", 12, &sp), -EBADMSG);
	assert_int_equal(vms_syscall_parse_sp("-1 0x 0x1\n", 10, &sp), -EBADMSG);
	assert_int_equal(vms_syscall_parse_sp("-1 0x10z 0x1\n", 13, &sp), -EBADMSG);
	assert_int_equal(vms_syscall_parse_sp("-1 0x10\n0x1\n", 13, &sp), -EBADMSG);
	assert_int_equal(sp, 0x7ffc0000);
}

/* The line reader across read() chunks, long lines, NUL bytes, no final newline. */
/* /proc/sysvipc/shm as the kernel prints it: the rows of mapped segments are kept. */
static void test_sysv(void **state)
{
	static const char shm[] =
		"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
		"1980109664          0   600                 65536 24886 24886      1     0     0     0     0 1796296347          0 1796296347                 65536                     0\n"
		"         0          1  1600                 65536 24886 24886      1     0     0     0     0 1796296347          0 1796296347                 65536                     0\n"
		"-559038737          7   644                  4096    10    11      2  1000  1000  1000  1000          0          0 1796296347                  4096                     0\n"
		"       123          9   600                  4096    10    11      0     0     0     0     0          0          0 1796296347                     0                     0\n";
	static const char *const maps[] = {
		"7f0000000000-7f0000010000 rw-s 00000000 00:01 0                          /SYSV76061360 (deleted)",
		"7f0000010000-7f0000020000 rw-s 00000000 00:01 1                          /SYSV76061361 (deleted)",
		"7f0000020000-7f0000021000 r--s 00000000 00:01 7                          /SYSVdeadbeef (deleted)",
		"7f0000030000-7f0000031000 rw-s 00000000 00:01 9                          /dev/shm/x",
	};
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)state;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		assert_int_equal(vms_smaps_parse(snap, maps[i], strlen(maps[i])), 0);
	assert_int_equal(vms_sysv_parse(snap, shm, sizeof(shm) - 1), 0);
	/* id 9 is no SysV segment's region here */
	assert_int_equal(snap->n_sysv, 3);
	assert_int_equal(snap->sysv[0].id, 0);
	assert_int_equal(snap->sysv[0].key, 0x76061360);
	assert_int_equal(snap->sysv[0].mode, 0600);
	assert_int_equal(snap->sysv[0].size, 65536);
	assert_int_equal(snap->sysv[0].nattch, 1);
	assert_int_equal(snap->sysv[0].cpid, 24886);
	assert_int_equal(snap->sysv[1].mode & VMS_SYSV_DEST, VMS_SYSV_DEST);
	assert_int_equal(snap->sysv[1].key, 0);
	/* a key above INT_MAX is printed negative */
	assert_int_equal(snap->sysv[2].key, 0xdeadbeef);
	assert_int_equal(snap->sysv[2].uid, 1000);
	assert_int_equal(snap->sysv[2].lpid, 11);
	/* malformed: nothing kept */
	assert_int_equal(vms_sysv_parse(snap, "key\n1 x 600 1 1 1 1 0\n", 22), -EBADMSG);
	assert_int_equal(snap->n_sysv, 0);
	assert_int_equal(vms_sysv_parse(snap, "key\n12 0 600 65536 1 1\n", 23), -EBADMSG);
	/* each of the 8 fields read (key shmid perms size cpid lpid nattch uid):
	 * not a number there, or the row cut before it, is refused */
	for (int k = 0; k < 8; k++) {
		static const char *const field[] = { "12", "0", "600", "65536", "1", "2", "1", "0" };
		char row[128] = "key\n", cut[128] = "key\n";

		for (int i = 0; i < 8; i++) {
			snprintf(row + strlen(row), sizeof(row) - strlen(row), "%s%s", i ? " " : "",
				 i == k ? (k == 2 ? "8" : "x") : field[i]);
			if (i < k)
				snprintf(cut + strlen(cut), sizeof(cut) - strlen(cut), "%s%s",
					 i ? " " : "", field[i]);
		}
		snprintf(row + strlen(row), sizeof(row) - strlen(row), " 0 0 0\n");
		snprintf(cut + strlen(cut), sizeof(cut) - strlen(cut), "\n");
		if (vms_sysv_parse(snap, row, strlen(row)) != -EBADMSG)
			fail_msg("field %d wrong: '%s' read", k, row);
		if (k > 0 && vms_sysv_parse(snap, cut, strlen(cut)) != -EBADMSG)
			fail_msg("cut before field %d: '%s' read", k, cut);
		assert_int_equal(snap->n_sysv, 0);
	}
	/* and out of the ranges the kernel prints: key is an int, shmid and the
	 * pids are 0..INT_MAX, uid 32 bits, perms 32 bits of octal */
	{
		static const char *const rows[] = {
			"key\n2147483648 0 600 1 1 1 1 0\n", "key\n-2147483649 0 600 1 1 1 1 0\n",
			"key\n1 -1 600 1 1 1 1 0\n",        "key\n1 2147483648 600 1 1 1 1 0\n",
			"key\n1 0 600 1 2147483648 1 1 0\n", "key\n1 0 600 1 1 2147483648 1 0\n",
			"key\n1 0 600 1 1 1 1 4294967296\n", "key\n1 0 777777777777 1 1 1 1 0\n",
		};

		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			if (vms_sysv_parse(snap, rows[i], strlen(rows[i])) != -EBADMSG)
				fail_msg("out of range, read: %s", rows[i]);
		/* perms below '0', or the row ending in the blank before them */
		assert_int_equal(vms_sysv_parse(snap, "key\n1 0 -600 1 1 1 1 0\n", 24), -EBADMSG);
		assert_int_equal(vms_sysv_parse(snap, "key\n1 0 ", 9), -EBADMSG);
	}
	/* blank lines and no final newline: the last row is kept all the same */
	{
		static const char rows[] = "key\n\n9 7 644 4096 10 11 2 1000\n\n1 0 600 8192 10 11 1 0";

		assert_int_equal(vms_sysv_parse(snap, rows, sizeof(rows) - 1), 0);
	}
	assert_int_equal(snap->n_sysv, 2);
	assert_int_equal(snap->sysv[0].id, 7);
	assert_int_equal(snap->sysv[1].id, 0);
	assert_int_equal(snap->sysv[1].size, 8192);
	vms_snapshot_free(snap);
	/* a process that maps no segment keeps none of the rows, read all the same */
	snap = vms_snapshot_new();
	assert_int_equal(vms_sysv_parse(snap, shm, sizeof(shm) - 1), 0);
	assert_int_equal(snap->n_sysv, 0);
	assert_int_equal(vms_sysv_parse(snap, "key\n1 x 600 1 1 1 1 0\n", 22), -EBADMSG);
	vms_snapshot_free(snap);
}

static void test_procfile_lines(void **state)
{
	char path[] = "/tmp/vmscope-test-XXXXXX";
	struct procfile pf;
	const char *line;
	size_t len, n = 0;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "line %d %0*d\n", i, i % 300, 0);
	fputs("last", f);
	fclose(f);

	procfile_init(&pf);
	assert_int_equal(procfile_open_at(&pf, AT_FDCWD, path, 1 << 30), 0);
	int r;
	while ((r = procfile_next_line(&pf, &line, &len)) > 0) {
		char want[400];
		int wl = n < 20000 ? snprintf(want, sizeof(want), "line %zu %0*d", n, (int)(n % 300), 0)
				   : snprintf(want, sizeof(want), "last");
		assert_int_equal(len, (size_t)wl);
		assert_memory_equal(line, want, len);
		n++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 20001);

	/* over the cap */
	assert_int_equal(procfile_open_at(&pf, AT_FDCWD, path, 1000), 0);
	while ((r = procfile_next_line(&pf, &line, &len)) > 0)
		;
	assert_int_equal(r, -EFBIG);
	procfile_release(&pf);

	f = fopen(path, "w");
	fputs("abc\n", f);
	fputc('\0', f);
	fputs("def\n", f);
	fclose(f);
	procfile_init(&pf);
	assert_int_equal(procfile_open_at(&pf, AT_FDCWD, path, 1 << 20), 0);
	assert_int_equal(procfile_next_line(&pf, &line, &len), -EBADMSG);
	procfile_release(&pf);

	struct strbuf sb;
	strbuf_init(&sb);
	assert_int_equal(procfile_read_at(AT_FDCWD, path, 1 << 20, 0, &sb), -EBADMSG);
	assert_int_equal(procfile_read_at(AT_FDCWD, path, 1 << 20, PROCFILE_ALLOW_NUL, &sb), 9);
	assert_int_equal(procfile_read_at(AT_FDCWD, path, 4, PROCFILE_ALLOW_NUL, &sb), -EFBIG);
	assert_int_equal(procfile_read_at(AT_FDCWD, "/nonexistent/x", 10, 0, &sb), -ENOENT);
	strbuf_release(&sb);

	/* one line longer than any line /proc writes (256 KiB), under the file's cap */
	f = fopen(path, "w");
	fputs("short\n", f);
	for (int i = 0; i < 300 * 1024; i++)
		fputc('a', f);
	fputs("\nafter\n", f);
	fclose(f);
	procfile_init(&pf);
	assert_int_equal(procfile_open_at(&pf, AT_FDCWD, path, 1 << 20), 0);
	assert_int_equal(procfile_next_line(&pf, &line, &len), 1);
	assert_int_equal(len, 5);
	assert_int_equal(procfile_next_line(&pf, &line, &len), -EFBIG);
	procfile_release(&pf);
	unlink(path);
}

/* Line i of the block test: short lines, and now and then one longer than
 * the room kept in front of a read-ahead chunk (8 KiB). */
static size_t block_line(char *buf, size_t i)
{
	size_t len = i % 97 == 0 ? 9000 + i % 5000 : 1 + i * 7 % 300;

	for (size_t k = 0; k < len; k++)
		buf[k] = (char)('a' + (i + k) % 26);
	return len;
}

/* A file of the block test's first `lines` lines, at path (mkstemp's). */
static void write_block_file(char *path, size_t lines)
{
	static char line[16384];
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (size_t i = 0; i < lines; i++) {
		size_t len = block_line(line, i);

		fwrite(line, 1, len, f);
		if (i + 1 < lines)
			fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
}

/* Reads pf's blocks to the end, at most three lines a call (blocks keep a
 * remainder): every line comes back whole and in order, the last one
 * without its '\n' with eof. */
static void read_blocks(struct procfile *pf, size_t lines)
{
	static char want[16384];
	const char *buf;
	size_t len, n = 0;
	bool eof = false;
	int r;

	while ((r = procfile_next_block(pf, &buf, &len, &eof)) > 0) {
		const char *p = buf, *end = buf + len;

		for (int k = 0; k < 3 && p < end; k++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t wl;

			if (!nl && !eof)
				break;
			if (!nl)
				nl = end;
			wl = block_line(want, n);
			assert_int_equal((size_t)(nl - p), wl);
			assert_memory_equal(p, want, wl);
			n++;
			p = nl < end ? nl + 1 : end;
		}
		procfile_take(pf, (size_t)(p - buf));
	}
	assert_int_equal(r, 0);
	assert_true(eof);
	assert_int_equal(n, lines);
}

/*
 * Blocks handed out, lines taken a few at a time, with plain reads and with
 * the read-ahead thread (whose chunks trade places with the reader's
 * buffer): every line comes back whole and in order; a last line without
 * '\n' comes with eof; a line over line_max is -EFBIG.
 */
/* procfile_pread_full: exactly n bytes at an offset, or why not. */
/*
 * PROCFILE_WHOLE: a short read is the end. A pipe that holds 3 bytes, its
 * writer open, non-blocking: read whole, the 3 bytes; without the flag the
 * next read finds nothing yet (-EAGAIN). A read that fills its room goes
 * on (a file of 10,000 bytes comes whole), and /proc/self/limits reads the
 * same with the flag as without.
 */
static void test_procfile_whole(void **state)
{
	char path[] = "/tmp/vmscope-whole-XXXXXX";
	struct strbuf a, b;
	int p[2], fd;
	FILE *f;

	(void)state;
	strbuf_init(&a);
	strbuf_init(&b);
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(procfile_read_fd(p[0], 4096, PROCFILE_WHOLE, &a), 3);
	assert_string_equal(a.buf, "abc");
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(procfile_read_fd(p[0], 4096, 0, &a), -EAGAIN);
	close(p[0]);
	close(p[1]);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (int i = 0; i < 10000; i++)
		fputc('a' + i % 26, f);
	fclose(f);
	assert_int_equal(procfile_read_at(AT_FDCWD, path, 1 << 20, PROCFILE_WHOLE, &a), 10000);
	assert_int_equal(a.buf[9999], 'a' + 9999 % 26);
	unlink(path);

	assert_true(procfile_read_at(AT_FDCWD, "/proc/self/limits", 1 << 16, PROCFILE_WHOLE, &a) > 0);
	assert_true(procfile_read_at(AT_FDCWD, "/proc/self/limits", 1 << 16, 0, &b) > 0);
	assert_string_equal(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_pread_full(void **state)
{
	char path[] = "/tmp/vmscope-pread-XXXXXX", buf[16];
	int fd = mkstemp(path), pipefd[2];

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	assert_int_equal(procfile_pread_full(fd, buf, 4, 3), 0);
	assert_memory_equal(buf, "3456", 4);
	assert_int_equal(procfile_pread_full(fd, buf, 0, 10), 0);
	/* the file ends first: what was there is read, and the end said */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(procfile_pread_full(fd, buf, 4, 8), -ENODATA);
	assert_memory_equal(buf, "89xx", 4);
	assert_int_equal(procfile_pread_full(fd, buf, 4, UINT64_MAX - 2), -EFAULT);
	close(fd);
	/* the error of the pread that failed */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(procfile_pread_full(pipefd[0], buf, 4, 0), -ESPIPE);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_procfile_blocks(void **state)
{
	char path[] = "/tmp/vmscope-test-XXXXXX";
	struct procfile pf;
	size_t lines = 3000;

	(void)state;
	write_block_file(path, lines);
	/* plain reads, read ahead, read ahead with the consumer polling */
	for (int ahead = 0; ahead < 3; ahead++) {
		const char *buf;
		size_t len;
		bool eof;
		int r;

		procfile_init(&pf);
		assert_int_equal(ahead ? procfile_open_at_readahead(&pf, AT_FDCWD, path, 1 << 30,
								    ahead == 2 ? PROCFILE_POLL_NS : 0)
				       : procfile_open_at(&pf, AT_FDCWD, path, 1 << 30), 0);
		read_blocks(&pf, lines);
		procfile_release(&pf);

		/* a line longer than line_max */
		procfile_init(&pf);
		assert_int_equal(ahead ? procfile_open_at_readahead(&pf, AT_FDCWD, path, 1 << 30,
								    ahead == 2 ? PROCFILE_POLL_NS : 0)
				       : procfile_open_at(&pf, AT_FDCWD, path, 1 << 30), 0);
		pf.line_max = 8192;
		while ((r = procfile_next_block(&pf, &buf, &len, &eof)) > 0)
			; /* nothing taken */
		assert_int_equal(r, -EFBIG);
		procfile_release(&pf);
	}
	unlink(path);
}

/*
 * The read-ahead thread as far ahead as it may get: 8 MB of lines, the
 * reader left alone 200 ms, then read to the end: it stays a few chunks
 * ahead however long it is left (so that it reads into the buffers the
 * consumer gives back), and every line comes whole and in order; then the
 * same file again with the same procfile (buffers made anew, the spare
 * ones given back on the way). Plain reads: a block is always ready.
 */
static void test_procfile_far_ahead(void **state)
{
	char path[] = "/tmp/vmscope-test-XXXXXX";
	struct procfile pf;
	size_t lines = 30000;
	const char *buf;
	size_t len;
	bool eof;

	(void)state;
	write_block_file(path, lines);
	procfile_init(&pf);
	for (int round = 0; round < 2; round++) {
		pf.most_ahead = 0;
		assert_int_equal(procfile_open_at_readahead(&pf, AT_FDCWD, path, 1 << 30, 0), 0);
		usleep(200 * 1000);
		assert_true(procfile_block_ready(&pf));
		read_blocks(&pf, lines);
		procfile_close(&pf);
		/* at most its 4 chunks ready at a take, however long it was left */
		assert_true(pf.most_ahead >= 1 && pf.most_ahead <= 4);
	}
	procfile_release(&pf);

	assert_int_equal(procfile_open_at(&pf, AT_FDCWD, path, 1 << 30), 0);
	assert_true(procfile_block_ready(&pf));
	assert_int_equal(procfile_next_block(&pf, &buf, &len, &eof), 1);
	assert_int_equal(pf.most_ahead, 0);
	procfile_release(&pf);
	unlink(path);
}

/* Whether a whole line of smaps is a region's header ("start-end perms ..."). */
static bool is_smaps_header(const char *line, size_t len)
{
	return len > 0 && strchr("0123456789abcdef", line[0]) && memchr(line, '-', len);
}

/*
 * Reads smaps of this process (made 2,000 VMAs larger) by the read-ahead
 * thread, each line whole: a header or a "Key: value" line. Returns the
 * headers seen; pf is left closed with its poll_ends as the read made them.
 */
static size_t read_own_smaps_napping(struct procfile *pf, int64_t poll_ns, long nap_us)
{
	const char *line;
	size_t len, headers = 0, lines = 0;
	int r;

	procfile_release(pf);
	assert_int_equal(procfile_open_at_readahead(pf, AT_FDCWD, "/proc/self/smaps", 1 << 30,
						    poll_ns), 0);
	while ((r = procfile_next_line(pf, &line, &len)) > 0) {
		const char *colon = memchr(line, ':', len);

		if (is_smaps_header(line, len))
			headers++;
		else
			assert_true(colon && colon > line && line[0] >= 'A' && line[0] <= 'Z');
		/* ten naps, about a chunk's worth of lines apart */
		if (nap_us && ++lines % 500 == 0 && lines <= 5000)
			usleep((useconds_t)nap_us);
	}
	assert_int_equal(r, 0);
	procfile_close(pf);
	return headers;
}

static size_t read_own_smaps(struct procfile *pf, int64_t poll_ns)
{
	return read_own_smaps_napping(pf, poll_ns, 0);
}

/* n_maps pages, every other page without access: no two neighbours merge */
static char *map_apart(size_t n_maps)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * n_maps * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(map != MAP_FAILED);
	for (size_t i = 0; i < n_maps; i++)
		assert_int_equal(mprotect(map + (2 * i + 1) * page, page, PROT_NONE), 0);
	return map;
}

static unsigned poll_sum(const unsigned *ends)
{
	unsigned n = 0;

	for (int i = 0; i < PROCFILE_POLL__MAX; i++)
		n += ends[i];
	return n;
}

/*
 * The consumer waiting for the read-ahead thread, on smaps of 2,000 more
 * VMAs (the kernel's text comes slower than it is taken): without polling
 * it never polls; polling, its waits end as chunks come (or as the CPU is
 * wanted, on a busy machine); polling for 1 ns, some wait ends in sleep;
 * with the reader on the consumer's one CPU, a yield hands that CPU to the
 * reader for long, and the consumer sleeps instead of polling on.
 */
static void test_procfile_poll(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000;
	char *map = map_apart(n_maps);
	cpu_set_t was, one;
	struct procfile pf;
	int cpu;

	(void)state;
	procfile_init(&pf);

	assert_true(read_own_smaps(&pf, 0) > n_maps);
	assert_int_equal(poll_sum(pf.poll_ends), 0);

	assert_true(read_own_smaps(&pf, PROCFILE_POLL_NS) > n_maps);
	assert_true(pf.poll_ends[PROCFILE_POLL_CAME] + pf.poll_ends[PROCFILE_POLL_WANTED] > 0);

	assert_true(read_own_smaps(&pf, 1) > n_maps);
	assert_true(pf.poll_ends[PROCFILE_POLL_LONG] + pf.poll_ends[PROCFILE_POLL_WANTED] > 0);

	/* the reader inherits the one CPU */
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	cpu = sched_getcpu();
	assert_true(cpu >= 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_true(read_own_smaps(&pf, PROCFILE_POLL_NS) > n_maps);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
	assert_true(pf.poll_ends[PROCFILE_POLL_WANTED] > 0);

	procfile_release(&pf);
	munmap(map, 2 * n_maps * (size_t)page);
}

/* This process's resident pages (statm). */
static size_t rss_pages(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return resident;
}

/* /proc/self/smaps opened with its reader, and the consumer away for us. */
static void open_smaps_away(struct procfile *pf, useconds_t us)
{
	procfile_init(pf);
	assert_int_equal(procfile_open_at_readahead(pf, AT_FDCWD, "/proc/self/smaps", 1 << 30, 0),
			 0);
	procfile_away(pf, true);
	usleep(us);
	procfile_away(pf, false);
}

/*
 * The read-ahead thread while the consumer is away (procfile_away), on
 * smaps of 8,000 more VMAs (about 360 chunks): left alone it gets 128
 * chunks (2 MiB) ahead and no further, also once the consumer is back but
 * has taken nothing. Taken a block at a time, the consumer catches up
 * before the end where it is faster than the kernel writes smaps (not
 * under valgrind on a busy machine, which runs one thread at a time): then
 * the reader, left alone again, gets only a few chunks ahead. By the end
 * the memory read ahead into is given back (1 MiB less resident). Every
 * line comes whole and in order, the regions' headers each once.
 */
static void test_procfile_away(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n_maps = 4000, headers = 0, blocks = 0;
	size_t rss_away = 0;
	char *map = map_apart(n_maps);
	uint64_t prev_start = 0;
	bool caught_up = false, eof;
	struct procfile pf;
	const char *buf;
	size_t len;
	int r;

	(void)state;
	open_smaps_away(&pf, 300 * 1000);
	usleep(100 * 1000);
	while ((r = procfile_next_block(&pf, &buf, &len, &eof)) > 0) {
		const char *p = buf, *end = buf + len, *nl;

		if (blocks++ == 0) {
			assert_int_equal(pf.most_ahead, 128);
			rss_away = rss_pages();
		}
		/* whole lines: a region's header or a "Key: value" line */
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			const char *colon = memchr(p, ':', (size_t)(nl - p));

			if (strchr("0123456789abcdef", p[0]) && memchr(p, '-', (size_t)(nl - p))) {
				uint64_t start = strtoull(p, NULL, 16);

				assert_true(headers == 0 || start > prev_start);
				prev_start = start;
				headers++;
			} else {
				assert_true(colon && colon > p && p[0] >= 'A' && p[0] <= 'Z');
			}
			p = nl + 1;
		}
		procfile_take(&pf, (size_t)(p - buf));
		/* caught up: nothing more ready; a rest */
		if (!caught_up && !procfile_block_ready(&pf)) {
			pf.most_ahead = 0;
			usleep(100 * 1000);
			caught_up = true;
		}
	}
	assert_int_equal(r, 0);
	if (caught_up)
		assert_true(pf.most_ahead >= 1 && pf.most_ahead <= 4);
	assert_true(rss_pages() + 1024 * 1024 / page < rss_away);
	assert_int_equal(pf.slab_given_back, 1);
	assert_true(headers > 2 * n_maps);
	procfile_release(&pf);
	munmap(map, 2 * n_maps * page);
}

/*
 * Away for fewer chunks than the reader's first buffers hold (a file of 6.5
 * chunks of 16 KiB, past the 4 near and within the 4 + 4 made at the
 * start): the reader gets that far ahead into its spares and maps no slab,
 * whose mapping and unmapping cost a small report 0.1 ms. Away for more
 * (test_procfile_away_short), it maps one. Every line comes whole.
 */
static void test_procfile_away_spares(void **state)
{
	char path[] = "/tmp/vmscope-spares-XXXXXX";
	size_t lines = 13 * 16384 / 2 / 64, got = 0;
	struct procfile pf;
	const char *buf;
	size_t len;
	bool eof;
	FILE *f;
	int r, fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	/* lines of 64 bytes */
	for (size_t i = 0; i < lines; i++)
		fprintf(f, "%063zu\n", i);
	assert_int_equal(fclose(f), 0);
	procfile_init(&pf);
	assert_int_equal(procfile_open_at_readahead(&pf, AT_FDCWD, path, 1 << 30, 0), 0);
	procfile_away(&pf, true);
	usleep(100 * 1000);
	procfile_away(&pf, false);
	while ((r = procfile_next_block(&pf, &buf, &len, &eof)) > 0) {
		const char *p = buf, *nl;

		while ((nl = memchr(p, '\n', (size_t)(buf + len - p)))) {
			assert_int_equal(nl - p, 63);
			assert_int_equal(strtoull(p, NULL, 10), got);
			got++;
			p = nl + 1;
		}
		procfile_take(&pf, (size_t)(p - buf));
	}
	assert_int_equal(r, 0);
	assert_int_equal(got, lines);
	assert_true(pf.most_ahead > 4 && pf.most_ahead <= 8);
	procfile_close(&pf);
	assert_int_equal(pf.slabs_mapped, 0);
	procfile_release(&pf);
	unlink(path);
}

/*
 * Away for a few chunks only (smaps of 150 more VMAs, about 13 chunks): the
 * reader gets ahead past the few it keeps near and its spares, into the slab, which keeps
 * its pages for the next time away rather than giving them back (a TLB
 * shootdown of the reader's CPU each time).
 */
static void test_procfile_away_short(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n_maps = 150;
	char *map = map_apart(n_maps);
	struct procfile pf;
	const char *buf;
	size_t len;
	bool eof;
	int r;

	(void)state;
	open_smaps_away(&pf, 100 * 1000);
	while ((r = procfile_next_block(&pf, &buf, &len, &eof)) > 0)
		procfile_take(&pf, len);
	assert_int_equal(r, 0);
	/* past the 4 near and the 4 spares, within the 16 slots kept */
	assert_true(pf.most_ahead > 4 + 4 && pf.most_ahead <= 4 + 4 + 16);
	assert_int_equal(pf.slab_given_back, 0);
	procfile_close(&pf);
	assert_int_equal(pf.slabs_mapped, 1);
	procfile_release(&pf);
	munmap(map, 2 * n_maps * page);
}

/*
 * The reader waiting for room, its ring full, on smaps of 2,000 more VMAs
 * taken by a consumer that naps ten times, about a chunk apart: without
 * polling it never polls; polling, its waits end as the consumer takes a
 * chunk (naps of 0.2 ms), and in sleep after poll_ns (naps of 5 ms, longer
 * than PROCFILE_POLL_NS); either, or as the CPU is wanted on a busy
 * machine (under valgrind, which runs one thread at a time, every yield
 * hands the CPU over for long).
 */
static void test_procfile_reader_poll(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000;
	char *map = map_apart(n_maps);
	struct procfile pf;

	(void)state;
	procfile_init(&pf);

	assert_true(read_own_smaps_napping(&pf, 0, 200) > n_maps);
	assert_int_equal(poll_sum(pf.reader_poll_ends), 0);

	assert_true(read_own_smaps_napping(&pf, PROCFILE_POLL_NS, 200) > n_maps);
	assert_true(pf.reader_poll_ends[PROCFILE_POLL_CAME] +
			    pf.reader_poll_ends[PROCFILE_POLL_WANTED] > 0);

	memset(pf.reader_poll_ends, 0, sizeof(pf.reader_poll_ends));
	assert_true(read_own_smaps_napping(&pf, PROCFILE_POLL_NS, 5000) > n_maps);
	assert_true(pf.reader_poll_ends[PROCFILE_POLL_LONG] +
			    pf.reader_poll_ends[PROCFILE_POLL_WANTED] > 0);

	procfile_release(&pf);
	munmap(map, 2 * n_maps * (size_t)page);
}

/* read_starved's reader, as it begins: held to the busy CPU, so that only
 * the consumer can move it (the load balancer may too, else: under load, as
 * in a CI run beside other suites, it did so in three reads of three); then
 * says so, as it runs there */
static int starved_busy_cpu = -1, starved_held;

static void reader_begins_held(void)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(starved_busy_cpu, &one);
	(void)sched_setaffinity(0, sizeof(one), &one);
	__atomic_store_n(&starved_held, 1, __ATOMIC_RELEASE);
}

/* What read_starved, a thread of its own, read (no cmocka asserts there). */
struct starved_read {
	int cpu, other;
	struct procfile pf;
	int r;
	size_t headers, bad;
	int pinned; /* threads but this one allowed rd->cpu alone once the reader was moved, or -1 */
};

/*
 * Reads smaps of this process with a read-ahead thread made while this
 * thread runs on r->cpu and may also run on r->other: the reader starts
 * there.
 */
static void *read_starved(void *arg)
{
	struct starved_read *rd = arg;
	const char *line;
	size_t len;

	rd->r = -1;
	if (!spinner_run_on(rd->cpu, rd->other) ||
	    procfile_open_at_readahead(&rd->pf, AT_FDCWD, "/proc/self/smaps", 1 << 30,
				       PROCFILE_POLL_NS) != 0)
		return NULL;
	/* the reader held on the busy CPU before the wait for it begins (it
	 * may have begun on this one, and a reader there is moved off it) */
	for (int k = 0; k < 2000 && !__atomic_load_n(&starved_held, __ATOMIC_ACQUIRE); k++)
		usleep(1000);
	/* the reader made, this thread stays on its CPU: woken by the reader,
	 * it could be placed on the reader's, the busy one (under load, as
	 * in a CI run beside another suite), and would move the reader there */
	if (!spinner_run_on(rd->cpu, rd->cpu))
		return NULL;
	rd->pinned = -1;
	while ((rd->r = procfile_next_line(&rd->pf, &line, &len)) > 0) {
		if (is_smaps_header(line, len))
			rd->headers++;
		else if (!memchr(line, ':', len) || line[0] < 'A' || line[0] > 'Z')
			rd->bad++;
		/* the reader, a few chunks ahead at most, is still there */
		if (rd->pinned < 0 && rd->pf.poll_ends[PROCFILE_POLL_MOVED])
			rd->pinned = threads_pinned_to(rd->cpu);
	}
	procfile_close(&rd->pf);
	return NULL;
}

/*
 * A reader that waits for its CPU: held on a CPU that a thread of the
 * highest priority keeps busy (it runs there about 1% of the time), it is
 * moved, once, to the CPU of the consumer that waits for it (the one
 * thread then allowed that CPU alone, the consumer aside), and the file
 * is read whole (2,000 more VMAs, each line whole). Needs two CPUs and the
 * right to raise a priority; not under valgrind (tests/spinner.h).
 */
static void test_procfile_reader_starved(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000;
	char *map;
	struct spinner sp;
	struct starved_read rd = { .cpu = -1, .other = -1 };
	pthread_t th;
	bool made;

	(void)state;
	if (!spinner_cpus(&rd.cpu, &rd.other) || !spinner_start(&sp, rd.other))
		skip();
	map = map_apart(n_maps);
	procfile_init(&rd.pf);
	starved_busy_cpu = rd.other;
	starved_held = 0;
	rd.pf.reader_begins = reader_begins_held;
	/* (no assert while the spinner spins: a failed one would leave it) */
	made = pthread_create(&th, NULL, read_starved, &rd) == 0;
	if (made)
		pthread_join(th, NULL);
	spinner_stop(&sp);
	assert_true(made);
	assert_int_equal(rd.r, 0);
	assert_true(rd.headers > n_maps);
	assert_int_equal(rd.bad, 0);
	assert_int_equal(rd.pf.poll_ends[PROCFILE_POLL_MOVED], 1);
	assert_int_equal(rd.pinned, 1);
	procfile_release(&rd.pf);
	munmap(map, 2 * n_maps * (size_t)page);
}

/* test_procfile_reader_asleep's file, whose reader waits to be moved */
static struct procfile *late_pf;

/* The reader, as it begins: asleep until the consumer has moved it (2 s at
 * most), as it would wait for its CPU if another program kept it busy. */
static void reader_begins_late(void)
{
	for (int k = 0; k < 2000 &&
			!__atomic_load_n(&late_pf->poll_ends[PROCFILE_POLL_MOVED], __ATOMIC_ACQUIRE);
	     k++)
		usleep(1000);
}

/*
 * A consumer whose polls end before the watch has looked (1 ns) sleeps at
 * each wait, and the watch looks on from its sleep: a reader that does not
 * run (asleep until it is moved, as in reader_begins_late) is moved once,
 * and the file comes whole (2,000 more VMAs, each line whole). Not under
 * valgrind, where a thread's CPU clock runs on while it sleeps.
 */
static void test_procfile_reader_asleep(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000, headers = 0, bad = 0;
	struct procfile pf;
	const char *line;
	size_t len;
	char *map;
	int r;

	(void)state;
	if (spinner_under_valgrind())
		skip();
	map = map_apart(n_maps);
	procfile_init(&pf);
	pf.reader_begins = reader_begins_late;
	late_pf = &pf;
	assert_int_equal(procfile_open_at_readahead(&pf, AT_FDCWD, "/proc/self/smaps", 1 << 30, 1),
			 0);
	assert_non_null(pf.reader);
	while ((r = procfile_next_line(&pf, &line, &len)) > 0) {
		if (is_smaps_header(line, len))
			headers++;
		else if (!memchr(line, ':', len) || line[0] < 'A' || line[0] > 'Z')
			bad++;
	}
	procfile_close(&pf);
	assert_int_equal(r, 0);
	assert_true(headers > n_maps);
	assert_int_equal(bad, 0);
	assert_int_equal(pf.poll_ends[PROCFILE_POLL_MOVED], 1);
	procfile_release(&pf);
	munmap(map, 2 * n_maps * (size_t)page);
}

/* test_procfile_reader_beside's reader: asleep where it began, and where it
 * may run once moved */
static struct sleeper beside_sleeper;
static cpu_set_t beside_to;

/* The reader, as it begins: says where, then asleep until the consumer has
 * moved it off that CPU (tests/spinner.h) */
static void reader_begins_beside(void)
{
	sleeper_sleep(&beside_sleeper);
	(void)sched_getaffinity(0, sizeof(beside_to), &beside_to);
}

/*
 * A consumer that runs on the reader's CPU (as one woken there under load
 * would) moves a reader that does not run off that CPU, onto the others
 * it may run on, not onto its own; the file comes whole. Needs two CPUs;
 * not under valgrind (as test_procfile_reader_asleep).
 */
static void test_procfile_reader_beside(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000, headers = 0;
	cpu_set_t all, rest;
	struct procfile pf;
	const char *line;
	size_t len;
	int cpu, r;
	char *map;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	if (spinner_under_valgrind() || CPU_COUNT(&all) < 2)
		skip();
	map = map_apart(n_maps);
	procfile_init(&pf);
	pf.reader_begins = reader_begins_beside;
	assert_true(sleeper_start(&beside_sleeper));
	assert_int_equal(procfile_open_at_readahead(&pf, AT_FDCWD, "/proc/self/smaps", 1 << 30, 1),
			 0);
	assert_non_null(pf.reader);
	for (int k = 0; k < 2000 && (cpu = __atomic_load_n(&beside_sleeper.cpu,
							       __ATOMIC_ACQUIRE)) < 0; k++)
		usleep(1000);
	assert_true(cpu >= 0);
	assert_true(spinner_run_on(cpu, cpu));
	while ((r = procfile_next_line(&pf, &line, &len)) > 0)
		if (is_smaps_header(line, len))
			headers++;
	procfile_close(&pf);
	sleeper_end(&beside_sleeper);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(r, 0);
	assert_true(headers > n_maps);
	assert_int_equal(pf.poll_ends[PROCFILE_POLL_MOVED], 1);
	rest = all;
	CPU_CLR(cpu, &rest);
	assert_true(CPU_EQUAL(&beside_to, &rest));
	procfile_release(&pf);
	munmap(map, 2 * n_maps * (size_t)page);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Opens the big file with a reader and asks for the small one after it. */
static void open_with_after(struct procfile *pf, const char *big, const char *small,
			    struct strbuf *out)
{
	assert_int_equal(procfile_open_at_readahead(pf, AT_FDCWD, big, 1 << 30, PROCFILE_POLL_NS),
			 0);
	procfile_readahead_after(pf, AT_FDCWD, small, 4096, 0, out);
}

/* A file of the block test's lines at big, and one of text at small. */
static void make_big_and_small(char *big, size_t lines, char *small, const char *text)
{
	int fd;

	write_block_file(big, lines);
	fd = mkstemp(small);
	assert_true(fd >= 0);
	close(fd);
	write_text(small, text);
}

/* Waits (10 s at most) for the reader to have read the file after. */
static void wait_after_done(struct procfile *pf)
{
	for (int i = 0; i < 10000 && !__atomic_load_n(&pf->after.done, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
}

/*
 * A small file read after the big one (procfile_readahead_after): by the
 * reader once it has read the big one to the end, then taken as is, though
 * the file changed since; by the caller if it comes first (the reader, kept
 * a few chunks ahead of 30,000 lines, is far from the end), and then never
 * again by the reader; by the caller after a close before the end (no
 * reader left); a file that is not there is the read's error either way;
 * none asked for is -EINVAL, as is a second take.
 */
static void test_procfile_after(void **state)
{
	char big[] = "/tmp/vmscope-test-XXXXXX";
	char small[] = "/tmp/vmscope-test-XXXXXX";
	struct procfile pf;
	struct strbuf out;
	size_t lines = 30000;

	(void)state;
	make_big_and_small(big, lines, small, "first\n");
	procfile_init(&pf);
	strbuf_init(&out);

	/* the reader's: the change after its read is not seen */
	open_with_after(&pf, big, small, &out);
	/* away for a while: the reader gets far ahead, still without malloc() */
	procfile_away(&pf, true);
	usleep(50 * 1000);
	procfile_away(&pf, false);
	read_blocks(&pf, lines);
	wait_after_done(&pf);
	write_text(small, "second\n");
	assert_int_equal(procfile_after_take(&pf), 6);
	assert_true(pf.after.by_reader);
	assert_string_equal(out.buf, "first\n");
	assert_int_equal(procfile_after_take(&pf), -EINVAL);
	procfile_close(&pf);

	/* the caller's, first; the reader then leaves it alone */
	open_with_after(&pf, big, small, &out);
	assert_int_equal(procfile_after_take(&pf), 7);
	assert_false(pf.after.by_reader);
	assert_string_equal(out.buf, "second\n");
	write_text(small, "third\n");
	read_blocks(&pf, lines);
	procfile_close(&pf);
	assert_string_equal(out.buf, "second\n");
	assert_int_equal(procfile_after_take(&pf), -EINVAL);

	/* closed before the end: the caller reads it after the close */
	open_with_after(&pf, big, small, &out);
	procfile_close(&pf);
	assert_int_equal(procfile_after_take(&pf), 6);
	assert_false(pf.after.by_reader);
	assert_string_equal(out.buf, "third\n");

	/* not there: the reader's error, and the caller's */
	unlink(small);
	open_with_after(&pf, big, small, &out);
	read_blocks(&pf, lines);
	procfile_close(&pf);
	assert_int_equal(procfile_after_take(&pf), -ENOENT);
	assert_true(pf.after.by_reader);
	open_with_after(&pf, big, small, &out);
	assert_int_equal(procfile_after_take(&pf), -ENOENT);
	assert_false(pf.after.by_reader);
	procfile_close(&pf);

	/* none asked for */
	assert_int_equal(procfile_open_at_readahead(&pf, AT_FDCWD, big, 1 << 30, 0), 0);
	assert_int_equal(procfile_after_take(&pf), -EINVAL);
	procfile_release(&pf);
	strbuf_release(&out);
	unlink(big);
}

/* argv[0] of main, a path to this program (meson runs it by one) */
static const char *self_path = "/proc/self/exe";

/*
 * The run of test_reader_arenas, in a process of its own (no thread has
 * run in it before, so no malloc arena is there to reuse): a big file read
 * through the reader and a small one after it, then malloc_info's count of
 * arenas. Exits 0 when there is one, the main thread's.
 */
static int reader_arenas(void)
{
	char big[] = "/tmp/vmscope-test-XXXXXX";
	char small[] = "/tmp/vmscope-test-XXXXXX";
	struct procfile pf;
	struct strbuf out;
	char *info = NULL;
	size_t info_len = 0, lines = 30000;
	int heaps = 0;
	FILE *f;

	make_big_and_small(big, lines, small, "after\n");
	procfile_init(&pf);
	strbuf_init(&out);
	open_with_after(&pf, big, small, &out);
	read_blocks(&pf, lines);
	wait_after_done(&pf);
	procfile_close(&pf);
	assert_int_equal(procfile_after_take(&pf), 6);
	procfile_release(&pf);
	strbuf_release(&out);
	unlink(big);
	unlink(small);

	f = open_memstream(&info, &info_len);
	assert_non_null(f);
	assert_int_equal(malloc_info(0, f), 0);
	assert_int_equal(fclose(f), 0);
	for (const char *p = info; (p = strstr(p, "<heap nr=")); p++)
		heaps++;
	if (heaps != 1)
		fprintf(stderr, "%d malloc arenas after the reader's run:\n%s", heaps, info);
	free(info);
	return heaps == 1 ? 0 : 1;
}

/*
 * The reader thread allocates nothing, also when the caller was away: its
 * buffers, and the room of the file read after, are made by the caller,
 * and what it reads ahead meanwhile goes into a mapping of its own. A thread's first malloc() or
 * free() makes it an arena of its own (a 64 MiB reservation, system calls
 * and page faults on the reader's way); malloc_info then lists two. (Under
 * AddressSanitizer malloc is not the C library's, whose one arena is then
 * the only one listed.)
 */
static void test_reader_arenas(void **state)
{
	int wstatus;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* this program by the path it was run by: under valgrind,
		 * /proc/self/exe is valgrind's own (and the child runs natively) */
		execl(self_path, self_path, "--reader-arenas", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
}

struct hooked {
	size_t calls, next;
	bool whole;
};

static void record_regions(void *ctx, struct vms_snapshot *snap, size_t from, size_t to)
{
	struct hooked *h = ctx;

	assert_int_equal(from, h->next);
	assert_true(to > from);
	assert_true(to <= snap->n_regions);
	/* whole: the last line of each, VmFlags, was read */
	for (size_t i = from; i < to; i++)
		if (!snap->regions[i].vmflags)
			h->whole = false;
	h->next = to;
	h->calls++;
}

/*
 * vms_collect hands the regions to vms_proc_on_regions's hook as blocks of
 * smaps are parsed: each once, whole, in order, in more than one call when
 * smaps is long.
 */
static void test_regions_hook(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n_maps = 2000;
	char *map = mmap(NULL, 2 * n_maps * (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	struct vms_snapshot *snap = vms_snapshot_new();
	struct hooked h = { .whole = true };
	struct vms_proc *p;
	int root = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(map != MAP_FAILED);
	assert_true(root >= 0);
	for (size_t i = 0; i < n_maps; i++)
		assert_int_equal(mprotect(map + (2 * i + 1) * (size_t)page, (size_t)page, PROT_NONE),
				 0);
	assert_int_equal(vms_proc_open(root, getpid(), true, &p), 0);
	vms_proc_on_regions(p, record_regions, &h);
	assert_int_equal(vms_collect(p, VMS_COLLECT_REGIONS, snap), 0);
	assert_true(snap->n_regions > n_maps);
	assert_int_equal(h.next, snap->n_regions);
	assert_true(h.calls > 1);
	assert_true(h.whole);
	vms_proc_free(p);
	vms_snapshot_free(snap);
	close(root);
	munmap(map, 2 * n_maps * (size_t)page);
}

struct waited {
	const struct vms_snapshot *snap;
	unsigned calls;
	bool after_side_reads; /* status and smaps_rollup read at the call */
};

static void record_wait(void *ctx)
{
	struct waited *w = ctx;

	w->calls++;
	w->after_side_reads = vms_snapshot_have(w->snap, VMS_SRC_STATUS) &&
			      vms_snapshot_have(w->snap, VMS_SRC_SMAPS_ROLLUP);
	errno = EDOM;
}

/*
 * vms_collect calls vms_proc_on_wait's hook once, after the reads it does
 * beside smaps, with or without smaps (then before it returns), errno kept.
 */
static void test_wait_hook(void **state)
{
	static const unsigned flags[] = { VMS_COLLECT_REGIONS, VMS_COLLECT_REGIONS | VMS_COLLECT_POLL,
					  0 };
	int root = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(root >= 0);
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		struct waited w = { .snap = snap };
		struct vms_proc *p;

		assert_int_equal(vms_proc_open(root, getpid(), true, &p), 0);
		vms_proc_on_wait(p, record_wait, &w);
		errno = 0;
		assert_int_equal(vms_collect(p, flags[k], snap), 0);
		assert_int_equal(w.calls, 1);
		assert_true(w.after_side_reads);
		assert_int_not_equal(errno, EDOM);
		assert_int_equal(vms_snapshot_have(snap, VMS_SRC_SMAPS), flags[k] != 0);
		vms_proc_free(p);
		vms_snapshot_free(snap);
	}
	close(root);
}

/* The real files of this very process parse, and agree with each other. */
static void test_self(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_proc *p;
	int root = open("/proc", O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_int_equal(vms_proc_open(root, getpid(), true, &p), 0);
	assert_int_equal(vms_collect(p, VMS_COLLECT_REGIONS | VMS_COLLECT_THREADS, snap), 0);
	assert_int_equal(vms_proc_alive(p), 1);
	assert_true(vms_snapshot_have(snap, VMS_SRC_SMAPS));
	assert_true(vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP));
	assert_true(vms_snapshot_have(snap, VMS_SRC_STATUS));
	assert_true(snap->n_regions > 5);
	assert_int_equal(snap->proc.pid, getpid());
	assert_int_equal(snap->proc.uid, getuid());
	/* the threads are read while the thread that reads smaps runs: it is
	 * one of this process's then */
	assert_in_range(snap->n_threads, 1, 2);
	assert_true(snap->threads[0].tid == getpid() ||
		    (snap->n_threads == 2 && snap->threads[1].tid == getpid()));
	for (size_t i = 1; i < snap->n_regions; i++)
		assert_true(snap->regions[i].start >= snap->regions[i - 1].end);
	assert_non_null(snap->proc.exe);
	vms_proc_free(p);
	vms_snapshot_free(snap);

	assert_int_equal(vms_proc_open(root, 0, true, &p), -ESRCH);
	assert_int_equal(vms_proc_open(root, 999999999, true, &p), -ESRCH);
	close(root);
}

/* A process read whole, then killed: the read must not vouch for it. */
static void test_alive_after_exit(void **state)
{
	int root = open("/proc", O_RDONLY | O_DIRECTORY);
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_proc *p;
	siginfo_t si;
	pid_t child;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(vms_proc_open(root, child, true, &p), 0);
	assert_int_equal(vms_collect(p, VMS_COLLECT_REGIONS, snap), 0);
	assert_int_equal(vms_proc_alive(p), 1);
	assert_true(snap->n_regions > 0);
	kill(child, SIGKILL);
	/* a zombie now, not yet reaped */
	assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(vms_proc_alive(p), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(vms_proc_alive(p), 0);
	vms_proc_free(p);
	vms_snapshot_free(snap);
	close(root);
}

/*
 * The cursor parsers under every number /proc writes: the largest 64-bit
 * value is taken, the next ones (each last digit that overflows) are not,
 * leading zeros are no digits of their own, and the cursor stops at the
 * first byte that is not a digit.
 */
static void test_cursor_numbers(void **state)
{
	static const struct {
		bool hex;
		const char *s;
		int r;
		uint64_t v;
		size_t used;
	} cases[] = {
		{ false, "18446744073709551615", 0, UINT64_MAX, 20 },
		{ false, "18446744073709551614 kB", 0, UINT64_MAX - 1, 20 },
		{ false, "18446744073709551616", -ERANGE, 0, 0 },
		{ false, "18446744073709551619", -ERANGE, 0, 0 },
		{ false, "18446744073709551620", -ERANGE, 0, 0 },
		{ false, "99999999999999999999", -ERANGE, 0, 0 },
		{ false, "0000000000000000000000000042", 0, 42, 28 },
		{ false, "1844674407370955161", 0, UINT64_C(1844674407370955161), 19 },
		{ false, "12 kB", 0, 12, 2 },
		{ false, " 12", -EBADMSG, 0, 0 },
		{ false, "", -EBADMSG, 0, 0 },
		{ true, "ffffffffffffffff-", 0, UINT64_MAX, 16 },
		{ true, "10000000000000000", -ERANGE, 0, 0 },
		{ true, "000000000000000000007f", 0, 0x7f, 22 },
		{ true, "fg", 0, 0xf, 1 },
		{ true, "7fFE-", 0, 0x7ffe, 4 },
		{ true, "FG", 0, 0xf, 1 },
		{ true, "g", -EBADMSG, 0, 0 },
	};
	char got[96], want[96];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = cases[i].s, *end = p + strlen(p);
		uint64_t v = 12345;
		int r = cases[i].hex ? parse_hex_u64(&p, end, &v) : parse_dec_u64(&p, end, &v);

		/* "INPUT -> RESULT VALUE BYTES-USED"; a failure leaves both alone */
		snprintf(got, sizeof(got), "'%s' -> %d %" PRIu64 " %zu", cases[i].s, r, v,
			 (size_t)(p - cases[i].s));
		snprintf(want, sizeof(want), "'%s' -> %d %" PRIu64 " %zu", cases[i].s, cases[i].r,
			 cases[i].r ? UINT64_C(12345) : cases[i].v, cases[i].used);
		assert_string_equal(got, want);
	}
	/* signed: the two ends of int64_t, one past each, a sign alone */
	{
		static const struct {
			const char *s;
			int r;
			int64_t v;
		} signed_cases[] = {
			{ "-9223372036854775808", 0, INT64_MIN },
			{ "9223372036854775807", 0, INT64_MAX },
			{ "-9223372036854775809", -ERANGE, 0 },
			{ "9223372036854775808", -ERANGE, 0 },
			{ "-", -EBADMSG, 0 },
			{ "-0", 0, 0 },
		};

		for (size_t i = 0; i < sizeof(signed_cases) / sizeof(signed_cases[0]); i++) {
			const char *p = signed_cases[i].s, *end = p + strlen(p);
			int64_t v = 12345;
			int r = parse_dec_i64(&p, end, &v);

			snprintf(got, sizeof(got), "'%s' -> %d %" PRId64, signed_cases[i].s, r, v);
			snprintf(want, sizeof(want), "'%s' -> %d %" PRId64, signed_cases[i].s,
				 signed_cases[i].r, signed_cases[i].r ? INT64_C(12345) : signed_cases[i].v);
			assert_string_equal(got, want);
		}
	}
	/* a word ends at a blank, a tab or a newline */
	{
		static const char *const words[] = { "ab cd", "ab\tcd", "ab\ncd", "ab" };
		const char *w;
		size_t wlen;

		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			const char *p = words[i];

			assert_int_equal(parse_word(&p, p + strlen(p), &w, &wlen), 0);
			assert_int_equal(wlen, 2);
			assert_ptr_equal(p, words[i] + 2);
			assert_int_equal(parse_word(&p, p + strlen(p), &w, &wlen), -EBADMSG);
		}
	}
}

/* The numbers people type: exact, C syntax whatever the locale, bounded. */
static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int r;
		uint64_t v;
	} sizes[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "64M", 0, 64ull << 20 },
		{ "1.5G", 0, 3ull << 29 },
		{ ".5K", 0, 512 },
		{ "2GiB", 0, 2ull << 30 },
		{ "8kB", 0, 8192 },
		{ "2359kb", 0, 2359ull << 10 },
		{ "512mb", 0, 512ull << 20 },
		{ "1.5gib", 0, 3ull << 29 },
		{ "100B", 0, 100 },
		{ "100b", 0, 100 },
		{ "1.5b", 0, 2 }, /* as "1.5": rounded */
		{ "B", -EINVAL, 0 },
		{ "5KBB", -EINVAL, 0 },
		{ "5ibK", -EINVAL, 0 },
		{ "1.0000000000000000000001K", 0, 1024 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "7.99E", 0, 9211842821808707338ull },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "8E", -ERANGE, 0 },
		{ "99999999999999999999999999", -ERANGE, 0 },
		{ "1,5G", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ ".", -EINVAL, 0 },
		{ "1..5", -EINVAL, 0 },
		{ "5X", -EINVAL, 0 },
		{ "5MBs", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "inf", -EINVAL, 0 },
	};
	static const struct {
		const char *s;
		int r;
		uint64_t ns;
	} durations[] = {
		{ "5", 0, 5000000000ull },
		{ "0.5", 0, 500000000ull },
		{ "1.5s", 0, 1500000000ull },
		{ "500ms", 0, 500000000ull },
		{ "2m", 0, 120000000000ull },
		{ "1h", 0, 3600000000000ull },
		{ "0,5", -EINVAL, 0 },
		{ "5 s", -EINVAL, 0 },
		{ "5x", -EINVAL, 0 },
		{ "ms", -EINVAL, 0 },
		{ "1.5.5s", -EINVAL, 0 },
		{ "18446744073.709551616", -ERANGE, 0 },
		{ "18446744073.709551615", 0, UINT64_MAX },
		{ "5124096h", -ERANGE, 0 },
	};

	/* "INPUT -> RESULT VALUE", so that a failure names its case */
	char got[96], want[96];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t v = 12345;
		int r = parse_size_str(sizes[i].s, &v);

		snprintf(got, sizeof(got), "size '%s' -> %d %" PRIu64, sizes[i].s, r, v);
		snprintf(want, sizeof(want), "size '%s' -> %d %" PRIu64, sizes[i].s, sizes[i].r,
			 sizes[i].r ? UINT64_C(12345) : sizes[i].v);
		assert_string_equal(got, want);
	}
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		uint64_t v = 12345;
		int r = parse_duration_str(durations[i].s, &v);

		snprintf(got, sizeof(got), "duration '%s' -> %d %" PRIu64, durations[i].s, r, v);
		snprintf(want, sizeof(want), "duration '%s' -> %d %" PRIu64, durations[i].s,
			 durations[i].r, durations[i].r ? UINT64_C(12345) : durations[i].ns);
		assert_string_equal(got, want);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_lines),
		cmocka_unit_test(test_smaps_two_regions),
		cmocka_unit_test(test_smaps_regions_stay),
		cmocka_unit_test(test_regions_outgrow_reservation),
		cmocka_unit_test(test_smaps_key_like_expected),
		cmocka_unit_test(test_smaps_duplicate_dropped),
		cmocka_unit_test(test_smaps_malformed),
		cmocka_unit_test(test_smaps_every_truncation),
		cmocka_unit_test(test_smaps_columns),
		cmocka_unit_test(test_smaps_columns_not_quite),
		cmocka_unit_test(test_rollup),
		cmocka_unit_test(test_every_key_distinct),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_hostile),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_syscall),
		cmocka_unit_test(test_sysv),
		cmocka_unit_test(test_procfile_lines),
		cmocka_unit_test(test_procfile_whole),
		cmocka_unit_test(test_pread_full),
		cmocka_unit_test(test_procfile_blocks),
		cmocka_unit_test(test_procfile_far_ahead),
		cmocka_unit_test(test_procfile_poll),
		cmocka_unit_test(test_procfile_away),
		cmocka_unit_test(test_procfile_away_spares),
		cmocka_unit_test(test_procfile_away_short),
		cmocka_unit_test(test_procfile_reader_poll),
		cmocka_unit_test(test_procfile_reader_starved),
		cmocka_unit_test(test_procfile_reader_beside),
		cmocka_unit_test(test_procfile_reader_asleep),
		cmocka_unit_test(test_procfile_after),
		cmocka_unit_test(test_reader_arenas),
		cmocka_unit_test(test_regions_hook),
		cmocka_unit_test(test_wait_hook),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_alive_after_exit),
		cmocka_unit_test(test_cursor_numbers),
		cmocka_unit_test(test_numbers),
	};

	if (argc == 2 && strcmp(argv[1], "--reader-arenas") == 0)
		return reader_arenas();
	if (argc >= 1 && strchr(argv[0], '/'))
		self_path = argv[0];
	return cmocka_run_group_tests_name("proc parsers", tests, NULL, NULL);
}
