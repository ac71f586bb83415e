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

static const char style[] =
	"<style>\n"
	":root{--fg:#1d2329;--dim:#6b7480;--bg:#fff;--line:#d8dde3;"
	"--code:#4e79a7;--data:#9c755f;--heap:#e15759;--stack:#f28e2b;--anon:#b07aa1;"
	"--file:#59a14f;--shm:#76b7b2;--special:#edc948;--reserved:#bab0ac;--other:#8c8c8c}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
	"background:var(--bg);margin:0 auto;padding:12px;max-width:1200px}\n"
	"h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:24px 0 6px}\n"
	".cmd{font-family:ui-monospace,monospace;color:var(--dim);overflow-wrap:anywhere;margin:2px 0 8px}\n"
	".totals{display:flex;flex-wrap:wrap;gap:6px 18px;margin:8px 0}\n"
	".totals div{display:flex;flex-direction:column}.totals dt{color:var(--dim);font-size:12px}"
	".totals dd{margin:0;font-weight:600;font-size:16px}\n"
	".warn{color:#a33;margin:2px 0}.note{color:var(--dim);font-size:12px}\n"
	".legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0;font-size:12px}\n"
	".legend span::before{content:'';display:inline-block;width:12px;height:12px;"
	"margin-right:4px;vertical-align:-2px;border-radius:2px;background:var(--c)}\n"
	".f-code{--c:var(--code)}.f-data{--c:var(--data)}.f-heap{--c:var(--heap)}"
	".f-stack{--c:var(--stack)}.f-anon{--c:var(--anon)}.f-file{--c:var(--file)}"
	".f-shm{--c:var(--shm)}.f-special{--c:var(--special)}.f-reserved{--c:var(--reserved)}"
	".f-other{--c:var(--other)}\n"
	"svg.map{display:block;width:100%;font:12px ui-monospace,monospace}\n"
	".map .bg{fill:var(--c);fill-opacity:.22;stroke:var(--c);stroke-opacity:.6}"
	".map .res{fill:var(--c);fill-opacity:.55}"
	".map .gap rect{fill:none;stroke:var(--line);stroke-dasharray:4 3}"
	".map text{fill:var(--fg);paint-order:stroke;stroke:#fff;stroke-width:3px;"
	"stroke-opacity:.75;stroke-linejoin:round}.map .sub{fill:#39424c;font-size:11px}.map g:hover .bg{fill-opacity:.4}\n"
	".tmsw{font-size:13px;margin:4px 0}.tm{display:flex;height:360px;border:1px solid var(--line);"
	"overflow:hidden}\n"
	".tm div{display:flex;min-width:0;min-height:0;overflow:hidden;flex-basis:0}"
	".tm .k{flex-direction:column;border:1px solid #fff}.tm .o{flex-direction:row}"
	".tm .l{background:var(--c);color:#fff;font-size:11px;padding:1px 3px;border:1px solid #fff;"
	"white-space:nowrap;text-overflow:ellipsis;align-items:flex-start}\n"
	"#tm-pss:checked~.tm-rss,#tm-rss:checked~.tm-pss{display:none}\n"
	".tw{overflow-x:auto}table{border-collapse:collapse;font-size:13px;width:100%}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}"
	"th{cursor:pointer;background:#f4f6f8;position:sticky;top:0}"
	"td.t,th.t{text-align:left;white-space:normal;overflow-wrap:anywhere}"
	"td.a{font-family:ui-monospace,monospace}.na{color:var(--dim)}\n"
	"td .sw{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--c);"
	"margin-right:5px}\n"
	"</style>\n";

/* Sorts a table by the column clicked: by data-v where the cells have one. */
static const char script[] =
	"<script>\n"
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){\n"
	"  var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),d=th.dataset.d==='1'?-1:1;\n"
	"  th.dataset.d=d===1?'1':'0';\n"
	"  rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i];\n"
	"   if(a.dataset.v!==undefined)return d*(Number(c.dataset.v)-Number(a.dataset.v));\n"
	"   return d*a.textContent.localeCompare(c.textContent);});\n"
	"  rows.forEach(function(r){b.appendChild(r);});});});});\n"
	"</script>\n";

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

	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		    "<title>vmscope: ");
	html_text(h, comm);
	html_printf(h, " (pid %" PRId64 ")</title>\n", (int64_t)p->pid);
	html_raw(h, style);
	html_raw(h, "</head><body>\n<header><h1 id=\"comm\">");
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
	static const struct vms_report_options defaults = { 0 };
	struct html h = { .out = out, .snap = snap, .opt = opt ? *opt : defaults };

	if ((unsigned)h.opt.sort >= VMS_SORT__MAX)
		h.opt.sort = VMS_SORT_RSS;
	if (h.opt.top == 0)
		h.opt.top = HTML_DEFAULT_TOP;
	strbuf_init(&h.sb);
	strbuf_init(&h.esc);

	header(&h);
	html_raw(&h, "<main>\n");
	legend(&h);
	html_map(&h);
	html_treemaps(&h);
	html_tables(&h);
	html_raw(&h, "</main>\n");
	html_raw(&h, script);
	html_raw(&h, "</body></html>\n");

	strbuf_release(&h.sb);
	strbuf_release(&h.esc);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
