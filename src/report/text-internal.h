/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text report's parts. text.c renders the header (who the process is,
 * its totals, what could not be read) and calls the others, none of which
 * calls it back: diagram.c draws the layout of the address space,
 * text-tables.c the objects and regions tables and --sections, and
 * text-draw.c holds what they all draw with. The parts shared with other
 * views (sections, --by object, insights) are in tables.h.
 */
#ifndef VMSCOPE_REPORT_TEXT_INTERNAL_H
#define VMSCOPE_REPORT_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "report/canvas.h"
#include "report/tables.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

struct text {
	FILE *out;
	const struct vms_snapshot *snap;
	struct vms_report_options opt; /* defaults filled in */
	unsigned width;   /* of the canvas: text is cut there */
	unsigned fit;     /* the width bars and columns are laid out for */
	struct canvas cv;
	struct strbuf sb; /* scratch */
	int err;          /* the first write error */
	bool drew_zero;   /* the layout drew zero-page stretches: its note says what they are */
};

/* Prints the canvas and clears it; a write error is kept in t->err. */
void text_flush(struct text *t);
/* Flushes once enough rows are drawn: memory stays bounded. */
void text_maybe_flush(struct text *t);
/* The canvas's room for what it holds between two flushes, made at once. */
void text_reserve(struct text *t);
size_t text_blank_line(struct text *t);
/* The sink a shared part (tables.h) draws into: t's canvas, flushed as t's is. */
struct report_sink text_sink(struct text *t);

/* The colour class of a kind's family. */
enum canvas_class text_kind_class(enum vms_kind k);
/* What a kind is called in a table ("thread stack"); vms_kind_to_string is the JSON name. */
const char *text_kind_word(enum vms_kind k);
/* The full path of what a region maps, or "" (raw bytes, escaped on output). */
const char *text_region_path(const struct vms_snapshot *snap, const struct vms_region *r);
/*
 * Appends a short label: "libc.so.6 text", "thread stack 4711", "anon
 * mmap". Returns where in sb its tail starts (" text", " (deleted)"): the
 * part a cut should keep.
 */
size_t text_region_label(struct strbuf *sb, const struct vms_snapshot *snap,
			 const struct vms_region *r);
/*
 * Puts a label in maxw columns; when it is too long, its head is cut and
 * its tail (from byte `tail`) kept whole: "ld-linux-x86-64.s… rodata".
 */
unsigned text_put_label(struct canvas *cv, unsigned x, size_t y, const char *s, size_t len,
			size_t tail, unsigned maxw, enum canvas_class cls);
/* A value right-aligned in w columns; report_na dimmed. */
void text_put_value(struct text *t, unsigned x, size_t y, unsigned w, const char *v,
		    enum canvas_class cls);
unsigned text_hex_digits(uint64_t v);

/* The layout diagram, high addresses first, gaps included (diagram.c). */
void text_diagram(struct text *t);

/* The tables (text-tables.c), and --sections for the objects listed. */
void text_objects_table(struct text *t);
void text_regions_table(struct text *t);
void text_sections_list(struct text *t);

#endif
