/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read-ahead thread of procfile_open_at_readahead: it reads the file in
 * chunks a few ahead of the consumer (further while the consumer says it
 * is away), hands them over in a ring, and reads one small file after it
 * (procfile_readahead_after).
 */
#include "config.h"

#include "base/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/prefault.h"
#include "base/thread.h"
#include "base/xalloc.h"

#define READAHEAD_CHUNK (16 * 1024)
/*
 * How far the reader may get ahead of the consumer: a few chunks, however
 * long the consumer takes at its parse and other work, unless it says it is
 * away (READAHEAD_AWAY, below). Each buffer the reader reads
 * into for the first time costs a page fault per page, and the consumer's
 * first look at what the kernel wrote there costs again on some virtual
 * machines (shadow page tables: 5 to 15 us a page, more than the kernel
 * takes to write it). Kept near, the reader reads into the buffers the
 * consumer gives back, whose pages are there. (It was allowed 4 MB ahead
 * while the consumer read its other files: on such a machine the text
 * report of 30,027 VMAs took 1.37x to 1.40x cat's time that way and 1.22x
 * to 1.25x kept near, the binaries taking turns.)
 */
#define READAHEAD_NEAR 4
/*
 * How far it may get ahead while the consumer is away at a long read of its
 * own (procfile_away): smaps_rollup of 30,027 VMAs is one system call of 2
 * to 5 ms, in which the reader filled the ring near in 0.13 ms and then
 * waited 3 to 5 ms a report. Those chunks go into a slab of their own
 * (READAHEAD_AWAY slots of READAHEAD_BUF, mapped on first need), copied
 * out by the consumer and given back to the system at once when it has
 * caught up: long before the peak of a report's memory (its regions, at
 * the end). Its pages are faulted in a chunk at a time, as the first
 * buffers' are (prefault.h): where a page costs most (shadow page tables,
 * 3.7 us), a chunk's four cost 15 us against the 40 us the kernel takes to
 * write it, while waiting cost all of it. Buffers from malloc() instead,
 * given back one at a time, left a page or two each in memory (free()
 * writes into them, and they do not start or end on a page): 0.3 MiB more
 * at the peak at 10,027 VMAs.
 */
#define READAHEAD_AWAY 128
/*
 * Room in front of each chunk for the partial line before it: the consumer
 * copies that line there and takes the whole buffer in exchange for its
 * own, so the chunk itself is never copied. A longer line is copied the
 * slow way.
 */
#define READAHEAD_HEAD (8 * 1024)
#define READAHEAD_BUF (READAHEAD_HEAD + READAHEAD_CHUNK)
/*
 * Buffers made at the start besides the ring's, spares for the reader's
 * first chunks ahead while the consumer is away, before it maps the slab:
 * a small process's smaps gets one to three chunks ahead so (1,027 VMAs:
 * in 56 reports of 60, the slab mapped for one to three slots), and the
 * slab's mapping and unmapping cost more than its pages (0.10 ms at the
 * close, a TLB shootdown on a virtual machine). Their pages come into
 * memory only as the reader first reads into them.
 */
#define READAHEAD_FIRST_SPARE 4
/* Buffers kept for the reader once the consumer has caught up: all those
 * made at the start, less the one the consumer holds (so that none is given
 * back before the close, at a TLB shootdown each); others made later go
 * back to the system, so that what was needed to get ahead is not held
 * while the consumer builds on what it read. */
#define READAHEAD_SPARE (READAHEAD_NEAR + READAHEAD_FIRST_SPARE - 1)

struct readahead_chunk {
	char *data;
	size_t len;
};

