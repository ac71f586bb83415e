/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one-shot text report: totals first, then the layout of the address
 * space from high to low, then the objects and regions that matter, biggest
 * first. Everything is drawn into a canvas, so no byte of a process name
 * reaches the output unescaped and no line is wider than the width asked for.
 */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "report/pages.h"
#include "report/tables.h"

#define MIN_WIDTH 80
#define DEFAULT_TOP 15
/* rows drawn before the canvas is printed and reused: bounded memory */
#define FLUSH_ROWS 256
#define GIB (UINT64_C(1) << 30)

struct text {
	FILE *out;
	const struct vms_snapshot *snap;
	struct vms_report_options opt; /* defaults filled in */
	unsigned width;
	struct canvas cv;
	struct strbuf sb; /* scratch */
	int err;
};

static void flush(struct text *t)
{
	int r = canvas_write(&t->cv, t->out, t->opt.color);

	if (r < 0 && !t->err)
		t->err = r;
	canvas_clear(&t->cv);
}

static void maybe_flush(struct text *t)
{
	if (t->cv.height >= FLUSH_ROWS)
		flush(t);
}

static size_t blank_line(struct text *t)
{
	return canvas_add_row(&t->cv);
}

/* Values */

static const char na[] = "n/a";

static void fmt_size(const struct text *t, char buf[32], uint64_t v)
{
	if (t->opt.bytes)
		snprintf(buf, 32, "%" PRIu64, v);
	else
		vms_format_size(buf, 32, v);
}

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

/* Kinds: a label and a color class per family */

static enum canvas_class kind_class(enum vms_kind k)
{
	switch (k) {
	case VMS_KIND_TEXT:
		return CANVAS_CODE;
	case VMS_KIND_RODATA:
	case VMS_KIND_RELRO:
	case VMS_KIND_DATA:
	case VMS_KIND_BSS:
		return CANVAS_DATA;
	case VMS_KIND_HEAP:
		return CANVAS_HEAP;
	case VMS_KIND_STACK:
	case VMS_KIND_THREAD_STACK:
	case VMS_KIND_GUARD:
		return CANVAS_STACK;
	case VMS_KIND_ANON:
		return CANVAS_ANON;
	case VMS_KIND_FILE:
		return CANVAS_FILE;
	case VMS_KIND_SHM:
		return CANVAS_SHM;
	case VMS_KIND_VDSO:
	case VMS_KIND_VVAR:
	case VMS_KIND_VSYSCALL:
		return CANVAS_SPECIAL;
	default:
		return CANVAS_PLAIN;
	}
}

/* What a kind is called in a table; vms_kind_to_string is the JSON name. */
static const char *const kind_words[VMS_KIND__MAX] = {
	[VMS_KIND_OTHER] = "other",
	[VMS_KIND_TEXT] = "text",
	[VMS_KIND_RODATA] = "rodata",
	[VMS_KIND_RELRO] = "relro",
	[VMS_KIND_DATA] = "data",
	[VMS_KIND_BSS] = "bss",
	[VMS_KIND_HEAP] = "heap",
	[VMS_KIND_STACK] = "stack",
	[VMS_KIND_THREAD_STACK] = "thread stack",
	[VMS_KIND_GUARD] = "guard",
	[VMS_KIND_ANON] = "anon",
	[VMS_KIND_FILE] = "file",
	[VMS_KIND_SHM] = "shm",
	[VMS_KIND_VDSO] = "vdso",
	[VMS_KIND_VVAR] = "vvar",
	[VMS_KIND_VSYSCALL] = "vsyscall",
};

static const char *kind_word(enum vms_kind k)
{
	return (unsigned)k < VMS_KIND__MAX ? kind_words[k] : "other";
}

static bool is_elf_part(enum vms_kind k)
{
	return k == VMS_KIND_TEXT || k == VMS_KIND_RODATA || k == VMS_KIND_RELRO ||
	       k == VMS_KIND_DATA || k == VMS_KIND_BSS;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1])
		return path;
	return slash + 1;
}

static const struct vms_object *region_object(const struct vms_snapshot *snap,
					      const struct vms_region *r)
{
	if (r->object < 0 || (size_t)r->object >= snap->n_objects)
		return NULL;
	return &snap->objects[r->object];
}

