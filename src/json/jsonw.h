/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A streaming JSON writer: the only code that writes JSON, so escaping and
 * layout are decided once. Output is pretty-printed with a 2-space indent;
 * an "inline" container (and everything inside it) stays on one line, for
 * short lists such as VmFlags.
 *
 * Strings are bytes from a process (hostile): control characters become
 * \u00XX, '"' and '\\' are escaped, and a byte that is not part of valid
 * UTF-8 becomes U+FFFD, so the output is always valid UTF-8 JSON.
 *
 * Misuse (a key outside an object, unbalanced ends, nesting past
 * JSONW_MAX_DEPTH) is recorded and reported by jsonw_finish, never fatal.
 */
#ifndef VMSCOPE_JSON_JSONW_H
#define VMSCOPE_JSON_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"

#define JSONW_MAX_DEPTH 64

struct jsonw {
	FILE *out;      /* borrowed */
	struct strbuf sb; /* written to out in large pieces */
	bool write_error;
	unsigned depth; /* open containers */
	uint64_t has_items; /* bit d-1: the container at depth d has an item */
	uint64_t is_inline; /* bit d-1: ... is written on one line */
	uint64_t is_object; /* bit d-1: ... is an object (keys expected) */
	bool after_key;     /* a key was written, its value is next */
	int error;          /* first misuse, -EINVAL */
	/* times jsonw_items found its other thread waiting for its CPU and
	 * stopped it (jsonw-items.c) */
	unsigned items_stopped;
	/* for tests: called by jsonw_items' other thread as it begins, before
	 * it takes a block (NULL: nothing) */
	void (*items_other_begins)(void);
};

void jsonw_init(struct jsonw *w, FILE *out);

/*
 * Items 0..n-1 of the container open in w, each written by put(w, i, ctx),
 * in order. Many items (the regions of a snapshot) are written in blocks
 * that this thread and one more share as they go, each block written into
 * a buffer of its own (up to four at once) unless it is the next for the
 * FILE, and handed to the FILE in order: put must only read what it shares
 * with other calls. Memory grows by four blocks of 32 items.
 */
typedef void (*jsonw_item_fn)(struct jsonw *w, size_t i, const void *ctx);
void jsonw_items(struct jsonw *w, size_t n, jsonw_item_fn put, const void *ctx);

void jsonw_begin_object(struct jsonw *w);
void jsonw_begin_array(struct jsonw *w);
void jsonw_begin_inline_object(struct jsonw *w);
void jsonw_begin_inline_array(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);

/* The key of the next value; in an object only. n bytes of key. */
void jsonw_key_n(struct jsonw *w, const char *key, size_t n);
/* The same for a C string: inline, so that a literal's length is known
 * where it is written. */
static inline void jsonw_key(struct jsonw *w, const char *key)
{
	jsonw_key_n(w, key, strlen(key));
}

/*
 * A key written millions of times (a counter of every region), quoted once:
 * '"', the key and '": ', copied whole where it is written. A key that is
 * long or not plain is kept as it is and written the usual way.
 */
#define JSONW_QKEY_MAX 32
struct jsonw_qkey {
	char s[JSONW_QKEY_MAX];
	uint8_t n; /* bytes of s; 0: written by jsonw_key */
	const char *key;
};
void jsonw_qkey_init(struct jsonw_qkey *q, const char *key);
void jsonw_qkey(struct jsonw *w, const struct jsonw_qkey *q);
/* jsonw_qkey then jsonw_uint, in one call */
void jsonw_qkey_uint(struct jsonw *w, const struct jsonw_qkey *q, uint64_t v);

/*
 * The members keys[i]: values[i], i < n (at most 64), in order: those whose
 * bit i is set in have, and the others as null when nulls is true, left out
 * otherwise. One call for a region's counters: after the first member, the
 * separator is the same for each.
 */
void jsonw_qkey_uints(struct jsonw *w, const struct jsonw_qkey *keys, const uint64_t *values,
		      size_t n, uint64_t have, bool nulls);

/* s == NULL writes null. */
void jsonw_string(struct jsonw *w, const char *s);
/* n bytes, which may include NUL (written as \u0000). */
void jsonw_string_n(struct jsonw *w, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void jsonw_stringf(struct jsonw *w, const char *fmt, ...);
void jsonw_uint(struct jsonw *w, uint64_t v);
/* "0x" and v in lowercase hex: an address */
void jsonw_hex(struct jsonw *w, uint64_t v);
/* "MM:mm", each in hex of at least two digits: a device as maps prints it */
void jsonw_dev(struct jsonw *w, uint32_t major, uint32_t minor);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/*
 * Ends the document with a newline, writes it out and frees the buffer (a
 * writer must be finished once it was initialized). Returns 0, -EINVAL if the
 * writer was misused or containers are left open, or -EIO on a write error.
 */
int jsonw_finish(struct jsonw *w);

#endif
