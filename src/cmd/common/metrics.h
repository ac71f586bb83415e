/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listed processes as Prometheus metrics (src/cmd/common/metrics.c): what
 * list --format openmetrics and serve share.
 */
#ifndef VMSCOPE_CMD_COMMON_METRICS_H
#define VMSCOPE_CMD_COMMON_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "vmscope/report.h"

struct vms_host;
struct vms_pentry;
struct vms_snapshot;
struct vms_view;

/* The totals of one listed process as a snapshot for the metrics writer;
 * it borrows e's strings, so free it before the listing. */
struct vms_snapshot *cmd_pentry_snapshot(const struct vms_pentry *e, const struct vms_host *host);
/* Metrics of n listed processes, one series set per process; 0 or -errno. */
int cmd_pentries_openmetrics(FILE *out, enum vms_metrics_format fmt,
			     const struct vms_pentry *const *entries, size_t n,
			     const struct vms_host *host);
/*
 * Metrics of the first n visible rows of a view grouped by program, user or
 * cgroup: per group (labelled program=, user= or cgroup=) its process count,
 * how many of them could not be read, and its memory and faults summed over
 * the others, as `list --by` sums them; 0 or -errno.
 */
int cmd_view_metrics(FILE *out, enum vms_metrics_format fmt, const struct vms_view *v, size_t n,
		     const struct vms_host *host);

#endif
