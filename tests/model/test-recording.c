/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recordings: the recorder's deltas and track ids, written and loaded back
 * (a sample's snapshot, the ranking), and the loader on hostile files.
 */
#include "config.h"

#include "snapbuild.h"
#include "../snapshot/damage.h"

#include <errno.h>
#include <stdlib.h>

#include "json/write.h"
#include "report/canvas.h"
#include "vmscope/model.h"
#include "vmscope/recording.h"
#include "vmscope/report.h"

static void set_rss(struct vms_snapshot *snap, size_t i, uint64_t rss)
{
	struct vms_region *r = &snap->regions[i];

	r->mem.v[VMS_MEM_RSS] = rss;
	r->mem.v[VMS_MEM_PSS] = rss;
	r->mem.v[VMS_MEM_PRIVATE_DIRTY] = rss;
	r->mem.v[VMS_MEM_PRIVATE_CLEAN] = 0;
	r->mem.v[VMS_MEM_SWAP] = 0;
	r->mem.have |= UINT32_C(1) << VMS_MEM_RSS | UINT32_C(1) << VMS_MEM_PSS |
		       UINT32_C(1) << VMS_MEM_PRIVATE_DIRTY | UINT32_C(1) << VMS_MEM_PRIVATE_CLEAN |
		       UINT32_C(1) << VMS_MEM_SWAP;
}

/* A snapshot at t seconds: heap, an anonymous region, libc, the stack. */
static struct vms_snapshot *sample(int t)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	size_t i;

	snap->proc.pid = 42;
	snap->proc.comm = "app";
	snap->mono_ns = 1000000000LL * (100 + t);
	snap->wall_ns = 1000000000LL * (1700000000 + t);
	snap->src[VMS_SRC_STATUS].tried = true;
	snap->totals.status[VMS_ST_VM_RSS] = 1000 * (uint64_t)(t + 1);
	snap->totals.status_have = UINT32_C(1) << VMS_ST_VM_RSS;
	i = sb_region(snap, 0x10000, t ? 0x13000 : 0x12000, "rw-p", 0, 0, "[heap]");
	set_rss(snap, i, t ? 0x3000 : 0x1000);
	if (t < 2) { /* vanishes at t = 2 */
		i = sb_region(snap, 0x20000, 0x30000, "rw-p", 0, 0, "");
		set_rss(snap, i, 0x4000);
	}
	i = sb_region(snap, 0x40000, 0x41000, "r-xp", 0x1000, 7, "/lib/libc.so.6");
	set_rss(snap, i, 0x1000);
	if (t >= 1) { /* appears at t = 1 */
		i = sb_region(snap, 0x50000, 0x60000, "rw-p", 0, 0, "");
		set_rss(snap, i, t == 1 ? 0x2000 : 0x8000);
	}
	/* the stack grows down at t = 2: same region, new start */
	i = sb_region(snap, t == 2 ? 0x7e000 : 0x7f000, 0x80000, "rw-p", 0, 0, "[stack]");
	set_rss(snap, i, t == 2 ? 0x2000 : 0x1000);
	vms_model_build(snap, NULL, -1);
	return snap;
}

/* Records three samples into a memory buffer. */
static char *record_three(size_t *ret_len, struct vms_rec_delta *deltas)
{
	struct vms_recorder rec;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	vms_recorder_init(&rec);
	for (int t = 0; t < 3; t++) {
		struct vms_snapshot *snap = sample(t);

		if (t == 0)
			assert_int_equal(vms_recording_write_header(out, snap, 1000000000, 50), 0);
		vms_recorder_step(&rec, snap, &deltas[t]);
		assert_int_equal(vms_recording_write_sample(out, snap, snap->mono_ns - 100000000000LL,
							    &deltas[t]),
				 0);
		/* a sample without regions between */
		assert_int_equal(vms_recording_write_sample(out, snap,
							    snap->mono_ns - 100000000000LL + 500000000,
							    NULL),
				 0);
		vms_snapshot_free(snap);
	}
	assert_int_equal(vms_recording_write_end(out, VMS_REC_END_DURATION, 3000000000LL, 6), 0);
	vms_recorder_release(&rec);
	assert_int_equal(fclose(out), 0);
	*ret_len = len;
	return buf;
}

