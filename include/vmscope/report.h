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
	VMS_SORT_REFERENCED, /* smaps Referenced: the working set after --reset-refs */
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
	/* Text: no line is cut, whatever its length (output to no terminal and no
	 * width asked, as ps and git do); bars are drawn as at 80 columns. */
	bool full_lines;
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
/* One self-contained HTML page: header, map, treemaps, tables (src/report/html*.c). */
int vms_report_html(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt);
/* The HTML page of a diff of a (named name_a) and b (src/report/html-diff.c). */
struct vms_diff;
int vms_report_diff_html(FILE *out, const char *name_a, const char *name_b,
			 const struct vms_snapshot *a, const struct vms_snapshot *b,
			 const struct vms_diff *d, const struct vms_report_options *opt);
/* OpenMetrics 1.0 (openmetrics) and the Prometheus text format 0.0.4 (prometheus). */
int vms_report_openmetrics(FILE *out, const struct vms_snapshot *snap,
			   const struct vms_report_options *opt);
int vms_report_prometheus(FILE *out, const struct vms_snapshot *snap,
			  const struct vms_report_options *opt);

/*
 * The two text formats of metrics: Prometheus's text exposition 0.0.4, and
 * OpenMetrics 1.0, which adds `# UNIT`, names a counter's family without its
 * _total, has an info type and ends with `# EOF`.
 */
enum vms_metrics_format {
	VMS_METRICS_PROMETHEUS,
	VMS_METRICS_OPENMETRICS,
};
/* The HTTP Content-Type of a format. */
const char *vms_metrics_content_type(enum vms_metrics_format fmt);
/*
 * The # HELP, # TYPE (and # UNIT) lines of a family whose samples are named
 * `name`: a counter's name ends in _total, an info's in _info (a gauge in
 * the Prometheus format); a name ending in _bytes has the unit bytes.
 */
void vms_metrics_family(FILE *out, enum vms_metrics_format fmt, const char *name,
			const char *type, const char *help);
/* What ends the exposition: # EOF in OpenMetrics, nothing otherwise. */
void vms_metrics_end(FILE *out, enum vms_metrics_format fmt);
/* A label value, escaped for both formats and valid UTF-8, appended to sb. */
struct strbuf;
void vms_metrics_label_value(struct strbuf *sb, const char *s);
/* The host's: vmscope_host_info, its page size and (hm may be NULL) memory. */
void vms_metrics_host(FILE *out, enum vms_metrics_format fmt, const struct vms_host *h,
		      const struct vms_host_memory *hm);
/* The metrics of n processes, each family once, ended (openmetrics.c). */
int vms_openmetrics_write(FILE *out, enum vms_metrics_format fmt,
			  const struct vms_snapshot *const *snaps, size_t n);

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
/* The timeline as SVG line charts and the ranked regions with sparklines. */
int vms_report_recording_html(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt);

/*
 * Human size: 1023 → "1023", 4096 → "4.0K", 1.5 MiB → "1.5M" (binary units,
 * one decimal under 10, none above). Writes at most 8 bytes + NUL to buf
 * (src/report/format.c).
 */
void vms_format_size(char *buf, size_t n, uint64_t bytes);

#endif
