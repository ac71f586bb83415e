/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text and the JSON of a watch of a process's faults (faults-session.c). */
#include "config.h"

#include "cmd/common/faults.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/render.h"
#include "json/jsonw.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

static double run_seconds(const struct cmd_faults_run *run)
{
	double s = (double)(run->end_ns - run->start_ns) / 1e9;

	return s > 1e-3 ? s : 1e-3;
}

static uint64_t per_second(uint64_t n, double secs)
{
	return (uint64_t)((double)n / secs + 0.5);
}

static void fmt_count(char *buf, size_t n, uint64_t v)
{
	char tmp[32];
	size_t len, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	for (size_t i = 0; i < len && o + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < n)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

static const struct vms_fault_count *find_count(const struct vms_fault_count *c, size_t n,
						pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].tid == tid)
			return &c[i];
	return NULL;
}

static const struct vms_fault_tally *find_sampled(const struct cmd_faults_run *run, pid_t tid)
{
	for (size_t i = 0; i < run->res.n_threads; i++)
		if (run->res.threads[i].tid == tid)
			return &run->res.threads[i].n;
	return NULL;
}

static void comm_display(struct strbuf *sb, const char *comm)
{
	escape_display(sb, comm, strnlen(comm, 16));
}

/* One thread's row: its counter delta, when both readings have it. */
struct thread_line {
	pid_t tid;
	const char *comm;
	bool have_delta;
	struct vms_fault_tally delta;
	const char *note; /* "started", "exited", NULL */
};

/* Every thread seen: in either reading of the counters or in the samples. */
static size_t thread_lines(const struct cmd_faults_run *run, struct thread_line **ret)
{
	size_t n = 0, alloc = 0;
	struct thread_line *l = NULL;
	static const struct vms_fault_count zero;

	for (size_t i = 0; i < run->n1; i++) {
		const struct vms_fault_count *a = find_count(run->t0, run->n0, run->t1[i].tid);

		ARRAY_GROW(l, n + 1, alloc);
		l[n].tid = run->t1[i].tid;
		l[n].comm = run->t1[i].comm;
		l[n].have_delta = true;
		l[n].delta = cmd_faults_delta(a ? a : &zero, &run->t1[i]);
		l[n].note = a ? NULL : "started";
		n++;
	}
	for (size_t i = 0; i < run->n0; i++) {
		if (find_count(run->t1, run->n1, run->t0[i].tid))
			continue;
		ARRAY_GROW(l, n + 1, alloc);
		l[n] = (struct thread_line){ run->t0[i].tid, run->t0[i].comm, false, { 0, 0 },
					     "exited" };
		n++;
	}
	for (size_t i = 0; i < run->res.n_threads; i++) {
		pid_t tid = run->res.threads[i].tid;

		if (find_count(run->t1, run->n1, tid) || find_count(run->t0, run->n0, tid))
			continue;
		ARRAY_GROW(l, n + 1, alloc);
		l[n] = (struct thread_line){ tid, "", false, { 0, 0 }, "started and exited" };
		n++;
	}
	*ret = l;
	return n;
}

/* Faults the kernel counted and the samples miss, and why. */
static void text_missed(FILE *out, const struct cmd_faults_run *run, uint64_t missed)
{
	char a[32], b[32];

	fmt_count(a, sizeof(a), missed);
	fprintf(out, "missed %s:", a);
	if (run->stats.lost) {
		fmt_count(b, sizeof(b), run->stats.lost);
		fprintf(out, " %s lost when a ring was full;", b);
	}
	if (run->user_only)
		fputs(" faults inside system calls are not sampled;", out);
	if (run->stats.inherited)
		fputs(" threads started while the events were being opened, and faults "
		      "between the counters' reads and the events' start and end\n",
		      out);
	else
		fputs(" threads that started and exited between two scans of task/ (too "
		      "many threads to follow them by inheritance)\n",
		      out);
}

