/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page-level data in the reports: the residency strip, run listings. */
#include "config.h"

#include "report/pages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "json/jsonw.h"
#include "json/write.h"
#include "report/canvas.h"
#include "report/text-internal.h"
#include "vmscope/report.h"

/* ---- the residency strip ------------------------------------------------ */

/*
 * The first stretch from b with pages in Rss or the zero page, or n_hist:
 * eight at a time, for most stretches of most regions are empty (a row of
 * 10,000 regions of 64 stretches, one page each in memory, is 640,000).
 */
static unsigned next_used(const struct vms_region_pages *p, unsigned b)
{
	const uint8_t *hist = p->hist, *zero = vms_region_pages_zero(p);

	for (; b + 8 <= p->n_hist; b += 8) {
		uint64_t h, z;

		memcpy(&h, hist + b, sizeof(h));
		memcpy(&z, zero + b, sizeof(z));
		if (h | z)
			break;
	}
	for (; b < p->n_hist && !hist[b] && !zero[b]; b++)
		;
	return b;
}

bool pages_strip(const struct vms_snapshot *snap, const struct layout_row *row, unsigned w,
		 uint8_t *levels, bool *zero)
{
	uint64_t ps = snap->host.page_size ? snap->host.page_size : 4096;
	/* page sizes are powers of two (a snapshot file may say otherwise):
	 * a shift, not a division per region (divq took a third of the time) */
	unsigned shift = (ps & (ps - 1)) == 0 ? (unsigned)__builtin_ctzll(ps) : 0;
	double total = (double)row->size, pos = 0, *sum;
	bool *any;

	if (!w)
		return true;
	if (!row->have_pages || row->gap)
		return false;
	memset(zero, 0, w * sizeof(*zero));
	sum = calloc(w, sizeof(*sum));
	any = calloc(w, sizeof(*any));
	if (!sum || !any) {
		free(sum);
		free(any);
		return false;
	}
	for (size_t i = row->first; i < row->first + row->count; i++) {
		const struct vms_region *r = &snap->regions[i];
		const struct vms_region_pages *p = r->pages;
		uint64_t pages = shift ? vms_region_size(r) >> shift : vms_region_size(r) / ps;

		for (unsigned b = next_used(p, 0); b < p->n_hist; b = next_used(p, b + 1)) {
			double lo, hi, density;
			unsigned c0, c1;

			lo = pos + (double)((b * pages + p->n_hist - 1) / p->n_hist * ps);
			hi = pos + (double)(((b + 1) * pages + p->n_hist - 1) / p->n_hist * ps);
			density = p->hist[b] / 255.0;
			c0 = (unsigned)(lo / total * w);
			c1 = (unsigned)(hi / total * w);
			for (unsigned c = c0; c <= c1 && c < w; c++) {
				double clo = total * c / w, chi = total * (c + 1) / w;
				double o = (hi < chi ? hi : chi) - (lo > clo ? lo : clo);

				if (o <= 0)
					continue;
				sum[c] += o * density;
				any[c] |= p->hist[b] != 0;
				zero[c] |= vms_region_pages_zero(p)[b] != 0;
			}
		}
		pos += (double)vms_region_size(r);
	}
	for (unsigned c = 0; c < w; c++) {
		double share = sum[c] / (total / w);
		unsigned v = (unsigned)(share * 8 + 0.5);

		if (v > 8)
			v = 8;
		if (v == 0 && any[c])
			v = 1;
		levels[c] = (uint8_t)v;
		if (v)
			zero[c] = false;
	}
	free(sum);
	free(any);
	return true;
}

/* ---- `vmscope pages` ---------------------------------------------------- */

void pages_listing_release(struct pages_listing *l)
{
	free(l->regions);
	free(l->runs);
	l->regions = NULL;
	l->runs = NULL;
	l->n_regions = l->n_runs = 0;
}

static void size_text(char buf[32], uint64_t v, bool bytes)
{
	if (bytes)
		snprintf(buf, 32, "%" PRIu64, v);
	else
		vms_format_size(buf, 32, v);
}

/*
 * Words written one after the other, a line broken before a word that would
 * pass the width (0: never), the next line indented. Our own words: ASCII.
 */
struct wrap {
	FILE *out;
	unsigned width, col, indent;
};

static void wrap_start(struct wrap *w, const char *head, unsigned indent)
{
	fputs(head, w->out);
	w->col = (unsigned)strlen(head);
	w->indent = indent;
}

