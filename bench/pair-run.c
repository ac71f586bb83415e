/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paired timings for bench/ (paired.sh):
 *
 *   pair-run [--from-cpu CPU] RUNS REF [ARG...] -- NAME CMD [ARG...]
 *            [-- NAME CMD [ARG...]]...
 *
 * RUNS rounds; in each, every NAME in turn runs as a pair: REF, then its
 * CMD. The first NAME of a round moves on by one each round, so that a
 * spell in which the machine runs slower falls on all of them alike. Each
 * run is timed from posix_spawn to wait4 (CLOCK_MONOTONIC), with stdout on
 * /dev/null, stdin and stderr inherited, and PATH searched. For each NAME,
 * one line:
 *
 *   NAME REF_MS CMD_MS RATIO PEAK_KIB
 *
 * the medians of REF's and CMD's times (ms, three decimals), the median of
 * the pairs' ratios CMD/REF (four decimals), and CMD's largest peak
 * resident set. A command that cannot be run, exits with a status other
 * than 0 or is killed ends it: exit 1 and a message naming it.
 *
 * --from-cpu CPU starts every command on that CPU (one pair-run may use):
 * pair-run runs there and each command begins there, then may run on all
 * the CPUs pair-run could (given back to it as soon as it has started,
 * long before a program makes its first thread). On a virtual machine one
 * vCPU can run a program slower than another for minutes at a time; a
 * program of one thread runs where it starts, while one that starts a
 * thread on another CPU (vmscope's reader) gets the other vCPU for it, so
 * their ratio follows where the pair began (README, Speed).
 *
 * A program of its own rather than the shell's clock around each command:
 * a shell forks a copy of itself for every command, which on a machine of
 * dear page faults (a fork copies the page tables, and each page written
 * after it faults again) costs 2 to 3 ms, the same on both sides of a pair:
 * the ratios come out nearer 1 than the commands are (README, Speed, the
 * twenty-sixth round). posix_spawn runs the command without copying this
 * small program's memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/median.h"

extern char **environ;

struct pair {
	const char *name;
	char **cmd;
	double *ref_ms, *cmd_ms;
	double *ratio;
	long peak_kib;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* With --from-cpu: the CPUs a command may use once started. */
static cpu_set_t widen_to;
static bool widen;

/* Runs argv once; its wall time in ms, or -1 (said why) when it failed. */
static double timed_run(char **argv, const posix_spawn_file_actions_t *fa, long *peak_kib)
{
	struct rusage ru;
	int64_t t0 = now_ns();
	pid_t pid;
	int status, r;

	r = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
	if (r) {
		fprintf(stderr, "pair-run: %s: %s\n", argv[0], strerror(r));
		return -1;
	}
	/* posix_spawn returns once the command is exec'd: started where
	 * this program runs, it may now go anywhere it could */
	if (widen && sched_setaffinity(pid, sizeof(widen_to), &widen_to) != 0)
		fprintf(stderr, "pair-run: sched_setaffinity: %s\n", strerror(errno));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "pair-run: wait4: %s\n", strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "pair-run: %s: killed by signal %d\n", argv[0], WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status)) {
		fprintf(stderr, "pair-run: %s: exit status %d\n", argv[0], WEXITSTATUS(status));
		return -1;
	}
	if (peak_kib && ru.ru_maxrss > *peak_kib)
		*peak_kib = ru.ru_maxrss;
	return (double)(now_ns() - t0) / 1e6;
}

static void *must_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("pair-run: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static int usage(void)
{
	fputs("usage: pair-run [--from-cpu CPU] RUNS REF [ARG...] -- NAME CMD [ARG...] "
	      "[-- NAME CMD [ARG...]]...\n",
	      stderr);
	return 2;
}

/* --from-cpu CPU: this program onto cpu, the set it had kept for the
 * commands; 0, or 2 (said why). */
static int from_cpu(const char *arg)
{
	cpu_set_t one;
	char *end;
	long cpu;

	errno = 0;
	cpu = strtol(arg, &end, 10);
	if (sched_getaffinity(0, sizeof(widen_to), &widen_to) != 0) {
		fprintf(stderr, "pair-run: sched_getaffinity: %s\n", strerror(errno));
		return 2;
	}
	if (errno || *end || end == arg || cpu < 0 || cpu >= CPU_SETSIZE ||
	    !CPU_ISSET((int)cpu, &widen_to)) {
		fprintf(stderr, "pair-run: --from-cpu: not a CPU this program may use: %s\n", arg);
		return 2;
	}
	CPU_ZERO(&one);
	CPU_SET((int)cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0) {
		fprintf(stderr, "pair-run: sched_setaffinity: %s\n", strerror(errno));
		return 2;
	}
	widen = true;
	return 0;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct pair *pairs;
	char **ref, *end;
	size_t n = 0, runs, round, k;
	long v;
	int i;

	if (argc > 2 && strcmp(argv[1], "--from-cpu") == 0) {
		int r = from_cpu(argv[2]);

		if (r)
			return r;
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		return usage();
	errno = 0;
	v = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || v < 1 || v > 100000) {
		fprintf(stderr, "pair-run: RUNS must be a count from 1 to 100000: %s\n", argv[1]);
		return 2;
	}
	runs = (size_t)v;
	for (i = 2; i < argc; i++)
		n += strcmp(argv[i], "--") == 0;
	pairs = must_calloc(n ? n : 1, sizeof(*pairs));
	ref = argv + 2;
	/* each "--" ends the words before it and begins NAME CMD... */
	n = 0;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		argv[i] = NULL;
		if (i + 2 >= argc || strcmp(argv[i + 1], "--") == 0 || strcmp(argv[i + 2], "--") == 0)
			return usage();
		pairs[n].name = argv[i + 1];
		pairs[n].cmd = argv + i + 2;
		pairs[n].ref_ms = must_calloc(runs, sizeof(double));
		pairs[n].cmd_ms = must_calloc(runs, sizeof(double));
		pairs[n].ratio = must_calloc(runs, sizeof(double));
		n++;
	}
	if (!n || !ref[0])
		return usage();

	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)) {
		fputs("pair-run: posix_spawn_file_actions: out of memory\n", stderr);
		return 1;
	}
	for (round = 0; round < runs; round++) {
		for (k = 0; k < n; k++) {
			struct pair *p = &pairs[(k + round) % n];
			double a = timed_run(ref, &fa, NULL);
			double b = a < 0 ? -1 : timed_run(p->cmd, &fa, &p->peak_kib);

			if (b < 0)
				return 1;
			p->ref_ms[round] = a;
			p->cmd_ms[round] = b;
			p->ratio[round] = a > 0 ? b / a : b;
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	for (k = 0; k < n; k++) {
		struct pair *p = &pairs[k];

		printf("%s %.3f %.3f %.4f %ld\n", p->name, bench_median(p->ref_ms, runs),
		       bench_median(p->cmd_ms, runs), bench_median(p->ratio, runs), p->peak_kib);
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
