/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every process of the machine with its totals. libproc2 enumerates the
 * live /proc and reads stat and status; smaps_rollup is read here because
 * libproc2 turns a refused read into 0, and a refused PSS must show as
 * unreadable, never as a false 0. A captured proc root (--proc-root) is
 * scanned directly with the same parsers the one-process collector uses.
 * A live view lists the same processes every second or so: it scans /proc
 * itself, keeps each process's files open, and asks libproc2 only for the
 * names of processes whose raw names changed, so that its rows are still
 * those of a full libproc2 listing.
 */
#include "config.h"

#include "vmscope/list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/collect.h"

#define SMALL_FILE_CAP (64 * 1024)
#define CMDLINE_CAP (64 * 1024)
#define PF_KTHREAD 0x00200000UL

/* The libproc2 items, in the order of the enum below (PIDS_VAL indexes). */
static enum pids_item list_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD,     PIDS_CMDLINE,
	PIDS_FLAGS,  PIDS_STATE,   PIDS_TICS_BEGAN, PIDS_VSIZE_BYTES, PIDS_RSS, PIDS_FLT_MIN,
	PIDS_FLT_MAJ,
};
enum {
	I_PID, I_PPID, I_EUID, I_EUSER, I_CMD, I_CMDLINE,
	I_FLAGS, I_STATE, I_BEGAN, I_VSIZE, I_RSS, I_FLT_MIN,
	I_FLT_MAJ,
};

/* What a live view asks libproc2 when a process's names may have changed. */
static enum pids_item names_items[] = { PIDS_ID_PID, PIDS_ID_EUSER, PIDS_CMD, PIDS_CMDLINE };
enum { N_PID, N_EUSER, N_CMD, N_CMDLINE };
/* procps_pids_select takes fewer than 256 pids at a time */
#define NAMES_BATCH 128

/*
 * The files a live view keeps open for each process and reads again from
 * offset 0 at every refresh: opening and closing them cost a path walk and
 * a file setup each, per process and refresh, more than the reads of the
 * small ones.
 */
enum kept_file { KF_STAT, KF_CMDLINE, KF_ROLLUP, KF_OOM, KF__MAX };

static const char *const kept_names[KF__MAX] = {
	[KF_STAT] = "stat",
	[KF_CMDLINE] = "cmdline",
	[KF_ROLLUP] = "smaps_rollup",
	[KF_OOM] = "oom_score",
};

/* What libproc2's names of a process follow from; they are asked again when it changes. */
struct names_key {
	uint64_t start_time;
	uint64_t cmdline_hash; /* of the raw bytes read */
	int cmdline_error;
	uid_t uid;
	bool zombie;
	char comm[sizeof(((struct vms_stat *)0)->comm)]; /* raw, from stat */
};

/* One process as a live view keeps it between refreshes. */
struct kept {
	pid_t pid;
	int fd[KF__MAX];   /* -1: not open */
	uid_t rollup_uid;  /* owner of smaps_rollup when it was opened */
	/*
	 * libproc2's user, comm and arguments (escaped its way) for key: the
	 * same strings a full fetch gives, fetched only when the key changes.
	 */
	bool named;
	struct names_key key;
	char *user, *comm, *cmdline;
};

struct vms_lister {
	int root_fd;              /* borrowed */
	bool live;
	unsigned flags;
	long page_size;
	struct pids_info *info;   /* live only */
	struct vms_snapshot *scratch; /* the parsers' target for one file */
	struct strbuf sb;
	/* the last uid looked up by name (scan path): most runs are by few users */
	uid_t last_uid;
	char *last_user;
	bool have_last_user;
	/* live views (vms_lister_keep) */
	bool keep;
	size_t max_fds, open_fds;
	DIR *proc_dir;
	struct pids_info *names_info;
	struct kept *kept, *kept_next; /* by ascending pid */
	size_t n_kept, alloc_kept, alloc_next;
	pid_t *pids;
	size_t n_pids, alloc_pids;
	unsigned *stale;               /* pids whose names are asked */
	size_t n_stale, alloc_stale;
	size_t *item_kept;             /* pl->items[i] is kept[item_kept[i]] */
	size_t alloc_item_kept;
};

void vms_plist_init(struct vms_plist *pl)
{
	memset(pl, 0, sizeof(*pl));
	arena_init(&pl->arena);
}

void vms_plist_release(struct vms_plist *pl)
{
	arena_release(&pl->arena);
	free(pl->items);
	memset(pl, 0, sizeof(*pl));
	arena_init(&pl->arena);
}

