/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON writer and the JSON snapshot, checked by reading the output back
 * with json-c (strict, UTF-8 validating) and comparing with what was written.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "fixture.h"
#include "json/jsonw.h"
#include "vmscope/report.h"

#include "../spinner.h"

/* Output capture */

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static void capture_close(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	c->f = NULL;
}

/* Parses the whole of text strictly; fails the test on any error. */
static json_object *parse(const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(JSONW_MAX_DEPTH + 1);
	json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o)
		fail_msg("JSON does not parse: %s at offset %zu",
			 json_tokener_error_desc(json_tokener_get_error(tok)),
			 json_tokener_get_parse_end(tok));
	/* nothing but the final newline may follow the document */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (text[i] != '\n')
			fail_msg("garbage after the document at offset %zu", i);
	json_tokener_free(tok);
	return o;
}

/* What the writer must make of hostile bytes: valid UTF-8 with each byte
 * that is not part of a valid sequence replaced by U+FFFD. */
static void sanitized(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0;

	strbuf_reset(out);
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			strbuf_addstr(out, "\xef\xbf\xbd");
			i++;
		} else {
			strbuf_add(out, s + i, len);
			i += len;
		}
	}
}

/* Writer: escaping */

struct esc_case {
	const char *in;
	size_t len;
	const char *want; /* NULL: the input itself */
	size_t want_len;
	const char *raw;  /* must appear in the output text, or NULL */
};

#define S(x) x, sizeof(x) - 1

static const struct esc_case esc_cases[] = {
	{ S("plain"), NULL, 0, "\"plain\"" },
	{ S("quote\" back\\slash / end"), NULL, 0, "\"quote\\\" back\\\\slash / end\"" },
	{ S("\x1b[2Jclear"), NULL, 0, "\\u001b[2Jclear" },
	{ S("\x1b]0;title\x07"), NULL, 0, "\\u001b]0;title\\u0007" },
	{ S("line\nbreak\ttab\rcr\bbs\ffeed"), NULL, 0, "line\\u000abreak\\u0009tab" },
	{ S("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	    "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"),
	  NULL, 0, "\\u001f\\u007f" },
	{ S("nul\0inside"), NULL, 0, "nul\\u0000inside" },
	{ S("csi \xc2\x9b""31m"), NULL, 0, "csi \\u009b31m" },
	{ S("ls \xe2\x80\xa8 ps \xe2\x80\xa9"), NULL, 0, "\\u2028" },
	{ S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), NULL, 0,
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ S("bad\xff"), S("bad\xef\xbf\xbd"), NULL },
	{ S("\xfe\xff"), S("\xef\xbf\xbd\xef\xbf\xbd"), NULL },
	{ S("over\xc0\xaflong"), S("over\xef\xbf\xbd\xef\xbf\xbdlong"), NULL },
	{ S("cut\xe2\x82"), S("cut\xef\xbf\xbd\xef\xbf\xbd"), NULL },
	{ S("sur\xed\xa0\x80rogate"), S("sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdrogate"), NULL },
	{ S("big\xf4\x90\x80\x80"), S("big\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	  NULL },
	{ S("lone\x80\x80""cont"), S("lone\xef\xbf\xbd\xef\xbf\xbd""cont"), NULL },
	{ S(""), NULL, 0, "\"\"" },
};

static void test_writer_escaping(void **state)
{
	struct capture c;
	struct jsonw w;
	json_object *root;
	size_t n = sizeof(esc_cases) / sizeof(esc_cases[0]);

	(void)state;
	capture_open(&c);
	jsonw_init(&w, c.f);
	jsonw_begin_object(&w);
	jsonw_key(&w, "strings");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < n; i++)
		jsonw_string_n(&w, esc_cases[i].in, esc_cases[i].len);
	jsonw_end_array(&w);
	/* keys are escaped the same way */
	jsonw_key(&w, "k\x1b\xff\"");
	jsonw_bool(&w, true);
	jsonw_end_object(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	capture_close(&c);

	/* no raw control byte anywhere but the layout's newlines */
	for (size_t i = 0; i < c.len; i++)
		if ((unsigned char)c.buf[i] < 0x20 && c.buf[i] != '\n')
			fail_msg("raw byte 0x%02x at offset %zu", (unsigned char)c.buf[i], i);
	for (size_t i = 0; i < n; i++)
		if (esc_cases[i].raw && !strstr(c.buf, esc_cases[i].raw))
			fail_msg("case %zu: \"%s\" not in the output", i, esc_cases[i].raw);

	root = parse(c.buf, c.len);
	{
		json_object *arr = json_object_object_get(root, "strings");

		assert_int_equal(json_object_array_length(arr), n);
		for (size_t i = 0; i < n; i++) {
			json_object *s = json_object_array_get_idx(arr, i);
			const char *want = esc_cases[i].want ? esc_cases[i].want : esc_cases[i].in;
			size_t want_len = esc_cases[i].want ? esc_cases[i].want_len : esc_cases[i].len;

			assert_true(json_object_is_type(s, json_type_string));
			if ((size_t)json_object_get_string_len(s) != want_len ||
			    memcmp(json_object_get_string(s), want, want_len) != 0)
				fail_msg("case %zu does not read back as written", i);
		}
	}
	assert_true(json_object_get_boolean(json_object_object_get(root, "k\x1b\xef\xbf\xbd\"")));
	json_object_put(root);
	free(c.buf);
}

/*
 * Writer: a string or key of any length, with one byte that needs escaping
 * at any place (or none), reads back as written; the short ones and those
 * around the writer's word and room sizes, every place of the byte.
 */
static void test_writer_every_length(void **state)
{
	static const struct {
		char bad;
		const char *want; /* what the byte reads back as */
	} bads[] = { { '"', "\"" }, { '\\', "\\" }, { '\x01', "\x01" }, { '\x7f', "\x7f" },
		     { '\xff', "\xef\xbf\xbd" } };
	static const size_t lens[] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,   9,   10,  11,  12,
				       15, 16, 17, 23, 24, 25, 63, 64, 65, 191, 192, 193, 200 };
	char in[256], want[512], key[32];

	(void)state;
	for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
		size_t n = lens[l];
		struct capture c;
		struct jsonw w;
		json_object *root;

		capture_open(&c);
		jsonw_init(&w, c.f);
		jsonw_begin_object(&w);
		/* place n: no byte to escape; as a key and as a value */
		for (size_t pos = 0; pos <= n; pos++) {
			for (size_t b = 0; b < ARRAY_SIZE(bads); b++) {
				if (pos == n && b > 0)
					break;
				for (size_t i = 0; i < n; i++)
					in[i] = (char)('a' + (i * 7 + n) % 26);
				if (pos < n)
					in[pos] = bads[b].bad;
				snprintf(key, sizeof(key), "k%zu.%zu", pos, b);
				jsonw_key(&w, key);
				jsonw_string_n(&w, in, n);
				jsonw_key_n(&w, in, n);
				jsonw_uint(&w, pos * 10 + b);
			}
		}
		jsonw_end_object(&w);
		assert_int_equal(jsonw_finish(&w), 0);
		capture_close(&c);
		for (size_t i = 0; i < c.len; i++)
			if ((unsigned char)c.buf[i] < 0x20 && c.buf[i] != '\n')
				fail_msg("length %zu: raw byte 0x%02x at offset %zu", n,
					 (unsigned char)c.buf[i], i);

		root = parse(c.buf, c.len);
		for (size_t pos = 0; pos <= n; pos++) {
			for (size_t b = 0; b < ARRAY_SIZE(bads); b++) {
				size_t wl = 0;

				if (pos == n && b > 0)
					break;
				for (size_t i = 0; i < n; i++) {
					if (i == pos) {
						memcpy(want + wl, bads[b].want, strlen(bads[b].want));
						wl += strlen(bads[b].want);
					} else {
						want[wl++] = (char)('a' + (i * 7 + n) % 26);
					}
				}
				want[wl] = '\0';
				snprintf(key, sizeof(key), "k%zu.%zu", pos, b);
				json_object *v = json_object_object_get(root, key);
				if (!v || (size_t)json_object_get_string_len(v) != wl ||
				    memcmp(json_object_get_string(v), want, wl) != 0)
					fail_msg("length %zu, byte %zu at %zu: value not read back", n, b,
						 pos);
				/* the same text as a key: a string with a NUL inside
				 * (none here) would not look up */
				json_object *k = json_object_object_get(root, want);
				if (wl && (!k || json_object_get_int64(k) != (int64_t)(pos * 10 + b)))
					fail_msg("length %zu, byte %zu at %zu: key not read back", n, b,
						 pos);
			}
		}
		json_object_put(root);
		free(c.buf);
	}
}

