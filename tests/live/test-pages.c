/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live tests of page-level data: targets with a known page pattern (sparse
 * writes, pages shared by fork, zero pages, huge pages, guard pages, a
 * working set), read by vmscope through PAGEMAP_SCAN and through pread,
 * compared with what the target did and with smaps for the same region.
 *
 * usage: test-pages VMSCOPE TARGET
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"
#include "vmscope/model.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

static const char *vmscope_bin;
static const char *target_bin;
static uint64_t page_size;

/* ---- the target --------------------------------------------------------- */

/*
 * Starts the target with args and waits for it to stop itself. Its stdout
 * is kept open: the target writes more when continued.
 */
static void target_start(struct lt_target *t, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, target_bin, args);
	lt_target_start(t, argv, LT_OWN_GROUP, NULL, NULL);
	lt_target_wait_stopped(t, "ready");
}

/* ---- vmscope ------------------------------------------------------------ */

/* Starts vmscope with args, stdout and stderr captured. */
static void vmscope_start(struct lt_run *r, const char *const *args)
{
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, vmscope_bin, args);
	lt_run_start(r, argv, 0);
}

/* vmscope args... must succeed with JSON on stdout. */
static json_object *vmscope_json(const char *const *args)
{
	const char *argv[LT_ARGV_MAX];

	lt_argv(argv, NULL, vmscope_bin, args);
	return lt_run_json_of(argv, 0);
}

/* A page counter in pages; -1 for null (not known). */
static int64_t pages_of(json_object *pages, const char *key)
{
	json_object *v = lt_get(pages, key);

	if (json_object_is_type(v, json_type_null))
		return -1;
	return (int64_t)((uint64_t)json_object_get_int64(v) / page_size);
}

/* `vmscope ARGS... --format json PID` → the page counters of the region at addr. */
static json_object *report_pages(json_object **keep, const struct lt_target *t, uint64_t addr,
				 const char *a1, const char *a2, const char *a3)
{
	char pid[16];
	const char *args[8] = { "--format", "json" };
	size_t n = 2;

	snprintf(pid, sizeof(pid), "%d", (int)t->pid);
	if (a1)
		args[n++] = a1;
	if (a2)
		args[n++] = a2;
	if (a3)
		args[n++] = a3;
	args[n++] = pid;
	args[n] = NULL;
	*keep = vmscope_json(args);
	return lt_get(lt_region_at(*keep, addr), "pages");
}

static bool is_root(void)
{
	return geteuid() == 0;
}

/* ---- tests -------------------------------------------------------------- */

/* Every 7th page of 64 MiB written: exactly those present, on both paths. */
static void test_sparse(void **state)
{
	static const char *const args[] = { "--sparse-mib", "64", "--sparse-every", "7", NULL };
	static const char *const readers[][2] = {
		{ NULL, NULL }, { "--pagemap", "pread" }, { "--pagemap", "scan" },
	};
	struct lt_target t;
	uint64_t f[3];

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "sparse", f, 3));
	for (size_t i = 0; i < 3; i++) {
		for (int detail = 0; detail < 2; detail++) {
			json_object *rep, *p;

			p = report_pages(&rep, &t, f[0], readers[i][0], readers[i][1],
					 detail ? "--pages" : NULL);
			assert_int_equal(pages_of(p, "present"), f[2] / page_size);
			assert_int_equal(pages_of(p, "swapped"), 0);
			assert_int_equal(pages_of(p, "file"), 0);
			if (detail || i == 1)
				assert_int_equal(pages_of(p, "exclusive"), f[2] / page_size);
			else
				assert_int_equal(pages_of(p, "exclusive"), -1); /* a scan cannot tell */
			/* every bucket of the strip holds a written page */
			assert_int_equal(strspn(json_object_get_string(lt_get(p, "residency")),
						"0123456789abcdef"),
					 2 * 64);
			assert_null(strstr(json_object_get_string(lt_get(p, "residency")), "00"));
			json_object_put(rep);
		}
	}
	/* the run listing: one run a written page, on both paths */
	for (size_t i = 0; i < 2; i++) {
		char range[64], pid[16];
		const char *largs[] = { "pages", "--format", "json", "--range", range,
					"--pagemap", i ? "pread" : "scan", pid, NULL };
		json_object *o, *regions, *runs;
		uint64_t sum = 0;

		snprintf(range, sizeof(range), "%" PRIx64 "-%" PRIx64, f[0], f[0] + f[1]);
		snprintf(pid, sizeof(pid), "%d", (int)t.pid);
		o = vmscope_json(largs);
		regions = lt_get(o, "regions");
		assert_int_equal(json_object_array_length(regions), 1);
		runs = lt_get(json_object_array_get_idx(regions, 0), "runs");
		assert_int_equal(json_object_array_length(runs), f[2] / page_size);
		for (size_t k = 0; k < json_object_array_length(runs); k++) {
			json_object *run = json_object_array_get_idx(runs, k);
			uint64_t start = strtoull(json_object_get_string(lt_get(run, "start")), NULL, 16);

			assert_int_equal((start - f[0]) / page_size % 7, 0);
			sum += (uint64_t)json_object_get_int64(lt_get(run, "pages"));
		}
		assert_int_equal(sum, f[2] / page_size);
		json_object_put(o);
	}
	lt_target_stop(&t);
}

