/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON snapshot reader: the inverse of vms_report_json. json-c parses
 * the text; this file checks every value against schema 1 and rebuilds the
 * model. json-c keeps no positions, so an error records the path to the
 * value (a key or an index per level) and the position is found afterwards
 * by walking the text along that path, which json-c has already validated.
 */
#include "config.h"

#include "vmscope/load.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/json-parse.h"

/* Deeper than any snapshot (5 levels): a hostile file cannot recurse far. */
#define LOAD_MAX_DEPTH 16
/* More than the kernel's vm.max_map_count allows by default (4,194,304). */
#define LOAD_MAX_ITEMS (1u << 22)

struct path_part {
	const char *key; /* NULL: an array index */
	size_t index;
};

/*
 * The arrays of a snapshot that grow with the process: held as a json-c
 * tree, the 65,000 regions of an 80 MB file took 700 MiB. They are parsed
 * one element at a time instead (parse_root, lazy_element); the rest of
 * the document is a json-c tree as usual.
 */
enum { LAZY_REGIONS, LAZY_OBJECTS, LAZY_THREADS, LAZY__MAX };
static const char *const lazy_keys[LAZY__MAX] = { "regions", "objects", "threads" };

struct lazy_array {
	bool present;    /* the member is an array ("[" in the text) */
	size_t *start;   /* each element's first and past-last byte */
	size_t *end;
	size_t n, alloc_start, alloc_end;
};

struct load {
	const char *buf;
	size_t len;
	struct vms_snapshot *snap;
	struct vms_load_error *err;
	struct path_part path[LOAD_MAX_DEPTH];
	unsigned depth;
	bool failed;
	struct lazy_array lazy[LAZY__MAX];
	struct json_tokener *tok;
	struct strbuf scratch; /* one value's text, NUL-terminated for json-c */
};

static void enter_key(struct load *ld, const char *key)
{
	if (ld->depth < LOAD_MAX_DEPTH)
		ld->path[ld->depth] = (struct path_part){ .key = key };
	ld->depth++;
}

static void enter_index(struct load *ld, size_t index)
{
	if (ld->depth < LOAD_MAX_DEPTH)
		ld->path[ld->depth] = (struct path_part){ .index = index };
	ld->depth++;
}

static void leave(struct load *ld)
{
	ld->depth--;
}

/* Position finding: the text is valid JSON by now. */

static size_t skip_ws(const char *b, size_t len, size_t i)
{
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i;
}

