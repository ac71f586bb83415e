/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-c, loaded when vmscope first reads JSON (dlopen), as libproc2 is by
 * the listers and ncursesw by the live view: the report of a process reads
 * no JSON, and mapping the library at the start cost it 0.15 to 0.2 ms on
 * a 1,027-VMA process (7.4 ms in all). The readers of src/json include this
 * instead of <json-c/json.h>: the names they call are the loaded library's.
 * vms_json_check_text, which every text passes before json-c sees it, loads
 * it; so does the recording sniffer.
 */
#ifndef VMSCOPE_JSON_JSONC_H
#define VMSCOPE_JSON_JSONC_H

#include <json-c/json.h>

/* The soname of the package's libjson-c5 (libjson-c-dev's link points to it). */
#define JSONC_SONAME "libjson-c.so.5"

/* Each function the readers call, by its name in the library. */
#define JSONC_FUNCTIONS(X) \
	X(json_object_array_get_idx) X(json_object_array_length) X(json_object_get_boolean) \
	X(json_object_get_int64) X(json_object_get_object) X(json_object_get_string) \
	X(json_object_get_string_len) X(json_object_get_type) X(json_object_get_uint64) \
	X(json_object_is_type) X(json_object_new_object) X(json_object_object_add) \
	X(json_object_object_del) X(json_object_object_get) X(json_object_object_get_ex) \
	X(json_object_put) X(json_object_to_json_string_ext) X(json_tokener_error_desc) \
	X(json_tokener_free) X(json_tokener_get_error) X(json_tokener_get_parse_end) \
	X(json_tokener_new) X(json_tokener_new_ex) X(json_tokener_parse_ex) \
	X(json_tokener_set_flags)

struct jsonc_api {
#define JSONC_POINTER(name) __typeof__(name) *name;
	JSONC_FUNCTIONS(JSONC_POINTER)
#undef JSONC_POINTER
};

extern struct jsonc_api jsonc_api;

/*
 * Loads the library once for the process (it stays mapped until the exit).
 * Returns 0, or -ELIBACC with *ret_why saying why (dlerror's words).
 */
int jsonc_load(const char **ret_why);

/* the names redirected, but in the loader (which names the members) */
#ifndef JSONC_LOADER
#undef json_object_array_get_idx
#define json_object_array_get_idx (*jsonc_api.json_object_array_get_idx)
#undef json_object_array_length
#define json_object_array_length (*jsonc_api.json_object_array_length)
#undef json_object_get_boolean
#define json_object_get_boolean (*jsonc_api.json_object_get_boolean)
#undef json_object_get_int64
#define json_object_get_int64 (*jsonc_api.json_object_get_int64)
#undef json_object_get_object
#define json_object_get_object (*jsonc_api.json_object_get_object)
#undef json_object_get_string
#define json_object_get_string (*jsonc_api.json_object_get_string)
#undef json_object_get_string_len
#define json_object_get_string_len (*jsonc_api.json_object_get_string_len)
#undef json_object_get_type
#define json_object_get_type (*jsonc_api.json_object_get_type)
#undef json_object_get_uint64
#define json_object_get_uint64 (*jsonc_api.json_object_get_uint64)
#undef json_object_is_type
#define json_object_is_type (*jsonc_api.json_object_is_type)
#undef json_object_new_object
#define json_object_new_object (*jsonc_api.json_object_new_object)
#undef json_object_object_add
#define json_object_object_add (*jsonc_api.json_object_object_add)
#undef json_object_object_del
#define json_object_object_del (*jsonc_api.json_object_object_del)
#undef json_object_object_get
#define json_object_object_get (*jsonc_api.json_object_object_get)
#undef json_object_object_get_ex
#define json_object_object_get_ex (*jsonc_api.json_object_object_get_ex)
#undef json_object_put
#define json_object_put (*jsonc_api.json_object_put)
#undef json_object_to_json_string_ext
#define json_object_to_json_string_ext (*jsonc_api.json_object_to_json_string_ext)
#undef json_tokener_error_desc
#define json_tokener_error_desc (*jsonc_api.json_tokener_error_desc)
#undef json_tokener_free
#define json_tokener_free (*jsonc_api.json_tokener_free)
#undef json_tokener_get_error
#define json_tokener_get_error (*jsonc_api.json_tokener_get_error)
#undef json_tokener_get_parse_end
#define json_tokener_get_parse_end (*jsonc_api.json_tokener_get_parse_end)
#undef json_tokener_new
#define json_tokener_new (*jsonc_api.json_tokener_new)
#undef json_tokener_new_ex
#define json_tokener_new_ex (*jsonc_api.json_tokener_new_ex)
#undef json_tokener_parse_ex
#define json_tokener_parse_ex (*jsonc_api.json_tokener_parse_ex)
#undef json_tokener_set_flags
#define json_tokener_set_flags (*jsonc_api.json_tokener_set_flags)
#endif

#endif
