/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-target PAGES: maps the test library, touches PAGES of its data, says
 * "ready" and stops itself, so that the library's memory stays put while a
 * test reads it. SIGCONT lets it run on until it is killed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

unsigned long vmstest_touch(size_t pages);

int main(int argc, char **argv)
{
	char *end;
	unsigned long pages = argc > 1 ? strtoul(argv[1], &end, 10) : 16;

	if (argc > 1 && (*end || end == argv[1])) {
		fprintf(stderr, "usage: lib-target [PAGES]\n");
		return 2;
	}
	printf("sum %lu\n", vmstest_touch(pages));
	puts("ready");
	fflush(stdout);
	raise(SIGSTOP);
	for (;;)
		pause();
}