/* Past the string starting at the quote at i. */
static size_t skip_string(const char *b, size_t len, size_t i)
{
	for (i++; i < len && b[i] != '"'; i++)
		if (b[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* Past the value starting at i. */
static size_t skip_value(const char *b, size_t len, size_t i)
{
	unsigned depth = 0;

	do {
		if (i >= len)
			return len;
		if (b[i] == '"') {
			i = skip_string(b, len, i);
			continue;
		}
		if (b[i] == '{' || b[i] == '[')
			depth++;
		else if (b[i] == '}' || b[i] == ']')
			depth--;
		else if (depth == 0) {
			/* a scalar: up to the next delimiter */
			while (i < len && !strchr(",}] \t\r\n", b[i]))
				i++;
			return i;
		}
		i++;
	} while (depth > 0);
	return i;
}

/* The offset of the member `key` of the object at i (the last one, as json-c keeps). */
static bool find_member(const char *b, size_t len, size_t i, const char *key, size_t *ret)
{
	size_t klen = strlen(key);
	bool found = false;

	if (i >= len || b[i] != '{')
		return false;
	i = skip_ws(b, len, i + 1);
	while (i < len && b[i] == '"') {
		size_t k = i + 1, end = skip_string(b, len, i);

		i = skip_ws(b, len, end);
		if (i >= len || b[i] != ':')
			break;
		i = skip_ws(b, len, i + 1);
		if (end - k == klen + 1 && memcmp(b + k, key, klen) == 0) {
			*ret = i;
			found = true;
		}
		i = skip_ws(b, len, skip_value(b, len, i));
		if (i >= len || b[i] != ',')
			break;
		i = skip_ws(b, len, i + 1);
	}
	return found;
}

static bool find_element(const char *b, size_t len, size_t i, size_t index, size_t *ret)
{
	if (i >= len || b[i] != '[')
		return false;
	i = skip_ws(b, len, i + 1);
	for (size_t n = 0; i < len && b[i] != ']'; n++) {
		if (n == index) {
			*ret = i;
			return true;
		}
		i = skip_ws(b, len, skip_value(b, len, i));
		if (i >= len || b[i] != ',')
			return false;
		i = skip_ws(b, len, i + 1);
	}
	return false;
}

/* The offset of the value at the current path, or of its deepest ancestor found. */
static size_t locate(const struct load *ld)
{
	unsigned depth = ld->depth < LOAD_MAX_DEPTH ? ld->depth : LOAD_MAX_DEPTH;
	size_t at = skip_ws(ld->buf, ld->len, 0);

	for (unsigned d = 0; d < depth; d++) {
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

static void set_position(struct vms_load_error *err, const char *buf, size_t len, size_t off)
{
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else if (col < UINT_MAX) {
			col++;
		}
	}
	err->line = line;
	err->column = col;
}

static void format_path(const struct load *ld, char *out, size_t n)
{
	unsigned depth = ld->depth < LOAD_MAX_DEPTH ? ld->depth : LOAD_MAX_DEPTH;
	struct strbuf sb;

	strbuf_init(&sb);
	for (unsigned d = 0; d < depth; d++) {
		if (ld->path[d].key)
			strbuf_addf(&sb, "%s%s", d ? "." : "", ld->path[d].key);
		else
			strbuf_addf(&sb, "[%zu]", ld->path[d].index);
	}
	snprintf(out, n, "%s", sb.buf);
	strbuf_release(&sb);
}

/* Records the first error, at the current path; returns false for `return fail(...)`. */
__attribute__((format(printf, 2, 3))) static bool fail(struct load *ld, const char *fmt, ...)
{
	va_list ap;

	if (ld->failed)
		return false;
	ld->failed = true;
	va_start(ap, fmt);
	vsnprintf(ld->err->message, sizeof(ld->err->message), fmt, ap);
	va_end(ap);
	format_path(ld, ld->err->path, sizeof(ld->err->path));
	set_position(ld->err, ld->buf, ld->len, locate(ld));
	return false;
}

/* The same at a byte offset of the text, for errors in its syntax. */
static bool fail_at(struct load *ld, size_t off, const char *message)
{
	if (ld->failed)
		return false;
	ld->failed = true;
	snprintf(ld->err->message, sizeof(ld->err->message), "%s", message);
	format_path(ld, ld->err->path, sizeof(ld->err->path));
	set_position(ld->err, ld->buf, ld->len, off);
	return false;
}

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
static bool member(struct load *ld, struct json_object *obj, const char *key,
		   struct json_object **ret)
{
	if (!json_object_object_get_ex(obj, key, ret))
		return fail(ld, "missing member \"%s\"", key);
	return true;
}

static bool want_type(struct load *ld, struct json_object *v, enum json_type t, const char *what)
{
	if (json_object_is_type(v, t))
		return true;
	return fail(ld, "expected %s, found %s", what, json_type_word(v));
}

/* A member of the given type, or NULL when the file says null and may. */
static bool get_member(struct load *ld, struct json_object *obj, const char *key, enum json_type t,
		       const char *what, bool nullable, struct json_object **ret)
{
	struct json_object *v;
	bool ok;

	if (!member(ld, obj, key, &v))
		return false;
	enter_key(ld, key);
	if (nullable && json_object_is_type(v, json_type_null)) {
		leave(ld);
		*ret = NULL;
		return true;
	}
	ok = want_type(ld, v, t, what);
	leave(ld);
	*ret = v;
	return ok;
}

/* Whether obj has the member key: for members later writers added to schema 1. */
static bool has_member(struct json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static bool uint_value(struct load *ld, struct json_object *v, uint64_t max, uint64_t *ret)
{
	uint64_t u;

	if (!want_type(ld, v, json_type_int, "a whole number"))
		return false;
	if (json_object_get_int64(v) < 0)
		return fail(ld, "expected a number of 0 or more");
	u = json_object_get_uint64(v);
	/* json-c saturates what does not fit in 64 bits */
	if (u == UINT64_MAX || u > max)
		return fail(ld, "%" PRIu64 " is out of range (at most %" PRIu64 ")", u, max);
	*ret = u;
	return true;
}

/* A whole number member; *ret_null (when given) says null, else null is an error. */
static bool get_uint(struct load *ld, struct json_object *obj, const char *key, uint64_t max,
		     uint64_t *ret, bool *ret_null)
{
	struct json_object *v;
	bool ok;

	/* set on every path: callers test it after a failure too */
	*ret = 0;
	if (ret_null)
		*ret_null = false;
	if (!member(ld, obj, key, &v))
		return false;
	enter_key(ld, key);
	if (ret_null)
		*ret_null = json_object_is_type(v, json_type_null);
	if (ret_null && *ret_null) {
		*ret = 0;
		ok = true;
	} else {
		ok = uint_value(ld, v, max, ret);
	}
	leave(ld);
	return ok;
}

static bool get_int64(struct load *ld, struct json_object *obj, const char *key, int64_t *ret)
{
	struct json_object *v;
	bool ok;

	*ret = 0;
	if (!member(ld, obj, key, &v))
		return false;
	enter_key(ld, key);
	ok = want_type(ld, v, json_type_int, "a whole number");
	if (ok) {
		int64_t x = json_object_get_int64(v);

		if (x == INT64_MAX || x == INT64_MIN)
			ok = fail(ld, "out of range");
		*ret = x;
	}
	leave(ld);
	return ok;
}

static bool get_bool(struct load *ld, struct json_object *obj, const char *key, bool *ret)
{
	struct json_object *v;

	*ret = false;
	if (!get_member(ld, obj, key, json_type_boolean, "true or false", false, &v))
		return false;
	*ret = json_object_get_boolean(v);
	return true;
}

/*
 * A string member: NUL-free, at most max bytes. *ret is json-c's (valid
 * while the document lives); NULL for null when nullable.
 */
static bool get_string(struct load *ld, struct json_object *obj, const char *key, size_t max,
		       bool nullable, const char **ret, size_t *ret_len)
{
	struct json_object *v;
	const char *s;
	size_t n;

	*ret = NULL;
	if (ret_len)
		*ret_len = 0;
	if (!get_member(ld, obj, key, json_type_string, "a string", nullable, &v))
		return false;
	if (!v) {
		*ret = NULL;
		if (ret_len)
			*ret_len = 0;
		return true;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	enter_key(ld, key);
	if (memchr(s, '\0', n))
		fail(ld, "a NUL character in a string");
	else if (n > max)
		fail(ld, "a string of %zu bytes, longer than %zu", n, max);
	leave(ld);
	if (ld->failed)
		return false;
	*ret = s;
	if (ret_len)
		*ret_len = n;
	return true;
}

/* The same, copied into the snapshot's arena. */
static bool get_arena_string(struct load *ld, struct json_object *obj, const char *key,
			     bool nullable, const char **ret)
{
	const char *s;
	size_t n;

	if (!get_string(ld, obj, key, SIZE_MAX, nullable, &s, &n))
		return false;
	*ret = s ? arena_strndup(ld->snap->arena, s, n) : NULL;
	return true;
}

/* Into a fixed char array (host facts). */
static bool get_fixed_string(struct load *ld, struct json_object *obj, const char *key,
			     bool nullable, char *out, size_t size)
{
	const char *s;
	size_t n;

	if (!get_string(ld, obj, key, size - 1, nullable, &s, &n))
		return false;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
	return true;
}

static bool parse_hex(const char *s, uint64_t *ret)
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
static bool get_addr(struct load *ld, struct json_object *obj, const char *key, bool nullable,
		     uint64_t *ret)
{
	const char *s;

	*ret = 0;
	if (!get_string(ld, obj, key, 18, nullable, &s, NULL))
		return false;
	if (!s) {
		*ret = 0;
		return true;
	}
	if (!parse_hex(s, ret)) {
		enter_key(ld, key);
		fail(ld, "expected an address as \"0x\" and lowercase hex digits");
		leave(ld);
		return false;
	}
	return true;
}

/* "fe:01": major and minor in hex. */
static bool get_dev(struct load *ld, struct json_object *obj, uint32_t *ret_major,
		    uint32_t *ret_minor)
{
	uint64_t v[2] = { 0, 0 };
	unsigned part = 0;
	size_t digits = 0;
	const char *s;

	*ret_major = *ret_minor = 0;
	if (!get_string(ld, obj, "dev", 32, false, &s, NULL))
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
		enter_key(ld, "dev");
		fail(ld, "expected a device as \"major:minor\" in hex");
		leave(ld);
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

static bool get_error(struct load *ld, struct json_object *obj, const char *key, int *ret)
{
	const char *s;

	*ret = 0;
	if (!get_string(ld, obj, key, 32, true, &s, NULL))
		return false;
	*ret = 0;
	if (s && !errno_from_name(s, ret)) {
		enter_key(ld, key);
		fail(ld, "unknown error name \"%s\"", s);
		leave(ld);
		return false;
	}
	return true;
}

/* Sections */

static bool load_mem(struct load *ld, struct json_object *obj, const char *key,
		     struct vms_counters *ret)
{
	struct json_object *m;
	bool ok = true;

	if (!get_member(ld, obj, key, json_type_object, "an object", false, &m))
		return false;
	enter_key(ld, key);
	memset(ret, 0, sizeof(*ret));
	for (int f = 0; f < VMS_MEM__MAX && ok; f++) {
		struct json_object *v;

		if (!json_object_object_get_ex(m, vms_mem_fields[f].name, &v))
			continue;
		enter_key(ld, vms_mem_fields[f].name);
		ok = uint_value(ld, v, UINT64_MAX - 1, &ret->v[f]);
		leave(ld);
		ret->have |= UINT32_C(1) << f;
	}
	leave(ld);
	return ok;
}

static bool load_time_host(struct load *ld, struct json_object *root)
{
	struct vms_snapshot *snap = ld->snap;
	struct vms_host *h = &snap->host;
	struct json_object *t, *o;
	uint64_t ps = 0;
	bool ok;

	if (!get_member(ld, root, "time", json_type_object, "an object", false, &t))
		return false;
	enter_key(ld, "time");
	ok = get_int64(ld, t, "wall_ns", &snap->wall_ns) && get_int64(ld, t, "mono_ns", &snap->mono_ns);
	leave(ld);
	if (!ok || !get_member(ld, root, "host", json_type_object, "an object", false, &o))
		return false;
	enter_key(ld, "host");
	ok = get_fixed_string(ld, o, "kernel", false, h->kernel, sizeof(h->kernel)) &&
	     get_fixed_string(ld, o, "machine", false, h->machine, sizeof(h->machine)) &&
	     get_fixed_string(ld, o, "hostname", false, h->hostname, sizeof(h->hostname)) &&
	     get_uint(ld, o, "page_size", UINT32_MAX, &ps, NULL) &&
	     get_fixed_string(ld, o, "thp_enabled", true, h->thp_enabled, sizeof(h->thp_enabled));
	h->page_size = (uint32_t)ps;
	leave(ld);
	return ok;
}

static bool load_process(struct load *ld, struct json_object *root)
{
	struct vms_process *p = &ld->snap->proc;
	struct json_object *o;
	uint64_t pid, ppid, uid, threads;
	const char *state;
	size_t state_len;
	bool ok;

	if (!get_member(ld, root, "process", json_type_object, "an object", false, &o))
		return false;
	enter_key(ld, "process");
	ok = get_uint(ld, o, "pid", INT32_MAX, &pid, NULL) &&
	     get_uint(ld, o, "ppid", INT32_MAX, &ppid, NULL) &&
	     get_uint(ld, o, "uid", UINT32_MAX, &uid, NULL) &&
	     get_arena_string(ld, o, "user", true, &p->user) &&
	     get_arena_string(ld, o, "comm", true, &p->comm) &&
	     get_arena_string(ld, o, "cmdline", true, &p->cmdline) &&
	     get_arena_string(ld, o, "exe", true, &p->exe) &&
	     get_string(ld, o, "state", 1, true, &state, &state_len) &&
	     get_bool(ld, o, "kernel_thread", &p->kernel_thread) &&
	     get_uint(ld, o, "threads", UINT32_MAX, &threads, NULL) &&
	     get_uint(ld, o, "start_time", UINT64_MAX - 1, &p->start_time, NULL);
	if (ok) {
		p->pid = (pid_t)pid;
		p->ppid = (pid_t)ppid;
		p->uid = (uid_t)uid;
		p->state = state && state_len ? state[0] : '\0';
		p->threads = (uint32_t)threads;
	}
	leave(ld);
	return ok;
}

static bool load_sources(struct load *ld, struct json_object *root)
{
	struct json_object *o;
	bool ok = true;

	if (!get_member(ld, root, "sources", json_type_object, "an object", false, &o))
		return false;
	enter_key(ld, "sources");
	for (int s = 0; s < VMS_SRC__MAX && ok; s++) {
		struct vms_source_status *st = &ld->snap->src[s];
		const char *name = vms_source_to_string(s);
		struct json_object *so;
		bool read = false;
		int error = 0;

		/* a source this file's vmscope did not know was not tried */
		if (!json_object_object_get_ex(o, name, &so))
			continue;
		ok = get_member(ld, o, name, json_type_object, "an object", false, &so);
		if (!ok)
			break;
		enter_key(ld, name);
		ok = get_bool(ld, so, "read", &read) && get_error(ld, so, "error", &error);
		if (ok && read && error)
			ok = fail(ld, "a source both read and failed");
		leave(ld);
		st->tried = read || error;
		st->error = error;
	}
	leave(ld);
	return ok;
}

static bool load_totals(struct load *ld, struct json_object *root)
{
	struct vms_totals *t = &ld->snap->totals;
	struct json_object *o, *st, *rollup, *faults;
	bool ok;

	if (!get_member(ld, root, "totals", json_type_object, "an object", false, &o))
		return false;
	enter_key(ld, "totals");
	ok = get_member(ld, o, "status", json_type_object, "an object", false, &st);
	if (ok) {
		enter_key(ld, "status");
		for (int f = 0; f < VMS_ST__MAX && ok; f++) {
			struct json_object *v;

			if (!json_object_object_get_ex(st, vms_status_fields[f].name, &v))
				continue;
			enter_key(ld, vms_status_fields[f].name);
			ok = uint_value(ld, v, UINT64_MAX - 1, &t->status[f]);
			leave(ld);
			t->status_have |= UINT32_C(1) << f;
		}
		leave(ld);
	}
	ok = ok && get_member(ld, o, "rollup", json_type_object, "an object", true, &rollup);
	if (ok && rollup) {
		ok = load_mem(ld, o, "rollup", &t->rollup);
		if (ok && !vms_snapshot_have(ld->snap, VMS_SRC_SMAPS_ROLLUP)) {
			enter_key(ld, "rollup");
			ok = fail(ld, "totals from smaps_rollup, which sources say was not read");
			leave(ld);
		}
	}
	ok = ok && get_member(ld, o, "faults", json_type_object, "an object", true, &faults);
	if (ok && faults) {
		enter_key(ld, "faults");
		ok = get_uint(ld, faults, "minflt", UINT64_MAX - 1, &t->minflt, NULL) &&
		     get_uint(ld, faults, "majflt", UINT64_MAX - 1, &t->majflt, NULL) &&
		     get_uint(ld, faults, "cminflt", UINT64_MAX - 1, &t->cminflt, NULL) &&
		     get_uint(ld, faults, "cmajflt", UINT64_MAX - 1, &t->cmajflt, NULL);
		t->have_faults = true;
		leave(ld);
	}
	leave(ld);
	return ok;
}

static bool parse_perms(const char *s, uint8_t *ret)
{
	static const char want[] = "rwx";
	uint8_t perms = 0;

	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 3; i++) {
		if (s[i] == want[i])
			perms |= (uint8_t)(1u << i);
		else if (s[i] != '-')
			return false;
	}
	if (s[3] == 's')
		perms |= VMS_PERM_SHARED;
	else if (s[3] != 'p')
		return false;
	*ret = perms;
	return true;
}

/* An index into an array of n items, or -1 for null. */
static bool get_index(struct load *ld, struct json_object *obj, const char *key, size_t n,
		      int32_t *ret)
{
	uint64_t v;
	bool is_null;

	*ret = -1;
	if (!get_uint(ld, obj, key, INT32_MAX, &v, &is_null))
		return false;
	if (!is_null && v >= n) {
		enter_key(ld, key);
		fail(ld, "index %" PRIu64 " past the %zu items", v, n);
		leave(ld);
		return false;
	}
	*ret = is_null ? -1 : (int32_t)v;
	return true;
}

static bool load_vmflags(struct load *ld, struct json_object *o, uint64_t *ret)
{
	struct json_object *a;
	size_t n;
	uint64_t flags = 0;

	if (!get_member(ld, o, "vmflags", json_type_array, "an array", false, &a))
		return false;
	enter_key(ld, "vmflags");
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		unsigned b;

		enter_index(ld, i);
		if (!want_type(ld, v, json_type_string, "a string")) {
			leave(ld);
			break;
		}
		for (b = 0; b < 64 && vms_vmflag_names[b]; b++)
			if (strcmp(vms_vmflag_names[b], json_object_get_string(v)) == 0)
				break;
		if (b == 64 || !vms_vmflag_names[b]) {
			fail(ld, "unknown VmFlags code");
			leave(ld);
			break;
		}
		flags |= UINT64_C(1) << b;
		leave(ld);
	}
	leave(ld);
	*ret = flags;
	return !ld->failed;
}

/* {"first", "count"} into the sections of the region's object, or null. */
static bool load_region_sections(struct load *ld, struct json_object *o, struct vms_region *r)
{
	const struct vms_object *obj;
	struct json_object *sec;
	uint64_t first = 0, count = 0;
	bool ok;

	if (!get_member(ld, o, "sections", json_type_object, "an object", true, &sec))
		return false;
	if (!sec)
		return true;
	enter_key(ld, "sections");
	ok = get_uint(ld, sec, "first", UINT32_MAX, &first, NULL) &&
	     get_uint(ld, sec, "count", UINT32_MAX, &count, NULL);
	obj = r->object >= 0 ? &ld->snap->objects[r->object] : NULL;
	if (ok && (!obj || first > obj->n_sections || count > obj->n_sections - first))
		ok = fail(ld, "sections past those of the region's object");
	leave(ld);
	r->first_section = (uint32_t)first;
	r->n_sections = (uint32_t)count;
	return ok;
}

/* "pages": the page counters of a region (pagemap), or null. */
static bool load_region_pages(struct load *ld, struct json_object *o, struct vms_region *r)
{
	struct vms_region_pages *p;
	struct json_object *pg;
	const char *strip;
	size_t n = 0;
	bool ok = true;

	if (!get_member(ld, o, "pages", json_type_object, "an object", true, &pg))
		return false;
	if (!pg)
		return true;
	p = arena_zalloc(ld->snap->arena, sizeof(*p));
	enter_key(ld, "pages");
	for (int c = 0; c < VMS_PG__MAX && ok; c++) {
		bool is_null = false;

		ok = get_uint(ld, pg, vms_page_count_names[c], UINT64_MAX - 1, &p->v[c], &is_null);
		if (ok && !is_null)
			p->have |= UINT32_C(1) << c;
	}
	if (ok) {
		bool is_null = false;

		ok = get_uint(ld, pg, "pss", UINT64_MAX - 1, &p->pss, &is_null) &&
		     get_string(ld, pg, "residency", 2 * VMS_PAGE_HIST, false, &strip, &n);
	}
	for (size_t b = 0; ok && b < n; b++) {
		const char *hex = "0123456789abcdef", *at = strchr(hex, strip[b]);

		if (!at || !strip[b] || n % 2) {
			enter_key(ld, "residency");
			ok = fail(ld, "expected two lowercase hex digits per stretch");
			leave(ld);
			break;
		}
		p->hist[b / 2] = (uint8_t)(p->hist[b / 2] << 4 | (at - hex));
	}
	p->n_hist = (uint8_t)(n / 2);
	leave(ld);
	r->pages = p;
	return ok;
}

/* The top-level "pages": how page data was read. */
static bool load_pages_info(struct load *ld, struct json_object *root)
{
	struct json_object *o;
	bool ok, is_null;

	if (!get_member(ld, root, "pages", json_type_object, "an object", false, &o))
		return false;
	enter_key(ld, "pages");
	ok = get_bool(ld, o, "scan", &ld->snap->pages.scan) &&
	     get_bool(ld, o, "entries", &ld->snap->pages.entries) &&
	     get_uint(ld, o, "refs_interval_ms", UINT64_MAX - 1, &ld->snap->pages.refs_interval_ms,
		      &is_null);
	leave(ld);
	return ok;
}

/* Limits and pressure */

/* A size, "unlimited" or null (*ret_have false). */
static bool get_limit(struct load *ld, struct json_object *obj, const char *key, bool *ret_have,
		      uint64_t *ret)
{
	struct json_object *v;
	bool ok = true;

	*ret_have = false; /* on every path, as get_uint's null flag */
	if (!member(ld, obj, key, &v))
		return false;
	enter_key(ld, key);
	*ret_have = !json_object_is_type(v, json_type_null);
	*ret = 0;
	if (json_object_is_type(v, json_type_string)) {
		if (strcmp(json_object_get_string(v), "unlimited") == 0)
			*ret = VMS_UNLIMITED;
		else
			ok = fail(ld, "expected a number of bytes or \"unlimited\"");
	} else if (*ret_have) {
		ok = uint_value(ld, v, UINT64_MAX - 1, ret);
	}
	leave(ld);
	return ok;
}

/* An integer in [min, max] or null; null needs the error beside it, so never reads as 0. */
static bool get_int_or_error(struct load *ld, struct json_object *obj, const char *key,
			     const char *err_key, int64_t min, int64_t max, int32_t *ret, int *ret_err)
{
	struct json_object *v;
	bool ok;

	*ret = 0;
	if (!get_error(ld, obj, err_key, ret_err) || !member(ld, obj, key, &v))
		return false;
	enter_key(ld, key);
	*ret = 0;
	if (json_object_is_type(v, json_type_null)) {
		ok = *ret_err ? true : fail(ld, "null without \"%s\" saying why", err_key);
	} else if (*ret_err) {
		ok = fail(ld, "a value beside the error \"%s\"", err_key);
	} else if ((ok = want_type(ld, v, json_type_int, "a whole number"))) {
		int64_t x = json_object_get_int64(v);

		if (x < min || x > max)
			ok = fail(ld, "%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")", x,
				  min, max);
		*ret = (int32_t)x;
	}
	leave(ld);
	return ok;
}

/* The member key as an object when there is one; *ret NULL when the file has none. */
static bool optional_object(struct load *ld, struct json_object *root, const char *key,
			    struct json_object **ret)
{
	*ret = NULL;
	if (!has_member(root, key))
		return true;
	return get_member(ld, root, key, json_type_object, "an object", false, ret);
}

static bool load_limits_oom(struct load *ld, struct json_object *root)
{
	struct vms_limits *l = &ld->snap->limits;
	struct vms_oom *oo = &ld->snap->oom;
	struct json_object *o;
	bool ok;

	if (!optional_object(ld, root, "limits", &o))
		return false;
	if (o) {
		enter_key(ld, "limits");
		ok = get_limit(ld, o, "stack", &l->have_stack, &l->stack) &&
		     get_limit(ld, o, "memlock", &l->have_memlock, &l->memlock) &&
		     get_error(ld, o, "error", &l->error);
		if (ok && l->error && (l->have_stack || l->have_memlock))
			ok = fail(ld, "limits both read and failed");
		l->tried = true;
		leave(ld);
		if (!ok)
			return false;
	}
	if (!optional_object(ld, root, "oom", &o))
		return false;
	if (!o)
		return true;
	enter_key(ld, "oom");
	ok = get_int_or_error(ld, o, "score", "score_error", 0, 2000, &oo->score, &oo->score_error) &&
	     get_int_or_error(ld, o, "score_adj", "adj_error", -1000, 1000, &oo->score_adj,
			      &oo->adj_error);
	oo->tried = true;
	leave(ld);
	return ok;
}

static bool load_cgroup(struct load *ld, struct json_object *root)
{
	struct vms_cgroup *cg = &ld->snap->cgroup;
	struct json_object *o;
	uint64_t version;
	bool ok, vnull;

	if (!optional_object(ld, root, "cgroup", &o))
		return false;
	if (!o)
		return true;
	enter_key(ld, "cgroup");
	ok = get_uint(ld, o, "version", 2, &version, &vnull) &&
	     get_arena_string(ld, o, "path", true, &cg->path) && get_error(ld, o, "error", &cg->error);
	for (int f = 0; f < VMS_CG__MAX && ok; f++) {
		bool have;

		ok = get_limit(ld, o, vms_cg_names[f], &have, &cg->v[f]);
		if (have)
			cg->have |= UINT32_C(1) << f;
	}
	if (ok && cg->error && cg->have)
		ok = fail(ld, "cgroup values beside an error");
	cg->version = (uint8_t)version;
	cg->tried = true;
	leave(ld);
	return ok;
}

static bool load_host_memory(struct load *ld, struct json_object *root)
{
	struct vms_host_memory *hm = &ld->snap->host_mem;
	struct json_object *o;
	bool ok;

	if (!optional_object(ld, root, "host_memory", &o))
		return false;
	if (!o)
		return true;
	enter_key(ld, "host_memory");
	ok = get_error(ld, o, "error", &hm->error);
	for (int f = 0; f < VMS_HM__MAX && ok; f++) {
		bool is_null;

		ok = get_uint(ld, o, vms_host_mem_names[f], UINT64_MAX - 1, &hm->v[f], &is_null);
		if (!is_null)
			hm->have |= UINT32_C(1) << f;
	}
	if (ok && hm->error && hm->have)
		ok = fail(ld, "machine memory values beside an error");
	hm->tried = true;
	leave(ld);
	return ok;
}

/*
 * Limits, OOM score, cgroup and machine memory, when the file has them;
 * "insights" is derived from the rest and recomputed, so only its type is
 * checked.
 */
static bool load_facts(struct load *ld, struct json_object *root)
{
	struct json_object *o;

	return load_limits_oom(ld, root) && load_cgroup(ld, root) && load_host_memory(ld, root) &&
	       optional_object(ld, root, "insights", &o);
}

static bool load_region(struct load *ld, struct json_object *o, size_t n_objects,
			struct vms_region *r)
{
	const char *perms, *kind;
	uint64_t size, tid, pkey;
	bool tid_null, pkey_null;
	struct json_object *thp;
	int k;

	*r = (struct vms_region){ .thp_eligible = -1, .protection_key = -1, .object = -1 };
	if (!(get_addr(ld, o, "start", false, &r->start) && get_addr(ld, o, "end", false, &r->end) &&
	      get_uint(ld, o, "size", UINT64_MAX - 1, &size, NULL)))
		return false;
	if (r->end <= r->start || r->end - r->start != size) {
		enter_key(ld, "size");
		fail(ld, "the size is not end - start, or end is not above start");
		leave(ld);
		return false;
	}
	if (!(get_string(ld, o, "perms", 4, false, &perms, NULL) &&
	      get_uint(ld, o, "offset", UINT64_MAX - 1, &r->offset, NULL) &&
	      get_dev(ld, o, &r->dev_major, &r->dev_minor) &&
	      get_uint(ld, o, "inode", UINT64_MAX - 1, &r->inode, NULL) &&
	      get_arena_string(ld, o, "name", false, &r->name) &&
	      get_bool(ld, o, "deleted", &r->deleted) &&
	      get_string(ld, o, "kind", 32, false, &kind, NULL) &&
	      get_index(ld, o, "object", n_objects, &r->object) &&
	      get_uint(ld, o, "tid", INT32_MAX, &tid, &tid_null) &&
	      get_member(ld, o, "thp_eligible", json_type_boolean, "true, false or null", true, &thp) &&
	      get_uint(ld, o, "protection_key", INT16_MAX, &pkey, &pkey_null) &&
	      load_vmflags(ld, o, &r->vmflags) && load_mem(ld, o, "mem", &r->mem)))
		return false;
	if (!parse_perms(perms, &r->perms)) {
		enter_key(ld, "perms");
		fail(ld, "expected permissions like \"r-xp\"");
		leave(ld);
		return false;
	}
	k = vms_kind_from_string(kind);
	if (k < 0) {
		enter_key(ld, "kind");
		fail(ld, "unknown kind \"%s\"", kind);
		leave(ld);
		return false;
	}
	if (has_member(o, "sections") && !load_region_sections(ld, o, r))
		return false;
	if (has_member(o, "pages") && !load_region_pages(ld, o, r))
		return false;
	r->kind = (enum vms_kind)k;
	r->tid = tid_null ? 0 : (int32_t)tid;
	r->thp_eligible = thp ? (int8_t)json_object_get_boolean(thp) : -1;
	r->protection_key = pkey_null ? -1 : (int16_t)pkey;
	return true;
}

/* Iterates the array member key: each item must be an object. */
static bool load_array(struct load *ld, struct json_object *root, const char *key,
		       struct json_object **ret, size_t *ret_n)
{
	struct json_object *a;

	if (!get_member(ld, root, key, json_type_array, "an array", false, &a))
		return false;
	*ret_n = json_object_array_length(a);
	*ret = a;
	if (*ret_n > LOAD_MAX_ITEMS) {
		enter_key(ld, key);
		fail(ld, "%zu items, more than %u", *ret_n, LOAD_MAX_ITEMS);
		leave(ld);
		return false;
	}
	return true;
}

static int lazy_index(const char *key)
{
	for (int k = 0; k < LAZY__MAX; k++)
		if (strcmp(lazy_keys[k], key) == 0)
			return k;
	return -1;
}

static bool parse_span(struct load *ld, size_t start, size_t end, unsigned depth,
		       struct json_object **ret);

/* A top-level array held as spans: its length, as load_array gives. */
static bool load_lazy_array(struct load *ld, struct json_object *root, int k, size_t *ret_n)
{
	struct json_object *unused;

	if (!ld->lazy[k].present)
		return load_array(ld, root, lazy_keys[k], &unused, ret_n);
	*ret_n = ld->lazy[k].n;
	if (*ret_n > LOAD_MAX_ITEMS) {
		enter_key(ld, lazy_keys[k]);
		fail(ld, "%zu items, more than %u", *ret_n, LOAD_MAX_ITEMS);
		leave(ld);
		return false;
	}
	return true;
}

/* Element i of a lazy array as an object (put it when done), NULL on an error. */
static struct json_object *lazy_element(struct load *ld, int k, size_t i)
{
	struct json_object *v;

	/* the root and the array are two levels above */
	if (!parse_span(ld, ld->lazy[k].start[i], ld->lazy[k].end[i], LOAD_MAX_DEPTH - 2, &v))
		return NULL;
	if (!want_type(ld, v, json_type_object, "an object")) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

static struct json_object *array_object(struct load *ld, struct json_object *a, size_t i)
{
	struct json_object *v = json_object_array_get_idx(a, i);

	return want_type(ld, v, json_type_object, "an object") ? v : NULL;
}

static bool load_regions(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	enter_key(ld, "regions");
	ARRAY_GROW(snap->regions, n, snap->alloc_regions);
	for (size_t i = 0; i < n; i++) {
		struct vms_region *r = &snap->regions[i];
		struct json_object *o;
		bool ok;

		enter_index(ld, i);
		o = lazy_element(ld, LAZY_REGIONS, i);
		ok = o && load_region(ld, o, snap->n_objects, r);
		if (ok && i > 0 && r->start < snap->regions[i - 1].end)
			ok = fail(ld, "regions out of order or overlapping");
		json_object_put(o);
		leave(ld);
		if (!ok)
			break;
		snap->n_regions = i + 1;
	}
	leave(ld);
	return !ld->failed;
}

static const char *const elf_type_names[] = { "NONE", "REL", "EXEC", "DYN", "CORE" };

static bool parse_elf_type(const char *s, uint16_t *ret)
{
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(elf_type_names); i++) {
		if (strcmp(s, elf_type_names[i]) == 0) {
			*ret = (uint16_t)i;
			return true;
		}
	}
	if (strlen(s) != 6 || !parse_hex(s, &v) || v > UINT16_MAX)
		return false;
	*ret = (uint16_t)v;
	return true;
}

/* "r-x": PF_R 4, PF_W 2, PF_X 1. */
static bool parse_seg_flags(const char *s, uint32_t *ret)
{
	static const char want[] = "rwx";
	static const uint32_t bit[] = { 4, 2, 1 };
	uint32_t flags = 0;

	if (strlen(s) != 3)
		return false;
	for (int i = 0; i < 3; i++) {
		if (s[i] == want[i])
			flags |= bit[i];
		else if (s[i] != '-')
			return false;
	}
	*ret = flags;
	return true;
}

static bool load_segments(struct load *ld, struct json_object *elf, struct vms_object *obj)
{
	struct json_object *a;
	size_t n;

	if (!load_array(ld, elf, "segments", &a, &n))
		return false;
	enter_key(ld, "segments");
	if (n > 4096) {
		fail(ld, "%zu segments, more than any loader takes", n);
		leave(ld);
		return false;
	}
	obj->segments = n ? arena_zalloc(ld->snap->arena, n * sizeof(*obj->segments)) : NULL;
	obj->n_segments = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct vms_segment *sg = &obj->segments[i];
		struct json_object *o;
		const char *flags;
		bool ok;

		enter_index(ld, i);
		o = array_object(ld, a, i);
		ok = o && get_uint(ld, o, "vaddr", UINT64_MAX - 1, &sg->vaddr, NULL) &&
		     get_uint(ld, o, "memsz", UINT64_MAX - 1, &sg->memsz, NULL) &&
		     get_uint(ld, o, "offset", UINT64_MAX - 1, &sg->offset, NULL) &&
		     get_uint(ld, o, "filesz", UINT64_MAX - 1, &sg->filesz, NULL) &&
		     get_string(ld, o, "flags", 3, false, &flags, NULL);
		if (ok && !parse_seg_flags(flags, &sg->flags)) {
			enter_key(ld, "flags");
			ok = fail(ld, "expected segment flags like \"r-x\"");
			leave(ld);
		}
		leave(ld);
		if (!ok)
			break;
	}
	leave(ld);
	return !ld->failed;
}

/* Section types and flags as the writer names them (SHT_* by index, SHF_* bit letters). */
static const char *const section_type_names[] = {
	"NULL", "PROGBITS", "SYMTAB", "STRTAB", "RELA", "HASH", "DYNAMIC", "NOTE",
	"NOBITS", "REL", "SHLIB", "DYNSYM", NULL, NULL, "INIT_ARRAY", "FINI_ARRAY",
	"PREINIT_ARRAY", "GROUP", "SYMTAB_SHNDX",
};
static const char section_flag_letters[] = "WAX?MSILOGTC";

static bool parse_section(const char *type, const char *flags, struct vms_section *sc)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(section_type_names); i++)
		if (section_type_names[i] && strcmp(type, section_type_names[i]) == 0)
			break;
	if (i < ARRAY_SIZE(section_type_names))
		sc->type = (uint32_t)i;
	else if (strlen(type) == 10 && parse_hex(type, &v))
		sc->type = (uint32_t)v;
	else
		return false;
	sc->flags = 0;
	for (; *flags; flags++) {
		const char *at = *flags != '?' ? strchr(section_flag_letters, *flags) : NULL;

		if (!at)
			return false;
		sc->flags |= UINT64_C(1) << (at - section_flag_letters);
	}
	return true;
}

static bool load_sections(struct load *ld, struct json_object *elf, struct vms_object *obj)
{
	struct json_object *a;
	size_t n;

	if (!load_array(ld, elf, "sections", &a, &n))
		return false;
	enter_key(ld, "sections");
	obj->sections = n ? arena_zalloc(ld->snap->arena, n * sizeof(*obj->sections)) : NULL;
	obj->n_sections = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct vms_section *sc = &obj->sections[i];
		const char *type, *flags;
		struct json_object *o;
		bool ok;

		enter_index(ld, i);
		o = array_object(ld, a, i);
		ok = o && get_arena_string(ld, o, "name", false, &sc->name) &&
		     get_uint(ld, o, "addr", UINT64_MAX - 1, &sc->addr, NULL) &&
		     get_uint(ld, o, "size", UINT64_MAX - 1, &sc->size, NULL) &&
		     get_uint(ld, o, "offset", UINT64_MAX - 1, &sc->offset, NULL) &&
		     get_string(ld, o, "type", 16, false, &type, NULL) &&
		     get_string(ld, o, "flags", 16, false, &flags, NULL);
		if (ok && !parse_section(type, flags, sc))
			ok = fail(ld, "unknown section type or flags");
		leave(ld);
		if (!ok)
			break;
	}
	leave(ld);
	return !ld->failed;
}

