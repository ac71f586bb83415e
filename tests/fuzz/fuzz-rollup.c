/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the rollup parser of src/proc. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	(void)vms_rollup_parse(snap, (const char *)data, size);
	vms_snapshot_free(snap);
	return 0;
}
