/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The median of bench/'s programs, one definition for all of them. */
#ifndef VMSCOPE_BENCH_MEDIAN_H
#define VMSCOPE_BENCH_MEDIAN_H

#include <stddef.h>
#include <stdlib.h>

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The middle one of v[0..n), n > 0; of an even count, the lower of the two
 * (as bench/paired.sh's shell version took). Sorts v. */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[(n - 1) / 2];
}

#endif
