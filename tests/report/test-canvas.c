/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cell grid: escaping, cutting by display width, wide glyphs, output. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/canvas.h"

static bool have_utf8;

/* The canvas printed, without color. Caller frees. */
static char *dump(const struct canvas *c, bool color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(canvas_write(c, f, color), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Cleared, the canvas prints a blank row of nothing it held; then released. */
static void clear_and_release(struct canvas *c)
{
	char *out;

	canvas_clear(c);
	canvas_add_row(c);
	out = dump(c, false);
	assert_string_equal(out, "\n");
	free(out);
	canvas_release(c);
}

/* One row of the given width holding s put with maxw and flags. */
static char *put_one(unsigned width, const char *s, size_t n, unsigned maxw, unsigned flags,
		     unsigned *ret_used)
{
	struct canvas c;
	char *out;
	unsigned used;

	canvas_init(&c, width);
	canvas_add_row(&c);
	used = canvas_put_text(&c, 0, 0, s, n, maxw, flags, CANVAS_PLAIN);
	if (ret_used)
		*ret_used = used;
	out = dump(&c, false);
	canvas_release(&c);
	return out;
}

struct cut_case {
	const char *in;
	unsigned maxw, flags;
	const char *want; /* the printed row, without its newline */
	unsigned used;
	bool utf8;        /* needs a UTF-8 locale for the widths */
};

static const struct cut_case cut_cases[] = {
	{ "abcdefgh", 20, 0, "abcdefgh", 8, false },
	{ "abcdefgh", 8, 0, "abcdefgh", 8, false },
	{ "abcdefgh", 7, 0, "abcdef\u2026", 7, false },
	{ "abcdefgh", 1, 0, "\u2026", 1, false },
	{ "abcdefgh", 0, 0, "", 0, false },
	{ "/usr/lib/libc.so.6", 10, CANVAS_TRUNC_LEFT, "\u2026libc.so.6", 10, false },
	{ "abc", 6, CANVAS_ALIGN_RIGHT, "   abc", 3, false },
	{ "abcdefgh", 6, CANVAS_ALIGN_RIGHT, "abcde\u2026", 6, false },
	/* control bytes and invalid UTF-8 are shown as \xNN, a backslash as \\ */
	{ "a\x1b[2Jb", 20, 0, "a\\x1b[2Jb", 9, false },
	{ "a\nb\tc", 20, 0, "a\\x0ab\\x09c", 11, false },
	{ "bad\xff\xfe!", 20, 0, "bad\\xff\\xfe!", 12, false },
	{ "back\\slash", 20, 0, "back\\\\slash", 11, false },
	/* the last and first bytes printable ASCII passes as it is: DEL and
	 * space, and the two next to them, at the edges of the text */
	{ "\x7f~ x\x1f", 20, 0, "\\x7f~ x\\x1f", 11, false },
	{ "del\x7f", 20, CANVAS_ALIGN_RIGHT, "             del\\x7f", 7, false },
	{ "\xc2\x9b""31m", 20, 0, "\\xc2\\x9b31m", 11, false },
	/* a cut never splits an escape */
	{ "ab\x1b""cd", 5, 0, "ab\u2026", 3, false },
	{ "ab\x1b""cd", 7, 0, "ab\\x1b\u2026", 7, false },
	{ "ab\x1b""cd", 6, CANVAS_TRUNC_LEFT, "\u2026cd", 3, false },
	{ "ab\x1b""cd", 7, CANVAS_TRUNC_LEFT, "\u2026\\x1bcd", 7, false },
	/* nor a character */
	{ "caf\xc3\xa9s", 5, 0, "caf\xc3\xa9s", 5, false },
	{ "caf\xc3\xa9s", 4, 0, "caf\u2026", 4, false },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6, 0, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6,
	  true },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0, "\xe6\x97\xa5\xe6\x9c\xac\u2026", 5, true },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, 0, "\xe6\x97\xa5\u2026", 3, true },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, CANVAS_TRUNC_LEFT, "\u2026\xe8\xaa\x9e", 3,
	  true },
	/* zero-width characters cannot hide or reorder text: escaped */
	{ "e\xcc\x81", 20, 0, "e\\xcc\\x81", 9, true },
	{ "txt.\xe2\x80\xaegpj", 30, 0, "txt.\\xe2\\x80\\xaegpj", 19, true },
};

