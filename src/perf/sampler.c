/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every page fault of one process, from perf_event_open. An event follows
 * one thread; with inherit, also the threads it starts, whose samples go to
 * its ring. The kernel refuses to mmap an inherited event of cpu -1, so each
 * thread there at the start gets, on each CPU, an inherited pair of events
 * (minor and major): threads started during the run, however short-lived,
 * are followed from their first fault. When that takes too many events
 * (threads x CPUs), each thread gets one pair of cpu -1 without inherit, and
 * task/ is scanned again at every poll for threads started since: a thread
 * that starts and exits between two polls is not seen. The major event
 * writes into the minor event's ring (PERF_EVENT_IOC_SET_OUTPUT).
 */
#include "config.h"

#include "vmscope/faults.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

/* 32 data pages: 128 KiB holds ~2,700 samples between two drains, and the
 * kernel wakes the poll when half of it is full. */
#define RING_PAGES 32
/* Events (two a thread and CPU) beyond which threads are not followed by
 * inheritance but by scans of task/: each ring costs 132 KiB. */
#define INHERIT_MAX_EVENTS 256

struct thread_events {
	pid_t tid;
	int cpu;            /* -1: wherever the thread runs (no inherit) */
	int fd_min, fd_maj; /* -1 when not opened; fd_ring is one of them */
	int fd_ring;
	uint64_t id_maj;    /* PERF_EVENT_IOC_ID of fd_maj */
	void *ring;         /* metadata page + RING_PAGES data pages */
	bool hup;           /* the thread exited */
};

struct vms_fault_sampler {
	int pid_dirfd;
	unsigned flags;
	size_t page_size, ring_bytes;
	struct thread_events *t;
	size_t n_t, alloc_t;
	struct pollfd *pfd;
	size_t alloc_pfd;
	struct vms_sampler_stats stats;
	bool disabled;       /* no new threads either */
	bool inherit;        /* per-CPU inherited events: task/ is only counted */
	int n_cpus;
	pid_t *seen;         /* with inherit: the tids seen in task/ */
	size_t n_seen, alloc_seen;
	unsigned char *wrap; /* a record that straddles the end of the ring, copied whole */
	size_t wrap_alloc;
	/* Samples handed on, and the events' counts of the events closed so far:
	 * the kernel writes the record of the samples it dropped only before the
	 * next sample that fits, so a ring that filled up at the end of the run
	 * never says it; counted less handed on does. */
	uint64_t received, counted;
};

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t tid, int cpu, int group_fd,
			       unsigned long flags)
{
	long r = syscall(SYS_perf_event_open, attr, tid, cpu, group_fd, flags);

	return r < 0 ? -errno : (int)r;
}

