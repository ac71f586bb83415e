/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the live tests (cmocka, json-c) share: starting a target and reading
 * the "key value..." lines it prints before "ready", waiting for it to stop
 * itself, running vmscope with its output captured and parsing its JSON,
 * finding a region, reading files whole, ending a target. Each fails the
 * running test with a message rather than returning an error.
 */
#ifndef VMSCOPE_TESTS_LIVETEST_H
#define VMSCOPE_TESTS_LIVETEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

/* ---- JSON ---------------------------------------------------------------- */

/* The member key of o; fails the test when o has none. */
json_object *lt_get(json_object *o, const char *key);

/* Member key of o as an unsigned number; fails when it is missing or no integer. */
uint64_t lt_num(json_object *o, const char *key);

/* The region of a report or snapshot that starts at addr; NULL without one. */
json_object *lt_region_find(json_object *report, uint64_t addr);
/* The same; fails the test without one. */
json_object *lt_region_at(json_object *report, uint64_t addr);

/* ---- files --------------------------------------------------------------- */

/* The whole file, NUL-terminated (free it); NULL when it cannot be opened. */
char *lt_slurp_maybe(const char *path);
/* The same; fails the test when the file cannot be opened. */
char *lt_slurp(const char *path);

/* ---- what the kernel says ------------------------------------------------ */

struct lt_smaps_entry {
	uint64_t start, end;
	/* bytes; 0 when its smaps entry has no such line */
	uint64_t rss, swap, anon_huge, referenced;
};

/*
 * The /proc/<pid>/smaps entry holding addr (fails when smaps cannot be
 * opened); false, with *ret zero, unless there is one.
 */
bool lt_smaps_entry(pid_t pid, uint64_t addr, struct lt_smaps_entry *ret);

/*
 * The kernel's smaps, summed over the entries that hold addr (addr != 0) or
 * map inode (inode != 0): the value of each key in keys (kB lines, in bytes).
 * Also the entries' count, the range of the first, and for the inode the
 * bytes of the file they map (the union of their offset ranges) and how many
 * map its first page. Fails when smaps cannot be opened; returns whether an
 * entry matched.
 */
struct lt_smaps_sum {
	uint64_t v[4];
	unsigned entries, first_page_maps;
	uint64_t start, end; /* of the first entry that matched */
	uint64_t distinct;
};

bool lt_smaps_sum(pid_t pid, uint64_t addr, uint64_t inode, const char *const keys[4],
		  struct lt_smaps_sum *ret);

/* ---- processes ----------------------------------------------------------- */

/* How lt_target_start and lt_run_start run a program. */
enum {
	LT_NULL_STDIN = 1 << 0, /* stdin is /dev/null (else this process's) */
	LT_OWN_GROUP = 1 << 1,  /* in a process group of its own, killed whole */
};

#define LT_ARGV_MAX 32

/*
 * Fills argv (LT_ARGV_MAX entries) with prefix (may be NULL; a program such
 * as setpriv that runs the rest), bin, then args (NULL-terminated); fails
 * when they do not fit.
 */
void lt_argv(const char **argv, const char *const *prefix, const char *bin,
	     const char *const *args);

struct lt_target {
	pid_t pid;
	FILE *out;    /* its stdout, NULL once closed */
	char *lines;  /* what it printed up to the last lt_target_read_until */
	size_t len;
	bool group;   /* LT_OWN_GROUP */
	char name[64];
};

/*
 * Starts argv (argv[0] looked up in PATH unless it has a '/') with its
 * stdout on a pipe, dying with this process. setup (may be NULL) runs in the
 * child before exec with data; it _exits when something fails.
 */
void lt_target_start(struct lt_target *t, const char *const *argv, unsigned flags,
		     void (*setup)(const void *data), const void *data);

/* Reads and keeps lines up to and with one starting with until; false at end of output. */
bool lt_target_read_until(struct lt_target *t, const char *until);

/*
 * With until, reads up to it (fails, ending the target, when the output ends
 * first); then waits for the target to stop itself and fails if it did not.
 */
void lt_target_wait_stopped(struct lt_target *t, const char *until);

/* The words after "key " of the first line starting so, or NULL. */
const char *lt_target_line(const struct lt_target *t, const char *key);

/*
 * The n numbers (any base strtoull takes with base 0) of the target's
 * "key v0 v1..." line, 0 for those it lacks; false without one.
 */
bool lt_target_fact(const struct lt_target *t, const char *key, uint64_t *v, unsigned n);

/* Closes its stdout: what it writes after this is lost. */
void lt_target_close_out(struct lt_target *t);

/*
 * Kills and reaps the target (with LT_OWN_GROUP its group too, and the
 * children of it that came back to this subreaper), closes its stdout,
 * frees its lines; *t is then zero. Does nothing more to a zero target.
 */
void lt_target_stop(struct lt_target *t);

/* A program run with its stdout and stderr in memory files. */
struct lt_run {
	pid_t pid;
	int out_fd, err_fd;
	int wstatus;            /* as waitpid gave it */
	int code;               /* its exit code, -1 when a signal ended it */
	char *out, *err;        /* what it wrote, NUL-terminated, once waited for */
	size_t out_len, err_len;
};

/* Starts argv (looked up as lt_target_start does) in the background. */
void lt_run_start(struct lt_run *r, const char *const *argv, unsigned flags);

/* What it has written to stderr so far (free it). */
char *lt_run_peek_err(const struct lt_run *r);

/*
 * Waits (up to 3 s) until the first line of the running program's standard
 * error holds word; fails when it does not.
 */
void lt_run_await_err(const struct lt_run *r, const char *word);

/* Waits for it to end and reads what it wrote. */
void lt_run_wait(struct lt_run *r);

/* lt_run_start and lt_run_wait. */
void lt_run(struct lt_run *r, const char *const *argv, unsigned flags);

/* Its exit code; fails, with its stderr, when a signal ended it. */
int lt_exit_code(const struct lt_run *r);

/* Its stdout as JSON (put it); fails unless it exited 0 and printed a document. */
json_object *lt_run_json(const struct lt_run *r);

/* Frees what lt_run_wait read and closes the files; *r is then zero. */
void lt_run_release(struct lt_run *r);

/* argv run to the end: its stdout as lt_run_json takes it. */
json_object *lt_run_json_of(const char *const *argv, unsigned flags);

#endif