static void test_cut(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
		const struct cut_case *cc = &cut_cases[i];
		unsigned used;
		char *out;
		size_t len;

		if (cc->utf8 && !have_utf8)
			continue;
		out = put_one(40, cc->in, strlen(cc->in), cc->maxw, cc->flags, &used);
		len = strlen(out);
		assert_true(len > 0 && out[len - 1] == '\n');
		out[len - 1] = '\0';
		if (strcmp(out, cc->want) != 0 || used != cc->used)
			fail_msg("case %zu: got \"%s\" (%u columns), want \"%s\" (%u)", i, out, used,
				 cc->want, cc->used);
		/* what was put is what was measured, or the cut to maxw */
		if (canvas_text_width(cc->in, strlen(cc->in)) <= cc->maxw)
			assert_int_equal(used, canvas_text_width(cc->in, strlen(cc->in)));
		else
			assert_true(used <= cc->maxw);
		free(out);
	}
}

static void test_embedded_nul(void **state)
{
	unsigned used;
	char *out;

	(void)state;
	out = put_one(40, "a\0b", 3, 40, 0, &used);
	assert_string_equal(out, "a\\x00b\n");
	assert_int_equal(used, 6);
	free(out);
}

static void test_clip_at_canvas_edge(void **state)
{
	struct canvas c;
	char *out;

	(void)state;
	canvas_init(&c, 10);
	canvas_add_row(&c);
	/* maxw past the edge is clipped to it */
	assert_int_equal(canvas_put_str(&c, 6, 0, "abcdef", 100, 0, CANVAS_PLAIN), 4);
	/* nothing at or past the edge, or on a row that does not exist */
	assert_int_equal(canvas_put_str(&c, 10, 0, "x", 5, 0, CANVAS_PLAIN), 0);
	assert_int_equal(canvas_put_str(&c, 0, 1, "x", 5, 0, CANVAS_PLAIN), 0);
	assert_int_equal(canvas_put_cp(&c, 10, 0, 'x', CANVAS_PLAIN), 0);
	/* controls are refused as glyphs */
	assert_int_equal(canvas_put_cp(&c, 0, 0, 0x1b, CANVAS_PLAIN), 0);
	assert_int_equal(canvas_put_cp(&c, 0, 0, 0x9b, CANVAS_PLAIN), 0);
	assert_int_equal(canvas_put_cp(&c, 0, 0, 0xd800, CANVAS_PLAIN), 0);
	canvas_fill(&c, 0, 0, 3, 0x2588, CANVAS_PLAIN);
	canvas_fill(&c, 9, 0, 100, '#', CANVAS_PLAIN);
	canvas_fill(&c, 12, 0, 1, '#', CANVAS_PLAIN);
	out = dump(&c, false);
	assert_string_equal(out, "\u2588\u2588\u2588   abc#\n");
	free(out);
	canvas_release(&c);
}

