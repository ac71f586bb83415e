/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The clocks, in nanoseconds. */
#ifndef VMSCOPE_BASE_CLOCK_H
#define VMSCOPE_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * Clock id now, in nanoseconds; -1 when it cannot be read (the CPU clock of
 * a thread that has ended).
 */
static inline int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline int64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* CLOCK_MONOTONIC now, in milliseconds. */
static inline int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

#endif
