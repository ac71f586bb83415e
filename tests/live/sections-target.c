/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A target with sections of known size: a large const array (.rodata), a
 * large zeroed array (.bss) and a large initialized array (.data). It maps
 * the file named by argv[1] (a file that is not ELF), touches its arrays,
 * prints "ready" and stops itself; the test reads it while it is frozen.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG (1024 * 1024)

const char big_const[BIG] = { 1, 2, 3 };
char big_zero[4 * BIG];
char big_data[2 * BIG] = { 4, 5, 6 };

int main(int argc, char **argv)
{
	volatile char sum = 0;
	void *plain = MAP_FAILED;
	int fd;

	if (argc > 1) {
		fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			plain = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
			close(fd);
		}
	}
	for (size_t i = 0; i < sizeof(big_zero); i += 4096)
		big_zero[i] = (char)i;
	for (size_t i = 0; i < sizeof(big_data); i += 4096)
		sum = (char)(sum + big_data[i] + big_const[i / 2]);
	printf("ready %d\n", plain != MAP_FAILED);
	fflush(stdout);
	raise(SIGSTOP);
	return sum == 42;
}
