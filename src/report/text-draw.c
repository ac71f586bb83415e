/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of the text report draw with (text-internal.h): printing
 * and reusing the canvas, a kind's colour, a region's label and path, and
 * columns of values. It calls none of the parts.
 */
#include "config.h"

#include "report/text-internal.h"

#include <inttypes.h>
#include <string.h>

#include "base/strbuf.h"
#include "report/format.h"
#include "report/tables.h"

/*
 * Cells drawn before the canvas is printed and reused: 64 rows of 80
 * columns. A bound in cells, not rows: into a pipe the canvas is 1,024
 * columns wide (lines are not cut), and 256 such rows were 1.5 MB, each
 * page of it faulted in and copied as the canvas grew (a fifth of the page
 * faults of a report of 1,000 VMAs). 256 rows of 80 were still 120 KiB, a
 * page fault each 680 cells: a python3 with 28 ELF files drew 22 of its
 * report's faults there, 14 with 64 rows (30 KiB).
 */
#define FLUSH_CELLS (64 * 80)

void text_flush(struct text *t)
{
	int r = canvas_write(&t->cv, t->out, t->opt.color);

	if (r < 0 && !t->err)
		t->err = r;
	canvas_clear(&t->cv);
}

void text_maybe_flush(struct text *t)
{
	if (t->cv.height * t->cv.width >= FLUSH_CELLS)
		text_flush(t);
}

void text_reserve(struct text *t)
{
	/* a flush comes after the row that reaches the bound: one row over */
	canvas_reserve(&t->cv, FLUSH_CELLS + t->cv.width);
}

size_t text_blank_line(struct text *t)
{
	return canvas_add_row(&t->cv);
}

static void sink_flush(void *ctx)
{
	text_maybe_flush(ctx);
}

struct report_sink text_sink(struct text *t)
{
	return (struct report_sink){ &t->cv, t->width, &t->opt, sink_flush, t };
}

/* Kinds: a label and a color class per family */

enum canvas_class text_kind_class(enum vms_kind k)
{
	switch (k) {
	case VMS_KIND_TEXT:
	case VMS_KIND_CODE_CACHE:
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
	case VMS_KIND_ARENA:
	case VMS_KIND_MALLOC_MMAP:
	case VMS_KIND_JAVA_HEAP:
	case VMS_KIND_CLASS_SPACE:
		return CANVAS_HEAP;
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
	case VMS_KIND_RESERVED:
		return CANVAS_DIM;
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
	[VMS_KIND_RESERVED] = "reserved",
	[VMS_KIND_ARENA] = "malloc arena",
	[VMS_KIND_JAVA_HEAP] = "Java heap",
	[VMS_KIND_CODE_CACHE] = "JVM code cache",
	[VMS_KIND_CLASS_SPACE] = "JVM class space",
	[VMS_KIND_MALLOC_MMAP] = "malloc mmap",
};

const char *text_kind_word(enum vms_kind k)
{
	return (unsigned)k < VMS_KIND__MAX ? kind_words[k] : "other";
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1])
		return path;
	return slash + 1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * A file's base name; with its directory when the name is only digits,
 * which alone reads as a number: a JVM's perf data file is
 * /tmp/hsperfdata_USER/PID, shown "hsperfdata_USER/PID".
 */
static void file_name(struct strbuf *sb, const char *path)
{
	const char *base = base_name(path), *dir = base;

	if (base != path && all_digits(base)) {
		for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
			;
	}
	strbuf_addstr(sb, dir);
}

/* At most this many threads are named after an arena; the rest counted. */
#define ARENA_TIDS 3

/* "malloc arena", and the threads whose thread_arena is its malloc_state. */
static void arena_label(struct strbuf *sb, const struct vms_snapshot *snap,
			const struct vms_region *r)
{
	size_t n = 0;

	strbuf_addstr(sb, "malloc arena");
	for (size_t t = 0; t < snap->n_threads; t++) {
		if (snap->threads[t].arena != r->start + VMS_GLIBC_HEAP_INFO_SIZE)
			continue;
		if (n < ARENA_TIDS)
			strbuf_addf(sb, "%s%d", n ? " " : " of ", (int)snap->threads[t].tid);
		n++;
	}
	if (n > ARENA_TIDS)
		strbuf_addf(sb, " +%zu", n - ARENA_TIDS);
}

const char *text_region_path(const struct vms_snapshot *snap, const struct vms_region *r)
{
	const struct vms_object *o = vms_region_object(snap, r);

	if (o && o->path && o->path[0])
		return o->path;
	return r->name ? r->name : "";
}

size_t text_region_label(struct strbuf *sb, const struct vms_snapshot *snap,
			 const struct vms_region *r)
{
	const char *name = r->name ? r->name : "";
	const char *path = text_region_path(snap, r);
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
			strbuf_addstr(sb, text_kind_word(r->kind));
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
		if (vms_region_shm_type(r) != VMS_SHM_NONE)
			vms_region_shm_label(sb, r);
		else if (!path[0])
			strbuf_addstr(sb, "shared anon");
		else if (path[0] == '[')
			strbuf_addstr(sb, path);
		else
			strbuf_addstr(sb, base_name(path));
		if (vms_region_shm_type(r) == VMS_SHM_SYSV && r->deleted) {
			tail = sb->len;
			strbuf_addstr(sb, " (marked for removal)");
			return tail;
		}
		break;
	case VMS_KIND_RESERVED:
	case VMS_KIND_GUARD:
		/* the loader's holes say whose they are; a named region its name */
		if (r->object >= 0 && path[0] == '/') {
			strbuf_addstr(sb, base_name(path));
			strbuf_addch(sb, ' ');
		} else if (name[0] == '[') {
			strbuf_addstr(sb, name);
			strbuf_addch(sb, ' ');
		}
		strbuf_addstr(sb, text_kind_word(r->kind));
		break;
	case VMS_KIND_ARENA:
		arena_label(sb, snap, r);
		break;
	case VMS_KIND_VVAR:
		/* kernel 6.x maps the clock pages apart: [vvar_vclock] */
		strbuf_addstr(sb, strcmp(name, "[vvar_vclock]") == 0 ? "vvar_vclock" : "vvar");
		break;
	case VMS_KIND_FILE:
	case VMS_KIND_OTHER:
		if (path[0] == '[' || (path[0] && r->kind == VMS_KIND_OTHER && path[0] != '/')) {
			strbuf_addstr(sb, path);
		} else if (path[0]) {
			file_name(sb, path);
			tail = sb->len;
			strbuf_addch(sb, ' ');
			if (report_remapped_label(sb, snap, r))
				break;
			strbuf_setlen(sb, tail);
		} else {
			strbuf_addstr(sb, text_kind_word(r->kind));
		}
		break;
	default:
		strbuf_addstr(sb, text_kind_word(r->kind));
		break;
	}
	tail = sb->len;
	if (r->deleted)
		strbuf_addstr(sb, " (deleted)");
	return tail;
}

unsigned text_put_label(struct canvas *cv, unsigned x, size_t y, const char *s, size_t len,
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

void text_put_value(struct text *t, unsigned x, size_t y, unsigned w, const char *v,
		    enum canvas_class cls)
{
	canvas_put_str(&t->cv, x, y, v, w, CANVAS_ALIGN_RIGHT, v == report_na ? CANVAS_DIM : cls);
}

unsigned text_hex_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >>= 4)
		n++;
	return n;
}
