/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mounts_kind_of: a device's filesystem type from mountinfo lines as the
 * kernel writes them (optional fields or none, escaped paths), FUSE in its
 * three spellings, a device named by no line, and lines that are not of the
 * form.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mounts.h"

static const char mountinfo[] =
	"21 26 0:20 / /proc rw,relatime - proc proc rw\n"
	"26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
	"24 23 0:22 / /dev/shm rw,relatime shared:2 master:1 - tmpfs tmpfs rw,size=24683748k\n"
	"51 26 0:51 / /tmp/with\\040space rw,nosuid,nodev - fuse vmscope-test rw,user_id=0\n"
	"52 26 0:52 / /mnt/ssh rw - fuse.sshfs host:/ rw,user_id=1000\n"
	"53 26 8:17 / /mnt/win rw - fuseblk /dev/sdb1 rw,user_id=0\n"
	"54 26 0:54 / /mnt/fusey rw - fusectl fusectl rw\n"
	/* the same superblock mounted twice, once as FUSE: FUSE wins */
	"55 26 0:55 / /a rw - tmpfs t rw\n"
	"56 26 0:55 / /b rw - fuse t rw\n";

static enum mounts_kind kind(uint32_t major, uint32_t minor)
{
	return mounts_kind_of(mountinfo, strlen(mountinfo), major, minor);
}

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(kind(0, 20), MOUNTS_OTHER);
	assert_int_equal(kind(254, 0), MOUNTS_OTHER);
	assert_int_equal(kind(0, 22), MOUNTS_OTHER); /* two optional fields before "-" */
	assert_int_equal(kind(0, 51), MOUNTS_FUSE);  /* an escaped blank in the mount point */
	assert_int_equal(kind(0, 52), MOUNTS_FUSE);  /* fuse.sshfs */
	assert_int_equal(kind(8, 17), MOUNTS_FUSE);  /* fuseblk */
	assert_int_equal(kind(0, 54), MOUNTS_OTHER); /* fusectl is no FUSE filesystem */
	assert_int_equal(kind(0, 55), MOUNTS_FUSE);
}

static void test_none(void **state)
{
	(void)state;
	assert_int_equal(kind(0, 99), MOUNTS_NONE);
	assert_int_equal(kind(254, 1), MOUNTS_NONE);
	assert_int_equal(kind(25, 40), MOUNTS_NONE); /* not 254:0 by a prefix */
	assert_int_equal(kind(0, 2), MOUNTS_NONE);   /* nor 0:20 */
	assert_int_equal(mounts_kind_of("", 0, 0, 20), MOUNTS_NONE);
}

static void test_not_the_form(void **state)
{
	static const char *const bad[] = {
		"21 26 0:20 / /proc rw,relatime proc proc rw\n", /* no "-" */
		"21 26 0:20 / /proc rw - \n",                    /* no type after it */
		"21 26 0:20\n",                                  /* cut */
		"21 26 0:20: / /p rw - fuse f rw\n",             /* not MAJOR:MINOR */
		"21 26 :20 / /p rw - fuse f rw\n",
		"21 26 0:20 - fuse f rw\n",                      /* "-" too early */
		"21 26 0:20 / /p - fuse f rw",                   /* "-" as the options */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mounts_kind_of(bad[i], strlen(bad[i]), 0, 20), MOUNTS_NONE);
	/* a last line without its newline counts */
	assert_int_equal(mounts_kind_of("21 26 0:20 / /p rw - fuse f rw", 30, 0, 20), MOUNTS_FUSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_not_the_form),
	};

	return cmocka_run_group_tests_name("mounts", tests, NULL, NULL);
}
