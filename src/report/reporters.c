/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of reporters and the small vocabulary they share. */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

const struct vms_reporter vms_reporters[] = {
	{ "text", vms_report_text },
	{ "json", vms_report_json },
	{ "openmetrics", vms_report_openmetrics },
	{ NULL, NULL },
};

const struct vms_reporter *vms_reporter_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct vms_reporter *r = vms_reporters; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

static const char *const sort_names[VMS_SORT__MAX] = {
	[VMS_SORT_RSS] = "rss",
	[VMS_SORT_PSS] = "pss",
	[VMS_SORT_USS] = "uss",
	[VMS_SORT_SIZE] = "size",
	[VMS_SORT_SWAP] = "swap",
	[VMS_SORT_ADDRESS] = "address",
};

const char *vms_sort_to_string(enum vms_sort s)
{
	if ((unsigned)s >= VMS_SORT__MAX)
		return "rss";
	return sort_names[s];
}

int vms_sort_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < VMS_SORT__MAX; i++)
		if (strcmp(sort_names[i], s) == 0)
			return i;
	return -EINVAL;
}

void vms_format_size(char *buf, size_t n, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned shift;
	uint64_t q, rem, half, tenths, whole;

	if (n == 0)
		return;
	if (bytes < 1024) {
		snprintf(buf, n, "%" PRIu64, bytes);
		return;
	}
	/*
	 * Integer arithmetic so that every uint64_t rounds correctly: rem * 10
	 * + half stays below 2^64 even for exbibytes (rem < 2^60). A value
	 * that rounds up to 1024 of one unit is shown as 1.0 of the next.
	 */
	for (unsigned u = 0; u < sizeof(units) - 1; u++) {
		shift = 10 * (u + 1);
		q = bytes >> shift;
		rem = bytes & ((UINT64_C(1) << shift) - 1);
		half = UINT64_C(1) << (shift - 1);
		tenths = q * 10 + ((rem * 10 + half) >> shift);
		if (tenths < 100) {
			snprintf(buf, n, "%" PRIu64 ".%" PRIu64 "%c", tenths / 10, tenths % 10,
				 units[u]);
			return;
		}
		whole = q + (rem >= half);
		if (whole < 1024 || u == sizeof(units) - 2) {
			snprintf(buf, n, "%" PRIu64 "%c", whole, units[u]);
			return;
		}
	}
}
