/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process whose names are hostile, for tests/hardening/test-hostile.sh:
 *
 *   hostile-target DIR [ARG...]
 *
 * Its comm (and a thread's) holds terminal escape sequences, its command
 * line is its own argv (the test passes hostile arguments), and it maps
 * files it creates in DIR whose names hold a newline, ESC [2J, an OSC 52
 * clipboard write, a C1 CSI (U+009B), BEL, DEL and invalid UTF-8 bytes.
 * Then it prints "ready" and stops itself; it dies with its parent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "hostile-target: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Names of at most 15 bytes: the kernel keeps no more of a comm. */
static const char main_comm[] = "\x1b[2J\x07\xc2\x9b" "31m\xff" "x";
static const char thread_comm[] = "\x1b]52;c;SGk=\x07";

static const char *const file_names[] = {
	"new\nline",
	"esc\x1b[2Jclear",
	"osc\x1b]52;c;SGVsbG8=\x07" "clip",
	"c1\xc2\x9b" "31mred",
	"bad\xff\xfe\xc0\xafutf8",
	"bel\x07" "del\x7f" "tab\tcr\r",
	"deleted\x1b[1m\n",
};

static void *thread_main(void *arg)
{
	int *done = arg;

	(void)prctl(PR_SET_NAME, thread_comm);
	if (write(*done, "r", 1) != 1)
		fail("write");
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	pthread_t thread;
	int dir, done[2];
	char c;

	if (argc < 2) {
		fputs("usage: hostile-target DIR [ARG...]\n", stderr);
		return 2;
	}
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		fail(argv[1]);
	for (size_t i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++) {
		int fd = openat(dir, file_names[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		char *p;

		if (fd < 0)
			fail("openat");
		if (ftruncate(fd, 2 * page) < 0)
			fail("ftruncate");
		/* Alternate private and shared mappings: both kinds of name path. */
		p = mmap(NULL, (size_t)(2 * page), PROT_READ | PROT_WRITE,
			 (i & 1) ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		p[0] = 1;
		close(fd);
		/* The last one is deleted: its name gains " (deleted)". */
		if (i + 1 == sizeof(file_names) / sizeof(file_names[0]) &&
		    unlinkat(dir, file_names[i], 0) < 0)
			fail("unlinkat");
	}
	close(dir);
	if (pipe(done) < 0)
		fail("pipe");
	if (pthread_create(&thread, NULL, thread_main, &done[1]) != 0)
		fail("pthread_create");
	if (prctl(PR_SET_NAME, main_comm) < 0)
		fail("prctl");
	/* The thread has renamed itself before the test looks. */
	if (read(done[0], &c, 1) != 1)
		fail("read");
	puts("ready");
	fflush(stdout);
	raise(SIGSTOP);
	for (;;)
		pause();
}
