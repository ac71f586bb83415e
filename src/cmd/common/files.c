/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files written whole or not at all, never through a planted link: see files.h. */
#include "config.h"

#include "cmd/common/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"

#define FILES_LINKS_MAX 40 /* as the kernel's MAXSYMLINKS */

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
 * What fs.protected_symlinks, protected_fifos and protected_regular guard
 * against: an entry of another user in a sticky directory anyone may write.
 */
static bool is_untrusted(const struct stat *dir, const struct stat *entry)
{
	return (dir->st_mode & S_ISVTX) && (dir->st_mode & S_IWOTH) &&
	       entry->st_uid != dir->st_uid && entry->st_uid != geteuid();
}

static bool on_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static void say_refused(struct strbuf *why, const struct strbuf *shown, const struct stat *st)
{
	if (!why)
		return;
	strbuf_reset(why);
	strbuf_addstr(why, "'");
	strbuf_add(why, shown->buf, shown->len); /* escaped where it is shown */
	strbuf_addf(why, "' is a symbolic link of uid %u in a sticky directory anyone may write "
			 "to: not followed",
		    (unsigned)st->st_uid);
}

/* The link name in dirfd, with the rest of the path (from *rest) behind it, into todo. */
static int splice_link(int dirfd, const char *name, const char *rest, struct strbuf *todo)
{
	char target[4096];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target));
	struct strbuf sb;

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	strbuf_init(&sb);
	strbuf_add(&sb, target, (size_t)n);
	if (*rest) {
		strbuf_addch(&sb, '/');
		strbuf_addstr(&sb, rest);
	}
	strbuf_reset(todo);
	strbuf_add(todo, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

int cmd_path_resolve(const char *path, int *ret_dirfd, char **ret_name, struct stat *ret_st,
		     bool *ret_exists, bool *ret_untrusted, struct strbuf *why)
{
	struct strbuf todo, comp, shown;
	struct stat st, dst;
	int dirfd, links = 0, r = 0;
	size_t pos = 0;

	if (!*path)
		return -ENOENT;
	strbuf_init(&todo);
	strbuf_init(&comp);
	strbuf_init(&shown);
	strbuf_addstr(&todo, path);
	dirfd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		r = -errno;
	if (path[0] == '/')
		strbuf_addch(&shown, '/');
	while (r == 0) {
		const char *p = todo.buf + pos, *slash;
		bool last;
		int fd;

		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		strbuf_reset(&comp);
		strbuf_add(&comp, p, slash ? (size_t)(slash - p) : strlen(p));
		pos = (size_t)(p - todo.buf) + comp.len;
		last = todo.buf[pos + strspn(todo.buf + pos, "/")] == '\0';
		if (last && (slash || comp.len == 0 || strcmp(comp.buf, ".") == 0 ||
			     strcmp(comp.buf, "..") == 0)) {
			r = -EISDIR; /* a directory, not a file to write */
			break;
		}
		if (shown.len && shown.buf[shown.len - 1] != '/')
			strbuf_addch(&shown, '/');
		strbuf_addstr(&shown, comp.buf);
		if (strcmp(comp.buf, ".") == 0)
			continue;
		if (fstatat(dirfd, comp.buf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			if (r == -ENOENT && last) {
				*ret_exists = false;
				*ret_untrusted = false;
				r = 1;
			}
			break;
		}
		if (fstat(dirfd, &dst) < 0) {
			r = -errno;
			break;
		}
		/* /proc's links (/dev/stdout is /proc/self/fd/1) name no path: the kernel follows them */
		if (last && (!S_ISLNK(st.st_mode) || is_untrusted(&dst, &st) || on_procfs(dirfd))) {
			*ret_exists = true;
			*ret_untrusted = is_untrusted(&dst, &st);
			*ret_st = st;
			r = 1;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if (is_untrusted(&dst, &st)) {
				say_refused(why, &shown, &st);
				r = -EPERM;
			} else if (++links > FILES_LINKS_MAX) {
				r = -ELOOP;
			} else {
				r = splice_link(dirfd, comp.buf, todo.buf + pos, &todo);
				pos = 0;
				/* shown goes on from where the link points */
				while (shown.len && shown.buf[shown.len - 1] != '/')
					strbuf_setlen(&shown, shown.len - 1);
				if (r == 0 && todo.buf[0] == '/') {
					strbuf_reset(&shown);
					strbuf_addch(&shown, '/');
					close(dirfd);
					dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
					r = dirfd < 0 ? -errno : 0;
				}
			}
			continue;
		}
		/* O_NOFOLLOW: a directory swapped for a link meanwhile is ENOTDIR */
		fd = openat(dirfd, comp.buf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
		close(dirfd);
		dirfd = fd;
	}
	if (r > 0) {
		*ret_dirfd = dirfd;
		*ret_name = strbuf_detach(&comp, NULL);
		r = 0;
	} else if (dirfd >= 0) {
		close(dirfd);
	}
	strbuf_release(&todo);
	strbuf_release(&comp);
	strbuf_release(&shown);
	return r;
}

/* A name beside name that no one else picks: ".NAME.XXXXXXXX" */
static char *temp_name(const char *name)
{
	unsigned char rnd[6];
	struct strbuf sb;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(rnd, &ts.tv_nsec, sizeof(rnd) < sizeof(ts.tv_nsec) ? sizeof(rnd)
									  : sizeof(ts.tv_nsec));
		rnd[0] ^= (unsigned char)getpid();
	}
	strbuf_init(&sb);
	strbuf_addf(&sb, ".%.200s.", name);
	for (size_t i = 0; i < sizeof(rnd); i++)
		strbuf_addf(&sb, "%02x", rnd[i]);
	return strbuf_detach(&sb, NULL);
}

/* Opens the temporary of f (its dirfd and name set); old is the entry replaced, if any. */
static int open_temp(struct cmd_atomic_file *f, const struct stat *old)
{
	mode_t mask = umask(0);

	umask(mask);
	for (int tries = 0; tries < 100; tries++) {
		free(f->tmp);
		f->tmp = temp_name(f->name);
		/* O_EXCL: not through a link, not into a file someone made ready */
		f->fd = openat(f->dirfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600);
		if (f->fd >= 0 || errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		int r = -errno;

		free(f->tmp);
		f->tmp = NULL; /* there is no file to remove */
		return cmd_atomic_close(f, r);
	}
	if (old && S_ISREG(old->st_mode)) {
		/* a replaced file stays whose it was, with its mode */
		(void)fchown(f->fd, old->st_uid, old->st_gid);
		if (fchmod(f->fd, old->st_mode & 0777) < 0)
			return cmd_atomic_close(f, -errno);
	} else if (fchmod(f->fd, 0644 & ~mask) < 0) {
		return cmd_atomic_close(f, -errno);
	}
	return 0;
}

int cmd_atomic_open_at(struct cmd_atomic_file *f, int dirfd, const char *name)
{
	struct stat st;
	bool exists;

	*f = (struct cmd_atomic_file){ .fd = -1, .dirfd = -1 };
	f->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (f->dirfd < 0)
		return -errno;
	f->name = xstrdup(name);
	exists = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	return open_temp(f, exists ? &st : NULL);
}

/*
 * A device, a FIFO or a socket of our own (-o /dev/stdout, a pipe made by
 * the shell) is written to as it is: renaming a file over it would replace
 * it. A link we may follow is followed, so that the file it names is
 * replaced and the link stays; one of /proc's is opened as it is.
 */
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path, struct strbuf *why)
{
	struct stat st;
	bool exists, untrusted;
	int r;

	*f = (struct cmd_atomic_file){ .fd = -1, .dirfd = -1 };
	r = cmd_path_resolve(path, &f->dirfd, &f->name, &st, &exists, &untrusted, why);
	if (r < 0)
		return cmd_atomic_close(f, r);
	if (exists && S_ISDIR(st.st_mode))
		return cmd_atomic_close(f, -EISDIR);
	if (exists && !untrusted && !S_ISREG(st.st_mode)) {
		/* a link here is one of /proc's: through it, the file from its start */
		f->fd = openat(f->dirfd, f->name,
			       O_WRONLY | O_NOCTTY | O_CLOEXEC |
				       (S_ISLNK(st.st_mode) ? O_TRUNC : O_NOFOLLOW));
		close(f->dirfd);
		f->dirfd = -1;
		return f->fd < 0 ? cmd_atomic_close(f, -errno) : 0;
	}
	return open_temp(f, exists && !untrusted ? &st : NULL);
}

/* The rename itself on disk too (not where the directory cannot be read) */
static void sync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int cmd_atomic_close(struct cmd_atomic_file *f, int r)
{
	if (f->fd >= 0 && f->tmp && r == 0 && !f->no_sync && fsync(f->fd) < 0)
		r = -errno;
	if (f->fd >= 0 && close(f->fd) < 0 && r == 0)
		r = -errno;
	f->fd = -1;
	if (f->tmp) {
		/* renameat replaces the name itself: a link there goes, what it names stays */
		if (r == 0 && renameat(f->dirfd, f->tmp, f->dirfd, f->name) < 0)
			r = -errno;
		if (r < 0)
			(void)unlinkat(f->dirfd, f->tmp, 0);
		else if (!f->no_sync)
			sync_dir(f->dirfd);
	}
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->tmp);
	free(f->name);
	*f = (struct cmd_atomic_file){ .fd = -1, .dirfd = -1 };
	return r;
}

int cmd_write_file_atomic(const char *path, const char *buf, size_t len, struct strbuf *why)
{
	struct cmd_atomic_file f;
	int r = cmd_atomic_open(&f, path, why);

	if (r < 0)
		return r;
	return cmd_atomic_close(&f, cmd_write_all(f.fd, buf, len));
}

int cmd_stream_open(const char *path, struct strbuf *why)
{
	struct cmd_atomic_file f;
	int fd, r = cmd_atomic_open(&f, path, why);

	if (r < 0)
		return r;
	if (f.tmp && renameat(f.dirfd, f.tmp, f.dirfd, f.name) < 0)
		return cmd_atomic_close(&f, -errno);
	fd = f.fd;
	f.fd = -1;
	free(f.tmp);
	f.tmp = NULL; /* renamed already: nothing for close to do */
	(void)cmd_atomic_close(&f, 0);
	return fd;
}

int cmd_write_file_at(int dirfd, const char *name, const char *buf, size_t len)
{
	struct cmd_atomic_file f;
	int r = cmd_atomic_open_at(&f, dirfd, name);

	if (r < 0)
		return r;
	f.no_sync = true;
	return cmd_atomic_close(&f, cmd_write_all(f.fd, buf, len));
}

int cmd_make_parents(const char *path, struct strbuf *why)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		struct stat st;
		bool exists, untrusted;
		char *name;
		int fd, r;

		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		r = cmd_path_resolve(copy, &fd, &name, &st, &exists, &untrusted, why);
		*p = '/';
		if (r == -EISDIR)
			continue; /* "." or ".." */
		if (r < 0)
			return r;
		if (!exists && mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
			r = -errno;
		close(fd);
		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

int cmd_mkdirs_at(int dirfd, const char *rel)
{
	_cleanup_free_ char *p = xstrdup(rel);
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	char *s = p;

	if (fd < 0)
		return -errno;
	while (*s) {
		char *end = s + strcspn(s, "/");
		bool more = *end == '/';
		int next;

		*end = '\0';
		if (*s && mkdirat(fd, s, 0755) < 0 && errno != EEXIST) {
			next = -errno;
		} else if (*s) {
			next = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				next = errno == ELOOP ? -ENOTDIR : -errno;
		} else {
			next = fd; /* "a//b" */
		}
		if (next != fd)
			close(fd);
		if (next < 0)
			return next;
		fd = next;
		s = more ? end + 1 : end;
	}
	return fd;
}

static int remove_tree(int at, const char *name, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, r = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (depth > 32)
		return -ELOOP;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = remove_tree(fd, de->d_name, depth + 1);
	closedir(d);
	if (r == 0 && unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int cmd_remove_tree_at(int dirfd, const char *name)
{
	return remove_tree(dirfd, name, 0);
}

void cmd_say_cannot_write(const char *path, int r, const struct strbuf *why)
{
	cli_error("cannot write '%s': %s", path,
		  why && why->len && r == -EPERM ? why->buf : strerror(-r));
}
