/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw_items (jsonw.h): the items of an array or object written in blocks
 * on two threads, handed to the FILE in order.
 */
#include "config.h"

#include "json/jsonw.h"
#include "json/jsonw-internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/strbuf.h"
#include "base/thread.h"

/*
 * jsonw_items: this thread and one more share the blocks of items as they
 * go, each taking the next block no one has taken, so that a thread whose
 * CPU is slower or busier writes fewer. (Odd blocks to one thread and even
 * to the other left the faster waiting for the slower: on a virtual
 * machine one vCPU ran at half the other's speed for seconds at a time, and
 * on a busy server another process may hold one CPU.) A block is written
 * into the buffer of its slot, at most ITEMS_SLOTS blocks past the one the
 * FILE gets next; this thread hands them to the FILE in order, and writes a
 * block straight into w when it is the one the FILE gets next.
 *
 * Items a block: each slot's buffer holds a block whole, so ITEMS_SLOTS
 * blocks are memory written for the first time, which on a machine with
 * shadow page tables costs more than the handovers saved by larger blocks
 * (the JSON report of 1,027 VMAs: 11.5 -> 10.9 ms with blocks of 32 rather
 * than 128). Four slots of 32 regions, about 42 KB each, are the memory of
 * one block of 128 (the peak RSS of the JSON report of 30,027 VMAs the
 * same; 64 a block: 0.2 MiB more).
 *
 * The other thread, started on another CPU, may wait there for its turn
 * while holding the block the FILE gets next: another program keeps that
 * CPU busy, and each block it took held this thread up for a slice or so.
 * This thread watches it while it waits for such a block, and at the end
 * for it to be done (thread_watch; a thread that has not started yet looks
 * the same): starved, the other thread is moved onto this thread's CPU,
 * where it finishes the block it holds as soon as this thread yields, and
 * takes no more (stop). The JSON report of 30,027 VMAs with a shell loop
 * on the second CPU of two, medians of paired runs with `cat smaps`: 2.04x
 * (2.06x, 2.03x) -> 1.91x (1.94x), as without the other thread (1.94x,
 * 1.94x); both CPUs idle, the same within 1.5%.
 */
#define ITEMS_BLOCK 32
#define ITEMS_SLOTS 4
/* from here on two threads: a JSON report taking turns with cat (400
 * rounds), 102 VMAs 1.341 -> 1.363 ms on two, 147 VMAs 1.249 -> 1.240,
 * 244 VMAs (python3) 3.532 -> 3.486, 327 VMAs 1.830 -> 1.823 and 1.577 ->
 * 1.460 (from 512 on before: 1,027 VMAs 2.719 -> 2.538 ms) */
#define ITEMS_PARALLEL 128
#define NO_BLOCK SIZE_MAX
/*
 * Room made for each slot by w's thread before the other thread starts (a
 * block of 32 regions of a snapshot is 40 to 45 KB), so that the other
 * thread never calls malloc(): its first would make it an arena of its
 * own (a reservation of 128 MiB, then an mprotect() at each growth, which
 * holds up the page faults of w's thread meanwhile), while a block given
 * to it grows by realloc() in the arena it came from (strbuf rounds the
 * room up to 64 KiB). A JSON report of 1,027 VMAs taking turns with `cat`
 * (bench/pair-run, 401 rounds, three runs): 1.612x -> 1.588x, 1.550x ->
 * 1.539x, 1.578x -> 1.538x.
 */
#define ITEMS_SLOT_ROOM (48 * 1024)

/* each on cache lines of its own: a thread writes its slot's part at every
 * item, and the other thread its neighbour's */
struct items_slot {
	struct jsonw part;
	size_t ready; /* the last block written into part, plus 1 (atomic) */
} __attribute__((aligned(128)));