/* The full path of what a region maps, or "" (raw bytes, escaped on output). */
static const char *region_path(const struct vms_snapshot *snap, const struct vms_region *r)
{
	const struct vms_object *o = region_object(snap, r);

	if (o && o->path && o->path[0])
		return o->path;
	return r->name ? r->name : "";
}

/*
 * Appends a short label: "libc.so.6 text", "thread stack 4711", "anon
 * mmap". Returns where in sb its tail starts (" text", " (deleted)"): the
 * part a cut should keep.
 */
static size_t region_label(struct strbuf *sb, const struct vms_snapshot *snap,
			   const struct vms_region *r)
{
	const char *name = r->name ? r->name : "";
	const char *path = region_path(snap, r);
	size_t tail;

	switch (r->kind) {
	case VMS_KIND_TEXT:
	case VMS_KIND_RODATA:
	case VMS_KIND_RELRO:
	case VMS_KIND_DATA:
	case VMS_KIND_BSS:
		tail = sb->len;
		if (path[0]) {
			strbuf_addstr(sb, base_name(path));
			tail = sb->len;
			strbuf_addch(sb, ' ');
		}
		if (!report_section_label(sb, snap, r))
			strbuf_addstr(sb, kind_word(r->kind));
		if (r->deleted)
			strbuf_addstr(sb, " (deleted)");
		return tail;
	case VMS_KIND_STACK:
		strbuf_addstr(sb, "stack (main)");
		break;
	case VMS_KIND_THREAD_STACK:
		if (r->tid > 0)
			strbuf_addf(sb, "thread stack %" PRId32, r->tid);
		else
			strbuf_addstr(sb, "thread stack");
		break;
	case VMS_KIND_ANON:
		strbuf_addstr(sb, name[0] ? name : "anon mmap");
		break;
	case VMS_KIND_SHM:
		if (!path[0])
			strbuf_addstr(sb, "shared anon");
		else if (path[0] == '[')
			strbuf_addstr(sb, path);
		else
			strbuf_addstr(sb, base_name(path));
		break;
	case VMS_KIND_FILE:
	case VMS_KIND_OTHER:
		if (path[0] == '[' || (path[0] && r->kind == VMS_KIND_OTHER && path[0] != '/'))
			strbuf_addstr(sb, path);
		else if (path[0])
			strbuf_addstr(sb, base_name(path));
		else
			strbuf_addstr(sb, kind_word(r->kind));
		break;
	default:
		strbuf_addstr(sb, kind_word(r->kind));
		break;
	}
	tail = sb->len;
	if (r->deleted)
		strbuf_addstr(sb, " (deleted)");
	return tail;
}

/*
 * Puts a label in maxw columns; when it is too long, its head is cut and
 * its tail (from byte `tail`) kept whole: "ld-linux-x86-64.s… rodata".
 */
static unsigned put_label(struct canvas *cv, unsigned x, size_t y, const char *s, size_t len,
			  size_t tail, unsigned maxw, enum canvas_class cls)
{
	size_t tail_w = canvas_text_width(s + tail, len - tail);
	unsigned used;

	if (canvas_text_width(s, len) <= maxw || tail_w + 4 > maxw)
		return canvas_put_text(cv, x, y, s, len, maxw, 0, cls);
	used = canvas_put_text(cv, x, y, s, tail, maxw - (unsigned)tail_w, 0, cls);
	return used + canvas_put_text(cv, x + used, y, s + tail, len - tail, (unsigned)tail_w, 0,
				      cls);
}

/* Column helpers */

static void put_value(struct text *t, unsigned x, size_t y, unsigned w, const char *v,
		      enum canvas_class cls)
{
	canvas_put_str(&t->cv, x, y, v, w, CANVAS_ALIGN_RIGHT, v == na ? CANVAS_DIM : cls);
}

/* A size column: the value when have, else n/a. */
static const char *size_or_na(const struct text *t, char buf[32], bool have, uint64_t v)
{
	if (!have)
		return na;
	fmt_size(t, buf, v);
	return buf;
}

static bool mem_has(const struct vms_counters *c, enum vms_mem m)
{
	return vms_counters_has(c, m);
}

