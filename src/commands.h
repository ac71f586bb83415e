/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands of the command line. Each is `int cmd_NAME(argc, argv)` with
 * argv[0] the command's name, returning the exit status, and a
 * `struct cli_command NAME_command` that describes its options. main.c
 * holds the table that dispatches them.
 */
#ifndef VMSCOPE_COMMANDS_H
#define VMSCOPE_COMMANDS_H

#include "cli.h"
#include "vmscope/faults.h"
#include "vmscope/report.h"

extern const struct cli_command report_command;
int cmd_report(int argc, char **argv);

/* Writes a snapshot through rep to stdout; an exit status. */
int cmd_render_snapshot(const struct vms_reporter *rep, const struct vms_snapshot *snap,
			const struct vms_report_options *ropt);
/* Renders through rep to out and flushes it; 0 or -errno. */
int cmd_render_stream(const struct vms_reporter *rep, const struct vms_snapshot *snap,
		      const struct vms_report_options *ropt, FILE *out);
/* r (a renderer's result) unless out has a write error: flushes out. Set
 * errno to 0 before rendering, so that an earlier errno is not taken for
 * the write's. */
int cmd_stream_done(FILE *out, int r);

/* How a report is rendered: what the report and show commands both take. */
struct cmd_render_args {
	const char *format;
	enum cli_color color;
	struct vms_report_options ropt;
};
/*
 * --format, --sort, --all, --top, --bytes, --color, --width (ids 'f', 's',
 * 'a', 'n', 'b', CLI_OPT_COLOR, 'w') into ra. Returns 0, -EINVAL after a
 * message, or 1 when id is not one of them.
 */
int cmd_render_option(struct cmd_render_args *ra, int id, const char *arg);

extern const struct cli_command list_command;
int cmd_list(int argc, char **argv);
extern const struct cli_command top_command;
int cmd_top(int argc, char **argv);
extern const struct cli_command watch_command;
int cmd_watch(int argc, char **argv);

extern const struct cli_command snapshot_command;
int cmd_snapshot(int argc, char **argv);
extern const struct cli_command show_command;
int cmd_show(int argc, char **argv);
extern const struct cli_command diff_command;
int cmd_diff(int argc, char **argv);
extern const struct cli_command check_command;
int cmd_check(int argc, char **argv);

/*
 * cli_parse for commands whose options may follow their operands
 * ("snapshot PID -o FILE"): *ret_operands (the caller frees the array) gets
 * the operands in order, everything after "--" included. Returns as cli_parse.
 */
int cmd_parse_anywhere(int argc, char **argv, const struct cli_command *cmd,
		       int (*handle)(int id, const char *arg, void *ctx), void *ctx,
		       char ***ret_operands, int *ret_n);

struct vms_snapshot;
/* Loads a snapshot file ("-": standard input); 0, or EXIT_USAGE after a
 * message with the file, line and column. */
int cmd_load_snapshot(const char *path, struct vms_snapshot **ret);
/* Resolves PID|NAME and inspects it whole; 0 or an exit status after a message. */
int cmd_inspect_target(int root_fd, const char *proc_root, const char *target, bool full,
		       struct vms_snapshot **ret);
/* A snapshot file (a path, '-', or an existing file) or else a live PID|NAME. */
int cmd_snapshot_operand(const char *arg, const char *proc_root, bool full,
			 struct vms_snapshot **ret);
struct strbuf;
struct vms_region;
/* "libc.so.6 text", "heap", "thread_stack 42": a region for one line of text. */
void cmd_region_label(struct strbuf *out, const struct vms_snapshot *snap,
		      const struct vms_region *r);
/* Writes buf to path through a temporary file and a rename: whole or not at all. */
int cmd_write_file_atomic(const char *path, const char *buf, size_t len);
/* The same for a file written piece by piece: open, write to fd, then close
 * with the result so far (0 renames the temporary over path, -errno drops it;
 * either way the result is returned). fd may be closed already (set it -1). */