/*
 * Writer: keys quoted once (jsonw_qkey) write the same bytes as jsonw_key,
 * one by one or a row of them (jsonw_qkey_uints, members left out or null),
 * in block and inline objects, including keys too long or not plain to be
 * quoted ahead.
 */
static void test_writer_qkeys(void **state)
{
	static const char *const keys[] = {
		"a", "rss", "anon_huge_pages", "key_of_twenty_seven_bytes__", "key_of_twenty_eight_bytes___",
		"key_of_twenty_nine_bytes_____", "esc\x1b\"", "",
	};
	/* members had: all; none; every other; all but the first; the long ones */
	static const uint64_t haves[] = { 0xff, 0, 0x55, 0xfe, 0x38 };
	struct jsonw_qkey q[ARRAY_SIZE(keys)];
	uint64_t values[ARRAY_SIZE(keys)];
	struct capture c[3];

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		jsonw_qkey_init(&q[k], keys[k]);
		values[k] = 1000 * k + 7;
	}
	assert_int_equal(q[4].n, 32); /* '"', 28 bytes, '": ' */
	assert_int_equal(q[5].n, 0);
	assert_int_equal(q[6].n, 0);
	/* 0: jsonw_key; 1: jsonw_qkey_uint (jsonw_qkey for a null) one by
	 * one; 2: jsonw_qkey_uints */
	for (int how = 0; how < 3; how++) {
		struct jsonw w;

		capture_open(&c[how]);
		jsonw_init(&w, c[how].f);
		jsonw_begin_array(&w);
		for (int inl = 0; inl < 2; inl++) {
			for (size_t h = 0; h < ARRAY_SIZE(haves); h++) {
				for (int nulls = 0; nulls < 2; nulls++) {
					if (inl)
						jsonw_begin_inline_object(&w);
					else
						jsonw_begin_object(&w);
					if (how == 2) {
						jsonw_qkey_uints(&w, q, values, ARRAY_SIZE(keys), haves[h],
								 nulls);
					} else {
						for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
							bool has = (haves[h] >> k) & 1;

							if (!has && !nulls)
								continue;
							if (how && has) {
								jsonw_qkey_uint(&w, &q[k], values[k]);
								continue;
							}
							if (how)
								jsonw_qkey(&w, &q[k]);
							else
								jsonw_key(&w, keys[k]);
							if (has)
								jsonw_uint(&w, values[k]);
							else
								jsonw_null(&w);
						}
					}
					jsonw_end_object(&w);
				}
			}
		}
		jsonw_end_array(&w);
		assert_int_equal(jsonw_finish(&w), 0);
		capture_close(&c[how]);
	}
	for (int how = 1; how < 3; how++) {
		assert_int_equal(c[0].len, c[how].len);
		assert_memory_equal(c[0].buf, c[how].buf, c[0].len);
	}
	assert_non_null(strstr(c[0].buf, "\"key_of_twenty_eight_bytes___\": 4007"));
	assert_non_null(strstr(c[0].buf, "{\"rss\": 1007, \"anon_huge_pages\": 2007"));
	assert_non_null(strstr(c[0].buf, "\"esc\\u001b\\\"\": 6007"));
	assert_non_null(strstr(c[0].buf, "{\"a\": null, \"rss\": 1007"));
	for (int how = 0; how < 3; how++)
		free(c[how].buf);
}

