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

/*
 * Reads the file at path (relative to dirfd), capped at VMS_LOAD_MAX_BYTES,
 * and hands its text to parse. Returns what parse returns, or -errno from
 * reading with err->message set.
 */
typedef int (*vms_load_parse_fn)(const char *buf, size_t len, void *ctx,
				 struct vms_load_error *err);
int vms_load_file(int dirfd, const char *path, vms_load_parse_fn parse, void *ctx,
		  struct vms_load_error *err);

#endif
