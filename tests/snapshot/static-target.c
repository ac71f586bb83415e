/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A statically linked process that stops itself: no page of it is shared
 * with another process (vmscope's own libc included), so its PSS holds
 * still while vmscope looks at it twice. It dies with its parent.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

int main(void)
{
	char *heap = malloc(256 * 1024);
	char *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (!heap || anon == MAP_FAILED)
		return 2;
	memset(heap, 1, 256 * 1024);
	memset(anon, 2, 300 * 1024);
	raise(SIGSTOP);
	return 0;
}
