/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/user.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/procfile.h"

#define NSSWITCH_CAP (64u << 10)
/* /etc/passwd is read this much at a time, up to the line of the id: a
 * file of 100,000 users is not held whole for root's name, on its first
 * line. A line still unended past PASSWD_LINE_MAX is left to getpwuid_r. */
#define PASSWD_CHUNK (16u << 10)
#define PASSWD_LINE_MAX (1u << 20)

/* What the C library's name service skips as white space (isspace in C). */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* "passwd" in any case (the library's own compare is not known here) */
static bool is_passwd(const char *name)
{
	for (unsigned i = 0; i < 6; i++)
		if ((name[i] | 0x20) != "passwd"[i])
			return false;
	return true;
}

bool user_files_first(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *line, *services = NULL, *services_end = NULL;
	unsigned passwd_lines = 0;
	size_t n;

	while (memlines_next(&p, end, &line, &n) > 0) {
		const char *eol = line + n, *hash = memchr(line, '#', n), *name;

		if (hash)
			eol = hash;
		while (line < eol && is_space(*line))
			line++;
		name = line;
		while (line < eol && !is_space(*line) && *line != ':')
			line++;
		if (line - name != 6 || !is_passwd(name))
			continue;
		while (line < eol && is_space(*line))
			line++;
		if (line == eol || *line != ':')
			continue;
		/* "Passwd:", or a second line: not read the way the library might */
		if (memcmp(name, "passwd", 6) != 0 || passwd_lines++)
			return false;
		services = line + 1;
		services_end = eol;
	}
	if (passwd_lines != 1)
		return false;
	while (services < services_end && is_space(*services))
		services++;
	if (services_end - services < 5 || memcmp(services, "files", 5) != 0)
		return false;
	services += 5;
	if (services < services_end && !is_space(*services))
		return false; /* "filesx", "files[...]" */
	while (services < services_end && is_space(*services))
		services++;
	return services == services_end || *services != '[';
}

/* 1 to 10 digits of a value of 32 bits at *p, then one of the stops (or the
 * end of the line where end_ok): true, *p past the stop. */
static bool parse_id(const char **p, const char *eol, bool end_ok, uint32_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	while (s < eol && *s >= '0' && *s <= '9' && s - *p < 10)
		v = v * 10 + (uint64_t)(*s++ - '0');
	if (s == *p || v > UINT32_MAX || (s == eol ? !end_ok : *s != ':'))
		return false;
	*p = s == eol ? s : s + 1;
	*ret = (uint32_t)v;
	return true;
}

int user_passwd_find(const char *buf, size_t len, uid_t uid, const char **ret_name,
		     size_t *ret_len)
{
	const char *p = buf, *end = buf + len, *line;
	size_t n;

	while (memlines_next(&p, end, &line, &n) > 0) {
		const char *eol = line + n, *name, *colon;
		uint32_t id, gid;

		while (line < eol && is_space(*line))
			line++;
		if (line == eol || *line == '#')
			continue;
		/* a byte a locale might call a space is not skipped here */
		if ((unsigned char)*line >= 0x80)
			return -EBADMSG;
		name = line;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			return -EBADMSG;
		/* the password, then the ids */
		line = memchr(colon + 1, ':', (size_t)(eol - colon - 1));
		if (!line)
			return -EBADMSG;
		line++;
		if (!parse_id(&line, eol, false, &id) || !parse_id(&line, eol, true, &gid))
			return -EBADMSG;
		/* the library never answers an id with a NIS compat line */
		if (*name == '+' || *name == '-')
			continue;
		if (id == (uint32_t)uid) {
			*ret_name = name;
			*ret_len = (size_t)(colon - name);
			return 1;
		}
	}
	return 0;
}

/* A system file, followed if it is a link: an fd if it is a regular file. */
static int open_etc(const char *path)
{
	struct stat st;
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -PROCFILE_ENOTREG;
	}
	return fd;
}

static bool files_first(struct strbuf *buf)
{
	int fd = open_etc("/etc/nsswitch.conf"), r;

	if (fd < 0)
		return false;
	r = procfile_read_fd(fd, NSSWITCH_CAP, 0, buf);
	close(fd);
	return r >= 0 && user_files_first(buf->buf, buf->len);
}

int user_passwd_read(int fd, uid_t uid, struct strbuf *buf)
{
	strbuf_reset(buf);
	for (;;) {
		const char *name, *nl;
		size_t whole, len;
		ssize_t n;
		int r;

		strbuf_grow(buf, PASSWD_CHUNK);
		n = procfile_read_retry(fd, buf->buf + buf->len, PASSWD_CHUNK);
		if (n < 0)
			return (int)n;
		if (memchr(buf->buf + buf->len, '\0', (size_t)n))
			return -EBADMSG;
		/* the bytes carried over hold no newline: the last one is among
		 * those just read, if any (a long line is not searched again at
		 * each chunk) */
		nl = memrchr(buf->buf + buf->len, '\n', (size_t)n);
		strbuf_setlen(buf, buf->len + (size_t)n);
		/* the whole lines; at the end, the last one without its newline */
		whole = n == 0 ? buf->len : nl ? (size_t)(nl - buf->buf) + 1 : 0;
		r = user_passwd_find(buf->buf, whole, uid, &name, &len);
		if (r > 0) {
			memmove(buf->buf, name, len);
			strbuf_setlen(buf, len);
			return 1;
		}
		if (r < 0 || n == 0)
			return r;
		memmove(buf->buf, buf->buf + whole, buf->len - whole);
		strbuf_setlen(buf, buf->len - whole);
		if (buf->len > PASSWD_LINE_MAX)
			return -EFBIG;
	}
}

static bool from_files(uid_t uid, struct strbuf *buf)
{
	int fd, r;

	if (!files_first(buf))
		return false;
	fd = open_etc("/etc/passwd");
	if (fd < 0)
		return false;
	r = user_passwd_read(fd, uid, buf);
	close(fd);
	return r > 0 && buf->len > 0;
}

bool user_name_nss(uid_t uid, struct strbuf *buf)
{
	struct passwd pw, *res = NULL;
	size_t len;
	int r;

	strbuf_reset(buf);
	strbuf_grow(buf, 2048);
	while ((r = getpwuid_r(uid, &pw, buf->buf, buf->alloc, &res)) == ERANGE &&
	       buf->alloc < (1u << 20))
		strbuf_grow(buf, buf->alloc * 2);
	if (r != 0 || !res) {
		strbuf_reset(buf);
		return false;
	}
	len = strlen(res->pw_name);
	memmove(buf->buf, res->pw_name, len);
	strbuf_setlen(buf, len);
	return true;
}

bool user_name(uid_t uid, struct strbuf *buf)
{
	return from_files(uid, buf) || user_name_nss(uid, buf);
}