static void test_wide_overwrite(void **state)
{
	struct canvas c;
	char *out;

	(void)state;
	if (!have_utf8)
		skip();
	canvas_init(&c, 6);
	canvas_add_row(&c);
	canvas_put_str(&c, 0, 0, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6, 0, CANVAS_PLAIN);
	/* the right half of the first and the left half of the third */
	canvas_put_cp(&c, 1, 0, 'x', CANVAS_PLAIN);
	canvas_put_cp(&c, 4, 0, 'y', CANVAS_PLAIN);
	out = dump(&c, false);
	assert_string_equal(out, " x\xe6\x9c\xac" "y\n");
	free(out);
	/* a wide glyph does not fit in the last column */
	assert_int_equal(canvas_put_cp(&c, 5, 0, 0x65e5, CANVAS_PLAIN), 0);
	assert_int_equal(canvas_put_cp(&c, 4, 0, 0x65e5, CANVAS_PLAIN), 2);
	out = dump(&c, false);
	assert_string_equal(out, " x\xe6\x9c\xac\xe6\x97\xa5\n");
	free(out);
	canvas_release(&c);

	/* ASCII text across halves, written as a span: the glyphs it cuts
	 * at either end lose their other half, those inside go whole */
	canvas_init(&c, 8);
	canvas_add_row(&c);
	canvas_put_str(&c, 0, 0, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5", 8, 0,
		       CANVAS_PLAIN);
	assert_int_equal(canvas_put_str(&c, 1, 0, "abcd", 4, 0, CANVAS_PLAIN), 4);
	out = dump(&c, false);
	assert_string_equal(out, " abcd \xe6\x97\xa5\n");
	free(out);
	canvas_release(&c);
}

/*
 * Columns are set as they are written: rows added before a write far to
 * the right read as blanks there, as do rows added after; a wide glyph
 * across the set columns' end unpairs as anywhere; a clear forgets them.
 */
static void test_columns_set_late(void **state)
{
	struct canvas c;
	char *out, want[1024];

	(void)state;
	canvas_init(&c, CANVAS_MAX_WIDTH);
	canvas_add_row(&c);
	canvas_put_cp(&c, 2, 0, 'a', CANVAS_PLAIN);
	canvas_add_row(&c);
	canvas_put_cp(&c, 700, 1, 'b', CANVAS_PLAIN);
	canvas_add_row(&c);
	assert_int_equal(canvas_cell(&c, 700, 0)->glyph[0], ' ');
	assert_int_equal(canvas_cell(&c, 700, 1)->glyph[0], 'b');
	assert_int_equal(canvas_cell(&c, 700, 2)->glyph[0], ' ');
	assert_int_equal(canvas_cell(&c, 1023, 2)->len, 1);
	memset(want, ' ', sizeof(want));
	memcpy(want, "  a\n", 4);
	want[4 + 700] = 'b';
	memcpy(want + 4 + 701, "\n\n", 3);
	out = dump(&c, false);
	assert_string_equal(out, want);
	free(out);
	/* a wide glyph whose right half is the first column not set yet */
	if (have_utf8) {
		unsigned x = c.init - 1;

		assert_int_equal(canvas_put_cp(&c, x, 2, 0x65e5, CANVAS_PLAIN), 2);
		assert_int_equal(canvas_cell(&c, x + 1, 2)->len, 0);
		assert_int_equal(canvas_put_cp(&c, x + 1, 2, 'c', CANVAS_PLAIN), 1);
		assert_int_equal(canvas_cell(&c, x, 2)->glyph[0], ' ');
	}
	clear_and_release(&c);
}

static void test_write_color(void **state)
{
	struct canvas c;
	char *out;

	(void)state;
	canvas_init(&c, 20);
	canvas_add_row(&c);
	canvas_add_row(&c);
	canvas_add_row(&c);
	canvas_put_str(&c, 0, 0, "ab", 20, 0, CANVAS_BOLD);
	canvas_put_str(&c, 3, 0, "cd", 20, 0, CANVAS_BOLD);
	canvas_put_str(&c, 6, 0, "ef", 20, 0, CANVAS_PLAIN);
	canvas_put_str(&c, 0, 1, "g", 20, 0, CANVAS_CODE);
	/* trailing blanks of any class are trimmed */
	canvas_fill(&c, 10, 2, 5, ' ', CANVAS_HEAP);
	out = dump(&c, false);
	assert_string_equal(out, "ab cd ef\ng\n\n");
	free(out);
	out = dump(&c, true);
	/* a space does not switch class; each row ends reset */
	assert_string_equal(out, "\033[0;1mab cd \033[0mef\n\033[0;34mg\033[0m\n\n");
	free(out);
	canvas_release(&c);
}

