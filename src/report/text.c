/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one-shot text report: totals first, then the layout of the address
 * space from high to low, then the objects and regions that matter, biggest
 * first. Everything is drawn into a canvas, so no byte of a process name
 * reaches the output unescaped and no line is wider than the width asked for.
 *
 * This file draws the header (who the process is, its totals, what could
 * not be read) and calls the other parts (text-internal.h) in turn.
 */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "base/procfile.h"
#include "base/strbuf.h"
#include "report/canvas.h"
#include "report/format.h"
#include "report/tables.h"
#include "report/text-internal.h"
#include "vmscope/model.h"

#define MIN_WIDTH 40  /* narrower is refused by the commands */
#define FULL_LINES_FIT 80 /* with full lines, bars are laid out as at this width; width 0 */

/* A count with thousands separators ("1,532"), plain digits with --bytes. */
static void fmt_count(const struct text *t, char buf[32], uint64_t v)
{
	char digits[24];
	size_t n, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, v);
	if (t->opt.bytes) {
		memcpy(buf, digits, n + 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* A line of "label value" items, two spaces apart, wrapping at the width. */
struct items {
	struct text *t;
	size_t y;
	unsigned x;
	bool empty;
};

static void items_start(struct text *t, struct items *it)
{
	*it = (struct items){ .t = t, .y = canvas_add_row(&t->cv), .x = 0, .empty = true };
}

static void items_add(struct items *it, const char *label, const char *value,
		      enum canvas_class vcls)
{
	struct canvas *cv = &it->t->cv;
	size_t lw = label ? canvas_text_width(label, strlen(label)) : 0;
	size_t vw = canvas_text_width(value, strlen(value));
	size_t need = lw + (label ? 1 : 0) + vw + (it->empty ? 0 : 2);

	if (!it->empty && it->x + need > cv->width) {
		it->y = canvas_add_row(cv);
		it->x = 0;
		it->empty = true;
		need -= 2;
	}
	if (!it->empty)
		it->x += 2;
	if (label) {
		it->x += canvas_put_str(cv, it->x, it->y, label, cv->width - it->x, 0,
					CANVAS_PLAIN);
		it->x += 1;
	}
	if (it->x < cv->width)
		it->x += canvas_put_str(cv, it->x, it->y, value, cv->width - it->x, 0,
					value == report_na ? CANVAS_DIM : vcls);
	it->empty = false;
}

static void items_size(struct items *it, const char *label, bool have, uint64_t v)
{
	char buf[32];

	items_add(it, label, report_size(buf, &it->t->opt, have, v), CANVAS_BOLD);
}

static bool status_has(const struct vms_totals *tot, enum vms_status_field f)
{
	return tot->status_have & (UINT32_C(1) << f);
}

static void header_process(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	const struct vms_process *p = &snap->proc;
	struct items it;
	char buf[32];
	const char *cmd;

	items_start(t, &it);
	items_add(&it, NULL, p->comm && p->comm[0] ? p->comm : "?", CANVAS_BOLD);
	snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)p->pid);
	items_add(&it, "pid", buf, CANVAS_PLAIN);
	if (p->user) {
		items_add(&it, "user", p->user, CANVAS_PLAIN);
	} else {
		snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)p->uid);
		items_add(&it, "uid", buf, CANVAS_PLAIN);
	}
	if (p->threads) {
		snprintf(buf, sizeof(buf), "%" PRIu32, p->threads);
		items_add(&it, "threads", buf, CANVAS_PLAIN);
	}
	if (p->kernel_thread)
		items_add(&it, NULL, "kernel thread", CANVAS_DIM);
	else if (p->state == 'Z')
		items_add(&it, NULL, "zombie", CANVAS_DIM);

	cmd = p->cmdline && p->cmdline[0] ? p->cmdline : p->exe;
	if (cmd && cmd[0]) {
		size_t y = canvas_add_row(&t->cv);

		if (t->opt.full_lines) /* whole, however long */
			canvas_put_uncut(&t->cv, 0, y, cmd, strlen(cmd), CANVAS_PLAIN);
		else
			canvas_put_str(&t->cv, 0, y, cmd, t->cv.width, 0, CANVAS_PLAIN);
	}
}

