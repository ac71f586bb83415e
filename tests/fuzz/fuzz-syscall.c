/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the syscall parser of src/proc. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t sp;

	(void)vms_syscall_parse_sp((const char *)data, size, &sp);
	return 0;
}