/* Writer: numbers at every count of digits, as printf writes them. */
static void test_writer_numbers(void **state)
{
	struct capture c;
	struct jsonw w;
	struct strbuf want;
	uint64_t p = 1;

	(void)state;
	strbuf_init(&want);
	capture_open(&c);
	jsonw_init(&w, c.f);
	jsonw_begin_inline_array(&w);
	strbuf_addch(&want, '[');
	for (int k = 0; k < 20; k++, p *= 10) {
		uint64_t vs[] = { p - 1, p, p + 1, p * 5 + 3 };

		for (size_t i = 0; i < ARRAY_SIZE(vs); i++) {
			if (k == 19 && i == 3)
				break; /* past the range */
			jsonw_uint(&w, vs[i]);
			jsonw_int(&w, -(int64_t)(vs[i] & INT64_MAX));
			strbuf_addf(&want, "%s%" PRIu64 ", %" PRId64, want.len > 1 ? ", " : "", vs[i],
				    -(int64_t)(vs[i] & INT64_MAX));
		}
	}
	jsonw_uint(&w, UINT64_MAX);
	strbuf_addf(&want, ", %" PRIu64 "]\n", UINT64_MAX);
	jsonw_end_array(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	capture_close(&c);
	assert_string_equal(c.buf, want.buf);
	strbuf_release(&want);
	free(c.buf);
}

/* Writer: layout */

static void test_writer_layout(void **state)
{
	static const char want[] = "{\n"
				   "  \"a\": 1,\n"
				   "  \"b\": [],\n"
				   "  \"c\": {},\n"
				   "  \"d\": [\"x\", \"y\"],\n"
				   "  \"e\": {\"k\": null, \"l\": [true, false], \"m\": {}},\n"
				   "  \"f\": [\n"
				   "    -9223372036854775808,\n"
				   "    18446744073709551615,\n"
				   "    {\n"
				   "      \"addr\": \"0x7ffd1c3a0000\"\n"
				   "    }\n"
				   "  ]\n"
				   "}\n";
	struct capture c;
	struct jsonw w;

	(void)state;
	capture_open(&c);
	jsonw_init(&w, c.f);
	jsonw_begin_object(&w);
	jsonw_key(&w, "a");
	jsonw_uint(&w, 1);
	jsonw_key(&w, "b");
	jsonw_begin_array(&w);
	jsonw_end_array(&w);
	jsonw_key(&w, "c");
	jsonw_begin_object(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "d");
	jsonw_begin_inline_array(&w);
	jsonw_string(&w, "x");
	jsonw_string(&w, "y");
	jsonw_end_array(&w);
	jsonw_key(&w, "e");
	jsonw_begin_inline_object(&w);
	jsonw_key(&w, "k");
	jsonw_string(&w, NULL);
	jsonw_key(&w, "l");
	jsonw_begin_array(&w); /* inside an inline container: inline too */
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_end_array(&w);
	jsonw_key(&w, "m");
	jsonw_begin_object(&w);
	jsonw_end_object(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "f");
	jsonw_begin_array(&w);
	jsonw_int(&w, INT64_MIN);
	jsonw_uint(&w, UINT64_MAX);
	jsonw_begin_object(&w);
	jsonw_key(&w, "addr");
	jsonw_stringf(&w, "0x%" PRIx64, UINT64_C(0x7ffd1c3a0000));
	jsonw_end_object(&w);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	capture_close(&c);
	assert_string_equal(c.buf, want);
	json_object_put(parse(c.buf, c.len));
	free(c.buf);
}

/* Writer: misuse is reported, not fatal */

static int misuse(int which)
{
	struct capture c;
	struct jsonw w;
	int r;

	capture_open(&c);
	jsonw_init(&w, c.f);
	switch (which) {
	case 0: /* a key in an array */
		jsonw_begin_array(&w);
		jsonw_key(&w, "k");
		jsonw_uint(&w, 1);
		jsonw_end_array(&w);
		break;
	case 1: /* a value without a key in an object */
		jsonw_begin_object(&w);
		jsonw_uint(&w, 1);
		jsonw_end_object(&w);
		break;
	case 2: /* left open */
		jsonw_begin_object(&w);
		jsonw_key(&w, "k");
		jsonw_begin_array(&w);
		break;
	case 3: /* wrong end */
		jsonw_begin_object(&w);
		jsonw_end_array(&w);
		break;
	case 4: /* a key without its value */
		jsonw_begin_object(&w);
		jsonw_key(&w, "k");
		jsonw_end_object(&w);
		break;
	case 5: /* too deep */
		for (int i = 0; i <= JSONW_MAX_DEPTH; i++)
			jsonw_begin_array(&w);
		for (int i = 0; i <= JSONW_MAX_DEPTH; i++)
			jsonw_end_array(&w);
		break;
	case 6: /* as deep as allowed: fine */
		for (int i = 0; i < JSONW_MAX_DEPTH; i++)
			jsonw_begin_array(&w);
		for (int i = 0; i < JSONW_MAX_DEPTH; i++)
			jsonw_end_array(&w);
		break;
	case 7: /* two keys in a row */
		jsonw_begin_object(&w);
		jsonw_key(&w, "a");
		jsonw_key(&w, "b");
		jsonw_null(&w);
		jsonw_end_object(&w);
		break;
	}
	r = jsonw_finish(&w);
	capture_close(&c);
	if (which == 6)
		json_object_put(parse(c.buf, c.len));
	free(c.buf);
	return r;
}

/* the thread that calls jsonw_items, and the items each thread wrote; of
 * the other's, those written where it was moved onto the caller's CPU (it
 * waited for its own) */
static pthread_t items_caller;
static size_t items_by_caller, items_by_other, items_by_other_pinned;
static bool items_by_other_wanted; /* "stalls": the caller waits for the other */
static bool items_caller_began; /* the caller has written an item */
static struct sleeper items_other_sleeper; /* "beside": the other, asleep where it began */

static cpu_set_t items_all; /* the CPUs the caller may run on as it begins */

/*
 * The test binary's malloc(), calloc() and realloc(), counting the new
 * blocks asked for by a thread other than items_caller while
 * items_counting: jsonw_items' other thread asks for none (its first
 * would give it a malloc arena of its own, jsonw-items.c). Not under
 * AddressSanitizer, whose own allocator they would hide; under valgrind
 * the C library's, which these call, is valgrind's.
 */
#ifndef __SANITIZE_ADDRESS__
#define COUNTS_MALLOCS 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
static bool items_counting;
static size_t items_other_mallocs;

static void count_new_block(void)
{
	if (__atomic_load_n(&items_counting, __ATOMIC_ACQUIRE) &&
	    !pthread_equal(pthread_self(), items_caller))
		__atomic_add_fetch(&items_other_mallocs, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	count_new_block();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count_new_block();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (!p)
		count_new_block();
	return __libc_realloc(p, size);
}
#else
#define COUNTS_MALLOCS 0
#endif

/*
 * The other thread: whether it was moved, allowed fewer CPUs than the
 * caller began with (onto the caller's CPU alone, or off it onto the rest:
 * one CPU of two, more of more). Only once the caller has begun: until
 * thread_create_apart has returned, the other runs on the narrower set it
 * was started on (the caller's CPUs but its own).
 */
static bool other_moved(void)
{
	cpu_set_t mine;

	return __atomic_load_n(&items_caller_began, __ATOMIC_ACQUIRE) &&
	       sched_getaffinity(0, sizeof(mine), &mine) == 0 && !CPU_EQUAL(&mine, &items_all);
}

/* Item i of test_writer_items: objects, arrays and strings of all sizes. */
static void put_item(struct jsonw *w, size_t i, const void *ctx)
{
	const char *tag = ctx;
	bool caller = pthread_equal(pthread_self(), items_caller);

	__atomic_add_fetch(caller ? &items_by_caller : &items_by_other, 1, __ATOMIC_RELAXED);
	if (caller)
		__atomic_store_n(&items_caller_began, true, __ATOMIC_RELEASE);
	else if (other_moved())
		__atomic_add_fetch(&items_by_other_pinned, 1, __ATOMIC_RELAXED);
	/* "stalls": the caller waits at its first item until the other has
	 * begun a block; the other stops at its first item, asleep as it would
	 * wait for its CPU, until it finds itself moved (2 s at most each);
	 * the caller then naps at each block, so that the other, were it not
	 * stopped, would take more */
	/* "beside": the caller, at its first item, onto the CPU the other
	 * began on (2 s at most for the other to say which) */
	if (strcmp(tag, "beside") == 0 && caller && i == 0) {
		int cpu = -1;

		for (int k = 0; k < 2000 && (cpu = __atomic_load_n(&items_other_sleeper.cpu,
								   __ATOMIC_ACQUIRE)) < 0; k++)
			usleep(1000);
		if (cpu >= 0)
			(void)spinner_run_on(cpu, cpu);
	}
	if (strcmp(tag, "stalls") == 0 && caller && i == 0 && items_by_other_wanted)
		for (int k = 0; k < 2000 && !__atomic_load_n(&items_by_other, __ATOMIC_ACQUIRE); k++)
			usleep(1000);
	if (strcmp(tag, "stalls") == 0 && caller && i % 32 == 0 &&
	    __atomic_load_n(&items_by_other_pinned, __ATOMIC_ACQUIRE))
		usleep(200);
	if (strcmp(tag, "stalls") == 0 && !caller && items_by_other == 1)
		for (int k = 0; k < 2000 && !other_moved(); k++)
			usleep(1000);
	/* "slow": each thread waits for the other longer than it polls, and
	 * sleeps (the caller, waiting for a block the other holds asleep,
	 * stops it: the rest is the caller's) */
	if (strcmp(tag, "slow") == 0 && i % 128 == 0)
		usleep(2000);
	/* one thread slow at the start of each block (of 32), as on a CPU that
	 * is busy or slower than the other (asleep: under valgrind, one thread
	 * runs at a time, and a busy one would hold up the other); 10 ms, more
	 * than a thread woken on a CPU another program keeps busy waits for it
	 * (with 1 ms, the caller wrote more than 3/8 of the items beside two
	 * busy loops, in twelve runs of twelve) */
	if (i % 32 == 0 && ((strcmp(tag, "slow-caller") == 0 && caller) ||
			    (strcmp(tag, "slow-other") == 0 && !caller)))
		usleep(10000);

	jsonw_begin_object(w);
	jsonw_key(w, tag);
	jsonw_uint(w, i);
	jsonw_key(w, "name");
	jsonw_string(w, i % 7 ? "/usr/lib/x86_64-linux-gnu/libc.so.6" : "odd\"name\x01");
	jsonw_key(w, "flags");
	jsonw_begin_inline_array(w);
	for (size_t k = 0; k < i % 5; k++)
		jsonw_hex(w, i << k);
	jsonw_end_array(w);
	if (i % 3 == 0) {
		jsonw_key(w, "deep");
		jsonw_begin_object(w);
		jsonw_key(w, "dev");
		jsonw_dev(w, (uint32_t)i, 3);
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
}

/*
 * jsonw_items writes many items in blocks on two threads: the document is
 * byte for byte the one written item by item, at the sizes around its
 * blocks (of 32 items) and around the size where it starts using a thread
 * (128); with blocks slow to write, so that the threads' waits for each
 * other outlast their polls and sleep; and with one thread slow, which
 * then writes fewer blocks than the other (a fixed half each would be
 * 1,024 items of 2,048).
 */
static void test_writer_items(void **state)
{
	static const struct {
		size_t n;
		const char *tag;
	} cases[] = {
		{ 0, "tag" },	 { 1, "tag" },	  { 31, "tag" },   { 127, "tag" },
		{ 128, "tag" },	 { 129, "tag" },  { 159, "tag" },  { 160, "tag" },
		{ 161, "tag" },	 { 640, "tag" },  { 3001, "tag" }, { 4096, "tag" },
		{ 5000, "tag" }, { 1100, "slow" }, { 2048, "slow-caller" }, { 2048, "slow-other" },
	};

	size_t all_by_other = 0;

	(void)state;
	items_caller = pthread_self();
	for (size_t s = 0; s < sizeof(cases) / sizeof(cases[0]); s++) {
		const char *tag = cases[s].tag;
		struct capture one, many;
		struct jsonw w;
		unsigned stopped = 0;

		for (int by_items = 0; by_items < 2; by_items++) {
			struct capture *c = by_items ? &many : &one;

			capture_open(c);
			jsonw_init(&w, c->f);
			jsonw_begin_object(&w);
			jsonw_key(&w, "items");
			jsonw_begin_array(&w);
			items_by_caller = items_by_other = items_by_other_pinned = 0;
			items_caller_began = false;
			if (by_items) {
#if COUNTS_MALLOCS
				items_other_mallocs = 0;
				__atomic_store_n(&items_counting, true, __ATOMIC_RELEASE);
#endif
				jsonw_items(&w, cases[s].n, put_item, tag);
#if COUNTS_MALLOCS
				__atomic_store_n(&items_counting, false, __ATOMIC_RELEASE);
				assert_int_equal(items_other_mallocs, 0);
#endif
				stopped = w.items_stopped;
				all_by_other += items_by_other;
			}
			else
				for (size_t i = 0; i < cases[s].n; i++)
					put_item(&w, i, tag);
			jsonw_end_array(&w);
			jsonw_key(&w, "after");
			jsonw_bool(&w, true);
			jsonw_end_object(&w);
			assert_int_equal(jsonw_finish(&w), 0);
			capture_close(c);
		}
		assert_int_equal(many.len, one.len);
		assert_memory_equal(many.buf, one.buf, one.len);
		assert_int_equal(items_by_caller + items_by_other, cases[s].n);
		/* the slow thread wrote fewer than 3/8 of the items: about a
		 * quarter, as the other may write ITEMS_SLOTS - 1 blocks while it
		 * holds the next for the FILE (unless the other waited for its
		 * CPU on a busy machine and was stopped: the caller went on
		 * alone) */
		if (strcmp(tag, "slow-caller") == 0 && !stopped)
			assert_true(items_by_caller < cases[s].n * 3 / 8);
		if (strcmp(tag, "slow-other") == 0)
			assert_true(items_by_other < cases[s].n * 3 / 8);
		free(one.buf);
		free(many.buf);
	}
	/* the other thread wrote items, into blocks it did not ask malloc for */
	assert_true(all_by_other > 0);
}

/* The items of test_writer_items into a document of their own, by
 * jsonw_items when begins is not NULL (its other thread calls it as it
 * begins; nothing_begins: nothing); how many times jsonw_items stopped its
 * other thread. */
static void nothing_begins(void)
{
}

static unsigned items_document(struct capture *c, size_t n, const char *tag,
			       void (*begins)(void))
{
	struct jsonw w;
	bool by_items = begins != NULL;

	capture_open(c);
	jsonw_init(&w, c->f);
	if (begins != nothing_begins)
		w.items_other_begins = begins;
	jsonw_begin_array(&w);
	items_by_caller = items_by_other = items_by_other_pinned = 0;
	items_caller_began = false;
	assert_int_equal(sched_getaffinity(0, sizeof(items_all), &items_all), 0);
	if (by_items)
		jsonw_items(&w, n, put_item, tag);
	else
		for (size_t i = 0; i < n; i++)
			put_item(&w, i, tag);
	jsonw_end_array(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	capture_close(c);
	return w.items_stopped;
}

/*
 * The tests of jsonw_items' watch on its other thread are skipped with one
 * CPU (the other is allowed it alone from the start) and under valgrind,
 * where a thread's CPU clock runs on while it sleeps.
 */
static void skip_unless_watched(void)
{
	cpu_set_t allowed;

	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	if (CPU_COUNT(&allowed) < 2 || spinner_under_valgrind())
		skip();
}

/*
 * jsonw_items' other thread stops at its first item, holding a block
 * (asleep, as it would be if another program kept its CPU; until it is
 * moved, 2 s at most): the caller, waiting for that block, moves it onto
 * its own CPU, where it finishes the block and takes no more (items
 * written there: the 31 after the first of its block, or all 32 where it
 * was moved before its first, as under TSAN, whose other thread was slow
 * to begin its block; and perhaps one more block taken meanwhile); the
 * document is the one written item by item. Needs two CPUs (with one, the
 * other thread is allowed it alone from the start); not under valgrind,
 * where a thread's CPU clock runs on while it sleeps.
 */
static void test_writer_items_stalls(void **state)
{
	size_t n = 4096;
	struct capture one, many;
	unsigned stopped;

	(void)state;
	skip_unless_watched();
	items_caller = pthread_self();
	items_document(&one, n, "stalls", NULL);
	items_by_other_wanted = true;
	stopped = items_document(&many, n, "stalls", nothing_begins);
	items_by_other_wanted = false;
	assert_int_equal(stopped, 1);
	assert_int_equal(many.len, one.len);
	assert_memory_equal(many.buf, one.buf, one.len);
	assert_true(items_by_other_pinned >= 31);
	assert_true(items_by_other - items_by_other_pinned <= 1);
	assert_true(items_by_other >= 32 && items_by_other <= 64);
	free(one.buf);
	free(many.buf);
}

/* test_writer_items_late: the other thread, as it begins, sleeps until it
 * is moved (2 s at most), as it would wait if another program kept its CPU */
static void other_begins_late(void)
{
	for (int k = 0; k < 2000 && !other_moved(); k++)
		usleep(1000);
}

/*
 * jsonw_items' other thread is slow to begin (asleep until it is moved, as
 * if another program kept its CPU): the caller writes every block itself,
 * and at the end, rather than wait for the other to begin, finds it
 * starved and stops it, which is counted; the other wrote nothing, and the
 * document is the one written item by item. A stop with nothing written is
 * the end's watch alone: one while the other holds a block leaves it that
 * block to write. Needs two CPUs; not under valgrind, where a thread's CPU
 * clock runs on while it sleeps.
 */
static void test_writer_items_late(void **state)
{
	size_t n = 160; /* 5 blocks */
	struct capture one, many;

	(void)state;
	skip_unless_watched();
	items_caller = pthread_self();
	items_document(&one, n, "tag", NULL);
	assert_int_equal(items_document(&many, n, "tag", other_begins_late), 1);
	assert_int_equal(items_by_other, 0);
	assert_int_equal(items_by_caller, n);
	assert_int_equal(many.len, one.len);
	assert_memory_equal(many.buf, one.buf, one.len);
	free(one.buf);
	free(many.buf);
}

/* test_writer_items_beside: where the other thread may run once moved */
static cpu_set_t items_other_to;

/* test_writer_items_beside: the other thread says where it begins, then
 * sleeps until it may no longer run there, as it would wait if another
 * program kept its CPU (tests/spinner.h) */
static void other_begins_beside(void)
{
	sleeper_sleep(&items_other_sleeper);
	(void)sched_getaffinity(0, sizeof(items_other_to), &items_other_to);
}

/*
 * As test_writer_items_late, with the caller on the CPU the other began
 * on (as one woken there under load would be): the other, starved, is
 * moved off that CPU, onto the others it may run on, not onto the
 * caller's. Needs two CPUs; not under valgrind.
 */
static void test_writer_items_beside(void **state)
{
	size_t n = 160;
	struct capture many;
	cpu_set_t all, rest;

	(void)state;
	skip_unless_watched();
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	items_caller = pthread_self();
	assert_true(sleeper_start(&items_other_sleeper));
	assert_int_equal(items_document(&many, n, "beside", other_begins_beside), 1);
	sleeper_end(&items_other_sleeper);
	assert_int_equal(sched_getaffinity(0, sizeof(rest), &rest), 0);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
	/* the caller ran where the other began */
	assert_true(items_other_sleeper.cpu >= 0);
	assert_int_equal(CPU_COUNT(&rest), 1);
	assert_true(CPU_ISSET(items_other_sleeper.cpu, &rest));
	rest = all;
	CPU_CLR(items_other_sleeper.cpu, &rest);
	assert_true(CPU_EQUAL(&items_other_to, &rest));
	assert_int_equal(items_by_other, 0);
	assert_int_equal(items_by_caller, n);
	free(many.buf);
}

static void test_writer_misuse(void **state)
{
	(void)state;
	for (int i = 0; i <= 7; i++)
		if (i != 6)
			assert_int_equal(misuse(i), -EINVAL);
	assert_int_equal(misuse(6), 0);
}

static void test_write_error(void **state)
{
	struct vms_snapshot *snap = fixture_full();
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(vms_report_json(f, snap, NULL), -EIO);
	fclose(f);
	vms_snapshot_free(snap);
}

/* The snapshot, field by field */

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing", key);
	return v;
}

static void expect_null(json_object *o, const char *key)
{
	if (get(o, key) != NULL)
		fail_msg("\"%s\" is %s, want null", key, json_object_to_json_string(get(o, key)));
}

static void expect_uint(json_object *o, const char *key, uint64_t want)
{
	json_object *v = get(o, key);

	if (!json_object_is_type(v, json_type_int) || json_object_get_uint64(v) != want ||
	    (want <= INT64_MAX && json_object_get_int64(v) < 0))
		fail_msg("\"%s\" is %s, want %" PRIu64, key, json_object_to_json_string(v), want);
}

static void expect_int(json_object *o, const char *key, int64_t want)
{
	json_object *v = get(o, key);

	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != want)
		fail_msg("\"%s\" is %s, want %" PRId64, key, json_object_to_json_string(v), want);
}

static void expect_bool(json_object *o, const char *key, bool want)
{
	json_object *v = get(o, key);

	if (!json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v) != want)
		fail_msg("\"%s\" is %s, want %d", key, json_object_to_json_string(v), want);
}

/* The string as the writer must have made it of these bytes. */
static void expect_str_n(json_object *o, const char *key, const char *raw, size_t n)
{
	json_object *v = get(o, key);
	struct strbuf want;

	strbuf_init(&want);
	sanitized(&want, raw, n);
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) != want.len ||
	    memcmp(json_object_get_string(v), want.buf, want.len) != 0)
		fail_msg("\"%s\" is %s", key, json_object_to_json_string(v));
	strbuf_release(&want);
}