/* Pages written before fork are shared; after it, exclusive. As root, kpagecount agrees. */
static void test_fork_shared(void **state)
{
	static const char *const args[] = { "--shared-pages", "16", "--children", "2",
					    "--anon-pages", "32", "--anon-touch", "10", NULL };
	struct lt_target t;
	uint64_t sh[3], an[3];

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "shared", sh, 3));
	assert_true(lt_target_fact(&t, "anon", an, 3));
	for (int pread = 0; pread < 2; pread++) {
		json_object *rep, *rep2, *p, *q;

		p = report_pages(&rep, &t, sh[0], "--pages", pread ? "--pagemap" : NULL,
				 pread ? "pread" : NULL);
		q = report_pages(&rep2, &t, an[0], "--pages", pread ? "--pagemap" : NULL,
				 pread ? "pread" : NULL);
		assert_int_equal(pages_of(p, "present"), 16);
		assert_int_equal(pages_of(p, "exclusive"), 0);
		assert_int_equal(pages_of(q, "present"), 10);
		assert_int_equal(pages_of(q, "exclusive"), 10);
		if (is_root()) {
			/* kpagecount: 3 mappings of each shared page, 1 of each private one */
			assert_int_equal(pages_of(p, "mapped_once"), 0);
			assert_int_equal(pages_of(q, "mapped_once"), 10);
			assert_int_equal(pages_of(p, "anon"), 16);
			assert_int_equal(json_object_get_int64(lt_get(p, "pss")), 16 * page_size / 3);
			assert_int_equal(json_object_get_int64(lt_get(q, "pss")), 10 * page_size);
			/* and smaps says the same of the same region */
			assert_int_equal(json_object_get_int64(lt_get(lt_get(lt_region_at(rep, sh[0]), "mem"),
								   "pss")) /
						 (int64_t)page_size,
					 16 / 3);
		} else {
			assert_int_equal(pages_of(p, "mapped_once"), -1);
		}
		json_object_put(rep);
		json_object_put(rep2);
	}
	lt_target_stop(&t);
}

/* Bytes of [start, end) of pid whose kpageflags have the THP bit (root only). */
static uint64_t kpf_thp_bytes(pid_t pid, uint64_t start, uint64_t end)
{
	char path[64];
	uint64_t bytes = 0;
	int pm, kf;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	assert_true(pm >= 0 && kf >= 0);
	for (uint64_t a = start; a < end; a += page_size) {
		uint64_t e, f;

		assert_int_equal(pread(pm, &e, 8, (off_t)(a / page_size * 8)), 8);
		if (!(e & (UINT64_C(1) << 63)))
			continue;
		assert_int_equal(pread(kf, &f, 8, (off_t)((e & ((UINT64_C(1) << 55) - 1)) * 8)), 8);
		if (f & (UINT64_C(1) << 22)) /* KPF_THP */
			bytes += page_size;
	}
	close(pm);
	close(kf);
	return bytes;
}

/*
 * Whether the kernel maps the zero page where the target only read (its
 * "zero" region): then those pages are present and not in Rss. A kernel
 * can be built or booted without it (some hypervisors' guests), and each
 * read then faults in a page of its own, in Rss and mapped once.
 */
static bool kernel_maps_zero_page(pid_t pid, uint64_t zero_start)
{
	struct lt_smaps_entry e;

	assert_true(lt_smaps_entry(pid, zero_start, &e));
	if (e.rss != 0)
		print_message("# this kernel maps no zero page (the read-only region's Rss is "
			      "%" PRIu64 " bytes): zero-page counts checked as none\n",
			      (uint64_t)e.rss);
	return e.rss == 0;
}

