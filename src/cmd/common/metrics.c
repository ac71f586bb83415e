/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Listed processes as Prometheus metrics: see metrics.h. */
#include "config.h"

#include "cmd/common/metrics.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "vmscope/list.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

struct vms_snapshot *cmd_pentry_snapshot(const struct vms_pentry *e, const struct vms_host *host)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_totals *t = &snap->totals;

	/* the strings stay the listing's: the snapshot is freed first */
	snap->host = *host;
	snap->proc.pid = e->pid;
	snap->proc.ppid = e->ppid;
	snap->proc.uid = e->uid;
	snap->proc.user = e->user;
	snap->proc.comm = e->comm;
	snap->proc.cmdline = e->cmdline;
	snap->proc.state = e->state;
	snap->proc.kernel_thread = e->kernel_thread;
	snap->proc.start_time = e->start_time;
	snap->src[VMS_SRC_STAT].tried = true;
	snap->src[VMS_SRC_SMAPS_ROLLUP].tried = true;
	snap->src[VMS_SRC_SMAPS_ROLLUP].error = e->rollup_error;
	t->rollup = e->rollup;
	if (!e->kernel_thread) {
		t->status[VMS_ST_VM_SIZE] = e->vsz;
		t->status[VMS_ST_VM_RSS] = e->rss;
		t->status_have |= UINT32_C(1) << VMS_ST_VM_SIZE | UINT32_C(1) << VMS_ST_VM_RSS;
		for (size_t i = 0; e->have_status && i < VMS_PENTRY_STATUS_FIELDS; i++) {
			enum vms_status_field f = vms_pentry_status_fields[i].field;

			t->status[f] = *(const uint64_t *)((const char *)e +
							    vms_pentry_status_fields[i].offset);
			t->status_have |= UINT32_C(1) << f;
		}
		snap->src[VMS_SRC_STATUS].tried = e->have_status;
	}
	t->minflt = e->minflt;
	t->majflt = e->majflt;
	t->have_faults = true;
	return snap;
}

int cmd_pentries_openmetrics(FILE *out, const struct vms_pentry *const *entries, size_t n,
			     const struct vms_host *host)
{
	struct vms_snapshot **snaps = xcalloc(n ? n : 1, sizeof(*snaps));
	int r;

	for (size_t i = 0; i < n; i++)
		snaps[i] = cmd_pentry_snapshot(entries[i], host);
	r = vms_openmetrics_write(out, (const struct vms_snapshot *const *)snaps, n);
	for (size_t i = 0; i < n; i++)
		vms_snapshot_free(snaps[i]);
	free(snaps);
	return r;
}