void vms_plist_clear(struct vms_plist *pl)
{
	arena_release(&pl->arena);
	pl->n = 0;
	pl->vanished = 0;
}

int vms_lister_new(int root_fd, bool live, unsigned flags, struct vms_lister **ret)
{
	struct vms_lister *l = xcalloc(1, sizeof(*l));

	l->root_fd = root_fd;
	l->live = live;
	l->flags = flags;
	l->page_size = sysconf(_SC_PAGESIZE);
	if (l->page_size <= 0)
		l->page_size = 4096;
	if (live) {
		int r = procps_pids_new(&l->info, list_items, (int)ARRAY_SIZE(list_items));

		if (r < 0) {
			free(l);
			return r;
		}
	}
	l->scratch = vms_snapshot_new();
	strbuf_init(&l->sb);
	*ret = l;
	return 0;
}

static void kept_release(struct vms_lister *l, struct kept *k);

void vms_lister_free(struct vms_lister *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_kept; i++)
		kept_release(l, &l->kept[i]);
	free(l->kept);
	free(l->kept_next);
	free(l->pids);
	free(l->stale);
	free(l->item_kept);
	if (l->proc_dir)
		closedir(l->proc_dir);
	if (l->names_info)
		procps_pids_unref(&l->names_info);
	if (l->info)
		procps_pids_unref(&l->info);
	vms_snapshot_free(l->scratch);
	strbuf_release(&l->sb);
	free(l->last_user);
	free(l);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int read_pid_file(struct vms_lister *l, pid_t pid, const char *name, size_t cap,
			 unsigned flags)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return procfile_read_at(l->root_fd, path, cap, flags, &l->sb);
}

static bool gone(int r)
{
	return r == -ENOENT || r == -ESRCH;
}

static void kept_close(struct vms_lister *l, struct kept *k, enum kept_file f)
{
	if (k->fd[f] < 0)
		return;
	close(k->fd[f]);
	k->fd[f] = -1;
	l->open_fds--;
}

static void kept_release(struct vms_lister *l, struct kept *k)
{
	for (int f = 0; f < KF__MAX; f++)
		kept_close(l, k, (enum kept_file)f);
	free(k->user);
	free(k->comm);
	free(k->cmdline);
}

/*
 * One of a process's files into l->sb, as read_pid_file. With k (a live
 * view), from the file kept open, or opened and kept while the budget of
 * fds allows.
 */