struct procfile_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct readahead_chunk ring[READAHEAD_AWAY];
	/* chunk counts, ring index count % N; produced, consumed, done and
	 * stop are stored atomically too, for the other side's poll_for */
	size_t produced, consumed;
	/* buffers of READAHEAD_BUF bytes not in the ring */
	char *spare[READAHEAD_SPARE];
	unsigned n_spare;
	/* the buffers made at the start that the reader has not read into
	 * yet, their pages not in memory (the reader's alone once it runs) */
	char *fresh[READAHEAD_NEAR + READAHEAD_FIRST_SPARE];
	unsigned n_fresh;
	int error;                 /* -errno from read(), or 0 */
	bool done;                 /* the reader hit the end or an error */
	bool stop;                 /* the consumer closed the file */
	bool away;                 /* the consumer is away (procfile_away) */
	/* the slab of the chunks read while it was away (NULL until needed);
	 * its free slots, the last one freed on top, so that the slots in
	 * memory are no more than were ever in use at once; the slots from
	 * the first that may have pages in memory */
	char *slab;
	unsigned slab_free[READAHEAD_AWAY];
	unsigned n_slab_free;
	unsigned slab_top;
	/* chunks the reader may have ready: READAHEAD_NEAR, READAHEAD_AWAY
	 * while the consumer is away, and after it the chunks it came back
	 * to, fewer at each take, so that the reader keeps on while the
	 * consumer catches up */
	size_t limit;
	int64_t poll_ns;           /* either side polls this long, then sleeps */
	unsigned poll_ends[PROCFILE_POLL__MAX]; /* the reader's, for a full ring */
	struct procfile_after *after; /* the consumer's, once asked for */
	int fd;
	/* the consumer's watch on the reader while it waits for a chunk */
	struct thread_watch watch;
	void (*begins)(void); /* pf->reader_begins */
};

/*
 * A buffer no longer needed, its pages returned at once: free() alone keeps
 * a buffer that came from the heap, and the heap's pages with it.
 */
static void release_buffer(char *buf)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)buf + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)buf + READAHEAD_BUF) & ~(page - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	free(buf);
}

/*
 * A buffer for the reader with its pages already there, made by the
 * consumer while it waits for the reader: the kernel's copy into a new
 * buffer takes a page fault every 4 KiB, a tenth of the reader's time.
 */
static char *touched_buffer(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *buf = xmalloc(READAHEAD_BUF);

	for (size_t i = 0; i < READAHEAD_BUF; i += page)
		buf[i] = 0;
	return buf;
}

/*
 * Before the reader's first read into buf: when it is one of the buffers
 * made at the start, its chunk's pages are faulted in with one call, not
 * one fault at a time by the kernel's copy (on a machine whose faults are
 * dear, the call costs less than the faults; prefault.h). The head, which
 * the consumer writes, is left to it; the end is cut to a page of the
 * buffer's own.
 */
static void prefault_chunk(char *buf)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)prefault_range(buf + READAHEAD_HEAD,
			     (void *)(((uintptr_t)buf + READAHEAD_BUF) & ~(page - 1)));
}

#define READAHEAD_SLAB ((size_t)READAHEAD_AWAY * READAHEAD_BUF)
/*
 * Slots of the slab whose pages stay in memory until the file is closed,
 * for the next time the consumer is away: giving back even a few pages
 * costs a TLB shootdown of the reader's CPU, which on a virtual machine
 * took 80 to 100 us of the consumer's time (a report of 1,027 VMAs went
 * away five times, for 0.42 ms in all, each time with four slots or
 * fewer filled). 16 slots are 384 KiB, given back at the close, before the
 * report builds its model.
 */
#define READAHEAD_SLAB_KEEP 16

/* Whether buf is the slab's: copied from by the consumer, never its own. */
static bool in_slab(const struct procfile_reader *rd, const char *buf)
{
	return rd->slab && (uintptr_t)buf - (uintptr_t)rd->slab < READAHEAD_SLAB;
}

/*
 * A free slot of the slab, the one freed last, the slab mapped on first
 * need; NULL if it cannot be (then a buffer from malloc()). rd->lock held.
 */