/* Text past the canvas's width, put uncut: whole after the row's cells, escaped. */
static void test_uncut(void **state)
{
	struct canvas c;
	char *out;

	(void)state;
	canvas_init(&c, 40);
	for (int i = 0; i < 5; i++)
		canvas_add_row(&c);
	canvas_put_str(&c, 0, 0, "pid", 40, 0, CANVAS_PLAIN);
	/* it fits: cells, as canvas_put_text */
	assert_int_equal(canvas_put_uncut(&c, 10, 0, "short", 5, CANVAS_PLAIN), 5);
	canvas_put_str(&c, 0, 1, "a", 40, 0, CANVAS_PLAIN);
	/* past the edge: a tail, the blanks before it kept, control bytes escaped */
	assert_int_equal(canvas_put_uncut(&c, 4, 1,
					  "0123456789012345678901234567890123456789\x01" "end", 44,
					  CANVAS_CODE),
			 36);
	/* a tail at the start of a row, and one after columns never set */
	canvas_put_uncut(&c, 0, 3, "0123456789012345678901234567890123456789xy", 42, CANVAS_PLAIN);
	canvas_put_uncut(&c, 38, 4, "abcd", 4, CANVAS_PLAIN);
	/* a row's tail put again replaces it; an earlier row's is refused */
	canvas_put_uncut(&c, 38, 4, "efgh", 4, CANVAS_PLAIN);
	assert_int_equal(canvas_put_uncut(&c, 30, 1, "0123456789xyz", 13, CANVAS_PLAIN), 0);
	out = dump(&c, false);
	assert_string_equal(out, "pid       short\n"
				 "a   0123456789012345678901234567890123456789\\x01end\n"
				 "\n"
				 "0123456789012345678901234567890123456789xy\n"
				 "                                      efgh\n");
	free(out);
	out = dump(&c, true);
	assert_non_null(strstr(out, "a   \033[0;34m0123456789012345678901234567890123456789"
				    "\\x01end\033[0m\n"));
	free(out);
	/* the tails are cleared with the rows */
	clear_and_release(&c);
}

