/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "report/canvas.h"

#include <errno.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define ELLIPSIS 0x2026

/*
 * The ASCII stand-in for one of our glyphs, or NULL to keep cp as it is.
 * Heights and widths of blocks keep their order: '.' under half, '+' from
 * half, '#' full.
 */
static const char *ascii_glyph(uint32_t cp)
{
	if (cp < 0x80)
		return NULL;
	if (cp == ELLIPSIS)
		return "...";
	if (cp == 0x00d7) /* × */
		return "x";
	if (cp == 0x0394) /* Δ, of a change */
		return "d";
	if (cp == 0x2013 || cp == 0x2014) /* – — */
		return "-";
	if (cp >= 0x2190 && cp <= 0x21ff) /* arrows */
		return cp == 0x2190 ? "<" : ">";
	if (cp == 0x25b2) /* ▲ */
		return "^";
	if (cp == 0x25bc) /* ▼ */
		return "v";
	if (cp >= 0x2500 && cp <= 0x257f) { /* box drawing */
		static const uint32_t across[] = { 0x2500, 0x2501, 0x2504, 0x2505, 0x2508,
						   0x2509, 0x254c, 0x254d, 0x2574, 0x2576 };
		static const uint32_t down[] = { 0x2502, 0x2503, 0x2506, 0x2507, 0x250a,
						 0x250b, 0x254e, 0x254f, 0x2575, 0x2577 };

		for (size_t i = 0; i < sizeof(across) / sizeof(across[0]); i++) {
			if (cp == across[i])
				return "-";
			if (cp == down[i])
				return "|";
		}
		return "+";
	}
	if (cp >= 0x2581 && cp <= 0x2583) /* ▁▂▃ */
		return ".";
	if (cp >= 0x2584 && cp <= 0x2587) /* ▄▅▆▇ */
		return "+";
	if (cp == 0x2588 || cp == 0x2580) /* █ ▀ */
		return "#";
	if (cp >= 0x2589 && cp <= 0x258c) /* ▉▊▋▌: half a cell or more */
		return "+";
	if (cp >= 0x258d && cp <= 0x258f) /* ▍▎▏ */
		return ".";
	if (cp >= 0x2591 && cp <= 0x2593) /* ░▒▓ */
		return ":";
	return NULL;
}

const struct canvas_cell canvas_blank = { .glyph = " ", .len = 1, .cls = CANVAS_PLAIN };
/* A row of blanks: a new row's set columns are a copy of it, and a row's
 * trailing blanks are found a block at a time against it. */
static const struct canvas_cell blank_row[CANVAS_MAX_WIDTH] = {
	[0 ... CANVAS_MAX_WIDTH - 1] = { .glyph = " ", .len = 1, .cls = CANVAS_PLAIN },
};
#define BLANK_BLOCK 64

void canvas_init(struct canvas *c, unsigned width)
{
	if (width < 1)
		width = 1;
	if (width > CANVAS_MAX_WIDTH)
		width = CANVAS_MAX_WIDTH;
	*c = (struct canvas){ .width = width, .memo_cp = UINT32_MAX };
}

void canvas_reserve(struct canvas *c, size_t cells)
{
	if (cells <= c->alloc)
		return;
	c->cells = xreallocarray_kept(c->cells, c->height * c->stride, cells, sizeof(*c->cells));
	c->alloc = cells;
}

static void clear_tails(struct canvas *c)
{
	for (size_t i = 0; i < c->n_tails; i++)
		free(c->tails[i].text);
	c->n_tails = 0;
}

void canvas_release(struct canvas *c)
{
	clear_tails(c);
	free(c->tails);
	c->tails = NULL;
	c->alloc_tails = 0;
	free(c->cells);
	c->cells = NULL;
	c->height = c->alloc = 0;
	c->init = c->stride = 0;
}

void canvas_clear(struct canvas *c)
{
	clear_tails(c);
	c->height = 0;
	c->init = 0;
}

