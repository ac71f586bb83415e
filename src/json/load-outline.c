/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot loader's first pass and its error positions. json-c parses
 * the text but keeps no positions, so an error records the path to the
 * value (a key or an index per level) and the position is found afterwards
 * by walking the text along that path, which json-c has already validated.
 * The large arrays are only outlined here (each element a span of the
 * text) and parsed one element at a time as they are loaded.
 */
#include "config.h"

#include "json/load-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"
#include "json/parse.h"

const char *const load_lazy_keys[LAZY__MAX] = { "regions", "objects", "threads" };

/* Position finding: the text is valid JSON by now. */

/* The offset of the member `key` of the object at i (the last one, as json-c keeps). */
static bool find_member(const char *b, size_t len, size_t i, const char *key, size_t *ret)
{
	size_t klen = strlen(key);
	bool found = false;

	if (i >= len || b[i] != '{')
		return false;
	i = vms_json_skip_ws(b, len, i + 1);
	while (i < len && b[i] == '"') {
		size_t k = i + 1, end = vms_json_skip_string(b, len, i);

		i = vms_json_skip_ws(b, len, end);
		if (i >= len || b[i] != ':')
			break;
		i = vms_json_skip_ws(b, len, i + 1);
		if (end - k == klen + 1 && memcmp(b + k, key, klen) == 0) {
			*ret = i;
			found = true;
		}
		i = vms_json_skip_ws(b, len, vms_json_skip_value(b, len, i));
		if (i >= len || b[i] != ',')
			break;
		i = vms_json_skip_ws(b, len, i + 1);
	}
	return found;
}

static bool find_element(const char *b, size_t len, size_t i, size_t index, size_t *ret)
{
	if (i >= len || b[i] != '[')
		return false;
	i = vms_json_skip_ws(b, len, i + 1);
	for (size_t n = 0; i < len && b[i] != ']'; n++) {
		if (n == index) {
			*ret = i;
			return true;
		}
		i = vms_json_skip_ws(b, len, vms_json_skip_value(b, len, i));
		if (i >= len || b[i] != ',')
			return false;
		i = vms_json_skip_ws(b, len, i + 1);
	}
	return false;
}

/* The offset of the value at the current path, or of its deepest ancestor found. */
static size_t locate(const struct load *ld)
{
	size_t at = vms_json_skip_ws(ld->buf, ld->len, 0);

	for (unsigned d = 0; d < ld->depth; d++) {
		const struct path_part *p = &ld->path[d];
		size_t next;
		bool ok = p->key ? find_member(ld->buf, ld->len, at, p->key, &next)
				 : find_element(ld->buf, ld->len, at, p->index, &next);

		if (!ok)
			break;
		at = next;
	}
	return at;
}

static void format_path(const struct load *ld, char *out, size_t n)
{
	struct strbuf sb;

	strbuf_init(&sb);
	for (unsigned d = 0; d < ld->depth; d++) {
		if (ld->path[d].key)
			strbuf_addf(&sb, "%s%s", d ? "." : "", ld->path[d].key);
		else
			strbuf_addf(&sb, "[%zu]", ld->path[d].index);
	}
	snprintf(out, n, "%s", sb.buf);
	strbuf_release(&sb);
}

/* Records the first error, at the current path; returns false for `return load_fail(...)`. */
__attribute__((format(printf, 2, 3))) bool load_fail(struct load *ld, const char *fmt, ...)
{
	va_list ap;

	if (ld->failed)
		return false;
	ld->failed = true;
	va_start(ap, fmt);
	vsnprintf(ld->err->message, sizeof(ld->err->message), fmt, ap);
	va_end(ap);
	format_path(ld, ld->err->path, sizeof(ld->err->path));
	vms_json_set_position(ld->err, ld->buf, ld->len, locate(ld));
	return false;
}

/* The same at a byte offset of the text, for errors in its syntax. */
bool load_fail_at(struct load *ld, size_t off, const char *message)
{
	if (ld->failed)
		return false;
	ld->failed = true;
	snprintf(ld->err->message, sizeof(ld->err->message), "%s", message);
	format_path(ld, ld->err->path, sizeof(ld->err->path));
	vms_json_set_position(ld->err, ld->buf, ld->len, off);
	return false;
}

static int lazy_index(const char *key)
{
	for (int k = 0; k < LAZY__MAX; k++)
		if (strcmp(load_lazy_keys[k], key) == 0)
			return k;
	return -1;
}

/* Pass 1: the document's outline */

/*
 * Parses the value in [start, end) of the text with json-c. The end comes
 * from vms_json_skip_value, which trusts the text: json-c must take exactly that
 * span, or the text is wrong there.
 */
bool load_parse_span(struct load *ld, size_t start, size_t end, unsigned depth,
		     struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *v;
	enum json_tokener_error e;
	size_t used;

	*ret = NULL;
	if (end <= start)
		return load_fail_at(ld, start, start >= ld->len ? "unexpected end of file"
							   : "expected a value");
	strbuf_reset(&ld->scratch);
	strbuf_add(&ld->scratch, ld->buf + start, end - start);
	tok = json_tokener_new_ex((int)depth);
	if (!tok)
		die_oom(sizeof(*tok));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* with its NUL: json-c needs to see a number end */
	v = vms_json_tokener_parse(tok, ld->scratch.buf, (int)(end - start + 1));
	e = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* a JSON null is a NULL object: a value all the same */
	if (e == json_tokener_success && used == end - start) {
		*ret = v;
		return true;
	}
	json_object_put(v);
	if (e == json_tokener_error_depth)
		return load_fail_at(ld, start + used, "nesting too deep");
	if (start + used >= ld->len || (e != json_tokener_success && end >= ld->len))
		return load_fail_at(ld, ld->len, "unexpected end of file");
	return load_fail_at(ld, start + used,
			    e != json_tokener_success ? json_tokener_error_desc(e)
						      : "unexpected character");
}