static void expect_str(json_object *o, const char *key, const char *raw)
{
	if (!raw)
		expect_null(o, key);
	else
		expect_str_n(o, key, raw, strlen(raw));
}

static void expect_strf(json_object *o, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void expect_strf(json_object *o, const char *key, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	expect_str(o, key, buf);
}

/* An object with exactly these keys (in any order). */
static void expect_keys(json_object *o, const char *const *keys, size_t n)
{
	assert_true(json_object_is_type(o, json_type_object));
	for (size_t i = 0; i < n; i++)
		(void)get(o, keys[i]);
	if ((size_t)json_object_object_length(o) != n)
		fail_msg("%d keys, want %zu: %s", json_object_object_length(o), n,
			 json_object_to_json_string(o));
}

static void expect_mem(json_object *o, const struct vms_counters *c)
{
	int n = 0;

	assert_true(json_object_is_type(o, json_type_object));
	for (int m = 0; m < VMS_MEM__MAX; m++) {
		json_object *v;

		if (vms_counters_has(c, m)) {
			expect_uint(o, vms_mem_fields[m].name, c->v[m]);
			n++;
		} else if (json_object_object_get_ex(o, vms_mem_fields[m].name, &v)) {
			fail_msg("\"%s\" present but not read", vms_mem_fields[m].name);
		}
	}
	assert_int_equal(json_object_object_length(o), n);
}

static void perms_string(char out[5], uint8_t p)
{
	out[0] = p & VMS_PERM_READ ? 'r' : '-';
	out[1] = p & VMS_PERM_WRITE ? 'w' : '-';
	out[2] = p & VMS_PERM_EXEC ? 'x' : '-';
	out[3] = p & VMS_PERM_SHARED ? 's' : 'p';
	out[4] = '\0';
}

static void expect_index(json_object *o, const char *key, int32_t idx)
{
	if (idx < 0)
		expect_null(o, key);
	else
		expect_uint(o, key, (uint64_t)idx);
}

static const char *errno_name_of(int err)
{
	switch (-err) {
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case EBADMSG:
		return "EBADMSG";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case EFBIG:
		return "EFBIG";
	default:
		return NULL;
	}
}

static void check_region(json_object *jr, const struct vms_region *r)
{
	static const char *const keys[] = {
		"start", "end", "size", "perms", "offset", "dev", "inode", "name", "deleted",
		"kind", "object", "tid", "thp_eligible", "protection_key", "vmflags", "mem",
		"sections",
	};
	json_object *flags;
	char perms[5];
	size_t nf = 0;

	expect_keys(jr, keys, sizeof(keys) / sizeof(keys[0]));
	expect_strf(jr, "start", "0x%" PRIx64, r->start);
	expect_strf(jr, "end", "0x%" PRIx64, r->end);
	expect_uint(jr, "size", r->end - r->start);
	perms_string(perms, r->perms);
	expect_str(jr, "perms", perms);
	expect_uint(jr, "offset", r->offset);
	expect_strf(jr, "dev", "%02" PRIx32 ":%02" PRIx32, r->dev_major, r->dev_minor);
	expect_uint(jr, "inode", r->inode);
	expect_str(jr, "name", r->name);
	expect_bool(jr, "deleted", r->deleted);
	expect_str(jr, "kind", vms_kind_to_string(r->kind));
	assert_int_equal(vms_kind_from_string(json_object_get_string(get(jr, "kind"))), r->kind);
	expect_index(jr, "object", r->object);
	if (r->tid)
		expect_int(jr, "tid", r->tid);
	else
		expect_null(jr, "tid");
	if (r->thp_eligible < 0)
		expect_null(jr, "thp_eligible");
	else
		expect_bool(jr, "thp_eligible", r->thp_eligible);
	if (r->protection_key < 0)
		expect_null(jr, "protection_key");
	else
		expect_uint(jr, "protection_key", (uint64_t)r->protection_key);
	flags = get(jr, "vmflags");
	assert_true(json_object_is_type(flags, json_type_array));
	for (unsigned b = 0; vms_vmflag_names[b]; b++) {
		if (!(r->vmflags & (UINT64_C(1) << b)))
			continue;
		assert_true(nf < json_object_array_length(flags));
		assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, nf)),
				    vms_vmflag_names[b]);
		nf++;
	}
	assert_int_equal(json_object_array_length(flags), nf);
	expect_mem(get(jr, "mem"), &r->mem);
	if (r->n_sections) {
		expect_uint(get(jr, "sections"), "first", r->first_section);
		expect_uint(get(jr, "sections"), "count", r->n_sections);
	} else {
		expect_null(jr, "sections");
	}
}

