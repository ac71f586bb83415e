/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the stat parser of src/proc. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_stat st;

	if (vms_stat_parse((const char *)data, size, &st) == 0 && strlen(st.comm) >= sizeof(st.comm))
		__builtin_trap();
	return 0;
}
