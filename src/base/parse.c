/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

const uint8_t parse_hex_value1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,	['6'] = 7,  ['7'] = 8,
	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

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

const char *parse_stat_state(const char *buf, size_t len)
{
	const char *close = memrchr(buf, ')', len), *end = buf + len;

	if (!close || end - close < 3 || close[1] != ' ')
		return NULL;
	return close + 2;
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


int parse_decimal(const char **p, const char *end, uint64_t unit, uint64_t max, uint64_t *ret)
{
	const char *s = *p;
	unsigned __int128 whole = 0, frac = 0, scale = 1, v;
	bool digits = false, over = false;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		digits = true;
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > max) {
			over = true; /* reads on to the end of the number */
			whole = (unsigned __int128)max + 1;
		}
	}
	if (s < end && *s == '.') {
		s++;
		for (; s < end && *s >= '0' && *s <= '9'; s++) {
			digits = true;
			/* 19 digits are more than any unit here can tell apart */
			if (scale < UINT64_C(10000000000000000000)) {
				frac = frac * 10 + (unsigned)(*s - '0');
				scale *= 10;
			}
		}
	}
	if (!digits)
		return -EBADMSG;
	v = whole * unit + (frac * unit + scale / 2) / scale;
	if (over || v > max)
		return -ERANGE;
	*ret = (uint64_t)v;
	*p = s;
	return 0;
}

int parse_size_str(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGTPE";
	const char *end = s + strlen(s), *u;
	uint64_t v, unit = 1;
	const char *q = s;
	int r;

	/* the unit first: it scales the fraction */
	u = q;
	while (u < end && ((*u >= '0' && *u <= '9') || *u == '.'))
		u++;
	/* any case, as people write them: 512mb, 2359kb, 100B; K, KB, KiB
	 * are all 1024 */
	if (u < end && strcasecmp(u, "b") != 0) {
		const char *k = *u ? strchr(units, *u >= 'a' && *u <= 'z' ? *u - 32 : *u) : NULL;

		if (!k)
			return -EINVAL;
		unit = UINT64_C(1) << (10 * (k - units + 1));
		if (!(u[1] == '\0' || strcasecmp(u + 1, "b") == 0 || strcasecmp(u + 1, "ib") == 0))
			return -EINVAL;
	}
	r = parse_decimal(&q, u, unit, PARSE_SIZE_MAX, &v);
	if (r < 0)
		return r == -ERANGE ? r : -EINVAL;
	if (q != u)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_duration_str(const char *s, uint64_t *ret_ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = { { "", 1000000000 }, { "s", 1000000000 }, { "ms", 1000000 },
		      { "m", UINT64_C(60000000000) }, { "h", UINT64_C(3600000000000) } };
	const char *end = s + strlen(s), *q = s;
	uint64_t v;
	int r;

	while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
		q++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!parse_eq(q, (size_t)(end - q), units[i].name))
			continue;
		end = q;
		q = s;
		r = parse_decimal(&q, end, units[i].ns, UINT64_MAX, &v);
		if (r < 0 || q != end)
			return r == -ERANGE ? r : -EINVAL;
		*ret_ns = v;
		return 0;
	}
	return -EINVAL;
}
