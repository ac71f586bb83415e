/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the JSON loaders of src/report share (the snapshot and the budget
 * file): reading a file with the size cap, and parsing its text strictly
 * into a json-c tree with the line and column of the first error.
 */
#ifndef VMSCOPE_REPORT_JSON_PARSE_H
#define VMSCOPE_REPORT_JSON_PARSE_H

#include <stddef.h>

#include <json-c/json.h>

#include "base/strbuf.h"
#include "vmscope/load.h"

/*
 * Parses len bytes of strict JSON (one value, UTF-8, no NUL) into *ret (the
 * caller puts it). what names the document in messages ("snapshot").
 * Returns 0, -EBADMSG or -EFBIG (over VMS_LOAD_MAX_BYTES) with *err filled.
 */
int vms_json_parse_text(const char *buf, size_t len, const char *what, struct json_object **ret,
			struct vms_load_error *err);

/* Reads the file at path (relative to dirfd) into out, capped at
 * VMS_LOAD_MAX_BYTES. Returns 0, or -errno with err->message set. */
int vms_load_read_file(int dirfd, const char *path, struct strbuf *out,
		       struct vms_load_error *err);

#endif