/* Whether s is made of n/2 pairs of hex digits all equal to c c. */
static bool strip_all(const char *s, char c)
{
	for (; *s; s++)
		if (*s != c)
			return false;
	return true;
}

/*
 * Read-only touches map the zero page; MADV_HUGEPAGE gives THP, PMD-mapped
 * (thp, with PAGEMAP_SCAN) in large folios (kpageflags); guards are not swap.
 */
static void test_zero_thp_guard(void **state)
{
	static const char *const args[] = { "--zero-pages", "30", "--thp-mib", "4",
					    "--guard-pages", "10", NULL };
	struct lt_target t;
	struct lt_smaps_entry e;
	uint64_t z[3], h[3], g[3];
	bool zero_page;

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "zero", z, 3));
	assert_true(lt_target_fact(&t, "thp", h, 3));
	assert_true(lt_target_fact(&t, "guard", g, 3));
	zero_page = kernel_maps_zero_page(t.pid, z[0]);
	for (int pread = 0; pread < 2; pread++) {
		const char *how = pread ? "pread" : "scan";
		json_object *rep, *p;
		int64_t smaps_thp;

		/* the zero page and THP: seen by PAGEMAP_SCAN, or by kpageflags as root */
		if (!pread || is_root()) {
			p = report_pages(&rep, &t, z[0], "--pages", "--pagemap", how);
			assert_int_equal(pages_of(p, "present"), 30);
			assert_int_equal(pages_of(p, "zero_page"), zero_page ? 30 : 0);
			assert_int_equal(pages_of(p, "exclusive"), zero_page ? 0 : 30);
			json_object_put(rep);

			p = report_pages(&rep, &t, h[0], "--pages", "--pagemap", how);
			assert_true(lt_smaps_entry(t.pid, h[0], &e));
			smaps_thp = (int64_t)e.anon_huge;
			assert_int_equal(pages_of(p, "present"), h[1] / page_size);
			/* PMD-mapped: PAGEMAP_SCAN tells; with pagemap entries, smaps */
			assert_int_equal(pages_of(p, "thp"), smaps_thp / (int64_t)page_size);
			if (is_root())
				assert_int_equal(pages_of(p, "large_folio"),
						 kpf_thp_bytes(t.pid, e.start, e.end) / page_size);
			if (smaps_thp == 0)
				print_message("# no huge page could be allocated: THP count 0 checked\n");
			json_object_put(rep);
		}
		if (g[0] == 0) {
			print_message("# MADV_GUARD_INSTALL not supported: guard pages not checked\n");
			continue;
		}
		p = report_pages(&rep, &t, g[0], "--pagemap", how, NULL);
		assert_int_equal(pages_of(p, "guard"), g[2] / page_size);
		assert_int_equal(pages_of(p, "swapped"), 0);
		assert_int_equal(pages_of(p, "present"), (g[1] - g[2]) / page_size);
		json_object_put(rep);
	}
	lt_target_stop(&t);
}

/*
 * A region across the end of the early sweep (2^47 - 64 KiB), written on
 * both sides: the pages above it come from the second walk that picks up
 * where the sweep stopped. Every reader agrees with smaps' Rss.
 */
static void test_top_of_user_space(void **state)
{
	static const char *const args[] = { "--top-pages", NULL };
	static const char *const readers[][2] = {
		{ NULL, NULL }, { "--pages", NULL }, { "--pagemap", "pread" },
	};
	struct lt_target t;
	struct lt_smaps_entry e;
	uint64_t f[3];

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "top", f, 3));
	if (f[0] == 0) {
		lt_target_stop(&t);
		skip(); /* the top of user space is taken (the stack's there) */
	}
	assert_true(lt_smaps_entry(t.pid, f[0], &e));
	assert_int_equal(e.rss, f[2]);
	for (size_t i = 0; i < 3; i++) {
		json_object *rep, *p;

		p = report_pages(&rep, &t, f[0], readers[i][0], readers[i][1], NULL);
		assert_int_equal(pages_of(p, "present"), f[2] / page_size);
		/* one bucket a page: the first and the last written */
		assert_string_equal(json_object_get_string(lt_get(p, "residency")), "ff0000ff");
		json_object_put(rep);
	}
	lt_target_stop(&t);
}

/*
 * 20,000 regions of a written page each, whose present pages make runs
 * that go on across many regions, and huge pages: the sweep, summed into
 * the regions while smaps is still being read, says of every region what a
 * walk of each region (pread) says where both know a counter, and knows
 * the same counters of each region.
 */
