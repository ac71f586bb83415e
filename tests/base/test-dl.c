/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl_open_symbols, the loader of the libraries vmscope opens when first
 * needed (json-c, curses): every name into its slot; a library that is
 * not there says dlerror's words; one that lacks a name says the caller's
 * words and fills nothing the caller may use. dl_library_load: once, and
 * the same answer after.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/dl.h"

static void test_every_name(void **state)
{
	void *version_fn = NULL, *getpid_fn = NULL;
	const struct dl_symbol syms[] = { { "gnu_get_libc_version", &version_fn },
					  { "getpid", &getpid_fn } };
	const char *why = "untouched";

	(void)state;
	assert_int_equal(dl_open_symbols("libc.so.6", syms, 2, "lacking", &why), 0);
	assert_non_null(version_fn);
	assert_non_null(getpid_fn);
	/* the library's own functions, which the program calls too (names
	 * a sanitizer intercepts, as strlen, would differ in the program) */
	assert_ptr_equal(version_fn, dlsym(RTLD_DEFAULT, "gnu_get_libc_version"));
	assert_string_equal(((const char *(*)(void))version_fn)(), gnu_get_libc_version());
	assert_int_equal(((pid_t(*)(void))getpid_fn)(), getpid());
	assert_string_equal(why, "untouched");
}

static void test_no_library(void **state)
{
	void *slot = NULL;
	const struct dl_symbol syms[] = { { "anything", &slot } };
	const char *why = NULL;

	(void)state;
	assert_int_equal(dl_open_symbols("libvmscope-none.so.0", syms, 1, "lacking", &why),
			 -ELIBACC);
	assert_non_null(why);
	assert_non_null(strstr(why, "libvmscope-none.so.0"));
	assert_null(slot);
}

static void test_lacking_name(void **state)
{
	void *a = NULL, *b = NULL;
	const struct dl_symbol syms[] = { { "strlen", &a },
					  { "vmscope_no_such_function", &b } };
	const char *why = NULL;

	(void)state;
	assert_int_equal(dl_open_symbols("libc.so.6", syms, 2, "libc lacks one", &why), -ELIBACC);
	assert_string_equal(why, "libc lacks one");
	assert_null(b);
}

static void *version_slot;
static const struct dl_symbol version_symbol[] = { { "gnu_get_libc_version", &version_slot } };

/* Once: the second call does not load again (its slot, cleared, stays so). */
static void test_library_once(void **state)
{
	static struct dl_library lib = DL_LIBRARY("libc.so.6", version_symbol, "lacking");
	const char *why = "untouched";

	(void)state;
	assert_int_equal(dl_library_load(&lib, &why), 0);
	assert_non_null(version_slot);
	version_slot = NULL;
	assert_int_equal(dl_library_load(&lib, NULL), 0);
	assert_null(version_slot);
	assert_string_equal(why, "untouched");
}

/* A library that is not there: the same error and words every time. */
static void test_library_missing(void **state)
{
	static struct dl_library lib =
		DL_LIBRARY("libvmscope-none.so.0", version_symbol, "lacking");
	const char *why = NULL, *again = NULL;

	(void)state;
	assert_int_equal(dl_library_load(&lib, &why), -ELIBACC);
	assert_non_null(why);
	assert_non_null(strstr(why, "libvmscope-none.so.0"));
	assert_int_equal(dl_library_load(&lib, NULL), -ELIBACC);
	assert_int_equal(dl_library_load(&lib, &again), -ELIBACC);
	assert_ptr_equal(again, why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_name),
		cmocka_unit_test(test_no_library),
		cmocka_unit_test(test_lacking_name),
		cmocka_unit_test(test_library_once),
		cmocka_unit_test(test_library_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