static char *slab_slot(struct procfile_reader *rd)
{
	unsigned slot;

	if (!rd->slab) {
		void *m = mmap(NULL, READAHEAD_SLAB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m == MAP_FAILED)
			return NULL;
		rd->slab = m;
		for (unsigned k = 0; k < READAHEAD_AWAY; k++)
			rd->slab_free[k] = READAHEAD_AWAY - 1 - k;
		rd->n_slab_free = READAHEAD_AWAY;
	}
	if (!rd->n_slab_free)
		return NULL;
	slot = rd->slab_free[--rd->n_slab_free];
	if (slot >= rd->slab_top)
		rd->slab_top = slot + 1;
	return rd->slab + (size_t)slot * READAHEAD_BUF;
}

static void reader_fault_in(struct procfile_reader *rd, char *buf)
{
	for (unsigned i = 0; i < rd->n_fresh; i++) {
		if (rd->fresh[i] != buf)
			continue;
		rd->fresh[i] = rd->fresh[--rd->n_fresh];
		prefault_chunk(buf);
		return;
	}
}

/* Whether the reader must wait for the consumer to take a chunk; rd->lock held. */
static bool ring_full(const struct procfile_reader *rd)
{
	return rd->produced - rd->consumed >= rd->limit;
}

/*
 * After a take, or the consumer's return: the reader may stay as far ahead
 * as it is now and a chunk more (it goes on while the consumer catches up),
 * never further than it could before; so what is ready comes down to
 * READAHEAD_NEAR as fast as the consumer outpaces the reader (the parse of
 * smaps is several times faster than the kernel writes it). rd->lock held.
 */
static void limit_to_ready(struct procfile_reader *rd)
{
	size_t upto = rd->produced - rd->consumed + 1;

	if (upto < rd->limit)
		rd->limit = upto > READAHEAD_NEAR ? upto : READAHEAD_NEAR;
}

/* A yield that took longer gave the CPU to another thread that wanted it. */
#define POLL_GAP_NS 50000

/*
 * A reader that waits for its CPU (thread_watch: another program keeps the
 * CPU it was started on busy) is moved onto the consumer's CPU while the
 * consumer waits for a chunk, which then sleeps (PROCFILE_POLL_MOVED), once a
 * file; a consumer woken onto the reader's busy CPU moves it off that CPU
 * instead (thread_watch_move). The consumer looks at the reader's clock once
 * a wait has lasted WATCH_AFTER_NS, and decides WATCH_NS later: the reader
 * sleeps when its ring is full, and its start and its wake-ups on a vCPU
 * woken from idle look like a busy CPU (with a window of 100 us one reader in
 * two was moved at 1,027 VMAs with both CPUs idle, with WATCH_NS one in
 * seven; 1 ms left most of a slice waited for). Measured with a shell
 * loop on the second CPU of two, `cat smaps` alone on the idle one,
 * medians of paired runs: 1,027 VMAs 1.61x -> 1.32x, 3,027 2.10x ->
 * 1.61x, 30,027 1.88x -> 1.52x (read and parse now take turns on one CPU:
 * a parse on the busy one instead, the consumer pinned there, made it
 * 3.5x). Both CPUs idle: 1,027 to 30,027 VMAs took the same times within
 * 1%.
 */
#define WATCH_AFTER_NS 50000
#define WATCH_NS 300000

/*
 * The reader onto this thread's CPU, or off it if it shares it
 * (thread_watch_move), for the rest of its file; rd->lock held. Not once
 * it is done: it may have ended, and its thread's id gone to another.
 */
static void move_reader(struct procfile_reader *rd)
{
	if (rd->done)
		rd->watch.on = false;
	else
		thread_watch_move(&rd->watch);
}

