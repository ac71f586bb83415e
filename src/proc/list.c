/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every process of the machine with its totals. libproc2 enumerates the
 * live /proc and reads stat and status; a captured proc root (--proc-root)
 * is scanned directly with the same parsers the one-process collector uses.
 * Each process's own files (smaps_rollup, oom_score, cgroup) are read by
 * list-read.c. A live view's lister, which keeps the files open between
 * refreshes, is in list-keep.c; vms_lister_collect here calls it.
 */
#include "config.h"

#include "vmscope/list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/share.h"
#include "base/strbuf.h"
#include "base/user.h"
#include "base/xalloc.h"
#include "proc/list-internal.h"
#include "vmscope/collect.h"

/* The libproc2 items, in the order of the enum below (PIDS_VAL indexes). */
static enum pids_item list_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD,
	PIDS_FLAGS,  PIDS_STATE,   PIDS_TICS_BEGAN, PIDS_VSIZE_BYTES, PIDS_RSS, PIDS_FLT_MIN,
	PIDS_FLT_MAJ,
};
enum {
	I_PID, I_PPID, I_EUID, I_EUSER, I_CMD,
	I_FLAGS, I_STATE, I_BEGAN, I_VSIZE, I_RSS, I_FLT_MIN,
	I_FLT_MAJ,
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
		int r = proc2_get(&l->proc2, NULL);

		if (r == 0)
			r = l->proc2->pids_new(&l->info, list_items, (int)ARRAY_SIZE(list_items));
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

void vms_lister_free(struct vms_lister *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_kept; i++)
		lister_kept_release(l, &l->kept[i]);
	free(l->kept);
	free(l->kept_next);
	free(l->pids);
	free(l->stale);
	free(l->item_kept);
	if (l->proc_dir)
		closedir(l->proc_dir);
	if (l->names_info)
		l->proc2->pids_unref(&l->names_info);
	if (l->info)
		l->proc2->pids_unref(&l->info);
	vms_snapshot_free(l->scratch);
	strbuf_release(&l->sb);
	free(l->last_user);
	free(l);
}

void vms_lister_filter(struct vms_lister *l, vms_lister_want_fn *want, void *ctx)
{
	l->want = want;
	l->want_ctx = ctx;
}

static bool lister_wants(const struct vms_lister *l, const struct vms_pentry *e)
{
	return !l->want || l->want(e, l->want_ctx);
}

/*
 * The processes' own files, read on two threads when there are many, which
 * share them as they go (base/share.h): the kernel's walk of each
 * smaps_rollup is most of a listing's time, and independent from one
 * process to the next. The other thread's twin lister has its own buffers;
 * its rows, and their cgroup names, go into its own list, merged after (the
 * list is then sorted by pid).
 */
struct list_share {
	struct vms_lister *l, twin;
	struct vms_plist *pl, other_pl;
	struct vms_pentry *es;
	struct share items;
};

static void finish_one(void *ctx, size_t i, bool other)
{
	struct list_share *s = ctx;

	(void)lister_finish_entry(other ? &s->twin : s->l, other ? &s->other_pl : s->pl, &s->es[i],
				  NULL);
}

/*
 * Whether n processes are read on two threads: share_worth's rule, unless
 * VMSCOPE_TEST_LIST_THREAD_MIN (2 or more) says from how many, on one
 * processor too, so that the tests reach the second thread on a machine of
 * a few processes.
 */
static bool share_two(size_t n)
{
	const char *env = getenv("VMSCOPE_TEST_LIST_THREAD_MIN");
	uint64_t v;

	if (env && *env) {
		const char *p = env, *end = env + strlen(env);

		if (parse_dec_u64(&p, end, &v) == 0 && p == end && v >= 2)
			return n >= v;
	}
	return share_worth(n);
}

static void finish_entries(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *es,
			   size_t n)
{
	struct list_share s = { .l = l, .pl = pl, .es = es };
	bool two = share_two(n);

	s.items = (struct share){ .item = finish_one, .ctx = &s };
	if (two) {
		s.twin = (struct vms_lister){ .root_fd = l->root_fd, .live = l->live,
					      .flags = l->flags, .page_size = l->page_size };
		s.twin.scratch = vms_snapshot_new();
		strbuf_init(&s.twin.sb);
		vms_plist_init(&s.other_pl);
	}
	if (share_run(&s.items, n, two)) {
		ARRAY_GROW(pl->items, pl->n + s.other_pl.n, pl->alloc);
		for (size_t k = 0; k < s.other_pl.n; k++) {
			struct vms_pentry *e = &pl->items[pl->n++];

			*e = s.other_pl.items[k];
			if (e->cgroup)
				e->cgroup = arena_strdup(&pl->arena, e->cgroup);
		}
		pl->vanished += s.other_pl.vanished;
	}
	if (two) {
		vms_snapshot_free(s.twin.scratch);
		strbuf_release(&s.twin.sb);
		vms_plist_release(&s.other_pl);
	}
}

