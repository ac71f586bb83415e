/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot loader's typed getters: each checks one value of the
 * json-c tree against what schema 1 allows and enters the value's path
 * while it does, so that an error says where it is.
 */
#include "config.h"

#include "json/load-internal.h"

#include <inttypes.h>
#include <string.h>

#include "base/arena.h"

/* Typed getters. Each enters the member's path while checking it. */

static const char *json_type_word(const struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

/* The member key of obj (NULL is JSON null); false (an error) when missing. */
bool load_member(struct load *ld, struct json_object *obj, const char *key,
		 struct json_object **ret)
{
	if (!json_object_object_get_ex(obj, key, ret))
		return load_fail(ld, "missing member \"%s\"", key);
	return true;
}

bool load_want_type(struct load *ld, struct json_object *v, enum json_type t, const char *what)
{
	if (json_object_is_type(v, t))
		return true;
	return load_fail(ld, "expected %s, found %s", what, json_type_word(v));
}

/* A member of the given type, or NULL when the file says null and may. */
bool load_get_member(struct load *ld, struct json_object *obj, const char *key, enum json_type t,
		     const char *what, bool nullable, struct json_object **ret)
{
	struct json_object *v;
	bool ok;

	if (!load_member(ld, obj, key, &v))
		return false;
	load_enter_key(ld, key);
	if (nullable && json_object_is_type(v, json_type_null)) {
		load_leave(ld);
		*ret = NULL;
		return true;
	}
	ok = load_want_type(ld, v, t, what);
	load_leave(ld);
	*ret = v;
	return ok;
}

/* Whether obj has the member key: for members later writers added to schema 1. */
bool load_has_member(struct json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

bool load_uint_value(struct load *ld, struct json_object *v, uint64_t max, uint64_t *ret)
{
	uint64_t u;

	if (!load_want_type(ld, v, json_type_int, "a whole number"))
		return false;
	if (json_object_get_int64(v) < 0)
		return load_fail(ld, "expected a number of 0 or more");
	u = json_object_get_uint64(v);
	/* json-c saturates what does not fit in 64 bits to UINT64_MAX: that
	 * value is refused, and not said (the file may hold another) */
	if (max == UINT64_MAX)
		max = UINT64_MAX - 1;
	if (u == UINT64_MAX)
		return load_fail(ld, "out of range (at most %" PRIu64 ")", max);
	if (u > max)
		return load_fail(ld, "%" PRIu64 " is out of range (at most %" PRIu64 ")", u, max);
	*ret = u;
	return true;
}

/* A whole number member; *ret_null (when given) says null, else null is an error. */
bool load_get_uint(struct load *ld, struct json_object *obj, const char *key, uint64_t max,
		   uint64_t *ret, bool *ret_null)
{
	struct json_object *v;
	bool ok;

	/* set on every path: callers test it after a failure too */
	*ret = 0;
	if (ret_null)
		*ret_null = false;
	if (!load_member(ld, obj, key, &v))
		return false;
	load_enter_key(ld, key);
	if (ret_null)
		*ret_null = json_object_is_type(v, json_type_null);
	if (ret_null && *ret_null) {
		*ret = 0;
		ok = true;
	} else {
		ok = load_uint_value(ld, v, max, ret);
	}
	load_leave(ld);
	return ok;
}

bool load_get_int64(struct load *ld, struct json_object *obj, const char *key, int64_t *ret)
{
	struct json_object *v;
	bool ok;

	*ret = 0;
	if (!load_member(ld, obj, key, &v))
		return false;
	load_enter_key(ld, key);
	ok = load_want_type(ld, v, json_type_int, "a whole number");
	if (ok) {
		int64_t x = json_object_get_int64(v);

		if (x == INT64_MAX || x == INT64_MIN)
			ok = load_fail(ld, "out of range");
		*ret = x;
	}
	load_leave(ld);
	return ok;
}

bool load_get_bool(struct load *ld, struct json_object *obj, const char *key, bool *ret)
{
	struct json_object *v;

	*ret = false;
	if (!load_get_member(ld, obj, key, json_type_boolean, "true or false", false, &v))
		return false;
	*ret = json_object_get_boolean(v);
	return true;
}

/*
 * A string member: NUL-free, at most max bytes. *ret is json-c's (valid
 * while the document lives); NULL for null when nullable.
 */
bool load_get_string(struct load *ld, struct json_object *obj, const char *key, size_t max,
		     bool nullable, const char **ret, size_t *ret_len)
{
	struct json_object *v;
	const char *s;
	size_t n;

	*ret = NULL;
	if (ret_len)
		*ret_len = 0;
	if (!load_get_member(ld, obj, key, json_type_string, "a string", nullable, &v))
		return false;
	if (!v) {
		*ret = NULL;
		if (ret_len)
			*ret_len = 0;
		return true;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	load_enter_key(ld, key);
	if (memchr(s, '\0', n))
		load_fail(ld, "a NUL character in a string");
	else if (n > max)
		load_fail(ld, "a string of %zu bytes, longer than %zu", n, max);
	load_leave(ld);
	if (ld->failed)
		return false;
	*ret = s;
	if (ret_len)
		*ret_len = n;
	return true;
}

/* The same, copied into the snapshot's arena. */
bool load_get_arena_string(struct load *ld, struct json_object *obj, const char *key,
			   bool nullable, const char **ret)
{
	const char *s;
	size_t n;

	if (!load_get_string(ld, obj, key, SIZE_MAX, nullable, &s, &n))
		return false;
	*ret = s ? arena_strndup(ld->snap->arena, s, n) : NULL;
	return true;
}

/* Into a fixed char array (host facts). */
bool load_get_fixed_string(struct load *ld, struct json_object *obj, const char *key,
			   bool nullable, char *out, size_t size)
{
	const char *s;
	size_t n;

	if (!load_get_string(ld, obj, key, size - 1, nullable, &s, &n))
		return false;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
	return true;
}

bool load_parse_hex(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (s[0] != '0' || s[1] != 'x' || !s[2])
		return false;
	for (s += 2; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			return false;
		if (v > (UINT64_MAX >> 4))
			return false;
		v = v << 4 | d;
	}
	*ret = v;
	return true;
}

/* "0x..." lowercase hex; null gives 0 when nullable. */
bool load_get_addr(struct load *ld, struct json_object *obj, const char *key, bool nullable,
		   uint64_t *ret)
{
	const char *s;

	*ret = 0;
	if (!load_get_string(ld, obj, key, 18, nullable, &s, NULL))
		return false;
	if (!s) {
		*ret = 0;
		return true;
	}
	if (!load_parse_hex(s, ret)) {
		load_enter_key(ld, key);
		load_fail(ld, "expected an address as \"0x\" and lowercase hex digits");
		load_leave(ld);
		return false;
	}
	return true;
}

/* "fe:01": major and minor in hex. */
bool load_get_dev(struct load *ld, struct json_object *obj, uint32_t *ret_major,
		  uint32_t *ret_minor)
{
	uint64_t v[2] = { 0, 0 };
	unsigned part = 0;
	size_t digits = 0;
	const char *s;

	*ret_major = *ret_minor = 0;
	if (!load_get_string(ld, obj, "dev", 32, false, &s, NULL))
		return false;
	for (const char *p = s;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d >= 0 && v[part] <= UINT32_MAX >> 4) {
			v[part] = v[part] << 4 | (unsigned)d;
			digits++;
			continue;
		}
		if (*p == ':' && part == 0 && digits) {
			part = 1;
			digits = 0;
			continue;
		}
		if (*p == '\0' && part == 1 && digits)
			break;
		load_enter_key(ld, "dev");
		load_fail(ld, "expected a device as \"major:minor\" in hex");
		load_leave(ld);
		return false;
	}
	*ret_major = (uint32_t)v[0];
	*ret_minor = (uint32_t)v[1];
	return true;
}

/* An errno name as the writer spells it ("EACCES" or "E123"), as a negative errno. */
static bool errno_from_name(const char *s, int *ret)
{
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name && strcmp(name, s) == 0) {
			*ret = -e;
			return true;
		}
	}
	if (s[0] == 'E' && s[1] >= '1' && s[1] <= '9') {
		long e = 0;

		for (s++; *s >= '0' && *s <= '9' && e < 100000; s++)
			e = e * 10 + (*s - '0');
		if (*s == '\0' && e < 100000) {
			*ret = -(int)e;
			return true;
		}
	}
	return false;
}