static void text_header(FILE *out, const struct cmd_faults_run *run)
{
	const struct vms_snapshot *snap = run->first;
	double secs = run_seconds(run);
	char a[32], b[32], c[32];
	struct strbuf sb;

	strbuf_init(&sb);
	escape_display(&sb, snap->proc.comm ? snap->proc.comm : "?",
		       snap->proc.comm ? strlen(snap->proc.comm) : 1);
	fmt_count(a, sizeof(a), run->total.minflt);
	fmt_count(b, sizeof(b), run->total.majflt);
	fmt_count(c, sizeof(c), per_second(run->total.minflt + run->total.majflt, secs));
	fprintf(out, "%s  pid %d  %.1f s: %s minor, %s major faults (%s/s)\n", sb.buf, (int)run->pid,
		secs, a, b, c);
	if (run->exited)
		fprintf(out, "process %d exited during the run: what it did until then is shown\n",
			(int)run->pid);
	if (run->interrupted)
		fputs("interrupted: the run ended early\n", out);
	if (!run->sampled) {
		fprintf(out, "%s; the kernel's counters are shown, without regions or code\n", run->why);
	} else {
		uint64_t sampled = run->res.total.minflt + run->res.total.majflt;
		uint64_t total = run->total.minflt + run->total.majflt;
		uint32_t threads;

		if (run->major)
			total = run->total.majflt;
		fmt_count(a, sizeof(a), sampled);
		fprintf(out, "sampled %s faults", a);
		if (total)
			fprintf(out, " (%.1f%% of the kernel's count)", 100.0 * (double)sampled / (double)total);
		/* with inheritance, threads that came and went between two
		 * scans of task/ are only known by their samples */
		threads = run->stats.threads > run->res.n_threads ? run->stats.threads
								  : (uint32_t)run->res.n_threads;
		fprintf(out, " in %" PRIu32 " thread%s", threads, threads == 1 ? "" : "s");
		if (run->stats.throttled)
			fprintf(out, "; throttled %" PRIu64 " times (kernel.perf_event_max_sample_rate)",
				run->stats.throttled);
		fputc('\n', out);
		if (total > sampled)
			text_missed(out, run, total - sampled);
		if (run->user_only)
			fputs("not privileged for kernel samples: faults taken inside system calls "
			      "are counted but not sampled\n",
			      out);
		if (run->major)
			fputs("--major: minor faults are counted, not sampled\n", out);
	}
	strbuf_release(&sb);
}

static void text_regions(FILE *out, const struct cmd_faults_run *run, size_t top, unsigned width)
{
	double secs = run_seconds(run);
	struct strbuf sb;
	char a[32], b[32], c[32];
	int aw, lw;
	bool rate;

	if (!run->sampled)
		return;
	if (!run->res.total.minflt && !run->res.total.majflt) {
		fputs("\nno fault was sampled\n", out);
		return;
	}
	/* narrow: the address goes, then per s; the label narrows to 12 at least */
	aw = width && width < 79 ? 0 : 15;
	rate = !(width && width < 64);
	lw = width && width < 79 ? (int)width - (rate ? 30 : 20) : 34;
	if (lw < 12)
		lw = 12;
	if (lw > 34)
		lw = 34;
	strbuf_init(&sb);
	fprintf(out, "\n%-*s%-*s %10s %8s", aw, aw ? "address" : "", lw, "region", "minor", "major");
	fputs(rate ? "      per s\n" : "\n", out);
	for (size_t i = 0; i < run->res.n_regions && i < top; i++) {
		const struct vms_fault_region_row *row = &run->res.regions[i];
		const struct vms_region *r = &row->snap->regions[row->region];

		strbuf_reset(&sb);
		cmd_region_label(&sb, row->snap, r);
		fmt_count(a, sizeof(a), row->n.minflt);
		fmt_count(b, sizeof(b), row->n.majflt);
		fmt_count(c, sizeof(c),
			  per_second(row->n.minflt + row->n.majflt, secs));
		if (aw)
			fprintf(out, "%-14" PRIx64 " ", r->start);
		fprintf(out, "%-*.*s %10s %8s", lw, lw, sb.buf, a, b);
		if (rate)
			fprintf(out, " %9s", c);
		fputc('\n', out);
	}
	if (run->res.n_regions > top)
		fprintf(out, "%*s(%zu more regions)\n", aw, "", run->res.n_regions - top);
	if (run->res.unmapped.minflt + run->res.unmapped.majflt) {
		fmt_count(a, sizeof(a), run->res.unmapped.minflt);
		fmt_count(b, sizeof(b), run->res.unmapped.majflt);
		fprintf(out, "%*s%-*.*s %10s %8s\n", aw, "", lw, lw, "(mapped and unmapped in the run)",
			a, b);
	}
	if (run->res.dropped)
		fprintf(out, "%*s(%" PRIu64 " faults in new mappings past the cap, not placed)\n", aw,
			"", run->res.dropped);
	strbuf_release(&sb);
}

