/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parts of the text report that draw through a report_sink rather than the
 * text report's own state (text-internal.h): section labels and the
 * --sections listing (sections.c), the --by object table (by-object.c),
 * limits and pressure (insights.c). They draw into the text report's
 * canvas; maybe_flush(ctx) lets the report print and clear it between
 * rows, so memory stays bounded. They call none of the text report's files.
 */
#ifndef VMSCOPE_REPORT_TABLES_H
#define VMSCOPE_REPORT_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "report/canvas.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

struct strbuf;

/*
 * A path or name in a table's last column from x: cut at its head to the
 * room left ("…/lib/libc.so.6"), or whole with opt->full_lines (into a pipe
 * no line is cut). Returns the columns used in the canvas.
 */
unsigned report_put_last_col(struct canvas *cv, const struct vms_report_options *opt, unsigned x,
			     size_t y, const char *s, size_t n, unsigned width,
			     enum canvas_class cls);

struct report_sink {
	struct canvas *cv;
	unsigned width;
	const struct vms_report_options *opt;
	void (*maybe_flush)(void *ctx);
	void *ctx;
};

/*
 * Appends the names of the sections region r holds, the largest one or two
 * in address order (".data .bss"); false, with nothing appended, when its
 * sections are not known.
 */
bool report_section_label(struct strbuf *sb, const struct vms_snapshot *snap,
			  const struct vms_region *r);
/*
 * For an executable private mapping of an ELF object that the loader did not
 * make (kind file: node maps part of its .text again into V8's code range),
 * the sections it holds by file offset and " (remapped)"; false when it is
 * none such or they are not known.
 */
bool report_remapped_label(struct strbuf *sb, const struct vms_snapshot *snap,
			   const struct vms_region *r);

/* --sections: for objects[idx[0 .. n)], each region and the sections it holds. */
void report_sections(const struct report_sink *out, const struct vms_snapshot *snap,
		     const size_t *idx, size_t n);

/* --by object: memory of each object and of each kind of anonymous memory. */
void report_by_object(const struct report_sink *out, const struct vms_snapshot *snap);

/*
 * Limits, pressure and costs (insights.c): stacks against their limits,
 * locked memory, OOM score, the memory cgroup, page tables and huge pages,
 * the machine's commitment, then the layout's regions, gaps and heap.
 */
void report_insights(const struct report_sink *out, const struct vms_snapshot *snap);

#endif
