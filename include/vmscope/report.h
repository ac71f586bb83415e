/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reporters (src/report): render a snapshot. They write to a FILE and never
 * exit; a reporter's result is 0 or -errno (-EIO for a write error).
 */
#ifndef VMSCOPE_REPORT_H
#define VMSCOPE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "vmscope/snapshot.h"

enum vms_sort {
	VMS_SORT_RSS = 0,
	VMS_SORT_PSS,
	VMS_SORT_USS,
	VMS_SORT_SIZE,
	VMS_SORT_SWAP,
	VMS_SORT_ADDRESS,
	VMS_SORT__MAX
};
/* The names of the sort keys, "rss" ... "address" (src/report/format.c). */
const char *vms_sort_to_string(enum vms_sort s);
int vms_sort_from_string(const char *s); /* -EINVAL when unknown */

struct vms_report_options {
	bool color;      /* ANSI colors by kind */
	bool bytes;      /* exact byte counts instead of human sizes */
	bool all;        /* every VMA, not only the regions that matter */
	enum vms_sort sort;
	unsigned width;  /* columns available; 0 means 80 */
	unsigned top;    /* regions and objects listed; 0 means a default */
	bool sections;   /* list the sections of each object listed */
	bool by_object;  /* memory by object instead of the objects and regions tables */
	bool ascii;      /* ASCII glyphs only (the locale's charset is not UTF-8) */
};

struct vms_reporter {
	const char *name;
	int (*render)(FILE *out, const struct vms_snapshot *snap,
		      const struct vms_report_options *opt);
};

/* The reporters, ending with a { NULL, NULL } entry (src/report/reporters.c). */
extern const struct vms_reporter vms_reporters[];
const struct vms_reporter *vms_reporter_find(const char *name);

int vms_report_text(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt);
int vms_report_json(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt);
int vms_report_openmetrics(FILE *out, const struct vms_snapshot *snap,
			   const struct vms_report_options *opt);
/* Prometheus text metrics of n processes, each family once (openmetrics.c). */
int vms_openmetrics_write(FILE *out, const struct vms_snapshot *const *snaps, size_t n);

/* Reporters of a recording (vmscope/recording.h): its timeline and its
 * regions ranked by growth (src/report/recording-*.c). */
struct vms_recording;
struct vms_recording_reporter {
	const char *name;
	int (*render)(FILE *out, const struct vms_recording *rec,
		      const struct vms_report_options *opt);
};
extern const struct vms_recording_reporter vms_recording_reporters[];
const struct vms_recording_reporter *vms_recording_reporter_find(const char *name);
int vms_report_recording_text(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt);
int vms_report_recording_json(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt);

/*
 * Human size: 1023 → "1023", 4096 → "4.0K", 1.5 MiB → "1.5M" (binary units,
 * one decimal under 10, none above). Writes at most 8 bytes + NUL to buf
 * (src/report/format.c).
 */
void vms_format_size(char *buf, size_t n, uint64_t bytes);

#endif