static bool uss_has(const struct vms_counters *c)
{
	return mem_has(c, VMS_MEM_PRIVATE_CLEAN) && mem_has(c, VMS_MEM_PRIVATE_DIRTY);
}

static unsigned hex_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >>= 4)
		n++;
	return n;
}

/* Header: who the process is and its totals */

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
					value == na ? CANVAS_DIM : vcls);
	it->empty = false;
}

static void items_size(struct items *it, const char *label, bool have, uint64_t v)
{
	char buf[32];

	items_add(it, label, size_or_na(it->t, buf, have, v), CANVAS_BOLD);
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

	items_start(t, &it);
	items_size(&it, "VSZ", status_has(tot, VMS_ST_VM_SIZE), tot->status[VMS_ST_VM_SIZE]);
	items_size(&it, "RSS", status_has(tot, VMS_ST_VM_RSS), tot->status[VMS_ST_VM_RSS]);
	items_size(&it, "PSS", rollup && mem_has(ru, VMS_MEM_PSS), ru->v[VMS_MEM_PSS]);
	items_size(&it, "USS", rollup && uss_has(ru), vms_counters_uss(ru));
	items_size(&it, "swap", status_has(tot, VMS_ST_VM_SWAP), tot->status[VMS_ST_VM_SWAP]);
	if (tot->have_faults) {
		strbuf_reset(&t->sb);
		fmt_count(t, a, tot->minflt);
		fmt_count(t, b, tot->majflt);
		strbuf_addf(&t->sb, "%s minor / %s major", a, b);
		items_add(&it, "faults", t->sb.buf, CANVAS_BOLD);
	} else {
		items_add(&it, "faults", na, CANVAS_BOLD);
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
		strbuf_addf(&t->sb, ": %s", strerror(err));
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

/* The layout diagram */

struct drow {
	uint64_t start, end; /* lowest start, highest end */
	uint64_t size;       /* sum of the regions' sizes; the gap's for a gap row */
	uint64_t rss, pss;
	size_t first, count; /* regions[first ...] folded into this row */
	bool gap, have_rss, have_pss;
};

/*
 * An unmapped gap worth a row of its own: one that would dwarf the rows
 * around it in a proportional drawing. A few pages between small mappings
 * (alignment, guards of other kinds) are not worth one.
 */
static bool large_gap(uint64_t gap, uint64_t below, uint64_t above)
{
	uint64_t big = below > above ? below : above;

	if (gap >= GIB)
		return true;
	if (gap < 64 * 1024)
		return false;
	return big < gap / 16;
}

static bool can_fold(const struct vms_snapshot *snap, const struct drow *row,
		     const struct vms_region *r)
{
	const struct vms_region *f = &snap->regions[row->first];

	if (r->kind != f->kind || r->object != f->object || r->tid != f->tid)
		return false;
	if (r->deleted != f->deleted)
		return false;
	/* a region without an object is told apart by its name ([anon:x]) */
	if (r->object < 0 && strcmp(r->name ? r->name : "", f->name ? f->name : "") != 0)
		return false;
	/* the main stack and the heap are one region each: never "×2" */
	if (r->kind == VMS_KIND_STACK || r->kind == VMS_KIND_HEAP)
		return r->start == row->end;
	return !large_gap(r->start - row->end, row->size, vms_region_size(r));
}

static void row_add(struct drow *row, const struct vms_region *r)
{
	row->end = r->end;
	row->size += vms_region_size(r);
	row->count++;
	if (mem_has(&r->mem, VMS_MEM_RSS))
		row->rss += r->mem.v[VMS_MEM_RSS];
	else
		row->have_rss = false;
	if (mem_has(&r->mem, VMS_MEM_PSS))
		row->pss += r->mem.v[VMS_MEM_PSS];
	else
		row->have_pss = false;
}

/* Rows in address order, gaps included. Caller frees. */
static struct drow *diagram_rows(const struct vms_snapshot *snap, size_t *ret_n)
{
	struct drow *rows = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		struct drow *last = n ? &rows[n - 1] : NULL;

		if (last && !last->gap && r->start >= last->end && can_fold(snap, last, r)) {
			row_add(last, r);
			continue;
		}
		if (last && r->start > last->end &&
		    large_gap(r->start - last->end, last->size, vms_region_size(r))) {
			uint64_t gap_start = last->end; /* rows may move */

			ARRAY_GROW(rows, n + 1, alloc);
			rows[n] = (struct drow){ .start = gap_start, .end = r->start,
						 .size = r->start - gap_start, .gap = true };
			n++;
		}
		ARRAY_GROW(rows, n + 1, alloc);
		rows[n] = (struct drow){ .start = r->start, .end = r->start, .first = i,
					 .have_rss = true, .have_pss = true };
		row_add(&rows[n], r);
		n++;
	}
	*ret_n = n;
	return rows;
}

/* The row's label into t->sb; returns where its tail starts (see put_label). */
static size_t row_label(struct text *t, const struct drow *row)
{
	const struct vms_snapshot *snap = t->snap;
	const struct vms_region *r = &snap->regions[row->first];
	char buf[32];
	size_t tail;

	strbuf_reset(&t->sb);
	if (row->gap) {
		/* Up to [vsyscall], in the kernel's half: not user space that
		 * could be mapped, so its size (16E) says nothing. */
		if (row->end >> 63) {
			strbuf_addstr(&t->sb, "\u2504 end of user space \u2504");
			return t->sb.len;
		}
		fmt_size(t, buf, row->size);
		strbuf_addf(&t->sb, "\u2504 %s unmapped \u2504", buf);
		return t->sb.len;
	}
	tail = region_label(&t->sb, snap, r);
	if (row->count > 1 && r->object < 0)
		strbuf_addf(&t->sb, " \u00d7%zu", row->count);
	return tail;
}

/* The resident share as a bar of eighth blocks. */
static void put_bar(struct text *t, unsigned x, size_t y, unsigned w, uint64_t part,
		    uint64_t whole, enum canvas_class cls)
{
	static const uint32_t eighths[8] = { 0, 0x258f, 0x258e, 0x258d,
					     0x258c, 0x258b, 0x258a, 0x2589 };
	uint64_t total = (uint64_t)w * 8, fill;

	if (!w || !whole || !part)
		return;
	if (part >= whole)
		fill = total;
	else
		fill = (uint64_t)((double)part / (double)whole * (double)total + 0.5);
	if (fill == 0)
		fill = 1; /* something resident: never draw it as nothing */
	canvas_fill(&t->cv, x, y, (unsigned)(fill / 8), 0x2588, cls);
	if (fill % 8)
		canvas_put_cp(&t->cv, x + (unsigned)(fill / 8), y, eighths[fill % 8], cls);
}

/*
 * Where along the row its pages are resident (pagemap), as eighth-height
 * blocks; false without page data, and the bar is drawn instead.
 */
static bool put_strip(struct text *t, unsigned x, size_t y, unsigned w, const struct drow *row,
		      enum canvas_class cls)
{
	static const uint32_t heights[9] = { ' ', 0x2581, 0x2582, 0x2583, 0x2584,
					     0x2585, 0x2586, 0x2587, 0x2588 };
	uint8_t levels[CANVAS_MAX_WIDTH];

	if (w > CANVAS_MAX_WIDTH || !pages_strip(t->snap, row->first, row->count, w, levels))
		return false;
	for (unsigned i = 0; i < w; i++)
		if (levels[i])
			canvas_put_cp(&t->cv, x + i, y, heights[levels[i]], cls);
	return true;
}

struct dcols {
	unsigned aw, lw, sw, rw, pw, bw;
	unsigned ax, lx, sx, rx, px, bx;
};

static void diagram_columns(struct text *t, const struct drow *rows, size_t n,
			    struct dcols *c)
{
	unsigned label_max = 6, fixed, avail;
	char buf[32];

	*c = (struct dcols){ .aw = 7, .sw = 5, .rw = 5, .pw = 5 };
	for (size_t i = 0; i < n; i++) {
		const struct drow *row = &rows[i];
		size_t w;

		if (row->gap)
			continue;
		if (hex_digits(row->start) > c->aw)
			c->aw = hex_digits(row->start);
		row_label(t, row);
		w = canvas_text_width(t->sb.buf, t->sb.len);
		if (w > label_max)
			label_max = w > 64 ? 64 : (unsigned)w;
		fmt_size(t, buf, row->size);
		if (strlen(buf) > c->sw)
			c->sw = (unsigned)strlen(buf);
		fmt_size(t, buf, row->rss);
		if (strlen(buf) > c->rw)
			c->rw = (unsigned)strlen(buf);
		fmt_size(t, buf, row->pss);
		if (strlen(buf) > c->pw)
			c->pw = (unsigned)strlen(buf);
	}
	fixed = 1 + c->aw + 2 + 2 + c->sw + 2 + c->rw + 2 + c->pw + 2;
	/*
	 * Labels and the bar share what the numbers leave: a label gets what it
	 * needs up to 2/3 of it (12 columns at least), the bar the rest.
	 */
	avail = t->width > fixed ? t->width - fixed : 0;
	c->lw = label_max;
	if (c->lw > avail * 2 / 3)
		c->lw = avail * 2 / 3;
	if (c->lw < 12)
		c->lw = 12;
	c->bw = avail > c->lw ? avail - c->lw : 0;
	c->ax = 1;
	c->lx = c->ax + c->aw + 2;
	c->sx = c->lx + c->lw + 2;
	c->rx = c->sx + c->sw + 2;
	c->px = c->rx + c->rw + 2;
	c->bx = c->px + c->pw + 2;
}

static void diagram_row(struct text *t, const struct dcols *c, const struct drow *row)
{
	const struct vms_snapshot *snap = t->snap;
	size_t y = canvas_add_row(&t->cv);
	const struct vms_region *r;
	enum canvas_class cls;
	char buf[32];
	size_t tail = row_label(t, row);

	if (row->gap) {
		canvas_put_text(&t->cv, c->lx, y, t->sb.buf, t->sb.len, t->width - c->lx, 0,
				CANVAS_DIM);
		return;
	}
	r = &snap->regions[row->first];
	cls = kind_class(r->kind);
	snprintf(buf, sizeof(buf), "%" PRIx64, row->start);
	canvas_put_str(&t->cv, c->ax, y, buf, c->aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	put_label(&t->cv, c->lx, y, t->sb.buf, t->sb.len, tail, c->lw, cls);
	put_value(t, c->sx, y, c->sw, size_or_na(t, buf, true, row->size), CANVAS_PLAIN);
	put_value(t, c->rx, y, c->rw, size_or_na(t, buf, row->have_rss, row->rss), CANVAS_PLAIN);
	put_value(t, c->px, y, c->pw, size_or_na(t, buf, row->have_pss, row->pss), CANVAS_PLAIN);
	if (!put_strip(t, c->bx, y, c->bw, row, cls) && row->have_rss)
		put_bar(t, c->bx, y, c->bw, row->rss, row->size, cls);
}

static void diagram(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	struct drow *rows;
	struct dcols c;
	size_t n, y;

	if (snap->n_regions == 0) {
		const char *why = NULL;

		if (vms_snapshot_have(snap, VMS_SRC_SMAPS))
			why = "no memory regions: a kernel thread or a zombie has no address "
			      "space";
		else if (snap->src[VMS_SRC_SMAPS].tried)
			why = "no layout: the regions could not be read";
		if (why) {
			blank_line(t);
			y = canvas_add_row(&t->cv);
			canvas_put_str(&t->cv, 0, y, why, t->width, 0, CANVAS_DIM);
		}
		return;
	}

	rows = diagram_rows(snap, &n);
	diagram_columns(t, rows, n, &c);
	blank_line(t);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, c.ax, y, "address", c.aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.lx, y, "region", c.lw, 0, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.sx, y, "size", c.sw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.rx, y, "RSS", c.rw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.px, y, "PSS", c.pw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, c.bx, y, "resident", c.bw, 0, CANVAS_BOLD);
	for (size_t i = n; i-- > 0;) {
		diagram_row(t, &c, &rows[i]);
		maybe_flush(t);
	}
	free(rows);
}

/* Tables */

struct sort_ctx {
	const struct vms_snapshot *snap;
	enum vms_sort sort;
};

static uint64_t mem_key(const struct vms_counters *c, uint64_t size, enum vms_sort sort)
{
	switch (sort) {
	case VMS_SORT_PSS:
		return c->v[VMS_MEM_PSS];
	case VMS_SORT_USS:
		return vms_counters_uss(c);
	case VMS_SORT_SIZE:
		return size;
	case VMS_SORT_SWAP:
		return c->v[VMS_MEM_SWAP];
	default:
		return c->v[VMS_MEM_RSS];
	}
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_region(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct vms_region *a = &ctx->snap->regions[*(const size_t *)pa];
	const struct vms_region *b = &ctx->snap->regions[*(const size_t *)pb];
	int r = 0;

	if (ctx->sort != VMS_SORT_ADDRESS)
		r = cmp_u64_desc(mem_key(&a->mem, vms_region_size(a), ctx->sort),
				 mem_key(&b->mem, vms_region_size(b), ctx->sort));
	if (r == 0)
		r = a->start < b->start ? -1 : a->start > b->start;
	return r;
}

static int cmp_object(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct vms_object *a = &ctx->snap->objects[ia];
	const struct vms_object *b = &ctx->snap->objects[ib];
	int r = 0;

	/* objects are made in address order: their index is their address order */
	if (ctx->sort != VMS_SORT_ADDRESS)
		r = cmp_u64_desc(mem_key(&a->mem, a->vsize, ctx->sort),
				 mem_key(&b->mem, b->vsize, ctx->sort));
	if (r == 0)
		r = ia < ib ? -1 : ia > ib;
	return r;
}

/* Indices 0..n-1 sorted by cmp; caller frees. */
static size_t *sorted_indices(struct text *t, size_t n,
			      int (*cmp)(const void *, const void *, void *))
{
	struct sort_ctx ctx = { t->snap, t->opt.sort };
	size_t *idx = xreallocarray(NULL, n ? n : 1, sizeof(*idx));

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp, &ctx);
	return idx;
}

static size_t shown(const struct text *t, size_t n)
{
	if (t->opt.all || n < t->opt.top)
		return n;
	return t->opt.top;
}

static void table_title(struct text *t, const char *what, size_t n, size_t show)
{
	size_t y;

	blank_line(t);
	strbuf_reset(&t->sb);
	if (show < n)
		strbuf_addf(&t->sb, "%s: top %zu of %zu by %s", what, show, n,
			    vms_sort_to_string(t->opt.sort));
	else
		strbuf_addf(&t->sb, "%s: %zu by %s", what, n, vms_sort_to_string(t->opt.sort));
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 0, y, t->sb.buf, t->width, 0, CANVAS_BOLD);
}

