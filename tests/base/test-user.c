/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_name: the name getpwuid_r answers, for every user of this machine and
 * for ids no user has; from /etc/passwd without getpwuid_r when
 * nsswitch.conf asks "files" first. The two readers it decides by, on texts
 * that say yes and texts that must send it to getpwuid_r.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/strbuf.h"
#include "base/user.h"

typedef int getpwuid_r_fn(uid_t, struct passwd *, char *, size_t, struct passwd **);
static unsigned nss_calls;
static size_t erange_below; /* a buffer smaller is refused (ERANGE) */

/* vmscope's calls come here: counted, then answered by the C library. */
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	getpwuid_r_fn *real = (getpwuid_r_fn *)dlsym(RTLD_NEXT, "getpwuid_r");

	nss_calls++;
	if (size < erange_below) {
		*res = NULL;
		return ERANGE;
	}
	return real(uid, pw, buf, size, res);
}

/* The library's answer, not counted: NULL for none. */
static char *library_name(uid_t uid)
{
	getpwuid_r_fn *real = (getpwuid_r_fn *)dlsym(RTLD_NEXT, "getpwuid_r");
	struct passwd pw, *res = NULL;
	static char buf[1 << 16];

	if (real(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return NULL;
	return strdup(res->pw_name);
}

static bool files_first(const char *text)
{
	return user_files_first(text, strlen(text));
}

static void test_files_first(void **state)
{
	(void)state;
	assert_true(files_first("passwd:         files systemd\ngroup:          files systemd\n"));
	assert_true(files_first("passwd:files"));
	assert_true(files_first("  passwd  :\tfiles\r\n"));
	assert_true(files_first("# passwd: ldap\npasswd: files # and nothing else\n"));
	assert_true(files_first("passwd: files ldap [NOTFOUND=return] sss\n"));
	assert_true(files_first("hosts: files dns\npasswd: files\nshadow: files"));
	/* another source first, an action after files, no files */
	assert_false(files_first("passwd: sss files\n"));
	assert_false(files_first("passwd: compat\n"));
	assert_false(files_first("passwd: files [NOTFOUND=return] ldap\n"));
	assert_false(files_first("passwd: files[SUCCESS=continue] ldap\n"));
	assert_false(files_first("passwd: filesystem\n"));
	assert_false(files_first("passwd: file\n"));
	assert_false(files_first("passwd: # files\n"));
	assert_false(files_first("passwd:\n"));
	/* no passwd line, two, or one the library may read otherwise */
	assert_false(files_first(""));
	assert_false(files_first("group: files\nshadow: files\n"));
	assert_false(files_first("passwd files\n"));
	assert_false(files_first("passwd: files\npasswd: ldap\n"));
	assert_false(files_first("passwd: ldap\npasswd: files\n"));
	assert_false(files_first("Passwd: files\n"));
	assert_false(files_first("#passwd: files\n"));
	/* "passwdx" is not passwd */
	assert_true(files_first("passwdx: ldap\npasswd: files\n"));
}

static const char *find(const char *text, uid_t uid)
{
	static char name[256];
	const char *p;
	size_t len;

	if (user_passwd_find(text, strlen(text), uid, &p, &len) != 1)
		return NULL;
	assert_true(len < sizeof(name));
	memcpy(name, p, len);
	name[len] = '\0';
	return name;
}

static void test_passwd_find(void **state)
{
	static const char passwd[] =
		"root:x:0:0:root:/root:/bin/bash\n"
		"\n"
		"# a comment\n"
		"  \tdaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		"+nis:x:2:2::/:\n"
		"-gone:x:3:3::/:\n"
		"short:x:4:4\n"
		"bin:*:2:2:bin:/bin:/usr/sbin/nologin\n"
		"twice:x:1000:1000::/home/a:/bin/sh\n"
		"again:x:1000:1000::/home/b:/bin/sh\n"
		"empty::5:5:::\r\n"
		"last:x:4294967295:7::/:";

	(void)state;
	assert_string_equal(find(passwd, 0), "root");
	assert_string_equal(find(passwd, 1), "daemon");
	assert_string_equal(find(passwd, 2), "bin"); /* not the NIS line's */
	assert_null(find(passwd, 3));
	assert_string_equal(find(passwd, 4), "short");
	assert_string_equal(find(passwd, 1000), "twice"); /* the first line of the id */
	assert_string_equal(find(passwd, 5), "empty");
	assert_string_equal(find(passwd, 4294967295u), "last");
	assert_null(find(passwd, 6));
	assert_null(find("", 0));
	{
		const char *name;
		size_t len;

		/* none, not a line read otherwise */
		assert_int_equal(user_passwd_find(passwd, strlen(passwd), 6, &name, &len), 0);
	}
}

/* A line the library might read otherwise ends the search before it;
 * after the answer it does not matter. */
static void test_passwd_unread(void **state)
{
	static const char *const before[] = {
		"big:x:4294967296:0::/:\n",  /* more than an id holds: the library's cut */
		"sign:x:+0:0::/:\n",
		"space:x: 0:0::/:\n",
		"nogid:x:0::/:\n",
		"nogid2:x:0\n",
		"letters:x:0x0:0::/:\n",
		"long:x:00000000000:0::/:\n",
		"nocolon\n",
		"onecolon:x\n",
		"\xc2\xa0nbsp:x:9:9::/:\n",
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		const char *name;
		size_t len;

		snprintf(text, sizeof(text), "%sroot:x:0:0::/:\n", before[i]);
		assert_int_equal(user_passwd_find(text, strlen(text), 0, &name, &len), -EBADMSG);
		assert_null(find(text, 0));
		snprintf(text, sizeof(text), "root:x:0:0::/:\n%s", before[i]);
		assert_string_equal(find(text, 0), "root");
	}
}

/* Every user of this machine, and ids of none, as the library names them;
 * from the file alone where nsswitch.conf asks it first. */
/* user_passwd_read's answer for uid from the file fd, read from its start. */
static int read_from(int fd, uid_t uid, struct strbuf *buf)
{
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return user_passwd_read(fd, uid, buf);
}

/* A file of 100,000 users read a chunk at a time: names on lines that
 * straddle chunks, a long line carried over, the read stopped at the line
 * asked for, the end without a newline; refused: a NUL, a line of 2 MiB. */
static void test_passwd_read(void **state)
{
	int fd = memfd_create("passwd", MFD_CLOEXEC);
	struct strbuf text, buf;
	char name[32];

	(void)state;
	assert_true(fd >= 0);
	strbuf_init(&text);
	strbuf_init(&buf);
	for (unsigned id = 1000; id < 101000; id++) {
		strbuf_addf(&text, "user%u:x:%u:%u:", id, id, id);
		if (id == 60000) /* a gecos of 40 KiB: three chunks */
			for (unsigned k = 0; k < 40 * 1024; k++)
				strbuf_addch(&text, 'g');
		strbuf_addf(&text, ":/home/user%u:/bin/sh%s", id, id < 100999 ? "\n" : "");
	}
	assert_int_equal(write(fd, text.buf, text.len), (ssize_t)text.len);
	assert_int_equal(read_from(fd, 1000, &buf), 1);
	assert_string_equal(buf.buf, "user1000");
	/* stopped after the first chunk, not the 3 MiB */
	assert_true(lseek(fd, 0, SEEK_CUR) <= 16 * 1024);
	for (unsigned id = 1001; id < 101000; id += 997) {
		snprintf(name, sizeof(name), "user%u", id);
		assert_int_equal(read_from(fd, id, &buf), 1);
		assert_string_equal(buf.buf, name);
		assert_int_equal(buf.len, strlen(name));
	}
	assert_int_equal(read_from(fd, 60000, &buf), 1);
	assert_string_equal(buf.buf, "user60000");
	assert_int_equal(read_from(fd, 60001, &buf), 1);
	assert_string_equal(buf.buf, "user60001");
	assert_int_equal(read_from(fd, 100999, &buf), 1); /* the last, no newline */
	assert_string_equal(buf.buf, "user100999");
	assert_int_equal(read_from(fd, 5, &buf), 0);

	/* a NUL byte; a line of more than 1 MiB before the id */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(write(fd, "a:x:1:1::/:\n\0b:x:0:0::/:\n", 24), 24);
	/* not text: left to the library, whichever id (the first line's too,
	 * in the chunk read with the NUL) */
	assert_int_equal(read_from(fd, 1, &buf), -EBADMSG);
	assert_int_equal(read_from(fd, 0, &buf), -EBADMSG);
	strbuf_reset(&text);
	strbuf_addstr(&text, "long:x:7:7:");
	for (unsigned k = 0; k < (2u << 20); k++)
		strbuf_addch(&text, 'g');
	strbuf_addstr(&text, "::\nroot:x:0:0::/:\n");
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(write(fd, text.buf, text.len), (ssize_t)text.len);
	assert_int_equal(read_from(fd, 0, &buf), -EFBIG);
	close(fd);
	strbuf_release(&text);
	strbuf_release(&buf);
}

/* A file of this machine's /etc, read as vmscope reads it (a link followed). */
static void read_etc(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "re");
	char chunk[4096];
	size_t n;

	strbuf_reset(out);
	if (!f)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(out, chunk, n);
	fclose(f);
}

/* Every user of this machine, and ids of none, as the library names them;
 * from the file alone where nsswitch.conf asks it first and the file has
 * the id. */
static void test_machine(void **state)
{
	struct strbuf nss, passwd, buf, grown;
	bool files;
	struct passwd *pw;
	unsigned n = 0, from_file = 0;
	static const uid_t none[] = { 1234567, 4294967294u, 999999 };

	(void)state;
	strbuf_init(&nss);
	strbuf_init(&passwd);
	strbuf_init(&buf);
	read_etc("/etc/nsswitch.conf", &nss);
	read_etc("/etc/passwd", &passwd);
	files = user_files_first(nss.buf, nss.len);
	setpwent();
	while ((pw = getpwent())) {
		uid_t uid = pw->pw_uid;
		char *want = library_name(uid);
		const char *name;
		size_t len;
		bool got, in_file = files &&
				    user_passwd_find(passwd.buf, passwd.len, uid, &name, &len) == 1;

		nss_calls = 0;
		got = user_name(uid, &buf);
		assert_non_null(want);
		assert_true(got);
		assert_string_equal(buf.buf, want);
		assert_int_equal(buf.len, strlen(want));
		assert_int_equal(nss_calls, in_file ? 0 : 1);
		from_file += in_file;
		/* the name service's own answer, in a buffer it made grow */
		nss_calls = 0;
		erange_below = 9000;
		strbuf_init(&grown);
		assert_true(user_name_nss(uid, &grown));
		erange_below = 0;
		assert_string_equal(grown.buf, want);
		assert_int_equal(grown.len, strlen(want));
		assert_true(nss_calls >= 2 && grown.alloc >= 9000);
		strbuf_release(&grown);
		n++;
		free(want);
	}
	endpwent();
	assert_true(n > 0);
	/* root's line, at least, where the file is asked first */
	assert_true(files ? from_file > 0 : from_file == 0);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		char *want = library_name(none[i]);

		nss_calls = 0;
		strbuf_addstr(&buf, "stale");
		if (want) {
			assert_true(user_name(none[i], &buf));
			assert_string_equal(buf.buf, want);
		} else {
			assert_false(user_name(none[i], &buf));
			assert_int_equal(buf.len, 0);
		}
		assert_int_equal(nss_calls, 1); /* not in the file: asked */
		free(want);
	}
	strbuf_release(&nss);
	strbuf_release(&passwd);
	strbuf_release(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_first),
		cmocka_unit_test(test_passwd_find),
		cmocka_unit_test(test_passwd_unread),
		cmocka_unit_test(test_passwd_read),
		cmocka_unit_test(test_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
