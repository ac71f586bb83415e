/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The streaming JSON writer (jsonw.h): escaping, layout and buffering,
 * decided once for every JSON document vmscope writes.
 */
#include "config.h"

#include "json/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"

#define BIT(d) (UINT64_C(1) << ((d) - 1))

/*
 * A snapshot of 65,000 regions is millions of small writes: they go into a
 * buffer of the writer's own, handed to the FILE 64 KiB at a time (stdio,
 * even unlocked, costs a call per piece), and numbers skip printf.
 */
static void put_u64(struct strbuf *out, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_add(out, buf + i, sizeof(buf) - i);
}

void jsonw_init(struct jsonw *w, FILE *out)
{
	*w = (struct jsonw){ .out = out };
	strbuf_init(&w->sb);
}

/* Hands what is buffered to the FILE, in one piece. */
static void flush_some(struct jsonw *w)
{
	if (w->sb.len && fwrite(w->sb.buf, 1, w->sb.len, w->out) != w->sb.len)
		w->write_error = true;
	strbuf_reset(&w->sb);
}

static void indent(struct jsonw *w, unsigned depth)
{
	/* a newline and the spaces of JSONW_MAX_DEPTH levels */
	static const char nl_spaces[] = "\n                                "
					"                                ";
	size_t n = 2 * (size_t)depth;

	if (n < sizeof(nl_spaces) - 1) {
		strbuf_add(&w->sb, nl_spaces, n + 1);
		return;
	}
	strbuf_addch(&w->sb, '\n');
	while (n > 0) {
		size_t k = n < sizeof(nl_spaces) - 2 ? n : sizeof(nl_spaces) - 2;

		strbuf_add(&w->sb, nl_spaces + 1, k);
		n -= k;
	}
}

/* Separator and indentation before an item of the current container. */
static void before_item(struct jsonw *w, bool is_key)
{
	unsigned d = w->depth;

	if (w->sb.len >= 64 * 1024 && w->out) /* a block of jsonw_items keeps all */
		flush_some(w);

	if (w->after_key) {
		w->after_key = false;
		if (is_key)
			w->error = -EINVAL;
		return;
	}
	if (d == 0)
		return;
	if (!!(w->is_object & BIT(d)) != is_key)
		w->error = -EINVAL;
	if (w->has_items & BIT(d))
		strbuf_addch(&w->sb, ',');
	if (w->is_inline & BIT(d)) {
		if (w->has_items & BIT(d))
			strbuf_addch(&w->sb, ' ');
	} else {
		indent(w, d);
	}
	w->has_items |= BIT(d);
}

static void begin(struct jsonw *w, bool object, bool inl)
{
	unsigned d;

	before_item(w, false);
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->error = -EINVAL;
		return;
	}
	strbuf_addch(&w->sb, object ? '{' : '[');
	d = ++w->depth;
	if (d > 1 && (w->is_inline & BIT(d - 1)))
		inl = true;
	w->has_items &= ~BIT(d);
	w->is_inline = (w->is_inline & ~BIT(d)) | (inl ? BIT(d) : 0);
	w->is_object = (w->is_object & ~BIT(d)) | (object ? BIT(d) : 0);
}

static void end(struct jsonw *w, bool object)
{
	unsigned d = w->depth;

	if (d == 0 || w->after_key || !!(w->is_object & BIT(d)) != object) {
		w->error = -EINVAL;
		return;
	}
	if ((w->has_items & BIT(d)) && !(w->is_inline & BIT(d)))
		indent(w, d - 1);
	strbuf_addch(&w->sb, object ? '}' : ']');
	w->depth--;
}

/*
 * jsonw_items: the other thread writes the odd blocks into part, one at a
 * time; this one writes the even blocks straight into w, and hands each odd
 * block to the FILE when it is ready.
 */
#define ITEMS_BLOCK 128
#define ITEMS_PARALLEL (4 * ITEMS_BLOCK)
#define NO_BLOCK SIZE_MAX

struct items_job {
	struct jsonw part;
	struct jsonw start; /* w's state at the first item */
	size_t n;
	jsonw_item_fn put;
	const void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t ready; /* the block in part, NO_BLOCK while none is */
};

static size_t block_end(size_t b, size_t n)
{
	size_t e = (b + 1) * ITEMS_BLOCK;

	return e < n ? e : n;
}