/* Records the elements of the array at i (its "["); returns past its "]". */
static bool outline_array(struct load *ld, size_t i, struct lazy_array *a, size_t *ret)
{
	a->present = true;
	a->n = 0;
	i = vms_json_skip_ws(ld->buf, ld->len, i + 1);
	if (i < ld->len && ld->buf[i] == ']') {
		*ret = i + 1;
		return true;
	}
	for (;;) {
		size_t end = vms_json_skip_value(ld->buf, ld->len, i);

		if (end <= i)
			return load_fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected a value");
		/* a file of "[1,1,1,..." must not make gigabytes of spans */
		if (a->n == LOAD_MAX_ITEMS)
			return load_fail_at(ld, i, "more items than the loader takes (4,194,304)");
		ARRAY_GROW(a->start, a->n + 1, a->alloc_start);
		ARRAY_GROW(a->end, a->n + 1, a->alloc_end);
		a->start[a->n] = i;
		a->end[a->n] = end;
		a->n++;
		i = vms_json_skip_ws(ld->buf, ld->len, end);
		if (i < ld->len && ld->buf[i] == ']') {
			*ret = i + 1;
			return true;
		}
		if (i >= ld->len || ld->buf[i] != ',')
			return load_fail_at(ld, i,
					    i >= ld->len ? "unexpected end of file"
							 : "expected ',' or ']' after an element");
		i = vms_json_skip_ws(ld->buf, ld->len, i + 1);
	}
}

/*
 * The top-level object: each member's value is parsed into *ret with
 * json-c, but for the lazy arrays, whose elements are only located here
 * (and parsed one by one as they are loaded).
 */
bool load_parse_root(struct load *ld, struct json_object **ret)
{
	struct json_object *root, *key = NULL, *v;
	size_t i = vms_json_skip_ws(ld->buf, ld->len, 0), end = 0;

	*ret = NULL;
	if (i >= ld->len || ld->buf[i] != '{') {
		/* not an object: json-c says what it is, or what is wrong */
		if (!load_parse_span(ld, i, vms_json_skip_value(ld->buf, ld->len, i),
				     VMS_JSON_MAX_DEPTH, &v))
			return false;
		*ret = v;
		end = vms_json_skip_value(ld->buf, ld->len, i);
		goto after;
	}
	root = json_object_new_object();
	if (!root)
		die_oom(0);
	*ret = root;
	i = vms_json_skip_ws(ld->buf, ld->len, i + 1);
	if (i < ld->len && ld->buf[i] == '}') {
		end = i + 1;
		goto after;
	}
	for (;;) {
		const char *k;
		int lazy;

		if (i >= ld->len || ld->buf[i] != '"')
			return load_fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected a member name");
		if (!load_parse_span(ld, i, vms_json_skip_string(ld->buf, ld->len, i), 1, &key))
			return false;
		k = json_object_get_string(key);
		if (strlen(k) != (size_t)json_object_get_string_len(key)) {
			json_object_put(key);
			return load_fail_at(ld, i, "a NUL character in a member name");
		}
		i = vms_json_skip_ws(ld->buf, ld->len, vms_json_skip_string(ld->buf, ld->len, i));
		if (i >= ld->len || ld->buf[i] != ':') {
			json_object_put(key);
			return load_fail_at(ld, i, i >= ld->len ? "unexpected end of file"
								   : "expected ':'");
		}
		i = vms_json_skip_ws(ld->buf, ld->len, i + 1);
		lazy = lazy_index(k);
		/* json-c keeps the last of members of one name; so does this */
		if (lazy >= 0)
			ld->lazy[lazy].present = false;
		if (lazy >= 0 && i < ld->len && ld->buf[i] == '[') {
			json_object_object_del(root, k);
			if (!outline_array(ld, i, &ld->lazy[lazy], &end)) {
				json_object_put(key);
				return false;
			}
		} else {
			end = vms_json_skip_value(ld->buf, ld->len, i);
			if (!load_parse_span(ld, i, end, VMS_JSON_MAX_DEPTH - 1, &v)) {
				json_object_put(key);
				return false;
			}
			json_object_object_add(root, k, v);
		}
		json_object_put(key);
		i = vms_json_skip_ws(ld->buf, ld->len, end);
		if (i < ld->len && ld->buf[i] == '}') {
			end = i + 1;
			break;
		}
		if (i >= ld->len || ld->buf[i] != ',')
			return load_fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected ',' or '}' after a member");
		i = vms_json_skip_ws(ld->buf, ld->len, i + 1);
	}
after:
	i = vms_json_skip_ws(ld->buf, ld->len, end);
	if (i != ld->len)
		return load_fail_at(ld, i, "text after the snapshot");
	return true;
}