static void test_deltas(void **state)
{
	struct vms_rec_delta d[3] = { 0 };
	size_t len;
	char *buf;

	(void)state;
	buf = record_three(&len, d);
	/* first: every region, whole */
	assert_int_equal(d[0].n, 4);
	for (size_t i = 0; i < d[0].n; i++) {
		assert_true(d[0].changes[i].full);
		assert_int_equal(d[0].changes[i].id, i);
	}
	assert_int_equal(d[0].n_gone, 0);
	/* t = 1: the heap grew (short), the new region (whole, id 4); anon,
	 * libc and the stack did not change: not written */
	assert_int_equal(d[1].n, 2);
	assert_int_equal(d[1].changes[0].id, 0);
	assert_false(d[1].changes[0].full);
	assert_int_equal(d[1].changes[1].id, 4);
	assert_true(d[1].changes[1].full);
	/* t = 2: anon (id 1) gone, the region of t = 1 grew, the stack moved
	 * down and keeps its id (3) */
	assert_int_equal(d[2].n_gone, 1);
	assert_int_equal(d[2].gone[0], 1);
	assert_int_equal(d[2].n, 2);
	assert_int_equal(d[2].changes[0].id, 4);
	assert_int_equal(d[2].changes[1].id, 3);
	assert_false(d[2].changes[1].full);
	for (int t = 0; t < 3; t++)
		vms_rec_delta_release(&d[t]);
	free(buf);
}

/* A named region (a JIT's), thread 43's stack and a file, at t = 0 and 1:
 * at 1 the named one is made read-only in place, the stack is elsewhere,
 * and another file is mapped where the first was. */
static struct vms_snapshot *moving(int t)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	size_t i;

	snap->proc.pid = 42;
	sb_region(snap, 0x10000, 0x20000, t ? "r--p" : "rw-p", 0, 0, "[anon:jit]");
	i = sb_region(snap, t ? 0x60000 : 0x30000, t ? 0x70000 : 0x40000, "rw-p", 0, 0, "");
	/* another file mapped over the first, in its place */
	sb_region(snap, 0x80000, 0x90000, "r--p", 0, t ? 8 : 7, t ? "/data/b" : "/data/a");
	vms_model_build(snap, NULL, -1);
	snap->regions[i].kind = VMS_KIND_THREAD_STACK;
	snap->regions[i].tid = 43;
	return snap;
}

/* A region whose permissions changed in place keeps its id in a whole
 * record (its identity changed); a thread's stack that moved keeps its id,
 * found by its thread, in a short one; another file in the place of one is
 * a new track, and the old one is gone. */
static void test_moves(void **state)
{
	struct vms_recorder rec;
	struct vms_rec_delta d[2] = { 0 };

	(void)state;
	vms_recorder_init(&rec);
	for (int t = 0; t < 2; t++) {
		struct vms_snapshot *snap = moving(t);

		vms_recorder_step(&rec, snap, &d[t]);
		vms_snapshot_free(snap);
	}
	assert_int_equal(d[0].n, 3);
	assert_int_equal(d[1].n, 3);
	assert_int_equal(d[1].changes[0].id, 0);
	assert_true(d[1].changes[0].full);
	assert_int_equal(d[1].changes[1].id, 1);
	assert_false(d[1].changes[1].full);
	assert_int_equal(d[1].changes[2].id, 3);
	assert_true(d[1].changes[2].full);
	assert_int_equal(d[1].n_gone, 1);
	assert_int_equal(d[1].gone[0], 2);
	for (int t = 0; t < 2; t++)
		vms_rec_delta_release(&d[t]);
	vms_recorder_release(&rec);
}