static void text_sites(FILE *out, const struct cmd_faults_run *run, unsigned width)
{
	/* a code site's name is cut at the width: its object+offset is at its end */
	int room = width ? (int)width - 21 : INT_MAX;

	char a[32], b[32];
	bool unsymbolized = false;

	if (!run->sampled || !run->n_names)
		return;
	fprintf(out, "\n%10s %8s  %s\n", "minor", "major", "code");
	for (size_t i = 0; i < run->n_names; i++) {
		const struct vms_fault_site_row *s = &run->res.sites[i];

		fmt_count(a, sizeof(a), s->n.minflt);
		fmt_count(b, sizeof(b), s->n.majflt);
		fprintf(out, "%10s %8s  %.*s\n", a, b, room, run->names[i].text);
		unsymbolized |= !run->names[i].symbol && !cmd_faults_kernel_ip(s->ip);
	}
	if (run->res.n_sites > run->n_names)
		fprintf(out, "%19s  (%zu more code sites)\n", "", run->res.n_sites - run->n_names);
	if (unsymbolized) /* prose: wrapped to the width, as the man page says */
		cmd_put_wrapped(out,
				"(object+0xoff: no symbol holds the address, or the object was "
				"unreadable)",
				width, 1);
}

static void text_timeline(FILE *out, const struct cmd_faults_run *run, unsigned width)
{
	/* the bar: 30 columns, or what the width leaves */
	uint64_t cols = width && width < 58 ? width - 28 : 30, max = 1;
	char a[32], b[32];
	bool utf8 = cli_locale_utf8();

	if (!run->n_timeline)
		return;
	for (size_t i = 0; i < run->n_timeline; i++)
		if (run->timeline[i].minflt + run->timeline[i].majflt > max)
			max = run->timeline[i].minflt + run->timeline[i].majflt;
	fprintf(out, "\n%6s %10s %8s\n", "second", "minor", "major");
	for (size_t i = 0; i < run->n_timeline; i++) {
		uint64_t v = run->timeline[i].minflt + run->timeline[i].majflt;
		int bar = (int)((v * cols + max - 1) / max);

		fmt_count(a, sizeof(a), run->timeline[i].minflt);
		fmt_count(b, sizeof(b), run->timeline[i].majflt);
		fprintf(out, "%6zu %10s %8s  ", i, a, b);
		for (int k = 0; k < bar; k++)
			fputs(utf8 ? "\u2588" : "#", out);
		fputc('\n', out);
	}
}

