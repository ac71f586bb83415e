/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every file vmscope writes (snapshot -o, check --junit, the files of a
 * capture) goes through here: written whole or not at all, and never through
 * a link another user planted (src/cmd/common/files.c).
 *
 * A path is resolved one component at a time from directory fds. A symbolic
 * link in a sticky, world-writable directory (/tmp) that belongs neither to
 * us nor to the directory's owner is not followed, whatever the sysctl
 * fs.protected_symlinks says: as the last component it is replaced by the
 * new file (the link goes, what it names stays as it was); on the way to the
 * last component it is refused. Any other entry of another user in such a
 * directory (a FIFO, a file) is replaced as well, never opened.
 *
 * A new file gets mode 0644 (less the umask); a replaced regular file keeps
 * its mode and, where we may, its owner. The data goes to a temporary file
 * beside it (O_EXCL), is fsync'ed, and is renamed over the name last.
 */
#ifndef VMSCOPE_CMD_COMMON_FILES_H
#define VMSCOPE_CMD_COMMON_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct strbuf;

/*
 * Resolves path to the directory it is in (ret_dirfd, an O_PATH fd the
 * caller closes) and its last component (ret_name, freed by the caller),
 * following the links that may be followed. *ret_exists says whether an
 * entry of that name is there, *ret_st is its lstat, *ret_untrusted whether
 * it is another user's entry in a sticky world-writable directory (so it is
 * replaced, never opened or followed). 0, or -errno; -EPERM with why set
 * (when why is not NULL) for a link that must not be followed.
 */
int cmd_path_resolve(const char *path, int *ret_dirfd, char **ret_name, struct stat *ret_st,
		     bool *ret_exists, bool *ret_untrusted, struct strbuf *why);

/* Writes buf to path whole or not at all; why as for cmd_path_resolve. */
int cmd_write_file_atomic(const char *path, const char *buf, size_t len, struct strbuf *why);
/* The same for a file written piece by piece: open, write to fd, then close
 * with the result so far (0 fsyncs and renames the temporary over the name,
 * -errno drops it; either way the result is returned). fd may be closed
 * already (set it -1). */
struct cmd_atomic_file {
	int dirfd;  /* the directory the file is in, -1 when fd writes to a device or FIFO */
	char *name; /* the name replaced there */
	char *tmp;  /* the temporary written, its name there */
	int fd;
	bool no_sync; /* the caller syncs (set it after the open) */
};
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path, struct strbuf *why);
/* In dirfd (kept by the caller) under name, a single component; an entry of
 * that name that is no regular file is replaced. */
int cmd_atomic_open_at(struct cmd_atomic_file *f, int dirfd, const char *name);
int cmd_atomic_close(struct cmd_atomic_file *f, int r);
/* Writes all of buf to fd, retrying on EINTR; 0 or -errno. */
int cmd_write_all(int fd, const char *buf, size_t len);
/*
 * For a file written as it goes (a recording, readable while it grows and
 * after a kill): path resolved as for cmd_atomic_open, and a new file (a
 * replaced one's mode and owner) put under the name at once, so that no
 * link or file another user planted is written through. An fd, or -errno.
 */
int cmd_stream_open(const char *path, struct strbuf *why);

/* Writes buf to dirfd/name (a single component) the same way, but without
 * the fsync: for many files that the caller syncs at once (syncfs). */
int cmd_write_file_at(int dirfd, const char *name, const char *buf, size_t len);

/* The missing directories on the way to path's last component, each made
 * where cmd_path_resolve finds it missing (mode 0755); 0 or -errno. */
int cmd_make_parents(const char *path, struct strbuf *why);

/*
 * mkdir -p of rel under dirfd, walked with openat(O_NOFOLLOW | O_DIRECTORY)
 * from dirfd: no link on the way is followed. The last directory's fd
 * (O_RDONLY, the caller closes it), or -errno (-ENOTDIR for a link).
 */
int cmd_mkdirs_at(int dirfd, const char *rel);
/* rm -r of dirfd/name, never following a link; 0 or -errno. */
int cmd_remove_tree_at(int dirfd, const char *name);

/* "vmscope: cannot write 'PATH': " and why, or the error's text. */
void cmd_say_cannot_write(const char *path, int r, const struct strbuf *why);

#endif
