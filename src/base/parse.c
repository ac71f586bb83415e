/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/parse.h"

#include <errno.h>
#include <string.h>

int parse_hex_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end)
		return -EBADMSG;
	const char *start = s;
	for (; s < end; s++) {
		unsigned d;
		char c = *s;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (v >> 60)
			return -ERANGE;
		v = (v << 4) | d;
	}
	if (s == start)
		return -EBADMSG;
	*p = s;
	*ret = v;
	return 0;
}

int parse_dec_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p, *start = *p;
	uint64_t v = 0;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (s == start)
		return -EBADMSG;
	*p = s;
	*ret = v;
	return 0;
}

int parse_dec_i64(const char **p, const char *end, int64_t *ret)
{
	const char *s = *p;
	bool neg = false;
	uint64_t v;
	int r;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	r = parse_dec_u64(&s, end, &v);
	if (r < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret = neg ? (int64_t)(0 - v) : (int64_t)v;
	*p = s;
	return 0;
}

int parse_word(const char **p, const char *end, const char **ret_word, size_t *ret_len)
{
	const char *s = *p;

	while (s < end && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	if (s == *p)
		return -EBADMSG;
	*ret_word = *p;
	*ret_len = (size_t)(s - *p);
	*p = s;
	return 0;
}