static void check_object(json_object *jo, const struct vms_object *o)
{
	static const char *const keys[] = {
		"path", "dev", "inode", "deleted", "main", "regions", "size", "distinct_size",
		"max_maps", "elf", "elf_error", "mem", "build_id", "load_bias", "changed",
	};
	json_object *elf;

	expect_keys(jo, keys, sizeof(keys) / sizeof(keys[0]));
	expect_str(jo, "path", o->path);
	expect_strf(jo, "dev", "%02" PRIx32 ":%02" PRIx32, o->dev_major, o->dev_minor);
	expect_uint(jo, "inode", o->inode);
	expect_bool(jo, "deleted", o->deleted);
	expect_bool(jo, "main", o->is_main);
	expect_uint(jo, "regions", o->n_regions);
	expect_uint(jo, "size", o->vsize);
	expect_uint(jo, "distinct_size", o->distinct_size);
	expect_uint(jo, "max_maps", o->max_maps);
	expect_mem(get(jo, "mem"), &o->mem);
	if (o->build_id)
		expect_str(jo, "build_id", o->build_id);
	else
		expect_null(jo, "build_id");
	if (o->have_bias)
		expect_strf(jo, "load_bias", "0x%" PRIx64, o->load_bias);
	else
		expect_null(jo, "load_bias");
	expect_bool(jo, "changed", o->changed);
	if (o->elf_error) {
		assert_non_null(errno_name_of(o->elf_error));
		expect_str(jo, "elf_error", errno_name_of(o->elf_error));
	} else {
		expect_null(jo, "elf_error");
	}
	if (!o->is_elf || o->elf_error) {
		expect_null(jo, "elf");
		return;
	}
	elf = get(jo, "elf");
	expect_uint(elf, "class", o->elf_class == 2 ? 64 : 32);
	expect_str(elf, "type", o->elf_type == 2 ? "EXEC" : o->elf_type == 3 ? "DYN" : "?");
	assert_int_equal(json_object_array_length(get(elf, "segments")), o->n_segments);
	for (uint32_t i = 0; i < o->n_segments; i++) {
		json_object *js = json_object_array_get_idx(get(elf, "segments"), i);
		const struct vms_segment *sg = &o->segments[i];
		char fl[4] = { sg->flags & 4 ? 'r' : '-', sg->flags & 2 ? 'w' : '-',
			       sg->flags & 1 ? 'x' : '-', '\0' };

		expect_uint(js, "vaddr", sg->vaddr);
		expect_uint(js, "memsz", sg->memsz);
		expect_uint(js, "offset", sg->offset);
		expect_uint(js, "filesz", sg->filesz);
		expect_str(js, "flags", fl);
	}
	if (o->relro_memsz) {
		expect_uint(get(elf, "relro"), "vaddr", o->relro_vaddr);
		expect_uint(get(elf, "relro"), "memsz", o->relro_memsz);
	} else {
		expect_null(elf, "relro");
	}
}

