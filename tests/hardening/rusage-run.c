/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a command and says what it cost, for the size tests and bench/:
 *
 *   rusage-run STATS COMMAND [ARG...]
 *
 * COMMAND inherits stdin, stdout and stderr; once it is reaped (wait4), STATS
 * gets one line "status S maxrss_kib K cpu_ms C wall_ms W": its exit status
 * (128 + the signal when killed), its peak resident set, its user plus
 * system time and the wall time. rusage-run exits with the same status, or
 * 127 when COMMAND cannot be run. It is a small program of its own rather
 * than the shell, so the peak is the command's (a forked child's resident
 * set before exec counts towards its peak too).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000L + (b->tv_nsec - a->tv_nsec) / 1000000L;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *stats;
	pid_t pid;
	int status, code;
	long cpu_ms;

	if (argc < 3) {
		fputs("usage: rusage-run STATS COMMAND [ARG...]\n", stderr);
		return 127;
	}
	stats = fopen(argv[1], "we");
	if (!stats) {
		fprintf(stderr, "rusage-run: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rusage-run: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage-run: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rusage-run: wait4: %s\n", strerror(errno));
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
		 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
	fprintf(stats, "status %d maxrss_kib %ld cpu_ms %ld wall_ms %ld\n", code, ru.ru_maxrss,
		cpu_ms, ms_between(&t0, &t1));
	if (fclose(stats) != 0) {
		fprintf(stderr, "rusage-run: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	return code;
}
