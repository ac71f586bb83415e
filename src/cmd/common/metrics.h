/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listed processes as Prometheus metrics (src/cmd/common/metrics.c): what
 * list --format openmetrics and serve share.
 */
#ifndef VMSCOPE_CMD_COMMON_METRICS_H
#define VMSCOPE_CMD_COMMON_METRICS_H

#include <stddef.h>
#include <stdio.h>

struct vms_host;
struct vms_pentry;
struct vms_snapshot;

/* The totals of one listed process as a snapshot for the metrics writer;
 * it borrows e's strings, so free it before the listing. */
struct vms_snapshot *cmd_pentry_snapshot(const struct vms_pentry *e, const struct vms_host *host);
/* Prometheus text metrics of n listed processes; 0 or -errno. */
int cmd_pentries_openmetrics(FILE *out, const struct vms_pentry *const *entries, size_t n,
			     const struct vms_host *host);

#endif