static void test_round_trip(void **state)
{
	struct vms_rec_delta d[3] = { 0 };
	struct vms_recording *rec = NULL;
	struct vms_snapshot *snap = NULL, *want;
	struct vms_load_error err;
	struct vms_rec_growth *g;
	size_t len, n, first, last;
	char *buf;

	(void)state;
	buf = record_three(&len, d);
	assert_int_equal(vms_recording_load(buf, len, &rec, &err), 0);
	assert_int_equal(rec->n_samples, 6);
	assert_int_equal(rec->end, VMS_REC_END_DURATION);
	assert_false(rec->truncated);
	assert_int_equal(rec->proc.pid, 42);
	assert_string_equal(rec->proc.comm, "app");
	assert_int_equal(rec->n_tracks, 5);
	assert_int_equal(vms_recording_region_span(rec, &first, &last), 0);
	assert_int_equal(first, 0);
	assert_int_equal(last, 4);
	assert_true(rec->samples[2].regions);
	assert_false(rec->samples[3].regions);
	/* the totals of every sample */
	assert_int_equal(rec->samples[5].totals.status[VMS_ST_VM_RSS], 3000);
	/* the groups: heap, anon (anon mmap), stacks, file */
	assert_int_equal(rec->samples[0].group_rss[VMS_RG_HEAP], 0x1000);
	assert_int_equal(rec->samples[2].group_rss[VMS_RG_ANON], 0x4000 + 0x2000);
	assert_int_equal(rec->samples[4].group_rss[VMS_RG_ANON], 0x8000);
	assert_int_equal(rec->samples[4].group_rss[VMS_RG_STACK], 0x2000);
	assert_int_equal(rec->samples[4].group_rss[VMS_RG_FILE], 0x1000);

	/* sample 2 (t = 1) rebuilt is the snapshot of t = 1 */
	want = sample(1);
	assert_int_equal(vms_recording_snapshot(rec, 2, &snap), 0);
	assert_int_equal(snap->n_regions, want->n_regions);
	for (size_t i = 0; i < snap->n_regions; i++) {
		assert_int_equal(snap->regions[i].start, want->regions[i].start);
		assert_int_equal(snap->regions[i].end, want->regions[i].end);
		assert_int_equal(snap->regions[i].kind, want->regions[i].kind);
		assert_int_equal(snap->regions[i].mem.v[VMS_MEM_RSS],
				 want->regions[i].mem.v[VMS_MEM_RSS]);
		assert_string_equal(snap->regions[i].name, want->regions[i].name);
	}
	assert_int_equal(snap->n_objects, 1);
	assert_string_equal(snap->objects[0].path, "/lib/libc.so.6");
	assert_int_equal(snap->wall_ns, want->wall_ns);
	vms_snapshot_free(want);
	vms_snapshot_free(snap);
	/* a sample without regions has no snapshot */
	assert_int_equal(vms_recording_snapshot(rec, 3, &snap), -EINVAL);

	/* ranked by growth from sample 0 to 4 (2 s): the region that appeared
	 * (+32K), the heap (+8K), the stack (+4K), libc (0), anon gone (-16K) */
	n = vms_recording_rank(rec, &g);
	assert_int_equal(n, 5);
	assert_int_equal(g[0].track, 4);
	assert_true(g[0].appeared);
	assert_int_equal(g[0].growth, 0x8000);
	assert_int_equal(g[1].track, 0);
	assert_int_equal(g[1].growth, 0x2000);
	assert_int_equal(g[1].size_a, 0x2000);
	assert_int_equal(g[1].size_b, 0x3000);
	assert_int_equal((int64_t)g[1].per_min, 0x2000 * 30);
	assert_int_equal(g[1].rose_from_ns, 1000000000);
	assert_int_equal(g[1].rose_until_ns, 1000000000);
	assert_int_equal(g[2].track, 3);
	assert_int_equal(g[2].start, 0x7e000);
	assert_int_equal(g[2].growth, 0x1000);
	assert_int_equal(g[3].growth, 0);
	assert_int_equal(g[3].rose_from_ns, -1);
	assert_int_equal(g[4].track, 1);
	assert_true(g[4].vanished);
	assert_int_equal(g[4].growth, -0x4000);
	free(g);

	/* cut in the middle of its last line, as a killed recorder leaves it */
	vms_recording_free(rec);
	assert_int_equal(vms_recording_load(buf, len - 10, &rec, &err), 0);
	assert_true(rec->truncated);
	assert_int_equal(rec->end, VMS_REC_END_NONE);
	assert_int_equal(rec->n_samples, 6);
	vms_recording_free(rec);
	for (int t = 0; t < 3; t++)
		vms_rec_delta_release(&d[t]);
	free(buf);
}

/* The groups of the timeline: a malloc arena (the model's kind), shm, anon. */
static void test_groups(void **state)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_recorder rec;
	struct vms_rec_delta d = { 0 };
	struct vms_recording *r = NULL;
	struct vms_load_error err;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	/* an arena's heap: at 64 MiB, 132 KiB read-write, the rest reserved */
	i = sb_region(snap, 0x7f0004000000, 0x7f0004021000, "rw-p", 0, 0, "");
	set_rss(snap, i, 0x10000);
	sb_region(snap, 0x7f0004021000, 0x7f0008000000, "---p", 0, 0, "");
	/* anonymous memory at 64 MiB with no reservation after it */
	i = sb_region(snap, 0x7f0008000000, 0x7f000d000000, "rw-p", 0, 0, "");
	set_rss(snap, i, 0x2000);
	/* read-write anonymous memory elsewhere */
	i = sb_region(snap, 0x7f000d001000, 0x7f000d002000, "rw-p", 0, 0, "");
	set_rss(snap, i, 0x1000);
	/* shared memory */
	i = sb_region(snap, 0x7f000e000000, 0x7f000e001000, "rw-s", 0, 9, "/dev/shm/x");
	set_rss(snap, i, 0x1000);
	vms_model_build(snap, NULL, -1);
	vms_recorder_init(&rec);
	vms_recorder_step(&rec, snap, &d);
	assert_int_equal(vms_recording_write_header(out, snap, 1000000000, 50), 0);
	assert_int_equal(vms_recording_write_sample(out, snap, 0, &d), 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(vms_recording_load(buf, len, &r, &err), 0);
	assert_int_equal(r->samples[0].n_regions, 5);
	assert_int_equal(r->samples[0].group_rss[VMS_RG_ARENA], 0x10000);
	assert_int_equal(r->samples[0].group_rss[VMS_RG_ANON], 0x2000 + 0x1000);
	assert_int_equal(r->samples[0].group_rss[VMS_RG_SHM], 0x1000);
	assert_int_equal(r->samples[0].group_rss[VMS_RG_HEAP], 0);
	vms_recording_free(r);
	vms_rec_delta_release(&d);
	vms_recorder_release(&rec);
	vms_snapshot_free(snap);
	free(buf);
}

