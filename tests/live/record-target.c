/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process with two anonymous regions of known size for the recording
 * tests: "flat" (FLAT_MIB, every page touched at start, never again) and
 * "grow" (GROW_MIB reserved, nothing touched), kept apart by an
 * inaccessible page so that the kernel does not merge them. Each SIGUSR1
 * touches the next STEP_KIB of "grow" and prints "grew N". THP is off, so
 * Rss moves by whole small pages. A third region, "down", grows at its
 * start: DOWN_KIB read-write and touched below a guard page, in a reserve
 * of PROT_NONE; each SIGUSR1 opens and touches the DOWN_KIB below it, which
 * the kernel merges into it (its start moves down, its end stays). Prints
 * "flat ADDR BYTES", "grow ADDR BYTES", "down END BYTES" (its end and first
 * size), "ready", then waits; it dies with its parent.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define FLAT_MIB 4
#define GROW_MIB 64
#define STEP_KIB 1024
#define DOWN_MIB 16
#define DOWN_KIB 512

int main(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t flat = (size_t)FLAT_MIB << 20, grow = (size_t)GROW_MIB << 20;
	size_t step = (size_t)STEP_KIB << 10, touched = 0;
	size_t dstep = (size_t)DOWN_KIB << 10, down = (size_t)DOWN_MIB << 20;
	char *base, *g, *d, *dlow;
	sigset_t usr1;
	unsigned n = 0;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	base = mmap(NULL, flat + page + grow, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED || mprotect(base + flat, page, PROT_NONE) != 0) {
		perror("record-target: mmap");
		return 2;
	}
	g = base + flat + page;
	memset(base, 1, flat);
	/* the reserve, then a guard page on top: no neighbour to merge with */
	d = mmap(NULL, down + page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	dlow = d + down - dstep;
	if (d == MAP_FAILED || mprotect(dlow, dstep, PROT_READ | PROT_WRITE) != 0) {
		perror("record-target: mmap");
		return 2;
	}
	memset(dlow, 1, dstep);
	printf("flat %p %zu\ngrow %p %zu\ndown %p %zu\nready\n", (void *)base, flat, (void *)g,
	       grow, (void *)(d + down), dstep);
	fflush(stdout);

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	for (;;) {
		int sig;

		if (sigwait(&usr1, &sig) != 0)
			return 2;
		if (touched + step > grow || dlow - dstep < d)
			continue;
		for (size_t i = 0; i < step; i += page)
			g[touched + i] = 1;
		touched += step;
		dlow -= dstep;
		if (mprotect(dlow, dstep, PROT_READ | PROT_WRITE) != 0)
			return 2;
		memset(dlow, 1, dstep);
		printf("grew %u\n", ++n);
		fflush(stdout);
	}
}
