/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's vocabulary in src/base/snapshot.c: which shared memory a maps
 * name is (and the names that only look like one), its label, the SysV
 * segment of a region, and the names of kinds, sources and VmFlags, out of
 * range too.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/strbuf.h"
#include "vmscope/snapshot.h"

static void test_shm_names(void **state)
{
	static const struct {
		const char *perms, *name;
		uint64_t inode;
		enum vms_shm_type type;
		const char *label;
	} cases[] = {
		{ "rw-s", "/dev/zero", 1234, VMS_SHM_ANON, "shared anon" },
		{ "rw-p", "/dev/zero", 1234, VMS_SHM_NONE, "" }, /* a private map of /dev/zero */
		{ "rw-s", "/SYSV0000162e", 32770, VMS_SHM_SYSV, "SysV shm key 0x0000162e id 32770" },
		{ "rw-s", "/SYSV0000162E", 32770, VMS_SHM_NONE, "" }, /* the kernel prints %08x */
		{ "rw-s", "/SYSV0000162g", 32770, VMS_SHM_NONE, "" },
		{ "rw-s", "/SYSV0000162", 32770, VMS_SHM_NONE, "" },
		{ "rw-s", "/SYSV0000162e0", 32770, VMS_SHM_NONE, "" },
		{ "rw-s", "/memfd:wayland-shm", 1030, VMS_SHM_MEMFD, "memfd wayland-shm" },
		{ "rw-s", "[anon_shmem:ring]", 0, VMS_SHM_NAMED, "[anon_shmem:ring]" },
		{ "rw-s", "[anon:ring]", 0, VMS_SHM_NONE, "" },   /* bracketed, not shmem */
		{ "rw-s", "dev/zero", 1234, VMS_SHM_NONE, "" },   /* no leading slash */
		{ "rw-s", "/dev/zeroes", 1234, VMS_SHM_NONE, "" },
		{ "rw-p", NULL, 0, VMS_SHM_NONE, "" },  /* anonymous, no name at all */
		{ "rw-s", NULL, 77, VMS_SHM_NONE, "" },
	};
	struct vms_snapshot *snap = vms_snapshot_new();
	struct strbuf sb;
	char got[160], want[160];

	(void)state;
	strbuf_init(&sb);
	/* the segment whose shmid is 32770 */
	snap->sysv = calloc(1, sizeof(*snap->sysv));
	assert_non_null(snap->sysv);
	snap->sysv[0].id = 32770;
	snap->n_sysv = snap->alloc_sysv = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_region r = { .name = (char *)cases[i].name, .inode = cases[i].inode };
		const struct vms_sysv *seg;

		r.perms = (cases[i].perms[0] == 'r' ? VMS_PERM_READ : 0) |
			  (cases[i].perms[1] == 'w' ? VMS_PERM_WRITE : 0) |
			  (cases[i].perms[3] == 's' ? VMS_PERM_SHARED : 0);
		strbuf_reset(&sb);
		vms_region_shm_label(&sb, &r);
		seg = vms_snapshot_sysv(snap, &r);
		/* "NAME PERMS -> TYPE 'LABEL' SEGMENT", so that a failure names its case */
		snprintf(got, sizeof(got), "%s %s -> %d '%s' %s", cases[i].name ? cases[i].name : "(null)",
			 cases[i].perms, (int)vms_region_shm_type(&r), sb.buf, seg ? "segment" : "-");
		snprintf(want, sizeof(want), "%s %s -> %d '%s' %s", cases[i].name ? cases[i].name : "(null)",
			 cases[i].perms, (int)cases[i].type, cases[i].label,
			 cases[i].type == VMS_SHM_SYSV ? "segment" : "-");
		assert_string_equal(got, want);
	}
	/* a SysV region whose segment is not in the list */
	{
		struct vms_region r = { .name = "/SYSV00000001", .inode = 5, .perms = VMS_PERM_SHARED };

		assert_null(vms_snapshot_sysv(snap, &r));
	}
	strbuf_release(&sb);
	vms_snapshot_free(snap);
}

static void test_names_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(vms_kind_to_string(VMS_KIND__MAX), "other");
	assert_string_equal(vms_kind_to_string((enum vms_kind)-1), "other");
	assert_string_equal(vms_source_to_string(VMS_SRC__MAX), "unknown");
	assert_string_equal(vms_source_to_string(VMS_SRC_SMAPS), "smaps");
	assert_true(vms_vmflag_bit("rd") == 1);
	assert_true(vms_vmflag_bit("pk") != 0);
	assert_true(vms_vmflag_bit("zz") == 0);
	assert_true(vms_vmflag_bit("") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shm_names),
		cmocka_unit_test(test_names_out_of_range),
	};

	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