/*
 * libproc2 puts a '?' for a comm's control or invalid byte in a UTF-8
 * locale, a '.', '@' or '?' in others; vmscope keeps the byte (each output
 * escapes it its own way, as the report does). A comm holding one of those
 * is read again, raw, from stat into st; any other is libproc2's as it is.
 */
static const char *raw_comm(struct vms_lister *l, pid_t pid, const char *comm, struct vms_stat *st)
{
	if (comm && strpbrk(comm, "?.@") &&
	    lister_read_file(l, pid, NULL, KF_STAT, SMALL_FILE_CAP, 0) > 0 &&
	    vms_stat_parse(l->sb.buf, l->sb.len, st) == 0)
		return st->comm;
	return comm;
}

static int collect_libproc2(struct vms_lister *l, struct vms_plist *pl)
{
	/* reap, not get: get does not start over once it has run to the end */
	struct pids_fetch *f = l->proc2->pids_reap(l->info, PIDS_FETCH_TASKS_ONLY);
	_cleanup_free_ struct vms_pentry *es = NULL;
	struct vms_stat raw;
	const char *comm;
	size_t n = 0;
	int r;

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
		comm = raw_comm(l, e.pid, PIDS_VAL(I_CMD, str, st, l->info), &raw);
		/* the raw arguments, not libproc2's: it makes control bytes '?' */
		r = lister_read_file(l, e.pid, NULL, KF_CMDLINE, CMDLINE_CAP, PROCFILE_ALLOW_NUL);
		lister_set_names(&pl->arena, &e, PIDS_VAL(I_EUSER, str, st, l->info), comm,
				 lister_cmdline(l, r));
		if (lister_wants(l, &e))
			es[n++] = e;
	}
	finish_entries(l, pl, es, n);
	return 0;
}

static const char *lister_user(struct vms_lister *l, struct arena *a, uid_t uid)
{
	if (!l->have_last_user || l->last_uid != uid) {
		struct strbuf name;

		strbuf_init(&name);
		free(l->last_user);
		/* a copy: name may hold a chunk of /etc/passwd's room */
		l->last_user = user_name(uid, &name) ? xstrdup(name.buf) : NULL;
		strbuf_release(&name);
		l->last_uid = uid;
		l->have_last_user = true;
	}
	return l->last_user ? arena_strdup(a, l->last_user) : NULL;
}

/* One process of a captured proc root; false when it is not there (any more). */
static bool scan_one(struct vms_lister *l, struct vms_plist *pl, pid_t pid, struct vms_pentry *e)
{
	struct vms_snapshot *s = l->scratch;
	const char *cmdline;
	struct vms_stat st;
	int r;

	r = lister_read_pid_file(l, pid, "stat", SMALL_FILE_CAP, 0);
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

	r = lister_read_pid_file(l, pid, "status", SMALL_FILE_CAP, 0);
	if (r < 0 || vms_status_parse(s, l->sb.buf, l->sb.len) < 0)
		return false;
	e->uid = s->proc.uid;
	e->user = lister_user(l, &pl->arena, e->uid);

	r = lister_read_file(l, pid, NULL, KF_CMDLINE, CMDLINE_CAP, PROCFILE_ALLOW_NUL);
	cmdline = lister_cmdline(l, r);
	e->cmdline = cmdline ? arena_strdup(&pl->arena, cmdline) : NULL;
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
		if (scan_one(l, pl, (pid_t)pid, &e) && lister_wants(l, &e))
			(void)lister_finish_entry(l, pl, &e, NULL);
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
		r = lister_collect_kept(l, pl);
	else
		r = l->info ? collect_libproc2(l, pl) : collect_scan(l, pl);
	if (r < 0)
		return r;
	/* no process at all (an empty --proc-root): items is NULL, which
	 * qsort must not be given even for 0 items */
	if (pl->n > 1)
		ARRAY_SORT(pl->items, pl->n, cmp_entry_pid);
	return 0;
}
