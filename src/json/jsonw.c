/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The streaming JSON writer (jsonw.h): escaping, layout and buffering,
 * decided once for every JSON document vmscope writes.
 */
#include "config.h"

#include "json/jsonw.h"
#include "json/jsonw-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/decimal.h"
#include "base/escape.h"


/*
 * A snapshot of 65,000 regions is millions of small writes: they go into a
 * buffer of the writer's own, handed to the FILE 64 KiB at a time (stdio,
 * even unlocked, costs a call per piece), and numbers skip printf.
 *
 * Each item makes room once, in before_item: ITEM_ROOM bytes past its
 * separator, so that a key, a number or a short string is then written with
 * plain stores, without a check per piece, and committed with its end.
 */
#define ITEM_ROOM 256
/* the longest key or string copied in that room (with its quotes, '": ',
 * and the 8 bytes a word copy may write past it) */
#define FAST_MAX 192

/* Room for n more bytes and the NUL: where they go. */
static inline char *room(struct strbuf *sb, size_t n)
{
	if (sb->alloc - sb->len <= n) /* alloc 0 too */
		strbuf_grow(sb, n);
	return sb->buf + sb->len;
}

/* What was written into the room ends at end. */
static inline void commit(struct jsonw *w, char *end)
{
	w->sb.len = (size_t)(end - w->sb.buf);
	*end = '\0';
}

void jsonw_init(struct jsonw *w, FILE *out)
{
	*w = (struct jsonw){ .out = out };
	strbuf_init(&w->sb);
}

void jsonw_flush_some(struct jsonw *w)
{
	if (w->sb.len && fwrite(w->sb.buf, 1, w->sb.len, w->out) != w->sb.len)
		w->write_error = true;
	strbuf_reset(&w->sb);
}

/* ',' (when comma), a newline and the spaces of depth levels */
static const char comma_nl_spaces[] = ",\n                                "
				      "                                "
				      "                                "
				      "                                ";

/* The separator of an item of a block container at depth d, at p (room for
 * 2 * d + 34 bytes); returns its end. Short ones are copied 32 bytes whole. */
static inline char *put_newline(char *p, unsigned d, bool comma)
{
	const char *s = comma_nl_spaces + !comma;
	size_t n = 2 * (size_t)d + 1 + comma;

	if (n <= 32)
		memcpy(p, s, 32);
	else
		memcpy(p, s, n);
	return p + n;
}

/*
 * Separator and indentation before an item of the current container; the
 * room for the item: ITEM_ROOM bytes from the returned place, not committed.
 */
static inline __attribute__((always_inline)) char *before_item(struct jsonw *w, bool is_key)
{
	unsigned d = w->depth;
	uint64_t bit;
	char *p;

	if (w->sb.len >= 64 * 1024 && w->out) /* a block of jsonw_items keeps all */
		jsonw_flush_some(w);
	p = room(&w->sb, ITEM_ROOM + 2 * JSONW_MAX_DEPTH + 34);
	if (w->after_key) {
		w->after_key = false;
		if (is_key)
			w->error = -EINVAL;
		return p;
	}
	if (d == 0)
		return p;
	bit = BIT(d);
	if (!!(w->is_object & bit) != is_key)
		w->error = -EINVAL;
	if (w->is_inline & bit) {
		if (w->has_items & bit) {
			memcpy(p, ", ", 2);
			p += 2;
		}
	} else {
		p = put_newline(p, d, w->has_items & bit);
	}
	w->has_items |= bit;
	return p;
}

