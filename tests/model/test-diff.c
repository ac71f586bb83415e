/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Region-level diffs (src/model/diff.c) of hand-built snapshots: which
 * regions of one identity are paired, and what is said to have appeared;
 * the HTML page of a diff, its rows in their order.
 */
#include "config.h"

#include "snapbuild.h"

#include <errno.h>
#include <stdlib.h>

#include "vmscope/diff.h"
#include "vmscope/model.h"
#include "vmscope/report.h"

static const uint64_t L = UINT64_C(0x7f0000000000);

/* A snapshot of a process mapping the data file `path` (offset 0, 4 pages)
 * at each of the n addresses, and an anonymous region. */
static struct vms_snapshot *mapped_at(const char *path, const uint64_t *at, size_t n)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	snap->host.page_size = 4096;
	sb_region(snap, L - 0x10000, L - 0xc000, "rw-p", 0, 0, "");
	for (size_t i = 0; i < n; i++)
		sb_region(snap, at[i], at[i] + 0x4000, "r--p", 0, 77, path);
	vms_model_build(snap, NULL, -1);
	return snap;
}

/*
 * Regions of one identity (a file mapped several times at one offset) are
 * paired in address order, first with first: a mapping added above the
 * others is the one that appeared, the others are unchanged; one dropped
 * from the top is the one that vanished.
 */
static void test_same_identity_in_address_order(void **state)
{
	static const char path[] = "/srv/data/table.bin";
	const uint64_t two[] = { L, L + 0x10000 };
	const uint64_t three[] = { L, L + 0x10000, L + 0x20000 };
	struct vms_snapshot *a = mapped_at(path, two, 2), *b = mapped_at(path, three, 3);
	struct vms_diff d;

	(void)state;
	vms_diff_build(a, b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.entries[0].change, VMS_CHANGE_APPEARED);
	assert_int_equal(b->regions[d.entries[0].b].start, L + 0x20000);
	assert_int_equal(d.n_same, 3);
	assert_int_equal(d.count[VMS_CHANGE_APPEARED], 1);
	vms_diff_release(&d);

	vms_diff_build(b, a, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.entries[0].change, VMS_CHANGE_VANISHED);
	assert_int_equal(b->regions[d.entries[0].a].start, L + 0x20000);
	assert_int_equal(d.n_same, 3);
	vms_diff_release(&d);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

/* Thread 43's stack (at stack) and an anonymous region (anon, anon_end). */
static struct vms_snapshot *threaded(uint64_t stack, uint64_t anon, uint64_t anon_end)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	size_t i;

	snap->host.page_size = 4096;
	sb_region(snap, L - 0x100000, L - 0xf0000, "r--p", 0, 77, "/srv/data/table.bin");
	/* in address order */
	if (anon < stack)
		sb_region(snap, anon, anon_end, "rw-p", 0, 0, "");
	i = sb_region(snap, stack, stack + 0x10000, "rw-p", 0, 0, "");
	if (anon > stack)
		sb_region(snap, anon, anon_end, "rw-p", 0, 0, "");
	vms_model_build(snap, NULL, -1);
	snap->regions[i].kind = VMS_KIND_THREAD_STACK;
	snap->regions[i].tid = 43;
	return snap;
}

/*
 * A thread's stack found elsewhere is the same region (by its thread), not
 * one vanished and one appeared; an anonymous region that the kernel merged
 * into a larger new one around it did not vanish: it merged.
 */
