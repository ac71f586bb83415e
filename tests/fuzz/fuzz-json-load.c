/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the JSON snapshot loader. Whatever it accepts must
 * survive the model and the reporters, and write back into JSON that loads
 * again into the same bytes.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmscope/load.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *render(const struct vms_reporter *rep, const struct vms_snapshot *snap,
		    size_t *ret_len)
{
	struct vms_report_options opt = { .all = true, .width = 100 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (rep->render(f, snap, &opt) < 0)
		__builtin_trap();
	fclose(f);
	*ret_len = len;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_snapshot *snap = NULL, *again = NULL;
	struct vms_load_error err;
	char *a, *b;
	size_t la, lb;

	if (vms_snapshot_load((const char *)data, size, &snap, &err) < 0) {
		if (snap || !err.message[0])
			__builtin_trap();
		return 0;
	}
	for (const struct vms_reporter *rep = vms_reporters; rep->name; rep++) {
		if (strcmp(rep->name, "json") == 0)
			continue;
		free(render(rep, snap, &la));
	}
	a = render(vms_reporter_find("json"), snap, &la);
	if (vms_snapshot_load(a, la, &again, &err) < 0)
		__builtin_trap();
	b = render(vms_reporter_find("json"), again, &lb);
	if (la != lb || memcmp(a, b, la) != 0)
		__builtin_trap();
	/* hostile ELF facts through the classifier */
	vms_model_classify(snap);
	free(a);
	free(b);
	vms_snapshot_free(again);
	vms_snapshot_free(snap);
	return 0;
}
