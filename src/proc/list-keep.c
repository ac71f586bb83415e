/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live lister (vms_lister_keep): a live view lists the same processes
 * every second or so, so it scans /proc itself, keeps each process's files
 * open between refreshes, reads them again from offset 0, and asks
 * libproc2 only for the user names of processes whose raw names changed, so that
 * its rows are still those of a full libproc2 listing (list.c).
 */
#include "config.h"

#include "proc/list-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "vmscope/collect.h"

/* What a live view asks libproc2 when a process's names may have changed. */
static enum pids_item names_items[] = { PIDS_ID_PID, PIDS_ID_EUSER };
enum { N_PID, N_EUSER };
/* procps_pids_select takes fewer than 256 pids at a time */
#define NAMES_BATCH 128

int vms_lister_keep(struct vms_lister *l, size_t max_fds)
{
	if (!l->live)
		return 0; /* a captured proc root is scanned as before */
	if (!l->names_info) {
		int r = l->proc2->pids_new(&l->names_info, names_items, (int)ARRAY_SIZE(names_items));

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
	/*
	 * Never taken: only the live /proc is kept (vms_lister_keep), and it
	 * lists pids in ascending order, the order the kernel walks its pid
	 * table in. merge_kept needs that order, so it is not trusted blindly.
	 */
	if (!sorted) {
		size_t n = 0;

		if (l->n_pids > 1)
			ARRAY_SORT(l->pids, l->n_pids, cmp_pid);
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
	struct lister_kept *tmp;
	size_t i = 0, n = 0, alloc;

	ARRAY_GROW(l->kept_next, l->n_pids ? l->n_pids : 1, l->alloc_next);
	for (size_t j = 0; j < l->n_pids; j++) {
		pid_t pid = l->pids[j];

		while (i < l->n_kept && l->kept[i].pid < pid)
			lister_kept_release(l, &l->kept[i++]);
		if (i < l->n_kept && l->kept[i].pid == pid) {
			l->kept_next[n++] = l->kept[i++];
			continue;
		}
		l->kept_next[n] = (struct lister_kept){ .pid = pid };
		for (int f = 0; f < KF__MAX; f++)
			l->kept_next[n].fd[f] = -1;
		n++;
	}
	while (i < l->n_kept)
		lister_kept_release(l, &l->kept[i++]);
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

static bool names_key_eq(const struct lister_names_key *a, const struct lister_names_key *b)
{
	return a->start_time == b->start_time && a->cmdline_hash == b->cmdline_hash &&
	       a->cmdline_error == b->cmdline_error && a->uid == b->uid &&
	       a->zombie == b->zombie && strcmp(a->comm, b->comm) == 0;
}

static void set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

/*
 * stat of a kept process. A kept file of a process that is gone reads as
 * gone even when its pid is in use again: then everything kept is closed
 * and the new process's files are opened.
 */
static int kept_stat(struct vms_lister *l, struct lister_kept *k, struct vms_stat *ret)
{
	bool was_open = k->fd[KF_STAT] >= 0;
	int r;

	r = lister_read_file(l, k->pid, k, KF_STAT, SMALL_FILE_CAP, 0);
	if (was_open && (lister_gone(r) || r == 0)) {
		for (int f = 0; f < KF__MAX; f++)
			lister_kept_close(l, k, (enum lister_file)f);
		k->named = false;
		r = lister_read_file(l, k->pid, k, KF_STAT, SMALL_FILE_CAP, 0);
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
static bool kept_entry(struct vms_lister *l, struct lister_kept *k, struct vms_pentry *e)
{
	struct lister_names_key key;
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
	r = lister_read_file(l, k->pid, k, KF_CMDLINE, CMDLINE_CAP, PROCFILE_ALLOW_NUL);
	key.cmdline_error = r < 0 && r != -EFBIG ? r : 0;
	key.cmdline_hash = key.cmdline_error ? 0 : hash_bytes(l->sb.buf, l->sb.len);
	if (!k->named || !names_key_eq(&k->key, &key)) {
		k->named = false;
		k->key = key;
		set_str(&k->comm, key.comm); /* raw, as raw_comm in list.c */
		set_str(&k->cmdline, lister_cmdline(l, r));
		ARRAY_GROW(l->stale, l->n_stale + 1, l->alloc_stale);
		l->stale[l->n_stale++] = (unsigned)k->pid;
	}
	return true;
}

static int cmp_kept_pid(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key;
	const struct lister_kept *k = elem;

	return (pid > k->pid) - (pid < k->pid);
}

/* libproc2's user names of the processes in l->stale. */
static void ask_names(struct vms_lister *l)
{
	struct pids_info *info = l->names_info;

	for (size_t off = 0; off < l->n_stale; off += NAMES_BATCH) {
		size_t n = l->n_stale - off < NAMES_BATCH ? l->n_stale - off : NAMES_BATCH;
		struct pids_fetch *f =
			l->proc2->pids_select(info, l->stale + off, (int)n, PIDS_SELECT_PID);

		if (!f)
			continue; /* those rows are left out as gone */
		for (int i = 0; i < f->counts->total; i++) {
			struct pids_stack *st = f->stacks[i];
			pid_t pid = PIDS_VAL(N_PID, s_int, st, info);
			struct lister_kept *k = bsearch(&pid, l->kept, l->n_kept, sizeof(*l->kept), cmp_kept_pid);

			if (!k || k->named)
				continue;
			set_str(&k->user, PIDS_VAL(N_EUSER, str, st, info));
			k->named = true;
		}
	}
	l->n_stale = 0;
}

int lister_collect_kept(struct vms_lister *l, struct vms_plist *pl)
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

		if (kept_entry(l, &l->kept[i], &e) && lister_finish_entry(l, pl, &e, &l->kept[i]))
			l->item_kept[pl->n - 1] = i;
	}
	ask_names(l);
	for (size_t i = 0; i < pl->n; i++) {
		const struct lister_kept *k = &l->kept[l->item_kept[i]];

		if (!k->named) {
			pl->vanished++; /* gone before its names were read */
			continue;
		}
		lister_set_names(&pl->arena, &pl->items[i], k->user, k->comm, k->cmdline);
		pl->items[n++] = pl->items[i];
	}
	pl->n = n;
	return 0;
}
