/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of the HTML report write with: see html-internal.h. */
#include "config.h"

#include "report/html-internal.h"

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