static void test_many_regions(void **state)
{
	static const char *const args[] = { "--maps", "20000", "--maps-touch", "--thp-mib", "4",
					    NULL };
	struct lt_target t;
	json_object *rep[2], *regs[2];
	uint64_t f[2];
	size_t n, in_maps = 0;
	int known = -1;
	char pid[16];

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "maps", f, 2));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	rep[0] = vmscope_json((const char *const[]){ "--format", "json", pid, NULL });
	rep[1] = vmscope_json((const char *const[]){ "--format", "json", "--pagemap", "pread",
						     pid, NULL });
	for (int k = 0; k < 2; k++)
		regs[k] = lt_get(rep[k], "regions");
	n = json_object_array_length(regs[0]);
	assert_int_equal(json_object_array_length(regs[1]), n);
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(regs[0], i);
		json_object *p = lt_get(r, "pages");
		json_object *q = lt_get(json_object_array_get_idx(regs[1], i), "pages");
		uint64_t start = strtoull(json_object_get_string(lt_get(r, "start")), NULL, 16);
		int nonnull = 0;

		if (json_object_is_type(p, json_type_null)) {
			assert_true(json_object_is_type(q, json_type_null));
			continue;
		}
		json_object_object_foreach(p, key, v) {
			json_object *w;

			if (json_object_is_type(v, json_type_null))
				continue;
			nonnull++;
			/* each reader knows counters the other does not */
			if (json_object_object_get_ex(q, key, &w) &&
			    !json_object_is_type(w, json_type_null) && !json_object_equal(v, w))
				fail_msg("region %s: %s is %s by the sweep, %s by pread",
					 json_object_get_string(lt_get(r, "start")), key,
					 json_object_to_json_string(v), json_object_to_json_string(w));
		}
		if (known < 0)
			known = nonnull;
		assert_int_equal(nonnull, known);
		if (start >= f[0] && start < f[0] + f[1] * page_size) {
			assert_int_equal(pages_of(p, "present"), 1);
			in_maps++;
		}
	}
	assert_int_equal(in_maps, f[1]);
	for (int k = 0; k < 2; k++)
		json_object_put(rep[k]);
	lt_target_stop(&t);
}

/*
 * A read-only region of zero pages: present to pagemap, not in Rss, so the
 * strip draws none of it as resident, draws it apart and says so. Huge
 * pages: thp counts the PMD-mapped ones, as smaps' AnonHugePages does, and
 * large_folio the pages of large folios however mapped, as kpageflags says;
 * a huge page mapped by PTEs (mprotect of one of its pages) is in the
 * second and not in the first.
 */
static void test_zero_strip_and_folios(void **state)
{
	static const char *const args[] = { "--zero-pages", "64", "--thp-mib", "4",
					    "--thp-split", NULL };
	struct lt_target t;
	struct lt_smaps_entry e;
	uint64_t z[3], h[3], sp[1], thp = 0, folio = 0;
	json_object *rep, *p;
	char pid[16], addr[32], *line;
	const char *text_args[] = { "--pages", "--width", "160", "--color", "never", pid, NULL };
	const char *argv[LT_ARGV_MAX];
	struct lt_run r;

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "zero", z, 3));
	assert_true(lt_target_fact(&t, "thp", h, 3));
	assert_true(lt_target_fact(&t, "thpsplit", sp, 1));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);

	/* without the zero page, the region is plain resident memory: no strip to tell apart */
	if (kernel_maps_zero_page(t.pid, z[0])) {
		p = report_pages(&rep, &t, z[0], "--pages", NULL, NULL);
		assert_int_equal(pages_of(p, "present"), 64);
		assert_int_equal(pages_of(p, "zero_page"), 64);
		assert_true(strip_all(json_object_get_string(lt_get(p, "residency")), '0'));
		assert_int_equal(strlen(json_object_get_string(lt_get(p, "zero_residency"))), 128);
		assert_true(strip_all(json_object_get_string(lt_get(p, "zero_residency")), 'f'));
		json_object_put(rep);

		lt_argv(argv, NULL, vmscope_bin, text_args);
		lt_run(&r, argv, 0);
		assert_int_equal(r.code, 0);
		snprintf(addr, sizeof(addr), " %" PRIx64 "  ", z[0]);
		line = strstr(r.out, addr);
		assert_non_null(line);
		line[strcspn(line, "\n")] = '\0';
		assert_non_null(strstr(line, "\u2591"));
		for (uint32_t cp = 0x2581; cp <= 0x2588; cp++) {
			char glyph[4] = { (char)0xe2, (char)0x96, (char)(0x80 | (cp & 0x3f)), 0 };

			if (strstr(line, glyph))
				fail_msg("a zero-page region drawn resident: %s", line);
		}
		assert_non_null(strstr(line + strlen(line) + 1, "zero page only"));
		lt_run_release(&r);
	}

	for (int i = 0; i < 3; i++) {
		uint64_t at = i == 0 ? h[0] : sp[0] + (uint64_t)(i - 1) * page_size;

		p = report_pages(&rep, &t, at, "--pages", NULL, NULL);
		assert_true(lt_smaps_entry(t.pid, at, &e));
		assert_int_equal(pages_of(p, "thp"), e.anon_huge / page_size);
		thp += e.anon_huge;
		if (is_root()) {
			uint64_t want = kpf_thp_bytes(t.pid, e.start, e.end);

			assert_int_equal(pages_of(p, "large_folio"), want / page_size);
			folio += want;
		} else {
			assert_int_equal(pages_of(p, "large_folio"), -1);
		}
		json_object_put(rep);
	}
	if (thp == 0)
		print_message("# no huge page could be allocated: THP count 0 checked\n");
	else if (is_root())
		assert_true(folio > thp); /* the PTE-mapped huge page */
	lt_target_stop(&t);
}

