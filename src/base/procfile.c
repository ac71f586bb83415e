/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int procfile_read_fd(int fd, size_t cap, unsigned flags, struct strbuf *out)
{
	strbuf_reset(out);
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		return -errno;
	for (;;) {
		ssize_t n;

		strbuf_grow(out, 4096);
		n = read_retry(fd, out->buf + out->len, out->alloc - out->len - 1);
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

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = procfile_read_fd(fd, cap, flags, out);
	close(fd);
	return r;
}

void procfile_init(struct procfile *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
}

static void procfile_start(struct procfile *pf, size_t cap)
{
	pf->start = pf->end = 0;
	pf->total = 0;
	pf->cap = cap;
	pf->line_max = PROCFILE_LINE_MAX;
	pf->eof = false;
}

int procfile_open_at(struct procfile *pf, int dirfd, const char *name, size_t cap)
{
	procfile_close(pf);
	pf->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (pf->fd < 0)
		return -errno;
	pf->owns_fd = true;
	procfile_start(pf, cap);
	return 0;
}

int procfile_open_fd(struct procfile *pf, int fd, size_t cap)
{
	procfile_close(pf);
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		return -errno;
	pf->fd = fd;
	pf->owns_fd = false;
	procfile_start(pf, cap);
	return 0;
}

int procfile_next_line(struct procfile *pf, const char **ret_line, size_t *ret_len)
{
	size_t scanned = 0;

	for (;;) {
		char *s = pf->buf + pf->start + scanned;
		char *nl = pf->end > pf->start + scanned
				   ? memchr(s, '\n', pf->end - pf->start - scanned)
				   : NULL;

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
		/* Move the partial line to the front and read more behind it. */
		if (pf->start > 0) {
			memmove(pf->buf, pf->buf + pf->start, scanned);
			pf->end = scanned;
			pf->start = 0;
		}
		if (pf->alloc - pf->end < PROCFILE_CHUNK / 2) {
			size_t want = pf->end + PROCFILE_CHUNK;
			ARRAY_GROW(pf->buf, want, pf->alloc);
		}
		if (pf->fd < 0)
			return -EBADF;
		ssize_t n = read_retry(pf->fd, pf->buf + pf->end, pf->alloc - pf->end);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			pf->eof = true;
			continue;
		}
		if (memchr(pf->buf + pf->end, '\0', (size_t)n))
			return -EBADMSG;
		pf->end += (size_t)n;
		pf->total += (size_t)n;
		if (pf->total > pf->cap)
			return -EFBIG;
	}
}

void procfile_close(struct procfile *pf)
{
	if (pf->fd >= 0 && pf->owns_fd)
		close(pf->fd);
	pf->fd = -1;
	pf->owns_fd = false;
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