static int read_file(struct vms_lister *l, pid_t pid, struct kept *k, enum kept_file f,
		     size_t cap, unsigned flags)
{
	char path[64];
	int fd;

	if (k && k->fd[f] >= 0)
		return procfile_read_fd(k->fd[f], cap, flags, &l->sb);
	if (!k || l->open_fds >= l->max_fds)
		return read_pid_file(l, pid, kept_names[f], cap, flags);
	(void)snprintf(path, sizeof(path), "%d/%s", (int)pid, kept_names[f]);
	fd = openat(l->root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	k->fd[f] = fd;
	l->open_fds++;
	return procfile_read_fd(fd, cap, flags, &l->sb);
}

/*
 * VSZ and the fault counters again, after smaps_rollup: the stat read before
 * it may describe another image of the process (it called execve in between,
 * or grew fast), and a row shows one process at one time, not RSS above VSZ.
 */
static int reread_stat(struct vms_lister *l, struct vms_pentry *e, struct kept *k)
{
	struct vms_stat st;
	int r;

	r = read_file(l, e->pid, k, KF_STAT, SMALL_FILE_CAP, 0);
	if (gone(r) || r == 0)
		return -ESRCH;
	if (r < 0 || vms_stat_parse(l->sb.buf, l->sb.len, &st) < 0 || st.state == 'Z')
		return -ESRCH;
	e->vsz = st.vsize;
	e->minflt = st.minflt;
	e->majflt = st.majflt;
	return 0;
}

/*
 * smaps_rollup of a live view's process. The kernel checks access when the
 * file is opened and ties it to the address space of that moment: a kept
 * one is opened again when the file's owner changed (new credentials, or no
 * longer dumpable: the file then belongs to root, and a fresh open may be
 * refused) and when it reads as gone while the process is not (execve).
 */
static int read_kept_rollup(struct vms_lister *l, struct vms_pentry *e, struct kept *k)
{
	struct stat fs;
	char path[64];
	bool was_open;
	int r;

	/* a lookup revalidates the owner; fstat on the kept fd would not */
	(void)snprintf(path, sizeof(path), "%d/%s", (int)e->pid, kept_names[KF_ROLLUP]);
	if (fstatat(l->root_fd, path, &fs, 0) < 0) {
		r = -errno;
		kept_close(l, k, KF_ROLLUP);
		return r;
	}
	if (k->fd[KF_ROLLUP] >= 0 && k->rollup_uid != fs.st_uid)
		kept_close(l, k, KF_ROLLUP);
	was_open = k->fd[KF_ROLLUP] >= 0;
	r = read_file(l, e->pid, k, KF_ROLLUP, SMALL_FILE_CAP, 0);
	if (was_open && (gone(r) || r == 0)) {
		kept_close(l, k, KF_ROLLUP);
		r = read_file(l, e->pid, k, KF_ROLLUP, SMALL_FILE_CAP, 0);
	}
	k->rollup_uid = fs.st_uid;
	return r;
}

/*
 * smaps_rollup into e. Returns 0, or -ESRCH when the process exited: the
 * file of a process whose address space is gone (it became a zombie since
 * libproc2 read its stat) is refused with ESRCH or comes back empty.
 */
static int read_rollup(struct vms_lister *l, struct vms_pentry *e, struct kept *k)
{
	struct vms_snapshot *s = l->scratch;
	int r;

	/* No address space: the kernel refuses the file (ESRCH), the answer is 0. */
	if (e->kernel_thread || e->state == 'Z') {
		if (k)
			kept_close(l, k, KF_ROLLUP); /* it holds the exited address space */
		e->rollup_error = 0;
		return 0;
	}
	if (k)
		r = read_kept_rollup(l, e, k);
	else
		r = read_file(l, e->pid, NULL, KF_ROLLUP, SMALL_FILE_CAP, 0);
	if (gone(r) || r == 0)
		return -ESRCH;
	memset(&s->totals.rollup, 0, sizeof(s->totals.rollup));
	if (r > 0)
		r = vms_rollup_parse(s, l->sb.buf, l->sb.len);
	e->rollup_error = r < 0 ? r : 0;
	if (r >= 0) {
		e->rollup = s->totals.rollup;
		if (vms_counters_has(&e->rollup, VMS_MEM_RSS))
			e->rss = e->rollup.v[VMS_MEM_RSS];
		if (e->rss > e->vsz)
			return reread_stat(l, e, k);
	}
	return 0;
}

static void read_cgroup(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e)
{
	const char *path;
	size_t len;

	if (read_pid_file(l, e->pid, "cgroup", SMALL_FILE_CAP, 0) < 0)
		return;
	if (vms_cgroup_parse(l->sb.buf, l->sb.len, &path, &len, &e->cgroup_v1) < 0)
		return;
	e->cgroup = arena_strndup(&pl->arena, path, len);
}

/* NUL-separated arguments → one string, or NULL when there are none. */
static const char *join_cmdline(struct arena *a, const char *buf, size_t len)
{
	char *s;

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len == 0)
		return NULL;
	s = arena_strndup(a, buf, len);
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return s;
}

/* The OOM killer's score; left unknown when refused or malformed. */
static void read_oom_score(struct vms_lister *l, struct vms_pentry *e, struct kept *k)
{
	const char *p, *end;
	uint64_t v;

	if (read_file(l, e->pid, k, KF_OOM, SMALL_FILE_CAP, 0) <= 0)
		return;
	p = l->sb.buf;
	end = l->sb.buf + l->sb.len;
	if (parse_dec_u64(&p, end, &v) < 0 || v > 2000 || (p != end && *p != '\n'))
		return;
	e->oom_score = (int32_t)v;
	e->have_oom_score = true;
}

/*
 * Reads what libproc2 does not into e and appends it; a vanished process is
 * counted. Returns whether e was appended.
 */
static bool finish_entry(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e,
			 struct kept *k)
{
	if (read_rollup(l, e, k) < 0) {
		pl->vanished++;
		return false;
	}
	read_oom_score(l, e, k);
	if (l->flags & VMS_LIST_CGROUP)
		read_cgroup(l, pl, e);
	ARRAY_GROW(pl->items, pl->n + 1, pl->alloc);
	pl->items[pl->n++] = *e;
	return true;
}

/*
 * libproc2's names into e. A user name made of digits is libproc2 saying it
 * has none; a process without arguments it shows as "[comm]" or "-".
 */
