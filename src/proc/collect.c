/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading one process: a directory fd of /proc/<pid> kept for the whole
 * inspection, every file opened relative to it, read to EOF with size caps,
 * and liveness confirmed after reading.
 */
#include "config.h"

#include "vmscope/collect.h"
#include "vmscope/pages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/procfile.h"
#include "base/share.h"
#include "base/strbuf.h"
#include "base/user.h"
#include "base/xalloc.h"
#include "proc/proc-internal.h"

#define SMALL_FILE_CAP (64 * 1024)
#define CMDLINE_CAP (256 * 1024)
/* 65,530 VMAs with long paths stay far below this */
#define SMAPS_CAP ((size_t)1 << 30)

struct vms_proc {
	int root_fd; /* borrowed */
	int dirfd;
	int pidfd;
	pid_t pid;
	bool live;
	char first_state;    /* state at the first stat read, 0 before */
	uint64_t start_time; /* identifies the process across pid reuse */
	uint64_t first_vsize;/* 0: no address space (kernel thread, zombie) */
	uint64_t rss_pages;  /* at the last read of stat */
	struct procfile pf;  /* smaps line reader; its buffer is reused */
	struct strbuf sb;    /* small files */
	struct strbuf rollup;/* smaps_rollup, perhaps read by smaps's reader */
	/* the page sweep to start during vms_collect, and once started */
	bool sweep_wanted;
	int sweep_root_fd;
	struct vms_pages_options sweep_o;
	struct vms_pages_sweep *sweep;
	/* called as regions are parsed (vms_proc_on_regions) */
	vms_regions_hook *regions_hook;
	void *regions_ctx;
	/* called once in a wait (vms_proc_on_wait) */
	vms_wait_hook *wait_hook;
	void *wait_ctx;
};

static int errno_gone(int r)
{
	return r == -ENOENT || r == -ESRCH ? -ESRCH : r;
}

