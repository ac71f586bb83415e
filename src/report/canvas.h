/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A curses-free grid of cells: the text reporter draws the layout diagram
 * and the tables into one and prints it; the live view copies the same
 * cells to the screen. Each cell holds one printable glyph (UTF-8) and a
 * color class, never a raw control byte: text enters through
 * canvas_put_text, which escapes it for display.
 *
 * The canvas grows downwards by canvas_add_row; a long report is printed
 * and cleared in chunks so that its memory stays bounded.
 */
#ifndef VMSCOPE_REPORT_CANVAS_H
#define VMSCOPE_REPORT_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a cell shows; the text writer maps a class to SGR, the live view to a color pair. */
enum canvas_class {
	CANVAS_PLAIN = 0,
	CANVAS_BOLD,    /* headings, key values */
	CANVAS_DIM,     /* unmapped gaps, n/a, hints */
	CANVAS_WARN,    /* what could not be read */
	CANVAS_CODE,    /* text */
	CANVAS_DATA,    /* rodata, relro, data, bss */
	CANVAS_HEAP,
	CANVAS_STACK,   /* stacks and their guards */
	CANVAS_ANON,
	CANVAS_FILE,
	CANVAS_SHM,
	CANVAS_SPECIAL, /* vdso, vvar, vsyscall */
	CANVAS__MAX
};

struct canvas_cell {
	char glyph[4]; /* UTF-8 of one code point */
	uint8_t len;   /* bytes in glyph; 0: the right half of a wide glyph */
	uint8_t cls;   /* enum canvas_class */
};

/* Text of a row that passes the canvas's width, written after its first x cells. */
struct canvas_tail {
	size_t y;
	unsigned x;
	uint8_t cls;  /* enum canvas_class */
	char *text;   /* escaped for display, glyphs set as the cells' */
};

struct canvas {
	unsigned width;
	/*
	 * The locale's charset is not UTF-8: vmscope's own glyphs (blocks, the
	 * ellipsis, box drawing, arrows, ×) are drawn in ASCII instead, here and
	 * nowhere else: full and upper blocks '#', lower ones '+' and '.', the
	 * light shade ':', "..." for the ellipsis, '-' '|' '+' for lines, 'x' for
 * ×, 'd' for Δ, 'v' '^' for the sort arrows.
	 * canvas_init clears it; set it before drawing.
	 */
	bool ascii;
	size_t height;
	size_t alloc; /* cells allocated */
	/* height rows of stride cells, row-major: columns [0, init) of every
	 * row are set; those after are not, and read as blanks. A piped
	 * report's rows are CANVAS_MAX_WIDTH columns wide, of which its lines
	 * use a hundred or so: the rows take the room of what is set. */
	struct canvas_cell *cells;
	unsigned init, stride; /* init <= stride <= width */
	/* the text canvas_put_uncut put after rows' cells, by row ascending */
	struct canvas_tail *tails;
	size_t n_tails, alloc_tails;
	/* the last code point canvas_put_cp drew, and its columns */
	uint32_t memo_cp;
	int memo_w;
};

enum {
	CANVAS_ALIGN_RIGHT = 1 << 0, /* end the text at x + maxw */
	CANVAS_TRUNC_LEFT = 1 << 1,  /* too long: keep the end ("…/lib/libc.so.6") */
};

/* width is clamped to [1, CANVAS_MAX_WIDTH]. */
#define CANVAS_MAX_WIDTH 1024
void canvas_init(struct canvas *c, unsigned width);
void canvas_release(struct canvas *c);
/* Room for `cells` cells, made now: a canvas printed each time it holds
 * about that many then draws without growing, where growing copies what it
 * holds into new pages (canvas_clear keeps the room). */
void canvas_reserve(struct canvas *c, size_t cells);
/* No rows; memory kept. */
void canvas_clear(struct canvas *c);

/* Appends a blank row; returns its index. */
size_t canvas_add_row(struct canvas *c);

extern const struct canvas_cell canvas_blank;

/* The cell at (x, y) to read: x < width, y < height. */
static inline const struct canvas_cell *canvas_cell(const struct canvas *c, unsigned x, size_t y)
{
	return x < c->init ? &c->cells[y * c->stride + x] : &canvas_blank;
}

/*
 * Puts the printable code point cp at (x, y). Returns the columns used: 1 or
 * 2 (wide), 0 if it does not fit in the row. A code point that is not
 * printable on its own (control, zero-width) is refused (0).
 */
unsigned canvas_put_cp(struct canvas *c, unsigned x, size_t y, uint32_t cp,
		       enum canvas_class cls);

/* Fills w columns from x with cp. */
void canvas_fill(struct canvas *c, unsigned x, size_t y, unsigned w, uint32_t cp,
		 enum canvas_class cls);

/*
 * Puts n bytes of s, escaped for display (control characters, invalid UTF-8
 * and zero-width characters as \xNN, see escape_display), in at most maxw
 * columns from x. Longer text is cut with "…" at the end (or, with
 * CANVAS_TRUNC_LEFT, at the start); a cut never splits a character or an
 * escape. Returns the columns used.
 */
unsigned canvas_put_text(struct canvas *c, unsigned x, size_t y, const char *s, size_t n,
			 unsigned maxw, unsigned flags, enum canvas_class cls);
unsigned canvas_put_str(struct canvas *c, unsigned x, size_t y, const char *s, unsigned maxw,
			unsigned flags, enum canvas_class cls);

/*
 * As canvas_put_text from x to the canvas's right edge, but text that does
 * not fit there is not cut: canvas_write writes the row's cells up to x and
 * then the whole text. For the last column of a row into a pipe, where no
 * line is cut (a command line of thousands of bytes). Returns the columns
 * used in the canvas.
 */
unsigned canvas_put_uncut(struct canvas *c, unsigned x, size_t y, const char *s, size_t n,
			  enum canvas_class cls);

/*
 * Text laid on rows one piece after the other, a row broken before a piece
 * that would pass the canvas's width; the rows after the first begin at
 * indent. A piece wider than a row is cut.
 */
struct canvas_flow {
	struct canvas *c;
	size_t y;
	unsigned x, indent;
	bool empty; /* nothing on the row yet */
};
/* Starts a row. */
void canvas_flow_start(struct canvas_flow *f, struct canvas *c, unsigned indent);
/* sep (our own text, spaces or ", ") then s, or s alone at the start of a row. */
void canvas_flow_add(struct canvas_flow *f, const char *sep, const char *s,
		     enum canvas_class cls);
/* Each word of text (our own prose), one space apart. */
void canvas_flow_words(struct canvas_flow *f, const char *text, enum canvas_class cls);

/* Columns canvas_put_text would need for s, uncut. */
size_t canvas_text_width(const char *s, size_t n);

/*
 * Writes every row, trailing blanks trimmed, each ended by '\n'; with color,
 * each class change as an SGR sequence (reset at the end of a row). Returns
 * 0 or -EIO.
 */
int canvas_write(const struct canvas *c, FILE *out, bool color);

#endif
