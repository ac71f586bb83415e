/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML report: one self-contained page (inline CSS and SVG, no external
 * resource) with the text report's header numbers, the map of the address
 * space, treemaps of RSS and PSS, and the objects and regions tables. It
 * reads without JavaScript; a few lines of script sort the tables.
 *
 * This file writes the page's frame, header and legend and calls the other
 * parts (html-internal.h) in turn.
 */
#include "config.h"

#include "vmscope/report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "base/procfile.h"
#include "report/format.h"
#include "report/html-internal.h"
#include "vmscope/model.h"

static bool status_has(const struct vms_totals *tot, enum vms_status_field f)
{
	return tot->status_have & (UINT32_C(1) << f);
}

/* One total: its name, its value as the text report prints it, and its bytes
 * in data-v under the name of its JSON field (data-json). */
static void total(struct html *h, const char *label, const char *json, bool have, uint64_t v)
{
	char buf[32];

	if (!have) {
		html_printf(h, "<div data-json=\"%s\"><dt>%s</dt><dd class=\"na\">n/a</dd></div>",
			    json, label);
		return;
	}
	html_printf(h, "<div data-json=\"%s\" data-v=\"%" PRIu64 "\"><dt>%s</dt><dd>%s</dd></div>",
		    json, v, label, report_size(buf, &h->opt, true, v));
}

static void header(struct html *h)
{
	const struct vms_snapshot *snap = h->snap;
	const struct vms_process *p = &snap->proc;
	const struct vms_totals *tot = &snap->totals;
	const struct vms_counters *ru = &tot->rollup;
	bool rollup = vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP);
	const char *comm = p->comm && p->comm[0] ? p->comm : "?";
	const char *cmd = p->cmdline && p->cmdline[0] ? p->cmdline : p->exe;
	static const struct {
		const char *label, *json;
		enum vms_status_field f;
	} st[] = {
		{ "anon", "status.rss_anon", VMS_ST_RSS_ANON },
		{ "file", "status.rss_file", VMS_ST_RSS_FILE },
		{ "shmem", "status.rss_shmem", VMS_ST_RSS_SHMEM },
		{ "page tables", "status.vm_pte", VMS_ST_VM_PTE },
		{ "peak RSS", "status.vm_hwm", VMS_ST_VM_HWM },
	};

	strbuf_reset(&h->sb);
	strbuf_addf(&h->sb, "vmscope: %s (pid %" PRId64 ")", comm, (int64_t)p->pid);
	html_page_begin(h, h->sb.buf);
	html_raw(h, "<header><h1 id=\"comm\">");
	html_text(h, comm);
	html_printf(h, " <small>pid %" PRId64, (int64_t)p->pid);
	if (p->user) {
		html_raw(h, " · user ");
		html_text(h, p->user);
	} else {
		html_printf(h, " · uid %" PRIu64, (uint64_t)p->uid);
	}
	if (p->threads)
		html_printf(h, " · threads %" PRIu32, p->threads);
	html_raw(h, "</small></h1>\n");
	if (cmd && cmd[0]) {
		html_raw(h, "<p class=\"cmd\">");
		html_text(h, cmd);
		html_raw(h, "</p>\n");
	}
	html_raw(h, "<dl class=\"totals\">");
	total(h, "VSZ", "status.vm_size", status_has(tot, VMS_ST_VM_SIZE),
	      tot->status[VMS_ST_VM_SIZE]);
	total(h, "RSS", "status.vm_rss", status_has(tot, VMS_ST_VM_RSS),
	      tot->status[VMS_ST_VM_RSS]);
	total(h, "PSS", "rollup.pss", rollup && vms_counters_has(ru, VMS_MEM_PSS),
	      ru->v[VMS_MEM_PSS]);
	total(h, "USS", "uss", rollup && report_have_uss(ru), vms_counters_uss(ru));
	total(h, "swap", "status.vm_swap", status_has(tot, VMS_ST_VM_SWAP),
	      tot->status[VMS_ST_VM_SWAP]);
	total(h, "SwapPss", "rollup.swap_pss", rollup && vms_counters_has(ru, VMS_MEM_SWAP_PSS),
	      ru->v[VMS_MEM_SWAP_PSS]);
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		total(h, st[i].label, st[i].json, status_has(tot, st[i].f), tot->status[st[i].f]);
	if (tot->have_faults)
		html_printf(h,
			    "<div data-json=\"faults.minflt\" data-v=\"%" PRIu64 "\"><dt>minor faults"
			    "</dt><dd>%" PRIu64 "</dd></div><div data-json=\"faults.majflt\" "
			    "data-v=\"%" PRIu64 "\"><dt>major faults</dt><dd>%" PRIu64 "</dd></div>",
			    tot->minflt, tot->minflt, tot->majflt, tot->majflt);
	html_raw(h, "</dl>\n");
	for (int s = 0; s < VMS_SRC__MAX; s++) {
		const struct vms_source_status *so = &snap->src[s];
		int err = so->error < 0 ? -so->error : so->error;

		if (!so->tried || !err)
			continue;
		html_printf(h, "<p class=\"warn\">%s: ", vms_source_to_string(s));
		html_text(h, procfile_strerror(err));
		html_raw(h, "</p>\n");
	}
	if (snap->dropped_regions)
		html_printf(h, "<p class=\"warn\">%" PRIu32 " maps entries dropped: the address "
			    "space changed while it was read</p>\n", snap->dropped_regions);
	html_raw(h, "</header>\n");
}

static void legend(struct html *h)
{
	static const struct {
		const char *cls, *word;
	} fam[] = {
		{ "f-code", "text" }, { "f-data", "rodata, relro, data, bss" },
		{ "f-heap", "heap, malloc arenas" }, { "f-stack", "stacks, guards" },
		{ "f-anon", "anon mmap" }, { "f-file", "file mmap" }, { "f-shm", "shared memory" },
		{ "f-special", "vdso, vvar, vsyscall" }, { "f-reserved", "reserved" },
		{ "f-other", "other" },
	};

	html_raw(h, "<div class=\"legend\">");
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		html_printf(h, "<span class=\"%s\">%s</span>", fam[i].cls, fam[i].word);
	html_raw(h, "</div>\n");
}

int vms_report_html(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt)
{
	struct html h;

	html_init(&h, out, snap, opt);
	header(&h);
	html_raw(&h, "<main>\n");
	legend(&h);
	html_map(&h);
	html_treemaps(&h);
	html_tables(&h);
	html_raw(&h, "</main>\n");
	return html_page_end(&h);
}
