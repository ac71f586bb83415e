/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the recording loader. Whatever it accepts must survive
 * the recording's reporters, the snapshot of its samples with regions, and
 * a diff of its first and last; what it refuses says why.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmscope/diff.h"
#include "vmscope/recording.h"
#include "vmscope/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_report_options opt = { .all = true, .width = 100 };
	struct vms_snapshot *a = NULL, *b = NULL;
	struct vms_recording *rec = NULL;
	struct vms_load_error err;
	size_t first, last;

	if (vms_recording_load((const char *)data, size, &rec, &err) < 0) {
		if (rec || !err.message[0])
			__builtin_trap();
		return 0;
	}
	for (const struct vms_recording_reporter *rep = vms_recording_reporters; rep->name;
	     rep++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			abort();
		opt.ascii = !opt.ascii;
		if (rep->render(f, rec, &opt) < 0)
			__builtin_trap();
		fclose(f);
		free(buf);
	}
	if (vms_recording_region_span(rec, &first, &last) == 0) {
		struct vms_diff d;

		if (vms_recording_snapshot(rec, first, &a) < 0 ||
		    vms_recording_snapshot(rec, last, &b) < 0)
			__builtin_trap();
		vms_diff_build(a, b, &d);
		vms_diff_release(&d);
	}
	vms_snapshot_free(a);
	vms_snapshot_free(b);
	vms_recording_free(rec);
	return 0;
}