static void header_totals(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	const struct vms_totals *tot = &snap->totals;
	const struct vms_counters *ru = &tot->rollup;
	bool rollup = vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP);
	struct items it;
	char a[32], b[32];
	uint64_t shm;

	items_start(t, &it);
	items_size(&it, "VSZ", status_has(tot, VMS_ST_VM_SIZE), tot->status[VMS_ST_VM_SIZE]);
	items_size(&it, "RSS", status_has(tot, VMS_ST_VM_RSS), tot->status[VMS_ST_VM_RSS]);
	items_size(&it, "PSS", rollup && vms_counters_has(ru, VMS_MEM_PSS), ru->v[VMS_MEM_PSS]);
	if (rollup && report_have_uss(ru) && vms_model_uss_shmem(snap, &shm) && shm) {
		/* the shared memory in USS stays when the process exits: said apart */
		report_size(a, &t->opt, true, vms_counters_uss(ru));
		report_size(b, &t->opt, true, shm);
		strbuf_reset(&t->sb);
		strbuf_addf(&t->sb, "%s (%s shm)", a, b);
		items_add(&it, "USS", t->sb.buf, CANVAS_BOLD);
	} else {
		items_size(&it, "USS", rollup && report_have_uss(ru), vms_counters_uss(ru));
	}
	items_size(&it, "swap", status_has(tot, VMS_ST_VM_SWAP), tot->status[VMS_ST_VM_SWAP]);
	items_size(&it, "SwapPss", rollup && vms_counters_has(ru, VMS_MEM_SWAP_PSS),
		   ru->v[VMS_MEM_SWAP_PSS]);
	/* --reset-refs: what the process touched since the bits were cleared */
	if (snap->pages.refs_interval_ms) {
		report_size(a, &t->opt, rollup && vms_counters_has(ru, VMS_MEM_REFERENCED),
			    ru->v[VMS_MEM_REFERENCED]);
		strbuf_reset(&t->sb);
		strbuf_addf(&t->sb, "%s in %" PRIu64 " s", a, snap->pages.refs_interval_ms / 1000);
		items_add(&it, "working set", t->sb.buf, CANVAS_BOLD);
	}
	if (tot->have_faults) {
		strbuf_reset(&t->sb);
		fmt_count(t, a, tot->minflt);
		fmt_count(t, b, tot->majflt);
		strbuf_addf(&t->sb, "%s minor / %s major", a, b);
		items_add(&it, "faults", t->sb.buf, CANVAS_BOLD);
	} else {
		items_add(&it, "faults", report_na, CANVAS_BOLD);
	}

	items_start(t, &it);
	items_size(&it, "anon", status_has(tot, VMS_ST_RSS_ANON), tot->status[VMS_ST_RSS_ANON]);
	items_size(&it, "file", status_has(tot, VMS_ST_RSS_FILE), tot->status[VMS_ST_RSS_FILE]);
	items_size(&it, "shmem", status_has(tot, VMS_ST_RSS_SHMEM),
		   tot->status[VMS_ST_RSS_SHMEM]);
	items_size(&it, "page tables", status_has(tot, VMS_ST_VM_PTE),
		   tot->status[VMS_ST_VM_PTE]);
	items_size(&it, "peak RSS", status_has(tot, VMS_ST_VM_HWM), tot->status[VMS_ST_VM_HWM]);
}

static const char *source_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "run as the process owner or with CAP_SYS_PTRACE";
	case EFBIG:
		return "larger than vmscope reads";
	case EBADMSG:
		return "not in the format vmscope knows";
	case EXDEV:
		return "the process is in another IPC namespace";
	default:
		return NULL;
	}
}

/*
 * Puts our own prose (no process bytes) from column 0, wrapping at spaces;
 * continuation lines are indented by two.
 */