/*
 * A wait of one side for the other, polled: until *count moves or *flag is
 * set, the lock given up meanwhile; called and returns with rd->lock held.
 * Says how the polling ended; after any end but PROCFILE_POLL_CAME the
 * caller sleeps on the condition instead. With watch, the consumer's wait
 * for a chunk, the reader is watched as above, and still while the
 * consumer sleeps after the poll (thread_watch_sleep).
 *
 * A sleeping consumer leaves its CPU idle, and on a virtual machine an idle
 * vCPU is given back to the host, which makes the scheduler look elsewhere
 * when the reader wakes the consumer: onto the reader's own CPU, where the
 * consumer waits until the reader blocks, at the end of the file (measured
 * at 1,000 VMAs: in about half the runs, the whole parse came after the
 * whole read). Polling keeps the CPU busy; sched_yield() gives it to
 * anything else that wants it, and such a wait (one yield that took long)
 * ends the polling, as does a wait longer than poll_ns. The reader, its
 * ring full, waits for the consumer the same way: woken from sleep it
 * would wait for its vCPU to come back.
 */
static enum procfile_poll_end poll_for(struct procfile_reader *rd, const size_t *count,
				       const bool *flag, const bool *also, bool watch)
{
	size_t seen = *count;
	enum procfile_poll_end end = PROCFILE_POLL_LONG;
	int64_t t0, prev, now;

	pthread_mutex_unlock(&rd->lock);
	t0 = prev = mono_ns();
	if (watch)
		thread_watch_wait(&rd->watch);
	do {
		sched_yield();
		now = mono_ns();
		if (watch && thread_watch_starved(&rd->watch, t0, now))
			end = PROCFILE_POLL_MOVED;
		else if (now - prev > POLL_GAP_NS)
			end = PROCFILE_POLL_WANTED;
		else if (__atomic_load_n(count, __ATOMIC_ACQUIRE) != seen ||
			 __atomic_load_n(flag, __ATOMIC_ACQUIRE) ||
			 (also && __atomic_load_n(also, __ATOMIC_ACQUIRE)))
			end = PROCFILE_POLL_CAME;
		prev = now;
	} while (end == PROCFILE_POLL_LONG && now - t0 < rd->poll_ns);
	pthread_mutex_lock(&rd->lock);
	if (end == PROCFILE_POLL_MOVED)
		move_reader(rd);
	return end;
}

/* The file asked to be read after this one, unless the consumer took it. */
static void read_after(struct procfile_reader *rd)
{
	struct procfile_after *a;
	int r;

	pthread_mutex_lock(&rd->lock);
	a = rd->after;
	if (!a || a->state != PROCFILE_AFTER_WANTED || rd->stop) {
		pthread_mutex_unlock(&rd->lock);
		return;
	}
	a->state = PROCFILE_AFTER_READING;
	pthread_mutex_unlock(&rd->lock);

	r = procfile_read_at(a->dirfd, a->name, a->cap, a->flags, a->out);

	pthread_mutex_lock(&rd->lock);
	a->r = r;
	a->state = PROCFILE_AFTER_DONE;
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
}