/*
 * The target is killed while vmscope reads its pages: vmscope either
 * prints a whole listing (killed too late) or says it exited and prints
 * nothing; at least one kill must land during the read.
 */
static void test_exit_during_scan(void **state)
{
	static const char *const args[] = { "--sparse-mib", "8192", "--sparse-every", "16", NULL };
	unsigned exited = 0, whole = 0;
	int64_t full_ns = 0;

	(void)state;
	for (int i = 0; i < 12 && exited < 2; i++) {
		struct timespec t0, t1, d;
		struct lt_target t;
		char pid[16];
		const char *vargs[] = { i % 2 ? "pages" : "--pages", "--format", "json",
					"--pagemap", "pread", pid, NULL };
		struct lt_run r;

		target_start(&t, args);
		snprintf(pid, sizeof(pid), "%d", (int)t.pid);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		vmscope_start(&r, vargs);
		if (i >= 2) {
			/* the kill lands somewhere in the read of the first two runs */
			int64_t delay = full_ns / 10 + (full_ns * 7 / 10) * (i - 2) / 9;

			d = (struct timespec){ .tv_sec = delay / 1000000000,
					       .tv_nsec = delay % 1000000000 };
			nanosleep(&d, NULL);
			kill(t.pid, SIGKILL);
		}
		lt_run_wait(&r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (getenv("DEBUG_PAGES"))
			print_message("# try %d: status %d, %zu bytes out, %s", i, r.code, strlen(r.out), r.err);
		if (i < 2) {
			int64_t ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);

			full_ns = ns > full_ns ? ns : full_ns;
		}
		if (r.code == 0) {
			json_object *o = json_tokener_parse(r.out);

			if (!o)
				fail_msg("exit 0 without a whole JSON document: %.200s", r.out);
			json_object_put(o);
			whole++;
		} else if (r.code == 1) {
			if (r.out[0])
				fail_msg("the target exited, yet vmscope printed: %.200s", r.out);
			if (!strstr(r.err, "exited") && !strstr(r.err, "no process"))
				fail_msg("no clear message: %s", r.err);
			if (strstr(r.err, "exited"))
				exited++;
		} else {
			fail_msg("vmscope exited %d: %s", r.code, r.err);
		}
		lt_run_release(&r);
		lt_target_stop(&t);
	}
	print_message("# %u whole, %u 'exited' (a read takes %" PRId64 " ms)\n", whole, exited,
		      full_ns / 1000000);
	assert_true(whole >= 2);
	assert_true(exited >= 1);
}

/* Whether a DAMON monitor runs on this machine (it clears accessed bits). */
static bool damon_running(void)
{
	char path[128], state[16];
	bool on = false;

	for (int k = 0; k < 16 && !on; k++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/mm/damon/admin/kdamonds/%d/state", k);
		f = fopen(path, "r");
		if (!f)
			break;
		on = fgets(state, sizeof(state), f) && strncmp(state, "on", 2) == 0;
		fclose(f);
	}
	return on;
}

