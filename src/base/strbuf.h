/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable, always NUL-terminated byte buffer. */
#ifndef VMSCOPE_BASE_STRBUF_H
#define VMSCOPE_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf; /* never NULL after strbuf_init */
	size_t len, alloc;
};

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* len = 0, memory kept */
void strbuf_reset(struct strbuf *sb);
/* Returns the buffer and leaves sb initialized and empty: the caller frees it. */
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add_slow(struct strbuf *sb, const void *p, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);

/*
 * Inline, for the writers that append millions of small pieces (the JSON
 * of 65,000 regions): a call to strbuf_grow for each cost a tenth of it.
 */
static inline void strbuf_add(struct strbuf *sb, const void *p, size_t n)
{
	if (n < sb->alloc - sb->len) { /* alloc 0: never, len < alloc otherwise */
		memcpy(sb->buf + sb->len, p, n);
		sb->len += n;
		sb->buf[sb->len] = '\0';
		return;
	}
	strbuf_add_slow(sb, p, n);
}

static inline void strbuf_addch(struct strbuf *sb, char c)
{
	if (sb->alloc - sb->len < 2)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
__attribute__((format(printf, 2, 3))) void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
__attribute__((format(printf, 2, 0))) void strbuf_vaddf(struct strbuf *sb, const char *fmt,
							 va_list ap);
void strbuf_setlen(struct strbuf *sb, size_t len);

#endif
