/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_USER_H
#define VMSCOPE_BASE_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/strbuf.h"

/*
 * The login name of a user id, as getpwuid_r answers: true, the name in buf;
 * false when there is none. buf is also the scratch memory of the look-up
 * (a buffer the caller has used is faster than a new one: its pages are
 * there).
 *
 * getpwuid_r's first call in a process costs 0.3 to 0.5 ms where this was
 * measured (the name service's code faulted in, nsswitch.conf read), and
 * 1.4 ms for an id that is not in /etc/passwd (another module loaded), while
 * a report needs one name. So when nsswitch.conf makes /etc/passwd the first
 * source of passwd with no action after it, an id found there is answered
 * from the file: its first line of that id, which is what getpwuid_r answers
 * then. Everything else (the id not in the file, a line before it read
 * otherwise than the C library might, another source first, an action, a
 * file missing) is asked of getpwuid_r.
 */
bool user_name(uid_t uid, struct strbuf *buf);

/* The same from getpwuid_r alone (user_name's answer where the file cannot
 * give it); its buffer grows as getpwuid_r asks (ERANGE), to 1 MiB. */
bool user_name_nss(uid_t uid, struct strbuf *buf);

/* nsswitch.conf's text: does passwd ask "files" first, with no action after it? */
bool user_files_first(const char *buf, size_t len);

/*
 * Whole lines of /etc/passwd: the name of uid's first line among them, at
 * *ret_name for *ret_len bytes: 1. 0 when no line has that id; -EBADMSG when
 * a line before it is not plainly "name:password:uid:gid..." (the C library
 * might read it otherwise: the caller asks getpwuid_r).
 */
int user_passwd_find(const char *buf, size_t len, uid_t uid, const char **ret_name,
		     size_t *ret_len);

/*
 * The same from the file at fd, read a chunk at a time up to uid's line (a
 * file of 100,000 users is not held whole for root's name on its first
 * line): 1 and the name in buf, 0 none, or -errno: -EBADMSG a line read
 * otherwise or a NUL byte, -EFBIG a line still unended past 1 MiB.
 */
int user_passwd_read(int fd, uid_t uid, struct strbuf *buf);

#endif