/* The cell at (x, y) to write: x < init. */
static inline struct canvas_cell *cell_at(struct canvas *c, unsigned x, size_t y)
{
	return &c->cells[y * c->stride + x];
}

/*
 * Rows of `stride` cells from now on, the set columns of each moved: the
 * last row first, as the rows only move down. Happens once per block of
 * columns a report reaches, a few times in all.
 */
static void restride(struct canvas *c, unsigned stride)
{
	ARRAY_GROW_KEPT(c->cells, c->height * stride, c->alloc, c->height * c->stride);
	for (size_t y = c->height; y-- > 1;)
		memmove(c->cells + y * stride, c->cells + y * c->stride, c->init * sizeof(*c->cells));
	c->stride = stride;
}

/* Columns [0, upto) set in every row: blanks where they were not. */
static void set_columns(struct canvas *c, unsigned upto)
{
	unsigned to;

	if (upto <= c->init)
		return;
	/* a block at a time: a line is written left to right */
	to = (upto + BLANK_BLOCK - 1) / BLANK_BLOCK * BLANK_BLOCK;
	if (to > c->width)
		to = c->width;
	if (to > c->stride)
		restride(c, to);
	for (size_t y = 0; y < c->height; y++)
		memcpy(cell_at(c, c->init, y), blank_row, (to - c->init) * sizeof(*c->cells));
	c->init = to;
}

size_t canvas_add_row(struct canvas *c)
{
	size_t y = c->height;

	/* a row's room at least, for a canvas of no set column yet */
	ARRAY_GROW_KEPT(c->cells, (y + 1) * (c->stride ? c->stride : 1), c->alloc, y * c->stride);
	memcpy(c->cells + y * c->stride, blank_row, c->init * sizeof(*c->cells));
	c->height = y + 1;
	return y;
}

/* Columns of a code point that escape_display let through; 0 for one that
 * has no width of its own (combining, format) and -1 for a control. */
static int cp_width(uint32_t cp)
{
	int w;

	if (utf8_is_control(cp))
		return -1;
	w = escape_cp_width(cp);
	/* -1 here means "unknown to this locale" (the C locale knows no
	 * non-ASCII): count one column, as escape_display_width does. */
	if (w < 0)
		return 1;
	return w > 2 ? 2 : w;
}

/* Blanks the other half of a wide glyph that column x is part of. */
static void unpair(struct canvas *c, unsigned x, size_t y)
{
	if (cell_at(c, x, y)->len == 0 && x > 0)
		*cell_at(c, x - 1, y) = canvas_blank;
	if (x + 1 < c->width && cell_at(c, x + 1, y)->len == 0)
		*cell_at(c, x + 1, y) = canvas_blank;
}

static unsigned put_glyph(struct canvas *c, unsigned x, size_t y, const char *g, size_t len,
			  unsigned w, enum canvas_class cls)
{
	struct canvas_cell *cell;

	if (y >= c->height || x >= c->width || w > c->width - x || len > sizeof(cell->glyph))
		return 0;
	/* the glyph's columns and the one after, which unpair looks at */
	set_columns(c, x + w + 1 < c->width ? x + w + 1 : c->width);
	for (unsigned k = 0; k < w; k++)
		unpair(c, x + k, y);
	cell = cell_at(c, x, y);
	/* at most four bytes: no call */
	for (size_t i = 0; i < len; i++)
		cell->glyph[i] = g[i];
	cell->len = (uint8_t)len;
	cell->cls = (uint8_t)cls;
	if (w == 2)
		cell[1] = (struct canvas_cell){ .len = 0, .cls = (uint8_t)cls };
	return w;
}

/*
 * Plain ASCII s[0..n) (plain_ascii), a cell a byte from x, all of which fit:
 * put_glyph's work once for the span, not once a byte. Only a wide glyph
 * across either end of the span loses its other half; those inside are
 * overwritten whole.
 */