static void *readahead_main(void *arg)
{
	struct procfile_reader *rd = arg;

	thread_watch_begins(&rd->watch); /* its id, for the watch */
	if (rd->begins)
		rd->begins();
	for (;;) {
		struct readahead_chunk *c;
		size_t len = 0;
		int error = 0;
		bool eof = false;

		pthread_mutex_lock(&rd->lock);
		/* the ring full: polled first, as the consumer polls (poll_for),
		 * for room or for the consumer to go away */
		if (!rd->stop && ring_full(rd) && rd->poll_ns > 0)
			rd->poll_ends[poll_for(rd, &rd->consumed, &rd->stop,
					       rd->away ? NULL : &rd->away, false)]++;
		while (!rd->stop && ring_full(rd))
			pthread_cond_wait(&rd->cond, &rd->lock);
		if (rd->stop) {
			pthread_mutex_unlock(&rd->lock);
			return NULL;
		}
		c = &rd->ring[rd->produced % READAHEAD_AWAY];
		if (!c->data && rd->n_spare)
			c->data = rd->spare[--rd->n_spare];
		/* ahead while the consumer is away: into the slab */
		if (!c->data && rd->limit > READAHEAD_NEAR)
			c->data = slab_slot(rd);
		pthread_mutex_unlock(&rd->lock);
		if (!c->data)
			c->data = xmalloc(READAHEAD_BUF);
		if (in_slab(rd, c->data))
			prefault_chunk(c->data); /* at once, as the first buffers' */
		else
			reader_fault_in(rd, c->data);

		/* /proc gives a page or so per read: gather many into one chunk
		 * so that handing chunks over costs little. */
		while (len < READAHEAD_CHUNK) {
			ssize_t n = procfile_read_retry(rd->fd, c->data + READAHEAD_HEAD + len,
					       READAHEAD_CHUNK - len);

			if (n < 0) {
				error = (int)n;
				break;
			}
			if (n == 0) {
				eof = true;
				break;
			}
			len += (size_t)n;
		}

		pthread_mutex_lock(&rd->lock);
		c->len = len;
		if (len)
			__atomic_store_n(&rd->produced, rd->produced + 1, __ATOMIC_RELEASE);
		if (error || eof) {
			rd->error = error;
			__atomic_store_n(&rd->done, true, __ATOMIC_RELEASE);
		}
		pthread_cond_broadcast(&rd->cond);
		pthread_mutex_unlock(&rd->lock);
		if (error || eof) {
			read_after(rd);
			return NULL;
		}
	}
}

/* The consumer's wait for a chunk or the end, counted in pf->poll_ends. */
static bool readahead_poll(struct procfile *pf)
{
	struct procfile_reader *rd = pf->reader;
	enum procfile_poll_end end = poll_for(rd, &rd->produced, &rd->done, NULL, rd->watch.on);

	pf->poll_ends[end]++;
	return __atomic_load_n(&rd->produced, __ATOMIC_ACQUIRE) != rd->consumed ||
	       __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
}

/*
 * Puts the next chunk behind the unread bytes of pf->buf; returns its
 * length, 0 at the end, or -errno.
 */
