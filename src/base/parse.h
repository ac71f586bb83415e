/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cursor parsers over [*p, end): each one advances *p past what it read and
 * returns 0, or returns -EBADMSG (nothing there / not a number) or -ERANGE
 * (overflow) and leaves *p where it was. Never reads at or past end.
 */
#ifndef VMSCOPE_BASE_PARSE_H
#define VMSCOPE_BASE_PARSE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A hex digit's value plus one; 0 for any other byte. */
extern const uint8_t parse_hex_value1[256];

/* Inline: a maps line has five hex numbers, smaps 30,000 such lines and more. */
static inline int parse_hex_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p, *start = *p;
	uint64_t v = 0;
	unsigned d;

	for (; s < end && (d = parse_hex_value1[(unsigned char)*s]) != 0; s++) {
		if (v >> 60)
			return -ERANGE;
		v = (v << 4) | (d - 1);
	}
	if (s == start)
		return -EBADMSG;
	*p = s;
	*ret = v;
	return 0;
}

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

/*
 * Field 3 (the state) of a /proc stat line: after the command name, which
 * may hold ')' and spaces itself and ends at the last ')', and one space.
 * NULL if the line has no such place.
 */
const char *parse_stat_state(const char *buf, size_t len);

/* A run of non-blank bytes: *ret_word points into the input. -EBADMSG if empty. */
int parse_word(const char **p, const char *end, const char **ret_word, size_t *ret_len);

/*
 * The numbers people type (options, budget files): decimal, in the C
 * locale's syntax whatever the locale says (a '.' before the fraction, no
 * group separators), no sign and no exponent. parse_decimal reads "12",
 * "1.5" or ".5" times unit, rounded to the nearest whole, exactly (no
 * floating point); -ERANGE past max.
 */
int parse_decimal(const char **p, const char *end, uint64_t unit, uint64_t max, uint64_t *ret);
/* The largest size a user may give: sizes are compared and written as signed 64 bits. */
#define PARSE_SIZE_MAX ((uint64_t)INT64_MAX)
/*
 * The whole of s as a size: "4096", "64M", "1.5G", "2GiB", "8kB" (K M G T P
 * E, either case, binary, then an optional "B" or "iB") in bytes, at most
 * PARSE_SIZE_MAX. 0, -EINVAL or -ERANGE.
 */
int parse_size_str(const char *s, uint64_t *ret);
/* The whole of s as a duration: "500ms", "1.5s", "2m", "1h" or "5" (seconds) in ns. */
int parse_duration_str(const char *s, uint64_t *ret_ns);

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