static void put_ascii(struct canvas *c, unsigned x, size_t y, const char *s, unsigned n,
		      enum canvas_class cls)
{
	struct canvas_cell *cell;

	if (n == 0 || y >= c->height || x >= c->width || n > c->width - x)
		return;
	set_columns(c, x + n + 1 < c->width ? x + n + 1 : c->width);
	unpair(c, x, y);
	unpair(c, x + n - 1, y);
	cell = cell_at(c, x, y);
	for (unsigned i = 0; i < n; i++)
		cell[i] = (struct canvas_cell){ .glyph = { s[i] }, .len = 1, .cls = (uint8_t)cls };
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

unsigned canvas_put_cp(struct canvas *c, unsigned x, size_t y, uint32_t cp,
		       enum canvas_class cls)
{
	const char *a = c->ascii ? ascii_glyph(cp) : NULL;
	char g[4];
	int w;

	/* a strip or a bar repeats its glyph: the locale is asked once */
	if (cp != c->memo_cp) {
		c->memo_cp = cp;
		c->memo_w = cp_width(cp);
	}
	w = c->memo_w;

	if (a) {
		size_t n = strlen(a);

		if (n > c->width || x > c->width - n)
			return 0;
		for (size_t i = 0; i < n; i++)
			put_glyph(c, x + (unsigned)i, y, a + i, 1, 1, cls);
		return (unsigned)n;
	}

	if (w <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return put_glyph(c, x, y, g, utf8_encode(cp, g), (unsigned)w, cls);
}

void canvas_fill(struct canvas *c, unsigned x, size_t y, unsigned w, uint32_t cp,
		 enum canvas_class cls)
{
	unsigned end;

	if (x >= c->width)
		return;
	end = w > c->width - x ? c->width : x + w;
	while (x < end) {
		unsigned used = canvas_put_cp(c, x, y, cp, cls);

		if (!used)
			break;
		x += used;
	}
}

/*
 * Text as display units: a glyph, or one character of an escape. A unit is
 * what a cut may not split: "\x1b" is four units of one column, but they
 * are kept together by `group` (the first unit of an escape carries its
 * length, the rest 0).
 */
struct unit {
	uint32_t off;   /* in the escaped text */
	uint8_t len;    /* bytes */
	uint8_t width;  /* columns */
	uint8_t group;  /* units in the indivisible group starting here; 0 inside one */
};

struct units {
	struct unit *u;
	size_t n, alloc;
	struct strbuf text;
};

static void add_unit(struct units *us, size_t off, size_t len, unsigned width, unsigned group)
{
	ARRAY_GROW(us->u, us->n + 1, us->alloc);
	us->u[us->n++] = (struct unit){ (uint32_t)off, (uint8_t)len, (uint8_t)width,
					(uint8_t)group };
}

/* Appends "\xNN" for each byte of s[0..n) to the text as one group. */
static void add_byte_escapes(struct units *us, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		char e[4] = { '\\', 'x', hex[b >> 4], hex[b & 15] };
		size_t off = us->text.len;

		strbuf_add(&us->text, e, 4);
		for (unsigned k = 0; k < 4; k++)
			add_unit(us, off + k, 1, 1, k == 0 ? 4 : 0);
	}
}

/* ascii: our glyphs as their ASCII stand-ins (see ascii_glyph), each kept whole. */
static void units_build(struct units *us, const char *s, size_t n, bool ascii)
{
	struct strbuf esc;
	size_t i = 0;

	strbuf_init(&esc);
	escape_display(&esc, s, n);
	while (i < esc.len) {
		uint32_t cp;
		size_t len = utf8_decode(esc.buf + i, esc.len - i, &cp);
		int w;

		if (len == 0) {
			/* escape_display never leaves invalid bytes; be safe anyway */
			add_byte_escapes(us, esc.buf + i, 1);
			i++;
			continue;
		}
		if (cp == '\\') {
			/* an escape from escape_display: "\\\\" or "\\xNN" */
			size_t elen = (i + 1 < esc.len && esc.buf[i + 1] == 'x') ? 4 : 2;
			size_t off = us->text.len;

			if (elen > esc.len - i)
				elen = esc.len - i;
			strbuf_add(&us->text, esc.buf + i, elen);
			for (size_t k = 0; k < elen; k++)
				add_unit(us, off + k, 1, 1, k == 0 ? (unsigned)elen : 0);
			i += elen;
			continue;
		}
		if (ascii && ascii_glyph(cp)) {
			const char *a = ascii_glyph(cp);
			size_t alen = strlen(a), off = us->text.len;

			strbuf_add(&us->text, a, alen);
			for (size_t k = 0; k < alen; k++)
				add_unit(us, off + k, 1, 1, k == 0 ? (unsigned)alen : 0);
			i += len;
			continue;
		}
		w = cp_width(cp);
		if (w <= 0) {
			/* zero-width (combining, bidi and other format characters):
			 * shown escaped, so that a name cannot reorder or hide the
			 * text around it */
			add_byte_escapes(us, esc.buf + i, len);
		} else {
			size_t off = us->text.len;

			strbuf_add(&us->text, esc.buf + i, len);
			add_unit(us, off, len, (unsigned)w, 1);
		}
		i += len;
	}
	strbuf_release(&esc);
}

static void units_release(struct units *us)
{
	free(us->u);
	strbuf_release(&us->text);
}

/*
 * Whether s[0..n) is printable ASCII without a backslash: text that
 * escape_display leaves as it is, a column a byte, in either glyph set.
 * Nearly all text is (names, numbers, labels): it skips the units.
 */
static bool plain_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b < 0x20 || b > 0x7e || b == '\\')
			return false;
	}
	return true;
}

