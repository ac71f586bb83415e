/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML report's parts. html.c writes the page (its style, header,
 * legend and script) and calls the others, none of which calls it back:
 * html-map.c draws the address-space map and the treemap, html-tables.c the
 * objects and regions tables, html-write.c holds what they all write with
 * (the page's frame, style and script too). html-diff.c writes the page of
 * a diff with html-write.c alone, html-recording.c the page of a recording.
 * Every name from the process goes through html_text (escape_html).
 */
#ifndef VMSCOPE_REPORT_HTML_INTERNAL_H
#define VMSCOPE_REPORT_HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

struct vms_recording;
/* Regions the HTML tables list when --top is not given (the page stays small). */
#define HTML_DEFAULT_TOP 500

struct html {
	FILE *out;
	const struct vms_snapshot *snap;    /* NULL for a recording's page */
	const struct vms_recording *rec;   /* a recording's page (html-recording.c) */
	struct vms_report_options opt; /* defaults filled in */
	struct strbuf sb;  /* scratch for labels */
	struct strbuf esc; /* scratch for escaping */
};

/* Fills h for a page of snap (may be NULL) with opt's defaults filled in. */
void html_init(struct html *h, FILE *out, const struct vms_snapshot *snap,
	       const struct vms_report_options *opt);
/* The page's head (title escaped, the style) and <body>. */
void html_page_begin(struct html *h, const char *title);
/* The script, the end of the page; releases h. 0 or -EIO. */
int html_page_end(struct html *h);
/* Writes n bytes of s escaped for HTML text or a quoted attribute. */
void html_textn(struct html *h, const char *s, size_t n);
void html_text(struct html *h, const char *s);
/* Writes our own markup (no process bytes) as is. */
void html_raw(struct html *h, const char *s);
void html_printf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A size as the text report prints it, in a cell whose data-v holds the bytes. */
void html_size_cell(struct html *h, bool have, uint64_t v);
/* The CSS class of a kind's colour family: "f-heap", "f-code" ... */
const char *html_family(enum vms_kind k);

/* The address-space map, as SVG (html-map.c). */
void html_map(struct html *h);
/* The treemaps of RSS and PSS by kind, object and region, one shown (html-map.c). */
void html_treemaps(struct html *h);
/* The objects and regions tables, sortable by the page's script (html-tables.c). */
void html_tables(struct html *h);

#endif