/* clear_refs, then the target reads 5 of its 20 pages: exactly those are referenced. */
static void test_working_set(void **state)
{
	static const char *const args[] = { "--refs-pages", "20", "--refs-touch", "5", NULL };
	char pid[16];
	/* 3 s: the target's touches must land inside the interval even when the
	 * machine is busy (1 s was missed under a parallel test run) */
	const char *vargs[] = { "--reset-refs", "3", "--format", "json", pid, NULL };
	struct lt_target t;
	uint64_t f[3];
	struct lt_run r;
	json_object *o, *reg;
	uint64_t referenced;
	int st;

	(void)state;
	target_start(&t, args);
	assert_true(lt_target_fact(&t, "refs", f, 3));
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	vmscope_start(&r, vargs);
	/* wait for "referenced bits ... cleared" (its first line), then let the target touch */
	lt_run_await_err(&r, "cleared");
	kill(t.pid, SIGCONT);
	assert_int_equal(waitpid(t.pid, &st, WUNTRACED), t.pid);
	assert_true(WIFSTOPPED(st));
	lt_run_wait(&r);
	o = lt_run_json(&r);
	reg = lt_region_at(o, f[0]);
	assert_int_equal(json_object_get_int64(lt_get(lt_get(reg, "mem"), "rss")), f[1]);
	assert_int_equal(json_object_get_int64(lt_get(lt_get(o, "pages"), "refs_interval_ms")), 3000);
	referenced = (uint64_t)json_object_get_int64(lt_get(lt_get(reg, "mem"), "referenced"));
	json_object_put(o);
	lt_run_release(&r);
	lt_target_stop(&t);
	/* Never more than was touched. Exactly that, unless DAMON watches this
	 * machine: its physical-address monitoring clears the accessed bits
	 * that Referenced counts, so pages touched can read as untouched. */
	assert_true(referenced <= f[2]);
	if (damon_running() && referenced != f[2]) {
		fprintf(stderr, "# %" PRIu64 " of %" PRIu64 " bytes read as referenced: DAMON "
			"is clearing accessed bits here\n", referenced, f[2]);
		skip();
	}
	assert_int_equal(referenced, f[2]);
}

/* Whether pread would read more pages than its budget: those of the
 * regions with pages in memory or in swap, as it counts them. */
static bool over_pread_budget(const struct vms_snapshot *snap)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->mem.v[VMS_MEM_RSS] || r->mem.v[VMS_MEM_SWAP])
			pages += vms_region_size(r) / page_size;
	}
	return pages > VMS_PAGES_PREAD_BUDGET;
}

/*
 * Regions with nothing in memory share one copy of their page counts per
 * size of histogram, on both paths; a region with a page has its own, and
 * the shared copy still says nothing. Read in this process: mappings of 8
 * and 4 pages, untouched but one, with a page of hole around each (without
 * the first, the first mapping may merge with one of the allocator's).
 */
static void test_empty_pages_shared(void **state)
{
	static const unsigned flags[] = { VMS_INSPECT_PAGES,
					  VMS_INSPECT_PAGES | VMS_INSPECT_PAGES_PREAD };
	const size_t pages[] = { 8, 8, 8, 8, 4, 4 };
	const size_t n = sizeof(pages) / sizeof(pages[0]);
	int root_fd = open("/proc", O_DIRECTORY | O_CLOEXEC);
	const struct vms_region *r[6];
	size_t total = page_size, off = page_size;
	char *base;

	(void)state;
	assert_true(root_fd >= 0);
	for (size_t i = 0; i < n; i++)
		total += (pages[i] + 1) * page_size;
	base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(mprotect(base + off, pages[i] * page_size, PROT_READ | PROT_WRITE), 0);
		off += (pages[i] + 1) * page_size;
	}
	/* the fourth region: its third page written */
	base[(1 + 3 * 9 + 2) * page_size] = 1;
	for (size_t k = 0; k < 2; k++) {
		struct vms_snapshot *snap = NULL;

		assert_int_equal(vms_inspect(root_fd, getpid(), true,
					     VMS_INSPECT_REGIONS | flags[k], NULL, &snap),
				 0);
		/* the sweep, then the walk per region */
		assert_int_equal(snap->pages.scan, k == 0);
		if (k == 1 && !snap->pages.entries && over_pread_budget(snap)) {
			/* a sanitizer's shadow is resident: pread is refused whole */
			print_message("# pread over its budget in this process: not read\n");
			for (size_t i = 0; i < snap->n_regions; i++)
				assert_null(snap->regions[i].pages);
			vms_snapshot_free(snap);
			continue;
		}
		assert_int_equal(snap->pages.entries, k == 1);
		off = page_size;
		for (size_t i = 0; i < n; i++) {
			r[i] = vms_snapshot_find(snap, (uintptr_t)(base + off));
			assert_non_null(r[i]);
			assert_int_equal(r[i]->start, (uintptr_t)(base + off));
			assert_int_equal(vms_region_size(r[i]), pages[i] * page_size);
			assert_non_null(r[i]->pages);
			assert_int_equal(r[i]->pages->n_hist, pages[i]);
			off += (pages[i] + 1) * page_size;
		}
		assert_ptr_equal(r[0]->pages, r[1]->pages);
		assert_ptr_equal(r[0]->pages, r[2]->pages);
		assert_ptr_equal(r[4]->pages, r[5]->pages);
		assert_ptr_not_equal(r[0]->pages, r[4]->pages);
		assert_ptr_not_equal(r[0]->pages, r[3]->pages);
		assert_true(vms_region_pages_has(r[3]->pages, VMS_PG_PRESENT));
		assert_int_equal(r[3]->pages->v[VMS_PG_PRESENT], page_size);
		assert_int_equal(r[3]->pages->hist[2], 255);
		for (size_t i = 0; i < n; i++) {
			const struct vms_region_pages *p = r[i]->pages;

			if (i == 3)
				continue;
			assert_int_equal(p->have, r[3]->pages->have);
			for (unsigned c = 0; c < VMS_PG__MAX; c++)
				assert_int_equal(p->v[c], 0);
			for (unsigned b = 0; b < 2u * p->n_hist; b++)
				assert_int_equal(p->hist[b], 0);
		}
		vms_snapshot_free(snap);
	}
	munmap(base, total);
	close(root_fd);
}