static void set_names(struct arena *a, struct vms_pentry *e, const char *user, const char *cmd,
		      const char *cmdline)
{
	e->user = NULL;
	e->cmdline = NULL;
	if (user && *user && strspn(user, "0123456789") != strlen(user))
		e->user = arena_strdup(a, user);
	e->comm = arena_strdup(a, cmd ? cmd : "");
	if (cmdline && *cmdline && strcmp(cmdline, "-") != 0 &&
	    !(cmdline[0] == '[' && strncmp(cmdline + 1, e->comm, strlen(e->comm)) == 0 &&
	      strcmp(cmdline + 1 + strlen(e->comm), "]") == 0))
		e->cmdline = arena_strdup(a, cmdline);
}

/*
 * The files of the second half of a listing, read on a thread of its own:
 * the kernel's walk of each smaps_rollup is most of a listing's time, and
 * independent from one process to the next. The twin lister has its own
 * buffers; its rows, and their cgroup names, go into its own list, merged
 * after.
 */
struct half {
	struct vms_lister twin;
	struct vms_plist pl;
	struct vms_pentry *es;
	size_t n;
};

static void *read_half(void *arg)
{
	struct half *h = arg;

	for (size_t i = 0; i < h->n; i++)
		(void)finish_entry(&h->twin, &h->pl, &h->es[i], NULL);
	return NULL;
}

/* Below this many processes a thread costs more than it saves. */
#define HALF_MIN 64

static void finish_entries(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *es,
			   size_t n)
{
	struct half h = { 0 };
	pthread_t th;
	size_t first = n;

	if (n >= HALF_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		h.twin = (struct vms_lister){ .root_fd = l->root_fd, .live = l->live,
					      .flags = l->flags, .page_size = l->page_size };
		h.twin.scratch = vms_snapshot_new();
		strbuf_init(&h.twin.sb);
		vms_plist_init(&h.pl);
		h.es = es + n / 2;
		h.n = n - n / 2;
		if (pthread_create(&th, NULL, read_half, &h) == 0)
			first = n / 2;
	}
	for (size_t i = 0; i < first; i++)
		(void)finish_entry(l, pl, &es[i], NULL);
	if (first == n) {
		if (h.twin.scratch) {
			vms_snapshot_free(h.twin.scratch);
			vms_plist_release(&h.pl);
		}
		return;
	}
	pthread_join(th, NULL);
	ARRAY_GROW(pl->items, pl->n + h.pl.n, pl->alloc);
	for (size_t i = 0; i < h.pl.n; i++) {
		struct vms_pentry *e = &pl->items[pl->n++];

		*e = h.pl.items[i];
		if (e->cgroup)
			e->cgroup = arena_strdup(&pl->arena, e->cgroup);
	}
	pl->vanished += h.pl.vanished;
	vms_snapshot_free(h.twin.scratch);
	strbuf_release(&h.twin.sb);
	vms_plist_release(&h.pl);
}

static int collect_libproc2(struct vms_lister *l, struct vms_plist *pl)
{
	/* reap, not get: get does not start over once it has run to the end */
	struct pids_fetch *f = procps_pids_reap(l->info, PIDS_FETCH_TASKS_ONLY);
	_cleanup_free_ struct vms_pentry *es = NULL;
	size_t n = 0;

	if (!f)
		return errno ? -errno : -EIO;
	es = xreallocarray(NULL, (size_t)(f->counts->total > 0 ? f->counts->total : 1),
			   sizeof(*es));
	for (int i = 0; i < f->counts->total; i++) {
		struct pids_stack *st = f->stacks[i];
		struct vms_pentry e = { .rollup_error = 0 };

		e.kernel_thread = (PIDS_VAL(I_FLAGS, ul_int, st, l->info) & PF_KTHREAD) != 0;
		if (e.kernel_thread && !(l->flags & VMS_LIST_KERNEL))
			continue;
		e.pid = PIDS_VAL(I_PID, s_int, st, l->info);
		e.ppid = PIDS_VAL(I_PPID, s_int, st, l->info);
		e.uid = PIDS_VAL(I_EUID, u_int, st, l->info);
		e.state = (char)PIDS_VAL(I_STATE, s_ch, st, l->info);
		e.start_time = PIDS_VAL(I_BEGAN, ull_int, st, l->info);
		e.vsz = PIDS_VAL(I_VSIZE, ul_int, st, l->info);
		e.rss = (uint64_t)PIDS_VAL(I_RSS, ul_int, st, l->info) * (uint64_t)l->page_size;
		e.minflt = PIDS_VAL(I_FLT_MIN, ul_int, st, l->info);
		e.majflt = PIDS_VAL(I_FLT_MAJ, ul_int, st, l->info);
		set_names(&pl->arena, &e, PIDS_VAL(I_EUSER, str, st, l->info),
			  PIDS_VAL(I_CMD, str, st, l->info), PIDS_VAL(I_CMDLINE, str, st, l->info));
		es[n++] = e;
	}
	finish_entries(l, pl, es, n);
	return 0;
}