static void table_more(struct text *t, size_t n, size_t show, const char *what)
{
	size_t y;

	if (show >= n)
		return;
	strbuf_reset(&t->sb);
	strbuf_addf(&t->sb, "\u2026 %zu more %s not shown", n - show, what);
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 1, y, t->sb.buf, t->width - 1, 0, CANVAS_DIM);
}

/* Width of a column of sizes: at least the header's and 5 ("1023K"). */
static unsigned value_width(const struct text *t, uint64_t max)
{
	char buf[32];

	if (!t->opt.bytes)
		return 5;
	fmt_size(t, buf, max);
	return strlen(buf) > 5 ? (unsigned)strlen(buf) : 5;
}

enum { OC_RSS, OC_PSS, OC_USS, OC_SIZE, OC__MAX };

static void objects_table(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	static const char *const heads[OC__MAX] = { "RSS", "PSS", "USS", "size" };
	size_t n = snap->n_objects, show = shown(t, n), *idx;
	unsigned vw = 5, x, px;
	size_t y;

	if (n == 0)
		return;
	idx = sorted_indices(t, n, cmp_object);
	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		unsigned w = value_width(t, o->vsize > o->mem.v[VMS_MEM_RSS]
						    ? o->vsize : o->mem.v[VMS_MEM_RSS]);

		if (w > vw)
			vw = w;
	}
	table_title(t, "objects", n, show);
	y = canvas_add_row(&t->cv);
	for (int k = 0; k < OC__MAX; k++)
		canvas_put_str(&t->cv, 1 + (unsigned)k * (vw + 2), y, heads[k], vw,
			       CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	x = 1 + OC__MAX * (vw + 2);
	canvas_put_str(&t->cv, x, y, "regions", 7, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	px = x + 7 + 2;
	canvas_put_str(&t->cv, px, y, "path", t->width - px, 0, CANVAS_BOLD);

	for (size_t i = 0; i < show; i++) {
		const struct vms_object *o = &snap->objects[idx[i]];
		const struct vms_counters *m = &o->mem;
		char buf[32];
		unsigned used;

		y = canvas_add_row(&t->cv);
		put_value(t, 1, y, vw, size_or_na(t, buf, mem_has(m, VMS_MEM_RSS),
						  m->v[VMS_MEM_RSS]), CANVAS_PLAIN);
		put_value(t, 1 + (vw + 2), y, vw,
			  size_or_na(t, buf, mem_has(m, VMS_MEM_PSS), m->v[VMS_MEM_PSS]),
			  CANVAS_PLAIN);
		put_value(t, 1 + 2 * (vw + 2), y, vw,
			  size_or_na(t, buf, uss_has(m), vms_counters_uss(m)), CANVAS_PLAIN);
		put_value(t, 1 + 3 * (vw + 2), y, vw, size_or_na(t, buf, true, o->vsize),
			  CANVAS_PLAIN);
		snprintf(buf, sizeof(buf), "%" PRIu32, o->n_regions);
		put_value(t, x, y, 7, buf, CANVAS_PLAIN);
		strbuf_reset(&t->sb);
		strbuf_addstr(&t->sb, o->path ? o->path : "");
		if (o->deleted)
			strbuf_addstr(&t->sb, " (deleted)");
		used = canvas_put_text(&t->cv, px, y, t->sb.buf, t->sb.len, t->width - px,
				       CANVAS_TRUNC_LEFT, o->is_main ? CANVAS_BOLD : CANVAS_FILE);
		(void)used;
		maybe_flush(t);
	}
	table_more(t, n, show, "objects");
	free(idx);
}

enum { RC_SIZE, RC_RSS, RC_PSS, RC_USS, RC_SWAP, RC__MAX };

static void regions_table(struct text *t)
{
	const struct vms_snapshot *snap = t->snap;
	static const char *const heads[RC__MAX] = { "size", "RSS", "PSS", "USS", "swap" };
	size_t n = snap->n_regions, show = shown(t, n), *idx;
	unsigned aw = 7, vw = 5, px, wx;
	size_t y;

	if (n == 0)
		return;
	idx = sorted_indices(t, n, cmp_region);
	for (size_t i = 0; i < show; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		unsigned w = value_width(t, vms_region_size(r));

		if (w > vw)
			vw = w;
		if (hex_digits(r->start) > aw)
			aw = hex_digits(r->start);
	}
	table_title(t, "regions", n, show);
	px = 1 + aw + 1;
	wx = px + 4 + RC__MAX * (vw + 2) + 2;
	y = canvas_add_row(&t->cv);
	canvas_put_str(&t->cv, 1, y, "address", aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, px, y, "perm", 4, 0, CANVAS_BOLD);
	for (int k = 0; k < RC__MAX; k++)
		canvas_put_str(&t->cv, px + 4 + 2 + (unsigned)k * (vw + 2), y, heads[k], vw,
			       CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(&t->cv, wx, y, "what", t->width - wx, 0, CANVAS_BOLD);

	for (size_t i = 0; i < show; i++) {
		const struct vms_region *r = &snap->regions[idx[i]];
		const struct vms_counters *m = &r->mem;
		enum canvas_class cls = kind_class(r->kind);
		char buf[32];
		char perms[5] = {
			r->perms & VMS_PERM_READ ? 'r' : '-',
			r->perms & VMS_PERM_WRITE ? 'w' : '-',
			r->perms & VMS_PERM_EXEC ? 'x' : '-',
			r->perms & VMS_PERM_SHARED ? 's' : 'p',
			'\0',
		};
		unsigned vx = px + 4 + 2, x;
		const char *path;

		y = canvas_add_row(&t->cv);
		snprintf(buf, sizeof(buf), "%" PRIx64, r->start);
		canvas_put_str(&t->cv, 1, y, buf, aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
		canvas_put_str(&t->cv, px, y, perms, 4, 0, CANVAS_PLAIN);
		put_value(t, vx, y, vw, size_or_na(t, buf, true, vms_region_size(r)),
			  CANVAS_PLAIN);
		put_value(t, vx + (vw + 2), y, vw,
			  size_or_na(t, buf, mem_has(m, VMS_MEM_RSS), m->v[VMS_MEM_RSS]),
			  CANVAS_PLAIN);
		put_value(t, vx + 2 * (vw + 2), y, vw,
			  size_or_na(t, buf, mem_has(m, VMS_MEM_PSS), m->v[VMS_MEM_PSS]),
			  CANVAS_PLAIN);
		put_value(t, vx + 3 * (vw + 2), y, vw,
			  size_or_na(t, buf, uss_has(m), vms_counters_uss(m)), CANVAS_PLAIN);
		put_value(t, vx + 4 * (vw + 2), y, vw,
			  size_or_na(t, buf, mem_has(m, VMS_MEM_SWAP), m->v[VMS_MEM_SWAP]),
			  CANVAS_PLAIN);

		/*
		 * What it is ("libc.so.6 text", "thread stack 4711"), the same
		 * label as in the layout, then the full path where it fits: a
		 * path cut short says less than the label, and the objects
		 * table has every path whole.
		 */
		strbuf_reset(&t->sb);
		size_t tail = region_label(&t->sb, snap, r);
		size_t lw = canvas_text_width(t->sb.buf, t->sb.len);
		x = wx + put_label(&t->cv, wx, y, t->sb.buf, t->sb.len, tail, t->width - wx, cls);
		path = region_path(snap, r);
		if (path[0] && (is_elf_part(r->kind) || r->kind == VMS_KIND_FILE ||
				r->kind == VMS_KIND_SHM)) {
			strbuf_reset(&t->sb);
			strbuf_addstr(&t->sb, path);
			if (r->deleted)
				strbuf_addstr(&t->sb, " (deleted)");
			if (wx + lw + 2 + canvas_text_width(t->sb.buf, t->sb.len) <= t->width)
				canvas_put_text(&t->cv, x + 2, y, t->sb.buf, t->sb.len,
						t->width - x - 2, 0, CANVAS_DIM);
		}
		maybe_flush(t);
	}
	table_more(t, n, show, "regions");
	free(idx);
}

static void sink_flush(void *ctx)
{
	maybe_flush(ctx);
}

/* --sections, for the objects the objects table lists. */
static void sections_list(struct text *t)
{
	struct report_sink sink = { &t->cv, t->width, &t->opt, sink_flush, t };
	size_t n = t->snap->n_objects, *idx = sorted_indices(t, n, cmp_object);

	report_sections(&sink, t->snap, idx, shown(t, n));
	free(idx);
}

int vms_report_text(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt)
{
	static const struct vms_report_options defaults = { 0 };
	struct text t = { .out = out, .snap = snap, .opt = opt ? *opt : defaults };

	if ((unsigned)t.opt.sort >= VMS_SORT__MAX)
		t.opt.sort = VMS_SORT_RSS;
	if (t.opt.top == 0)
		t.opt.top = DEFAULT_TOP;
	t.width = t.opt.width > MIN_WIDTH ? t.opt.width : MIN_WIDTH;
	if (t.width > CANVAS_MAX_WIDTH)
		t.width = CANVAS_MAX_WIDTH;
	canvas_init(&t.cv, t.width);
	strbuf_init(&t.sb);

	header_process(&t);
	header_totals(&t);
	header_sources(&t);
	{
		struct report_sink sink = { &t.cv, t.width, &t.opt, sink_flush, &t };

		report_insights(&sink, snap);
	}
	diagram(&t);
	if (t.opt.by_object) {
		struct report_sink sink = { &t.cv, t.width, &t.opt, sink_flush, &t };

		report_by_object(&sink, snap);
	} else {
		objects_table(&t);
		regions_table(&t);
	}
	if (t.opt.sections)
		sections_list(&t);
	flush(&t);

	canvas_release(&t.cv);
	strbuf_release(&t.sb);
	if (!t.err && (fflush(out) != 0 || ferror(out)))
		t.err = -EIO;
	return t.err;
}
