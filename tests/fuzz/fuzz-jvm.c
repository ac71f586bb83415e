/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the walk of a JVM's gHotSpotVMStructs (src/proc/jvm.c)
 * for its heap's and code cache's ranges and its class space's facts
 * over a memory image, the input, as tests/proc/jvm-image.h lays it out:
 * the seven exported variables in its first 56 bytes, everything else where
 * their values point. Reads outside the input fail, as reads of memory the
 * process does not map do. Seeds: jvm_image_make(&im, 40, 0),
 * jvm_image_make(&im, 70, JVM_IMAGE_AT_END) and jvm_image_make(&im, 40,
 * JVM_IMAGE_CLASS) written out.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "tests/image.h"
#include "vmscope/collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE IMAGE_BASE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im = { data, size };
	struct vms_mem_reader m = { .read = image_read, .ctx = &im };
	struct vms_jvm_symbols sym = {
		.structs = BASE, .stride = BASE + 8, .type_name = BASE + 16,
		.field_name = BASE + 24, .is_static = BASE + 32, .offset = BASE + 40,
		.address = BASE + 48,
	};
	struct vms_jvm_ranges r;

	/* a range found is never empty nor wraps; one not found is 0 and 0;
	 * the archive's range is never backwards, and 0 and 0 or neither;
	 * the class space's facts are 0 unless they were read */
	if (vms_jvm_ranges(&m, &sym, &r) == 0 &&
	    (r.heap_end < r.heap_start || (r.heap_end == r.heap_start && r.heap_start) ||
	     r.code_end < r.code_start || (r.code_end == r.code_start && r.code_start) ||
	     (!r.heap_end && !r.code_end) || r.shared_end < r.shared_start ||
	     (r.shared_start == 0) != (r.shared_end == 0) ||
	     (!r.class_known && (r.klass_base || r.shared_end))))
		__builtin_trap();
	return 0;
}