/* Live views */

int vms_lister_keep(struct vms_lister *l, size_t max_fds)
{
	if (!l->live)
		return 0; /* a captured proc root is scanned as before */
	if (!l->names_info) {
		int r = procps_pids_new(&l->names_info, names_items, (int)ARRAY_SIZE(names_items));

		if (r < 0)
			return r;
	}
	l->keep = true;
	l->max_fds = max_fds;
	return 0;
}

#define FD_RESERVE 256
#define FD_KEEP_MAX 4096

size_t vms_lister_fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return 0;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= FD_RESERVE)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur - FD_RESERVE > FD_KEEP_MAX)
		return FD_KEEP_MAX;
	return (size_t)(rl.rlim_cur - FD_RESERVE);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The pids of the proc root into l->pids, ascending, from a directory kept open. */
static int scan_pids(struct vms_lister *l)
{
	struct dirent *de;
	bool sorted = true;

	if (!l->proc_dir) {
		int fd = openat(l->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		l->proc_dir = fdopendir(fd);
		if (!l->proc_dir) {
			int r = -errno;

			close(fd);
			return r;
		}
	} else {
		rewinddir(l->proc_dir);
	}
	l->n_pids = 0;
	while ((de = readdir(l->proc_dir))) {
		const char *p = de->d_name, *end = p + strlen(p);
		uint64_t pid;

		if (parse_dec_u64(&p, end, &pid) < 0 || p != end || pid == 0 || pid > INT32_MAX)
			continue;
		ARRAY_GROW(l->pids, l->n_pids + 1, l->alloc_pids);
		if (l->n_pids && l->pids[l->n_pids - 1] >= (pid_t)pid)
			sorted = false;
		l->pids[l->n_pids++] = (pid_t)pid;
	}
	if (!sorted) {
		size_t n = 0;

		qsort(l->pids, l->n_pids, sizeof(*l->pids), cmp_pid);
		for (size_t i = 0; i < l->n_pids; i++)
			if (n == 0 || l->pids[n - 1] != l->pids[i])
				l->pids[n++] = l->pids[i];
		l->n_pids = n;
	}
	return 0;
}

/* l->kept becomes one entry per pid of l->pids; those of processes gone are released. */
static void merge_kept(struct vms_lister *l)
{
	struct kept *tmp;
	size_t i = 0, n = 0, alloc;

	ARRAY_GROW(l->kept_next, l->n_pids ? l->n_pids : 1, l->alloc_next);
	for (size_t j = 0; j < l->n_pids; j++) {
		pid_t pid = l->pids[j];

		while (i < l->n_kept && l->kept[i].pid < pid)
			kept_release(l, &l->kept[i++]);
		if (i < l->n_kept && l->kept[i].pid == pid) {
			l->kept_next[n++] = l->kept[i++];
			continue;
		}
		l->kept_next[n] = (struct kept){ .pid = pid };
		for (int f = 0; f < KF__MAX; f++)
			l->kept_next[n].fd[f] = -1;
		n++;
	}
	while (i < l->n_kept)
		kept_release(l, &l->kept[i++]);
	tmp = l->kept;
	l->kept = l->kept_next;
	l->kept_next = tmp;
	alloc = l->alloc_kept;
	l->alloc_kept = l->alloc_next;
	l->alloc_next = alloc;
	l->n_kept = n;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static bool names_key_eq(const struct names_key *a, const struct names_key *b)
{
	return a->start_time == b->start_time && a->cmdline_hash == b->cmdline_hash &&
	       a->cmdline_error == b->cmdline_error && a->uid == b->uid &&
	       a->zombie == b->zombie && strcmp(a->comm, b->comm) == 0;
}

/*
 * stat of a kept process. A kept file of a process that is gone reads as
 * gone even when its pid is in use again: then everything kept is closed
 * and the new process's files are opened.
 */
static int kept_stat(struct vms_lister *l, struct kept *k, struct vms_stat *ret)
{
	bool was_open = k->fd[KF_STAT] >= 0;
	int r;

	r = read_file(l, k->pid, k, KF_STAT, SMALL_FILE_CAP, 0);
	if (was_open && (gone(r) || r == 0)) {
		for (int f = 0; f < KF__MAX; f++)
			kept_close(l, k, (enum kept_file)f);
		k->named = false;
		r = read_file(l, k->pid, k, KF_STAT, SMALL_FILE_CAP, 0);
	}
	if (r <= 0)
		return r < 0 ? r : -ESRCH;
	return vms_stat_parse(l->sb.buf, l->sb.len, ret);
}

/*
 * What libproc2 would read of a kept process into e, but its names; those
 * are asked (l->stale) when what they follow from changed. Returns false
 * when the process is gone or left out, as libproc2 leaves it out.
 */
static bool kept_entry(struct vms_lister *l, struct kept *k, struct vms_pentry *e)
{
	struct names_key key;
	struct vms_stat st;
	struct stat ds;
	char name[16];
	int r;

	if (kept_stat(l, k, &st) < 0)
		return false;
	e->kernel_thread = (st.flags & PF_KTHREAD) != 0;
	if (e->kernel_thread && !(l->flags & VMS_LIST_KERNEL))
		return false;
	/* the owner of /proc/<pid>, as libproc2's uid; a lookup revalidates it */
	(void)snprintf(name, sizeof(name), "%d", (int)k->pid);
	if (fstatat(l->root_fd, name, &ds, 0) < 0)
		return false;
	e->pid = k->pid;
	e->ppid = st.ppid;
	e->uid = ds.st_uid;
	e->state = st.state;
	e->start_time = st.start_time;
	e->vsz = st.vsize;
	e->rss = st.rss_pages * (uint64_t)l->page_size;
	e->minflt = st.minflt;
	e->majflt = st.majflt;

	memset(&key, 0, sizeof(key));
	key.start_time = st.start_time;
	key.uid = ds.st_uid;
	key.zombie = st.state == 'Z';
	memcpy(key.comm, st.comm, sizeof(key.comm));
	r = read_file(l, k->pid, k, KF_CMDLINE, CMDLINE_CAP, PROCFILE_ALLOW_NUL);
	key.cmdline_error = r < 0 && r != -EFBIG ? r : 0;
	key.cmdline_hash = key.cmdline_error ? 0 : hash_bytes(l->sb.buf, l->sb.len);
	if (!k->named || !names_key_eq(&k->key, &key)) {
		k->named = false;
		k->key = key;
		ARRAY_GROW(l->stale, l->n_stale + 1, l->alloc_stale);
		l->stale[l->n_stale++] = (unsigned)k->pid;
	}
	return true;
}

static int cmp_kept_pid(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key;
	const struct kept *k = elem;

	return (pid > k->pid) - (pid < k->pid);
}

static void set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

/* libproc2's names of the processes in l->stale. */
static void ask_names(struct vms_lister *l)
{
	struct pids_info *info = l->names_info;

	for (size_t off = 0; off < l->n_stale; off += NAMES_BATCH) {
		size_t n = l->n_stale - off < NAMES_BATCH ? l->n_stale - off : NAMES_BATCH;
		struct pids_fetch *f = procps_pids_select(info, l->stale + off, (int)n, PIDS_SELECT_PID);

		if (!f)
			continue; /* those rows are left out as gone */
		for (int i = 0; i < f->counts->total; i++) {
			struct pids_stack *st = f->stacks[i];
			pid_t pid = PIDS_VAL(N_PID, s_int, st, info);
			struct kept *k = bsearch(&pid, l->kept, l->n_kept, sizeof(*l->kept), cmp_kept_pid);

			if (!k || k->named)
				continue;
			set_str(&k->user, PIDS_VAL(N_EUSER, str, st, info));
			set_str(&k->comm, PIDS_VAL(N_CMD, str, st, info));
			set_str(&k->cmdline, PIDS_VAL(N_CMDLINE, str, st, info));
			k->named = true;
		}
	}
	l->n_stale = 0;
}

/*
 * The live view's listing: the same rows as collect_libproc2, from files
 * kept open, with libproc2 asked only for names that may have changed.
 */
static int collect_kept(struct vms_lister *l, struct vms_plist *pl)
{
	size_t n = 0;
	int r;

	r = scan_pids(l);
	if (r < 0)
		return r;
	merge_kept(l);
	l->n_stale = 0;
	ARRAY_GROW(l->item_kept, l->n_kept ? l->n_kept : 1, l->alloc_item_kept);
	for (size_t i = 0; i < l->n_kept; i++) {
		struct vms_pentry e = { .rollup_error = 0 };

		if (kept_entry(l, &l->kept[i], &e) && finish_entry(l, pl, &e, &l->kept[i]))
			l->item_kept[pl->n - 1] = i;
	}
	ask_names(l);
	for (size_t i = 0; i < pl->n; i++) {
		const struct kept *k = &l->kept[l->item_kept[i]];

		if (!k->named) {
			pl->vanished++; /* gone before its names were read */
			continue;
		}
		set_names(&pl->arena, &pl->items[i], k->user, k->comm, k->cmdline);
		pl->items[n++] = pl->items[i];
	}
	pl->n = n;
	return 0;
}

static const char *user_name(struct vms_lister *l, struct arena *a, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[2048];

	if (!l->have_last_user || l->last_uid != uid) {
		free(l->last_user);
		l->last_user = NULL;
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			l->last_user = xstrdup(res->pw_name);
		l->last_uid = uid;
		l->have_last_user = true;
	}
	return l->last_user ? arena_strdup(a, l->last_user) : NULL;
}

/* One process of a captured proc root; false when it is not there (any more). */
static bool scan_one(struct vms_lister *l, struct vms_plist *pl, pid_t pid, struct vms_pentry *e)
{
	struct vms_snapshot *s = l->scratch;
	struct vms_stat st;
	int r;

	r = read_pid_file(l, pid, "stat", SMALL_FILE_CAP, 0);
	if (r < 0 || vms_stat_parse(l->sb.buf, l->sb.len, &st) < 0)
		return false;
	e->pid = pid;
	e->ppid = st.ppid;
	e->state = st.state;
	e->kernel_thread = (st.flags & PF_KTHREAD) != 0;
	e->start_time = st.start_time;
	e->vsz = st.vsize;
	e->rss = st.rss_pages * (uint64_t)l->page_size;
	e->minflt = st.minflt;
	e->majflt = st.majflt;
	e->comm = arena_strdup(&pl->arena, st.comm);
	if (e->kernel_thread && !(l->flags & VMS_LIST_KERNEL))
		return false;

	r = read_pid_file(l, pid, "status", SMALL_FILE_CAP, 0);
	if (r < 0 || vms_status_parse(s, l->sb.buf, l->sb.len) < 0)
		return false;
	e->uid = s->proc.uid;
	e->user = user_name(l, &pl->arena, e->uid);

	r = read_pid_file(l, pid, "cmdline", CMDLINE_CAP, PROCFILE_ALLOW_NUL);
	if (r >= 0 || r == -EFBIG)
		e->cmdline = join_cmdline(&pl->arena, l->sb.buf, l->sb.len);
	return true;
}

static int collect_scan(struct vms_lister *l, struct vms_plist *pl)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(l->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		struct vms_pentry e = { .rollup_error = 0 };
		const char *p = de->d_name, *end = p + strlen(p);
		uint64_t pid;

		if (parse_dec_u64(&p, end, &pid) < 0 || p != end || pid == 0 || pid > INT32_MAX)
			continue;
		if (scan_one(l, pl, (pid_t)pid, &e))
			(void)finish_entry(l, pl, &e, NULL);
	}
	closedir(d);
	return 0;
}

static int cmp_entry_pid(const void *a, const void *b)
{
	const struct vms_pentry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int vms_lister_collect(struct vms_lister *l, struct vms_plist *pl)
{
	int r;

	vms_plist_clear(pl);
	pl->mono_ns = mono_ns();
	if (l->keep)
		r = collect_kept(l, pl);
	else
		r = l->info ? collect_libproc2(l, pl) : collect_scan(l, pl);
	if (r < 0)
		return r;
	qsort(pl->items, pl->n, sizeof(*pl->items), cmp_entry_pid);
	return 0;
}

/* Machine memory */

static const char *const meminfo_keys[VMS_MI__MAX] = {
	[VMS_MI_TOTAL] = "MemTotal",
	[VMS_MI_FREE] = "MemFree",
	[VMS_MI_AVAILABLE] = "MemAvailable",
	[VMS_MI_SWAP_TOTAL] = "SwapTotal",
	[VMS_MI_SWAP_FREE] = "SwapFree",
	[VMS_MI_COMMITTED_AS] = "Committed_AS",
	[VMS_MI_COMMIT_LIMIT] = "CommitLimit",
};

static uint64_t *meminfo_slot(struct vms_meminfo *mi, unsigned i)
{
	uint64_t *slots[VMS_MI__MAX] = {
		&mi->total,      &mi->free,         &mi->available,    &mi->swap_total,
		&mi->swap_free,  &mi->committed_as, &mi->commit_limit,
	};

	return slots[i];
}

int vms_meminfo_parse(const char *buf, size_t len, struct vms_meminfo *ret)
{
	struct vms_meminfo mi = { .have = 0 };
	const char *p = buf, *end = buf + len, *line;
	size_t llen;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *colon = memchr(line, ':', llen), *v, *lend = line + llen;
		uint64_t n;

		if (!colon)
			return -EBADMSG;
		for (unsigned i = 0; i < VMS_MI__MAX; i++) {
			if (!parse_eq(line, (size_t)(colon - line), meminfo_keys[i]))
				continue;
			v = colon + 1;
			parse_skip_blanks(&v, lend);
			if (parse_dec_u64(&v, lend, &n) < 0)
				return -EBADMSG;
			parse_skip_blanks(&v, lend);
			if (v != lend && !parse_eq(v, (size_t)(lend - v), "kB"))
				return -EBADMSG;
			if (n > UINT64_MAX / 1024)
				return -EBADMSG;
			*meminfo_slot(&mi, i) = n * 1024;
			mi.have |= 1u << i;
			break;
		}
	}
	*ret = mi;
	return 0;
}

int vms_meminfo_read(int root_fd, struct vms_meminfo *ret)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = procfile_read_at(root_fd, "meminfo", SMALL_FILE_CAP, 0, &sb);
	if (r >= 0)
		r = vms_meminfo_parse(sb.buf, sb.len, ret);
	strbuf_release(&sb);
	return r;
}