static int load_recording(const char *buf, size_t len, struct vms_load_error *err, void *ctx)
{
	struct vms_recording *rec = NULL;
	int r = vms_recording_load(buf, len, &rec, err);

	(void)ctx;
	if (r == 0)
		assert_non_null(rec);
	vms_recording_free(rec);
	return r;
}

/* Each line of a recording, member by member, given the wrong type and left
 * out (damage.h): refused at that line. */
static void test_damaged_members(void **state)
{
	/* the field names say what the arrays hold; their schema is a reminder */
	static const char *const unread[] = { "snapshot_schema", NULL };
	struct vms_rec_delta d[3] = { 0 };
	struct damage_counts c = { 0 };
	size_t len;
	char *buf = record_three(&len, d);

	(void)state;
	for (size_t off = 0, end; off < len; off = end + 1) {
		end = (size_t)((char *)memchr(buf + off, '\n', len - off) - buf);
		damage_each_member(buf, off, end - off, DAMAGE_BY_LINE, load_recording, NULL, unread,
				   &c);
	}
	print_message("# %u members: %u required, %u optional; out of range: %u refused, %u "
		      "loaded\n",
		      c.members, c.required, c.optional, c.refused, c.accepted);
	assert_true(c.refused > 0 && c.accepted > 0);
	damage_counts_release(&c);
	for (int t = 0; t < 3; t++)
		vms_rec_delta_release(&d[t]);
	free(buf);
}

#define HEAD                                                                                   \
	"{\"format\":\"vmscope-recording\",\"version\":1,\"snapshot_schema\":2,\"wall_ns\":0,"     \
	"\"mono_ns\":0,\"interval_ns\":1000000000,\"cpu_permille\":50,\"host\":{},"               \
	"\"process\":{\"pid\":42},\"status_fields\":[\"vm_rss\"],\"rollup_fields\":[\"rss\"],"    \
	"\"region_values\":[\"rss\",\"pss\",\"private_clean\",\"private_dirty\",\"swap\"]}\n"
#define HEAP "[0,\"0x1000\",\"0x2000\",4096,4096,0,4096,0,\"rw-p\",\"0x0\",\"00:00\",0,\"heap\",0,false,\"[heap]\"]"
/* a whole record of track 0 at start, with its perms, dev and deleted */
#define REG(start, perms, dev, del)                                                            \
	"[0," start ",\"0x20000\",4096,4096,0,4096,0," perms ",\"0x0\"," dev ",0,\"heap\",0," del      \
	",\"[heap]\"]"
#define S(t, rest) "{\"t_ns\":" #t ",\"status\":[1],\"rollup\":[2],\"faults\":null" rest "}\n"

/* The text of show: the times past a minute and an hour, how it ended, a
 * status that could not be read. */
static void test_text(void **state)
{
	static const struct {
		const char *text;
		const char *want[3];
	} cases[] = {
		{ HEAD S(0, "") S(90000000000, "")
		  "{\"end\":\"error\",\"t_ns\":90000000000,\"samples\":2}\n",
		  { "recorded 1m30s", "ended: the process could no longer be read", "every 1s" } },
		{ HEAD S(0, "") S(7500000000000, ""),
		  { "recorded 2h05m", "no end: the recorder was killed, or still runs", NULL } },
		{ HEAD "{\"t_ns\":0,\"status\":[null],\"rollup\":[2],\"faults\":null}\n",
		  { "RSS: n/a (status could not be read)", "recorded 0s", NULL } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_report_options opt = { .width = 200 };
		struct vms_recording *rec = NULL;
		struct vms_load_error err;
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		if (vms_recording_load(cases[i].text, strlen(cases[i].text), &rec, &err) != 0)
			fail_msg("case %zu: %u:%u %s: %s", i, err.line, err.column, err.path,
				 err.message);
		assert_int_equal(vms_report_recording_text(out, rec, &opt), 0);
		assert_int_equal(fclose(out), 0);
		for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
			if (!strstr(buf, cases[i].want[k]))
				fail_msg("case %zu: no '%s' in:\n%s", i, cases[i].want[k], buf);
		vms_recording_free(rec);
		free(buf);
	}
}

/* The widest line of text, in columns (UTF-8 characters). */
static size_t widest(const char *text)
{
	size_t w = 0, col = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		col += (*p & 0xc0) != 0x80;
		if (col > w)
			w = col;
	}
	return w;
}

