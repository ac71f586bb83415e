/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decimal (and hex) digits without printf: the writers of millions of
 * numbers (the JSON of 65,000 regions, the sizes and addresses of a report)
 * spend ten times less.
 */
#ifndef VMSCOPE_BASE_DECIMAL_H
#define VMSCOPE_BASE_DECIMAL_H

#include <stdint.h>
#include <string.h>

/* v in decimal at p (20 bytes of room, no NUL); returns its end. */
static inline char *put_dec_u64(char *p, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	static const uint64_t pow10[20] = {
		UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
		UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
		UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
		UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
		UINT64_C(1000000000000000), UINT64_C(10000000000000000),
		UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
		UINT64_C(10000000000000000000),
	};
	unsigned n = 1;
	char *e;

	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	while (n < 20 && v >= pow10[n])
		n++;
	e = p + n;
	while (v >= 100) {
		e -= 2;
		memcpy(e, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(e - 2, pairs + 2 * v, 2);
	else
		e[-1] = (char)('0' + v);
	return p + n;
}

/*
 * v in lowercase hex at p, at least min digits (1 to 16), zeros before
 * (16 bytes of room, no NUL); returns its end.
 */
static inline char *put_hex_u64(char *p, uint64_t v, unsigned min)
{
	unsigned n = min ? min : 1;
	char *e;

	while (n < 16 && v >> (4 * n))
		n++;
	e = p + n;
	do {
		*--e = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (e > p);
	return p + n;
}

#endif
