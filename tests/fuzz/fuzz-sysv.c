/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the /proc/sysvipc/shm parser of src/proc. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Regions mapping segments 0 to 3, so that rows of those ids are kept. */
static const char maps[] =
	"7f0000000000-7f0000010000 rw-s 00000000 00:01 0 /SYSV76061360 (deleted)\n"
	"7f0000010000-7f0000020000 rw-s 00000000 00:01 1 /SYSV00000000 (deleted)\n"
	"7f0000020000-7f0000030000 r--s 00000000 00:01 2 /SYSVdeadbeef (deleted)\n"
	"7f0000030000-7f0000040000 rw-s 00000000 00:01 3 /SYSV0000162e (deleted)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	if (vms_smaps_parse(snap, maps, sizeof(maps) - 1) == 0)
		(void)vms_sysv_parse(snap, (const char *)data, size);
	vms_snapshot_free(snap);
	return 0;
}
