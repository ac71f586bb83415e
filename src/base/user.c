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

/* The largest /etc/passwd read here (about 150,000 users); a larger one is
 * left to getpwuid_r. */
#define PASSWD_CAP (8u << 20)
#define NSSWITCH_CAP (64u << 10)

/* What the C library's name service skips as white space (isspace in C). */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The next line of [*p, end), without its '\n'; false at the end. */
static bool next_line(const char **p, const char *end, const char **ret, const char **ret_end)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*ret = *p;
	*ret_end = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	return true;
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
	const char *p = buf, *end = buf + len, *line, *eol, *services = NULL, *services_end = NULL;
	unsigned passwd_lines = 0;

	while (next_line(&p, end, &line, &eol)) {
		const char *hash = memchr(line, '#', (size_t)(eol - line)), *name;

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

bool user_passwd_find(const char *buf, size_t len, uid_t uid, const char **ret_name,
		      size_t *ret_len)
{
	const char *p = buf, *end = buf + len, *line, *eol;

	while (next_line(&p, end, &line, &eol)) {
		const char *name, *colon;
		uint32_t id, gid;

		while (line < eol && is_space(*line))
			line++;
		if (line == eol || *line == '#')
			continue;
		/* a byte a locale might call a space is not skipped here */
		if ((unsigned char)*line >= 0x80)
			return false;
		name = line;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			return false;
		/* the password, then the ids */
		line = memchr(colon + 1, ':', (size_t)(eol - colon - 1));
		if (!line)
			return false;
		line++;
		if (!parse_id(&line, eol, false, &id) || !parse_id(&line, eol, true, &gid))
			return false;
		/* the library never answers an id with a NIS compat line */
		if (*name == '+' || *name == '-')
			continue;
		if (id == (uint32_t)uid) {
			*ret_name = name;
			*ret_len = (size_t)(colon - name);
			return true;
		}
	}
	return false;
}

/* A system file, followed if it is a link, read whole if regular. */
static int read_etc(const char *path, size_t cap, struct strbuf *out)
{
	struct stat st;
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		r = -PROCFILE_ENOTREG;
	else
		r = procfile_read_fd(fd, cap, 0, out);
	close(fd);
	return r;
}

static bool from_files(uid_t uid, struct strbuf *buf)
{
	const char *name;
	size_t len;

	if (read_etc("/etc/nsswitch.conf", NSSWITCH_CAP, buf) < 0 ||
	    !user_files_first(buf->buf, buf->len) ||
	    read_etc("/etc/passwd", PASSWD_CAP, buf) < 0 ||
	    !user_passwd_find(buf->buf, buf->len, uid, &name, &len) || len == 0)
		return false;
	memmove(buf->buf, name, len);
	strbuf_setlen(buf, len);
	return true;
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
