/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope record PID|NAME -o FILE: the process's memory over time, a
 * sample every interval, written as it goes (recording.h).
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/escape.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/options.h"
#include "cmd/common/recorder.h"
#include "cmd/common/render.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/recording.h"
#include "vmscope/report.h"

enum {
	OPT_QUIET = 'q',
	OPT_INTERVAL = CLI_OPT_FIRST_FREE + 1,
	OPT_DURATION,
	OPT_CPU,
};

#define DEFAULT_CPU_PERMILLE 50

static const struct cli_option record_options[] = {
	{ "output", 'o', required_argument, 'o', "FILE",
	  "write the recording to FILE ('-': standard output)" },
	{ "interval", 0, required_argument, OPT_INTERVAL, "D",
	  "time between samples, such as 1s or 250ms (default 1s)" },
	{ "duration", 0, required_argument, OPT_DURATION, "D",
	  "stop after D (default: when the process exits, or on Ctrl-C)" },
	{ "cpu", 0, required_argument, OPT_CPU, "PCT",
	  "read the regions while recording takes at most PCT% of one core (default 5)" },
	{ "quiet", 'q', no_argument, OPT_QUIET, NULL, "no progress line on the terminal" },
	{ "full", 0, no_argument, CMD_OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command record_command = {
	.name = "record",
	.synopsis = "vmscope record [OPTIONS] PID|NAME -o FILE",
	.summary = "Record one process's memory over time: every interval its totals (from\n"
		   "status and smaps_rollup), and its regions (smaps) whenever recording\n"
		   "stays within --cpu of one core; regions are written only when they\n"
		   "changed. The file (JSON Lines, see vmscope-record(1)) grows as samples are\n"
		   "taken, so it is readable at any time; 'vmscope show FILE' draws it, and\n"
		   "'diff' and 'check' take it as a snapshot. Recording ends after --duration,\n"
		   "when the process exits, or on Ctrl-C.\n",
	.options = record_options,
	.n_options = ARRAY_SIZE(record_options),
	.epilog = NULL,
};

struct record_args {
	struct cmd_target_args t;
	uint64_t interval_ns, duration_ns;
	unsigned cpu_pct;
	bool quiet;
};

static int record_option(int id, const char *arg, void *ctx)
{
	struct record_args *a = ctx;

	switch (id) {
	case OPT_INTERVAL:
		return cmd_parse_duration("interval", arg, &a->interval_ns);
	case OPT_DURATION:
		return cmd_parse_duration("duration", arg, &a->duration_ns);
	case OPT_CPU:
		return cli_parse_uint("cpu", arg, 1, 100, &a->cpu_pct);
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	}
	return cmd_target_option(&a->t, id, arg) ? -EINVAL : 0;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the wait between samples ends at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct sampler {
	struct vms_proc *proc;
	struct vms_elf_cache *cache;
	int root_fd;
	int smaps_error; /* smaps was refused: totals only from then on */
	/* a JVM's heap and code cache, read once found (they do not move) */
	struct vms_jvm_ranges jvm;
	bool jvm_known;
};

/*
 * One sample: the totals, and the regions (classified) when asked. Returns
 * 0, -ESRCH when the process is gone, or another -errno.
 */
static int take_sample(struct sampler *s, bool regions, bool first, struct vms_snapshot **ret)
{
	struct vms_snapshot *snap = vms_snapshot_new();
	unsigned flags = regions ? VMS_COLLECT_REGIONS | VMS_COLLECT_THREADS : 0;
	int r;

	if (first)
		vms_collect_host(s->root_fd, &snap->host);
	r = vms_collect(s->proc, flags, snap);
	if (r == 0 && regions) {
		vms_model_build(snap, s->cache, vms_proc_dirfd(s->proc));
		if (!s->jvm_known)
			s->jvm_known = vms_model_jvm_ranges(snap, s->cache, vms_proc_dirfd(s->proc),
							    &s->jvm) == 0;
		if (s->jvm_known)
			vms_model_jvm_mark(snap, &s->jvm);
	}
	if (r == 0 && vms_proc_alive(s->proc) == 0)
		r = -ESRCH;
	if (r == 0 && regions && !vms_snapshot_have(snap, VMS_SRC_SMAPS)) {
		int e = snap->src[VMS_SRC_SMAPS].error ? snap->src[VMS_SRC_SMAPS].error : -EIO;

		/* not permitted: the totals that status gives are still worth it */
		if (e == -EACCES || e == -EPERM)
			s->smaps_error = e;
		else
			r = e;
	}
	if (r < 0) {
		vms_snapshot_free(snap);
		return r;
	}
	*ret = snap;
	return 0;
}

static void progress(const struct cmd_recorder *rec, const struct vms_snapshot *snap,
		     const char *comm)
{
	char rss[16], written[16];

	vms_format_size(rss, sizeof(rss), snap->totals.status[VMS_ST_VM_RSS]);
	vms_format_size(written, sizeof(written), cmd_recorder_bytes(rec));
	fprintf(stderr, "\r\033[Krecording pid %d (%s): %zu samples (%zu with regions), %.0f s, RSS %s, %s written",
		(int)snap->proc.pid, comm, rec->samples, rec->region_samples,
		(double)rec->last_t / 1e9, rss, written);
	fflush(stderr);
}

static void sleep_until(int64_t when)
{
	struct timespec ts = { .tv_sec = when / 1000000000, .tv_nsec = when % 1000000000 };

	/* EINTR: a stop signal, seen by the caller */
	(void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Samples until the end; returns why it ended, *ret_err for VMS_REC_END_ERROR. */
static enum vms_rec_end record_loop(struct sampler *s, struct cmd_recorder *rec,
				    const struct record_args *a, const char *comm, int *ret_err)
{
	bool show = !a->quiet && isatty(STDERR_FILENO);
	int64_t start = mono_ns(), next = start;
	int64_t deadline = a->duration_ns ? start + (int64_t)a->duration_ns : INT64_MAX;

	for (;;) {
		struct vms_snapshot *snap = NULL;
		int64_t now = mono_ns(), cpu0;
		bool last = stop_signal || now >= deadline;
		bool regions = !s->smaps_error && (last || cmd_recorder_want_regions(rec, now));
		int r;

		cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		r = take_sample(s, regions, rec->samples == 0, &snap);
		if (r == 0 && regions && s->smaps_error) {
			regions = false;
			fprintf(stderr, "%svmscope: cannot read the regions of pid %d: %s; recording "
					"the totals only\n",
				show && rec->samples ? "\n" : "", (int)vms_proc_pid(s->proc),
				strerror(-s->smaps_error));
		}
		if (r == -ESRCH || r == -ENOENT)
			return VMS_REC_END_EXITED;
		if (r < 0) {
			*ret_err = r;
			return VMS_REC_END_ERROR;
		}
		r = cmd_recorder_add(rec, snap, regions);
		cmd_recorder_charge(rec, clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0, regions);
		if (show && r == 0)
			progress(rec, snap, comm);
		vms_snapshot_free(snap);
		if (r < 0) {
			*ret_err = r;
			return VMS_REC_END_ERROR;
		}
		if (last)
			return stop_signal ? VMS_REC_END_INTERRUPTED : VMS_REC_END_DURATION;
		/* the schedule runs from the first sample's own time, the one
		 * every sample's time is counted from */
		if (rec->samples == 1) {
			if (deadline != INT64_MAX)
				deadline += rec->start_mono - start;
			next = start = rec->start_mono;
		}
		/* the next slot of the schedule that is still ahead */
		now = mono_ns();
		do
			next += (int64_t)a->interval_ns;
		while (next <= now);
		if (next >= deadline)
			next = deadline;
		sleep_until(next);
	}
}

/*
 * The process's name for the progress line, as the kernel says it, into
 * comm; false, with a line saying so, when it has no address space (a
 * zombie, a kernel thread): nothing to record, and no file is written.
 */
static bool whom(struct sampler *s, struct strbuf *comm)
{
	struct vms_snapshot *who = vms_snapshot_new();
	struct strbuf line;
	bool any = true;

	if (vms_collect(s->proc, 0, who) == 0) {
		strbuf_init(&line);
		if (cmd_no_address_space(who, &line)) {
			fprintf(stderr, "vmscope: %s; there is nothing to record\n", line.buf);
			any = false;
		}
		strbuf_release(&line);
		if (who->proc.comm)
			escape_display(comm, who->proc.comm, strlen(who->proc.comm));
	}
	vms_snapshot_free(who);
	return any;
}

int cmd_record(int argc, char **argv)
{
	struct record_args a = { .interval_ns = 1000000000, .cpu_pct = DEFAULT_CPU_PERMILLE / 10 };
	struct sampler s = { .root_fd = -1 };
	struct cmd_recorder rec;
	enum vms_rec_end end;
	struct strbuf comm, out_name;
	int r, first, status, err = 0;
	pid_t pid;

	r = cli_parse(argc, argv, &record_command, record_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if (argc - first != 1) {
		fputs("vmscope: record takes one PID or NAME\n", stderr);
		return EXIT_USAGE;
	}
	if (!a.t.output) {
		fputs("vmscope: record needs -o FILE ('-o -' for standard output)\n", stderr);
		return EXIT_USAGE;
	}
	s.root_fd = cli_open_proc_root(a.t.proc_root);
	if (s.root_fd < 0)
		return a.t.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cli_resolve_target(s.root_fd, argv[first], a.t.full, &pid);
	if (status) {
		close(s.root_fd);
		return status;
	}
	r = vms_proc_open(s.root_fd, pid, cli_proc_root_is_live(a.t.proc_root), &s.proc);
	if (r < 0) {
		cli_say_gone(pid, r == -ESRCH ? -ENOENT : r);
		close(s.root_fd);
		return EXIT_GONE;
	}
	strbuf_init(&comm);
	if (!whom(&s, &comm)) {
		strbuf_release(&comm);
		vms_proc_free(s.proc);
		close(s.root_fd);
		return EXIT_GONE;
	}
	strbuf_init(&out_name);
	escape_display(&out_name, a.t.output, strlen(a.t.output));
	r = cmd_recorder_open(&rec, a.t.output, (int64_t)a.interval_ns, a.cpu_pct * 10);
	if (r < 0) {
		fprintf(stderr, "vmscope: cannot write '%s': %s\n", out_name.buf, strerror(-r));
		strbuf_release(&out_name);
		strbuf_release(&comm);
		vms_proc_free(s.proc);
		close(s.root_fd);
		return EXIT_GONE;
	}
	s.cache = vms_elf_cache_new();
	catch_stop_signals();
	end = record_loop(&s, &rec, &a, comm.len ? comm.buf : "?", &err);
	if (!a.quiet && isatty(STDERR_FILENO) && rec.samples)
		fputc('\n', stderr);
	r = cmd_recorder_close(&rec, end, mono_ns());
	status = 0;
	if (end == VMS_REC_END_EXITED)
		fprintf(stderr, "vmscope: process %d exited; the recording ends with %zu samples\n",
			(int)pid, rec.samples);
	if (end == VMS_REC_END_ERROR && err != r) {
		fprintf(stderr, "vmscope: cannot read process %d: %s\n", (int)pid, strerror(-err));
		status = EXIT_GONE;
	}
	if (r < 0) {
		/* silent for a closed pipe, whose reader has gone */
		if (r != -EPIPE)
			fprintf(stderr, "vmscope: cannot write '%s': %s\n", out_name.buf,
				strerror(-r));
		status = EXIT_GONE;
	}
	if (end == VMS_REC_END_EXITED && rec.samples == 0)
		status = EXIT_GONE;
	strbuf_release(&comm);
	strbuf_release(&out_name);
	vms_elf_cache_free(s.cache);
	vms_proc_free(s.proc);
	close(s.root_fd);
	return status;
}