/* sep (", " or " ") before the word unless it starts a line. */
static void wrap_word(struct wrap *w, const char *sep, const char *word)
{
	size_t n = strlen(word), s = strlen(sep);

	/* with commas, room for the one that may end the line */
	if (w->width && w->col > w->indent && w->col + s + n + (sep[0] == ',') > w->width) {
		/* a comma stays at the end of the line, a space does not */
		fprintf(w->out, "%s\n%*s", sep[0] == ',' ? "," : "", (int)w->indent, "");
		w->col = w->indent;
	} else if (w->col > w->indent) {
		fputs(sep, w->out);
		w->col += (unsigned)s;
	}
	fputs(word, w->out);
	w->col += (unsigned)n;
}

/* Each word of text (split at spaces) as a wrap word. */
static void wrap_text(struct wrap *w, const char *sep, const char *text)
{
	char word[128];

	while (*text) {
		size_t n = strcspn(text, " ");

		snprintf(word, sizeof(word), "%.*s", (int)n, text);
		wrap_word(w, sep, word);
		sep = " ";
		text += n;
		while (*text == ' ')
			text++;
	}
}

static void wrap_end(struct wrap *w)
{
	fputc('\n', w->out);
	w->col = 0;
}

/* The words of a state, each as a wrap word, the first after sep. */
static void wrap_state(struct wrap *w, const char *sep, uint32_t state)
{
	for (int c = 0; c < VMS_PG__MAX; c++) {
		if (state & VMS_PAGE_BIT(c)) {
			wrap_word(w, sep, vms_page_count_names[c]);
			sep = " ";
		}
	}
}

static void text_counts(struct wrap *w, const struct vms_region_pages *p, uint32_t known,
			bool bytes)
{
	char buf[32], item[64];

	wrap_start(w, "   ", 3);
	for (int c = 0; c < VMS_PG__MAX; c++) {
		if (!(known & VMS_PAGE_BIT(c)))
			continue;
		if (!p->v[c] && c != VMS_PG_PRESENT)
			continue;
		size_text(buf, p->v[c], bytes);
		snprintf(item, sizeof(item), "%s %s", vms_page_count_names[c], buf);
		wrap_word(w, ", ", item);
	}
	if (known & VMS_PAGE_BIT(VMS_PG_MAPPED_ONCE)) {
		size_text(buf, p->pss, bytes);
		snprintf(item, sizeof(item), "pss %s", buf);
		wrap_word(w, ", ", item);
	}
	wrap_end(w);
}

/*
 * A path on a line of its own, indented by two, cut to the width as the
 * report's regions table cuts a label: its head, with an ellipsis, and its
 * base name kept whole where it fits.
 */
static void put_cut_name(FILE *out, const char *path, bool ascii, unsigned width)
{
	const char *slash = strrchr(path, '/');
	size_t len = strlen(path), tail = slash && slash[1] ? (size_t)(slash + 1 - path) : len;
	struct canvas cv;
	size_t y;

	canvas_init(&cv, width);
	cv.ascii = ascii;
	y = canvas_add_row(&cv);
	text_put_label(&cv, 2, y, path, len, tail, width - 2, CANVAS_PLAIN);
	(void)canvas_write(&cv, out, false);
	canvas_release(&cv);
}

