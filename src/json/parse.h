/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON text, as both loaders of src/json read it (the snapshot and the
 * budget file): reading a file with the size cap, checking and parsing its
 * text strictly into a json-c tree, and the positions (line:column) of
 * errors in it.
 */
#ifndef VMSCOPE_JSON_PARSE_H
#define VMSCOPE_JSON_PARSE_H

#include <stddef.h>

#include "json/jsonc.h"

#include "base/strbuf.h"
#include "vmscope/load.h"

/* Deeper than any snapshot (5 levels): a hostile file cannot recurse far. */
#define VMS_JSON_MAX_DEPTH 16

/*
 * Parses len bytes of strict JSON (one value, UTF-8, no NUL) into *ret (the
 * caller puts it). what names the document in messages ("snapshot").
 * Returns 0, -EBADMSG or -EFBIG (over VMS_LOAD_MAX_BYTES) with *err filled.
 */
int vms_json_parse_text(const char *buf, size_t len, const char *what, struct json_object **ret,
			struct vms_load_error *err);

/*
 * json_tokener_parse_ex, run in the C locale. json-c reads numbers in a
 * copy of the thread's locale with LC_NUMERIC set to "C", made and freed
 * for each call; under another locale (de_DE.UTF-8) that copy is a mixed
 * locale whose name glibc leaks, some 40 bytes a call (LeakSanitizer sees
 * it), a snapshot's worth for each element. From the C locale there is
 * nothing to mix. Every parse of the JSON readers goes through here.
 */
struct json_object *vms_json_tokener_parse(struct json_tokener *tok, const char *buf, int len);

/*
 * Reads the file at path (relative to dirfd), capped at VMS_LOAD_MAX_BYTES,
 * and hands its text to parse. Returns what parse returns, or -errno from
 * reading with err->message set.
 */
typedef int (*vms_load_parse_fn)(const char *buf, size_t len, void *ctx,
				 struct vms_load_error *err);
int vms_load_file(int dirfd, const char *path, vms_load_parse_fn parse, void *ctx,
		  struct vms_load_error *err);

/*
 * Walking text that is valid JSON (json-c has said so, or a caller checks
 * what it finds): each returns the offset past what starts at i, or len.
 */
/* Past the whitespace at i. */
size_t vms_json_skip_ws(const char *b, size_t len, size_t i);

/* Past the string starting at the quote at i. */
size_t vms_json_skip_string(const char *b, size_t len, size_t i);

/* Past the value starting at i; i itself when a closing bracket is there. */
size_t vms_json_skip_value(const char *b, size_t len, size_t i);

/* err->line and err->column (1-based, the column in bytes) of byte off of buf. */
void vms_json_set_position(struct vms_load_error *err, const char *buf, size_t len, size_t off);

/*
 * What any JSON text must be before json-c sees it: not too big, not empty,
 * no NUL; and json-c loaded (jsonc.h), which this is the first to ask for.
 * Returns 0, or -EFBIG, -EBADMSG or -ELIBACC with *err filled (and cleared
 * first in every case).
 */
int vms_json_check_text(const char *buf, size_t len, const char *what, struct vms_load_error *err);

#endif
