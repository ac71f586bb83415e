/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whole files and exact ranges of them: the reads under procfile.c's line
 * reader and its read-ahead thread (readahead.c).
 */
#include "config.h"

#include "base/procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/locale.h"
#include "base/readahead.h"
#include "base/xalloc.h"

ssize_t procfile_read_retry(int fd, void *buf, size_t n)
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
	if (err == PROCFILE_ENOTREG)
		return "not a regular file";
	locale_need(); /* the words of the user's language */
	return strerror(err);
}

int procfile_open_flags(int dirfd, const char *name, unsigned flags)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return errno == ELOOP ? -PROCFILE_ENOTREG : -errno;
	if (flags & PROCFILE_WHOLE)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISREG(st.st_mode) ? -errno : -PROCFILE_ENOTREG;

		close(fd);
		return r;
	}
	return fd;
}

int procfile_open(int dirfd, const char *name)
{
	return procfile_open_flags(dirfd, name, 0);
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
			n = procfile_read_retry(fd, out->buf + out->len, room);
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
		if ((flags & PROCFILE_WHOLE) && (size_t)n < room)
			break; /* written whole: the next read would give 0 */
	}
	return out->len > (size_t)0x7fffffff ? -EFBIG : (int)out->len;
}

int procfile_read_at(int dirfd, const char *name, size_t cap, unsigned flags, struct strbuf *out)
{
	int fd, r;

	fd = procfile_open_flags(dirfd, name, flags);
	if (fd < 0)
		return fd;
	r = procfile_read_fd(fd, cap, flags, out);
	close(fd);
	return r;
}
