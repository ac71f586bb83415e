/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the reporters share (format.c), below all of them and the reporter
 * table: sizes and counts as printed, the sort keys of rows, the defaults
 * of the report options and the title of a table. format.c also defines
 * the public part of this vocabulary declared in vmscope/report.h:
 * vms_format_size and the names of the sort keys.
 */
#ifndef VMSCOPE_REPORT_FORMAT_H
#define VMSCOPE_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/report.h"
#include "vmscope/snapshot.h"

struct strbuf;

/* Rows and objects a table lists when --top is not given. */
#define REPORT_DEFAULT_TOP 15

/* What a report prints for a value it could not read; compare by pointer. */
extern const char report_na[];

/*
 * A size as the report prints it: human ("4.0K"), or exact bytes with
 * --bytes; report_na when !have.
 */
const char *report_size(char buf[32], const struct vms_report_options *opt, bool have,
			uint64_t v);

/* Whether USS is known: both private counters were read. */
bool report_have_uss(const struct vms_counters *c);

/* The value rows are ordered by (largest first) for sort; size for VMS_SORT_SIZE. */
uint64_t report_sort_key(const struct vms_counters *c, uint64_t size, enum vms_sort sort);

/*
 * The indices of the first k regions (objects) in the order the tables list
 * them: largest first by sort, then by address; by address for
 * VMS_SORT_ADDRESS. k is at most their number. Caller frees.
 */
size_t *report_sorted_regions(const struct vms_snapshot *snap, enum vms_sort sort, size_t k);
size_t *report_sorted_objects(const struct vms_snapshot *snap, enum vms_sort sort, size_t k);

/* How many of n rows a table lists: all with --all, else at most opt->top. */
size_t report_shown(const struct vms_report_options *opt, size_t n);

/*
 * The text column a table ends with (a path, a label) gets at least this
 * much of a narrow width: other columns are dropped, in the order each
 * table states, until it does.
 */
#define REPORT_TEXT_COL_MIN 20

/*
 * Fits a table's columns in fit columns: w[i] is column i's width with the
 * gap after it, 0 for a column not shown. The columns order[] names are
 * dropped one after the other (their w[] set to 0) while lead, the sum of
 * w[] and room (what the text column keeps at least) are wider than fit.
 * Returns lead plus the sum of w[] then: where the text column begins.
 */
unsigned report_fit_columns(unsigned *w, size_t n, const unsigned *order, size_t n_order,
			    unsigned lead, unsigned room, unsigned fit);

/* Appends a table's title: "regions: top 15 of 40 by rss", "objects: 3 by pss". */
void report_table_title(struct strbuf *sb, const char *what, size_t n, size_t show,
			enum vms_sort sort);

/*
 * An object's path with " (deleted)" when it is, or for the shared memory
 * the kernel names as a file ("/dev/zero", "/memfd:x", "/SYSV...") what its
 * regions are (vms_region_shm_label).
 */
void report_object_name(struct strbuf *sb, const struct vms_snapshot *snap, size_t o);

#endif
