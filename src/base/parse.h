/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cursor parsers over [*p, end): each one advances *p past what it read and
 * returns 0, or returns -EBADMSG (nothing there / not a number) or -ERANGE
 * (overflow) and leaves *p where it was. Never reads at or past end.
 */
#ifndef VMSCOPE_BASE_PARSE_H
#define VMSCOPE_BASE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int parse_hex_u64(const char **p, const char *end, uint64_t *ret);
int parse_dec_u64(const char **p, const char *end, uint64_t *ret);
int parse_dec_i64(const char **p, const char *end, int64_t *ret);
/* Skips spaces and tabs; returns how many. */
static inline size_t parse_skip_blanks(const char **p, const char *end)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	size_t n = (size_t)(s - *p);
	*p = s;
	return n;
}

/* Consumes c if it is next. */
static inline bool parse_char(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

/* A run of non-blank bytes: *ret_word points into the input. -EBADMSG if empty. */
int parse_word(const char **p, const char *end, const char **ret_word, size_t *ret_len);

/* Whether [s, s+n) equals the NUL-terminated lit (inline: strlen of a literal folds). */
static inline bool parse_eq(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n == l && memcmp(s, lit, n) == 0;
}

/* Whether [s, s+n) starts with lit. */
static inline bool parse_startswith(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

#endif
