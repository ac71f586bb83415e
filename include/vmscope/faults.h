/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page faults of one process (src/perf, the only code that calls
 * perf_event_open): a sampler that records every fault of every thread with
 * its address, the code that took it and the time; per-thread counters from
 * task/<tid>/stat for when sampling is refused; and an aggregator that
 * attributes samples to the regions of a snapshot, to code sites and to
 * seconds.
 */
#ifndef VMSCOPE_FAULTS_H
#define VMSCOPE_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmscope/snapshot.h"

struct vms_fault_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint64_t addr;    /* the faulting data address */
	uint64_t ip;      /* the instruction that faulted (a kernel address for faults in syscalls) */
	pid_t tid;
	bool major;
};

/* ---- sampler (src/perf/sampler.c) ---------------------------------------- */

enum {
	VMS_SAMPLE_MAJOR_ONLY = 1 << 0, /* no event for minor faults */
	VMS_SAMPLE_USER_ONLY = 1 << 1,  /* exclude_kernel: what an unprivileged user may ask */
};

struct vms_fault_sampler;

struct vms_sampler_stats {
	uint64_t lost;        /* samples the kernel dropped: the ring was full */
	uint64_t throttled;   /* times the kernel throttled an event (perf_event_max_sample_rate) */
	uint32_t threads;     /* threads sampled, over the whole run */
	uint32_t threads_gone;/* threads that exited before their event could be opened */
	/* threads started during the run are followed by inheritance from the
	 * first fault (else by scans of task/, which miss the short-lived) */
	bool inherited;
};

/*
 * Opens one minor and one major fault event for every thread in
 * <pid_dirfd>/task (pid_dirfd is borrowed and must outlive the sampler).
 * Returns 0, or the -errno of perf_event_open for the first thread (-EACCES
 * and -EPERM: not permitted; -ENOENT/-EOPNOTSUPP/-ENOSYS: no such event on
 * this kernel), or -ESRCH when the process has no thread left.
 */
int vms_sampler_open(int pid_dirfd, unsigned flags, struct vms_fault_sampler **ret);
void vms_sampler_free(struct vms_fault_sampler *s);

/*
 * Waits at most timeout_ms for samples, then hands each sample read to fn
 * and opens events for threads started since the last call. Returns the
 * number of samples handed on, or -ESRCH once every thread has exited and
 * every ring is drained.
 */
int vms_sampler_poll(struct vms_fault_sampler *s, int timeout_ms,
		     void (*fn)(const struct vms_fault_sample *sample, void *ctx), void *ctx);
/* Stops counting and sampling; what is in the rings can still be polled. */
void vms_sampler_disable(struct vms_fault_sampler *s);
void vms_sampler_stats(const struct vms_fault_sampler *s, struct vms_sampler_stats *ret);

/* ---- counters (src/perf/counters.c) --------------------------------------- */

struct vms_fault_count {
	pid_t tid; /* 0 for the process */
	char comm[16];
	uint64_t minflt, majflt;
};

/*
 * The process's fault counters (<pid_dirfd>/stat) and each live thread's
 * (task/<tid>/stat), the threads sorted by tid; *ret_threads is the caller's
 * to free. Returns the number of threads, -ESRCH when the process is gone or
 * a zombie, or another -errno.
 */
int vms_fault_counts_read(int pid_dirfd, struct vms_fault_count *ret_proc,
			  struct vms_fault_count **ret_threads);

/* ---- attribution (src/perf/aggregate.c) ----------------------------------- */

struct vms_fault_tally {
	uint64_t minflt, majflt;
};

/* Faults of one region of a snapshot. */
struct vms_fault_region_row {
	const struct vms_snapshot *snap; /* the snapshot that holds the region */
	uint32_t region;                 /* index in snap->regions */
	struct vms_fault_tally n;
};

/* Faults taken by one instruction. */
struct vms_fault_site_row {
	uint64_t ip;
	struct vms_fault_tally n;
};

struct vms_fault_thread_row {
	pid_t tid;
	struct vms_fault_tally n;
};

struct vms_fault_agg;

/*
 * An aggregator of samples. Addresses are looked up in first (the process
 * when sampling began; borrowed, must outlive the aggregator); those outside
 * its regions are kept (at most max_pending) and looked up at the end in a
 * later snapshot, so that mappings made during the run are attributed too.
 * Seconds are counted from start_ns.
 */
struct vms_fault_agg *vms_fault_agg_new(const struct vms_snapshot *first, uint64_t start_ns,
					size_t max_pending);
void vms_fault_agg_free(struct vms_fault_agg *agg);
void vms_fault_agg_add(struct vms_fault_agg *agg, const struct vms_fault_sample *sample);
/* The samples added so far. */
struct vms_fault_tally vms_fault_agg_total(const struct vms_fault_agg *agg);

struct vms_fault_result {
	struct vms_fault_tally total;      /* every sample */
	struct vms_fault_tally unmapped;   /* in no region of either snapshot */
	uint64_t dropped;                  /* outside first, over max_pending: not attributed */
	struct vms_fault_region_row *regions; /* most faults first */
	size_t n_regions;
	struct vms_fault_site_row *sites;  /* most faults first */
	size_t n_sites;
	struct vms_fault_thread_row *threads; /* by tid */
	size_t n_threads;
	struct vms_fault_tally *seconds;   /* seconds[i]: faults in second i of the run */
	size_t n_seconds;
};

/*
 * The result (the caller releases it). later: a snapshot taken at the end of
 * the run, or NULL (the process exited); borrowed like first.
 */
void vms_fault_agg_finish(struct vms_fault_agg *agg, const struct vms_snapshot *later,
			  struct vms_fault_result *ret);
void vms_fault_result_release(struct vms_fault_result *res);

#endif
