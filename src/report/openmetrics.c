/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Metrics for Prometheus, in both of its text formats: the exposition format
 * 0.0.4 that node_exporter's textfile collector reads and promtool checks,
 * and OpenMetrics 1.0 (`# UNIT`, counters' families without _total, an info
 * type, `# EOF`), which a Prometheus scrape asks for first. Names and units
 * follow Prometheus conventions (bytes, counters ending in _total); each
 * family is written once with the samples of every process, as both formats
 * require. Processes are labelled by pid, comm and user; label values are
 * escaped and always valid UTF-8.
 */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/diff.h"
#include "vmscope/insights.h"

const char *vms_metrics_content_type(enum vms_metrics_format fmt)
{
	return fmt == VMS_METRICS_OPENMETRICS
		       ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		       : "text/plain; version=0.0.4; charset=utf-8";
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

void vms_metrics_family(FILE *out, enum vms_metrics_format fmt, const char *name,
			const char *type, const char *help)
{
	size_t len = strlen(name);
	bool info = strcmp(type, "info") == 0;

	if (fmt == VMS_METRICS_PROMETHEUS) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, info ? "gauge" : type);
		return;
	}
	/* the family of x_total (a counter) and of x_info (an info) is x */
	if ((strcmp(type, "counter") == 0 && has_suffix(name, "_total")) ||
	    (info && has_suffix(name, "_info")))
		len = (size_t)(strrchr(name, '_') - name);
	fprintf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)len, name, help, (int)len, name, type);
	if (has_suffix(name, "_bytes") && len == strlen(name))
		fprintf(out, "# UNIT %s bytes\n", name);
}

void vms_metrics_end(FILE *out, enum vms_metrics_format fmt)
{
	if (fmt == VMS_METRICS_OPENMETRICS)
		fputs("# EOF\n", out);
}

void vms_metrics_label_value(struct strbuf *sb, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (cp == '\\')
			strbuf_addstr(sb, "\\\\");
		else if (cp == '"')
			strbuf_addstr(sb, "\\\"");
		else if (cp == '\n')
			strbuf_addstr(sb, "\\n");
		else if (utf8_is_control(cp))
			/* the format has no escape for these: the value holds the
			 * text report's \xNN for them, its backslash escaped */
			for (size_t k = 0; k < len; k++)
				strbuf_addf(sb, "\\\\x%02x", (unsigned char)s[i + k]);
		else
			strbuf_add(sb, s + i, len);
		i += len;
	}
}

static void process_labels(struct strbuf *sb, const struct vms_snapshot *snap)
{
	char uid[16];

	strbuf_addf(sb, "pid=\"%d\",comm=\"", (int)snap->proc.pid);
	vms_metrics_label_value(sb, snap->proc.comm);
	strbuf_addstr(sb, "\",user=\"");
	snprintf(uid, sizeof(uid), "%u", (unsigned)snap->proc.uid);
	vms_metrics_label_value(sb, snap->proc.user ? snap->proc.user : uid);
	strbuf_addch(sb, '"');
}

static void sample(FILE *out, const char *name, const char *labels, const char *extra,
		   uint64_t v)
{
	fprintf(out, "%s{%s%s%s} %" PRIu64 "\n", name, labels, extra && *extra ? "," : "",
		extra ? extra : "", v);
}

static void memory_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			   const char *labels, const struct vms_insights *in)
{
	static const struct {
		const char *measure;
		enum vms_status_field f;
	} status[] = {
		{ "rss_anon", VMS_ST_RSS_ANON },
		{ "rss_file", VMS_ST_RSS_FILE },
		{ "rss_shmem", VMS_ST_RSS_SHMEM },
		{ "page_tables", VMS_ST_VM_PTE },
		{ "peak_rss", VMS_ST_VM_HWM },
	};
	char extra[64];

	(void)in;
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint64_t v;

		if (!vms_snapshot_measure(snap, m, &v))
			continue;
		snprintf(extra, sizeof(extra), "measure=\"%s\"",
			 m == VMS_MEASURE_SIZE ? "vsz" : vms_measure_to_string(m));
		sample(out, name, labels, extra, v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(status); i++) {
		if (!(snap->totals.status_have & (UINT32_C(1) << status[i].f)))
			continue;
		snprintf(extra, sizeof(extra), "measure=\"%s\"", status[i].measure);
		sample(out, name, labels, extra, snap->totals.status[status[i].f]);
	}
}