/* Cgroups */

int vms_cgroup_parse(const char *buf, size_t len, const char **ret_path, size_t *ret_len,
		     bool *ret_v1)
{
	const char *p = buf, *end = buf + len, *line;
	const char *v2 = NULL, *v1 = NULL;
	size_t llen, v2_len = 0, v1_len = 0;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *lend = line + llen, *c1, *c2, *ctl;
		uint64_t id;

		if (llen == 0)
			continue;
		c1 = line;
		if (parse_dec_u64(&c1, lend, &id) < 0 || !parse_char(&c1, lend, ':'))
			return -EBADMSG;
		c2 = memchr(c1, ':', (size_t)(lend - c1));
		if (!c2 || c2 + 1 >= lend || c2[1] != '/')
			return -EBADMSG;
		if (id == 0 && c2 == c1) {
			v2 = c2 + 1;
			v2_len = (size_t)(lend - v2);
			continue;
		}
		/* controllers are a comma-separated list: "cpu,cpuacct" */
		for (ctl = c1; ctl < c2;) {
			const char *comma = memchr(ctl, ',', (size_t)(c2 - ctl));
			const char *cend = comma ? comma : c2;

			if (parse_eq(ctl, (size_t)(cend - ctl), "memory")) {
				v1 = c2 + 1;
				v1_len = (size_t)(lend - v1);
			}
			ctl = cend + 1;
		}
	}
	if (v1) {
		*ret_path = v1;
		*ret_len = v1_len;
		*ret_v1 = true;
		return 0;
	}
	if (v2) {
		*ret_path = v2;
		*ret_len = v2_len;
		*ret_v1 = false;
		return 0;
	}
	return -ENOENT;
}