static void *items_main(void *arg)
{
	struct items_job *j = arg;

	for (size_t b = 1; b * ITEMS_BLOCK < j->n; b += 2) {
		pthread_mutex_lock(&j->lock);
		while (j->ready != NO_BLOCK)
			pthread_cond_wait(&j->cond, &j->lock);
		pthread_mutex_unlock(&j->lock);
		/* a container with items already, at the depth of w's */
		strbuf_reset(&j->part.sb);
		j->part.depth = j->start.depth;
		j->part.is_inline = j->start.is_inline;
		j->part.is_object = j->start.is_object;
		j->part.has_items = j->start.has_items | BIT(j->start.depth);
		j->part.after_key = false;
		for (size_t i = b * ITEMS_BLOCK; i < block_end(b, j->n); i++)
			j->put(&j->part, i, j->ctx);
		pthread_mutex_lock(&j->lock);
		j->ready = b;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
	return NULL;
}

/* Block b of the other thread, to the FILE after what w holds. */
static void items_take(struct jsonw *w, struct items_job *j, size_t b)
{
	pthread_mutex_lock(&j->lock);
	while (j->ready != b)
		pthread_cond_wait(&j->cond, &j->lock);
	pthread_mutex_unlock(&j->lock);
	if (j->part.error || j->part.depth != w->depth)
		w->error = -EINVAL;
	flush_some(w);
	if (j->part.sb.len &&
	    fwrite(j->part.sb.buf, 1, j->part.sb.len, w->out) != j->part.sb.len)
		w->write_error = true;
	w->has_items |= BIT(w->depth);
	pthread_mutex_lock(&j->lock);
	j->ready = NO_BLOCK;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

void jsonw_items(struct jsonw *w, size_t n, jsonw_item_fn put, const void *ctx)
{
	struct items_job j = { .start = *w, .n = n, .put = put, .ctx = ctx, .ready = NO_BLOCK };
	pthread_t thread;

	if (n < ITEMS_PARALLEL || !w->out || w->after_key || w->depth == 0) {
		for (size_t i = 0; i < n; i++)
			put(w, i, ctx);
		return;
	}
	j.start.sb = (struct strbuf){ 0 };
	strbuf_init(&j.part.sb);
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	if (pthread_create(&thread, NULL, items_main, &j) != 0) {
		/* no thread: the same items, one after the other */
		for (size_t i = 0; i < n; i++)
			put(w, i, ctx);
	} else {
		for (size_t b = 0; b * ITEMS_BLOCK < n; b++) {
			if (b % 2) {
				items_take(w, &j, b);
				continue;
			}
			for (size_t i = b * ITEMS_BLOCK; i < block_end(b, n); i++)
				put(w, i, ctx);
		}
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&j.cond);
	pthread_mutex_destroy(&j.lock);
	strbuf_release(&j.part.sb);
}

void jsonw_begin_object(struct jsonw *w)
{
	begin(w, true, false);
}

void jsonw_begin_array(struct jsonw *w)
{
	begin(w, false, false);
}

void jsonw_begin_inline_object(struct jsonw *w)
{
	begin(w, true, true);
}

void jsonw_begin_inline_array(struct jsonw *w)
{
	begin(w, false, true);
}

void jsonw_end_object(struct jsonw *w)
{
	end(w, true);
}

void jsonw_end_array(struct jsonw *w)
{
	end(w, false);
}

static inline bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * Whether none of the eight bytes at s is below 0x20, 0x7f or above, '"'
 * or '\\', tested a word at a time (a flag may also fall on a plain byte
 * after one that is not: false then, and the byte loop decides).
 */
static inline bool plain8(const char *s)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = ones * 0x80;
	uint64_t x, q, b, del;

	memcpy(&x, s, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	del = x ^ (ones * 0x7f);
	return !(((x - ones * 0x20) | x | ((q - ones) & ~q) | ((b - ones) & ~b) |
		  ((del - ones) & ~del)) & high);
}

/* The body of a JSON string: valid UTF-8 whatever the input. */
static void put_escaped(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0, run;

	/* printable ASCII, nearly every byte of a snapshot: copied as it is
	 * looked at, up to the first byte that needs more */
	if (out->alloc - out->len <= n) /* alloc 0 too */
		strbuf_grow(out, n);
	{
		char *d = out->buf + out->len;

		/* eight bytes at a time while they are plain */
		while (n - i >= 8 && plain8(s + i)) {
			memcpy(d + i, s + i, 8);
			i += 8;
		}
		while (i < n && plain_byte((unsigned char)s[i])) {
			d[i] = s[i];
			i++;
		}
		out->len += i;
		out->buf[out->len] = '\0';
	}
	run = i;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t len;
		const char *rep = NULL;
		char ubuf[8];

		if (plain_byte(c)) {
			i++;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			rep = "\xef\xbf\xbd";
			len = 1;
		} else if (cp == '"') {
			rep = "\\\"";
		} else if (cp == '\\') {
			rep = "\\\\";
		} else if (utf8_is_control(cp) || cp == 0x2028 || cp == 0x2029) {
			/* C1 too: a raw U+009B is a CSI to some terminals; U+2028/9
			 * end a line for JavaScript readers of the file. */
			snprintf(ubuf, sizeof(ubuf), "\\u%04" PRIx32, cp);
			rep = ubuf;
		}
		if (rep) {
			strbuf_add(out, s + run, i - run);
			strbuf_addstr(out, rep);
			run = i + len;
		}
		i += len;
	}
	strbuf_add(out, s + run, n - run);
}

void jsonw_key_n(struct jsonw *w, const char *key, size_t n)
{
	struct strbuf *sb = &w->sb;
	char *d;
	size_t i = 0;

	before_item(w, true);
	/* Keys are short names from vmscope's tables: '"', the key and '": '
	 * copied in one pass while it is plain, eight bytes at a time; a
	 * longer or odd key goes the way of every string. */
	if (n <= 56) {
		if (sb->alloc - sb->len <= 64)
			strbuf_grow(sb, 64);
		d = sb->buf + sb->len + 1;
		for (; n - i >= 8 && plain8(key + i); i += 8)
			memcpy(d + i, key + i, 8);
		for (; i < n && plain_byte((unsigned char)key[i]); i++)
			d[i] = key[i];
	}
	if (n <= 56 && i == n) {
		d[-1] = '"';
		memcpy(d + n, "\": ", 4);
		sb->len += n + 4;
	} else {
		strbuf_addch(sb, '"');
		put_escaped(sb, key, n);
		strbuf_add(sb, "\": ", 3);
	}
	w->after_key = true;
}

void jsonw_string_n(struct jsonw *w, const char *s, size_t n)
{
	before_item(w, false);
	strbuf_addch(&w->sb, '"');
	put_escaped(&w->sb, s, n);
	strbuf_addch(&w->sb, '"');
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_string_n(w, s, strlen(s));
}

void jsonw_stringf(struct jsonw *w, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->error = -EINVAL;
		n = 0;
	}
	/* Only short formatted values (addresses, devices) pass here. */
	if ((size_t)n >= sizeof(buf)) {
		w->error = -EINVAL;
		n = sizeof(buf) - 1;
	}
	jsonw_string_n(w, buf, (size_t)n);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	before_item(w, false);
	put_u64(&w->sb, v);
}

