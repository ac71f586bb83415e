/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape_display and escape_html on hostile bytes (controls, C1 controls,
 * invalid and truncated UTF-8, backslashes, wide and combining characters),
 * and escape_display_width: the columns of what escape_display writes.
 * escape_cp_width: vmscope's own glyphs are one column, as C.UTF-8's
 * wcwidth says, with no locale loaded for them; the first character that
 * is not ASCII nor a glyph of vmscope's loads it (locale_need, once), as
 * does the first error put in words (procfile_strerror); ASCII does not
 * (in children: a process loads its locale once).
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>

#include "base/escape.h"
#include "base/locale.h"
#include "base/procfile.h"
#include "base/strbuf.h"

static const struct {
	const char *in, *out;
	size_t width;
} display_cases[] = {
	{ "", "", 0 },
	{ "plain", "plain", 5 },
	{ "a\\b", "a\\\\b", 4 },
	{ "\x1b[31m", "\\x1b[31m", 8 },
	{ "\xff\xfe", "\\xff\\xfe", 8 },
	{ "\xc2\x85", "\\xc2\\x85", 8 },         /* U+0085, a C1 control */
	{ "\xe2\x82", "\\xe2\\x82", 8 },         /* a three-byte sequence cut short */
	{ "\xc0\xaf", "\\xc0\\xaf", 8 },         /* an overlong '/' */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80", 12 }, /* a surrogate */
	{ "\xe6\xbc\xa2\xe5\xad\x97", "\xe6\xbc\xa2\xe5\xad\x97", 4 }, /* two wide characters */
	{ "e\xcc\x81", "e\xcc\x81", 1 },         /* e and a combining acute accent */
	{ "\xcd\xb8", "\xcd\xb8", 1 },           /* U+0378, unassigned: one column */
	{ "\xf0\x9f\x90\x8d!", "\xf0\x9f\x90\x8d!", 3 },
};

static void test_display(void **state)
{
	struct strbuf sb;
	char got[160], want[160];

	(void)state;
	strbuf_init(&sb);
	for (size_t i = 0; i < sizeof(display_cases) / sizeof(display_cases[0]); i++) {
		const char *in = display_cases[i].in;

		strbuf_reset(&sb);
		escape_display(&sb, in, strlen(in));
		/* "CASE: OUTPUT WIDTH", so that a failure names its case */
		snprintf(got, sizeof(got), "%zu: '%s' %zu", i, sb.buf, escape_display_width(in, strlen(in)));
		snprintf(want, sizeof(want), "%zu: '%s' %zu", i, display_cases[i].out,
			 display_cases[i].width);
		assert_string_equal(got, want);
	}
	strbuf_release(&sb);
}

static void test_html(void **state)
{
	static const char in[] = "<a href='x\"'>&\x1b\\";
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	escape_html(&sb, in, sizeof(in) - 1);
	assert_string_equal(sb.buf, "&lt;a href=&#39;x&quot;&#39;&gt;&amp;\\x1b\\\\");
	strbuf_release(&sb);
}

/* The characters vmscope draws with (escape.c's own_glyph). */
static const uint32_t glyphs[] = { 0xb7,   0xd7,   0x394,  0x2013, 0x2014,
				   0x2026, 0x2192, 0x2212, 0x25b2, 0x25bc };

static void test_own_glyphs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++) {
		assert_int_equal(wcwidth((wchar_t)glyphs[i]), 1);
		assert_int_equal(escape_cp_width(glyphs[i]), 1);
	}
	/* rules, corners, blocks and shades */
	for (uint32_t cp = 0x2500; cp <= 0x259f; cp++) {
		assert_int_equal(wcwidth((wchar_t)cp), 1);
		assert_int_equal(escape_cp_width(cp), 1);
	}
	for (uint32_t cp = 0x20; cp < 0x7f; cp++)
		assert_int_equal(escape_cp_width(cp), 1);
}

static int loads;

static void count_load(void)
{
	loads++;
}

/* In a child: a loader that counts; fn's exit status, 0 for all as said. */
static void in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		locale_on_need(count_load);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int wide_loads(void)
{
	if (escape_cp_width('a') != 1 || escape_display_width("plain", 5) != 5)
		return 1;
	for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
		(void)escape_cp_width(glyphs[i]);
	(void)escape_display_width("\xe2\x96\x88 \xe2\x94\x84", 7); /* a block, a rule */
	if (loads != 0)
		return 2;
	if (escape_cp_width(0x6f22) != 2 || loads != 1) /* a wide character: loaded */
		return 3;
	if (escape_display_width("\xe5\xad\x97", 3) != 2 || loads != 1) /* not again */
		return 4;
	(void)procfile_strerror(-EACCES);
	return loads == 1 ? 0 : 5;
}

static int error_loads(void)
{
	/* vmscope's own words need no locale */
	if (strcmp(procfile_strerror(PROCFILE_ENOTREG), "not a regular file") != 0 || loads != 0)
		return 1;
	if (strcmp(procfile_strerror(-EACCES), strerror(EACCES)) != 0 || loads != 1)
		return 2;
	(void)escape_cp_width(0x6f22);
	return loads == 1 ? 0 : 3;
}

static void test_locale_need(void **state)
{
	(void)state;
	in_child(wide_loads);
	in_child(error_loads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: its children must not inherit a locale_need done */
		cmocka_unit_test(test_locale_need),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_own_glyphs),
	};

	/* wcwidth's answers for the wide and combining characters */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("1..0 # SKIP no C.UTF-8 locale\n");
		return 0;
	}
	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
