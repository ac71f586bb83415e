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

#endif