struct cmd_atomic_file {
	char *path; /* the file replaced, symbolic links resolved */
	char *tmp;  /* NULL when path is no regular file and fd writes to it */
	int fd;
};
int cmd_atomic_open(struct cmd_atomic_file *f, const char *path);
int cmd_atomic_close(struct cmd_atomic_file *f, int r);

/* What the commands that take one process and write somewhere share. */
struct cmd_target_args {
	const char *output;    /* -o */
	const char *proc_root; /* --proc-root */
	bool full;             /* --full, id CMD_OPT_FULL */
};
enum { CMD_OPT_FULL = CLI_OPT_FIRST_FREE };
/* -o, --full, --proc-root into a: 0, or 1 when id is not one of them. */
int cmd_target_option(struct cmd_target_args *a, int id, const char *arg);
/* Writes all of buf to fd, retrying on EINTR; 0 or -errno. */
int cmd_write_all(int fd, const char *buf, size_t len);

extern const struct cli_command capture_command;
int cmd_capture(int argc, char **argv);

extern const struct cli_command serve_command;
int cmd_serve(int argc, char **argv);
struct vms_pentry;
/* The totals of one listed process as a snapshot for the metrics writer;
 * it borrows e's strings, so free it before the listing. */
struct vms_snapshot *cmd_pentry_snapshot(const struct vms_pentry *e, const struct vms_host *host);
/* Prometheus text metrics of n listed processes; 0 or -errno. */
int cmd_pentries_openmetrics(FILE *out, const struct vms_pentry *const *entries, size_t n,
			     const struct vms_host *host);

extern const struct cli_command pages_command;
int cmd_pages(int argc, char **argv);
/* --pagemap scan|pread; -EINVAL after a message */
int cmd_parse_pagemap(const char *arg, bool *ret_pread);
/* VMS_INSPECT_PAGES* for --pages (1), the default (0) or --no-pages (-1). */
unsigned cmd_pages_flags(int pages, bool pread, bool live);
/* --reset-refs: clears the referenced bits of pid, says so, waits; 0 or an exit status. */
int cmd_reset_refs(int root_fd, pid_t pid, unsigned seconds);

extern const struct cli_command faults_command;
int cmd_faults(int argc, char **argv);
/* "5", "5s", "500ms", "2m" for option name → nanoseconds; -EINVAL after a message */
int cmd_parse_duration(const char *name, const char *arg, uint64_t *ret_ns);

/* One watch of a process's faults (cmd-faults.c), shared with report --faults. */
struct cmd_faults_run {
	pid_t pid;               /* in */
	uint64_t duration_ns;    /* in */
	bool major;              /* in: sample major faults only */
	bool announce;           /* in: say on stderr when watching begins */
	struct vms_snapshot *first, *later; /* at the start; at the end (NULL if it exited) */
	uint64_t start_ns, end_ns;
	bool sampled;            /* perf samples, else counters only (why says why) */
	bool user_only;          /* samples without faults taken in system calls */
	int perf_error;
	char why[256];
	bool exited, interrupted;
	struct vms_sampler_stats stats;
	struct vms_fault_result res;
	struct vms_fault_count proc0, proc1;      /* the process's counters, start and end */
	struct vms_fault_count *t0, *t1;          /* each thread's, start and end */
	size_t n0, n1;
	struct vms_fault_tally total;             /* proc1 - proc0 */
	struct vms_fault_tally *timeline;         /* per second */
	size_t n_timeline;
	struct site_name *names;                  /* of res.sites[0 .. n_names) */
	size_t n_names;
};
/* Watches run->pid; 0, or an exit status after a message. root_fd: /proc. */
int cmd_faults_run(int root_fd, struct cmd_faults_run *run, size_t top);
void cmd_faults_run_release(struct cmd_faults_run *run);
void cmd_faults_text(FILE *out, const struct cmd_faults_run *run, size_t top, bool threads);
int cmd_faults_json(FILE *out, const struct cmd_faults_run *run);

#endif