static void check_snapshot(json_object *root, const struct vms_snapshot *s)
{
	static const char *const top_keys[] = {
		"schema", "vmscope_version", "time", "host", "process", "sources",
		"totals", "dropped_regions", "insights", "regions", "objects", "threads", "sysv",
	};
	static const char *const process_keys[] = {
		"pid", "ppid", "uid", "user", "comm", "cmdline", "exe", "state",
		"kernel_thread", "threads", "start_time",
	};
	const struct vms_totals *t = &s->totals;
	json_object *o, *tot, *arr;
	bool rollup = vms_snapshot_have(s, VMS_SRC_SMAPS_ROLLUP);
	int n_status = 0;

	expect_keys(root, top_keys, sizeof(top_keys) / sizeof(top_keys[0]));
	expect_uint(root, "schema", VMS_SCHEMA_VERSION);
	expect_str(root, "vmscope_version", VMSCOPE_VERSION);
	expect_int(get(root, "time"), "wall_ns", s->wall_ns);
	expect_int(get(root, "time"), "mono_ns", s->mono_ns);

	o = get(root, "host");
	expect_str(o, "kernel", s->host.kernel);
	expect_str(o, "machine", s->host.machine);
	expect_str(o, "hostname", s->host.hostname);
	expect_uint(o, "page_size", s->host.page_size);
	expect_str(o, "thp_enabled", s->host.thp_enabled[0] ? s->host.thp_enabled : NULL);

	o = get(root, "process");
	expect_keys(o, process_keys, sizeof(process_keys) / sizeof(process_keys[0]));
	expect_int(o, "pid", s->proc.pid);
	expect_int(o, "ppid", s->proc.ppid);
	expect_uint(o, "uid", s->proc.uid);
	expect_str(o, "user", s->proc.user);
	expect_str(o, "comm", s->proc.comm);
	expect_str(o, "cmdline", s->proc.cmdline);
	expect_str(o, "exe", s->proc.exe);
	expect_str_n(o, "state", &s->proc.state, 1);
	expect_bool(o, "kernel_thread", s->proc.kernel_thread);
	expect_uint(o, "threads", s->proc.threads);
	expect_uint(o, "start_time", s->proc.start_time);

	o = get(root, "sources");
	assert_int_equal(json_object_object_length(o), VMS_SRC__MAX);
	for (int i = 0; i < VMS_SRC__MAX; i++) {
		json_object *src = get(o, vms_source_to_string(i));
		int err = s->src[i].tried ? s->src[i].error : 0;

		expect_bool(src, "read", s->src[i].tried && !s->src[i].error);
		if (err) {
			assert_non_null(errno_name_of(err));
			expect_str(src, "error", errno_name_of(err));
			expect_str(src, "message", strerrordesc_np(-err));
		} else {
			expect_null(src, "error");
			expect_null(src, "message");
		}
	}

	tot = get(root, "totals");
	o = get(tot, "status");
	for (int f = 0; f < VMS_ST__MAX; f++) {
		json_object *v;

		if (t->status_have & (UINT32_C(1) << f)) {
			expect_uint(o, vms_status_fields[f].name, t->status[f]);
			n_status++;
		} else if (json_object_object_get_ex(o, vms_status_fields[f].name, &v)) {
			fail_msg("status \"%s\" present but not read", vms_status_fields[f].name);
		}
	}
	assert_int_equal(json_object_object_length(o), n_status);
	if (rollup) {
		expect_mem(get(tot, "rollup"), &t->rollup);
		expect_uint(tot, "uss", t->rollup.v[VMS_MEM_PRIVATE_CLEAN] +
					     t->rollup.v[VMS_MEM_PRIVATE_DIRTY]);
	} else {
		expect_null(tot, "rollup");
		expect_null(tot, "uss");
	}
	if (t->have_faults) {
		o = get(tot, "faults");
		expect_uint(o, "minflt", t->minflt);
		expect_uint(o, "majflt", t->majflt);
		expect_uint(o, "cminflt", t->cminflt);
		expect_uint(o, "cmajflt", t->cmajflt);
	} else {
		expect_null(tot, "faults");
	}
	expect_uint(root, "dropped_regions", s->dropped_regions);

	arr = get(root, "regions");
	assert_int_equal(json_object_array_length(arr), s->n_regions);
	for (size_t i = 0; i < s->n_regions; i++)
		check_region(json_object_array_get_idx(arr, i), &s->regions[i]);
	arr = get(root, "objects");
	assert_int_equal(json_object_array_length(arr), s->n_objects);
	for (size_t i = 0; i < s->n_objects; i++)
		check_object(json_object_array_get_idx(arr, i), &s->objects[i]);
	arr = get(root, "threads");
	assert_int_equal(json_object_array_length(arr), s->n_threads);
	for (size_t i = 0; i < s->n_threads; i++) {
		json_object *jt = json_object_array_get_idx(arr, i);
		const struct vms_thread *th = &s->threads[i];

		expect_int(jt, "tid", th->tid);
		expect_str(jt, "comm", th->comm);
		if (th->sp)
			expect_strf(jt, "sp", "0x%" PRIx64, th->sp);
		else
			expect_null(jt, "sp");
		expect_index(jt, "region", th->region);
		expect_uint(jt, "minflt", th->minflt);
		expect_uint(jt, "majflt", th->majflt);
		if (th->arena)
			expect_strf(jt, "arena", "0x%" PRIx64, th->arena);
		else
			expect_null(jt, "arena");
	}
	arr = get(root, "sysv");
	assert_int_equal(json_object_array_length(arr), s->n_sysv);
	for (size_t i = 0; i < s->n_sysv; i++) {
		static const char *const keys[] = { "id",   "key",  "size", "nattch", "mode",
						    "marked_for_removal", "cpid", "lpid", "uid" };
		json_object *js = json_object_array_get_idx(arr, i);
		const struct vms_sysv *seg = &s->sysv[i];

		expect_keys(js, keys, sizeof(keys) / sizeof(keys[0]));
		expect_int(js, "id", seg->id);
		expect_uint(js, "key", seg->key);
		expect_uint(js, "size", seg->size);
		expect_uint(js, "nattch", seg->nattch);
		expect_uint(js, "mode", seg->mode);
		expect_bool(js, "marked_for_removal", seg->mode & VMS_SYSV_DEST);
		expect_int(js, "cpid", seg->cpid);
		expect_int(js, "lpid", seg->lpid);
		expect_uint(js, "uid", seg->uid);
	}
}