/* A report of t with its pages, VMSCOPE_TEST_SWEEP_THREAD_PAGES set to env (NULL: unset). */
static struct vms_snapshot *inspect_swept(int root_fd, const struct lt_target *t, const char *env)
{
	struct vms_snapshot *snap = NULL;

	if (env)
		assert_int_equal(setenv("VMSCOPE_TEST_SWEEP_THREAD_PAGES", env, 1), 0);
	else
		assert_int_equal(unsetenv("VMSCOPE_TEST_SWEEP_THREAD_PAGES"), 0);
	assert_int_equal(vms_inspect(root_fd, t->pid, true,
				     VMS_INSPECT_REGIONS | VMS_INSPECT_PAGES, NULL, &snap),
			 0);
	assert_int_equal(unsetenv("VMSCOPE_TEST_SWEEP_THREAD_PAGES"), 0);
	assert_true(snap->pages.scan);
	return snap;
}

/* The pages q of region i (at start), read the way way, are p's, every counter and bin. */
static void assert_pages_equal(const struct vms_region_pages *q, const struct vms_region_pages *p,
			       size_t i, uint64_t start, int way)
{
	assert_int_equal(q->have, p->have);
	assert_int_equal(q->n_hist, p->n_hist);
	for (unsigned c = 0; c < VMS_PG__MAX; c++)
		if (p->v[c] != q->v[c])
			fail_msg("region %zu (%#" PRIx64 "), way %d: counter %u %" PRIu64
				 " against %" PRIu64,
				 i, start, way, c, q->v[c], p->v[c]);
	assert_memory_equal(q->hist, p->hist, 2u * p->n_hist);
}

/*
 * The sweep's three ways, on 20,000 regions of a page written each and
 * 4 MiB of huge pages (83 MiB in memory, over the 64 MiB from which a
 * thread walks): a thread from the start, by default; in pieces of 128
 * regions between the blocks of smaps, when no piece is too large; in
 * pieces, then a thread from the first piece of 600 pages or more. Each
 * way counts every region's pages alike, every counter and bin.
 */