static void begin(struct jsonw *w, bool object, bool inl)
{
	unsigned d;

	char *p = before_item(w, false);

	if (w->depth >= JSONW_MAX_DEPTH) {
		commit(w, p);
		w->error = -EINVAL;
		return;
	}
	*p++ = object ? '{' : '[';
	commit(w, p);
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
	char *p;

	if (d == 0 || w->after_key || !!(w->is_object & BIT(d)) != object) {
		w->error = -EINVAL;
		return;
	}
	p = room(&w->sb, 2 * (size_t)d + 34);
	if ((w->has_items & BIT(d)) && !(w->is_inline & BIT(d)))
		p = put_newline(p, d - 1, false);
	*p++ = object ? '}' : ']';
	commit(w, p);
	w->depth--;
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

static inline uint64_t load_word(const char *s)
{
	uint64_t x;

	memcpy(&x, s, 8);
	return x;
}

/*
 * Whether every byte of x is plain: 0x20 to 0x7e, neither '"' nor '\\'. A
 * byte below 0x20 borrows in x - 0x20, one of 0x7f or above has the high bit
 * in x + 1 or in x, and '"' or '\\' is 0 after the xor and borrows. A borrow
 * or carry into the next byte comes only from a byte that is not plain, so
 * the answer is exact.
 */
static inline bool plain_word(uint64_t x)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return !(((x - ones * 0x20) | (x + ones) | x | (q - ones) | (b - ones)) & (ones * 0x80));
}

static inline bool plain8(const char *s)
{
	return plain_word(load_word(s));
}

/*
 * Copies the n bytes at s to d, and returns true, if every one is plain;
 * false otherwise, with some of them copied. Whole words: a string shorter
 * than a word is read in two loads that overlap, a longer one's last word
 * overlaps the one before, so that nothing past s + n is read or past
 * d + n written.
 */
static inline bool copy_plain(char *d, const char *s, size_t n)
{
	const uint64_t spaces = UINT64_C(0x2020202020202020);
	size_t i;

	if (n >= 8) {
		uint64_t x;

		for (i = 0; i + 8 <= n; i += 8) {
			x = load_word(s + i);
			if (!plain_word(x))
				return false;
			memcpy(d + i, &x, 8);
		}
		if (i < n) {
			x = load_word(s + n - 8);
			if (!plain_word(x))
				return false;
			memcpy(d + n - 8, &x, 8);
		}
		return true;
	}
	if (n >= 4) {
		uint32_t lo, hi;

		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		if (!plain_word(lo | (uint64_t)hi << 32))
			return false;
		memcpy(d, &lo, 4);
		memcpy(d + n - 4, &hi, 4);
		return true;
	}
	if (n >= 2) {
		uint16_t lo, hi;

		memcpy(&lo, s, 2);
		memcpy(&hi, s + n - 2, 2);
		if (!plain_word(lo | (uint64_t)hi << 16 | (spaces << 32)))
			return false;
		memcpy(d, &lo, 2);
		memcpy(d + n - 2, &hi, 2);
		return true;
	}
	if (n == 1) {
		if (!plain_byte((unsigned char)s[0]))
			return false;
		d[0] = s[0];
	}
	return true;
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
	char *p = before_item(w, true);

	/* Keys are short names from vmscope's tables: '"', the key and '": '
	 * copied into the item's room while it is plain; a long or odd key
	 * goes the way of every string. */
	if (n <= FAST_MAX && copy_plain(p + 1, key, n)) {
		p[0] = '"';
		memcpy(p + 1 + n, "\": ", 3);
		commit(w, p + n + 4);
	} else {
		*p++ = '"';
		commit(w, p);
		put_escaped(&w->sb, key, n);
		strbuf_add(&w->sb, "\": ", 3);
	}
	w->after_key = true;
}

void jsonw_qkey_init(struct jsonw_qkey *q, const char *key)
{
	size_t n = strlen(key);

	*q = (struct jsonw_qkey){ .key = key };
	if (n + 4 > sizeof(q->s))
		return;
	for (size_t i = 0; i < n; i++)
		if (!plain_byte((unsigned char)key[i]))
			return;
	q->s[0] = '"';
	memcpy(q->s + 1, key, n);
	memcpy(q->s + 1 + n, "\": ", 3);
	q->n = (uint8_t)(n + 4);
}