static void put_wrapped(struct text *t, const char *text, enum canvas_class cls)
{
	const char *p = text;
	unsigned indent = 0;

	while (*p) {
		unsigned room = t->width - indent;
		const char *end = p, *brk = NULL;
		size_t y = canvas_add_row(&t->cv);

		/* the longest run of words that fits */
		while (*end) {
			const char *next = strchr(end + 1, ' ');

			if (!next)
				next = end + strlen(end);
			if (canvas_text_width(p, (size_t)(next - p)) > room)
				break;
			brk = next;
			end = next;
		}
		if (!brk) /* a word wider than the line: cut it */
			brk = p + strlen(p);
		canvas_put_text(&t->cv, indent, y, p, (size_t)(brk - p), room, 0, cls);
		p = brk;
		while (*p == ' ')
			p++;
		indent = 2;
	}
}

/*
 * One line per reason a source could not be read, naming the sources it
 * hit and what would help: "smaps, smaps_rollup: Permission denied (...)".
 */
static void header_sources(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	bool done[VMS_SRC__MAX] = { false };

	for (int s = 0; s < VMS_SRC__MAX; s++) {
		const struct vms_source_status *st = &snap->src[s];
		int err = st->error < 0 ? -st->error : st->error;
		const char *hint;

		if (done[s] || !st->tried || !err)
			continue;
		strbuf_reset(&t->sb);
		for (int o = s; o < VMS_SRC__MAX; o++) {
			const struct vms_source_status *so = &snap->src[o];

			if (!so->tried || (so->error < 0 ? -so->error : so->error) != err)
				continue;
			if (o != s)
				strbuf_addstr(&t->sb, ", ");
			strbuf_addstr(&t->sb, vms_source_to_string(o));
			done[o] = true;
		}
		strbuf_addf(&t->sb, ": %s", procfile_strerror(err));
		hint = source_hint(err);
		if (hint)
			strbuf_addf(&t->sb, " (%s)", hint);
		put_wrapped(t, t->sb.buf, CANVAS_WARN);
	}
	if (snap->dropped_regions) {
		strbuf_reset(&t->sb);
		strbuf_addf(&t->sb,
			    "%" PRIu32 " maps entries dropped: the address space changed while it "
			    "was read",
			    snap->dropped_regions);
		put_wrapped(t, t->sb.buf, CANVAS_WARN);
	}
}

int vms_report_text(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt)
{
	static const struct vms_report_options defaults = { 0 };
	struct text t = { .out = out, .snap = snap, .opt = opt ? *opt : defaults };
	struct report_sink sink;

	if ((unsigned)t.opt.sort >= VMS_SORT__MAX)
		t.opt.sort = VMS_SORT_RSS;
	if (t.opt.top == 0)
		t.opt.top = REPORT_DEFAULT_TOP;
	t.width = !t.opt.width ? FULL_LINES_FIT /* 0 means 80 */
		  : t.opt.width > MIN_WIDTH ? t.opt.width : MIN_WIDTH;
	if (t.width > CANVAS_MAX_WIDTH)
		t.width = CANVAS_MAX_WIDTH;
	t.fit = t.width;
	if (t.opt.full_lines) {
		/* cut nothing: the canvas is as wide as it goes, its rows trimmed */
		t.fit = FULL_LINES_FIT;
		t.width = CANVAS_MAX_WIDTH;
	}
	canvas_init(&t.cv, t.width);
	text_reserve(&t);
	t.cv.ascii = t.opt.ascii;
	strbuf_init(&t.sb);

	header_process(&t);
	header_totals(&t);
	header_sources(&t);
	sink = text_sink(&t);
	report_insights(&sink, snap);
	text_diagram(&t);
	if (t.opt.by_object) {
		report_by_object(&sink, snap);
	} else {
		text_objects_table(&t);
		text_regions_table(&t);
	}
	if (t.opt.sections)
		text_sections_list(&t);
	text_flush(&t);

	canvas_release(&t.cv);
	strbuf_release(&t.sb);
	if (!t.err && (fflush(out) != 0 || ferror(out)))
		t.err = -EIO;
	return t.err;
}
