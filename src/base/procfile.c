/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/prefault.h"
#include "base/thread.h"
#include "base/xalloc.h"

#define PROCFILE_CHUNK (64 * 1024)
#define PROCFILE_LINE_MAX (256 * 1024)

static ssize_t read_retry(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static ssize_t pread_retry(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int procfile_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - n)
		return -EFAULT;
	while (done < n) {
		ssize_t k = pread_retry(fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (k < 0)
			return (int)k;
		if (k == 0)
			return -ENODATA;
		done += (size_t)k;
	}
	return 0;
}

const char *procfile_strerror(int err)
{
	if (err < 0)
		err = -err;
	return err == PROCFILE_ENOTREG ? "not a regular file" : strerror(err);
}

int procfile_open(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return errno == ELOOP ? -PROCFILE_ENOTREG : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISREG(st.st_mode) ? -errno : -PROCFILE_ENOTREG;

		close(fd);
		return r;
	}
	return fd;
}

int procfile_read_fd(int fd, size_t cap, unsigned flags, struct strbuf *out)
{
	/* pread, not lseek and read: one call less for each of the files a live view re-reads */
	bool seekable = true;

	strbuf_reset(out);
	for (;;) {
		/* never more than one byte past the cap, whatever the file gives */
		size_t room, want = cap - out->len < SIZE_MAX ? cap - out->len + 1 : SIZE_MAX;
		ssize_t n;

		strbuf_grow(out, want < 4096 ? want : 4096);
		room = out->alloc - out->len - 1;
		if (room > want)
			room = want;
		if (seekable) {
			n = pread_retry(fd, out->buf + out->len, room, (off_t)out->len);
			if (n == -ESPIPE && out->len == 0) {
				seekable = false; /* a pipe: read what comes */
				continue;
			}
		} else {
			n = read_retry(fd, out->buf + out->len, room);
		}
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		if (!(flags & PROCFILE_ALLOW_NUL) && memchr(out->buf + out->len, '\0', (size_t)n))
			return -EBADMSG;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > cap)
			return -EFBIG;
	}
	return out->len > (size_t)0x7fffffff ? -EFBIG : (int)out->len;
}

int procfile_read_at(int dirfd, const char *name, size_t cap, unsigned flags, struct strbuf *out)
{
	int fd, r;

	fd = procfile_open(dirfd, name);
	if (fd < 0)
		return fd;
	r = procfile_read_fd(fd, cap, flags, out);
	close(fd);
	return r;
}

#define READAHEAD_CHUNK (16 * 1024)
/*
 * How far the reader may get ahead of the consumer: a few chunks, however
 * long the consumer is away at other work. Each buffer the reader reads
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
 * Room in front of each chunk for the partial line before it: the consumer
 * copies that line there and takes the whole buffer in exchange for its
 * own, so the chunk itself is never copied. A longer line is copied the
 * slow way.
 */
#define READAHEAD_HEAD (8 * 1024)
#define READAHEAD_BUF (READAHEAD_HEAD + READAHEAD_CHUNK)
/* Buffers kept for the reader once the consumer has caught up; the others
 * go back to the system, so that what was needed to get ahead is not held
 * while the consumer builds on what it read. */
#define READAHEAD_SPARE 4

struct readahead_chunk {
	char *data;
	size_t len;
};

struct procfile_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct readahead_chunk ring[READAHEAD_NEAR];
	/* chunk counts, ring index count % N; produced, consumed, done and
	 * stop are stored atomically too, for the other side's poll_for */
	size_t produced, consumed;
	/* buffers of READAHEAD_BUF bytes not in the ring */
	char *spare[READAHEAD_SPARE];
	unsigned n_spare;
	/* the buffers made at the start that the reader has not read into
	 * yet, their pages not in memory (the reader's alone once it runs) */
	char *fresh[READAHEAD_NEAR + 1];
	unsigned n_fresh;
	int error;                 /* -errno from read(), or 0 */
	bool done;                 /* the reader hit the end or an error */
	bool stop;                 /* the consumer closed the file */
	int64_t poll_ns;           /* either side polls this long, then sleeps */
	unsigned poll_ends[PROCFILE_POLL__MAX]; /* the reader's, for a full ring */
	struct procfile_after *after; /* the consumer's, once asked for */
	int fd;
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
static void reader_fault_in(struct procfile_reader *rd, char *buf)
{
	for (unsigned i = 0; i < rd->n_fresh; i++) {
		uintptr_t page;

		if (rd->fresh[i] != buf)
			continue;
		rd->fresh[i] = rd->fresh[--rd->n_fresh];
		page = (uintptr_t)sysconf(_SC_PAGESIZE);
		(void)prefault_range(buf + READAHEAD_HEAD,
				     (void *)(((uintptr_t)buf + READAHEAD_BUF) & ~(page - 1)));
		return;
	}
}

