/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Items shared by two threads as they go: see share.h. */
#include "config.h"

#include "base/share.h"

#include <pthread.h>
#include <unistd.h>

#include "base/thread.h"

static void range_set(struct share *s, size_t lo, size_t hi)
{
	s->range = (uint64_t)hi << 32 | (uint32_t)lo;
}

/* The next item not taken, from the front or from the back: its index into
 * *i; false when none is left. */
static bool take(struct share *s, bool front, size_t *i)
{
	uint64_t r = __atomic_load_n(&s->range, __ATOMIC_RELAXED), next;

	for (;;) {
		uint32_t lo = (uint32_t)r, hi = (uint32_t)(r >> 32);

		if (lo >= hi)
			return false;
		*i = front ? lo : hi - 1U;
		next = front ? r + 1 : r - (UINT64_C(1) << 32);
		if (__atomic_compare_exchange_n(&s->range, &r, next, true, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
}

static void *from_back(void *arg)
{
	struct share *s = arg;
	size_t i = s->last;

	do
		s->item(s->ctx, i, true);
	while (take(s, false, &i));
	return NULL;
}

bool share_run(struct share *s, size_t n, bool two)
{
	pthread_t th;
	size_t i;

	two = two && n >= 1 && n <= UINT32_MAX;
	if (two) {
		s->last = n - 1;
		range_set(s, 0, n - 1);
		two = thread_create_apart(&th, from_back, s) == 0;
	}
	if (!two)
		range_set(s, 0, n);
	while (take(s, true, &i))
		s->item(s->ctx, i, false);
	if (two)
		(void)thread_join_apart(th);
	return two;
}

bool share_worth(size_t n)
{
	return n >= SHARE_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}