static json_object *render(const struct vms_snapshot *s)
{
	struct capture c;
	json_object *root;

	capture_open(&c);
	assert_int_equal(vms_report_json(c.f, s, NULL), 0);
	capture_close(&c);
	for (size_t i = 0; i < c.len; i++)
		if ((unsigned char)c.buf[i] < 0x20 && c.buf[i] != '\n')
			fail_msg("raw byte 0x%02x at offset %zu", (unsigned char)c.buf[i], i);
	root = parse(c.buf, c.len);
	free(c.buf);
	return root;
}

static void test_snapshot_full(void **state)
{
	struct vms_snapshot *s = fixture_full();
	json_object *root;

	(void)state;
	/* the fixture covers what the checks distinguish */
	assert_true(s->n_regions > 20 && s->n_objects >= 4 && s->n_threads >= 2);
	assert_int_equal(s->n_sysv, 2);
	root = render(s);
	check_snapshot(root, s);
	/* the hostile path did need its bytes replaced, and kept the kernel's escape */
	{
		json_object *jo = json_object_array_get_idx(get(root, "objects"), 2);
		const char *p = json_object_get_string(get(jo, "path"));

		assert_non_null(strstr(p, "\xef\xbf\xbd-in\\012"));
		assert_null(strchr(p, '\xff'));
	}
	json_object_put(root);
	vms_snapshot_free(s);
}