static int open_event(const struct vms_fault_sampler *s, pid_t tid, int cpu, uint64_t config,
		      bool ring)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = config;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			   PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
	attr.exclude_kernel = (s->flags & VMS_SAMPLE_USER_ONLY) != 0;
	attr.exclude_hv = 1;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	if (ring) {
		attr.watermark = 1;
		attr.wakeup_watermark = (uint32_t)(s->ring_bytes / 2);
	}
	attr.inherit = s->inherit;
	return sys_perf_event_open(&attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void thread_close(const struct vms_fault_sampler *s, struct thread_events *te)
{
	if (te->ring)
		munmap(te->ring, s->page_size + s->ring_bytes);
	if (te->fd_maj >= 0)
		close(te->fd_maj);
	if (te->fd_min >= 0)
		close(te->fd_min);
	te->ring = NULL;
	te->fd_min = te->fd_maj = te->fd_ring = -1;
}

/* What the events of te counted (every fault, a sample each), 0 for one unread. */
static uint64_t thread_count(const struct thread_events *te)
{
	uint64_t sum = 0;
	int fds[2] = { te->fd_min, te->fd_maj };

	for (size_t i = 0; i < 2; i++) {
		uint64_t v;

		if (fds[i] >= 0 && read(fds[i], &v, sizeof(v)) == (ssize_t)sizeof(v))
			sum += v;
	}
	return sum;
}

/* Opens the events of one thread; -errno of the first that fails. */
static int thread_open(struct vms_fault_sampler *s, struct thread_events *te)
{
	bool minor = !(s->flags & VMS_SAMPLE_MAJOR_ONLY);
	int r;

	te->fd_min = te->fd_maj = te->fd_ring = -1;
	te->ring = NULL;
	te->hup = false;
	if (minor) {
		r = open_event(s, te->tid, te->cpu, PERF_COUNT_SW_PAGE_FAULTS_MIN, true);
		if (r < 0)
			return r;
		te->fd_min = r;
	}
	r = open_event(s, te->tid, te->cpu, PERF_COUNT_SW_PAGE_FAULTS_MAJ, !minor);
	if (r < 0)
		goto fail;
	te->fd_maj = r;
	if (ioctl(te->fd_maj, PERF_EVENT_IOC_ID, &te->id_maj) < 0) {
		r = -errno;
		goto fail;
	}
	te->fd_ring = minor ? te->fd_min : te->fd_maj;
	te->ring = mmap(NULL, s->page_size + s->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			te->fd_ring, 0);
	if (te->ring == MAP_FAILED) {
		te->ring = NULL;
		r = -errno;
		goto fail;
	}
	if (minor && ioctl(te->fd_maj, PERF_EVENT_IOC_SET_OUTPUT, te->fd_ring) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	thread_close(s, te);
	return r;
}

static bool have_thread(const struct vms_fault_sampler *s, pid_t tid)
{
	for (size_t i = 0; i < s->n_t; i++)
		if (s->t[i].tid == tid)
			return true;
	return false;
}

/* With inherit: whether tid was listed before; records it. */
static bool seen_before(struct vms_fault_sampler *s, pid_t tid)
{
	for (size_t i = 0; i < s->n_seen; i++)
		if (s->seen[i] == tid)
			return true;
	ARRAY_GROW(s->seen, s->n_seen + 1, s->alloc_seen);
	s->seen[s->n_seen++] = tid;
	return false;
}

/*
 * The events of one thread: a pair on each CPU with inherit (an offline CPU
 * is skipped), else one pair. On an error, none of them stays open.
 */
static int thread_open_all(struct vms_fault_sampler *s, pid_t tid)
{
	size_t first = s->n_t;
	int n = s->inherit ? s->n_cpus : 1, r = 0;

	for (int c = 0; c < n; c++) {
		ARRAY_GROW(s->t, s->n_t + 1, s->alloc_t);
		s->t[s->n_t] = (struct thread_events){ .tid = tid, .cpu = s->inherit ? c : -1 };
		r = thread_open(s, &s->t[s->n_t]);
		if (r == -ENODEV && s->inherit)
			continue;
		if (r < 0)
			break;
		s->n_t++;
	}
	if (r < 0 && !(r == -ENODEV && s->inherit)) {
		while (s->n_t > first)
			thread_close(s, &s->t[--s->n_t]);
		return r;
	}
	return s->n_t > first ? 0 : -ENODEV;
}

/*
 * Opens events for the threads of task/ not yet known; with inherit, once
 * the first scan is done, only counts them (they inherited their creator's
 * events). Returns how many threads were listed, or -errno: that of
 * perf_event_open when no thread of the scan could be opened and none was
 * before (refused), -ESRCH when task/ is gone or empty.
 */
static int scan_threads(struct vms_fault_sampler *s, bool first_scan)
{
	struct dirent *de;
	int fd, listed = 0, first_err = 0;
	DIR *d;

	fd = openat(s->pid_dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char *end;
		long tid;
		int r;

		errno = 0;
		tid = strtol(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || tid <= 0)
			continue;
		listed++;
		if (s->inherit && !first_scan) {
			if (!seen_before(s, (pid_t)tid))
				s->stats.threads++;
			continue;
		}
		if (have_thread(s, (pid_t)tid))
			continue;
		r = thread_open_all(s, (pid_t)tid);
		if (r == -ESRCH) {
			s->stats.threads_gone++;
			continue;
		}
		if (r < 0) {
			if (!first_err)
				first_err = r;
			continue;
		}
		if (s->inherit)
			(void)seen_before(s, (pid_t)tid);
		s->stats.threads++;
	}
	closedir(d);
	if (s->n_t == 0)
		return first_err ? first_err : -ESRCH;
	return s->inherit && listed == 0 ? -ESRCH : listed;
}

/* Threads in task/, for the choice between inherited events and scans. */
static int count_threads(int pid_dirfd)
{
	struct dirent *de;
	int fd = openat(pid_dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int vms_sampler_open(int pid_dirfd, unsigned flags, struct vms_fault_sampler **ret)
{
	struct vms_fault_sampler *s = xcalloc(1, sizeof(*s));
	const char *no_inherit = getenv("VMSCOPE_TEST_NO_INHERIT");
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	int r, threads = count_threads(pid_dirfd);

	s->pid_dirfd = pid_dirfd;
	s->flags = flags;
	s->page_size = (size_t)sysconf(_SC_PAGESIZE);
	s->ring_bytes = RING_PAGES * s->page_size;
	s->n_cpus = cpus > 0 && cpus < 4096 ? (int)cpus : 1;
	/* the tests' way to the scans of task/ */
	s->inherit = threads > 0 && (long)threads * s->n_cpus * 2 <= INHERIT_MAX_EVENTS &&
		     !(no_inherit && *no_inherit && strcmp(no_inherit, "0") != 0);
	r = scan_threads(s, true);
	if (r < 0 && r != -ESRCH && s->inherit) {
		/* per-CPU events refused (a CPU's limit, an old kernel): one pair a thread */
		for (size_t i = 0; i < s->n_t; i++)
			thread_close(s, &s->t[i]);
		s->n_t = s->n_seen = 0;
		s->stats = (struct vms_sampler_stats){ 0 };
		s->inherit = false;
		r = scan_threads(s, true);
	}
	if (r < 0) {
		vms_sampler_free(s);
		return r;
	}
	s->stats.inherited = s->inherit;
	*ret = s;
	return 0;
}

void vms_sampler_free(struct vms_fault_sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_t; i++)
		thread_close(s, &s->t[i]);
	free(s->t);
	free(s->seen);
	free(s->pfd);
	free(s->wrap);
	free(s);
}

void vms_sampler_disable(struct vms_fault_sampler *s)
{
	for (size_t i = 0; i < s->n_t; i++) {
		if (s->t[i].fd_min >= 0)
			(void)ioctl(s->t[i].fd_min, PERF_EVENT_IOC_DISABLE, 0);
		if (s->t[i].fd_maj >= 0)
			(void)ioctl(s->t[i].fd_maj, PERF_EVENT_IOC_DISABLE, 0);
	}
	s->disabled = true;
}

void vms_sampler_stats(const struct vms_fault_sampler *s, struct vms_sampler_stats *ret)
{
	uint64_t counted = s->counted;

	*ret = s->stats;
	for (size_t i = 0; i < s->n_t; i++)
		counted += thread_count(&s->t[i]);
	if (counted > s->received && counted - s->received > ret->lost)
		ret->lost = counted - s->received;
}

struct sample_record {
	struct perf_event_header header;
	uint64_t id;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t addr;
};

struct lost_record {
	struct perf_event_header header;
	uint64_t id;
	uint64_t lost;
};

/* Hands on every record in the ring; returns the number of samples. */
static int drain(struct vms_fault_sampler *s, struct thread_events *te,
		 void (*fn)(const struct vms_fault_sample *sample, void *ctx), void *ctx)
{
	struct perf_event_mmap_page *meta = te->ring;
	const unsigned char *data = (const unsigned char *)te->ring + s->page_size;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	uint64_t mask = s->ring_bytes - 1;
	int n = 0;

	while (tail < head) {
		struct perf_event_header h;
		const unsigned char *rec;
		size_t off = (size_t)(tail & mask);

		if (head - tail < sizeof(h))
			break;
		if (off + sizeof(h) <= s->ring_bytes) {
			memcpy(&h, data + off, sizeof(h));
		} else {
			size_t first = s->ring_bytes - off;

			memcpy(&h, data + off, first);
			memcpy((unsigned char *)&h + first, data, sizeof(h) - first);
		}
		if (h.size < sizeof(h) || h.size > head - tail)
			break; /* never written by this kernel: stop rather than misread */
		if (off + h.size <= s->ring_bytes) {
			rec = data + off;
		} else {
			size_t first = s->ring_bytes - off;

			ARRAY_GROW(s->wrap, h.size, s->wrap_alloc);
			memcpy(s->wrap, data + off, first);
			memcpy(s->wrap + first, data, h.size - first);
			rec = s->wrap;
		}
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(struct sample_record)) {
			struct sample_record sr;
			struct vms_fault_sample fs;

			memcpy(&sr, rec, sizeof(sr));
			fs.time_ns = sr.time;
			fs.addr = sr.addr;
			fs.ip = sr.ip;
			fs.tid = (pid_t)sr.tid;
			fs.major = sr.id == te->id_maj;
			fn(&fs, ctx);
			n++;
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(struct lost_record)) {
			struct lost_record lr;

			memcpy(&lr, rec, sizeof(lr));
			s->stats.lost += lr.lost;
		} else if (h.type == PERF_RECORD_THROTTLE) {
			s->stats.throttled++;
		}
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	s->received += (uint64_t)n;
	return n;
}

int vms_sampler_poll(struct vms_fault_sampler *s, int timeout_ms,
		     void (*fn)(const struct vms_fault_sample *sample, void *ctx), void *ctx)
{
	size_t n_open = 0;
	int total = 0, r;

	ARRAY_GROW(s->pfd, s->n_t, s->alloc_pfd);
	for (size_t i = 0; i < s->n_t; i++) {
		/* an inherited event whose thread exited still takes the samples
		 * of the threads it started: drained, not polled (it would wake
		 * every poll with POLLHUP) */
		if (s->t[i].fd_ring < 0 || s->t[i].hup)
			continue;
		s->pfd[n_open].fd = s->t[i].fd_ring;
		s->pfd[n_open].events = POLLIN;
		s->pfd[n_open].revents = 0;
		n_open++;
	}
	if (n_open == 0 && !s->inherit)
		return -ESRCH;
	r = n_open ? poll(s->pfd, n_open, timeout_ms) : 0;
	if (r < 0 && errno != EINTR)
		return -errno;
	if (n_open == 0 && timeout_ms > 0) {
		struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}

	n_open = 0;
	for (size_t i = 0; i < s->n_t; i++) {
		struct thread_events *te = &s->t[i];

		if (te->fd_ring < 0)
			continue;
		if (!te->hup) {
			if (r > 0 && (s->pfd[n_open].revents & (POLLHUP | POLLERR)))
				te->hup = true;
			n_open++;
		}
		total += drain(s, te, fn, ctx);
		/* Its last samples are in hand: an exited thread's fds are let go,
		 * so a process that starts many short threads does not run out.
		 * Inherited events stay until the end: others write there. */
		if (te->hup && !s->inherit) {
			s->counted += thread_count(te);
			thread_close(s, te);
		}
	}
	if (s->disabled)
		return total;
	r = scan_threads(s, false);
	if (r == -ESRCH) {
		for (size_t i = 0; i < s->n_t && !s->inherit; i++)
			if (s->t[i].fd_ring >= 0)
				return total;
		return total > 0 ? total : -ESRCH;
	}
	return total;
}
