/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON text: the size cap, strict parsing with json-c, and positions in it. */
#include "config.h"

#include "json/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/procfile.h"
#include "base/xalloc.h"

/* Walking the text, and positions in it. */

size_t vms_json_skip_ws(const char *b, size_t len, size_t i)
{
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i;
}

/* Past the string starting at the quote at i. */
size_t vms_json_skip_string(const char *b, size_t len, size_t i)
{
	for (i++; i < len && b[i] != '"'; i++)
		if (b[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* Past the value starting at i; i itself when a closing bracket is there. */
size_t vms_json_skip_value(const char *b, size_t len, size_t i)
{
	unsigned depth = 0;

	do {
		if (i >= len)
			return len;
		if (b[i] == '"') {
			i = vms_json_skip_string(b, len, i);
			continue;
		}
		if (b[i] == '{' || b[i] == '[') {
			depth++;
		} else if (b[i] == '}' || b[i] == ']') {
			/* no value ("a": }): not a bracket that closes all the rest */
			if (depth == 0)
				return i;
			depth--;
		} else if (depth == 0) {
			/* a scalar: up to the next delimiter */
			while (i < len && !strchr(",}] \t\r\n", b[i]))
				i++;
			return i;
		}
		i++;
	} while (depth > 0);
	return i;
}

void vms_json_set_position(struct vms_load_error *err, const char *buf, size_t len, size_t off)
{
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else if (col < UINT_MAX) {
			col++;
		}
	}
	err->line = line;
	err->column = col;
}

/* What any JSON text must be before json-c sees it: not too big, not empty,
 * no NUL; and json-c loaded. */
int vms_json_check_text(const char *buf, size_t len, const char *what, struct vms_load_error *err)
{
	const char *nul, *why;

	*err = (struct vms_load_error){ 0 };
	if (jsonc_load(&why) < 0) {
		snprintf(err->message, sizeof(err->message), "no JSON reader: %s", why);
		return -ELIBACC;
	}
	if (len > VMS_LOAD_MAX_BYTES) {
		snprintf(err->message, sizeof(err->message), "larger than %u MiB",
			 VMS_LOAD_MAX_BYTES >> 20);
		return -EFBIG;
	}
	if (len == 0) {
		err->line = err->column = 1;
		snprintf(err->message, sizeof(err->message), "empty file: not a %s", what);
		return -EBADMSG;
	}
	nul = memchr(buf, '\0', len);
	if (nul) {
		vms_json_set_position(err, buf, len, (size_t)(nul - buf));
		snprintf(err->message, sizeof(err->message), "a NUL byte: not JSON text");
		return -EBADMSG;
	}
	return 0;
}

int vms_json_parse_text(const char *buf, size_t len, const char *what, struct json_object **ret,
			struct vms_load_error *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	int r;

	*ret = NULL;
	r = vms_json_check_text(buf, len, what, err);
	if (r < 0)
		return r;
	tok = json_tokener_new_ex(VMS_JSON_MAX_DEPTH);
	if (!tok)
		die_oom(sizeof(*tok));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = vms_json_tokener_parse(tok, buf, (int)len);
	/* root is NULL for the text "null" too: a value, which the caller
	 * finds of the wrong type */
	if (json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok);

		/* continue: the text ended inside a value */
		snprintf(err->message, sizeof(err->message), "%s",
			 e == json_tokener_continue ? "unexpected end of file"
						    : json_tokener_error_desc(e));
		/* json-c stops at the offending character */
		vms_json_set_position(err, buf, len, at);
		json_object_put(root);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	if (vms_json_skip_ws(buf, len, json_tokener_get_parse_end(tok)) != len) {
		vms_json_set_position(err, buf, len,
				      vms_json_skip_ws(buf, len, json_tokener_get_parse_end(tok)));
		snprintf(err->message, sizeof(err->message), "text after the %s", what);
		json_object_put(root);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	*ret = root;
	return 0;
}

struct json_object *vms_json_tokener_parse(struct json_tokener *tok, const char *buf, int len)
{
	/* glibc: the C locale object itself, neither allocated nor freed */
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t old = c ? uselocale(c) : (locale_t)0;
	struct json_object *v = json_tokener_parse_ex(tok, buf, len);

	if (c) {
		uselocale(old);
		freelocale(c);
	}
	return v;
}

/* The file at path into out, capped; 0, or -errno with err->message set. */
static int read_capped(int dirfd, const char *path, struct strbuf *out,
		       struct vms_load_error *err)
{
	struct stat st;
	int fd, r;

	*err = (struct vms_load_error){ 0 };
	/* O_NONBLOCK: a FIFO without a writer cannot block the open */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		snprintf(err->message, sizeof(err->message), "%s", strerror(-r));
		return r;
	}
	/* a regular file says its size: refuse a huge one before reading it; a
	 * pipe (--budget -) is read up to the cap; a device (/dev/zero) never */
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > VMS_LOAD_MAX_BYTES)
		r = -EFBIG;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		r = -PROCFILE_ENOTREG;
	else if (fcntl(fd, F_SETFL, 0) < 0) /* a pipe's writer is waited for */
		r = -errno;
	else
		r = 0;
	if (r == 0)
		r = procfile_read_fd(fd, VMS_LOAD_MAX_BYTES, PROCFILE_ALLOW_NUL, out);
	close(fd);
	/* A FIFO whose writer has not opened it yet reads as empty at once
	 * (the open does not wait: nothing blocks); "empty file" would send
	 * the user looking at a file. */
	if (r == 0 && out->len == 0 && S_ISFIFO(st.st_mode)) {
		snprintf(err->message, sizeof(err->message),
			 "nothing came through the pipe (its writer wrote nothing, or had not opened it)");
		return -ENODATA;
	}
	if (r == -EFBIG)
		snprintf(err->message, sizeof(err->message), "larger than %u MiB",
			 VMS_LOAD_MAX_BYTES >> 20);
	else if (r < 0)
		snprintf(err->message, sizeof(err->message), "%s", procfile_strerror(r));
	return r < 0 ? r : 0;
}

int vms_load_file(int dirfd, const char *path, vms_load_parse_fn parse, void *ctx,
		  struct vms_load_error *err)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = read_capped(dirfd, path, &sb, err);
	if (r == 0)
		r = parse(sb.buf, sb.len, ctx, err);
	strbuf_release(&sb);
	return r;
}
