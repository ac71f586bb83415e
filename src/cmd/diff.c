/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope diff A B: what changed between two snapshots (files or live processes). */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/render.h"
#include "cmd/common/target.h"
#include "json/jsonw.h"
#include "report/canvas.h"
#include "vmscope/diff.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

enum {
	OPT_FULL = CLI_OPT_FIRST_FREE,
	OPT_AT,
	OPT_EXIT_CODE,
};

static const struct cli_option diff_options[] = {
	{ "format", 'f', required_argument, 'f', "FMT",
	  "output format: text, json or html (one self-contained page; default text)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	{ "full", 0, no_argument, OPT_FULL, NULL, "match NAME against the whole command line" },
	{ "at", 0, required_argument, OPT_AT, "T",
	  "a recording stands for its sample at T after its start (first, last, 90s; default last)" },
	{ "exit-code", 0, no_argument, OPT_EXIT_CODE, NULL,
	  "exit 1 when anything changed (a region or a total), 0 when nothing did, as git diff; "
	  "3 when a process is gone" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command diff_command = {
	.name = "diff",
	.synopsis = "vmscope diff [OPTIONS] A [B]",
	.summary = "Show what changed from A to B, region by region: what grew, shrank,\n"
		   "appeared and vanished, with size, RSS, PSS, USS and swap deltas, and the\n"
		   "process totals. A and B are snapshot files, recordings or live processes\n"
		   "(PID|NAME); a recording alone is diffed from its first sample to its last\n"
		   "(or --at).\n"
		   "Regions of mapped files match by file, kind and offset, so a library loaded\n"
		   "at another address is the same region; anonymous ones by address and\n"
		   "neighbours.\n",
	.options = diff_options,
	.n_options = ARRAY_SIZE(diff_options),
	.epilog = "Exit status: 0 compared, 1 a process operand does not exist or exited, 2 usage\n"
		  "error or a bad file. With --exit-code: 0 nothing changed, 1 something changed,\n"
		  "2 usage error, a bad file or a write error, 3 a process operand is gone.\n",
};

struct diff_args {
	int64_t at_ns;
	bool json, html, bytes, full, exit_code;
	unsigned width; /* the terminal's or COLUMNS; 0: whole lines */
	const char *proc_root;
};

static int diff_option(int id, const char *arg, void *ctx)
{
	struct diff_args *a = ctx;

	switch (id) {
	case 'f':
		if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 &&
		    strcmp(arg, "html") != 0) {
			cli_error("unknown format '%s' (text, json or html)", arg);
			return -EINVAL;
		}
		a->json = strcmp(arg, "json") == 0;
		a->html = strcmp(arg, "html") == 0;
		return 0;
	case 'b':
		a->bytes = true;
		return 0;
	case OPT_FULL:
		a->full = true;
		return 0;
	case OPT_AT:
		return cmd_parse_at(arg, &a->at_ns);
	case OPT_EXIT_CODE:
		a->exit_code = true;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return -EINVAL;
}


static void fmt_size(char *buf, size_t n, uint64_t v, bool bytes)
{
	if (bytes)
		snprintf(buf, n, "%" PRIu64, v);
	else
		vms_format_size(buf, n, v);
}

static void fmt_delta(char *buf, size_t n, int64_t d, bool bytes)
{
	char mag[24];

	if (d == 0) {
		snprintf(buf, n, "0");
		return;
	}
	fmt_size(mag, sizeof(mag), d < 0 ? -(uint64_t)d : (uint64_t)d, bytes);
	snprintf(buf, n, "%c%s", d < 0 ? '-' : '+', mag);
}

/* "a.json: pid 42 (name)", raw: put_cut escapes it. */
static void describe(struct strbuf *sb, const char *arg, const struct vms_snapshot *s)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s: pid %d (%s)", arg, (int)s->proc.pid,
		    s->proc.comm ? s->proc.comm : "?");
}

/* head then text (escaped for display here), cut with an ellipsis at width (0: whole). */
static void put_cut(FILE *out, const char *head, const char *text, unsigned width)
{
	struct canvas cv;
	size_t y;
	unsigned x;

	canvas_init(&cv, width ? width : CANVAS_MAX_WIDTH);
	cv.ascii = !cli_locale_utf8();
	y = canvas_add_row(&cv);
	x = canvas_put_str(&cv, 0, y, head, cv.width, 0, CANVAS_PLAIN);
	canvas_put_str(&cv, x, y, text, cv.width - x, CANVAS_TRUNC_LEFT, CANVAS_PLAIN);
	(void)canvas_write(&cv, out, false);
	canvas_release(&cv);
}

/* The columns of the region table: address and label widths, values kept. */
struct dcols {
	unsigned aw, lw, vw; /* aw 0: no address column */
	bool keep[4];        /* size, Δsize, RSS, ΔRSS */
};

/* One row of the region table, the header's included. */
static void put_row(struct canvas *cv, const struct dcols *c, const char *change,
		    const char *addr, const char *label, size_t label_len, const char *const v[4])
{
	size_t y = canvas_add_row(cv);
	unsigned x = 10;

	canvas_put_str(cv, 0, y, change, 9, 0, CANVAS_PLAIN);
	if (c->aw) {
		canvas_put_str(cv, x, y, addr, c->aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
		x += c->aw + 2;
	}
	canvas_put_text(cv, x, y, label, label_len, c->lw, 0, CANVAS_PLAIN);
	x += c->lw + 1;
	for (unsigned k = 0; k < 4; k++) {
		if (!c->keep[k])
			continue;
		canvas_put_str(cv, x, y, v[k], c->vw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
		x += c->vw + 1;
	}
}

/*
 * The changed regions as a table, drawn on a canvas so that it fits the
 * width: change, address, region, then size, Δsize, RSS and ΔRSS. Narrow,
 * the address goes first, then RSS, then size, and the values narrow to 7
 * columns; the region's label is cut with an ellipsis, 12 columns at least.
 * Without a width (into a pipe), the labels are whole.
 */
static void print_regions(FILE *out, const struct diff_args *args, const struct vms_snapshot *a,
			  const struct vms_snapshot *b, const struct vms_diff *d)
{
	static const char *const heads[4] = { "size", "\u0394size", "RSS", "\u0394RSS" };
	bool keep[4] = { true, true, true, true };
	unsigned width = args->width ? args->width : CANVAS_MAX_WIDTH, fit = args->width;
	unsigned aw = 16, lw = 28, vw = 9, nv = 4;
	struct dcols c;
	struct canvas cv;
	struct strbuf sb;
	char v[4][32];

	strbuf_init(&sb);
	if (!fit) { /* whole lines: the widest label sets the column */
		for (size_t i = 0; i < d->n; i++) {
			const struct vms_diff_entry *e = &d->entries[i];
			const struct vms_snapshot *s = e->b >= 0 ? b : a;
			size_t w;

			strbuf_reset(&sb);
			cmd_region_label_raw(&sb, s, &s->regions[e->b >= 0 ? e->b : e->a]);
			w = canvas_text_width(sb.buf, sb.len);
			if (w > lw)
				lw = w > CANVAS_MAX_WIDTH / 2 ? CANVAS_MAX_WIDTH / 2 : (unsigned)w;
		}
	} else {
#define NEED (10 + (aw ? aw + 2 : 0) + 12 + nv * (vw + 1))
		if (NEED > fit)
			aw = 0;
		if (NEED > fit)
			keep[2] = false, nv--;
		if (NEED > fit)
			keep[0] = false, nv--;
		if (NEED > fit)
			vw = 7;
		lw = fit > NEED - 12 ? fit - (NEED - 12) : 12;
		if (lw > 28)
			lw = 28;
#undef NEED
	}
	canvas_init(&cv, width);
	cv.ascii = !cli_locale_utf8();
	c = (struct dcols){ aw, lw, vw, { keep[0], keep[1], keep[2], keep[3] } };
	put_row(&cv, &c, "change", "address", "region", 6, heads);
	for (size_t i = 0; i < d->n; i++) {
		const struct vms_diff_entry *e = &d->entries[i];
		const struct vms_snapshot *s = e->b >= 0 ? b : a;
		const struct vms_region *r = &s->regions[e->b >= 0 ? e->b : e->a];
		const char *vp[4] = { v[0], v[1], v[2], v[3] };
		uint64_t rss;
		char addr[24];

		fmt_size(v[0], sizeof(v[0]), vms_region_size(r), args->bytes);
		fmt_delta(v[1], sizeof(v[1]), e->delta[VMS_MEASURE_SIZE], args->bytes);
		if (vms_region_measure(r, VMS_MEASURE_RSS, &rss))
			fmt_size(v[2], sizeof(v[2]), rss, args->bytes);
		else
			snprintf(v[2], sizeof(v[2]), "n/a");
		if (e->have & (UINT32_C(1) << VMS_MEASURE_RSS))
			fmt_delta(v[3], sizeof(v[3]), e->delta[VMS_MEASURE_RSS], args->bytes);
		else
			snprintf(v[3], sizeof(v[3]), "n/a");
		snprintf(addr, sizeof(addr), "%" PRIx64, r->start);
		strbuf_reset(&sb);
		cmd_region_label_raw(&sb, s, r);
		put_row(&cv, &c, vms_change_to_string(e->change), addr, sb.buf, sb.len, vp);
		if (cv.height >= 256) { /* bounded memory for many regions */
			(void)canvas_write(&cv, out, false);
			canvas_clear(&cv);
		}
	}
	(void)canvas_write(&cv, out, false);
	canvas_release(&cv);
	strbuf_release(&sb);
}

static void print_text(FILE *out, const struct diff_args *args, const char *name_a,
		       const char *name_b, const struct vms_snapshot *a,
		       const struct vms_snapshot *b, const struct vms_diff *d)
{
	static const char *const total_names[VMS_MEASURE__MAX] = { "VSZ", "RSS", "PSS", "USS",
								  "swap" };
	struct strbuf sb;
	char x[32], y[32], z[32];

	strbuf_init(&sb);
	describe(&sb, name_a, a);
	put_cut(out, "before  ", sb.buf, args->width);
	describe(&sb, name_b, b);
	put_cut(out, "after   ", sb.buf, args->width);
	fputc('\n', out);
	fprintf(out, "%-6s %10s %10s %10s\n", "total", "before", "after", "change");
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint32_t bit = UINT32_C(1) << m;

		fmt_size(x, sizeof(x), d->total_a[m], args->bytes);
		fmt_size(y, sizeof(y), d->total_b[m], args->bytes);
		fmt_delta(z, sizeof(z), d->total_delta[m], args->bytes);
		fprintf(out, "%-6s %10s %10s %10s\n", total_names[m],
			d->total_have_a & bit ? x : "n/a", d->total_have_b & bit ? y : "n/a",
			d->total_have & bit ? z : "n/a");
	}
	if (d->regions_unknown) {
		const struct vms_snapshot *s = a->src[VMS_SRC_SMAPS].error ? a : b;

		fprintf(out, "\nregions: n/a, those of %s could not be read: %s\n",
			s == a ? "before" : "after", strerror(-s->src[VMS_SRC_SMAPS].error));
		strbuf_release(&sb);
		return;
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "regions: %zu grew, %zu shrank, %zu appeared, %zu vanished, %zu unchanged",
		    d->count[VMS_CHANGE_GREW], d->count[VMS_CHANGE_SHRANK],
		    d->count[VMS_CHANGE_APPEARED], d->count[VMS_CHANGE_VANISHED], d->n_same);
	if (d->n_merged)
		strbuf_addf(&sb, ", %zu merged into a new mapping", d->n_merged);
	fputc('\n', out);
	cmd_put_wrapped(out, sb.buf, args->width, 2);
	if (d->n == 0) {
		strbuf_release(&sb);
		return;
	}
	print_regions(out, args, a, b, d);
	strbuf_release(&sb);
}

static void json_side(struct jsonw *w, const char *arg, const struct vms_snapshot *s)
{
	jsonw_begin_inline_object(w);
	jsonw_key(w, "source");
	jsonw_string(w, arg);
	jsonw_key(w, "pid");
	jsonw_int(w, s->proc.pid);
	jsonw_key(w, "comm");
	jsonw_string(w, s->proc.comm);
	jsonw_key(w, "wall_ns");
	jsonw_int(w, s->wall_ns);
	jsonw_end_object(w);
}

static void json_region(struct jsonw *w, const struct vms_snapshot *s, int32_t idx)
{
	const struct vms_region *r;

	if (idx < 0) {
		jsonw_null(w);
		return;
	}
	r = &s->regions[idx];
	jsonw_begin_inline_object(w);
	jsonw_key(w, "index");
	jsonw_uint(w, (uint64_t)idx);
	jsonw_key(w, "start");
	jsonw_hex(w, r->start);
	jsonw_key(w, "end");
	jsonw_hex(w, r->end);
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint64_t v;

		jsonw_key(w, vms_measure_to_string(m));
		if (vms_region_measure(r, m, &v))
			jsonw_uint(w, v);
		else
			jsonw_null(w);
	}
	jsonw_end_object(w);
}

static int print_json(FILE *out, const char *name_a, const char *name_b,
		      const struct vms_snapshot *a, const struct vms_snapshot *b,
		      const struct vms_diff *d)
{
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "before");
	json_side(&w, name_a, a);
	jsonw_key(&w, "after");
	json_side(&w, name_b, b);
	jsonw_key(&w, "totals");
	jsonw_begin_object(&w);
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint32_t bit = UINT32_C(1) << m;

		jsonw_key(&w, vms_measure_to_string(m));
		if (!((d->total_have_a | d->total_have_b) & bit)) {
			jsonw_null(&w);
			continue;
		}
		/* a side that could not read it: null there, and no delta */
		jsonw_begin_inline_object(&w);
		jsonw_key(&w, "before");
		if (d->total_have_a & bit)
			jsonw_uint(&w, d->total_a[m]);
		else
			jsonw_null(&w);
		jsonw_key(&w, "after");
		if (d->total_have_b & bit)
			jsonw_uint(&w, d->total_b[m]);
		else
			jsonw_null(&w);
		jsonw_key(&w, "delta");
		if (d->total_have & bit)
			jsonw_int(&w, d->total_delta[m]);
		else
			jsonw_null(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_object(&w);
	jsonw_key(&w, "counts");
	if (d->regions_unknown) {
		/* the regions of a side could not be read: nothing to count */
		jsonw_null(&w);
		jsonw_key(&w, "regions");
		jsonw_null(&w);
		jsonw_end_object(&w);
		return jsonw_finish(&w);
	}
	jsonw_begin_inline_object(&w);
	for (int c = 0; c < VMS_CHANGE__MAX; c++) {
		jsonw_key(&w, vms_change_to_string(c));
		jsonw_uint(&w, d->count[c]);
	}
	jsonw_key(&w, "merged");
	jsonw_uint(&w, d->n_merged);
	jsonw_end_object(&w);
	jsonw_key(&w, "regions");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < d->n; i++) {
		const struct vms_diff_entry *e = &d->entries[i];
		const struct vms_snapshot *s = e->b >= 0 ? b : a;
		const struct vms_region *r = &s->regions[e->b >= 0 ? e->b : e->a];

		jsonw_begin_object(&w);
		jsonw_key(&w, "change");
		jsonw_string(&w, vms_change_to_string(e->change));
		jsonw_key(&w, "kind");
		jsonw_string(&w, vms_kind_to_string(r->kind));
		jsonw_key(&w, "name");
		jsonw_string(&w, r->name ? r->name : "");
		jsonw_key(&w, "object");
		if (r->object >= 0 && (size_t)r->object < s->n_objects)
			jsonw_string(&w, s->objects[r->object].path);
		else
			jsonw_null(&w);
		jsonw_key(&w, "before");
		json_region(&w, a, e->a);
		jsonw_key(&w, "after");
		json_region(&w, b, e->b);
		jsonw_key(&w, "delta");
		jsonw_begin_inline_object(&w);
		for (int m = 0; m < VMS_MEASURE__MAX; m++) {
			jsonw_key(&w, vms_measure_to_string(m));
			if (e->have & (UINT32_C(1) << m))
				jsonw_int(&w, e->delta[m]);
			else
				jsonw_null(&w);
		}
		jsonw_end_object(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	return jsonw_finish(&w);
}

/* "FILE at 1m30s": a recording's sample, named by its time since the first. */
static char *sample_name(const char *file, const struct vms_snapshot *s,
			 const struct vms_snapshot *first)
{
	struct strbuf sb;
	double t = (double)(s->mono_ns - first->mono_ns) / 1e9;

	strbuf_init(&sb);
	strbuf_addf(&sb, "%s at %.1fs", file, t);
	return strbuf_detach(&sb, NULL);
}

/* Whether a region or a total differs: what --exit-code answers. */
static bool diff_changed(const struct vms_diff *d)
{
	if (d->n > 0)
		return true;
	for (int m = 0; m < VMS_MEASURE__MAX; m++)
		if ((d->total_have & (UINT32_C(1) << m)) && d->total_delta[m] != 0)
			return true;
	return false;
}

/* With --exit-code, 1 says "changed": a process that is gone says 3. */
static int no_verdict(const struct diff_args *a, int status)
{
	return a->exit_code && status == EXIT_GONE ? EXIT_NO_VERDICT : status;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args args = { .at_ns = CMD_AT_LAST };
	struct vms_snapshot *a = NULL, *b = NULL, *first_sample = NULL;
	_cleanup_free_ char *name_a = NULL, *name_b = NULL;
	char **ops;
	struct vms_diff d;
	int r, n, first, status;
	bool changed;

	r = cli_parse(argc, argv, &diff_command, diff_option, &args, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	ops = argv + first;
	n = argc - first;
	if (n != 2 && n != 1) {
		fputs("vmscope: diff takes two operands: A and B (snapshot files, recordings or "
		      "PIDs), or one recording\n",
		      stderr);
		return EXIT_USAGE;
	}
	if (n == 2 && strcmp(ops[0], "-") == 0 && strcmp(ops[1], "-") == 0) {
		fputs("vmscope: standard input (-) given as A and as B: it is read once\n", stderr);
		return EXIT_USAGE;
	}
	if (n == 1) {
		/* one recording: from its first sample */
		status = cmd_snapshot_operand(ops[0], args.proc_root, args.full, args.at_ns, &b,
					      &first_sample);
		if (status)
			return no_verdict(&args, status);
		if (!first_sample) {
			vms_snapshot_free(b);
			fputs("vmscope: diff of one operand takes a recording; a snapshot or a PID "
			      "needs a B\n",
			      stderr);
			return EXIT_USAGE;
		}
		a = first_sample;
		name_a = sample_name(ops[0], a, first_sample);
		name_b = sample_name(ops[0], b, first_sample);
	} else {
		status = cmd_snapshot_operand(ops[0], args.proc_root, args.full, args.at_ns, &a,
					      NULL);
		if (status)
			return no_verdict(&args, status);
		status = cmd_snapshot_operand(ops[1], args.proc_root, args.full, args.at_ns, &b,
					      NULL);
		if (status) {
			vms_snapshot_free(a);
			return no_verdict(&args, status);
		}
		name_a = xstrdup(ops[0]);
		name_b = xstrdup(ops[1]);
	}
	vms_diff_build(a, b, &d);
	changed = diff_changed(&d);
	if (args.json) {
		errno = 0;
		r = cmd_stream_done(stdout, print_json(stdout, name_a, name_b, a, b, &d));
	} else if (args.html) {
		struct vms_report_options ropt = { .bytes = args.bytes };

		errno = 0;
		r = cmd_stream_done(stdout, vms_report_diff_html(stdout, name_a, name_b, a, b, &d,
								  &ropt));
	} else {
		args.width = cli_output_width(0, STDOUT_FILENO);
		errno = 0;
		print_text(stdout, &args, name_a, name_b, a, b, &d);
		r = cmd_stream_done(stdout, 0);
	}
	vms_diff_release(&d);
	vms_snapshot_free(a);
	vms_snapshot_free(b);
	if (r < 0 && errno != EPIPE) {
		cli_error("cannot write the diff: %s", strerror(-r));
		return args.exit_code ? EXIT_USAGE : EXIT_GONE;
	}
	return args.exit_code && changed ? 1 : 0;
}
