/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope faults PID|NAME [--duration D]: which part of a process's memory
 * is faulting, and which code. Every fault of every thread is sampled
 * (src/perf) and placed in the region model; the kernel's own counters give
 * the totals, and are all there is when sampling is refused.
 */
#include "config.h"

#include "commands.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli.h"
#include "report/jsonw.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/faults.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"

enum {
	OPT_MAJOR = CLI_OPT_FIRST_FREE,
	OPT_THREADS,
	OPT_FULL,
};

static const struct cli_option faults_options[] = {
	{ "duration", 'd', required_argument, 'd', "D",
	  "how long to watch: 5, 5s, 500ms or 2m (default 5s); Ctrl-C ends early" },
	{ "major", 0, no_argument, OPT_MAJOR, NULL,
	  "sample major faults only (those that read from disk): cheaper on a busy process" },
	{ "threads", 0, no_argument, OPT_THREADS, NULL, "list the faults of each thread" },
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text or json (default text)" },
	{ "top", 'n', required_argument, 'n', "N", "how many regions and code sites to list (default 10)" },
	{ "full", 0, no_argument, OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_HELP,
};

const struct cli_command faults_command = {
	.name = "faults",
	.synopsis = "vmscope faults [OPTIONS] PID|NAME",
	.summary = "Watch a process's page faults for a while and attribute each to the region\n"
		   "it hit (heap, a library's data, a thread's stack, a file mapping) and to the\n"
		   "code that took it (function+0xoff (object)), with a per-second timeline.\n"
		   "Faults are sampled with perf events, one per thread; threads\n"
		   "started during the run are picked up. Without permission for that, the\n"
		   "kernel's per-thread counters are compared before and after instead, and one\n"
		   "line says why.\n",
	.options = faults_options,
	.n_options = ARRAY_SIZE(faults_options),
	.epilog = "Exit status: 0 ok (also when the process exited during the run: what was\n"
		  "seen is reported), 1 no such process, 2 usage error.\n",
};

#define DEFAULT_TOP 10
/* Samples outside every region known at the start, kept for the end. */
#define MAX_PENDING (1u << 20)
#define TICK_MS 200

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cmd_parse_duration(const char *name, const char *arg, uint64_t *ret_ns)
{
	char *end;
	double v, scale = 1e9;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !(v > 0))
		goto bad;
	if (strcmp(end, "ms") == 0)
		scale = 1e6;
	else if (strcmp(end, "m") == 0)
		scale = 60e9;
	else if (strcmp(end, "h") == 0)
		scale = 3600e9;
	else if (*end && strcmp(end, "s") != 0)
		goto bad;
	v *= scale;
	if (v < 1e6 || v > 24 * 3600e9)
		goto bad;
	*ret_ns = (uint64_t)v;
	return 0;
bad:
	fprintf(stderr, "vmscope: --%s takes a duration from 1ms to 24h such as 5s or 500ms, not '%s'\n",
		name, arg);
	return -EINVAL;
}

/* ---- one run -------------------------------------------------------------- */

struct site_name {
	char *text;   /* display-safe */
	bool symbol;  /* from the ELF symbol tables */
};

void cmd_faults_run_release(struct cmd_faults_run *run)
{
	vms_fault_result_release(&run->res);
	vms_snapshot_free(run->first);
	vms_snapshot_free(run->later);
	free(run->t0);
	free(run->t1);
	free(run->timeline);
	for (size_t i = 0; i < run->n_names; i++)
		free(run->names[i].text);
	free(run->names);
	memset(run, 0, sizeof(*run));
}

static void add_sample(const struct vms_fault_sample *s, void *ctx)
{
	vms_fault_agg_add(ctx, s);
}

static void why_refused(struct cmd_faults_run *run, int err)
{
	const char *hint;

	switch (-err) {
	case EACCES:
	case EPERM:
		hint = geteuid() == 0 ? "perf events are locked down on this machine"
				      : "run as the process's owner, as root, or with CAP_PERFMON "
					"(kernel.perf_event_paranoid is above 2, or the process "
					"is another user's)";
		break;
	case ENOENT:
	case ENOSYS:
	case EOPNOTSUPP:
		hint = "this kernel has no software perf events";
		break;
	default:
		hint = "the kernel refused";
		break;
	}
	snprintf(run->why, sizeof(run->why), "cannot sample faults of pid %d: %s (%s)",
		 (int)run->pid, strerror(-err), hint);
}

