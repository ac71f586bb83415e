/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sampling session of a watch of a process's faults: every fault of
 * every thread is sampled (src/perf) and placed in the region model; the
 * kernel's own counters give the totals, and are all there is when
 * sampling is refused. Its result is rendered by faults-render.c.
 */
#include "config.h"

#include "cmd/common/faults.h"

#include <errno.h>
#include <inttypes.h>
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
#include "cmd/common/render.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/snapshot.h"

/* Samples outside every region known at the start, kept for the end. */
#define MAX_PENDING (1u << 20)
#define TICK_MS 200

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

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
		if (cmd_faults_kernel_ip(ip)) {
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
	struct strbuf why;

	strbuf_init(&why);
	r = vms_proc_open(root_fd, run->pid, true, &proc);
	if (r == -ESRCH)
		r = -ENOENT; /* no /proc/PID to open: there is no such process */
	if (r == 0)
		r = vms_inspect(root_fd, run->pid, true,
				VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF, cache,
				&run->first);
	if (r < 0) {
		if (r == -ENOENT || r == -ESRCH || r == -EAGAIN)
			cli_say_gone(run->pid, r);
		else
			cli_error("cannot read process %d: %s", (int)run->pid,
				strerror(-r));
		status = EXIT_GONE;
		goto out;
	}
	if (cmd_no_address_space(run->first, &why)) {
		/* No user memory to fault in: nothing to watch. */
		run->no_address_space = true;
		snprintf(run->why, sizeof(run->why), "%s", why.buf);
		run->start_ns = run->end_ns = (uint64_t)mono_ns();
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
	/* Ctrl-C is taken before the line that says it ends the run early is
	 * printed (a Ctrl-C right after it, or a SIGINT sent on seeing it, would
	 * otherwise kill the run, or be ignored where the shell ignores it) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_requested = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fprintf(stderr, "watching the page faults of pid %d for %.1f s (Ctrl-C ends early)\n",
		(int)run->pid, (double)run->duration_ns / 1e9);
	start = (uint64_t)mono_ns();
	run->start_ns = start;
	if (sampler)
		agg = vms_fault_agg_new(run->first, start, MAX_PENDING);

	deadline = start + run->duration_ns;
	next_tick = start + 1000000000u;
	for (;;) {
		uint64_t t = (uint64_t)mono_ns();
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
		t = (uint64_t)mono_ns();
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
						     cmd_faults_delta(&last, &cur));
				last = cur;
			}
			next_tick += 1000000000u;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	run->end_ns = (uint64_t)mono_ns();

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
	run->total = cmd_faults_delta(&run->proc0, &run->proc1);
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
	/* every second of the run, those without a fault too (a last tenth of a
	 * second without one is the run's end, not a second) */
	{
		size_t secs = (size_t)((run->end_ns - run->start_ns + 900000000u) / 1000000000u);

		if (secs > run->n_timeline)
			timeline_add(run, secs - 1, (struct vms_fault_tally){ 0, 0 });
	}
	name_sites(run, cache, run->exited ? -1 : dirfd, top);
out:
	strbuf_release(&why);
	vms_fault_agg_free(agg);
	vms_sampler_free(sampler);
	vms_elf_cache_free(cache);
	vms_proc_free(proc);
	return status;
}

