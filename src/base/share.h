/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Items [0, n) done by two threads as they go: the caller from the front,
 * a thread apart from the back, until they meet. A thread that is slowed
 * (its CPU busier, an item of much work) does fewer; a fixed half each
 * left one waiting for the other. The other thread is given the last item
 * as it starts: it does one at least.
 */
#ifndef VMSCOPE_BASE_SHARE_H
#define VMSCOPE_BASE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct share {
	/* item i, by the caller (other false) or by the thread apart, with
	 * buffers of its own */
	void (*item)(void *ctx, size_t i, bool other);
	void *ctx;
	/* the items not taken yet, [lo, hi): hi << 32 | lo, atomic, so that
	 * both ends move in one */
	uint64_t range;
	size_t last; /* the other thread's first */
};

/*
 * Does items [0, n) (n at most UINT32_MAX) by s->item: on two threads when
 * two is true and a thread can be started, else all on the caller's.
 * Returns whether the other thread did some.
 */
bool share_run(struct share *s, size_t n, bool two);

/* Below this many items of some 10 us each, a second thread (0.2 to 0.5 ms
 * to start here) costs more than it saves. */
#define SHARE_MIN 64

/* n items are worth two threads: SHARE_MIN or more, two CPUs or more. */
bool share_worth(size_t n);

#endif
