/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Damaging a JSON document one member at a time (damage.h). */
#include "config.h"

#include "damage.h"

#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#define DEPTH 16
#define WRONG "\"vmscope-wrong\""

struct member {
	const char *keys[DEPTH]; /* NULL: an element of an array, idx[] */
	size_t idx[DEPTH];
	unsigned depth;
	char path[128];
	json_object *value; /* in the tree collect walked */
};

struct walk {
	struct member *m;
	size_t n, alloc;
};

static void add_member(struct walk *w, const struct member *m)
{
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 64;
		w->m = realloc(w->m, w->alloc * sizeof(*w->m));
		assert_non_null(w->m);
	}
	w->m[w->n++] = *m;
}

static void collect(struct walk *w, json_object *o, struct member *at)
{
	struct member child;

	if (at->depth == DEPTH)
		fail_msg("deeper than %d: %s", DEPTH, at->path);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			child = *at;
			child.keys[child.depth++] = key;
			child.value = v;
			assert_true(snprintf(child.path, sizeof(child.path), "%s%s%s", at->path,
					     at->path[0] ? "." : "", key) < (int)sizeof(child.path));
			add_member(w, &child);
			collect(w, v, &child);
		}
	} else if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > 0) {
		json_object *first = json_object_array_get_idx(o, 0);
		/* each item of a record of values (a recording's region); of an
		 * array of objects or arrays, the first */
		size_t n = json_object_is_type(first, json_type_object) ||
				   json_object_is_type(first, json_type_array)
			? 1
			: json_object_array_length(o);

		for (size_t i = 0; i < n; i++) {
			child = *at;
			child.keys[child.depth] = NULL;
			child.idx[child.depth++] = i;
			child.value = json_object_array_get_idx(o, i);
			assert_true(snprintf(child.path, sizeof(child.path), "%s[%zu]", at->path, i) <
				    (int)sizeof(child.path));
			add_member(w, &child);
			collect(w, json_object_array_get_idx(o, i), &child);
		}
	}
}

/* The parent of m in a fresh tree of the document. */
static json_object *parent_of(json_object *root, const struct member *m)
{
	json_object *o = root;

	for (unsigned i = 0; i + 1 < m->depth; i++) {
		if (m->keys[i])
			assert_true(json_object_object_get_ex(o, m->keys[i], &o));
		else
			o = json_object_array_get_idx(o, m->idx[i]);
		assert_non_null(o);
	}
	return o;
}

/* text with [off, off + len) replaced by the tree, on one line */
static char *splice(const char *text, size_t off, size_t len, json_object *root, size_t *ret_n)
{
	const char *doc = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t dlen = strlen(doc), tail = strlen(text + off + len);
	char *s = malloc(off + dlen + tail + 1);

	assert_non_null(s);
	memcpy(s, text, off);
	memcpy(s + off, doc, dlen);
	memcpy(s + off + dlen, text + off + len, tail + 1);
	*ret_n = off + dlen + tail;
	return s;
}

/* Every failure is said, then the test fails once. */
static unsigned fails;

