/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape_display and escape_html on hostile bytes (controls, C1 controls,
 * invalid and truncated UTF-8, backslashes, wide and combining characters),
 * and escape_display_width: the columns of what escape_display writes.
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/escape.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_html),
	};

	/* wcwidth's answers for the wide and combining characters */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("1..0 # SKIP no C.UTF-8 locale\n");
		return 0;
	}
	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