/* v in lowercase hex, at least min digits, ending at end; returns its start. */
static char *hex_digits(char *end, uint64_t v, int min)
{
	char *p = end;

	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
		min--;
	} while (v || min > 0);
	return p;
}

void jsonw_hex(struct jsonw *w, uint64_t v)
{
	char buf[18], *end = buf + sizeof(buf), *p = hex_digits(end, v, 1);

	*--p = 'x';
	*--p = '0';
	jsonw_string_n(w, p, (size_t)(end - p));
}

void jsonw_dev(struct jsonw *w, uint32_t major, uint32_t minor)
{
	char buf[17], *end = buf + sizeof(buf), *p = hex_digits(end, minor, 2);

	*--p = ':';
	p = hex_digits(p, major, 2);
	jsonw_string_n(w, p, (size_t)(end - p));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	before_item(w, false);
	if (v < 0) {
		strbuf_addch(&w->sb, '-');
		put_u64(&w->sb, -(uint64_t)v);
	} else {
		put_u64(&w->sb, (uint64_t)v);
	}
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_item(w, false);
	strbuf_addstr(&w->sb, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before_item(w, false);
	strbuf_addstr(&w->sb, "null");
}

int jsonw_finish(struct jsonw *w)
{
	strbuf_addch(&w->sb, '\n');
	flush_some(w);
	strbuf_release(&w->sb);
	if (w->write_error || fflush(w->out) != 0 || ferror(w->out))
		return -EIO;
	if (w->error)
		return w->error;
	if (w->depth != 0 || w->after_key)
		return -EINVAL;
	return 0;
}