/* show's text of a recording at each width: no line wider (80 when none is
 * given, the canvas's widest past it); --top's count said; ASCII glyphs
 * only when asked; into a file that cannot be written, the error. */
static void test_text_widths(void **state)
{
	static const struct {
		struct vms_report_options opt;
		size_t max;
		const char *want;
	} cases[] = {
		{ { .width = 0 }, 80, "regions by RSS growth" },
		{ { .width = 40 }, 40, "RSS" },
		{ { .width = 100000 }, CANVAS_MAX_WIDTH, "regions by RSS growth" },
		{ { .width = 120, .top = 1 }, 120, ", top 1 shown" },
		{ { .width = 80, .ascii = true }, 80, "regions by RSS growth" },
		{ { .full_lines = true }, 200, "regions by RSS growth" },
	};
	struct vms_rec_delta d[3] = { 0 };
	struct vms_recording *rec = NULL;
	struct vms_load_error err;
	size_t len;
	char *buf = record_three(&len, d);
	FILE *full;

	(void)state;
	assert_int_equal(vms_recording_load(buf, len, &rec, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = NULL;
		size_t n = 0;
		FILE *out = open_memstream(&text, &n);

		assert_non_null(out);
		assert_int_equal(vms_report_recording_text(out, rec, &cases[i].opt), 0);
		assert_int_equal(fclose(out), 0);
		if (widest(text) > cases[i].max || !strstr(text, cases[i].want))
			fail_msg("case %zu: %zu columns (at most %zu), '%s' wanted in:\n%s", i,
				 widest(text), cases[i].max, cases[i].want, text);
		if (cases[i].opt.ascii)
			for (const char *p = text; *p; p++)
				if ((unsigned char)*p >= 0x80)
					fail_msg("case %zu: not ASCII at %zu:\n%s", i, (size_t)(p - text),
						 text);
		free(text);
	}
	full = fopen("/dev/full", "w");
	if (full) {
		assert_int_equal(vms_report_recording_text(full, rec, &cases[0].opt), -ENOSPC);
		fclose(full);
	}
	vms_recording_free(rec);
	for (int t = 0; t < 3; t++)
		vms_rec_delta_release(&d[t]);
	free(buf);
}

static char *recording_html(const char *text, size_t len, unsigned top)
{
	struct vms_report_options opt = { .top = top };
	struct vms_recording *rec = NULL;
	struct vms_load_error err;
	char *page = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&page, &n);

	assert_non_null(out);
	if (vms_recording_load(text, len, &rec, &err) != 0)
		fail_msg("%u:%u %s: %s", err.line, err.column, err.path, err.message);
	assert_int_equal(vms_report_recording_html(out, rec, &opt), 0);
	assert_int_equal(fclose(out), 0);
	vms_recording_free(rec);
	return page;
}

/* show --format html of a recording: what appeared, vanished and shrank
 * (a minus, not a hyphen), --top's note, times in minutes and hours, a
 * recording without regions or a name, and one whose last line was cut. */
static void test_html(void **state)
{
	static const struct {
		const char *text;
		const char *want[3];
	} cases[] = {
		{ HEAD S(0, "") S(150000000000, ""),
		  { "<h1>? <small>pid 42</small></h1>", "2 samples over 2.5 min, every 1 s",
		    "no sample has the regions" } },
		{ HEAD S(0, "") S(7500000000000, "") "{\"t_ns\":1,\"sta",
		  { "2 samples over 2.1 h", "(its last line was cut short)", NULL } },
	};
	struct vms_rec_delta d[3] = { 0 };
	size_t len;
	char *buf = record_three(&len, d), *page;

	(void)state;
	page = recording_html(buf, len, 0);
	for (size_t k = 0; k < 4; k++) {
		static const char *const want[] = {
			"<span class=\"ch ch-appeared\">appeared</span>",
			"<span class=\"ch ch-vanished\">vanished</span>",
			"<td class=\"down\" data-v=\"-16384\">\u221216K</td>",
			"ended: duration",
		};

		if (!strstr(page, want[k]))
			fail_msg("no '%s' in:\n%s", want[k], page);
	}
	assert_null(strstr(page, "<p class=\"note\">"));
	free(page);
	page = recording_html(buf, len, 1);
	assert_non_null(strstr(page, "<p class=\"note\">the 1 that grew most of 5</p>"));
	assert_int_equal(strstr(strstr(page, "<tbody>"), "data-track=") != NULL, 1);
	free(page);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		page = recording_html(cases[i].text, strlen(cases[i].text), 0);
		for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
			if (!strstr(page, cases[i].want[k]))
				fail_msg("case %zu: no '%s' in:\n%s", i, cases[i].want[k], page);
		free(page);
	}
	for (int t = 0; t < 3; t++)
		vms_rec_delta_release(&d[t]);
	free(buf);
}