static void test_sweep_ways(void **state)
{
	static const char *const args[] = { "--maps", "20000", "--maps-touch", "--thp-mib", "4",
					    NULL };
	static const char *const env[] = { NULL, "1000000000,1000000000", "1000000000,600" };
	static const uint8_t way[] = { VMS_SWEEP_THREAD, VMS_SWEEP_PIECES,
				       VMS_SWEEP_PIECES_THREAD };
	int root_fd = open("/proc", O_DIRECTORY | O_CLOEXEC);
	struct vms_snapshot *snap[3];
	size_t with_pages = 0;
	struct lt_target t;

	(void)state;
	assert_true(root_fd >= 0);
	target_start(&t, args);
	for (int k = 0; k < 3; k++) {
		snap[k] = inspect_swept(root_fd, &t, env[k]);
		assert_int_equal(snap[k]->pages.sweep, way[k]);
		assert_int_equal(snap[k]->n_regions, snap[0]->n_regions);
	}
	assert_true(snap[0]->n_regions > 20000);
	for (size_t i = 0; i < snap[0]->n_regions; i++) {
		const struct vms_region_pages *p = snap[0]->regions[i].pages;

		for (int k = 1; k < 3; k++) {
			const struct vms_region_pages *q = snap[k]->regions[i].pages;

			assert_int_equal(snap[k]->regions[i].start, snap[0]->regions[i].start);
			if (!p) {
				assert_null(q);
				continue;
			}
			assert_non_null(q);
			assert_pages_equal(q, p, i, snap[0]->regions[i].start, k);
		}
		with_pages += p && vms_region_pages_has(p, VMS_PG_PRESENT) &&
			      p->v[VMS_PG_PRESENT] > 0;
	}
	/* every written page counted (the 20,000 and the program's) */
	assert_true(with_pages >= 20000);
	for (int k = 0; k < 3; k++)
		vms_snapshot_free(snap[k]);
	lt_target_stop(&t);
	close(root_fd);
}

/*
 * A walk that fails part way (VMSCOPE_TEST_PAGEMAP_SCAN_FAIL=2: the second
 * PAGEMAP_SCAN call, after a first of 256 ranges), each of the three ways
 * of test_sweep_ways: the report is made and says the error, the regions
 * walked before it keep their pages, the same as a whole walk's, and most
 * of the 20,000 have none, never a count of zero for pages not looked at.
 */
static void test_sweep_fails_part_way(void **state)
{
	static const char *const args[] = { "--maps", "20000", "--maps-touch", "--thp-mib", "4",
					    "--sparse-mib", "16", "--sparse-every", "2",
					    NULL };
	static const char *const env[] = { NULL, "1000000000,1000000000", "1000000000,600" };
	static const uint8_t way[] = { VMS_SWEEP_THREAD, VMS_SWEEP_PIECES,
				       VMS_SWEEP_PIECES_THREAD };
	int root_fd = open("/proc", O_DIRECTORY | O_CLOEXEC);
	struct vms_snapshot *whole, *snap;
	struct lt_target t;

	(void)state;
	assert_true(root_fd >= 0);
	target_start(&t, args);
	whole = inspect_swept(root_fd, &t, NULL);
	assert_int_equal(whole->src[VMS_SRC_PAGEMAP].error, 0);
	for (int k = 0; k < 3; k++) {
		size_t kept = 0, lost = 0;

		assert_int_equal(setenv("VMSCOPE_TEST_PAGEMAP_SCAN_FAIL", "2", 1), 0);
		snap = inspect_swept(root_fd, &t, env[k]);
		assert_int_equal(unsetenv("VMSCOPE_TEST_PAGEMAP_SCAN_FAIL"), 0);
		assert_int_equal(snap->pages.sweep, way[k]);
		assert_int_equal(snap->src[VMS_SRC_PAGEMAP].error, -EIO);
		assert_int_equal(snap->n_regions, whole->n_regions);
		for (size_t i = 0; i < snap->n_regions; i++) {
			const struct vms_region_pages *p = whole->regions[i].pages;
			const struct vms_region_pages *q = snap->regions[i].pages;
			bool written = p && vms_region_pages_has(p, VMS_PG_PRESENT) &&
				       p->v[VMS_PG_PRESENT] > 0;

			assert_int_equal(snap->regions[i].start, whole->regions[i].start);
			if (!q) {
				lost += written;
				continue;
			}
			assert_non_null(p);
			assert_pages_equal(q, p, i, snap->regions[i].start, k);
			kept += written;
		}
		print_message("# way %d: %zu regions with pages kept, %zu without\n", k, kept, lost);
		assert_true(kept >= 1);
		assert_true(lost >= 15000);
		vms_snapshot_free(snap);
	}
	vms_snapshot_free(whole);
	lt_target_stop(&t);
	close(root_fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_fork_shared),
		cmocka_unit_test(test_zero_thp_guard),
		cmocka_unit_test(test_top_of_user_space),
		cmocka_unit_test(test_many_regions),
		cmocka_unit_test(test_zero_strip_and_folios),
		cmocka_unit_test(test_exit_during_scan),
		cmocka_unit_test(test_working_set),
		cmocka_unit_test(test_empty_pages_shared),
		cmocka_unit_test(test_sweep_ways),
		cmocka_unit_test(test_sweep_fails_part_way),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s VMSCOPE TARGET\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	target_bin = argv[2];
	page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	/* targets whose parent we are not (forked children) come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
