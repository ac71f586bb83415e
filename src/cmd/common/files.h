/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing the commands' output files whole or not at all (src/cmd/common/files.c). */
#ifndef VMSCOPE_CMD_COMMON_FILES_H
#define VMSCOPE_CMD_COMMON_FILES_H

#include <stddef.h>

/* Writes buf to path through a temporary file and a rename: whole or not at all. */
int cmd_write_file_atomic(const char *path, const char *buf, size_t len);
/* The same for a file written piece by piece: open, write to fd, then close
 * with the result so far (0 renames the temporary over path, -errno drops it;
 * either way the result is returned). fd may be closed already (set it -1). */
struct cmd_atomic_file {
	char *path; /* the file replaced, symbolic links resolved */
	char *tmp;  /* NULL when path is no regular file and fd writes to it */
	int fd;
};
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path);
int cmd_atomic_close(struct cmd_atomic_file *f, int r);
/* Writes all of buf to fd, retrying on EINTR; 0 or -errno. */
int cmd_write_all(int fd, const char *buf, size_t len);

#endif