static bool load_elf(struct load *ld, struct json_object *o, struct vms_object *obj)
{
	struct json_object *elf, *relro;
	uint64_t cls;
	bool cls_null, ok;
	const char *type;

	if (!get_member(ld, o, "elf", json_type_object, "an object", true, &elf))
		return false;
	if (!elf)
		return true;
	enter_key(ld, "elf");
	obj->is_elf = true;
	ok = get_uint(ld, elf, "class", 64, &cls, &cls_null) &&
	     get_string(ld, elf, "type", 16, false, &type, NULL);
	if (ok && !cls_null && cls != 32 && cls != 64) {
		enter_key(ld, "class");
		ok = fail(ld, "expected 32, 64 or null");
		leave(ld);
	}
	if (ok && !parse_elf_type(type, &obj->elf_type)) {
		enter_key(ld, "type");
		ok = fail(ld, "unknown ELF type \"%s\"", type);
		leave(ld);
	}
	obj->elf_class = cls_null ? 0 : cls == 32 ? 1 : 2;
	ok = ok && load_segments(ld, elf, obj) &&
	     get_member(ld, elf, "relro", json_type_object, "an object", true, &relro);
	if (ok && relro) {
		enter_key(ld, "relro");
		ok = get_uint(ld, relro, "vaddr", UINT64_MAX - 1, &obj->relro_vaddr, NULL) &&
		     get_uint(ld, relro, "memsz", UINT64_MAX - 1, &obj->relro_memsz, NULL);
		leave(ld);
	}
	if (ok && has_member(elf, "sections"))
		ok = load_sections(ld, elf, obj);
	if (ok && has_member(elf, "sections_error"))
		ok = get_error(ld, elf, "sections_error", &obj->sections_error);
	leave(ld);
	return ok;
}