/* A recording of 301 samples step_ns apart, each with its status RSS and
 * the heap's RSS (a short record); *ret_len its length. */
static char *long_recording(long long step_ns, size_t *ret_len)
{
	size_t cap = 64 * 1024, len;
	char *text = malloc(cap);

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", HEAD S(0, ",\"regions\":[" HEAP "]"));
	for (int i = 1; i <= 300; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"{\"t_ns\":%lld,\"status\":[%d],\"rollup\":[2],\"faults\":null,"
					"\"regions\":[[0,\"0x1000\",\"0x2000\",%d,4096,0,4096,0]]}\n",
					i * step_ns, i, 4096 * (i % 7));
	assert_true(len < cap);
	*ret_len = len;
	return text;
}

/* The time axis of show's text: a tick every round step along the span,
 * each labelled; a recording of one sample has one tick, at 0s. */
static void test_text_axis(void **state)
{
	static const char one[] = HEAD S(0, ",\"regions\":[" HEAP "]");
	struct vms_report_options opt = { .width = 80 };
	struct vms_recording *rec = NULL;
	struct vms_load_error err;
	const char *axis;
	size_t len, n = 0;
	/* 300 s: ticks every 2 minutes */
	char *text = long_recording(1000000000, &len), *out = NULL;
	FILE *f;

	(void)state;
	for (int k = 0; k < 2; k++) {
		f = open_memstream(&out, &n);
		assert_non_null(f);
		if (vms_recording_load(k ? one : text, k ? strlen(one) : len, &rec, &err) != 0)
			fail_msg("%u:%u %s", err.line, err.column, err.message);
		assert_int_equal(vms_report_recording_text(f, rec, &opt), 0);
		assert_int_equal(fclose(f), 0);
		axis = strstr(out, "\u2514\u252c"); /* └┬ */
		if (!axis)
			fail_msg("no time axis in\n%s", out);
		if (k == 0 && !strstr(axis, "\n         0s            2m            4m\n"))
			fail_msg("no ticks every 2m in\n%s", out);
		if (k == 1 && (strstr(axis, "\u252c\u252c") || !strstr(axis, "\n         0s\n")))
			fail_msg("not one tick at 0s in\n%s", out);
		vms_recording_free(rec);
		free(out);
	}
	free(text);
}

/* The points of the first sparkline of a page. */
static size_t spark_points(const char *page)
{
	const char *at = strstr(page, "<td class=\"sp");
	size_t n = 1;

	assert_non_null(at);
	at = strstr(at, "points=\"");
	assert_non_null(at);
	for (at += 8; *at != '"'; at++)
		n += *at == ' ';
	return n;
}

/* A long recording's sparkline is thinned to 120 points, its last kept; a
 * region that never changed has a flat one; one sample lasts 0 ms. */
static void test_html_long(void **state)
{
	size_t len;
	char *text = long_recording(1000000, &len), *page;

	(void)state;
	page = recording_html(text, len, 0);
	assert_non_null(strstr(page, "301 samples over 300 ms, every 1 s"));
	/* 301 samples, every third kept, and the last: 101 */
	assert_int_equal(spark_points(page), 101);
	assert_null(strstr(page, "<td class=\"sp flat\">"));
	free(page);

	/* its first line alone */
	len = (size_t)(strchr(strchr(text, '\n') + 1, '\n') + 1 - text);
	page = recording_html(text, len, 0);
	assert_non_null(strstr(page, "1 samples over 0 ms"));
	assert_non_null(strstr(page, "<td class=\"sp flat\">"));
	assert_int_equal(spark_points(page), 1);
	free(page);
	free(text);
}

/*
 * A sample rebuilt from a file whose regions overlap keeps the first and
 * counts the other dropped; a sample without regions, or past the last,
 * is none; the sample at a time is the last with regions not after it; a
 * recording without regions has none; totals not read are no data.
 */
