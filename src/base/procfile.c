/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The line reader of procfile.h: a file handed out in blocks and lines,
 * read by plain reads or by a read-ahead thread (readahead.c).
 */
#include "config.h"

#include "base/procfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/readahead.h"
#include "base/xalloc.h"

#define PROCFILE_CHUNK (64 * 1024)
#define PROCFILE_LINE_MAX (256 * 1024)

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
	int r = procfile_open_at(pf, dirfd, name, cap);

	if (r < 0)
		return r;
	readahead_start(pf, poll_ns);
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
		n = procfile_read_retry(pf->fd, pf->buf + pf->end, pf->alloc - pf->end);
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

void procfile_take(struct procfile *pf, size_t n)
{
	pf->start += n;
	pf->took |= n > 0;
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