static void test_snapshot_missing(void **state)
{
	struct vms_snapshot *s = fixture_restricted();
	json_object *root, *o;

	(void)state;
	root = render(s);
	check_snapshot(root, s);
	/* what the fixture left unread is null, never 0 */
	o = get(root, "totals");
	expect_null(o, "rollup");
	expect_null(o, "uss");
	expect_null(o, "faults");
	o = get(root, "process");
	expect_null(o, "user");
	expect_null(o, "cmdline");
	expect_null(o, "exe");
	expect_null(get(root, "host"), "thp_enabled");
	o = get(root, "sources");
	expect_str(get(o, "smaps"), "error", "EACCES");
	expect_str(get(o, "smaps"), "message", "Permission denied");
	expect_str(get(o, "tasks"), "error", "EPERM");
	expect_str(get(o, "cmdline"), "error", "EBADMSG");
	expect_bool(get(o, "elf"), "read", false);
	expect_null(get(o, "elf"), "error");
	assert_int_equal(json_object_array_length(get(root, "regions")), 0);
	json_object_put(root);
	vms_snapshot_free(s);
}

static void test_snapshot_odd_values(void **state)
{
	struct vms_snapshot *s = fixture_full();
	json_object *root;

	(void)state;
	/* an errno outside the name table, an unterminated host string, an
	 * unknown ELF type, extreme numbers */
	s->src[VMS_SRC_ELF].error = -EL2HLT;
	memset(s->host.hostname, 'h', sizeof(s->host.hostname));
	s->objects[0].elf_type = 0xfe00;
	s->regions[0].inode = UINT64_MAX;
	s->regions[0].dev_major = 0x103;
	s->wall_ns = INT64_MIN;
	s->dropped_regions = 7;
	root = render(s);
	{
		char want[16];
		json_object *h = get(root, "host");

		snprintf(want, sizeof(want), "E%d", EL2HLT);
		expect_str(get(get(root, "sources"), "elf"), "error", want);
		assert_int_equal(json_object_get_string_len(get(h, "hostname")),
				 sizeof(s->host.hostname));
	}
	expect_str(get(json_object_array_get_idx(get(root, "objects"), 0), "elf"), "type",
		   "0xfe00");
	expect_uint(json_object_array_get_idx(get(root, "regions"), 0), "inode", UINT64_MAX);
	expect_str(json_object_array_get_idx(get(root, "regions"), 0), "dev", "103:01");
	expect_int(get(root, "time"), "wall_ns", INT64_MIN);
	expect_uint(root, "dropped_regions", 7);
	json_object_put(root);
	vms_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_escaping),
		cmocka_unit_test(test_writer_layout),
		cmocka_unit_test(test_writer_every_length),
		cmocka_unit_test(test_writer_numbers),
		cmocka_unit_test(test_writer_qkeys),
		cmocka_unit_test(test_writer_items),
		cmocka_unit_test(test_writer_items_stalls),
		cmocka_unit_test(test_writer_items_late),
		cmocka_unit_test(test_writer_items_beside),
		cmocka_unit_test(test_writer_misuse),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_snapshot_full),
		cmocka_unit_test(test_snapshot_missing),
		cmocka_unit_test(test_snapshot_odd_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
