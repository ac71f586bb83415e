/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_error's own printf: each conversion it knows written as printf
 * writes it, strings escaped for the terminal, on one line after
 * "vmscope: ". And cli_is_pid, which tells a PID from a NAME.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/common/cli.h"

/* What cli_error wrote on stderr while f ran. */
static char *stderr_of(void (*f)(void))
{
	char path[] = "/tmp/vmscope-cli-error-XXXXXX", *buf;
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	long n;
	FILE *in;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	f();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	in = fopen(path, "r");
	assert_non_null(in);
	buf = calloc(1, 4096);
	assert_non_null(buf);
	n = (long)fread(buf, 1, 4095, in);
	assert_true(n > 0);
	fclose(in);
	unlink(path);
	return buf;
}

/* volatile: the compiler may not see that it is NULL (it would warn) */
static const char *volatile null_string;

static void numbers(void)
{
	cli_error("%d|%5i|%-4d|%+d|%ld|%lld|%zd|%c|%u|%lu|%llu|%zu|%x|%#X|%o|%05u|%%",
		  -42, 7, 3, 5, -70000L, -8000000000LL, (ssize_t)-9, 'q', 42u, 70000UL,
		  8000000000ULL, (size_t)12, 0xbeefu, 0xbeefu, 8u, 42u);
}

static void widths(void)
{
	cli_error("[%*d] [%-*d] [%.*s] [%.3s] [%8s] [%-8s] [%*.*s]", 6, 42, 5, 7, 2, "abcdef",
		  "xyzzy", "right", "left", 6, 2, "cut");
}

static void strings(void)
{
	cli_error("'%s' '%s' '%.2s'", "a\033[2Jb\n", null_string, "\033xyz");
}

static void unknown(void)
{
	/* a conversion the messages do not use is shown as written, and ends
	 * the arguments read */
	cli_error("%d %p", 1, (void *)0);
}

static void test_numbers(void **state)
{
	char *got = stderr_of(numbers);

	(void)state;
	assert_string_equal(got, "vmscope: -42|    7|3   |+5|-70000|-8000000000|-9|q|42|70000|"
				 "8000000000|12|beef|0XBEEF|10|00042|%\n");
	free(got);
}

static void test_widths(void **state)
{
	char *got = stderr_of(widths);

	(void)state;
	assert_string_equal(got, "vmscope: [    42] [7    ] [ab] [xyz] [   right] [left    ] "
				 "[    cu]\n");
	free(got);
}

/* Strings escaped as every message is: no control byte reaches the terminal. */
static void test_strings(void **state)
{
	char *got = stderr_of(strings);

	(void)state;
	assert_string_equal(got, "vmscope: 'a\\x1b[2Jb\\x0a' '(null)' '\\x1bx'\n");
	free(got);
}

static void test_unknown(void **state)
{
	char *got = stderr_of(unknown);

	(void)state;
	assert_string_equal(got, "vmscope: 1 %p\n");
	free(got);
}

/* A PID is a positive decimal number that a pid_t holds (strtol's:
 * blanks before it are skipped), nothing else. */
static void test_is_pid(void **state)
{
	static const struct {
		const char *s;
		pid_t pid; /* 0: not a PID */
	} cases[] = {
		{ "1", 1 },        { "4242", 4242 },  { "007", 7 },  { "2147483647", 2147483647 },
		{ "2147483648", 0 }, { "99999999999999999999999", 0 }, { "0", 0 }, { "000", 0 },
		{ "", 0 },          { "-1", 0 },       { "+1", 0 },   { " 1", 1 },
		{ "1 ", 0 },        { "12a", 0 },      { "0x10", 0 }, { "sshd", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = -1;
		bool is = cli_is_pid(cases[i].s, &pid);

		if (is != (cases[i].pid != 0) || (is && pid != cases[i].pid))
			fail_msg("'%s': %s %d, want %d", cases[i].s, is ? "pid" : "not a pid",
				 (int)pid, (int)cases[i].pid);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_is_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
