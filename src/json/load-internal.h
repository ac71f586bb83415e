/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot loader's own vocabulary, shared by its files:
 *  - load-outline.c: pass 1, the outline of the document (the top-level
 *    members, the elements of the large arrays as spans of the text), and
 *    the position (line:column) and path of an error;
 *  - load-values.c: typed getters that check one value each and record the
 *    path they are at, and the lazy element-by-element parse of the arrays;
 *  - load-objects.c: the ELF objects of a snapshot;
 *  - load-snapshot.c: the schema walk that rebuilds the model, and the
 *    entry points of vmscope/load.h.
 * Every getter returns false after recording the first error in *ld->err
 * (later ones are dropped), so that a walk can end with `return false`.
 */
#ifndef VMSCOPE_JSON_LOAD_INTERNAL_H
#define VMSCOPE_JSON_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json/jsonc.h"

#include "base/strbuf.h"
#include "json/parse.h"
#include "vmscope/load.h"
#include "vmscope/snapshot.h"

/* More than the kernel's vm.max_map_count allows by default (4,194,304). */
#define LOAD_MAX_ITEMS (1u << 22)

struct path_part {
	const char *key; /* NULL: an array index */
	size_t index;
};

/*
 * The arrays of a snapshot that grow with the process: held as a json-c
 * tree, the 65,000 regions of an 80 MB file took 700 MiB. They are parsed
 * one element at a time instead (load_parse_root, load_lazy_element); the
 * rest of the document is a json-c tree as usual.
 */
enum { LAZY_REGIONS, LAZY_OBJECTS, LAZY_THREADS, LAZY__MAX };
/* Their member names, by LAZY_*. */
extern const char *const load_lazy_keys[LAZY__MAX];

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
	unsigned schema; /* the file's VMS_SCHEMA_VERSION */
	struct vms_load_error *err;
	/*
	 * The path is that of the schema walk, whose depth is the code's and
	 * never the file's: at most 6 (objects[i].elf.sections[j].flags), so
	 * entering a level checks no bound.
	 */
	struct path_part path[VMS_JSON_MAX_DEPTH];
	unsigned depth;
	bool failed;
	struct lazy_array lazy[LAZY__MAX];
	struct strbuf scratch; /* one value's text, NUL-terminated for json-c */
};

static inline void load_enter_key(struct load *ld, const char *key)
{
	ld->path[ld->depth++] = (struct path_part){ .key = key };
}

static inline void load_enter_index(struct load *ld, size_t index)
{
	ld->path[ld->depth++] = (struct path_part){ .index = index };
}

static inline void load_leave(struct load *ld)
{
	ld->depth--;
}

/* load-outline.c */

/* Records the first error, at the current path; returns false for `return load_fail(...)`. */
__attribute__((format(printf, 2, 3))) bool load_fail(struct load *ld, const char *fmt, ...);

/* The same at a byte offset of the text, for errors in its syntax. */
bool load_fail_at(struct load *ld, size_t off, const char *message);

/*
 * Parses the value in [start, end) of the text with json-c. The end comes
 * from vms_json_skip_value, which trusts the text: json-c must take exactly that
 * span, or the text is wrong there.
 */
bool load_parse_span(struct load *ld, size_t start, size_t end, unsigned depth,
		     struct json_object **ret);

/*
 * The top-level object: each member's value is parsed into *ret with
 * json-c, but for the lazy arrays, whose elements are only located here
 * (and parsed one by one as they are loaded).
 */
bool load_parse_root(struct load *ld, struct json_object **ret);

/* load-values.c */

/* The member key of obj (NULL is JSON null); false (an error) when missing. */
bool load_member(struct load *ld, struct json_object *obj, const char *key,
		 struct json_object **ret);

bool load_want_type(struct load *ld, struct json_object *v, enum json_type t, const char *what);

/* A member of the given type, or NULL when the file says null and may. */
bool load_get_member(struct load *ld, struct json_object *obj, const char *key, enum json_type t,
		     const char *what, bool nullable, struct json_object **ret);

/* Whether obj has the member key: for members later writers added to schema 1. */
bool load_has_member(struct json_object *obj, const char *key);

bool load_uint_value(struct load *ld, struct json_object *v, uint64_t max, uint64_t *ret);

/* A whole number member; *ret_null (when given) says null, else null is an error. */
bool load_get_uint(struct load *ld, struct json_object *obj, const char *key, uint64_t max,
		   uint64_t *ret, bool *ret_null);

bool load_get_int64(struct load *ld, struct json_object *obj, const char *key, int64_t *ret);

bool load_get_bool(struct load *ld, struct json_object *obj, const char *key, bool *ret);

/*
 * A string member: NUL-free, at most max bytes. *ret is json-c's (valid
 * while the document lives); NULL for null when nullable.
 */
bool load_get_string(struct load *ld, struct json_object *obj, const char *key, size_t max,
		     bool nullable, const char **ret, size_t *ret_len);

/* The same, copied into the snapshot's arena. */
bool load_get_arena_string(struct load *ld, struct json_object *obj, const char *key,
			   bool nullable, const char **ret);

/* Into a fixed char array (host facts). */
bool load_get_fixed_string(struct load *ld, struct json_object *obj, const char *key,
			   bool nullable, char *out, size_t size);

/* "0x..." lowercase hex; null gives 0 when nullable. */
bool load_get_addr(struct load *ld, struct json_object *obj, const char *key, bool nullable,
		   uint64_t *ret);

/* "fe:01": major and minor in hex. */
bool load_get_dev(struct load *ld, struct json_object *obj, uint32_t *ret_major,
		  uint32_t *ret_minor);

bool load_get_error(struct load *ld, struct json_object *obj, const char *key, int *ret);

/* An index into an array of n items, or -1 for null. */
bool load_get_index(struct load *ld, struct json_object *obj, const char *key, size_t n,
		    int32_t *ret);

/* A size, "unlimited" or null (*ret_have false). */
bool load_get_limit(struct load *ld, struct json_object *obj, const char *key, bool *ret_have,
		    uint64_t *ret);

/* An integer in [min, max] or null; null needs the error beside it, so never reads as 0. */
bool load_get_int_or_error(struct load *ld, struct json_object *obj, const char *key,
			   const char *err_key, int64_t min, int64_t max, int32_t *ret,
			   int *ret_err);

/* The member key as an object when there is one; *ret NULL when the file has none. */
bool load_optional_object(struct load *ld, struct json_object *root, const char *key,
			  struct json_object **ret);

/* Iterates the array member key: each item must be an object. */
bool load_array(struct load *ld, struct json_object *root, const char *key,
		struct json_object **ret, size_t *ret_n);

/* A top-level array held as spans: its length, as load_array gives. */
bool load_lazy_array(struct load *ld, struct json_object *root, int k, size_t *ret_n);

/* Element i of a lazy array as an object (put it when done), NULL on an error. */
struct json_object *load_lazy_element(struct load *ld, int k, size_t i);

struct json_object *load_array_object(struct load *ld, struct json_object *a, size_t i);

/* "0x" and lowercase hex digits into *ret; false when s is not that. */
bool load_parse_hex(const char *s, uint64_t *ret);

/* An object of smaps counters by vms_mem_fields name; a missing one is not had. */
/* The counters of key; each at most max (a region's: its size). */
bool load_mem(struct load *ld, struct json_object *obj, const char *key, uint64_t max,
	      struct vms_counters *ret);

/* load-objects.c: the "objects" array into ld->snap->objects. */
bool load_objects(struct load *ld, size_t n);

#endif