static void text_threads(FILE *out, const struct cmd_faults_run *run, unsigned width)
{
	struct thread_line *l = NULL;
	size_t n = thread_lines(run, &l);
	struct strbuf sb;
	char a[32], b[32], c[32];
	/* narrow: sampled goes, then the name narrows to 8 */
	bool sampled = !(width && width < 56);
	int nw = sampled || !width || width >= 45 ? 16 : (int)width - 29;

	if (nw < 8)
		nw = 8;
	strbuf_init(&sb);
	fprintf(out, "\n%8s %-*s %10s %8s", "tid", nw, "thread", "minor", "major");
	fputs(sampled ? "    sampled\n" : "\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct vms_fault_tally *s = find_sampled(run, l[i].tid);

		strbuf_reset(&sb);
		comm_display(&sb, l[i].comm);
		if (l[i].have_delta) {
			fmt_count(a, sizeof(a), l[i].delta.minflt);
			fmt_count(b, sizeof(b), l[i].delta.majflt);
		} else {
			snprintf(a, sizeof(a), "-");
			snprintf(b, sizeof(b), "-");
		}
		if (run->sampled)
			fmt_count(c, sizeof(c), s ? s->minflt + s->majflt : 0);
		else
			snprintf(c, sizeof(c), "n/a");
		fprintf(out, "%8d %-*.*s %10s %8s", (int)l[i].tid, nw, nw, sb.buf, a, b);
		if (sampled)
			fprintf(out, " %10s", c);
		fprintf(out, "%s%s\n", l[i].note ? "  " : "", l[i].note ? l[i].note : "");
	}
	strbuf_release(&sb);
	free(l);
}

void cmd_faults_text(FILE *out, const struct cmd_faults_run *run, size_t top, bool threads,
		     unsigned width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	/* the header's prose, each line wrapped at the width */
	if (!m)
		die_oom(0);
	text_header(m, run);
	if (fclose(m) != 0)
		die_oom(0);
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		cmd_put_wrapped(out, line, width, 2);
	}
	free(buf);
	text_regions(out, run, top, width);
	text_sites(out, run, width);
	text_timeline(out, run, width);
	if (threads || !run->sampled)
		text_threads(out, run, width);
}

static void json_tally(struct jsonw *w, const struct vms_fault_tally *t)
{
	jsonw_key(w, "minflt");
	jsonw_uint(w, t->minflt);
	jsonw_key(w, "majflt");
	jsonw_uint(w, t->majflt);
}

static void json_addr(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_hex(w, v);
}