static int read_u64_file(int dirfd, const char *name, uint64_t *ret)
{
	struct strbuf sb;
	const char *p, *end;
	uint64_t v;
	int r;

	strbuf_init(&sb);
	r = procfile_read_at(dirfd, name, 4096, 0, &sb);
	if (r >= 0) {
		p = sb.buf;
		end = sb.buf + sb.len;
		r = parse_dec_u64(&p, end, &v);
		if (r == 0 && p != end && *p != '\n')
			r = -EBADMSG;
	}
	strbuf_release(&sb);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int vms_cgroup_memory(int cg_root_fd, const char *path, bool v1, uint64_t *ret)
{
	/* The v2 hierarchy is the root itself or, on a hybrid system, "unified". */
	static const char *const v2_mounts[] = { "", "unified" };
	struct strbuf name;
	int r = -ENOENT;

	if (cg_root_fd < 0 || path[0] != '/' || strstr(path, "/../") ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return -ENOENT;
	strbuf_init(&name);
	if (v1) {
		strbuf_addf(&name, "memory%s%smemory.usage_in_bytes", path,
			    path[1] ? "/" : "");
		r = read_u64_file(cg_root_fd, name.buf, ret);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(v2_mounts) && r < 0; i++) {
			strbuf_reset(&name);
			strbuf_addf(&name, "%s%s%smemory.current", v2_mounts[i],
				    i == 0 ? path + 1 : path, path[1] ? "/" : "");
			r = read_u64_file(cg_root_fd, name.buf, ret);
		}
	}
	strbuf_release(&name);
	return r;
}