static void test_thread_moved_anon_merged(void **state)
{
	struct vms_snapshot *a = threaded(L, L + 0x50000, L + 0x51000);
	struct vms_snapshot *b = threaded(L + 0x60000, L + 0x48000, L + 0x58000);
	struct vms_diff d;

	(void)state;
	vms_diff_build(a, b, &d);
	assert_int_equal(d.count[VMS_CHANGE_VANISHED], 0);
	assert_int_equal(d.count[VMS_CHANGE_APPEARED], 1);
	assert_int_equal(d.n_merged, 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(b->regions[d.entries[0].b].start, L + 0x48000);
	/* the file and the stack: the same */
	assert_int_equal(d.n_same, 2);
	vms_diff_release(&d);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

/* A file region with its RSS (all pages private and dirty), or none read (rss -1). */
static void file_region(struct vms_snapshot *snap, uint64_t start, uint64_t end, uint64_t inode,
			const char *path, int64_t rss)
{
	size_t i = sb_region(snap, start, end, "r--p", 0, inode, path);
	struct vms_region *r = &snap->regions[i];

	if (rss < 0)
		return;
	r->mem.v[VMS_MEM_RSS] = r->mem.v[VMS_MEM_PSS] = (uint64_t)rss;
	r->mem.v[VMS_MEM_PRIVATE_DIRTY] = (uint64_t)rss;
	r->mem.have |= UINT32_C(1) << VMS_MEM_RSS | UINT32_C(1) << VMS_MEM_PSS |
		       UINT32_C(1) << VMS_MEM_PRIVATE_CLEAN | UINT32_C(1) << VMS_MEM_PRIVATE_DIRTY;
}

static char *diff_html(const struct vms_snapshot *a, const struct vms_snapshot *b, unsigned top)
{
	struct vms_report_options opt = { .top = top };
	struct vms_diff d;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	vms_diff_build(a, b, &d);
	assert_int_equal(vms_report_diff_html(out, "a.json", "b.json", a, b, &d, &opt), 0);
	assert_int_equal(fclose(out), 0);
	vms_diff_release(&d);
	return buf;
}

/* The data-start of each region row, in the page's order, joined by spaces. */
static void row_starts(const char *page, char *out, size_t n)
{
	static const char tag[] = "<tr data-start=\"";
	size_t used = 0;

	out[0] = '\0';
	for (const char *p = strstr(page, tag); p; p = strstr(p + 1, tag)) {
		const char *v = p + sizeof(tag) - 1;
		size_t k = strcspn(v, "\"");

		assert_true(used + k + 2 < n);
		used += (size_t)snprintf(out + used, n - used, "%s%.*s", used ? " " : "", (int)k, v);
	}
}

/*
 * The page lists what grew most (by RSS) first and what shrank most last;
 * among equal RSS changes, the larger size change first, then the order of
 * the diff; a region whose RSS was not read counts as no RSS change and
 * shows n/a. With --top, both ends of that order. A side whose regions
 * could not be read lists none, and a process without a name is "?".
 */
static void test_html_order(void **state)
{
	struct vms_snapshot *a = vms_snapshot_new(), *b = vms_snapshot_new();
	char starts[256], *page;

	(void)state;
	a->host.page_size = b->host.page_size = 4096;
	file_region(a, 0x10000, 0x14000, 1, "/f/grow", 0x1000);
	file_region(b, 0x10000, 0x14000, 1, "/f/grow", 0x5000);
	file_region(a, 0x20000, 0x28000, 2, "/f/shrink", 0x8000);
	file_region(b, 0x20000, 0x28000, 2, "/f/shrink", 0x2000);
	file_region(a, 0x30000, 0x31000, 3, "/f/wider", 0x1000);
	file_region(b, 0x30000, 0x40000, 3, "/f/wider", 0x1000);
	file_region(b, 0x50000, 0x52000, 4, "/f/new1", -1);
	file_region(b, 0x60000, 0x62000, 5, "/f/new2", -1);
	file_region(a, 0x70000, 0x73000, 6, "/f/gone", 0x3000);
	vms_model_build(a, NULL, -1);
	vms_model_build(b, NULL, -1);

	page = diff_html(a, b, 0);
	row_starts(page, starts, sizeof(starts));
	assert_string_equal(starts, "0x10000 0x30000 0x50000 0x60000 0x70000 0x20000");
	assert_non_null(strstr(page, "2 grew, 1 shrank, 2 appeared, 1 vanished, 0 unchanged."));
	assert_non_null(strstr(page, "<h1>What changed: ?</h1>"));
	assert_non_null(strstr(page, "before a.json: pid 0 (?)"));
	/* new1: its RSS after and RSS change are n/a */
	assert_non_null(strstr(page, "new1</td><td class=\"na\" data-v=\"-1\">n/a</td>"));
	free(page);

	page = diff_html(a, b, 3);
	row_starts(page, starts, sizeof(starts));
	assert_string_equal(starts, "0x10000 0x30000 0x20000");
	assert_non_null(strstr(page, "; the 3 that changed most are listed."));
	free(page);

	b->src[VMS_SRC_SMAPS].tried = true;
	b->src[VMS_SRC_SMAPS].error = -EACCES;
	page = diff_html(a, b, 0);
	row_starts(page, starts, sizeof(starts));
	assert_string_equal(starts, "");
	assert_non_null(strstr(page, "regions: n/a, those of one side could not be read"));
	free(page);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_identity_in_address_order),
		cmocka_unit_test(test_html_order),
		cmocka_unit_test(test_thread_moved_anon_merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