size_t canvas_text_width(const char *s, size_t n)
{
	struct units us = { 0 };
	size_t w = 0;

	if (plain_ascii(s, n))
		return n;
	strbuf_init(&us.text);
	units_build(&us, s, n, false);
	for (size_t i = 0; i < us.n; i++)
		w += us.u[i].width;
	units_release(&us);
	return w;
}

/* Width of the group starting at unit i. */
static unsigned group_width(const struct units *us, size_t i)
{
	unsigned w = 0;

	for (size_t k = i; k < i + us->u[i].group && k < us->n; k++)
		w += us->u[k].width;
	return w;
}

unsigned canvas_put_text(struct canvas *c, unsigned x, size_t y, const char *s, size_t n,
			 unsigned maxw, unsigned flags, enum canvas_class cls)
{
	struct units us = { 0 };
	size_t total = 0, from = 0, to, i;
	unsigned used = 0, cx, ell = c->ascii ? 3 : 1; /* the ellipsis's columns */
	bool cut = false;

	if (y >= c->height || x >= c->width)
		return 0;
	if (maxw > c->width - x)
		maxw = c->width - x;
	if (maxw == 0)
		return 0;
	if (n <= maxw && plain_ascii(s, n)) {
		/* it fits as it is: a cell a byte */
		cx = (flags & CANVAS_ALIGN_RIGHT) ? x + maxw - (unsigned)n : x;
		put_ascii(c, cx, y, s, (unsigned)n, cls);
		return (unsigned)n;
	}
	strbuf_init(&us.text);
	units_build(&us, s, n, c->ascii);
	to = us.n;
	for (i = 0; i < us.n; i++)
		total += us.u[i].width;

	if (total > maxw && maxw < ell) {
		/* no room for text and an ellipsis: as much text as fits */
		for (i = 0, total = 0; i < us.n; i += us.u[i].group ? us.u[i].group : 1) {
			if (total + group_width(&us, i) > maxw)
				break;
			total += group_width(&us, i);
		}
		to = i;
	} else if (total > maxw) {
		unsigned room = maxw - ell; /* columns for the ellipsis */

		cut = true;
		total = ell;
		if (flags & CANVAS_TRUNC_LEFT) {
			/* the longest tail of whole groups that fits */
			size_t start = us.n;

			for (i = us.n; i-- > 0;) {
				unsigned gw;

				if (us.u[i].group == 0)
					continue;
				gw = group_width(&us, i);
				if (total - ell + gw > room)
					break;
				total += gw;
				start = i;
			}
			from = start;
		} else {
			for (i = 0; i < us.n; i += us.u[i].group ? us.u[i].group : 1) {
				unsigned gw = group_width(&us, i);

				if (total - ell + gw > room)
					break;
				total += gw;
			}
			to = i;
		}
	}

	cx = x;
	if (flags & CANVAS_ALIGN_RIGHT)
		cx = x + maxw - (unsigned)total;
	if (cut && (flags & CANVAS_TRUNC_LEFT))
		cx += canvas_put_cp(c, cx, y, ELLIPSIS, cls);
	for (i = from; i < to; i++) {
		const struct unit *u = &us.u[i];

		cx += put_glyph(c, cx, y, us.text.buf + u->off, u->len, u->width, cls);
	}
	if (cut && !(flags & CANVAS_TRUNC_LEFT))
		cx += canvas_put_cp(c, cx, y, ELLIPSIS, cls);
	used = (unsigned)total;
	units_release(&us);
	return used;
}