/* The totals: counter deltas; a thread known only at the end started during the run. */
static struct vms_fault_tally count_delta(const struct vms_fault_count *a,
					  const struct vms_fault_count *b)
{
	struct vms_fault_tally d = { 0, 0 };

	if (b->minflt >= a->minflt)
		d.minflt = b->minflt - a->minflt;
	if (b->majflt >= a->majflt)
		d.majflt = b->majflt - a->majflt;
	return d;
}

static void timeline_add(struct cmd_faults_run *run, size_t sec, struct vms_fault_tally d)
{
	if (sec >= run->n_timeline) {
		size_t alloc = run->n_timeline;

		ARRAY_GROW(run->timeline, sec + 1, alloc);
		memset(run->timeline + run->n_timeline, 0,
		       (sec + 1 - run->n_timeline) * sizeof(*run->timeline));
		run->n_timeline = sec + 1;
	}
	run->timeline[sec].minflt += d.minflt;
	run->timeline[sec].majflt += d.majflt;
}

static bool is_kernel_address(uint64_t ip)
{
	return ip >> 63;
}

/* Names code sites while the process (and its map_files) is still there. */
static void name_sites(struct cmd_faults_run *run, struct vms_elf_cache *cache, int dirfd,
		       size_t top)
{
	const struct vms_snapshot *snap = run->later ? run->later : run->first;
	size_t n = run->res.n_sites < top ? run->res.n_sites : top;
	struct strbuf sb, raw;

	run->names = xcalloc(n ? n : 1, sizeof(*run->names));
	run->n_names = n;
	strbuf_init(&sb);
	strbuf_init(&raw);
	for (size_t i = 0; i < n; i++) {
		uint64_t ip = run->res.sites[i].ip;
		const struct vms_region *r = snap ? vms_snapshot_find(snap, ip) : NULL;
		int k = -ENOENT;

		strbuf_reset(&sb);
		strbuf_reset(&raw);
		if (is_kernel_address(ip)) {
			strbuf_addstr(&sb, "[kernel] (a fault taken inside a system call)");
		} else {
			if (snap && dirfd >= 0)
				k = vms_elf_symbolize(cache, dirfd, snap, ip, &raw);
			if (k >= 0) {
				escape_display(&sb, raw.buf, raw.len);
				run->names[i].symbol = k == 0;
			} else if (r) {
				/* Not an ELF object (or it changed on disk): the offset in
				 * what is mapped is still a place to look. */
				cmd_region_label(&sb, snap, r);
				strbuf_addf(&sb, "+0x%" PRIx64, ip - r->start + r->offset);
			} else {
				strbuf_addf(&sb, "0x%" PRIx64 " (unmapped)", ip);
			}
		}
		run->names[i].text = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	strbuf_release(&raw);
}

/*
 * Watches pid for run->duration_ns (or until Ctrl-C, or until it exits).
 * Returns 0, or an exit status after a message (no such process).
 */
int cmd_faults_run(int root_fd, struct cmd_faults_run *run, size_t top)
{
	struct vms_proc *proc = NULL;
	struct vms_elf_cache *cache = vms_elf_cache_new();
	struct vms_fault_sampler *sampler = NULL;
	struct vms_fault_agg *agg = NULL;
	struct vms_fault_count last, cur;
	struct sigaction sa, old_int, old_term;
	uint64_t start, deadline, next_tick;
	size_t n_t = 0;
	unsigned flags = run->major ? VMS_SAMPLE_MAJOR_ONLY : 0;
	int r, status = 0, dirfd;

	r = vms_proc_open(root_fd, run->pid, true, &proc);
	if (r == 0)
		r = vms_inspect(root_fd, run->pid, true,
				VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF, cache,
				&run->first);
	if (r < 0) {
		if (r == -ENOENT || r == -ESRCH)
			cli_say_gone(run->pid, r);
		else
			fprintf(stderr, "vmscope: cannot read process %d: %s\n", (int)run->pid,
				strerror(-r));
		status = EXIT_GONE;
		goto out;
	}
	dirfd = vms_proc_dirfd(proc);
	/* Faults taken in system calls need more than an unprivileged user
	 * may have; user-space faults are what matter most and are still there. */
	r = vms_sampler_open(dirfd, flags, &sampler);
	if (r == -EACCES || r == -EPERM) {
		r = vms_sampler_open(dirfd, flags | VMS_SAMPLE_USER_ONLY, &sampler);
		run->user_only = r == 0;
	}
	if (r < 0) {
		run->perf_error = r;
		why_refused(run, r);
	}
	/* Read after the events are on, and again before they are off: a
	 * process at rest gives samples that equal the counters' deltas. */
	r = vms_fault_counts_read(dirfd, &run->proc0, &run->t0);
	if (r < 0) {
		cli_say_gone(run->pid, -ESRCH);
		status = EXIT_GONE;
		goto out;
	}
	run->n0 = (size_t)r;
	last = run->proc0;
	if (run->announce)
		fprintf(stderr, "watching the page faults of pid %d for %.1f s (Ctrl-C ends early)\n",
			(int)run->pid, (double)run->duration_ns / 1e9);
	start = now_ns();
	run->start_ns = start;
	if (sampler)
		agg = vms_fault_agg_new(run->first, start, MAX_PENDING);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_requested = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	deadline = start + run->duration_ns;
	next_tick = start + 1000000000u;
	for (;;) {
		uint64_t t = now_ns();
		int wait_ms;

		if (stop_requested) {
			run->interrupted = true;
			break;
		}
		if (t >= deadline)
			break;
		wait_ms = (int)((deadline - t) / 1000000u) + 1;
		if (wait_ms > TICK_MS)
			wait_ms = TICK_MS;
		if (sampler) {
			r = vms_sampler_poll(sampler, wait_ms, add_sample, agg);
			if (r == -ESRCH) {
				run->exited = true;
				break;
			}
		} else {
			struct timespec ts = { 0, (long)wait_ms * 1000000L };

			nanosleep(&ts, NULL);
		}
		t = now_ns();
		if (t >= next_tick || t >= deadline) {
			/* The counters every second: the timeline without samples,
			 * and the last word of a process that exits. */
			struct vms_fault_count *threads = NULL;

			r = vms_fault_counts_read(dirfd, &cur, &threads);
			free(threads);
			if (r == -ESRCH) {
				run->exited = true;
				break;
			}
			if (r >= 0) {
				if (!sampler)
					timeline_add(run, (size_t)((t - start - 1) / 1000000000u),
						     count_delta(&last, &cur));
				last = cur;
			}
			next_tick += 1000000000u;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	run->end_ns = now_ns();

	if (!run->exited) {
		r = vms_fault_counts_read(dirfd, &cur, &run->t1);
		if (r >= 0) {
			n_t = (size_t)r;
			last = cur;
		} else {
			run->exited = true;
		}
	}
	if (sampler) {
		/* Faults taken up to the end are still in the rings. */
		vms_sampler_disable(sampler);
		while (vms_sampler_poll(sampler, 0, add_sample, agg) > 0)
			;
		vms_sampler_stats(sampler, &run->stats);
	}
	run->n1 = n_t;
	run->proc1 = last;
	run->total = count_delta(&run->proc0, &run->proc1);
	if (run->exited && agg) {
		/* The counters die with the process; its events counted to the end. */
		struct vms_fault_tally seen = vms_fault_agg_total(agg);

		if (seen.majflt > run->total.majflt)
			run->total.majflt = seen.majflt;
		if (!run->major && seen.minflt > run->total.minflt)
			run->total.minflt = seen.minflt;
	}
	if (!run->exited && vms_inspect(root_fd, run->pid, true,
					VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF,
					cache, &run->later) < 0)
		run->later = NULL;
	if (agg) {
		vms_fault_agg_finish(agg, run->later, &run->res);
		run->sampled = true;
		free(run->timeline);
		run->n_timeline = run->res.n_seconds;
		run->timeline = xcalloc(run->n_timeline ? run->n_timeline : 1, sizeof(*run->timeline));
		if (run->n_timeline)
			memcpy(run->timeline, run->res.seconds, run->n_timeline * sizeof(*run->timeline));
	}
	name_sites(run, cache, run->exited ? -1 : dirfd, top);
out:
	vms_fault_agg_free(agg);
	vms_sampler_free(sampler);
	vms_elf_cache_free(cache);
	vms_proc_free(proc);
	return status;
}

/* ---- output --------------------------------------------------------------- */

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
		l[n].delta = count_delta(a ? a : &zero, &run->t1[i]);
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

		if (run->major)
			total = run->total.majflt;
		fmt_count(a, sizeof(a), sampled);
		fprintf(out, "sampled %s faults", a);
		if (total)
			fprintf(out, " (%.1f%% of the kernel's count)", 100.0 * (double)sampled / (double)total);
		fprintf(out, " in %" PRIu32 " thread%s", run->stats.threads,
			run->stats.threads == 1 ? "" : "s");
		if (run->stats.lost)
			fprintf(out, "; %" PRIu64 " lost (ring full)", run->stats.lost);
		if (run->stats.throttled)
			fprintf(out, "; throttled %" PRIu64 " times (kernel.perf_event_max_sample_rate)",
				run->stats.throttled);
		fputc('\n', out);
		if (run->user_only)
			fputs("not privileged for kernel samples: faults taken inside system calls "
			      "are counted but not sampled\n",
			      out);
		if (run->major)
			fputs("--major: minor faults are counted, not sampled\n", out);
	}
	strbuf_release(&sb);
}

static void text_regions(FILE *out, const struct cmd_faults_run *run, size_t top)
{
	double secs = run_seconds(run);
	struct strbuf sb;
	char a[32], b[32], c[32];

	if (!run->sampled)
		return;
	if (!run->res.total.minflt && !run->res.total.majflt) {
		fputs("\nno fault was sampled\n", out);
		return;
	}
	strbuf_init(&sb);
	fprintf(out, "\n%-14s %-34s %10s %8s %9s\n", "address", "region", "minor", "major", "per s");
	for (size_t i = 0; i < run->res.n_regions && i < top; i++) {
		const struct vms_fault_region_row *row = &run->res.regions[i];
		const struct vms_region *r = &row->snap->regions[row->region];

		strbuf_reset(&sb);
		cmd_region_label(&sb, row->snap, r);
		fmt_count(a, sizeof(a), row->n.minflt);
		fmt_count(b, sizeof(b), row->n.majflt);
		fmt_count(c, sizeof(c),
			  per_second(row->n.minflt + row->n.majflt, secs));
		fprintf(out, "%-14" PRIx64 " %-34.34s %10s %8s %9s\n", r->start, sb.buf, a, b, c);
	}
	if (run->res.n_regions > top)
		fprintf(out, "%-14s (%zu more regions)\n", "", run->res.n_regions - top);
	if (run->res.unmapped.minflt + run->res.unmapped.majflt) {
		fmt_count(a, sizeof(a), run->res.unmapped.minflt);
		fmt_count(b, sizeof(b), run->res.unmapped.majflt);
		fprintf(out, "%-14s %-34s %10s %8s\n", "", "(mapped and unmapped in the run)", a, b);
	}
	if (run->res.dropped)
		fprintf(out, "%-14s (%" PRIu64 " faults in new mappings past the cap, not placed)\n", "",
			run->res.dropped);
	strbuf_release(&sb);
}

static void text_sites(FILE *out, const struct cmd_faults_run *run)
{
	char a[32], b[32];
	bool unsymbolized = false;

	if (!run->sampled || !run->n_names)
		return;
	fprintf(out, "\n%10s %8s  %s\n", "minor", "major", "code");
	for (size_t i = 0; i < run->n_names; i++) {
		const struct vms_fault_site_row *s = &run->res.sites[i];

		fmt_count(a, sizeof(a), s->n.minflt);
		fmt_count(b, sizeof(b), s->n.majflt);
		fprintf(out, "%10s %8s  %s\n", a, b, run->names[i].text);
		unsymbolized |= !run->names[i].symbol && !is_kernel_address(s->ip);
	}
	if (run->res.n_sites > run->n_names)
		fprintf(out, "%19s  (%zu more code sites)\n", "", run->res.n_sites - run->n_names);
	if (unsymbolized)
		fputs("(object+0xoff: no symbol holds the address, or the object was unreadable)\n",
		      out);
}

static void text_timeline(FILE *out, const struct cmd_faults_run *run)
{
	uint64_t max = 1;
	char a[32], b[32];

	if (!run->n_timeline)
		return;
	for (size_t i = 0; i < run->n_timeline; i++)
		if (run->timeline[i].minflt + run->timeline[i].majflt > max)
			max = run->timeline[i].minflt + run->timeline[i].majflt;
	fprintf(out, "\n%6s %10s %8s\n", "second", "minor", "major");
	for (size_t i = 0; i < run->n_timeline; i++) {
		uint64_t v = run->timeline[i].minflt + run->timeline[i].majflt;
		int bar = (int)((v * 30 + max - 1) / max);

		fmt_count(a, sizeof(a), run->timeline[i].minflt);
		fmt_count(b, sizeof(b), run->timeline[i].majflt);
		fprintf(out, "%6zu %10s %8s  ", i, a, b);
		for (int k = 0; k < bar; k++)
			fputs("\u2588", out);
		fputc('\n', out);
	}
}

static void text_threads(FILE *out, const struct cmd_faults_run *run)
{
	struct thread_line *l = NULL;
	size_t n = thread_lines(run, &l);
	struct strbuf sb;
	char a[32], b[32], c[32];

	strbuf_init(&sb);
	fprintf(out, "\n%8s %-16s %10s %8s %10s\n", "tid", "thread", "minor", "major", "sampled");
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
		fprintf(out, "%8d %-16s %10s %8s %10s%s%s\n", (int)l[i].tid, sb.buf, a, b, c,
			l[i].note ? "  " : "", l[i].note ? l[i].note : "");
	}
	strbuf_release(&sb);
	free(l);
}