ssize_t readahead_take(struct procfile *pf)
{
	struct procfile_reader *rd = pf->reader;
	struct readahead_chunk *c;
	size_t unread = pf->end - pf->start;
	char *mine = NULL, *was;
	bool poll = rd->poll_ns > 0, from_slab, slab_done;
	unsigned slab_top;
	int64_t t0 = 0; /* when the wait for a chunk began */
	ssize_t n;

	pthread_mutex_lock(&rd->lock);
	while (rd->produced == rd->consumed && !rd->done) {
		/* the reader will want a buffer: make one rather than sleep */
		if (rd->n_spare == 0) {
			char *buf;

			pthread_mutex_unlock(&rd->lock);
			buf = touched_buffer();
			pthread_mutex_lock(&rd->lock);
			/* only this thread adds spares: there is room still */
			rd->spare[rd->n_spare++] = buf;
			continue;
		}
		if (!t0)
			t0 = mono_ns();
		if (poll) {
			poll = readahead_poll(pf);
			continue;
		}
		/* asleep, the watch still looks (its window goes on from the
		 * poll's): a reader that waits for its CPU is moved as in a poll */
		thread_watch_sleep(&rd->watch, &rd->cond, &rd->lock);
		if (rd->produced == rd->consumed && !rd->done &&
		    thread_watch_starved(&rd->watch, t0, mono_ns())) {
			move_reader(rd);
			pf->poll_ends[PROCFILE_POLL_MOVED]++;
		}
	}
	if (rd->produced == rd->consumed) {
		n = rd->error;
		pthread_mutex_unlock(&rd->lock);
		return n;
	}
	c = &rd->ring[rd->consumed % READAHEAD_AWAY];
	if (rd->produced - rd->consumed > pf->most_ahead)
		pf->most_ahead = (unsigned)(rd->produced - rd->consumed);
	pthread_mutex_unlock(&rd->lock);

	n = (ssize_t)c->len;
	was = c->data;
	from_slab = in_slab(rd, was);
	if (unread <= READAHEAD_HEAD && !from_slab) {
		/* the unread bytes go in front of the chunk; the buffers trade
		 * (a first buffer too small to be a chunk's is dropped: copying
		 * the chunk into it would touch as many new pages) */
		mine = pf->buf;
		if (unread)
			memcpy(c->data + READAHEAD_HEAD - unread, pf->buf + pf->start, unread);
		if (pf->alloc < READAHEAD_BUF) {
			free(mine);
			mine = NULL;
		}
		pf->buf = c->data;
		pf->alloc = READAHEAD_BUF;
		pf->start = READAHEAD_HEAD - unread;
		pf->end = READAHEAD_HEAD;
	} else {
		if (pf->start > 0) {
			memmove(pf->buf, pf->buf + pf->start, unread);
			pf->start = 0;
			pf->end = unread;
		}
		ARRAY_GROW(pf->buf, pf->end + c->len, pf->alloc);
		memcpy(pf->buf + pf->end, c->data + READAHEAD_HEAD, c->len);
		/* the chunk's buffer back for the reader: its slot comes round
		 * again only READAHEAD_AWAY chunks later */
		if (!from_slab)
			mine = c->data;
	}
	/* the consumer's now, or copied out */
	c->data = NULL;

	pthread_mutex_lock(&rd->lock);
	__atomic_store_n(&rd->consumed, rd->consumed + 1, __ATOMIC_RELEASE);
	if (!rd->away)
		limit_to_ready(rd);
	if (from_slab)
		rd->slab_free[rd->n_slab_free++] = (unsigned)((was - rd->slab) / READAHEAD_BUF);
	/* caught up: the slab's pages back to the system (the reader uses it
	 * only above READAHEAD_NEAR, which this thread alone raises), when
	 * more than a few slots were used */
	slab_top = rd->slab_top;
	slab_done = slab_top > READAHEAD_SLAB_KEEP && rd->n_slab_free == READAHEAD_AWAY &&
		    rd->limit == READAHEAD_NEAR;
	if (slab_done)
		rd->slab_top = 0;
	if (mine && rd->n_spare < READAHEAD_SPARE) {
		rd->spare[rd->n_spare++] = mine;
		mine = NULL;
	}
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	if (mine)
		release_buffer(mine);
	if (slab_done) {
		(void)madvise(rd->slab, (size_t)slab_top * READAHEAD_BUF, MADV_DONTNEED);
		pf->slab_given_back++;
	}
	return n;
}

static void readahead_free(struct procfile_reader *rd)
{
	for (unsigned i = 0; i < READAHEAD_AWAY; i++)
		if (!in_slab(rd, rd->ring[i].data))
			free(rd->ring[i].data);
	if (rd->slab)
		munmap(rd->slab, READAHEAD_SLAB);
	while (rd->n_spare)
		free(rd->spare[--rd->n_spare]);
	pthread_cond_destroy(&rd->cond);
	pthread_mutex_destroy(&rd->lock);
	free(rd);
}

