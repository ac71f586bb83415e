/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of the HTML report write with: see html-internal.h. */
#include "config.h"

#include "report/html-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "base/escape.h"
#include "report/canvas.h"
#include "report/format.h"
#include "report/text-internal.h"

void html_textn(struct html *h, const char *s, size_t n)
{
	strbuf_reset(&h->esc);
	escape_html(&h->esc, s, n);
	fwrite(h->esc.buf, 1, h->esc.len, h->out);
}

void html_text(struct html *h, const char *s)
{
	html_textn(h, s, strlen(s));
}

void html_raw(struct html *h, const char *s)
{
	fputs(s, h->out);
}

void html_printf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(h->out, fmt, ap);
	va_end(ap);
}

void html_size_cell(struct html *h, bool have, uint64_t v)
{
	char buf[32];

	if (!have) {
		html_raw(h, "<td class=\"na\" data-v=\"-1\">n/a</td>");
		return;
	}
	html_printf(h, "<td data-v=\"%" PRIu64 "\">%s</td>", v, report_size(buf, &h->opt, true, v));
}

const char *html_family(enum vms_kind k)
{
	static const char *const names[CANVAS__MAX] = {
		[CANVAS_PLAIN] = "f-other",  [CANVAS_BOLD] = "f-other", [CANVAS_DIM] = "f-reserved",
		[CANVAS_WARN] = "f-other",   [CANVAS_CODE] = "f-code",  [CANVAS_DATA] = "f-data",
		[CANVAS_HEAP] = "f-heap",    [CANVAS_STACK] = "f-stack", [CANVAS_ANON] = "f-anon",
		[CANVAS_FILE] = "f-file",    [CANVAS_SHM] = "f-shm",    [CANVAS_SPECIAL] = "f-special",
	};
	enum canvas_class c = text_kind_class(k);

	return (unsigned)c < CANVAS__MAX ? names[c] : "f-other";
}

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
	".map .res{fill:var(--c);fill-opacity:.55}.map .zero{fill:url(#hatch)}"
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
	"td.t,th.t{text-align:left}td.l{white-space:normal;overflow-wrap:anywhere;min-width:12em}"
	"td.a{font-family:ui-monospace,monospace}.na{color:var(--dim)}\n"
	"table.narrow{width:auto;min-width:50%}.up{color:#b03a2e}.down{color:#1e8449}.ch{padding:0 6px;border-radius:8px;font-size:12px;"
	"color:#fff;background:#8c8c8c}.ch-grew,.ch-appeared{background:#c0392b}"
	".ch-shrank,.ch-vanished{background:#239b56}.ch-vanished,.ch-appeared{opacity:.75}\n"
	"td.bar{width:22%;min-width:60px}td.bar span{display:block;height:10px;border-radius:2px}"
	"td.bar .up{background:#e6735f}td.bar .down{background:#52be80}\n"
	"figure.chart{margin:8px 0 16px}figcaption{font-weight:600;font-size:13px}"
	"svg.tl{display:block;width:100%;height:auto;font:11px ui-monospace,monospace}"
	".tl polyline{fill:none;stroke-width:2;vector-effect:non-scaling-stroke}"
	".tl .ax{fill:none;stroke:#6b7480}.tl .grid{stroke:var(--line);stroke-dasharray:3 3}"
	".tl text{fill:#6b7480}@media(max-width:640px){svg.tl{font-size:20px}}td.sp svg polyline{fill:none;stroke:#c0392b;stroke-width:1.5}"
	"td.flat svg polyline{stroke:#9aa3ad}\n"
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

void html_init(struct html *h, FILE *out, const struct vms_snapshot *snap,
	       const struct vms_report_options *opt)
{
	static const struct vms_report_options defaults = { 0 };

	*h = (struct html){ .out = out, .snap = snap, .opt = opt ? *opt : defaults };
	if ((unsigned)h->opt.sort >= VMS_SORT__MAX)
		h->opt.sort = VMS_SORT_RSS;
	if (h->opt.top == 0)
		h->opt.top = HTML_DEFAULT_TOP;
	strbuf_init(&h->sb);
	strbuf_init(&h->esc);
}

void html_page_begin(struct html *h, const char *title)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		    "<title>");
	html_text(h, title);
	html_raw(h, "</title>\n");
	html_raw(h, style);
	html_raw(h, "</head><body>\n");
}

int html_page_end(struct html *h)
{
	html_raw(h, script);
	html_raw(h, "</body></html>\n");
	strbuf_release(&h->sb);
	strbuf_release(&h->esc);
	if (fflush(h->out) != 0 || ferror(h->out))
		return -EIO;
	return 0;
}