static bool load_object(struct load *ld, struct json_object *o, struct vms_object *obj)
{
	uint64_t n_regions;

	*obj = (struct vms_object){ 0 };
	if (!(get_arena_string(ld, o, "path", false, &obj->path) &&
	      get_dev(ld, o, &obj->dev_major, &obj->dev_minor) &&
	      get_uint(ld, o, "inode", UINT64_MAX - 1, &obj->inode, NULL) &&
	      get_bool(ld, o, "deleted", &obj->deleted) && get_bool(ld, o, "main", &obj->is_main) &&
	      get_uint(ld, o, "regions", UINT32_MAX, &n_regions, NULL) &&
	      get_uint(ld, o, "size", UINT64_MAX - 1, &obj->vsize, NULL) && load_elf(ld, o, obj) &&
	      get_error(ld, o, "elf_error", &obj->elf_error) && load_mem(ld, o, "mem", &obj->mem)))
		return false;
	obj->n_regions = (uint32_t)n_regions;
	if (has_member(o, "build_id") &&
	    !get_arena_string(ld, o, "build_id", true, &obj->build_id))
		return false;
	if (has_member(o, "load_bias")) {
		if (!get_addr(ld, o, "load_bias", true, &obj->load_bias))
			return false;
		obj->have_bias = !json_object_is_type(json_object_object_get(o, "load_bias"),
						      json_type_null);
	}
	return !has_member(o, "changed") || get_bool(ld, o, "changed", &obj->changed);
}