__attribute__((format(printf, 2, 3))) static void failed(unsigned *n, const char *fmt, ...)
{
	va_list ap;

	(*n)++;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void damage_position_of(const char *s, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static bool listed(const char *const *list, const char *path)
{
	for (; list && *list; list++)
		if (fnmatch(*list, path, 0) == 0)
			return true;
	return false;
}

/* err.path is path, or with DAMAGE_BY_LINE that of an element holding it */
static bool path_ok(const char *err_path, const char *path, unsigned flags)
{
	size_t n = strlen(err_path);

	if (!(flags & DAMAGE_BY_LINE))
		return strcmp(err_path, path) == 0;
	return strncmp(err_path, path, n) == 0 &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static void wrong_type(const char *doc, const char *text, size_t off, size_t len,
		       unsigned flags, const struct member *m,
		       damage_load_fn load, void *ctx, const char *const *unread)
{
	json_object *root = json_tokener_parse(doc), *parent, *old;
	struct vms_load_error err = { 0 };
	char path[160], *s;
	const char *at;
	size_t n;
	unsigned line, col;
	bool array;
	int r;

	assert_non_null(root);
	parent = parent_of(root, m);
	old = m->keys[m->depth - 1] ? json_object_object_get(parent, m->keys[m->depth - 1])
				    : json_object_array_get_idx(parent, m->idx[m->depth - 1]);
	array = json_object_is_type(old, json_type_array);
	/* an array where anything else belongs, a string where an array does */
	old = array ? json_object_new_string("vmscope-wrong") : json_object_new_array();
	if (!array)
		json_object_array_add(old, json_object_new_string("vmscope-wrong"));
	if (m->keys[m->depth - 1])
		json_object_object_add(parent, m->keys[m->depth - 1], old);
	else
		json_object_array_put_idx(parent, m->idx[m->depth - 1], old);
	s = splice(text, off, len, root, &n);
	json_object_put(root);
	snprintf(path, sizeof(path), "%s", m->path);
	r = load(s, n, &err, ctx);
	if (listed(unread, path)) {
		if (r != 0)
			failed(&fails, "%s, which is not read: %d (%s: %s)", path, r, err.path,
			       err.message);
		free(s);
		return;
	}
	at = strstr(s + off, WRONG);
	assert_non_null(at);
	if (!array)
		at--; /* the '[' */
	damage_position_of(s, (size_t)(at - s), &line, &col);
	if (flags & DAMAGE_BY_LINE)
		col = 1;
	if (flags & DAMAGE_BY_PATH)
		line = col = 0;
	if (r != -EBADMSG || !path_ok(err.path, path, flags) || err.line != line ||
	    err.column != col)
		failed(&fails, "%s of the wrong type: %d at %u:%u '%s' (%s), not -EBADMSG at %u:%u",
		       path, r, err.line, err.column, err.path, err.message, line, col);
	free(s);
}

/* s with the n bytes at at replaced by value */
static char *replace_at(const char *s, size_t len, size_t at, size_t n, const char *value,
			size_t *ret_len)
{
	size_t vlen = strlen(value);
	char *out = malloc(len - n + vlen + 1);

	assert_non_null(out);
	memcpy(out, s, at);
	memcpy(out + at, value, vlen);
	memcpy(out + at + vlen, s + at + n, len - at - n + 1);
	*ret_len = len - n + vlen;
	return out;
}

/*
 * The member's value replaced by the JSON text value: refused at its place
 * when strict; otherwise loaded, or refused with a message, at its place when
 * the error names the member (a value may be refused for what it
 * contradicts elsewhere).
 */
static void out_of_range(const char *doc, const char *text, size_t off, size_t len,
			 unsigned flags, const struct member *m, const char *value, bool strict,
			 damage_load_fn load, void *ctx, const char *const *unread,
			 struct damage_counts *counts)
{
	json_object *root = json_tokener_parse(doc), *parent;
	struct vms_load_error err = { 0 };
	char *marked, *s;
	const char *at;
	size_t n, n2;
	unsigned line, col;
	bool named;
	int r;

	assert_non_null(root);
	parent = parent_of(root, m);
	if (m->keys[m->depth - 1])
		json_object_object_add(parent, m->keys[m->depth - 1],
				       json_object_new_string("vmscope-wrong"));
	else
		json_object_array_put_idx(parent, m->idx[m->depth - 1],
					  json_object_new_string("vmscope-wrong"));
	marked = splice(text, off, len, root, &n);
	json_object_put(root);
	at = strstr(marked + off, WRONG);
	assert_non_null(at);
	s = replace_at(marked, n, (size_t)(at - marked), strlen(WRONG), value, &n2);
	damage_position_of(s, (size_t)(at - marked), &line, &col);
	free(marked);
	r = load(s, n2, &err, ctx);
	free(s);
	if (listed(unread, m->path)) {
		if (r != 0)
			failed(&fails, "%s = %s, which is not read: %d (%s: %s)", m->path, value, r,
			       err.path, err.message);
		return;
	}
	if (flags & DAMAGE_BY_LINE)
		col = 1;
	if (flags & DAMAGE_BY_PATH)
		line = col = 0;
	/* a recording's later line may name the same member, contradicted */
	named = path_ok(err.path, m->path, flags) && (!(flags & DAMAGE_BY_LINE) || err.line == line);
	if (r == 0 && !strict) {
		counts->accepted++;
		return;
	}
	/* a version past those known is refused as such */
	if ((r == -EBADMSG || (r == -EPROTONOSUPPORT && named && !strict)) && err.message[0] &&
	    (named || !strict) && (!named || (err.line == line && err.column == col))) {
		counts->refused++;
		return;
	}
	failed(&fails, "%s = %s: %d at %u:%u '%s' (%s), not %s-EBADMSG at %u:%u", m->path, value,
	       r, err.line, err.column, err.path, err.message, strict ? "" : "0 or ", line, col);
}

/* The values put in place of a member's: the strict ones no member may hold. */
static void out_of_range_each(const char *doc, const char *text, size_t off, size_t len,
			      unsigned flags, const struct member *m, json_object *old,
			      damage_load_fn load, void *ctx, const char *const *unread,
			      struct damage_counts *counts)
{
	/* beyond 64 bits (json-c saturates it), the least int64, and what fits
	 * only wider fields than some */
	static const char *const ints_strict[] = { "18446744073709551616",
						   "-9223372036854775808" };
	static const char *const ints[] = { "-1", "4294967296", "9223372036854775807" };
	static const char *const nulls[] = { "0", "\"\"" };
	char cut[256];

	switch (json_object_get_type(old)) {
	case json_type_int:
		for (size_t i = 0; i < sizeof(ints_strict) / sizeof(ints_strict[0]); i++)
			out_of_range(doc, text, off, len, flags, m, ints_strict[i], true, load, ctx,
				     unread, counts);
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			out_of_range(doc, text, off, len, flags, m, ints[i], false, load, ctx,
				     unread, counts);
		break;
	case json_type_string: {
		/* empty, and cut short by a character */
		const char *v = json_object_get_string(old);
		size_t n = strlen(v);

		out_of_range(doc, text, off, len, flags, m, "\"\"", false, load, ctx, unread,
			     counts);
		if (n > 1 && n < sizeof(cut) - 2 && !strpbrk(v, "\"\\") &&
		    (unsigned char)v[n - 1] < 0x80) {
			snprintf(cut, sizeof(cut), "\"%.*s\"", (int)(n - 1), v);
			out_of_range(doc, text, off, len, flags, m, cut, false, load, ctx, unread,
				     counts);
		}
		break;
	}
	case json_type_null:
		for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
			out_of_range(doc, text, off, len, flags, m, nulls[i], false, load, ctx,
				     unread, counts);
		break;
	default:
		break;
	}
}

static void left_out(const char *doc, const char *text, size_t off, size_t len,
		     unsigned flags, const struct member *m,
		     damage_load_fn load, void *ctx, struct damage_counts *counts)
{
	json_object *root = json_tokener_parse(doc), *parent;
	const char *key = m->keys[m->depth - 1];
	struct vms_load_error err = { 0 };
	char path[160], missing[160], *s;
	size_t n;
	int r;

	assert_non_null(root);
	parent = parent_of(root, m);
	json_object_object_del(parent, key);
	s = splice(text, off, len, root, &n);
	json_object_put(root);
	r = load(s, n, &err, ctx);
	free(s);
	if (r == 0) {
		counts->optional++;
		return;
	}
	counts->required++;
	/* the object's own path: the member's without its last key */
	snprintf(path, sizeof(path), "%.*s",
		 (int)(strlen(m->path) - strlen(key) - (m->depth > 1 ? 1 : 0)), m->path);
	snprintf(missing, sizeof(missing), "missing member \"%s\"", key);
	/* refused as missing, or for what its absence contradicts, at a place */
	if (r != -EBADMSG || (err.line == 0) != !!(flags & DAMAGE_BY_PATH) || !err.message[0] ||
	    (strstr(err.message, "missing member") &&
	     (!path_ok(err.path, path, flags) || !strstr(err.message, missing))))
		failed(&fails, "%s left out: %d at %u:%u '%s' (%s), not -EBADMSG '%s' (%s)",
		       m->path, r, err.line, err.column, err.path, err.message, path,
		       missing);
}

/*
 * VMSCOPE_DAMAGE_STRIDE=N: of a document of more than 64 members, every Nth
 * only. The test command sets it for its run under valgrind, where a load
 * costs a hundred times more; the loader's paths are the same for the
 * members left out, and the gcc and sanitizer builds damage every one.
 */
static size_t damage_stride(size_t members)
{
	const char *s = getenv("VMSCOPE_DAMAGE_STRIDE");
	long n = s ? strtol(s, NULL, 10) : 1;

	return members > 64 && n > 1 ? (size_t)n : 1;
}

/* Whether path was given values out of range before; it is now. */
static bool ranged_before(struct damage_counts *counts, const char *path)
{
	for (size_t i = 0; i < counts->n_ranged; i++)
		if (strcmp(counts->ranged[i], path) == 0)
			return true;
	counts->ranged = realloc(counts->ranged, (counts->n_ranged + 1) * sizeof(*counts->ranged));
	assert_non_null(counts->ranged);
	counts->ranged[counts->n_ranged] = strdup(path);
	assert_non_null(counts->ranged[counts->n_ranged]);
	counts->n_ranged++;
	return false;
}

void damage_counts_release(struct damage_counts *counts)
{
	for (size_t i = 0; i < counts->n_ranged; i++)
		free(counts->ranged[i]);
	free(counts->ranged);
	counts->ranged = NULL;
	counts->n_ranged = 0;
}

void damage_each_member(const char *text, size_t off, size_t len, unsigned flags,
			damage_load_fn load, void *ctx, const char *const *unread,
			struct damage_counts *counts)
{
	json_object *root;
	struct walk w = { 0 };
	struct member top = { .depth = 0 };
	char *doc = strndup(text + off, len);
	size_t stride;

	assert_non_null(doc);
	root = json_tokener_parse(doc);
	assert_non_null(root);
	collect(&w, root, &top);
	stride = damage_stride(w.n);
	if (stride > 1)
		print_message("# every %zuth of %zu members (VMSCOPE_DAMAGE_STRIDE)\n", stride, w.n);
	for (size_t i = 0; i < w.n; i += stride) {
		wrong_type(doc, text, off, len, flags, &w.m[i], load, ctx, unread);
		if (!ranged_before(counts, w.m[i].path))
			out_of_range_each(doc, text, off, len, flags, &w.m[i], w.m[i].value, load,
					  ctx, unread, counts);
		if (w.m[i].keys[w.m[i].depth - 1])
			left_out(doc, text, off, len, flags, &w.m[i], load, ctx, counts);
		counts->members++;
	}
	json_object_put(root);
	free(w.m);
	free(doc);
	if (fails)
		fail_msg("%u damaged documents were not refused as they should be", fails);
}
