/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Listed processes as Prometheus metrics: see metrics.h. */
#include "config.h"

#include "cmd/common/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "tui/viewmodel.h"
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

int cmd_pentries_openmetrics(FILE *out, enum vms_metrics_format fmt,
			     const struct vms_pentry *const *entries, size_t n,
			     const struct vms_host *host)
{
	struct vms_snapshot **snaps = xcalloc(n ? n : 1, sizeof(*snaps));
	int r;

	for (size_t i = 0; i < n; i++)
		snaps[i] = cmd_pentry_snapshot(entries[i], host);
	r = vms_openmetrics_write(out, fmt, (const struct vms_snapshot *const *)snaps, n);
	for (size_t i = 0; i < n; i++)
		vms_snapshot_free(snaps[i]);
	free(snaps);
	return r;
}

/* The sums of a group, by measure: the columns of list --by. */
static const struct {
	const char *measure;
	enum vms_col col;
} group_measures[] = {
	{ "vsz", VMS_COL_VSZ },   { "rss", VMS_COL_RSS },   { "pss", VMS_COL_PSS },
	{ "uss", VMS_COL_USS },   { "swap", VMS_COL_SWAP }, { "swap_pss", VMS_COL_SWAP_PSS },
};

int cmd_view_metrics(FILE *out, enum vms_metrics_format fmt, const struct vms_view *v, size_t n,
		     const struct vms_host *host)
{
	const char *by = vms_group_to_string(v->by);
	struct strbuf *labels = xcalloc(n ? n : 1, sizeof(*labels));

	for (size_t i = 0; i < n; i++) {
		strbuf_init(&labels[i]);
		strbuf_addf(&labels[i], "%s=\"", by);
		vms_metrics_label_value(&labels[i], vms_view_row(v, i)->name);
		strbuf_addch(&labels[i], '"');
	}
	vms_metrics_family(out, fmt, "vmscope_processes", "gauge",
			   "Processes in the group, read or not.");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "vmscope_processes{%s} %" PRIu32 "\n", labels[i].buf,
			vms_view_row(v, i)->count);
	vms_metrics_family(out, fmt, "vmscope_processes_unreadable", "gauge",
			   "Processes of the group vmscope could not read: the sums leave them out.");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "vmscope_processes_unreadable{%s} %" PRIu32 "\n", labels[i].buf,
			vms_view_row(v, i)->unreadable);
	vms_metrics_family(out, fmt, "vmscope_memory_bytes", "gauge",
			   "Memory of the group's processes summed, by measure: vsz, rss, pss, uss, swap, swap_pss (smaps_rollup).");
	for (size_t i = 0; i < n; i++) {
		const struct vms_row *r = vms_view_row(v, i);

		for (size_t m = 0; m < ARRAY_SIZE(group_measures); m++)
			if (vms_row_has(r, group_measures[m].col))
				fprintf(out, "vmscope_memory_bytes{%s,measure=\"%s\"} %" PRIu64 "\n",
					labels[i].buf, group_measures[m].measure,
					r->v[group_measures[m].col]);
	}
	/* a sum of counters that falls when a process ends: a gauge */
	vms_metrics_family(out, fmt, "vmscope_page_faults", "gauge",
			   "Page faults of the group's processes since each started, summed, minor and major; it falls when one ends.");
	for (size_t i = 0; i < n; i++) {
		const struct vms_row *r = vms_view_row(v, i);

		if (vms_row_has(r, VMS_COL_MINFLT))
			fprintf(out, "vmscope_page_faults{%s,type=\"minor\"} %" PRIu64 "\n",
				labels[i].buf, r->v[VMS_COL_MINFLT]);
		if (vms_row_has(r, VMS_COL_MAJFLT))
			fprintf(out, "vmscope_page_faults{%s,type=\"major\"} %" PRIu64 "\n",
				labels[i].buf, r->v[VMS_COL_MAJFLT]);
	}
	if (v->by == VMS_GROUP_CGROUP) {
		vms_metrics_family(out, fmt, "vmscope_cgroup_memory_current_bytes", "gauge",
				   "The cgroup's own memory.current (its processes, page cache and kernel memory).");
		for (size_t i = 0; i < n; i++)
			if (vms_row_has(vms_view_row(v, i), VMS_COL_CGROUP_MEM))
				fprintf(out, "vmscope_cgroup_memory_current_bytes{%s} %" PRIu64 "\n",
					labels[i].buf, vms_view_row(v, i)->v[VMS_COL_CGROUP_MEM]);
	}
	vms_metrics_host(out, fmt, host, NULL);
	vms_metrics_end(out, fmt);
	for (size_t i = 0; i < n; i++)
		strbuf_release(&labels[i]);
	free(labels);
	return ferror(out) ? -EIO : 0;
}