/* The quoted key, after its separator; the room left is the item's. */
static inline char *put_qkey(struct jsonw *w, const struct jsonw_qkey *q)
{
	char *p = before_item(w, true);

	memcpy(p, q->s, sizeof(q->s));
	return p + q->n;
}

void jsonw_qkey(struct jsonw *w, const struct jsonw_qkey *q)
{
	if (!q->n) {
		jsonw_key(w, q->key);
		return;
	}
	commit(w, put_qkey(w, q));
	w->after_key = true;
}

void jsonw_qkey_uint(struct jsonw *w, const struct jsonw_qkey *q, uint64_t v)
{
	if (!q->n) {
		jsonw_key(w, q->key);
		jsonw_uint(w, v);
		return;
	}
	commit(w, put_dec_u64(put_qkey(w, q), v));
}

void jsonw_qkey_uints(struct jsonw *w, const struct jsonw_qkey *keys, const uint64_t *values,
		      size_t n, uint64_t have, bool nulls)
{
	unsigned d = w->depth;
	bool inl = d > 0 && (w->is_inline & BIT(d)), first = true;

	for (size_t i = 0; i < n && i < 64; i++) {
		bool has = (have >> i) & 1;
		char *p;

		if (!has && !nulls)
			continue;
		if (first || !keys[i].n || w->after_key) {
			/* as any item: its separator, the container's state, the checks */
			jsonw_qkey(w, &keys[i]);
			if (has)
				jsonw_uint(w, values[i]);
			else
				jsonw_null(w);
			first = false;
			continue;
		}
		/* the same container, an item in it already */
		if (w->sb.len >= 64 * 1024 && w->out)
			jsonw_flush_some(w);
		p = room(&w->sb, ITEM_ROOM + 2 * JSONW_MAX_DEPTH + 34);
		if (inl) {
			memcpy(p, ", ", 2);
			p += 2;
		} else {
			p = put_newline(p, d, true);
		}
		memcpy(p, keys[i].s, sizeof(keys[i].s));
		p += keys[i].n;
		if (has) {
			p = put_dec_u64(p, values[i]);
		} else {
			memcpy(p, "null", 4);
			p += 4;
		}
		commit(w, p);
	}
}

void jsonw_string_n(struct jsonw *w, const char *s, size_t n)
{
	char *p = before_item(w, false);

	*p++ = '"';
	if (n <= FAST_MAX && copy_plain(p, s, n)) {
		p[n] = '"';
		commit(w, p + n + 1);
		return;
	}
	commit(w, p);
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
	commit(w, put_dec_u64(before_item(w, false), v));
}

void jsonw_hex(struct jsonw *w, uint64_t v)
{
	char buf[18] = "0x";

	jsonw_string_n(w, buf, (size_t)(put_hex_u64(buf + 2, v, 1) - buf));
}

void jsonw_dev(struct jsonw *w, uint32_t major, uint32_t minor)
{
	char buf[17], *p = put_hex_u64(buf, major, 2);

	*p++ = ':';
	jsonw_string_n(w, buf, (size_t)(put_hex_u64(p, minor, 2) - buf));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char *p = before_item(w, false);

	if (v < 0) {
		*p++ = '-';
		p = put_dec_u64(p, -(uint64_t)v);
	} else {
		p = put_dec_u64(p, (uint64_t)v);
	}
	commit(w, p);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	char *p = before_item(w, false);

	memcpy(p, v ? "true" : "false", 5); /* "true" with its NUL */
	commit(w, p + (v ? 4 : 5));
}

void jsonw_null(struct jsonw *w)
{
	char *p = before_item(w, false);

	memcpy(p, "null", 4);
	commit(w, p + 4);
}

int jsonw_finish(struct jsonw *w)
{
	strbuf_addch(&w->sb, '\n');
	jsonw_flush_some(w);
	strbuf_release(&w->sb);
	if (w->write_error || fflush(w->out) != 0 || ferror(w->out))
		return -EIO;
	if (w->error)
		return w->error;
	if (w->depth != 0 || w->after_key)
		return -EINVAL;
	return 0;
}
