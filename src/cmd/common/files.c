/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files written whole or not at all: see files.h. */
#include "config.h"

#include "cmd/common/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

int cmd_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A device, a FIFO or a socket (-o /dev/stdout, a pipe made by the shell)
 * is written to as it is: renaming a file over it would replace it. A
 * symbolic link is followed, so that the file it names is replaced and the
 * link stays.
 */
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path)
{
	struct strbuf sb;
	struct stat st;
	mode_t mask;

	*f = (struct cmd_atomic_file){ .fd = -1 };
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		return f->fd < 0 ? -errno : 0;
	}
	f->path = realpath(path, NULL);
	if (!f->path && errno != ENOENT)
		return -errno;
	if (!f->path)
		f->path = xstrdup(path);
	strbuf_init(&sb);
	strbuf_addf(&sb, "%s.XXXXXX", f->path);
	f->tmp = strbuf_detach(&sb, NULL);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int r = -errno;

		free(f->tmp);
		f->tmp = NULL; /* there is no file to remove */
		return cmd_atomic_close(f, r);
	}
	mask = umask(0);
	umask(mask);
	/* mkostemp makes it 0600; the file gets the mode any new file would */
	if (fchmod(f->fd, 0666 & ~mask) < 0)
		return cmd_atomic_close(f, -errno);
	return 0;
}

int cmd_atomic_close(struct cmd_atomic_file *f, int r)
{
	if (f->fd >= 0 && close(f->fd) < 0 && r == 0)
		r = -errno;
	f->fd = -1;
	if (f->tmp) {
		if (r == 0 && rename(f->tmp, f->path) < 0)
			r = -errno;
		if (r < 0)
			(void)unlink(f->tmp);
	}
	free(f->tmp);
	free(f->path);
	*f = (struct cmd_atomic_file){ .fd = -1 };
	return r;
}

int cmd_write_file_atomic(const char *path, const char *buf, size_t len)
{
	struct cmd_atomic_file f;
	int r = cmd_atomic_open(&f, path);

	if (r < 0)
		return r;
	return cmd_atomic_close(&f, cmd_write_all(f.fd, buf, len));
}