unsigned canvas_put_uncut(struct canvas *c, unsigned x, size_t y, const char *s, size_t n,
			  enum canvas_class cls)
{
	struct units us = { 0 };
	struct canvas_tail *t;

	if (y >= c->height || x >= c->width)
		return 0;
	if (canvas_text_width(s, n) <= c->width - x)
		return canvas_put_text(c, x, y, s, n, c->width - x, 0, cls);
	/* rows are drawn top down: a row's tail is the last one or a new one */
	if (c->n_tails && c->tails[c->n_tails - 1].y >= y) {
		t = &c->tails[c->n_tails - 1];
		if (t->y > y)
			return 0;
		free(t->text);
	} else {
		ARRAY_GROW(c->tails, c->n_tails + 1, c->alloc_tails);
		t = &c->tails[c->n_tails++];
	}
	strbuf_init(&us.text);
	units_build(&us, s, n, c->ascii);
	*t = (struct canvas_tail){ .y = y, .x = x, .cls = (uint8_t)cls,
				   .text = xstrndup(us.text.buf, us.text.len) };
	units_release(&us);
	return c->width - x;
}

unsigned canvas_put_str(struct canvas *c, unsigned x, size_t y, const char *s, unsigned maxw,
			unsigned flags, enum canvas_class cls)
{
	return canvas_put_text(c, x, y, s, strlen(s), maxw, flags, cls);
}

void canvas_flow_start(struct canvas_flow *f, struct canvas *c, unsigned indent)
{
	*f = (struct canvas_flow){ .c = c, .y = canvas_add_row(c), .indent = indent, .empty = true };
}

void canvas_flow_add(struct canvas_flow *f, const char *sep, const char *s,
		     enum canvas_class cls)
{
	struct canvas *c = f->c;
	size_t sw = strlen(sep), w = canvas_text_width(s, strlen(s));

	if (!f->empty && f->x + sw + w > c->width) {
		f->y = canvas_add_row(c);
		f->x = f->indent < c->width ? f->indent : 0;
		f->empty = true;
	}
	if (!f->empty)
		f->x += canvas_put_str(c, f->x, f->y, sep, c->width - f->x, 0, CANVAS_PLAIN);
	if (f->x < c->width)
		f->x += canvas_put_str(c, f->x, f->y, s, c->width - f->x, 0, cls);
	f->empty = false;
}