bool load_get_error(struct load *ld, struct json_object *obj, const char *key, int *ret)
{
	const char *s;

	*ret = 0;
	if (!load_get_string(ld, obj, key, 32, true, &s, NULL))
		return false;
	*ret = 0;
	if (s && !errno_from_name(s, ret)) {
		load_enter_key(ld, key);
		load_fail(ld, "unknown error name \"%s\"", s);
		load_leave(ld);
		return false;
	}
	return true;
}

/* An index into an array of n items, or -1 for null. */
bool load_get_index(struct load *ld, struct json_object *obj, const char *key, size_t n,
		    int32_t *ret)
{
	uint64_t v;
	bool is_null;

	*ret = -1;
	if (!load_get_uint(ld, obj, key, INT32_MAX, &v, &is_null))
		return false;
	if (!is_null && v >= n) {
		load_enter_key(ld, key);
		load_fail(ld, "index %" PRIu64 " past the %zu items", v, n);
		load_leave(ld);
		return false;
	}
	*ret = is_null ? -1 : (int32_t)v;
	return true;
}

/* A size, "unlimited" or null (*ret_have false). */
bool load_get_limit(struct load *ld, struct json_object *obj, const char *key, bool *ret_have,
		    uint64_t *ret)
{
	struct json_object *v;
	bool ok = true;

	*ret_have = false; /* on every path, as get_uint's null flag */
	if (!load_member(ld, obj, key, &v))
		return false;
	load_enter_key(ld, key);
	*ret_have = !json_object_is_type(v, json_type_null);
	*ret = 0;
	if (json_object_is_type(v, json_type_string)) {
		if (strcmp(json_object_get_string(v), "unlimited") == 0)
			*ret = VMS_UNLIMITED;
		else
			ok = load_fail(ld, "expected a number of bytes or \"unlimited\"");
	} else if (*ret_have) {
		ok = load_uint_value(ld, v, UINT64_MAX - 1, ret);
	}
	load_leave(ld);
	return ok;
}