int pages_render_text(FILE *out, const struct pages_listing *l, bool bytes, bool color,
		      bool ascii, unsigned width)
{
	const struct vms_snapshot *snap = l->snap;
	uint64_t ps = snap->host.page_size ? snap->host.page_size : 4096;
	struct wrap w = { .out = out, .width = width };
	struct strbuf name, raw;
	char buf[32], head[96];

	(void)color;
	strbuf_init(&name);
	strbuf_init(&raw);
	snprintf(head, sizeof(head), "pid %d: %zu region%s, pages of %" PRIu64 " bytes, read with %s",
		 (int)snap->proc.pid, l->n_regions, l->n_regions == 1 ? "" : "s", ps,
		 snap->pages.scan ? (snap->pages.entries ? "PAGEMAP_SCAN and pagemap entries"
							 : "PAGEMAP_SCAN")
				  : "pagemap entries");
	wrap_start(&w, "", 2);
	wrap_text(&w, " ", head);
	wrap_end(&w);
	wrap_start(&w, "states known:", 2);
	wrap_state(&w, " ", l->known);
	wrap_end(&w);
	for (size_t i = 0; i < l->n_regions; i++) {
		const struct pages_region *pr = &l->regions[i];
		const struct vms_region *r = &snap->regions[pr->region];

		/* " (deleted)" when the file it maps is no longer at that path,
		 * as the report counts it: shared anonymous memory and a memfd
		 * never, a SysV segment once marked for removal (classify.c) */
		strbuf_reset(&raw);
		strbuf_addstr(&raw, r->name ? r->name : "");
		if (r->deleted)
			strbuf_addstr(&raw, " (deleted)");
		strbuf_reset(&name);
		escape_display(&name, raw.buf, raw.len);
		size_text(buf, pr->end - pr->start, bytes);
		fputc('\n', out);
		wrap_start(&w, "", 2);
		snprintf(head, sizeof(head), "region %zu", pr->region);
		wrap_word(&w, "  ", head);
		snprintf(head, sizeof(head), "%" PRIx64 "-%" PRIx64, pr->start, pr->end);
		wrap_word(&w, "  ", head);
		wrap_word(&w, "  ", buf);
		wrap_word(&w, "  ", vms_kind_to_string(r->kind));
		/* a name goes on a line of its own when it does not fit, and is
		 * cut only when it does not fit there either */
		if (name.len && width && 2 + escape_display_width(raw.buf, raw.len) > width) {
			wrap_end(&w);
			put_cut_name(out, raw.buf, ascii, width);
		} else {
			if (name.len)
				wrap_word(&w, "  ", name.buf);
			wrap_end(&w);
		}
		text_counts(&w, &pr->counts, l->known, bytes);
		if (pr->n_runs == 0)
			fputs("   no page populated\n", out);
		for (size_t k = pr->first_run; k < pr->first_run + pr->n_runs; k++) {
			const struct vms_page_run *run = &l->runs[k];

			snprintf(head, sizeof(head), "   %12" PRIx64 "-%-12" PRIx64 " %8" PRIu64,
				 run->start, run->end, (run->end - run->start) / ps);
			wrap_start(&w, head, 8);
			wrap_state(&w, "  ", run->state);
			if (run->mapcount > 1) {
				snprintf(buf, sizeof(buf), "mapped %" PRIu32 "x", run->mapcount);
				wrap_word(&w, "  ", buf);
			}
			wrap_end(&w);
		}
	}
	strbuf_release(&name);
	strbuf_release(&raw);
	return ferror(out) ? -EIO : 0;
}

static void json_state(struct jsonw *w, uint32_t state)
{
	jsonw_begin_inline_array(w);
	for (int c = 0; c < VMS_PG__MAX; c++)
		if (state & VMS_PAGE_BIT(c))
			jsonw_string(w, vms_page_count_names[c]);
	jsonw_end_array(w);
}

int pages_render_json(FILE *out, const struct pages_listing *l)
{
	const struct vms_snapshot *snap = l->snap;
	uint64_t ps = snap->host.page_size ? snap->host.page_size : 4096;
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "pid");
	jsonw_int(&w, snap->proc.pid);
	jsonw_key(&w, "page_size");
	jsonw_uint(&w, ps);
	jsonw_key(&w, "read");
	json_put_pages_info(&w, snap);
	jsonw_key(&w, "known");
	json_state(&w, l->known);
	jsonw_key(&w, "regions");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < l->n_regions; i++) {
		const struct pages_region *pr = &l->regions[i];
		const struct vms_region *r = &snap->regions[pr->region];

		jsonw_begin_object(&w);
		jsonw_key(&w, "region");
		jsonw_uint(&w, pr->region);
		jsonw_key(&w, "start");
		jsonw_hex(&w, pr->start);
		jsonw_key(&w, "end");
		jsonw_hex(&w, pr->end);
		jsonw_key(&w, "name");
		jsonw_string(&w, r->name ? r->name : "");
		jsonw_key(&w, "deleted");
		jsonw_bool(&w, r->deleted);
		jsonw_key(&w, "kind");
		jsonw_string(&w, vms_kind_to_string(r->kind));
		jsonw_key(&w, "pages");
		json_put_region_pages(&w, &pr->counts);
		jsonw_key(&w, "runs");
		jsonw_begin_array(&w);
		for (size_t k = pr->first_run; k < pr->first_run + pr->n_runs; k++) {
			const struct vms_page_run *run = &l->runs[k];

			jsonw_begin_inline_object(&w);
			jsonw_key(&w, "start");
			jsonw_hex(&w, run->start);
			jsonw_key(&w, "pages");
			jsonw_uint(&w, (run->end - run->start) / ps);
			jsonw_key(&w, "state");
			json_state(&w, run->state);
			jsonw_key(&w, "mapcount");
			if (run->mapcount)
				jsonw_uint(&w, run->mapcount);
			else
				jsonw_null(&w);
			jsonw_end_object(&w);
		}
		jsonw_end_array(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	return jsonw_finish(&w);
}