static void test_many_rows(void **state)
{
	struct canvas c;
	char *out, *p;

	(void)state;
	/* a width that is no power of two, rows far past the first allocation */
	canvas_init(&c, 7);
	for (unsigned i = 0; i < 3000; i++) {
		char buf[16];
		size_t y = canvas_add_row(&c);

		assert_int_equal(y, i);
		snprintf(buf, sizeof(buf), "%u", i);
		canvas_put_str(&c, 0, y, buf, 7, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	}
	out = dump(&c, false);
	p = out;
	for (unsigned i = 0; i < 3000; i++) {
		char want[16];
		int n = snprintf(want, sizeof(want), "%7u\n", i);

		assert_memory_equal(p, want, (size_t)n);
		p += n;
	}
	assert_int_equal(*p, '\0');
	free(out);
	canvas_clear(&c);
	assert_int_equal(c.height, 0);
	assert_int_equal(canvas_add_row(&c), 0);
	out = dump(&c, false);
	assert_string_equal(out, "\n");
	free(out);
	canvas_release(&c);
}

/*
 * Rows take the room of the columns set, not the canvas's width: a column
 * set far right moves every row's cells to wider rows, their text kept.
 */
static void test_rows_widen(void **state)
{
	struct canvas c;
	char *out, *p;

	(void)state;
	canvas_init(&c, CANVAS_MAX_WIDTH);
	for (unsigned i = 0; i < 100; i++) {
		char buf[16];
		size_t y = canvas_add_row(&c);

		snprintf(buf, sizeof(buf), "r%u", i);
		canvas_put_str(&c, i % 50, y, buf, 16, 0, CANVAS_BOLD);
	}
	assert_true(c.stride >= c.init);
	assert_true(c.stride < 128);
	canvas_put_cp(&c, 900, 99, 'z', CANVAS_PLAIN);
	assert_true(c.stride > 900);
	canvas_put_cp(&c, 901, 0, 'y', CANVAS_PLAIN);
	out = dump(&c, false);
	p = out;
	for (unsigned i = 0; i < 100; i++) {
		char want[1024];
		int n = snprintf(want, sizeof(want), "%*sr%u", (int)(i % 50), "", i);

		if (i == 0)
			n += snprintf(want + n, sizeof(want) - (size_t)n, "%*sy", 901 - n, "");
		if (i == 99)
			n += snprintf(want + n, sizeof(want) - (size_t)n, "%*sz", 900 - n, "");
		want[n++] = '\n';
		assert_memory_equal(p, want, (size_t)n);
		p += n;
	}
	assert_int_equal(*p, '\0');
	free(out);
	assert_int_equal(canvas_cell(&c, 3, 3)->glyph[0], 'r');
	assert_int_equal(canvas_cell(&c, 3, 3)->cls, CANVAS_BOLD);
	canvas_release(&c);
}

/* ascii: our glyphs drawn in ASCII, the ellipsis as "..." taking three columns. */
static void test_ascii(void **state)
{
	static const struct {
		const char *in;
		unsigned maxw, flags;
		const char *want;
		unsigned used;
	} cases[] = {
		{ "abcdefgh", 20, 0, "abcdefgh", 8 },
		{ "abcdefgh", 7, 0, "abcd...", 7 },
		{ "abcdefgh", 3, 0, "...", 3 },
		{ "abcdefgh", 2, 0, "ab", 2 },
		{ "/usr/lib/libc.so.6", 10, CANVAS_TRUNC_LEFT, "...bc.so.6", 10 },
		{ "\u2504 42T unmapped \u2504", 40, 0, "- 42T unmapped -", 16 },
		{ "\u2026 3 more", 40, 0, "... 3 more", 10 },
		{ "anon \u00d73 \u25bcPSS \u0394RSS", 40, 0, "anon x3 vPSS dRSS", 17 },
		{ "caf\u00e9", 40, 0, "caf\u00e9", 4 }, /* a name's letters are the name's */
	};
	static const uint32_t blocks[] = { 0x2588, 0x2585, 0x2581, 0x258c, 0x258f, 0x2591 };
	struct canvas c;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned used;

		canvas_init(&c, 40);
		c.ascii = true;
		canvas_add_row(&c);
		used = canvas_put_str(&c, 0, 0, cases[i].in, cases[i].maxw, cases[i].flags,
				      CANVAS_PLAIN);
		out = dump(&c, false);
		out[strlen(out) - 1] = '\0';
		if (strcmp(out, cases[i].want) != 0 || used != cases[i].used)
			fail_msg("case %zu: got \"%s\" (%u columns), want \"%s\" (%u)", i, out,
				 used, cases[i].want, cases[i].used);
		free(out);
		canvas_release(&c);
	}
	canvas_init(&c, 40);
	c.ascii = true;
	canvas_add_row(&c);
	for (unsigned x = 0; x < sizeof(blocks) / sizeof(blocks[0]); x++)
		assert_int_equal(canvas_put_cp(&c, x, 0, blocks[x], CANVAS_PLAIN), 1);
	out = dump(&c, false);
	assert_string_equal(out, "#+.+.:\n");
	free(out);
	canvas_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_clip_at_canvas_edge),
		cmocka_unit_test(test_wide_overwrite),
		cmocka_unit_test(test_columns_set_late),
		cmocka_unit_test(test_write_color),
		cmocka_unit_test(test_uncut),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_rows_widen),
		cmocka_unit_test(test_ascii),
	};

	have_utf8 = setlocale(LC_CTYPE, "C.UTF-8") != NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