/* The per-kind breakdown: each measure summed over the regions of a kind. */
static void kind_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			 const char *labels, const struct vms_insights *in)
{
	uint64_t sum[VMS_KIND__MAX][VMS_MEASURE__MAX] = { { 0 } };
	bool have[VMS_KIND__MAX][VMS_MEASURE__MAX] = { { false } };
	bool any[VMS_KIND__MAX] = { false };
	char extra[96];

	(void)in;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		unsigned k = (unsigned)r->kind < VMS_KIND__MAX ? (unsigned)r->kind : 0;

		any[k] = true;
		for (int m = 0; m < VMS_MEASURE__MAX; m++) {
			uint64_t v;

			if (vms_region_measure(r, m, &v)) {
				sum[k][m] += v;
				have[k][m] = true;
			}
		}
	}
	for (int k = 0; k < VMS_KIND__MAX; k++) {
		if (!any[k])
			continue;
		for (int m = 0; m < VMS_MEASURE__MAX; m++) {
			if (!have[k][m])
				continue;
			snprintf(extra, sizeof(extra), "kind=\"%s\",measure=\"%s\"",
				 vms_kind_to_string(k), vms_measure_to_string(m));
			sample(out, name, labels, extra, sum[k][m]);
		}
	}
}

static void region_count_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
				 const char *labels, const struct vms_insights *in)
{
	(void)in;
	if (vms_snapshot_have(snap, VMS_SRC_SMAPS))
		sample(out, name, labels, NULL, snap->n_regions);
}

static void thread_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			   const char *labels, const struct vms_insights *in)
{
	(void)in;
	if (snap->proc.threads)
		sample(out, name, labels, NULL, snap->proc.threads);
}

static void fault_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			  const char *labels, const struct vms_insights *in)
{
	(void)in;
	if (!snap->totals.have_faults)
		return;
	sample(out, name, labels, "type=\"minor\"", snap->totals.minflt);
	sample(out, name, labels, "type=\"major\"", snap->totals.majflt);
}

static void source_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			   const char *labels, const struct vms_insights *in)
{
	char extra[64];

	(void)in;
	for (int s = 0; s < VMS_SRC__MAX; s++) {
		if (!snap->src[s].tried)
			continue;
		snprintf(extra, sizeof(extra), "source=\"%s\"", vms_source_to_string(s));
		sample(out, name, labels, extra, vms_snapshot_have(snap, s));
	}
}

/* Stacks: how much room each has left, and its limit (unlimited ones are left out). */
static void stack_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			  const char *labels, const struct vms_insights *in, bool limit)
{
	char extra[64];

	for (size_t i = 0; i < in->n_stacks; i++) {
		const struct vms_stack_use *st = &in->stacks[i];

		if (!st->have_used || !st->have_limit || st->limit == VMS_UNLIMITED)
			continue;
		if (!st->main)
			snprintf(extra, sizeof(extra), "stack=\"thread\",tid=\"%d\"", (int)st->tid);
		else
			snprintf(extra, sizeof(extra), "stack=\"main\",tid=\"%d\"",
				 (int)snap->proc.pid);
		sample(out, name, labels, extra, limit ? st->limit : st->headroom);
	}
}

static void stack_headroom_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
				   const char *labels, const struct vms_insights *in)
{
	stack_samples(out, name, snap, labels, in, false);
}

static void stack_limit_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
				const char *labels, const struct vms_insights *in)
{
	stack_samples(out, name, snap, labels, in, true);
}