static void json_regions(struct jsonw *w, const struct cmd_faults_run *run)
{
	double secs = run_seconds(run);
	struct strbuf sb;

	strbuf_init(&sb);
	jsonw_key(w, "regions");
	jsonw_begin_array(w);
	for (size_t i = 0; i < run->res.n_regions; i++) {
		const struct vms_fault_region_row *row = &run->res.regions[i];
		const struct vms_region *r = &row->snap->regions[row->region];
		const struct vms_snapshot *snap = row->snap;

		strbuf_reset(&sb);
		cmd_region_label(&sb, snap, r);
		jsonw_begin_inline_object(w);
		json_addr(w, "start", r->start);
		json_addr(w, "end", r->end);
		jsonw_key(w, "perms");
		jsonw_stringf(w, "%c%c%c%c", r->perms & VMS_PERM_READ ? 'r' : '-',
			      r->perms & VMS_PERM_WRITE ? 'w' : '-', r->perms & VMS_PERM_EXEC ? 'x' : '-',
			      r->perms & VMS_PERM_SHARED ? 's' : 'p');
		jsonw_key(w, "kind");
		jsonw_string(w, vms_kind_to_string(r->kind));
		jsonw_key(w, "name");
		jsonw_string(w, r->name ? r->name : "");
		jsonw_key(w, "object");
		jsonw_string(w, r->object >= 0 && (size_t)r->object < snap->n_objects
					? snap->objects[r->object].path
					: NULL);
		jsonw_key(w, "tid");
		if (r->tid > 0)
			jsonw_int(w, r->tid);
		else
			jsonw_null(w);
		jsonw_key(w, "label");
		jsonw_string(w, sb.buf);
		json_tally(w, &row->n);
		jsonw_key(w, "per_second");
		jsonw_uint(w, per_second(row->n.minflt + row->n.majflt, secs));
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	strbuf_release(&sb);
}

static void json_threads(struct jsonw *w, const struct cmd_faults_run *run)
{
	struct thread_line *l = NULL;
	size_t n = thread_lines(run, &l);

	jsonw_key(w, "threads");
	jsonw_begin_array(w);
	for (size_t i = 0; i < n; i++) {
		const struct vms_fault_tally *s = find_sampled(run, l[i].tid);

		jsonw_begin_inline_object(w);
		jsonw_key(w, "tid");
		jsonw_int(w, l[i].tid);
		jsonw_key(w, "comm");
		jsonw_string_n(w, l[i].comm, strnlen(l[i].comm, 16));
		if (l[i].have_delta) {
			json_tally(w, &l[i].delta);
		} else {
			jsonw_key(w, "minflt");
			jsonw_null(w);
			jsonw_key(w, "majflt");
			jsonw_null(w);
		}
		jsonw_key(w, "sampled");
		if (run->sampled) {
			static const struct vms_fault_tally zero;

			jsonw_begin_inline_object(w);
			json_tally(w, s ? s : &zero);
			jsonw_end_object(w);
		} else {
			jsonw_null(w);
		}
		jsonw_key(w, "note");
		jsonw_string(w, l[i].note);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	free(l);
}

int cmd_faults_json(FILE *out, const struct cmd_faults_run *run)
{
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "pid");
	jsonw_int(&w, run->pid);
	jsonw_key(&w, "comm");
	jsonw_string(&w, run->first->proc.comm);
	jsonw_key(&w, "duration_ns");
	jsonw_uint(&w, run->end_ns - run->start_ns);
	jsonw_key(&w, "exited");
	jsonw_bool(&w, run->exited);
	jsonw_key(&w, "interrupted");
	jsonw_bool(&w, run->interrupted);
	jsonw_key(&w, "method");
	jsonw_string(&w, run->sampled ? "perf" : "counters");
	jsonw_key(&w, "why");
	jsonw_string(&w, run->sampled ? NULL : run->why);
	jsonw_key(&w, "totals");
	jsonw_begin_inline_object(&w);
	json_tally(&w, &run->total);
	jsonw_end_object(&w);
	jsonw_key(&w, "sampled");
	if (run->sampled) {
		jsonw_begin_inline_object(&w);
		json_tally(&w, &run->res.total);
		jsonw_key(&w, "kernel");
		jsonw_bool(&w, !run->user_only);
		jsonw_key(&w, "major_only");
		jsonw_bool(&w, run->major);
		jsonw_key(&w, "lost");
		jsonw_uint(&w, run->stats.lost);
		jsonw_key(&w, "inherited");
		jsonw_bool(&w, run->stats.inherited);
		jsonw_key(&w, "throttled");
		jsonw_uint(&w, run->stats.throttled);
		jsonw_key(&w, "threads");
		jsonw_uint(&w, run->stats.threads);
		jsonw_key(&w, "unmapped");
		jsonw_uint(&w, run->res.unmapped.minflt + run->res.unmapped.majflt);
		jsonw_key(&w, "dropped");
		jsonw_uint(&w, run->res.dropped);
		jsonw_end_object(&w);
	} else {
		jsonw_null(&w);
	}
	json_regions(&w, run);
	jsonw_key(&w, "sites");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < run->n_names; i++) {
		jsonw_begin_inline_object(&w);
		json_addr(&w, "ip", run->res.sites[i].ip);
		jsonw_key(&w, "site");
		jsonw_string(&w, run->names[i].text);
		jsonw_key(&w, "symbol");
		jsonw_bool(&w, run->names[i].symbol);
		json_tally(&w, &run->res.sites[i].n);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	json_threads(&w, run);
	jsonw_key(&w, "timeline");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < run->n_timeline; i++) {
		jsonw_begin_inline_object(&w);
		jsonw_key(&w, "second");
		jsonw_uint(&w, i);
		json_tally(&w, &run->timeline[i]);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	return jsonw_finish(&w);
}

