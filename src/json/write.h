/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing the JSON snapshot (schema VMS_SCHEMA_VERSION; vmscope-snapshot(5)):
 * the document that load-snapshot.c reads back. The `json` reporter of
 * src/report writes it through here; the page pieces are shared with the
 * JSON of `vmscope pages` (src/report/pages.c).
 */
#ifndef VMSCOPE_JSON_WRITE_H
#define VMSCOPE_JSON_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "json/jsonw.h"
#include "vmscope/recording.h"
#include "vmscope/snapshot.h"

/*
 * The snapshot as one JSON document on out. Returns 0, or -EIO on a write
 * error (-EINVAL would be a bug of the writer).
 */
int vms_json_write_snapshot(FILE *out, const struct vms_snapshot *snap);

/* "pages": {...} of a region, null when not read. */
void json_put_region_pages(struct jsonw *w, const struct vms_region_pages *p);
/* The top-level "pages" object: how page data was read. */
void json_put_pages_info(struct jsonw *w, const struct vms_snapshot *snap);
/* Whether the snapshot has page fields to write (page data was read). */
bool json_want_pages(const struct vms_snapshot *snap);

/*
 * A recording's lines (write-recording.c; vmscope-record(1)): each is one
 * JSON document on one line, written whole and flushed, so a reader sees
 * whole lines only but for the one a killed recorder was writing. Each
 * returns 0, or -EIO on a write error.
 */
/* The header: the process and host of first, the sampling settings. */
int vms_recording_write_header(FILE *out, const struct vms_snapshot *first, int64_t interval_ns,
			       uint32_t cpu_permille);
/* A sample taken t_ns after the first: its totals, and with d (NULL: the
 * regions were not read) the regions that changed. */
int vms_recording_write_sample(FILE *out, const struct vms_snapshot *snap, int64_t t_ns,
			       const struct vms_rec_delta *d);
/* The end line: why and when it ended, and how many samples it holds. */
int vms_recording_write_end(FILE *out, enum vms_rec_end end, int64_t t_ns, size_t samples);

#endif