static void test_rebuild_hostile(void **state)
{
	static const char overlap[] =
		HEAD S(0, ",\"regions\":[" HEAP ",[1,\"0x1800\",\"0x3000\",4096,4096,0,4096,0,\"rw-p\","
			  "\"0x0\",\"00:00\",0,\"heap\",0,false,\"[heap]\"]]")
		S(5, "") "{\"t_ns\":9,\"status\":[1],\"rollup\":[null],\"faults\":null,\"regions\":[]}\n";
	static const char none[] = HEAD S(0, "");
	struct vms_recording *rec = NULL;
	struct vms_snapshot *snap = NULL;
	struct vms_load_error err;
	size_t at;

	(void)state;
	assert_int_equal(vms_recording_load(overlap, strlen(overlap), &rec, &err), 0);
	assert_int_equal(vms_recording_snapshot(rec, 0, &snap), 0);
	assert_int_equal(snap->n_regions, 1);
	assert_int_equal(snap->regions[0].start, 0x1000);
	assert_int_equal(snap->dropped_regions, 1);
	vms_snapshot_free(snap);
	snap = NULL;
	assert_int_equal(vms_recording_snapshot(rec, 1, &snap), -EINVAL);
	assert_int_equal(vms_recording_snapshot(rec, 3, &snap), -EINVAL);
	assert_null(snap);
	/* the last sample changed no region: both tracks are still there, the
	 * overlap dropped again; its smaps_rollup was not read */
	assert_int_equal(vms_recording_snapshot(rec, 2, &snap), 0);
	assert_int_equal(snap->n_regions, 1);
	assert_int_equal(snap->dropped_regions, 1);
	assert_int_equal(snap->src[VMS_SRC_STATUS].error, 0);
	assert_int_equal(snap->src[VMS_SRC_SMAPS_ROLLUP].error, -ENODATA);
	vms_snapshot_free(snap);
	assert_int_equal(vms_recording_sample_at(rec, 4, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(vms_recording_sample_at(rec, 9, &at), 0);
	assert_int_equal(at, 2);
	vms_recording_free(rec);

	assert_int_equal(vms_recording_load(none, strlen(none), &rec, &err), 0);
	assert_int_equal(vms_recording_sample_at(rec, 0, &at), -ENOENT);
	vms_recording_free(rec);
}

static void test_hostile(void **state)
{
	static const struct {
		const char *text;
		int r;
		unsigned line;
		const char *path;
		const char *message; /* a part of it, when given */
	} cases[] = {
		{ "", -EBADMSG, 0, "" },
		{ HEAD, 0, 0, "" },
		{ "{\"format\":\"vmscope-snapshot\"}\n", -EBADMSG, 1, "format" },
		{ "{\"format\":\"vmscope-recording\",\"version\":2}\n", -EPROTONOSUPPORT, 1, "version" },
		{ HEAD S(0, ",\"regions\":[" HEAP "],\"gone\":[]"), 0, 0, "" },
		/* a short record of a track never defined */
		{ HEAD S(0, ",\"regions\":[[0,\"0x1000\",\"0x2000\",1,1,0,1,0]]"), -EBADMSG, 2,
		  "regions[0]" },
		/* ids out of order */
		{ HEAD S(0, ",\"regions\":[[5,\"0x1000\",\"0x2000\",4096,4096,0,4096,0,\"rw-p\",\"0x0\","
			    "\"00:00\",0,\"heap\",0,false,\"[heap]\"]]"),
		  -EBADMSG, 2, "regions[0]" },
		/* start not below end */
		{ HEAD S(0, ",\"regions\":[[0,\"0x2000\",\"0x2000\",4096,4096,0,4096,0,\"rw-p\",\"0x0\","
			    "\"00:00\",0,\"heap\",0,false,\"[heap]\"]]"),
		  -EBADMSG, 2, "regions[0]" },
		/* an unknown kind */
		{ HEAD S(0, ",\"regions\":[[0,\"0x1000\",\"0x2000\",4096,4096,0,4096,0,\"rw-p\",\"0x0\","
			    "\"00:00\",0,\"hep\",0,false,\"[heap]\"]]"),
		  -EBADMSG, 2, "regions[0]" },
		/* an address without 0x */
		{ HEAD S(0, ",\"regions\":[[0,\"1000\",\"0x2000\",4096,4096,0,4096,0,\"rw-p\",\"0x0\","
			    "\"00:00\",0,\"heap\",0,false,\"[heap]\"]]"),
		  -EBADMSG, 2, "regions[0]" },
		/* time going back */
		{ HEAD S(5, "") S(4, ""), -EBADMSG, 3, "t_ns" },
		/* a negative size */
		{ HEAD "{\"t_ns\":0,\"status\":[-1],\"rollup\":[2],\"faults\":null}\n", -EBADMSG, 2,
		  "status" },
		/* the wrong number of status values */
		{ HEAD "{\"t_ns\":0,\"status\":[1,2],\"rollup\":[2],\"faults\":null}\n", -EBADMSG, 2,
		  "status" },
		/* gone: a track that is not alive */
		{ HEAD S(0, ",\"regions\":[],\"gone\":[0]"), -EBADMSG, 2, "gone" },
		{ HEAD S(0, ",\"regions\":[" HEAP "],\"gone\":[]") S(1, ",\"regions\":[],\"gone\":[0]")
			  S(2, ",\"regions\":[],\"gone\":[0]"),
		  -EBADMSG, 4, "gone" },
		/* the same track twice in one sample */
		{ HEAD S(0, ",\"regions\":[" HEAP "," HEAP "]"), -EBADMSG, 2, "regions[1]" },
		/* a line after the end */
		{ HEAD "{\"end\":\"duration\",\"t_ns\":0,\"samples\":0}\n" S(0, ""), -EBADMSG, 3, "" },
		{ HEAD "{\"end\":\"finished\",\"t_ns\":0,\"samples\":0}\n", -EBADMSG, 2, "end" },
		/* an end line that counts a sample the file lacks */
		{ HEAD S(0, "") "{\"end\":\"duration\",\"t_ns\":0,\"samples\":2}\n", -EBADMSG, 3,
		  "samples" },
		/* no JSON in the middle: line and column */
		{ HEAD S(0, "") "{\"t_ns\":1,,}\n" S(2, ""), -EBADMSG, 3, "" },
		/* the last line without its newline is dropped, whatever it holds */
		{ HEAD S(0, "") "{\"t_ns\":1,\"sta", 0, 0, "" },
		/* but for the first: a header alone is read */
		{ "{\"format\":\"vmscope-recording\",\"version\":2}", -EPROTONOSUPPORT, 1, "version",
		  "this vmscope reads version 1" },
		{ HEAD "[1]\n", -EBADMSG, 2, "", "expected an object" },
		/* a region's fields, each of the wrong shape */
		{ HEAD S(0, ",\"regions\":[" REG("\"0xA000\"", "\"rw-p\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected hexadecimal start and end" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x00000000000000001000\"", "\"rw-p\"", "\"00:00\"",
					      "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected hexadecimal start and end" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x\"", "\"rw-p\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected hexadecimal start and end" },
		{ HEAD S(0, ",\"regions\":[" REG("4096", "\"rw-p\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected hexadecimal start and end" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"qw-p\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected permissions" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rq-p\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected permissions" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rwqp\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected permissions" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-q\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected permissions" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-\"", "\"00:00\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected permissions" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected a device" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"100000000:0\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected a device" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"0:100000000\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected a device" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"0:1:2\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected a device" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"0-1\"", "false") "]"),
		  -EBADMSG, 2, "regions[0]", "expected a device" },
		{ HEAD S(0, ",\"regions\":[" REG("\"0x1000\"", "\"rw-p\"", "\"00:00\"", "0") "]"),
		  -EBADMSG, 2, "regions[0]", "expected true or false (deleted)" },
		/* the right shapes, uppercase and shared among them, load */
		{ HEAD S(0, ",\"regions\":[" REG("\"0xa000\"", "\"-w-s\"", "\"FE:0a\"", "true") "]"),
		  0, 0, "" },
		/* neither a short record (8 items) nor a whole one (16) */
		{ HEAD S(0, ",\"regions\":[[0,\"0x1000\",\"0x2000\",1,1,0,1,0,\"rw-p\"]]"), -EBADMSG, 2,
		  "regions[0]", "expected 8 or 16 items" },
		/* a whole record of a track that vanished */
		{ HEAD S(0, ",\"regions\":[" HEAP "],\"gone\":[]") S(1, ",\"regions\":[],\"gone\":[0]")
			  S(2, ",\"regions\":[" HEAP "]"),
		  -EBADMSG, 4, "regions[0]", "vanished before" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_recording *rec = NULL;
		struct vms_load_error err;
		int r = vms_recording_load(cases[i].text, strlen(cases[i].text), &rec, &err);

		if (r != cases[i].r)
			fail_msg("case %zu: %d, not %d (%u:%u %s: %s)", i, r, cases[i].r, err.line,
				 err.column, err.path, err.message);
		if (r == 0) {
			assert_non_null(rec);
			vms_recording_free(rec);
			continue;
		}
		if (cases[i].line && err.line != cases[i].line)
			fail_msg("case %zu: line %u, not %u (%s)", i, err.line, cases[i].line,
				 err.message);
		if (cases[i].path[0] && strcmp(err.path, cases[i].path) != 0)
			fail_msg("case %zu: path '%s', not '%s' (%s)", i, err.path, cases[i].path,
				 err.message);
		if (cases[i].message && !strstr(err.message, cases[i].message))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.message, cases[i].message);
		assert_true(err.message[0]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_widths),
		cmocka_unit_test(test_text_axis),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_long),
		cmocka_unit_test(test_rebuild_hostile),
		cmocka_unit_test(test_damaged_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