void readahead_stop(struct procfile *pf)
{
	struct procfile_reader *rd = pf->reader;

	if (!rd)
		return;
	pthread_mutex_lock(&rd->lock);
	__atomic_store_n(&rd->stop, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	(void)thread_join_apart(rd->thread);
	for (int i = 0; i < PROCFILE_POLL__MAX; i++)
		pf->reader_poll_ends[i] += rd->poll_ends[i];
	pf->slabs_mapped += rd->slab != NULL;
	readahead_free(rd);
	pf->reader = NULL;
}

void readahead_start(struct procfile *pf, int64_t poll_ns)
{
	struct procfile_reader *rd;

	rd = xcalloc(1, sizeof(*rd));
	rd->fd = pf->fd;
	rd->poll_ns = poll_ns;
	rd->begins = pf->reader_begins;
	rd->limit = READAHEAD_NEAR;
	/* all the buffers the reader needs while the consumer keeps up, made
	 * by this thread: a thread's first malloc() makes it an arena of its
	 * own, system calls and page faults on the reader's way (it took one
	 * at its second chunk when it had one buffer from here) */
	for (unsigned i = 0; i < READAHEAD_NEAR; i++)
		rd->ring[i].data = rd->fresh[rd->n_fresh++] = xmalloc(READAHEAD_BUF);
	for (unsigned i = 0; i < READAHEAD_FIRST_SPARE; i++)
		rd->spare[rd->n_spare++] = rd->fresh[rd->n_fresh++] = xmalloc(READAHEAD_BUF);
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->cond, NULL);
	pf->reader = rd;
	/* on another CPU: on the caller's, it would wait for the caller to block */
	if (thread_create_apart(&rd->thread, readahead_main, rd) != 0) {
		/* no thread: plain reads do the same work, only slower */
		pf->reader = NULL;
		readahead_free(rd);
		return;
	}
	if (poll_ns > 0)
		thread_watch_start(&rd->watch, rd->thread, WATCH_AFTER_NS, WATCH_NS);
}

void procfile_away(struct procfile *pf, bool away)
{
	struct procfile_reader *rd = pf->reader;

	if (!rd)
		return;
	pthread_mutex_lock(&rd->lock);
	__atomic_store_n(&rd->away, away, __ATOMIC_RELEASE);
	if (away)
		rd->limit = READAHEAD_AWAY;
	else
		limit_to_ready(rd);
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
}

bool procfile_block_ready(const struct procfile *pf)
{
	const struct procfile_reader *rd = pf->reader;

	if (pf->eof || (pf->took && pf->start != pf->end) || !rd)
		return true;
	return __atomic_load_n(&rd->produced, __ATOMIC_ACQUIRE) != rd->consumed ||
	       __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
}

void procfile_readahead_after(struct procfile *pf, int dirfd, const char *name, size_t cap,
			      unsigned flags, struct strbuf *out)
{
	struct procfile_reader *rd = pf->reader;
	struct procfile_after *a = &pf->after;

	/* room for a small file, made by this thread (the reader's first
	 * malloc() would make it an arena of its own) */
	strbuf_grow(out, 8192);
	if (rd)
		pthread_mutex_lock(&rd->lock);
	*a = (struct procfile_after){
		.dirfd = dirfd, .name = name, .cap = cap, .flags = flags, .out = out,
		.state = PROCFILE_AFTER_WANTED,
	};
	if (rd) {
		rd->after = a;
		pthread_mutex_unlock(&rd->lock);
	}
}

int procfile_after_take(struct procfile *pf)
{
	struct procfile_after *a = &pf->after;
	struct procfile_reader *rd = pf->reader;
	int r;

	if (rd) {
		bool poll = rd->poll_ns > 0;

		pthread_mutex_lock(&rd->lock);
		while (a->state == PROCFILE_AFTER_READING) {
			if (poll) {
				poll = poll_for(rd, &a->done, &rd->stop, NULL, false) ==
				       PROCFILE_POLL_CAME;
				continue;
			}
			pthread_cond_wait(&rd->cond, &rd->lock);
		}
		if (a->state == PROCFILE_AFTER_WANTED)
			a->state = PROCFILE_AFTER_READING; /* this thread's now */
		pthread_mutex_unlock(&rd->lock);
	}
	switch (a->state) {
	case PROCFILE_AFTER_NONE:
		return -EINVAL;
	case PROCFILE_AFTER_DONE:
		a->by_reader = true;
		r = a->r;
		break;
	default:
		a->by_reader = false;
		r = procfile_read_at(a->dirfd, a->name, a->cap, a->flags, a->out);
		break;
	}
	a->state = PROCFILE_AFTER_NONE;
	return r;
}