void cmd_faults_text(FILE *out, const struct cmd_faults_run *run, size_t top, bool threads)
{
	text_header(out, run);
	text_regions(out, run, top);
	text_sites(out, run);
	text_timeline(out, run);
	if (threads || !run->sampled)
		text_threads(out, run);
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
	jsonw_stringf(w, "0x%" PRIx64, v);
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

/* ---- the command ---------------------------------------------------------- */

struct faults_args {
	uint64_t duration_ns;
	bool major, threads, json, full;
	unsigned top;
};

static int faults_option(int id, const char *arg, void *ctx)
{
	struct faults_args *a = ctx;

	switch (id) {
	case 'd':
		return cmd_parse_duration("duration", arg, &a->duration_ns);
	case OPT_MAJOR:
		a->major = true;
		return 0;
	case OPT_THREADS:
		a->threads = true;
		return 0;
	case OPT_FULL:
		a->full = true;
		return 0;
	case 'n':
		return cli_parse_uint("top", arg, 1, 100000, &a->top);
	case 'f':
		return cli_parse_text_or_json(arg, &a->json);
	}
	return -EINVAL;
}

int cmd_faults(int argc, char **argv)
{
	struct faults_args a = { .duration_ns = 5000000000u, .top = DEFAULT_TOP };
	struct cmd_faults_run run;
	char **operands = NULL;
	char *buf = NULL;
	size_t len = 0;
	int n = 0, r, status, root_fd;
	FILE *mem;

	r = cmd_parse_anywhere(argc, argv, &faults_command, faults_option, &a, &operands, &n);
	if (r != 0) {
		free(operands);
		return r > 0 ? 0 : EXIT_USAGE;
	}
	if (n != 1) {
		fputs(n ? "vmscope: one PID or NAME at a time\n" : "vmscope faults: name a PID or NAME\n",
		      stderr);
		free(operands);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(NULL);
	if (root_fd < 0) {
		free(operands);
		return EXIT_GONE;
	}
	memset(&run, 0, sizeof(run));
	run.duration_ns = a.duration_ns;
	run.major = a.major;
	status = cli_resolve_target(root_fd, operands[0], a.full, &run.pid);
	free(operands);
	if (status)
		goto out;
	run.announce = true;
	status = cmd_faults_run(root_fd, &run, a.top);
	if (status)
		goto out;
	if (!run.sampled)
		fprintf(stderr, "vmscope: %s\n", run.why);
	mem = open_memstream(&buf, &len);
	if (!mem)
		die_oom(0);
	r = 0;
	if (a.json)
		r = cmd_faults_json(mem, &run);
	else
		cmd_faults_text(mem, &run, a.top, a.threads);
	if (fclose(mem) != 0 || r < 0) {
		fputs("vmscope: cannot render the fault report\n", stderr);
		status = EXIT_USAGE;
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		status = EXIT_GONE;
	}
	free(buf);
out:
	cmd_faults_run_release(&run);
	close(root_fd);
	return status;
}