/* An integer in [min, max] or null; null needs the error beside it, so never reads as 0. */
bool load_get_int_or_error(struct load *ld, struct json_object *obj, const char *key,
			   const char *err_key, int64_t min, int64_t max, int32_t *ret,
			   int *ret_err)
{
	struct json_object *v;
	bool ok;

	*ret = 0;
	if (!load_get_error(ld, obj, err_key, ret_err) || !load_member(ld, obj, key, &v))
		return false;
	load_enter_key(ld, key);
	*ret = 0;
	if (json_object_is_type(v, json_type_null)) {
		ok = *ret_err ? true : load_fail(ld, "null without \"%s\" saying why", err_key);
	} else if (*ret_err) {
		ok = load_fail(ld, "a value beside the error \"%s\"", err_key);
	} else if ((ok = load_want_type(ld, v, json_type_int, "a whole number"))) {
		int64_t x = json_object_get_int64(v);

		if (x < min || x > max)
			ok = load_fail(ld,
				       "%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")",
				       x, min, max);
		*ret = (int32_t)x;
	}
	load_leave(ld);
	return ok;
}

/* The member key as an object when there is one; *ret NULL when the file has none. */
bool load_optional_object(struct load *ld, struct json_object *root, const char *key,
			  struct json_object **ret)
{
	*ret = NULL;
	if (!load_has_member(root, key))
		return true;
	return load_get_member(ld, root, key, json_type_object, "an object", false, ret);
}

/* Iterates the array member key: each item must be an object. */
bool load_array(struct load *ld, struct json_object *root, const char *key,
		struct json_object **ret, size_t *ret_n)
{
	struct json_object *a;

	if (!load_get_member(ld, root, key, json_type_array, "an array", false, &a))
		return false;
	*ret_n = json_object_array_length(a);
	*ret = a;
	if (*ret_n > LOAD_MAX_ITEMS) {
		load_enter_key(ld, key);
		load_fail(ld, "%zu items, more than %u", *ret_n, LOAD_MAX_ITEMS);
		load_leave(ld);
		return false;
	}
	return true;
}

/* A top-level array held as spans: its length, as load_array gives. */
bool load_lazy_array(struct load *ld, struct json_object *root, int k, size_t *ret_n)
{
	struct json_object *unused;

	if (!ld->lazy[k].present)
		return load_array(ld, root, load_lazy_keys[k], &unused, ret_n);
	*ret_n = ld->lazy[k].n;
	if (*ret_n > LOAD_MAX_ITEMS) {
		load_enter_key(ld, load_lazy_keys[k]);
		load_fail(ld, "%zu items, more than %u", *ret_n, LOAD_MAX_ITEMS);
		load_leave(ld);
		return false;
	}
	return true;
}

/* Element i of a lazy array as an object (put it when done), NULL on an error. */
struct json_object *load_lazy_element(struct load *ld, int k, size_t i)
{
	struct json_object *v;

	/* the root and the array are two levels above */
	if (!load_parse_span(ld, ld->lazy[k].start[i], ld->lazy[k].end[i], VMS_JSON_MAX_DEPTH - 2,
			     &v))
		return NULL;
	if (!load_want_type(ld, v, json_type_object, "an object")) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

struct json_object *load_array_object(struct load *ld, struct json_object *a, size_t i)
{
	struct json_object *v = json_object_array_get_idx(a, i);

	return load_want_type(ld, v, json_type_object, "an object") ? v : NULL;
}

/* An object of smaps counters by vms_mem_fields name; a missing one is not had. */
bool load_mem(struct load *ld, struct json_object *obj, const char *key, uint64_t max,
	      struct vms_counters *ret)
{
	struct json_object *m;
	bool ok = true;

	if (!load_get_member(ld, obj, key, json_type_object, "an object", false, &m))
		return false;
	load_enter_key(ld, key);
	memset(ret, 0, sizeof(*ret));
	for (int f = 0; f < VMS_MEM__MAX && ok; f++) {
		struct json_object *v;

		if (!json_object_object_get_ex(m, vms_mem_fields[f].name, &v))
			continue;
		load_enter_key(ld, vms_mem_fields[f].name);
		ok = load_uint_value(ld, v, max, &ret->v[f]);
		load_leave(ld);
		ret->have |= UINT32_C(1) << f;
	}
	load_leave(ld);
	return ok;
}
