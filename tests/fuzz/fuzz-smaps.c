/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the smaps parser of src/proc. */
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

	/* Any bytes: parsed or refused, never a read past the end. Regions that
	 * were accepted must be sorted and non-overlapping. */
	if (vms_smaps_parse(snap, (const char *)data, size) == 0) {
		for (size_t i = 0; i < snap->n_regions; i++) {
			if (snap->regions[i].end < snap->regions[i].start)
				__builtin_trap();
			if (i && snap->regions[i].start < snap->regions[i - 1].end)
				__builtin_trap();
		}
	}
	vms_snapshot_free(snap);
	return 0;
}