static bool load_objects(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	enter_key(ld, "objects");
	ARRAY_GROW(snap->objects, n, snap->alloc_objects);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o;
		bool ok;

		enter_index(ld, i);
		o = lazy_element(ld, LAZY_OBJECTS, i);
		ok = o && load_object(ld, o, &snap->objects[i]);
		json_object_put(o);
		leave(ld);
		if (!ok)
			break;
		snap->n_objects = i + 1;
	}
	leave(ld);
	return !ld->failed;
}

static bool load_threads(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	enter_key(ld, "threads");
	ARRAY_GROW(snap->threads, n, snap->alloc_threads);
	for (size_t i = 0; i < n; i++) {
		struct vms_thread *t = &snap->threads[i];
		struct json_object *o;
		uint64_t tid = 0;
		bool ok;

		*t = (struct vms_thread){ .region = -1 };
		enter_index(ld, i);
		o = lazy_element(ld, LAZY_THREADS, i);
		ok = o && get_uint(ld, o, "tid", INT32_MAX, &tid, NULL) &&
		     get_arena_string(ld, o, "comm", true, &t->comm) &&
		     get_addr(ld, o, "sp", true, &t->sp) &&
		     get_index(ld, o, "region", snap->n_regions, &t->region) &&
		     get_uint(ld, o, "minflt", UINT64_MAX - 1, &t->minflt, NULL) &&
		     get_uint(ld, o, "majflt", UINT64_MAX - 1, &t->majflt, NULL);
		t->tid = (pid_t)tid;
		json_object_put(o);
		leave(ld);
		if (!ok)
			break;
		snap->n_threads = i + 1;
	}
	leave(ld);
	return !ld->failed;
}

