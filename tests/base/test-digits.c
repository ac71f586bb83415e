/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * put_dec_u64 and put_hex_u64 (at its minimum widths too) write what
 * printf writes for every number of digits, at the edges (0, each power of
 * the base and the one below it, UINT64_MAX) and on numbers from a fixed
 * sequence.
 */
#include "config.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/decimal.h"

static void expect_both(uint64_t v)
{
	char want[24], got[24], *end;

	(void)snprintf(want, sizeof(want), "%" PRIu64, v);
	memset(got, 'x', sizeof(got));
	end = put_dec_u64(got, v);
	assert_int_equal(end - got, (ptrdiff_t)strlen(want));
	*end = '\0';
	assert_string_equal(got, want);

	for (unsigned min = 0; min <= 16; min += 2) {
		(void)snprintf(want, sizeof(want), "%0*" PRIx64, (int)min, v);
		memset(got, 'x', sizeof(got));
		end = put_hex_u64(got, v, min);
		assert_int_equal(end - got, (ptrdiff_t)strlen(want));
		*end = '\0';
		assert_string_equal(got, want);
	}
}

static void test_edges(void **state)
{
	(void)state;
	expect_both(0);
	expect_both(UINT64_MAX);
	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		expect_both(p);
		expect_both(p - 1);
		expect_both(p + 1);
	}
	for (unsigned s = 0; s < 64; s++) {
		expect_both(UINT64_C(1) << s);
		expect_both((UINT64_C(1) << s) - 1);
	}
}

static void test_sequence(void **state)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);

	(void)state;
	for (int i = 0; i < 100000; i++) {
		/* xorshift64: every length of either base is hit */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		expect_both(x >> (i % 64));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_sequence),
	};

	return cmocka_run_group_tests_name("digits", tests, NULL, NULL);
}