/* A signed value: sample() prints unsigned ones. */
static void oom_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			const char *labels, const struct vms_insights *in)
{
	const struct vms_oom *o = &snap->oom;

	(void)in;
	if (o->tried && !o->score_error)
		fprintf(out, "%s{%s,kind=\"score\"} %" PRId32 "\n", name, labels, o->score);
	if (o->tried && !o->adj_error)
		fprintf(out, "%s{%s,kind=\"adj\"} %" PRId32 "\n", name, labels, o->score_adj);
}

static void cgroup_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			   const char *labels, const struct vms_insights *in)
{
	const struct vms_cgroup *cg = &snap->cgroup;
	char extra[64];

	if (!cg->tried || cg->error)
		return;
	for (int f = 0; f < VMS_CG__MAX; f++) {
		if (!vms_cgroup_has(cg, f) || cg->v[f] == VMS_UNLIMITED)
			continue;
		snprintf(extra, sizeof(extra), "measure=\"%s\"", vms_cg_names[f]);
		sample(out, name, labels, extra, cg->v[f]);
	}
	if (in->have_cg_headroom && in->cg_headroom != VMS_UNLIMITED)
		sample(out, name, labels, "measure=\"headroom\"", in->cg_headroom);
}

/* Fragmentation, huge pages and locked memory: what the mapping costs. */
static void mapping_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			    const char *labels, const struct vms_insights *in)
{
	const struct vms_limits *l = &snap->limits;

	if (in->have_regions) {
		sample(out, name, labels, "measure=\"unmapped\"", in->unmapped);
		sample(out, name, labels, "measure=\"largest_gap\"", in->largest_gap);
	}
	if (in->have_heap)
		sample(out, name, labels, "measure=\"heap_size\"", in->heap_size);
	if (in->have_heap_rss)
		sample(out, name, labels, "measure=\"heap_rss\"", in->heap_rss);
	if (in->have_thp) {
		sample(out, name, labels, "measure=\"anon\"", in->anon);
		sample(out, name, labels, "measure=\"anon_huge\"", in->anon_huge);
	}
	if (in->have_locked)
		sample(out, name, labels, "measure=\"locked\"", in->locked);
	if (l->tried && !l->error && l->have_memlock && l->memlock != VMS_UNLIMITED)
		sample(out, name, labels, "measure=\"memlock_limit\"", l->memlock);
}

static void gap_samples(FILE *out, const char *name, const struct vms_snapshot *snap,
			const char *labels, const struct vms_insights *in)
{
	(void)snap;
	if (in->have_regions)
		sample(out, name, labels, NULL, in->n_gaps);
}

struct family {
	const char *name, *type, *help;
	void (*samples)(FILE *out, const char *name, const struct vms_snapshot *snap,
			const char *labels, const struct vms_insights *in);
};

static const struct family families[] = {
	{ "vmscope_process_memory_bytes", "gauge",
	  "Memory of a process by measure: vsz, rss, pss, uss, swap (smaps_rollup and status).",
	  memory_samples },
	{ "vmscope_process_kind_memory_bytes", "gauge",
	  "Memory of a process's regions of one kind (heap, anon, text, stack...) by measure.",
	  kind_samples },
	{ "vmscope_process_regions", "gauge", "Mappings (VMAs) of a process.",
	  region_count_samples },
	{ "vmscope_process_threads", "gauge", "Threads of a process.", thread_samples },
	{ "vmscope_process_page_faults_total", "counter",
	  "Page faults of a process since it started, minor and major.", fault_samples },
	{ "vmscope_process_stack_headroom_bytes", "gauge",
	  "Room left on a stack: the main stack's RLIMIT_STACK less its size, a thread stack's size less what it touched.",
	  stack_headroom_samples },
	{ "vmscope_process_stack_limit_bytes", "gauge",
	  "The limit of a stack: RLIMIT_STACK for the main stack, the mapped size for a thread's.",
	  stack_limit_samples },
	{ "vmscope_process_oom", "gauge", "The OOM killer's score of a process and its adjustment.",
	  oom_samples },
	{ "vmscope_process_cgroup_memory_bytes", "gauge",
	  "The memory cgroup of a process: current, max, high, swap_current and the headroom to max.",
	  cgroup_samples },
	{ "vmscope_process_mapping_bytes", "gauge",
	  "Costs of the address space: unmapped and largest gap, heap size and RSS, anon and huge anon memory, locked memory and its limit.",
	  mapping_samples },
	{ "vmscope_process_gaps", "gauge", "Unmapped gaps between the mappings of a process.",
	  gap_samples },
	{ "vmscope_process_source_readable", "gauge",
	  "Whether vmscope could read a source of a process (1) or was refused (0).",
	  source_samples },
};