/* Pass 1: the document's outline */

/*
 * Parses the value in [start, end) of the text with json-c. The end comes
 * from skip_value, which trusts the text: json-c must take exactly that
 * span, or the text is wrong there.
 */
static bool parse_span(struct load *ld, size_t start, size_t end, unsigned depth,
		       struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *v;
	enum json_tokener_error e;
	size_t used;

	*ret = NULL;
	if (end <= start)
		return fail_at(ld, start, start >= ld->len ? "unexpected end of file"
							   : "expected a value");
	strbuf_reset(&ld->scratch);
	strbuf_add(&ld->scratch, ld->buf + start, end - start);
	tok = json_tokener_new_ex((int)depth);
	if (!tok)
		die_oom(sizeof(*tok));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* with its NUL: json-c needs to see a number end */
	v = json_tokener_parse_ex(tok, ld->scratch.buf, (int)(end - start + 1));
	e = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (v && e == json_tokener_success && used == end - start) {
		*ret = v;
		return true;
	}
	json_object_put(v);
	if (start + used >= ld->len || (e != json_tokener_success && end >= ld->len))
		return fail_at(ld, ld->len, "unexpected end of file");
	return fail_at(ld, start + used,
		       e != json_tokener_success ? json_tokener_error_desc(e) : "unexpected character");
}

