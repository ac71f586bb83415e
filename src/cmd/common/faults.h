/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One watch of a process's page faults, what the faults command and
 * report --faults share: the sampling session (faults-session.c) and the
 * text and JSON of its result (faults-render.c).
 */
#ifndef VMSCOPE_CMD_COMMON_FAULTS_H
#define VMSCOPE_CMD_COMMON_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "vmscope/faults.h"

struct vms_snapshot;

/* A code location of res.sites, named for display. */
struct site_name {
	char *text;   /* display-safe */
	bool symbol;  /* from the ELF symbol tables */
};

struct cmd_faults_run {
	pid_t pid;               /* in */
	uint64_t duration_ns;    /* in */
	bool major;              /* in: sample major faults only */
	struct vms_snapshot *first, *later; /* at the start; at the end (NULL if it exited) */
	uint64_t start_ns, end_ns;
	bool sampled;            /* perf samples, else counters only (why says why) */
	bool user_only;          /* samples without faults taken in system calls */
	int perf_error;
	char why[256];
	bool exited, interrupted;
	bool no_address_space;   /* a kernel thread or a zombie: not watched, why says so */
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
/* The totals: counter deltas; a thread known only at the end started during the run. */
static inline struct vms_fault_tally cmd_faults_delta(const struct vms_fault_count *a,
						      const struct vms_fault_count *b)
{
	struct vms_fault_tally d = { 0, 0 };

	if (b->minflt >= a->minflt)
		d.minflt = b->minflt - a->minflt;
	if (b->majflt >= a->majflt)
		d.majflt = b->majflt - a->majflt;
	return d;
}

/* A code address in the kernel's half: a fault taken inside a system call. */
static inline bool cmd_faults_kernel_ip(uint64_t ip)
{
	return ip >> 63;
}

/* Watches run->pid; 0, or an exit status after a message. root_fd: /proc. */
int cmd_faults_run(int root_fd, struct cmd_faults_run *run, size_t top);
void cmd_faults_run_release(struct cmd_faults_run *run);
/* The text; width: of the terminal (40 at least), 0 for whole lines. */
void cmd_faults_text(FILE *out, const struct cmd_faults_run *run, size_t top, bool threads,
		     unsigned width);
int cmd_faults_json(FILE *out, const struct cmd_faults_run *run);

#endif