static void host_memory_samples(FILE *out, enum vms_metrics_format fmt,
				const struct vms_host_memory *hm)
{
	if (!hm || !hm->tried || hm->error)
		return;
	vms_metrics_family(out, fmt, "vmscope_host_memory_bytes", "gauge",
			   "The machine's memory commitment: mem_available, committed_as, commit_limit.");
	for (int f = 0; f < VMS_HM__MAX; f++)
		if (hm->have & (UINT32_C(1) << f))
			fprintf(out, "vmscope_host_memory_bytes{measure=\"%s\"} %" PRIu64 "\n",
				vms_host_mem_names[f], hm->v[f]);
}

void vms_metrics_host(FILE *out, enum vms_metrics_format fmt, const struct vms_host *h,
		      const struct vms_host_memory *hm)
{
	struct strbuf host;

	strbuf_init(&host);
	strbuf_addstr(&host, "hostname=\"");
	vms_metrics_label_value(&host, h->hostname);
	strbuf_addstr(&host, "\",kernel=\"");
	vms_metrics_label_value(&host, h->kernel);
	strbuf_addstr(&host, "\",machine=\"");
	vms_metrics_label_value(&host, h->machine);
	strbuf_addstr(&host, "\",thp_enabled=\"");
	vms_metrics_label_value(&host, h->thp_enabled);
	strbuf_addch(&host, '"');
	vms_metrics_family(out, fmt, "vmscope_host_info", "info", "The host the processes were read on.");
	sample(out, "vmscope_host_info", host.buf, NULL, 1);
	vms_metrics_family(out, fmt, "vmscope_host_page_size_bytes", "gauge",
			   "The page size of the host.");
	fprintf(out, "vmscope_host_page_size_bytes %" PRIu32 "\n", h->page_size);
	host_memory_samples(out, fmt, hm);
	strbuf_release(&host);
}

int vms_openmetrics_write(FILE *out, enum vms_metrics_format fmt,
			  const struct vms_snapshot *const *snaps, size_t n)
{
	struct strbuf *labels = xcalloc(n ? n : 1, sizeof(*labels));
	/* built once a process, for the families that use them */
	struct vms_insights *ins = xcalloc(n ? n : 1, sizeof(*ins));

	for (size_t i = 0; i < n; i++) {
		strbuf_init(&labels[i]);
		process_labels(&labels[i], snaps[i]);
		vms_insights_build(snaps[i], &ins[i]);
	}
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		vms_metrics_family(out, fmt, families[f].name, families[f].type, families[f].help);
		for (size_t i = 0; i < n; i++)
			families[f].samples(out, families[f].name, snaps[i], labels[i].buf,
					    &ins[i]);
	}
	if (n > 0)
		vms_metrics_host(out, fmt, &snaps[0]->host, &snaps[0]->host_mem);
	vms_metrics_end(out, fmt);
	for (size_t i = 0; i < n; i++) {
		strbuf_release(&labels[i]);
		vms_insights_release(&ins[i]);
	}
	free(labels);
	free(ins);
	return ferror(out) ? -EIO : 0;
}

int vms_report_openmetrics(FILE *out, const struct vms_snapshot *snap,
			   const struct vms_report_options *opt)
{
	(void)opt;
	return vms_openmetrics_write(out, VMS_METRICS_OPENMETRICS, &snap, 1);
}

int vms_report_prometheus(FILE *out, const struct vms_snapshot *snap,
			  const struct vms_report_options *opt)
{
	(void)opt;
	return vms_openmetrics_write(out, VMS_METRICS_PROMETHEUS, &snap, 1);
}
