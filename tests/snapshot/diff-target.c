/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process that changes its address space in two known ways between two
 * stops: it stops itself (SIGSTOP) with a heap of one page; once continued
 * it grows the heap by HEAP_PAGES pages and loads the library LIB, touches
 * it, creates MARKER and stops again. It dies with its parent.
 *
 * usage: diff-target LIB MARKER
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#define HEAP_PAGES 64

static void grow_heap(long pages, long page)
{
	char *p = sbrk(pages * page);

	if (p == (void *)-1) {
		perror("diff-target: sbrk");
		exit(2);
	}
	for (long i = 0; i < pages; i++)
		((volatile char *)p)[i * page] = 1;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	void *lib;
	int (*touch)(void);
	int fd;

	if (argc != 3) {
		fputs("usage: diff-target LIB MARKER\n", stderr);
		return 2;
	}
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	grow_heap(1, page);
	raise(SIGSTOP);

	grow_heap(HEAP_PAGES, page);
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "diff-target: %s\n", dlerror());
		return 2;
	}
	*(void **)&touch = dlsym(lib, "difflib_touch");
	if (!touch || touch() != 0)
		return 2;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 2;
	close(fd);
	raise(SIGSTOP);
	for (;;)
		pause();
}