void canvas_flow_words(struct canvas_flow *f, const char *text, enum canvas_class cls)
{
	struct strbuf word;

	strbuf_init(&word);
	while (*text) {
		size_t n = strcspn(text, " ");

		strbuf_reset(&word);
		strbuf_add(&word, text, n);
		canvas_flow_add(f, " ", word.buf, cls);
		text += n;
		text += strspn(text, " ");
	}
	strbuf_release(&word);
}

static const char *const sgr[CANVAS__MAX] = {
	[CANVAS_PLAIN] = "0",
	[CANVAS_BOLD] = "0;1",
	[CANVAS_DIM] = "0;2",
	[CANVAS_WARN] = "0;33",
	[CANVAS_CODE] = "0;34",
	[CANVAS_DATA] = "0;36",
	[CANVAS_HEAP] = "0;32",
	[CANVAS_STACK] = "0;35",
	[CANVAS_ANON] = "0;33",
	[CANVAS_FILE] = "0;37",
	[CANVAS_SHM] = "0;95",
	[CANVAS_SPECIAL] = "0;90",
};

int canvas_write(const struct canvas *c, FILE *out, bool color)
{
	struct strbuf line;

	size_t ti = 0;

	/* one write per row: a call per cell costs more than the drawing */
	strbuf_init(&line);
	for (size_t y = 0; y < c->height; y++) {
		const struct canvas_cell *row = c->cells + y * c->stride;
		const struct canvas_tail *tail = ti < c->n_tails && c->tails[ti].y == y ?
							 &c->tails[ti++] : NULL;
		unsigned last = c->init, cur = CANVAS_PLAIN;

		strbuf_reset(&line);
		while (last >= BLANK_BLOCK &&
		       memcmp(row + last - BLANK_BLOCK, blank_row, sizeof(blank_row[0]) * BLANK_BLOCK) == 0)
			last -= BLANK_BLOCK;
		while (last > 0 && row[last - 1].len == 1 && row[last - 1].glyph[0] == ' ')
			last--;
		/* with a tail, the cells before it, blanks too (those past init
		 * are not set: spaces after them), and none after it */
		if (tail)
			last = tail->x < c->init ? tail->x : c->init;
		/* room for every glyph: they are copied without a check each */
		strbuf_grow(&line, (size_t)last * sizeof(row->glyph) + 1);
		if (!color) {
			/* a right half (len 0) adds nothing */
			char *p = line.buf + line.len;

			for (unsigned x = 0; x < last; x++) {
				memcpy(p, row[x].glyph, sizeof(row->glyph));
				p += row[x].len;
			}
			line.len = (size_t)(p - line.buf);
		} else {
			for (unsigned x = 0; x < last; x++) {
				const struct canvas_cell *cell = &row[x];
				bool space = cell->len == 1 && cell->glyph[0] == ' ';

				if (cell->len == 0)
					continue;
				/* a space looks the same in any class without a
				 * background */
				if (!space && cell->cls != cur && cell->cls < CANVAS__MAX) {
					strbuf_addf(&line, "\033[%sm", sgr[cell->cls]);
					strbuf_grow(&line,
						    (size_t)(last - x) * sizeof(row->glyph) + 1);
					cur = cell->cls;
				}
				memcpy(line.buf + line.len, cell->glyph, sizeof(cell->glyph));
				line.len += cell->len;
			}
		}
		line.buf[line.len] = '\0';
		if (tail) {
			for (unsigned x = last; x < tail->x; x++)
				strbuf_addch(&line, ' ');
			if (color && tail->cls != cur && tail->cls < CANVAS__MAX) {
				strbuf_addf(&line, "\033[%sm", sgr[tail->cls]);
				cur = tail->cls;
			}
			strbuf_addstr(&line, tail->text);
		}
		if (color && cur != CANVAS_PLAIN)
			strbuf_addstr(&line, "\033[0m");
		strbuf_addch(&line, '\n');
		fwrite(line.buf, 1, line.len, out);
	}
	strbuf_release(&line);
	if (ferror(out))
		return -EIO;
	return 0;
}