int vms_proc_open(int root_fd, pid_t pid, bool live, struct vms_proc **ret)
{
	char name[16];
	struct vms_proc *p;
	int fd;

	if (pid <= 0)
		return -ESRCH;
	/*
	 * snprintf, though a loop of digits would be 67 us sooner at smaps's
	 * read (1,027 VMAs): this is the C library's printf met for the first
	 * time, its pages faulted in before smaps and smaps_rollup are read.
	 * Met between the two reads instead (pages the target may map too,
	 * whose PSS moves as they gain a mapper), test-live's check that the
	 * regions' PSS sums to the rollup's failed in 8 runs of 16 beside
	 * the suite's other tests, 0 of 52 so (strtol in cli_is_pid
	 * likewise; README, Speed, the thirty-fourth round).
	 */
	(void)snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno_gone(-errno);
	p = xcalloc(1, sizeof(*p));
	p->root_fd = root_fd;
	p->dirfd = fd;
	p->pid = pid;
	p->live = live;
	p->pidfd = -1;
	if (live) {
		/* Readable once the process exits: the cheapest reliable test
		 * that a read came back short because the process died. */
		p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	procfile_init(&p->pf);
	strbuf_init(&p->sb);
	strbuf_init(&p->rollup);
	*ret = p;
	return 0;
}

void vms_proc_free(struct vms_proc *p)
{
	if (!p)
		return;
	/* first: a reader still there may read in dirfd */
	procfile_release(&p->pf);
	if (p->dirfd >= 0)
		close(p->dirfd);
	if (p->pidfd >= 0)
		close(p->pidfd);
	vms_pages_sweep_free(p->sweep);
	strbuf_release(&p->sb);
	strbuf_release(&p->rollup);
	free(p);
}

void vms_proc_sweep_early(struct vms_proc *p, int root_fd, const struct vms_pages_options *o)
{
	p->sweep_wanted = true;
	p->sweep_root_fd = root_fd;
	p->sweep_o = *o;
}

void vms_proc_on_regions(struct vms_proc *p, vms_regions_hook *fn, void *ctx)
{
	p->regions_hook = fn;
	p->regions_ctx = ctx;
}

void vms_proc_on_wait(struct vms_proc *p, vms_wait_hook *fn, void *ctx)
{
	p->wait_hook = fn;
	p->wait_ctx = ctx;
}

struct vms_pages_sweep *vms_proc_take_sweep(struct vms_proc *p)
{
	struct vms_pages_sweep *sw = p->sweep;

	p->sweep = NULL;
	return sw;
}

pid_t vms_proc_pid(const struct vms_proc *p)
{
	return p->pid;
}

int vms_proc_dirfd(const struct vms_proc *p)
{
	return p->dirfd;
}

static void set_src(struct vms_snapshot *snap, enum vms_source src, int error)
{
	snap->src[src].tried = true;
	snap->src[src].error = error < 0 ? error : 0;
}

static int collect_stat(struct vms_proc *p, struct vms_snapshot *snap)
{
	struct vms_stat st;
	int r;

	r = procfile_read_at(p->dirfd, "stat", SMALL_FILE_CAP, procfile_whole_if(p->live), &p->sb);
	if (r >= 0)
		r = vms_stat_parse(p->sb.buf, p->sb.len, &st);
	set_src(snap, VMS_SRC_STAT, r);
	if (r < 0)
		return r;
	snap->proc.pid = st.pid;
	snap->proc.ppid = st.ppid;
	snap->proc.state = st.state;
	snap->proc.comm = arena_strdup(snap->arena, st.comm);
	snap->proc.kernel_thread = (st.flags & VMS_PF_KTHREAD) != 0;
	snap->proc.threads = (uint32_t)st.num_threads;
	snap->proc.start_time = st.start_time;
	snap->totals.minflt = st.minflt;
	snap->totals.cminflt = st.cminflt;
	snap->totals.majflt = st.majflt;
	snap->totals.cmajflt = st.cmajflt;
	snap->totals.have_faults = true;
	p->rss_pages = st.rss_pages;
	if (!p->first_state) {
		p->first_state = st.state;
		p->start_time = st.start_time;
		p->first_vsize = st.vsize;
	}
	return 0;
}

static void collect_status(struct vms_proc *p, struct vms_snapshot *snap)
{
	int r = procfile_read_at(p->dirfd, "status", SMALL_FILE_CAP, procfile_whole_if(p->live),
				 &p->sb);

	if (r >= 0)
		r = vms_status_parse(snap, p->sb.buf, p->sb.len);
	set_src(snap, VMS_SRC_STATUS, r);
}

static void collect_cmdline(struct vms_proc *p, struct vms_snapshot *snap)
{
	int r = procfile_read_at(p->dirfd, "cmdline", CMDLINE_CAP,
				 PROCFILE_ALLOW_NUL | procfile_whole_if(p->live), &p->sb);

	/* An over-long command line is kept cut at the cap (the read holds
	 * one byte more, to tell it was over). */
	if (r == -EFBIG) {
		strbuf_setlen(&p->sb, CMDLINE_CAP);
		r = 0;
	}
	set_src(snap, VMS_SRC_CMDLINE, r);
	if (r < 0)
		return;
	size_t len = p->sb.len;
	while (len > 0 && p->sb.buf[len - 1] == '\0')
		len--;
	if (len == 0)
		return;
	char *s = arena_strndup(snap->arena, p->sb.buf, len);
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	snap->proc.cmdline = s;
}

static void collect_exe(struct vms_proc *p, struct vms_snapshot *snap)
{
	char buf[4096];
	ssize_t n;
	int r = 0;

	n = readlinkat(p->dirfd, "exe", buf, sizeof(buf));
	if (n < 0 && errno == EINVAL) {
		/* A captured process directory holds the link's target as text. */
		r = procfile_read_at(p->dirfd, "exe", sizeof(buf), 0, &p->sb);
		if (r >= 0) {
			n = (ssize_t)p->sb.len;
			while (n > 0 && p->sb.buf[n - 1] == '\n')
				n--;
			memcpy(buf, p->sb.buf, (size_t)n);
		}
	} else if (n < 0) {
		r = -errno;
	} else if ((size_t)n >= sizeof(buf)) {
		r = -ENAMETOOLONG;
	}
	set_src(snap, VMS_SRC_EXE, r);
	if (r < 0 || n <= 0)
		return;
	snap->proc.exe = arena_strndup(snap->arena, buf, (size_t)n);
}

static void collect_user(struct vms_proc *p, struct vms_snapshot *snap)
{
	if (!vms_snapshot_have(snap, VMS_SRC_STATUS))
		return;
	if (user_name(snap->proc.uid, &p->sb))
		snap->proc.user = arena_strndup(snap->arena, p->sb.buf, p->sb.len);
}

/* smaps_rollup, from smaps's reader if it read it (procfile_readahead_after) */
static void collect_rollup(struct vms_proc *p, struct vms_snapshot *snap)
{
	int r = procfile_after_take(&p->pf);

	if (r == -EINVAL)
		r = procfile_read_at(p->dirfd, "smaps_rollup", SMALL_FILE_CAP,
				     procfile_whole_if(p->live), &p->rollup);
	if (r >= 0)
		r = vms_rollup_parse(snap, p->rollup.buf, p->rollup.len);
	set_src(snap, VMS_SRC_SMAPS_ROLLUP, r);
	if (r < 0)
		memset(&snap->totals.rollup, 0, sizeof(snap->totals.rollup));
}

/*
 * smaps is read by a read-ahead thread started before the other files, so
 * that the kernel's cost of generating it (the largest part of an
 * inspection) overlaps with reading smaps_rollup and with the parse.
 */
static int start_smaps(struct vms_proc *p, bool poll)
{
	int r = procfile_open_at_readahead(&p->pf, p->dirfd, "smaps", SMAPS_CAP,
					   poll ? PROCFILE_POLL_NS : 0);

	/* another walk of the page tables, by whichever thread is free first */
	if (r >= 0)
		procfile_readahead_after(&p->pf, p->dirfd, "smaps_rollup", SMALL_FILE_CAP,
					 procfile_whole_if(p->live), &p->rollup);
	return r;
}

static int cmp_thread(const void *a, const void *b)
{
	const struct vms_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* A thread's two files read, its comm not yet in the snapshot's arena. */
struct thread_slot {
	struct vms_thread t;
	char comm[sizeof(((struct vms_stat *)0)->comm)];
	bool ok; /* false: the thread exited while they were read */
};

/* The files of a task, task/<tid>/stat and syscall, read into slot with sb. */
static void read_thread(int dirfd, unsigned whole, struct strbuf *sb, pid_t tid,
			struct thread_slot *slot)
{
	struct vms_thread *t = &slot->t;
	struct vms_stat st;
	char path[64];
	int r;

	*t = (struct vms_thread){ .tid = tid, .region = -1 };
	slot->ok = false;
	(void)snprintf(path, sizeof(path), "task/%d/stat", (int)tid);
	r = procfile_read_at(dirfd, path, SMALL_FILE_CAP, whole, sb);
	if (r < 0 || vms_stat_parse(sb->buf, sb->len, &st) < 0)
		return; /* the thread exited while we listed them */
	memcpy(slot->comm, st.comm, sizeof(slot->comm));
	t->minflt = st.minflt;
	t->majflt = st.majflt;

	(void)snprintf(path, sizeof(path), "task/%d/syscall", (int)tid);
	r = procfile_read_at(dirfd, path, SMALL_FILE_CAP, whole, sb);
	if (r >= 0)
		r = vms_syscall_parse_sp(sb->buf, sb->len, &t->sp);
	t->sp_error = r < 0 ? r : 0;
	if (r < 0)
		t->sp = 0;
	slot->ok = true;
}

/*
 * The tasks' files, read on two threads when there are many (base/share.h):
 * two files a thread, some 10 us each here even read whole, so that a
 * process of 1,000 threads is 20 ms of reads on one thread (14 ms on two,
 * beside smaps's reader).
 */
struct thread_share {
	int dirfd;
	unsigned whole;
	const pid_t *tids;
	struct thread_slot *slots;
	struct strbuf *sb, other_sb;
};

static void read_one(void *ctx, size_t i, bool other)
{
	struct thread_share *s = ctx;

	read_thread(s->dirfd, s->whole, other ? &s->other_sb : s->sb, s->tids[i], &s->slots[i]);
}

static void read_threads(struct vms_proc *p, struct vms_snapshot *snap, const pid_t *tids, size_t n)
{
	struct thread_share s = { .dirfd = p->dirfd, .whole = procfile_whole_if(p->live),
				  .tids = tids, .sb = &p->sb };
	struct share items = { .item = read_one, .ctx = &s };

	s.slots = xreallocarray(NULL, n ? n : 1, sizeof(*s.slots));
	strbuf_init(&s.other_sb);
	(void)share_run(&items, n, share_worth(n));
	ARRAY_GROW(snap->threads, snap->n_threads + n, snap->alloc_threads);
	for (size_t i = 0; i < n; i++) {
		if (!s.slots[i].ok)
			continue;
		s.slots[i].t.comm = arena_strdup(snap->arena, s.slots[i].comm);
		snap->threads[snap->n_threads++] = s.slots[i].t;
	}
	strbuf_release(&s.other_sb);
	free(s.slots);
}

static void collect_threads(struct vms_proc *p, struct vms_snapshot *snap)
{
	pid_t *tids = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(p->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		set_src(snap, VMS_SRC_TASKS, -errno);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		set_src(snap, VMS_SRC_TASKS, -errno);
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char *endp;
		long tid = strtol(de->d_name, &endp, 10);

		if (*endp || tid <= 0 || tid > INT32_MAX)
			continue;
		ARRAY_GROW(tids, n + 1, alloc);
		tids[n++] = (pid_t)tid;
	}
	closedir(d);
	read_threads(p, snap, tids, n);
	free(tids);
	ARRAY_SORT(snap->threads, snap->n_threads, cmp_thread);
	set_src(snap, VMS_SRC_TASKS, 0);
}

/*
 * What the main thread reads besides smaps, one file at a time: done while
 * smaps's reader has no block ready, and what is left after the parse.
 * Done in the waits, the reader stays a few chunks ahead and reads into
 * the buffers the parse gives back; done first, it read the start of smaps
 * into new buffers, each page a fault (on a machine whose faults are dear,
 * that doubled the read of 1,000 VMAs). The caller's wait hook comes last.
 */
struct side_reads {
	struct vms_proc *p;
	struct vms_snapshot *snap;
	unsigned flags; /* VMS_COLLECT_* */
	unsigned next;  /* the next step of side_read */
};

#define SIDE_READS 7

/* Does the next read; false when none is left. */
static bool side_read(struct side_reads *s)
{
	switch (s->next++) {
	case 0:
		collect_status(s->p, s->snap);
		return true;
	case 1:
		collect_exe(s->p, s->snap);
		return true;
	case 2:
		collect_user(s->p, s->snap);
		return true;
	case 3:
		if (s->flags & VMS_COLLECT_THREADS)
			collect_threads(s->p, s->snap);
		return true;
	case 4:
		if (s->flags & VMS_COLLECT_INSIGHTS)
			collect_insights(s->p->dirfd, s->p->root_fd, s->p->live, s->snap);
		return true;
	case 5:
		/* the last read: smaps's reader may read it meanwhile, once at
		 * the end */
		collect_rollup(s->p, s->snap);
		return true;
	case 6:
		if (s->p->wait_hook) {
			int saved = errno;

			s->p->wait_hook(s->p->wait_ctx);
			errno = saved;
		}
		return true;
	default:
		s->next = SIDE_READS;
		return false;
	}
}

static void finish_smaps(struct vms_proc *p, struct vms_snapshot *snap, int r,
			 struct side_reads *side)
{
	struct vms_smaps_parser ps;
	const char *buf;
	size_t len, hooked = 0;
	bool eof;

	if (r < 0)
		goto out;
	vms_smaps_parser_init(&ps, snap);
	for (;;) {
		ptrdiff_t n;
		size_t whole;

		/* the reader goes on meanwhile: a side read (smaps_rollup) may
		 * take longer than filling what it keeps ahead */
		if (side->next < SIDE_READS && !procfile_block_ready(&p->pf)) {
			procfile_away(&p->pf, true);
			while (!procfile_block_ready(&p->pf) && side_read(side))
				;
			procfile_away(&p->pf, false);
		}
		r = procfile_next_block(&p->pf, &buf, &len, &eof);
		if (r <= 0)
			break;
		n = vms_smaps_parse_lines(&ps, buf, len, eof);
		if (n < 0) {
			r = (int)n;
			break;
		}
		procfile_take(&p->pf, (size_t)n);
		/* all but the last region are whole; with eof, all are */
		whole = eof ? snap->n_regions : snap->n_regions - !!snap->n_regions;
		vms_pages_sweep_feed(p->sweep, snap, whole, eof);
		if (p->regions_hook && whole > hooked) {
			p->regions_hook(p->regions_ctx, snap, hooked, whole);
			hooked = whole;
		}
	}
	vms_smaps_parser_done(&ps);
	/* the end can come after the last block, without a block of its own */
	if (r == 0)
		vms_pages_sweep_feed(p->sweep, snap, snap->n_regions, true);
	if (r == 0 && p->regions_hook && snap->n_regions > hooked)
		p->regions_hook(p->regions_ctx, snap, hooked, snap->n_regions);
out:
	/* the file is closed by the caller: its reader may be reading
	 * smaps_rollup (procfile_readahead_after) */
	set_src(snap, VMS_SRC_SMAPS, r);
	if (r < 0) {
		/* never a half-read region list */
		snap->n_regions = 0;
		snap->dropped_regions = 0;
		snap->sysv_regions = 0;
	}
}

int vms_collect(struct vms_proc *p, unsigned flags, struct vms_snapshot *snap)
{
	struct side_reads side;
	int r, smaps_r = 0;

	snap->mono_ns = clock_ns(CLOCK_MONOTONIC);
	snap->wall_ns = clock_ns(CLOCK_REALTIME);
	/*
	 * The command line is read from the process's memory, which marks the
	 * page that holds it referenced: first, so that smaps and smaps_rollup
	 * both count that page rather than only one of them, depending on the
	 * timing. Then smaps's reader starts, and stat is read while the
	 * kernel writes smaps (a process gone fails both; stat says so).
	 */
	if (!(flags & VMS_COLLECT_NO_CMDLINE))
		collect_cmdline(p, snap);
	if (flags & VMS_COLLECT_REGIONS)
		smaps_r = start_smaps(p, flags & VMS_COLLECT_POLL);
	r = collect_stat(p, snap);
	if (r < 0)
		return errno_gone(r);
	/* no address space (a kernel thread), no pages to sweep */
	if (p->sweep_wanted && p->first_vsize && !p->sweep)
		p->sweep = vms_pages_sweep_start(p->dirfd, p->sweep_root_fd, &p->sweep_o,
						 p->rss_pages);
	side = (struct side_reads){ .p = p, .snap = snap, .flags = flags };
	if (flags & VMS_COLLECT_REGIONS)
		finish_smaps(p, snap, smaps_r, &side);
	while (side_read(&side))
		;
	procfile_close(&p->pf);
	return 0;
}

int vms_proc_alive(struct vms_proc *p)
{
	struct vms_stat st;
	int r;

	if (!p->live)
		return 1;
	if (p->pidfd >= 0 && p->first_state != 'Z' && p->first_state != 'X') {
		struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

		r = poll(&pfd, 1, 0);
		if (r < 0)
			return -errno;
		if (r > 0)
			return 0;
	}
	/*
	 * The pidfd turns readable only once the exit is complete, but an
	 * exiting process drops its address space before that: smaps then
	 * reads as empty while the pidfd still says alive. stat tells: the
	 * same start time, not dead, and still an address space (vsize is 0
	 * once the mm is gone) if it had one at the first read.
	 */
	r = procfile_read_at(p->dirfd, "stat", SMALL_FILE_CAP, procfile_whole_if(p->live), &p->sb);
	if (r < 0)
		return errno_gone(r) == -ESRCH ? 0 : r;
	r = vms_stat_parse(p->sb.buf, p->sb.len, &st);
	if (r < 0)
		return r;
	if (st.start_time != p->start_time)
		return 0;
	if ((st.state == 'Z' || st.state == 'X') && p->first_state != st.state)
		return 0;
	/* Exiting, though not yet a zombie: its address space goes first,
	 * which must not pass for an exec (a new address space). A task
	 * that was a zombie at the first read is the answer, not an exit. */
	if ((st.flags & VMS_PF_EXITING) && p->first_state != 'Z' && p->first_state != 'X')
		return 0;
	if (p->first_vsize && !st.vsize)
		return 0;
	return 1;
}

void vms_collect_host(int root_fd, struct vms_host *host)
{
	struct strbuf sb = { 0 };
	struct utsname u;
	long ps;
	int fd;

	(void)root_fd;
	memset(host, 0, sizeof(*host));
	if (uname(&u) == 0) {
		(void)snprintf(host->kernel, sizeof(host->kernel), "%s", u.release);
		(void)snprintf(host->machine, sizeof(host->machine), "%s", u.machine);
		(void)snprintf(host->hostname, sizeof(host->hostname), "%s", u.nodename);
	}
	ps = sysconf(_SC_PAGESIZE);
	host->page_size = ps > 0 ? (uint32_t)ps : 4096;

	strbuf_init(&sb);
	fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (procfile_read_fd(fd, 4096, 0, &sb) > 0) {
			/* "always [madvise] never": the bracketed word is in force */
			char *open_b = strchr(sb.buf, '['), *close_b;

			close_b = open_b ? strchr(open_b, ']') : NULL;
			if (close_b && (size_t)(close_b - open_b - 1) < sizeof(host->thp_enabled))
				memcpy(host->thp_enabled, open_b + 1, (size_t)(close_b - open_b - 1));
		}
		close(fd);
	}
	strbuf_release(&sb);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int vms_find_by_name(int root_fd, const char *pattern, bool full, pid_t **ret_pids)
{
	struct strbuf sb;
	pid_t *pids = NULL, self = getpid();
	size_t n = 0, alloc = 0;
	struct dirent *de;
	regex_t re;
	DIR *d;
	int fd;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -EINVAL;
	fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		int r = -errno;
		if (fd >= 0)
			close(fd);
		regfree(&re);
		return r;
	}
	strbuf_init(&sb);
	while ((de = readdir(d))) {
		char *endp, path[64];
		long pid = strtol(de->d_name, &endp, 10);
		int r;

		if (*endp || pid <= 0 || pid > INT32_MAX || pid == self)
			continue;
		(void)snprintf(path, sizeof(path), "%ld/%s", pid, full ? "cmdline" : "comm");
		r = procfile_read_at(dirfd(d), path, CMDLINE_CAP, PROCFILE_ALLOW_NUL, &sb);
		if (r < 0 && r != -EFBIG)
			continue; /* gone, or not readable: not a match */
		if (r == -EFBIG) /* matched as the report shows it: cut at the cap */
			strbuf_setlen(&sb, CMDLINE_CAP);
		while (sb.len > 0 && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\0'))
			strbuf_setlen(&sb, sb.len - 1);
		for (size_t i = 0; i < sb.len; i++)
			if (sb.buf[i] == '\0')
				sb.buf[i] = ' ';
		if (sb.len == 0 || regexec(&re, sb.buf, 0, NULL, 0) != 0)
			continue;
		ARRAY_GROW(pids, n + 1, alloc);
		pids[n++] = (pid_t)pid;
	}
	closedir(d);
	strbuf_release(&sb);
	regfree(&re);
	if (n > 1)
		ARRAY_SORT(pids, n, cmp_pid);
	*ret_pids = pids;
	return (int)n;
}