/* Records the elements of the array at i (its "["); returns past its "]". */
static bool outline_array(struct load *ld, size_t i, struct lazy_array *a, size_t *ret)
{
	a->present = true;
	a->n = 0;
	i = skip_ws(ld->buf, ld->len, i + 1);
	if (i < ld->len && ld->buf[i] == ']') {
		*ret = i + 1;
		return true;
	}
	for (;;) {
		size_t end = skip_value(ld->buf, ld->len, i);

		if (end <= i)
			return fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected a value");
		/* a file of "[1,1,1,..." must not make gigabytes of spans */
		if (a->n == LOAD_MAX_ITEMS)
			return fail_at(ld, i, "more items than the loader takes (4,194,304)");
		ARRAY_GROW(a->start, a->n + 1, a->alloc_start);
		ARRAY_GROW(a->end, a->n + 1, a->alloc_end);
		a->start[a->n] = i;
		a->end[a->n] = end;
		a->n++;
		i = skip_ws(ld->buf, ld->len, end);
		if (i < ld->len && ld->buf[i] == ']') {
			*ret = i + 1;
			return true;
		}
		if (i >= ld->len || ld->buf[i] != ',')
			return fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected ',' or ']' after an element");
		i = skip_ws(ld->buf, ld->len, i + 1);
	}
}

/*
 * The top-level object: each member's value is parsed into *ret with
 * json-c, but for the lazy arrays, whose elements are only located here
 * (and parsed one by one as they are loaded).
 */
static bool parse_root(struct load *ld, struct json_object **ret)
{
	struct json_object *root, *key = NULL, *v;
	size_t i = skip_ws(ld->buf, ld->len, 0), end;

	*ret = NULL;
	if (i >= ld->len || ld->buf[i] != '{') {
		/* not an object: json-c says what it is, or what is wrong */
		if (!parse_span(ld, i, skip_value(ld->buf, ld->len, i), LOAD_MAX_DEPTH, &v))
			return false;
		*ret = v;
		end = skip_value(ld->buf, ld->len, i);
		goto after;
	}
	root = json_object_new_object();
	if (!root)
		die_oom(0);
	*ret = root;
	i = skip_ws(ld->buf, ld->len, i + 1);
	if (i < ld->len && ld->buf[i] == '}') {
		end = i + 1;
		goto after;
	}
	for (;;) {
		const char *k;
		int lazy;

		if (i >= ld->len || ld->buf[i] != '"')
			return fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected a member name");
		if (!parse_span(ld, i, skip_string(ld->buf, ld->len, i), 1, &key))
			return false;
		k = json_object_get_string(key);
		if (strlen(k) != (size_t)json_object_get_string_len(key)) {
			json_object_put(key);
			return fail_at(ld, i, "a NUL character in a member name");
		}
		i = skip_ws(ld->buf, ld->len, skip_string(ld->buf, ld->len, i));
		if (i >= ld->len || ld->buf[i] != ':') {
			json_object_put(key);
			return fail_at(ld, i, i >= ld->len ? "unexpected end of file" : "expected ':'");
		}
		i = skip_ws(ld->buf, ld->len, i + 1);
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
			end = skip_value(ld->buf, ld->len, i);
			if (!parse_span(ld, i, end, LOAD_MAX_DEPTH - 1, &v)) {
				json_object_put(key);
				return false;
			}
			json_object_object_add(root, k, v);
		}
		json_object_put(key);
		i = skip_ws(ld->buf, ld->len, end);
		if (i < ld->len && ld->buf[i] == '}') {
			end = i + 1;
			break;
		}
		if (i >= ld->len || ld->buf[i] != ',')
			return fail_at(ld, i, i >= ld->len ? "unexpected end of file"
							   : "expected ',' or '}' after a member");
		i = skip_ws(ld->buf, ld->len, i + 1);
	}
