/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmscope list: every process of the machine, one line each, or grouped. */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/metrics.h"
#include "cmd/common/procs.h"
#include "cmd/common/render.h"
#include "report/canvas.h"
#include "json/jsonw.h"
#include "tui/ptable.h"
#include "tui/viewmodel.h"
#include "vmscope/collect.h"
#include "vmscope/libraries.h"
#include "vmscope/list.h"

static const struct cli_option list_options[] = {
	CMD_PROCS_OPTIONS("order by pid, user, command, vsz, rss, rss_anon, rss_file, rss_shmem, "
			  "pss, uss, swap, swap_pss, minflt, majflt, processes, cgroup_memory or "
			  "oom_score (default pss)"),
	{ "top", 'n', required_argument, 'n', "N", "only the first N lines" },
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text, json, csv, openmetrics (OpenMetrics 1.0) or prometheus (text format 0.0.4)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	{ "width", 'w', required_argument, 'w', "N",
	  "output width (default: the terminal's; unlimited into a pipe)" },
	CLI_OPTION_COLOR,
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command list_command = {
	.name = "list",
	.synopsis = "vmscope list [OPTIONS]",
	.summary = "List every process with its memory: VSZ, RSS, PSS, USS, swap, SwapPss and page\n"
		   "faults, biggest PSS first, and a total. A process vmscope may not read shows\n"
		   "n/a (run as its owner or as root); a sum over such processes is marked '+'.\n"
		   "Kernel threads are left out unless --kernel is given.\n",
	.options = list_options,
	.n_options = ARRAY_SIZE(list_options),
	.epilog = "Exit status: 0 success, 1 the processes could not be listed, 2 usage error.\n",
};

struct list_args {
	const char *format;
	struct cmd_procs p;
	bool bytes;
	unsigned top, width; /* width 0: lines whole (ptable_layout) */
	enum cli_color color;
	const char *proc_root;
};

/* What a format writer gets. */
struct list_out {
	const struct list_args *a;
	const struct vms_view *v;
	const struct vms_plist *pl;
	bool color;
	int root_fd;
};

static size_t rows_shown(const struct list_out *o)
{
	return o->a->top && o->a->top < o->v->n_vis ? o->a->top : o->v->n_vis;
}

static int write_text(FILE *out, const struct list_out *o)
{
	const struct vms_view *v = o->v;
	unsigned flags = o->a->bytes ? PTABLE_BYTES : 0;
	struct ptable t;
	struct canvas cv;
	size_t shown = rows_shown(o);
	int r = 0;

	ptable_layout(&t, v, o->a->width, flags);
	canvas_init(&cv, t.width);
	cv.ascii = !cli_locale_utf8();
	ptable_draw_header(&t, v, &cv, canvas_add_row(&cv));
	for (size_t i = 0; i < shown; i++) {
		ptable_draw_row(&t, v, vms_view_row(v, i), &cv, canvas_add_row(&cv));
		/* bounded memory for thousands of processes */
		if (cv.height >= 256) {
			r = canvas_write(&cv, out, o->color);
			canvas_clear(&cv);
			if (r < 0)
				break;
		}
	}
	if (r == 0) {
		ptable_draw_total(&t, v, &cv, canvas_add_row(&cv));
		r = canvas_write(&cv, out, o->color);
	}
	canvas_release(&cv);
	return r;
}

/* The numeric columns written to CSV and JSON, by mode. */
static const enum vms_col proc_cols[] = {
	VMS_COL_VSZ, VMS_COL_RSS, VMS_COL_RSS_ANON, VMS_COL_RSS_FILE, VMS_COL_RSS_SHMEM,
	VMS_COL_PSS, VMS_COL_USS, VMS_COL_SWAP, VMS_COL_SWAP_PSS, VMS_COL_MINFLT, VMS_COL_MAJFLT, VMS_COL_OOM_SCORE,
};

/* Names come from the processes: escaped as for a terminal, then quoted. */
/* Fault counts, OOM scores and the RSS split are the processes', not a library's. */
static bool col_shown(const struct vms_view *v, enum vms_col c)
{
	return v->by != VMS_GROUP_LIBRARY ||
	       (c != VMS_COL_MINFLT && c != VMS_COL_MAJFLT && c != VMS_COL_OOM_SCORE &&
		c != VMS_COL_RSS_ANON && c != VMS_COL_RSS_FILE && c != VMS_COL_RSS_SHMEM);
}

/*
 * A text cell: quoted, its quotes doubled, and, as OWASP recommends against
 * CSV injection, a cell that begins with = + - @ (or a tab or CR, which
 * escape_display has already written as \x09 and \x0d) gets a ' before it,
 * so that no spreadsheet takes a process's name for a formula.
 */
static void csv_field(FILE *out, const char *s)
{
	struct strbuf esc;

	strbuf_init(&esc);
	if (s)
		escape_display(&esc, s, strlen(s));
	fputc('"', out);
	if (esc.len && strchr("=+-@\t\r", esc.buf[0]))
		fputc('\'', out);
	for (size_t i = 0; i < esc.len; i++) {
		if (esc.buf[i] == '"')
			fputc('"', out);
		fputc(esc.buf[i], out);
	}
	fputc('"', out);
	strbuf_release(&esc);
}

static int write_csv(FILE *out, const struct list_out *o)
{
	const struct vms_view *v = o->v;
	bool grouped = v->by != VMS_GROUP_NONE;
	size_t shown = rows_shown(o);

	if (grouped)
		fprintf(out, "%s,processes,unreadable", vms_group_to_string(v->by));
	else
		fputs("pid,user,uid,command,cmdline,readable", out);
	for (size_t c = 0; c < ARRAY_SIZE(proc_cols); c++)
		if (col_shown(v, proc_cols[c]))
			fprintf(out, ",%s", vms_cols[proc_cols[c]].name);
	if (v->by == VMS_GROUP_CGROUP)
		fprintf(out, ",%s", vms_cols[VMS_COL_CGROUP_MEM].name);
	fputc('\n', out);
	for (size_t i = 0; i < shown; i++) {
		const struct vms_row *r = vms_view_row(v, i);

		if (grouped) {
			csv_field(out, r->name);
			fprintf(out, ",%" PRIu32 ",%" PRIu32, r->count, r->unreadable);
		} else {
			fprintf(out, "%d,", (int)r->pid);
			csv_field(out, r->user);
			fprintf(out, ",%u,", (unsigned)r->uid);
			csv_field(out, r->name);
			fputc(',', out);
			csv_field(out, r->cmdline);
			fprintf(out, ",%s", r->unreadable ? "false" : "true");
		}
		for (size_t c = 0; c < ARRAY_SIZE(proc_cols); c++) {
			if (!col_shown(v, proc_cols[c]))
				continue;
			if (vms_row_has(r, proc_cols[c]))
				fprintf(out, ",%" PRIu64, r->v[proc_cols[c]]);
			else
				fputc(',', out); /* empty: not known, never a false 0 */
		}
		if (v->by == VMS_GROUP_CGROUP) {
			if (vms_row_has(r, VMS_COL_CGROUP_MEM))
				fprintf(out, ",%" PRIu64, r->v[VMS_COL_CGROUP_MEM]);
			else
				fputc(',', out);
		}
		fputc('\n', out);
	}
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

static void json_values(struct jsonw *w, const struct vms_view *v, const struct vms_row *r,
			bool cgroup)
{
	for (size_t c = 0; c < ARRAY_SIZE(proc_cols); c++) {
		if (!col_shown(v, proc_cols[c]))
			continue;
		jsonw_key(w, vms_cols[proc_cols[c]].name);
		if (vms_row_has(r, proc_cols[c]))
			jsonw_uint(w, r->v[proc_cols[c]]);
		else
			jsonw_null(w);
	}
	if (cgroup) {
		jsonw_key(w, vms_cols[VMS_COL_CGROUP_MEM].name);
		if (vms_row_has(r, VMS_COL_CGROUP_MEM))
			jsonw_uint(w, r->v[VMS_COL_CGROUP_MEM]);
		else
			jsonw_null(w);
	}
}

static int write_json(FILE *out, const struct list_out *o)
{
	const struct vms_view *v = o->v;
	bool grouped = v->by != VMS_GROUP_NONE, cg = v->by == VMS_GROUP_CGROUP;
	size_t shown = rows_shown(o);
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "vmscope_version");
	jsonw_string(&w, VMSCOPE_VERSION);
	jsonw_key(&w, "by");
	jsonw_string(&w, vms_group_to_string(v->by));
	jsonw_key(&w, "sort");
	jsonw_string(&w, vms_cols[v->sort].name);
	jsonw_key(&w, "vanished");
	jsonw_uint(&w, o->pl->vanished);
	jsonw_key(&w, grouped ? "groups" : "processes");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < shown; i++) {
		const struct vms_row *r = vms_view_row(v, i);

		jsonw_begin_object(&w);
		if (grouped) {
			jsonw_key(&w, vms_group_to_string(v->by));
			jsonw_string(&w, r->name);
			jsonw_key(&w, "processes");
			jsonw_uint(&w, r->count);
			jsonw_key(&w, "unreadable");
			jsonw_uint(&w, r->unreadable);
		} else {
			jsonw_key(&w, "pid");
			jsonw_uint(&w, (uint64_t)r->pid);
			jsonw_key(&w, "uid");
			jsonw_uint(&w, r->uid);
			jsonw_key(&w, "user");
			jsonw_string(&w, r->user);
			jsonw_key(&w, "comm");
			jsonw_string(&w, r->name);
			jsonw_key(&w, "cmdline");
			jsonw_string(&w, r->cmdline);
			jsonw_key(&w, "readable");
			jsonw_bool(&w, !r->unreadable);
		}
		json_values(&w, v, r, cg);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_key(&w, "total");
	jsonw_begin_object(&w);
	jsonw_key(&w, "processes");
	/* libraries share processes: the total counts the processes read */
	jsonw_uint(&w, v->by == VMS_GROUP_LIBRARY ? v->lib_processes + v->lib_unreadable
						  : v->total.count);
	jsonw_key(&w, "unreadable");
	jsonw_uint(&w, v->by == VMS_GROUP_LIBRARY ? v->lib_unreadable : v->total.unreadable);
	json_values(&w, v, &v->total, false);
	jsonw_end_object(&w);
	jsonw_end_object(&w);
	return jsonw_finish(&w);
}

static int cmp_pentry_pid(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key, other = ((const struct vms_pentry *)elem)->pid;

	return (pid > other) - (pid < other);
}

/* Metrics of the processes shown, in their order, or of the groups shown. */
static int write_metrics(FILE *out, const struct list_out *o, enum vms_metrics_format fmt)
{
	size_t shown = rows_shown(o), n = 0;
	const struct vms_pentry **entries;
	struct vms_host host;
	int r;

	vms_collect_host(o->root_fd, &host);
	if (o->v->by != VMS_GROUP_NONE)
		return cmd_view_metrics(out, fmt, o->v, shown, &host);
	entries = xcalloc(shown ? shown : 1, sizeof(*entries));
	for (size_t i = 0; i < shown; i++) {
		pid_t pid = vms_view_row(o->v, i)->pid;
		const struct vms_pentry *e = bsearch(&pid, o->pl->items, o->pl->n,
						     sizeof(*o->pl->items), cmp_pentry_pid);

		if (e)
			entries[n++] = e;
	}
	r = cmd_pentries_openmetrics(out, fmt, entries, n, &host);
	free(entries);
	return r;
}

static int write_openmetrics(FILE *out, const struct list_out *o)
{
	return write_metrics(out, o, VMS_METRICS_OPENMETRICS);
}

static int write_prometheus(FILE *out, const struct list_out *o)
{
	return write_metrics(out, o, VMS_METRICS_PROMETHEUS);
}

/* The writer of each of cmd_list_formats, in its order: a new format is
 * a name there and a writer here. */
static int (*const list_writers[])(FILE *out, const struct list_out *o) = {
	write_text, write_json, write_csv, write_openmetrics, write_prometheus,
};
_Static_assert(ARRAY_SIZE(list_writers) == CMD_LIST_FORMATS,
	       "a writer for each of cmd_list_formats");

static void format_names(struct strbuf *sb)
{
	for (size_t i = 0; i < CMD_LIST_FORMATS; i++)
		strbuf_addf(sb, "%s%s", i ? (i + 1 == CMD_LIST_FORMATS ? " or " : ", ") : "",
			    cmd_list_formats[i]);
}

static int list_option(int id, const char *arg, void *ctx)
{
	struct list_args *a = ctx;
	struct strbuf sb;
	int r;

	r = cmd_procs_option(&a->p, id, arg, false);
	if (r <= 0)
		return r;
	switch (id) {
	case 'n':
		return cli_parse_uint("top", arg, 1, 100000000, &a->top);
	case 'f':
		if (cmd_list_format(arg) < 0) {
			strbuf_init(&sb);
			format_names(&sb);
			cli_error("unknown format '%s' (%s)", arg, sb.buf);
			strbuf_release(&sb);
			return -EINVAL;
		}
		a->format = arg;
		return 0;
	case 'b':
		a->bytes = true;
		return 0;
	case 'w':
		return cli_parse_uint("width", arg, 40, CANVAS_MAX_WIDTH, &a->width);
	case CLI_OPT_COLOR:
		return cli_parse_color(arg, &a->color);
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return -EINVAL;
}

/*
 * --by library: the processes that pass the user and name filters are read
 * whole (smaps) and their libraries summed into v; --match then applies to
 * the library's path.
 */
static void list_libraries(struct vms_view *v, const struct vms_plist *pl, struct vms_liblist *ll,
			   int root_fd, bool live)
{
	struct vms_view procs;
	pid_t *pids;

	vms_view_init(&procs, VMS_GROUP_NONE);
	vms_view_filter_user(&procs, v->filter.user);
	vms_view_filter_name(&procs, v->filter.name);
	vms_view_update(&procs, pl, NULL);
	pids = xcalloc(procs.n_vis ? procs.n_vis : 1, sizeof(*pids));
	for (size_t i = 0; i < procs.n_vis; i++)
		pids[i] = vms_view_row(&procs, i)->pid;
	vms_liblist_collect(ll, root_fd, live, pids, procs.n_vis, NULL);
	free(pids);
	vms_view_release(&procs);
	vms_view_set_libraries(v, ll);
	/* root may be refused too (a process of a user namespace above it) */
	if (ll->unreadable)
		fprintf(stderr,
			"vmscope: the maps of %" PRIu32 " process%s could not be read (%s): "
			"their libraries are not counted%s\n",
			ll->unreadable, ll->unreadable == 1 ? "" : "es",
			strerror(-ll->unreadable_error),
			geteuid() == 0 ? " (refused to root too)" : "; run as root to see all");
}

/* The lister reads only the processes the view can show. */
static bool list_wants(const struct vms_pentry *e, void *v)
{
	return vms_view_may_show(v, e);
}

int cmd_list(int argc, char **argv)
{
	struct list_args a = { .format = "text", .p = { .sort = -1 } };
	struct vms_lister *lister = NULL;
	struct vms_plist pl;
	struct vms_liblist ll;
	struct vms_view v;
	bool live;
	int root_fd, r, first, status = 0;

	r = cli_parse(argc, argv, &list_command, list_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (first < argc) {
		cli_error("list takes no operands ('%s'); see --user, --name, --match",
			argv[first]);
		return EXIT_USAGE;
	}
	if ((strcmp(a.format, "openmetrics") == 0 || strcmp(a.format, "prometheus") == 0) &&
	    a.p.by == VMS_GROUP_LIBRARY) {
		fprintf(stderr, "vmscope: --format %s sums processes by program, user or cgroup, not by library\n",
			a.format);
		return EXIT_USAGE;
	}
	if (!a.width) /* else 0: no terminal, no COLUMNS, full lines */
		a.width = cli_output_width(0, STDOUT_FILENO);
	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	live = cli_proc_root_is_live(a.proc_root);

	vms_view_init(&v, a.p.by);
	vms_plist_init(&pl);
	vms_liblist_init(&ll);
	vms_view_filter_user(&v, a.p.user);
	vms_view_filter_name(&v, a.p.name);
	if (vms_view_filter_pattern(&v, a.p.match, a.p.full) < 0) {
		cli_error("'%s' is not a valid regular expression", a.p.match);
		status = EXIT_USAGE;
		goto out;
	}
	if (a.p.sort < 0)
		a.p.sort = VMS_COL_PSS;
	r = vms_lister_new(root_fd, live,
			   (a.p.kernel ? VMS_LIST_KERNEL : 0) | (a.p.by == VMS_GROUP_CGROUP ? VMS_LIST_CGROUP : 0),
			   &lister);
	if (r >= 0) {
		vms_lister_filter(lister, list_wants, &v);
		r = vms_lister_collect(lister, &pl);
	}
	if (r < 0) {
		cli_error("cannot list processes: %s", strerror(-r));
		status = EXIT_GONE;
		goto out;
	}
	if (a.p.by == VMS_GROUP_LIBRARY) {
		list_libraries(&v, &pl, &ll, root_fd, live);
		pl.vanished += ll.vanished;
	} else
		vms_view_update(&v, &pl, NULL);
	vms_view_sort(&v, (enum vms_col)a.p.sort, -1);
	if (a.p.reverse)
		vms_view_sort(&v, v.sort, !v.desc);
	if (a.p.by == VMS_GROUP_CGROUP && live) {
		int cg_fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		vms_view_fill_cgroup_mem(&v, cg_fd);
		if (cg_fd >= 0)
			close(cg_fd);
	}

	struct list_out o = { .a = &a, .v = &v, .pl = &pl,
			      .color = cli_want_color(a.color, STDOUT_FILENO), .root_fd = root_fd };
	errno = 0; /* a write error of the writer's is the last errno set */
	r = cmd_stream_done(stdout, list_writers[cmd_list_format(a.format)](stdout, &o));
	if (r < 0)
		status = cmd_written(r, "the list");
out:
	vms_lister_free(lister);
	vms_plist_release(&pl);
	vms_liblist_release(&ll);
	vms_view_release(&v);
	close(root_fd);
	return status;
}