/* A yield that took longer gave the CPU to another thread that wanted it. */
#define POLL_GAP_NS 50000

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A wait of one side for the other, polled: until *count moves or *flag is
 * set, the lock given up meanwhile; called and returns with rd->lock held.
 * Says how the polling ended; after any end but PROCFILE_POLL_CAME the
 * caller sleeps on the condition instead.
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
				       const bool *flag)
{
	size_t seen = *count;
	enum procfile_poll_end end = PROCFILE_POLL_LONG;
	int64_t t0, prev, now;

	pthread_mutex_unlock(&rd->lock);
	t0 = prev = monotonic_ns();
	do {
		sched_yield();
		now = monotonic_ns();
		if (now - prev > POLL_GAP_NS)
			end = PROCFILE_POLL_WANTED;
		else if (__atomic_load_n(count, __ATOMIC_ACQUIRE) != seen ||
			 __atomic_load_n(flag, __ATOMIC_ACQUIRE))
			end = PROCFILE_POLL_CAME;
		prev = now;
	} while (end == PROCFILE_POLL_LONG && now - t0 < rd->poll_ns);
	pthread_mutex_lock(&rd->lock);
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

	r = procfile_read_at(a->dirfd, a->name, a->cap, 0, a->out);

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

	for (;;) {
		struct readahead_chunk *c;
		size_t len = 0;
		int error = 0;
		bool eof = false;

		pthread_mutex_lock(&rd->lock);
		/* the ring full: polled first, as the consumer polls (poll_for) */
		if (!rd->stop && rd->produced - rd->consumed >= READAHEAD_NEAR && rd->poll_ns > 0)
			rd->poll_ends[poll_for(rd, &rd->consumed, &rd->stop)]++;
		while (!rd->stop && rd->produced - rd->consumed >= READAHEAD_NEAR)
			pthread_cond_wait(&rd->cond, &rd->lock);
		if (rd->stop) {
			pthread_mutex_unlock(&rd->lock);
			return NULL;
		}
		c = &rd->ring[rd->produced % READAHEAD_NEAR];
		if (!c->data && rd->n_spare)
			c->data = rd->spare[--rd->n_spare];
		pthread_mutex_unlock(&rd->lock);
		if (!c->data)
			c->data = xmalloc(READAHEAD_BUF);
		reader_fault_in(rd, c->data);

		/* /proc gives a page or so per read: gather many into one chunk
		 * so that handing chunks over costs little. */
		while (len < READAHEAD_CHUNK) {
			ssize_t n = read_retry(rd->fd, c->data + READAHEAD_HEAD + len,
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
	enum procfile_poll_end end = poll_for(rd, &rd->produced, &rd->done);

	pf->poll_ends[end]++;
	return __atomic_load_n(&rd->produced, __ATOMIC_ACQUIRE) != rd->consumed ||
	       __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
}

/*
 * Puts the next chunk behind the unread bytes of pf->buf; returns its
 * length, 0 at the end, or -errno.
 */
static ssize_t readahead_take(struct procfile *pf)
{
	struct procfile_reader *rd = pf->reader;
	struct readahead_chunk *c;
	size_t unread = pf->end - pf->start;
	char *mine = NULL;
	bool poll = rd->poll_ns > 0;
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
		if (poll) {
			poll = readahead_poll(pf);
			continue;
		}
		pthread_cond_wait(&rd->cond, &rd->lock);
	}
	if (rd->produced == rd->consumed) {
		n = rd->error;
		pthread_mutex_unlock(&rd->lock);
		return n;
	}
	c = &rd->ring[rd->consumed % READAHEAD_NEAR];
	if (rd->produced - rd->consumed > pf->most_ahead)
		pf->most_ahead = (unsigned)(rd->produced - rd->consumed);
	pthread_mutex_unlock(&rd->lock);

	n = (ssize_t)c->len;
	if (unread <= READAHEAD_HEAD) {
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
		c->data = NULL;
	} else {
		if (pf->start > 0) {
			memmove(pf->buf, pf->buf + pf->start, unread);
			pf->start = 0;
			pf->end = unread;
		}
		ARRAY_GROW(pf->buf, pf->end + c->len, pf->alloc);
		memcpy(pf->buf + pf->end, c->data + READAHEAD_HEAD, c->len);
	}

	pthread_mutex_lock(&rd->lock);
	__atomic_store_n(&rd->consumed, rd->consumed + 1, __ATOMIC_RELEASE);
	if (mine && rd->n_spare < READAHEAD_SPARE) {
		rd->spare[rd->n_spare++] = mine;
		mine = NULL;
	}
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	if (mine)
		release_buffer(mine);
	return n;
}

static void readahead_free(struct procfile_reader *rd)
{
	for (unsigned i = 0; i < READAHEAD_NEAR; i++)
		free(rd->ring[i].data);
	while (rd->n_spare)
		free(rd->spare[--rd->n_spare]);
	pthread_cond_destroy(&rd->cond);
	pthread_mutex_destroy(&rd->lock);
	free(rd);
}

static void readahead_stop(struct procfile *pf)
{
	struct procfile_reader *rd = pf->reader;

	if (!rd)
		return;
	pthread_mutex_lock(&rd->lock);
	__atomic_store_n(&rd->stop, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	for (int i = 0; i < PROCFILE_POLL__MAX; i++)
		pf->reader_poll_ends[i] += rd->poll_ends[i];
	readahead_free(rd);
	pf->reader = NULL;
}

void procfile_init(struct procfile *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
}

static void procfile_start(struct procfile *pf, size_t cap)
{
	pf->after.state = PROCFILE_AFTER_NONE;
	pf->start = pf->end = 0;
	pf->total = 0;
	pf->cap = cap;
	pf->line_max = PROCFILE_LINE_MAX;
	pf->eof = false;
	pf->took = false;
}

int procfile_open_at(struct procfile *pf, int dirfd, const char *name, size_t cap)
{
	int fd;

	procfile_close(pf);
	fd = procfile_open(dirfd, name);
	if (fd < 0)
		return fd;
	pf->fd = fd;
	procfile_start(pf, cap);
	return 0;
}

int procfile_open_at_readahead(struct procfile *pf, int dirfd, const char *name, size_t cap,
			       int64_t poll_ns)
{
	struct procfile_reader *rd;
	int r = procfile_open_at(pf, dirfd, name, cap);

	if (r < 0)
		return r;
	rd = xcalloc(1, sizeof(*rd));
	rd->fd = pf->fd;
	rd->poll_ns = poll_ns;
	/* all the buffers the reader needs while the consumer keeps up, made
	 * by this thread: a thread's first malloc() makes it an arena of its
	 * own, system calls and page faults on the reader's way (it took one
	 * at its second chunk when it had one buffer from here) */
	for (unsigned i = 0; i < READAHEAD_NEAR; i++)
		rd->ring[i].data = rd->fresh[rd->n_fresh++] = xmalloc(READAHEAD_BUF);
	rd->spare[rd->n_spare++] = rd->fresh[rd->n_fresh++] = xmalloc(READAHEAD_BUF);
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->cond, NULL);
	pf->reader = rd;
	/* on another CPU: on the caller's, it would wait for the caller to block */
	if (thread_create_apart(&rd->thread, readahead_main, rd) != 0) {
		/* no thread: plain reads do the same work, only slower */
		pf->reader = NULL;
		readahead_free(rd);
	}
	return 0;
}

/*
 * Reads more behind the unread bytes, the partial line first moved to the
 * front. Returns the bytes read, 0 at the end (pf->eof set), or -errno.
 */
static ssize_t procfile_more(struct procfile *pf)
{
	size_t unread = pf->end - pf->start;
	ssize_t n;

	if (pf->fd < 0)
		return -EBADF;
	if (pf->reader) {
		n = readahead_take(pf);
	} else {
		if (pf->start > 0) {
			memmove(pf->buf, pf->buf + pf->start, unread);
			pf->end = unread;
			pf->start = 0;
		}
		if (pf->alloc - pf->end < PROCFILE_CHUNK / 2) {
			size_t want = pf->end + PROCFILE_CHUNK;
			ARRAY_GROW(pf->buf, want, pf->alloc);
		}
		n = read_retry(pf->fd, pf->buf + pf->end, pf->alloc - pf->end);
	}
	if (n < 0)
		return n;
	if (n == 0) {
		pf->eof = true;
		return 0;
	}
	if (memchr(pf->buf + pf->end, '\0', (size_t)n))
		return -EBADMSG;
	pf->end += (size_t)n;
	pf->total += (size_t)n;
	if (pf->total > pf->cap)
		return -EFBIG;
	return n;
}

int procfile_next_line(struct procfile *pf, const char **ret_line, size_t *ret_len)
{
	size_t scanned = 0;

	for (;;) {
		char *s = pf->buf + pf->start + scanned;
		char *nl = pf->end > pf->start + scanned
				   ? memchr(s, '\n', pf->end - pf->start - scanned)
				   : NULL;
		ssize_t n;

		if (nl) {
			*ret_line = pf->buf + pf->start;
			*ret_len = (size_t)(nl - (pf->buf + pf->start));
			pf->start = (size_t)(nl - pf->buf) + 1;
			return 1;
		}
		scanned = pf->end - pf->start;
		if (pf->eof) {
			if (pf->start == pf->end)
				return 0;
			*ret_line = pf->buf + pf->start;
			*ret_len = pf->end - pf->start;
			pf->start = pf->end;
			return 1;
		}
		if (scanned >= pf->line_max)
			return -EFBIG;
		n = procfile_more(pf);
		if (n < 0)
			return (int)n;
	}
}

int procfile_next_block(struct procfile *pf, const char **ret_buf, size_t *ret_len,
			bool *ret_eof)
{
	if (!pf->eof && (!pf->took || pf->start == pf->end)) {
		ssize_t n;

		if (pf->end - pf->start >= pf->line_max)
			return -EFBIG;
		n = procfile_more(pf);
		if (n < 0)
			return (int)n;
	}
	pf->took = false;
	if (pf->eof && pf->start == pf->end)
		return 0;
	*ret_buf = pf->buf + pf->start;
	*ret_len = pf->end - pf->start;
	*ret_eof = pf->eof;
	return 1;
}

bool procfile_block_ready(const struct procfile *pf)
{
	const struct procfile_reader *rd = pf->reader;

	if (pf->eof || (pf->took && pf->start != pf->end) || !rd)
		return true;
	return __atomic_load_n(&rd->produced, __ATOMIC_ACQUIRE) != rd->consumed ||
	       __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
}

void procfile_take(struct procfile *pf, size_t n)
{
	pf->start += n;
	pf->took |= n > 0;
}

void procfile_readahead_after(struct procfile *pf, int dirfd, const char *name, size_t cap,
			      struct strbuf *out)
{
	struct procfile_reader *rd = pf->reader;
	struct procfile_after *a = &pf->after;

	/* room for a small file, made by this thread (the reader's first
	 * malloc() would make it an arena of its own) */
	strbuf_grow(out, 8192);
	if (rd)
		pthread_mutex_lock(&rd->lock);
	*a = (struct procfile_after){
		.dirfd = dirfd, .name = name, .cap = cap, .out = out,
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
				poll = poll_for(rd, &a->done, &rd->stop) == PROCFILE_POLL_CAME;
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
		r = procfile_read_at(a->dirfd, a->name, a->cap, 0, a->out);
		break;
	}
	a->state = PROCFILE_AFTER_NONE;
	return r;
}

void procfile_close(struct procfile *pf)
{
	readahead_stop(pf);
	if (pf->fd >= 0)
		close(pf->fd);
	pf->fd = -1;
}

void procfile_release(struct procfile *pf)
{
	procfile_close(pf);
	free(pf->buf);
	procfile_init(pf);
}

int memlines_next(const char **p, const char *end, const char **ret_line, size_t *ret_len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return 0;
	nl = memchr(s, '\n', (size_t)(end - s));
	*ret_line = s;
	if (nl) {
		*ret_len = (size_t)(nl - s);
		*p = nl + 1;
	} else {
		*ret_len = (size_t)(end - s);
		*p = end;
	}
	return 1;
}