after:
	i = skip_ws(ld->buf, ld->len, end);
	if (i != ld->len)
		return fail_at(ld, i, "text after the snapshot");
	return true;
}

static int load_root(struct load *ld, struct json_object *root)
{
	size_t n_regions, n_objects, n_threads;
	uint64_t schema, dropped;

	if (!want_type(ld, root, json_type_object, "a snapshot object"))
		return -EBADMSG;
	if (!get_uint(ld, root, "schema", UINT32_MAX, &schema, NULL))
		return -EBADMSG;
	if (schema != VMS_SCHEMA_VERSION) {
		enter_key(ld, "schema");
		fail(ld, "schema version %" PRIu64 ", but this vmscope reads version %d", schema,
		     VMS_SCHEMA_VERSION);
		leave(ld);
		return -EPROTONOSUPPORT;
	}
	/* objects first: regions refer to them, threads to regions */
	if (!(load_time_host(ld, root) && load_process(ld, root) && load_sources(ld, root) &&
	      load_totals(ld, root) && get_uint(ld, root, "dropped_regions", UINT32_MAX, &dropped, NULL) &&
	      load_lazy_array(ld, root, LAZY_REGIONS, &n_regions) &&
	      load_lazy_array(ld, root, LAZY_OBJECTS, &n_objects) &&
	      load_lazy_array(ld, root, LAZY_THREADS, &n_threads) &&
	      load_objects(ld, n_objects) && load_regions(ld, n_regions) &&
	      load_threads(ld, n_threads)))
		return -EBADMSG;
	ld->snap->dropped_regions = (uint32_t)dropped;
	if (has_member(root, "pages") && !load_pages_info(ld, root))
		return -EBADMSG;
	if (!load_facts(ld, root))
		return -EBADMSG;
	return 0;
}

/* What any JSON text must be before json-c sees it: not too big, not empty, no NUL. */
static int check_text(const char *buf, size_t len, const char *what, struct vms_load_error *err)
{
	const char *nul;

	*err = (struct vms_load_error){ 0 };
	if (len > VMS_LOAD_MAX_BYTES) {
		snprintf(err->message, sizeof(err->message), "larger than %u MiB",
			 VMS_LOAD_MAX_BYTES >> 20);
		return -EFBIG;
	}
	if (len == 0) {
		err->line = err->column = 1;
		snprintf(err->message, sizeof(err->message), "empty file: not a %s", what);
		return -EBADMSG;
	}
	nul = memchr(buf, '\0', len);
	if (nul) {
		set_position(err, buf, len, (size_t)(nul - buf));
		snprintf(err->message, sizeof(err->message), "a NUL byte: not JSON text");
		return -EBADMSG;
	}
	return 0;
}

int vms_json_parse_text(const char *buf, size_t len, const char *what, struct json_object **ret,
			struct vms_load_error *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	int r;

	*ret = NULL;
	r = check_text(buf, len, what, err);
	if (r < 0)
		return r;
	tok = json_tokener_new_ex(LOAD_MAX_DEPTH);
	if (!tok)
		die_oom(sizeof(*tok));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok);

		/* continue: the text ended inside a value */
		snprintf(err->message, sizeof(err->message), "%s",
			 e == json_tokener_continue ? "unexpected end of file"
						    : json_tokener_error_desc(e));
		/* json-c stops at the offending character */
		set_position(err, buf, len, at);
		json_object_put(root);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	if (skip_ws(buf, len, json_tokener_get_parse_end(tok)) != len) {
		set_position(err, buf, len, skip_ws(buf, len, json_tokener_get_parse_end(tok)));
		snprintf(err->message, sizeof(err->message), "text after the %s", what);
		json_object_put(root);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	*ret = root;
	return 0;
}

int vms_snapshot_load(const char *buf, size_t len, struct vms_snapshot **ret,
		      struct vms_load_error *err)
{
	struct load ld = { .buf = buf, .len = len, .err = err };
	struct json_object *root;
	int r;

	r = check_text(buf, len, "snapshot", err);
	if (r < 0)
		return r;
	strbuf_init(&ld.scratch);
	ld.snap = vms_snapshot_new();
	r = parse_root(&ld, &root) ? load_root(&ld, root) : -EBADMSG;
	json_object_put(root);
	for (int k = 0; k < LAZY__MAX; k++) {
		free(ld.lazy[k].start);
		free(ld.lazy[k].end);
	}
	strbuf_release(&ld.scratch);
	if (r < 0) {
		vms_snapshot_free(ld.snap);
		return r;
	}
	*ret = ld.snap;
	return 0;
}

/* The file at path into out, capped; 0, or -errno with err->message set. */
static int read_capped(int dirfd, const char *path, struct strbuf *out,
		       struct vms_load_error *err)
{
	struct stat st;
	int fd, r;

	*err = (struct vms_load_error){ 0 };
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err->message, sizeof(err->message), "%s", strerror(-r));
		return r;
	}
	/* a regular file says its size: refuse a huge one before reading it */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > VMS_LOAD_MAX_BYTES)
		r = -EFBIG;
	else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		r = -EISDIR;
	else
		r = 0;
	if (r == 0)
		r = procfile_read_fd(fd, VMS_LOAD_MAX_BYTES, PROCFILE_ALLOW_NUL, out);
	close(fd);
	if (r == -EFBIG)
		snprintf(err->message, sizeof(err->message), "larger than %u MiB",
			 VMS_LOAD_MAX_BYTES >> 20);
	else if (r < 0)
		snprintf(err->message, sizeof(err->message), "%s", strerror(-r));
	return r < 0 ? r : 0;
}

int vms_load_file(int dirfd, const char *path, vms_load_parse_fn parse, void *ctx,
		  struct vms_load_error *err)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = read_capped(dirfd, path, &sb, err);
	if (r == 0)
		r = parse(sb.buf, sb.len, ctx, err);
	strbuf_release(&sb);
	return r;
}

static int parse_snapshot(const char *buf, size_t len, void *ret, struct vms_load_error *err)
{
	return vms_snapshot_load(buf, len, ret, err);
}

int vms_snapshot_load_file(int dirfd, const char *path, struct vms_snapshot **ret,
			   struct vms_load_error *err)
{
	return vms_load_file(dirfd, path, parse_snapshot, ret, err);
}