struct items_job {
	struct jsonw start; /* w's state at the first item */
	size_t n;
	size_t blocks; /* blocks in all */
	jsonw_item_fn put;
	const void *ctx;
	struct thread_watch watch; /* w's thread's, on the other */
	bool stop; /* the other thread takes no more blocks (atomic) */
	bool done; /* the other thread has ended its work (atomic) */
	/* written at each block: away from what is read at each item */
	size_t next __attribute__((aligned(128))); /* the next block to take (atomic) */
	size_t out; /* the next block for the FILE (atomic; set by w's thread only) */
	struct items_slot slot[ITEMS_SLOTS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/*
 * A wait of one thread for the other: polled for up to ITEMS_POLL_NS
 * before it sleeps. A sleeping thread's CPU idles: on a virtual machine an
 * idle vCPU goes back to the host, and waking it again costs more than
 * writing a block of items. A yield lets anything else that wants the CPU
 * have it.
 */
#define ITEMS_POLL_NS 200000

/* After a change the other thread may wait for: wakes it if it sleeps. */
static void items_changed(struct items_job *j)
{
	pthread_mutex_lock(&j->lock);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/*
 * w's thread: the other takes no more blocks, and is moved onto this thread's
 * CPU (off it if the kernel has it there: thread_watch_move) unless done (under the
 * lock, which it takes after done is set: it has not ended, and its thread id
 * is its own). Woken, as it may sleep with nothing to take now.
 */
static void items_stop(struct items_job *j)
{
	__atomic_store_n(&j->stop, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&j->lock);
	if (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
		j->watch.on = false;
	else
		thread_watch_move(&j->watch);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/*
 * The watch on the other thread while it holds the block the FILE gets
 * next: it has run since it took it (unlike a thread that has just
 * started or woken, nothing in its way), and a block takes it about 17 us.
 */
#define ITEMS_WATCH_AFTER_NS 20000
#define ITEMS_WATCH_NS 60000

/*
 * Returns once can_go(j); called and returns without the lock. With
 * watch, w's thread's wait for the other, which is stopped and moved here
 * if it waits for its CPU; asleep, this thread wakes for the watch's next
 * look too (a poll may end before the watch has decided: this thread may
 * itself wait for its CPU on a busy machine).
 */
static void items_wait(struct items_job *j, bool (*can_go)(struct items_job *j), bool watch)
{
	int64_t t0 = mono_ns(), now = t0;

	watch = watch && j->watch.on;
	if (watch)
		thread_watch_wait(&j->watch);
	while (!can_go(j)) {
		if (watch && thread_watch_starved(&j->watch, t0, now)) {
			items_stop(j);
			watch = false;
		}
		if (now - t0 < ITEMS_POLL_NS) {
			sched_yield();
		} else {
			pthread_mutex_lock(&j->lock);
			if (!can_go(j) && watch)
				thread_watch_sleep(&j->watch, &j->cond, &j->lock);
			else if (!can_go(j))
				pthread_cond_wait(&j->cond, &j->lock);
			pthread_mutex_unlock(&j->lock);
		}
		now = mono_ns();
	}
}

/* Block b is there to take: it exists, and the block before it in its slot
 * (ITEMS_SLOTS before it) went to the FILE. */
static bool takeable(struct items_job *j, size_t b)
{
	return b < j->blocks && b < __atomic_load_n(&j->out, __ATOMIC_ACQUIRE) + ITEMS_SLOTS;
}

/* The next block, taken; NO_BLOCK when none is left or its slot is full. */
static size_t items_take(struct items_job *j)
{
	size_t b = __atomic_load_n(&j->next, __ATOMIC_ACQUIRE);

	while (takeable(j, b))
		if (__atomic_compare_exchange_n(&j->next, &b, b + 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return b;
	return NO_BLOCK;
}

static bool items_left(struct items_job *j)
{
	return takeable(j, __atomic_load_n(&j->next, __ATOMIC_ACQUIRE));
}

/* the other thread: a block to take, none left to take, or stopped */
static bool helper_can_go(struct items_job *j)
{
	return items_left(j) || __atomic_load_n(&j->next, __ATOMIC_ACQUIRE) >= j->blocks ||
	       __atomic_load_n(&j->stop, __ATOMIC_ACQUIRE);
}

/* w's thread: the block the FILE gets next is written. (Nothing else can
 * end its wait: only it moves the FILE on, which frees slots to take.) */
static bool head_written(struct items_job *j)
{
	size_t out = __atomic_load_n(&j->out, __ATOMIC_RELAXED);

	return __atomic_load_n(&j->slot[out % ITEMS_SLOTS].ready, __ATOMIC_ACQUIRE) == out + 1;
}

static size_t block_end(const struct items_job *j, size_t b)
{
	size_t e = (b + 1) * ITEMS_BLOCK;

	return e < j->n ? e : j->n;
}

/* Block b (not the first) into its slot: a container at w's depth, with
 * items already. */
static void items_to_slot(struct items_job *j, size_t b)
{
	struct items_slot *s = &j->slot[b % ITEMS_SLOTS];
	struct jsonw *part = &s->part;

	strbuf_reset(&part->sb);
	part->depth = j->start.depth;
	part->is_inline = j->start.is_inline;
	part->is_object = j->start.is_object;
	part->has_items = j->start.has_items | BIT(j->start.depth);
	part->after_key = false;
	for (size_t i = b * ITEMS_BLOCK; i < block_end(j, b); i++)
		j->put(part, i, j->ctx);
	__atomic_store_n(&s->ready, b + 1, __ATOMIC_RELEASE);
}

static void *items_main(void *arg)
{
	struct items_job *j = arg;

	thread_watch_begins(&j->watch); /* its id, for the watch */
	if (j->start.items_other_begins)
		j->start.items_other_begins();
	while (!__atomic_load_n(&j->stop, __ATOMIC_ACQUIRE)) {
		size_t b = items_take(j);

		if (b != NO_BLOCK) {
			items_to_slot(j, b);
			items_changed(j);
		} else if (__atomic_load_n(&j->next, __ATOMIC_ACQUIRE) >= j->blocks) {
			break;
		} else {
			items_wait(j, helper_can_go, false);
		}
	}
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	items_changed(j);
	return NULL;
}

/* w's thread, at the end: the other thread is done. */
static bool helper_done(struct items_job *j)
{
	return __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
}

/* The block the FILE gets next, out, from its slot: after what w holds. */
static void items_hand(struct jsonw *w, struct items_job *j, size_t out)
{
	struct items_slot *s = &j->slot[out % ITEMS_SLOTS];

	if (s->part.error || s->part.depth != w->depth)
		w->error = -EINVAL;
	jsonw_flush_some(w);
	if (s->part.sb.len && fwrite(s->part.sb.buf, 1, s->part.sb.len, w->out) != s->part.sb.len)
		w->write_error = true;
}

/* w's thread: the first block, then the others to the FILE in order,
 * writing its share. */
static void items_write(struct jsonw *w, struct items_job *j)
{
	for (size_t i = 0; i < block_end(j, 0); i++)
		j->put(w, i, j->ctx);
	__atomic_store_n(&j->out, 1, __ATOMIC_RELEASE);
	for (size_t out = 1; out < j->blocks;) {
		size_t b;

		if (head_written(j)) {
			items_hand(w, j, out);
		} else if ((b = items_take(j)) == out) {
			for (size_t i = b * ITEMS_BLOCK; i < block_end(j, b); i++)
				j->put(w, i, j->ctx);
		} else {
			if (b != NO_BLOCK)
				items_to_slot(j, b);
			else
				items_wait(j, head_written, true);
			continue;
		}
		__atomic_store_n(&j->out, ++out, __ATOMIC_RELEASE);
		items_changed(j); /* a slot is free */
	}
}

void jsonw_items(struct jsonw *w, size_t n, jsonw_item_fn put, const void *ctx)
{
	struct items_job j = { .start = *w, .n = n, .put = put, .ctx = ctx };
	pthread_t thread;

	if (n < ITEMS_PARALLEL || !w->out || w->after_key || w->depth == 0) {
		for (size_t i = 0; i < n; i++)
			put(w, i, ctx);
		return;
	}
	j.blocks = (n + ITEMS_BLOCK - 1) / ITEMS_BLOCK;
	j.next = 1; /* the first block is this thread's: w's container as it is */
	j.start.sb = (struct strbuf){ 0 };
	for (size_t i = 0; i < ITEMS_SLOTS; i++) {
		strbuf_init(&j.slot[i].part.sb);
		strbuf_grow(&j.slot[i].part.sb, ITEMS_SLOT_ROOM);
	}
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	if (thread_create_apart(&thread, items_main, &j) != 0) {
		/* no thread: the same items, one after the other */
		for (size_t i = 0; i < n; i++)
			put(w, i, ctx);
	} else {
		thread_watch_start(&j.watch, thread, ITEMS_WATCH_AFTER_NS, ITEMS_WATCH_NS);
		items_write(w, &j);
		/* watched too: a thread that has not started yet, on a busy
		 * CPU, would be waited for a slice or so */
		items_wait(&j, helper_done, true);
		(void)thread_join_apart(thread);
		if (j.stop)
			w->items_stopped++;
	}
	pthread_cond_destroy(&j.cond);
	pthread_mutex_destroy(&j.lock);
	for (size_t i = 0; i < ITEMS_SLOTS; i++)
		strbuf_release(&j.slot[i].part.sb);
}
