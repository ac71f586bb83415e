/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One process's own files into its row of a listing, for both listers
 * (list.c, list-keep.c): smaps_rollup, read here because libproc2 turns a
 * refused read into 0, and a refused PSS must show as unreadable, never as a
 * false 0; status, whose VmRSS is exact where stat's RSS is not; oom_score;
 * the cgroup; and the files a live view keeps open.
 */
#include "config.h"

#include "proc/list-internal.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "vmscope/collect.h"

static const char *const lister_file_names[KF__MAX] = {
	[KF_STAT] = "stat",
	[KF_CMDLINE] = "cmdline",
	[KF_ROLLUP] = "smaps_rollup",
	[KF_STATUS] = "status",
	[KF_OOM] = "oom_score",
};

int lister_read_pid_file(struct vms_lister *l, pid_t pid, const char *name, size_t cap,
			 unsigned flags)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return procfile_read_at(l->root_fd, path, cap, flags, &l->sb);
}

void lister_kept_close(struct vms_lister *l, struct lister_kept *k, enum lister_file f)
{
	if (k->fd[f] < 0)
		return;
	close(k->fd[f]);
	k->fd[f] = -1;
	l->open_fds--;
}

void lister_kept_release(struct vms_lister *l, struct lister_kept *k)
{
	for (int f = 0; f < KF__MAX; f++)
		lister_kept_close(l, k, (enum lister_file)f);
	free(k->user);
	free(k->comm);
	free(k->cmdline);
}

int lister_read_file(struct vms_lister *l, pid_t pid, struct lister_kept *k, enum lister_file f,
		     size_t cap, unsigned flags)
{
	char path[64];
	int fd;

	/* each is written whole by the kernel at one read (PROCFILE_WHOLE),
	 * cmdline too: a refresh of top re-reads it for every process */
	flags |= procfile_whole_if(l->live);
	if (k && k->fd[f] >= 0)
		return procfile_read_fd(k->fd[f], cap, flags, &l->sb);
	if (!k || l->open_fds >= l->max_fds)
		return lister_read_pid_file(l, pid, lister_file_names[f], cap, flags);
	(void)snprintf(path, sizeof(path), "%d/%s", (int)pid, lister_file_names[f]);
	fd = procfile_open_flags(l->root_fd, path, flags);
	if (fd < 0)
		return fd;
	k->fd[f] = fd;
	l->open_fds++;
	return procfile_read_fd(fd, cap, flags, &l->sb);
}

const struct vms_pentry_status_field vms_pentry_status_fields[VMS_PENTRY_STATUS_FIELDS] = {
	{ VMS_ST_VM_SIZE, offsetof(struct vms_pentry, vsz) },
	{ VMS_ST_VM_RSS, offsetof(struct vms_pentry, rss) },
	{ VMS_ST_VM_SWAP, offsetof(struct vms_pentry, swap) },
	{ VMS_ST_RSS_ANON, offsetof(struct vms_pentry, rss_anon) },
	{ VMS_ST_RSS_FILE, offsetof(struct vms_pentry, rss_file) },
	{ VMS_ST_RSS_SHMEM, offsetof(struct vms_pentry, rss_shmem) },
};

/*
 * VSZ, RSS, its split and swap from status, read after smaps_rollup so that
 * a row does not show RSS above VSZ when the process grew (or called execve)
 * between its stat and its smaps_rollup. The kernel sums these counters
 * exactly here; stat's RSS it only approximates (per-CPU counters not
 * folded). A status that cannot be read leaves stat's values, unmarked.
 */
static int read_status(struct vms_lister *l, struct vms_pentry *e, struct lister_kept *k)
{
	struct vms_snapshot *s = l->scratch;
	int r;

	r = lister_read_file(l, e->pid, k, KF_STATUS, SMALL_FILE_CAP, 0);
	if (lister_gone(r) || r == 0)
		return -ESRCH;
	s->totals.status_have = 0;
	if (r < 0 || vms_status_parse(s, l->sb.buf, l->sb.len) < 0)
		return 0;
	/* An address space in smaps_rollup and none in status: the process
	 * exited between the two reads (a zombie has no VmSize). Its row
	 * would pair the memory it had with the zeros it has now. */
	if (!(s->totals.status_have & (UINT32_C(1) << VMS_ST_VM_SIZE)) && e->rollup.have &&
	    e->rollup.v[VMS_MEM_RSS] > 0)
		return -ESRCH;
	/* a process without an address space (kernel thread, zombie) has none of them: 0 */
	for (size_t i = 0; i < VMS_PENTRY_STATUS_FIELDS; i++) {
		enum vms_status_field f = vms_pentry_status_fields[i].field;

		*(uint64_t *)((char *)e + vms_pentry_status_fields[i].offset) =
			s->totals.status_have & (UINT32_C(1) << f) ? s->totals.status[f] : 0;
	}
	e->have_status = true;
	return 0;
}

/*
 * smaps_rollup of a live view's process. The kernel checks access when the
 * file is opened and ties it to the address space of that moment: a kept
 * one is opened again when the file's owner changed (new credentials, or no
 * longer dumpable: the file then belongs to root, and a fresh open may be
 * refused) and when it reads as gone while the process is not (execve).
 */
static int read_kept_rollup(struct vms_lister *l, struct vms_pentry *e, struct lister_kept *k)
{
	struct stat fs;
	char path[64];
	bool was_open;
	int r;

	/* a lookup revalidates the owner; fstat on the kept fd would not */
	(void)snprintf(path, sizeof(path), "%d/%s", (int)e->pid, lister_file_names[KF_ROLLUP]);
	if (fstatat(l->root_fd, path, &fs, 0) < 0) {
		r = -errno;
		lister_kept_close(l, k, KF_ROLLUP);
		return r;
	}
	if (k->fd[KF_ROLLUP] >= 0 && k->rollup_uid != fs.st_uid)
		lister_kept_close(l, k, KF_ROLLUP);
	was_open = k->fd[KF_ROLLUP] >= 0;
	r = lister_read_file(l, e->pid, k, KF_ROLLUP, SMALL_FILE_CAP, 0);
	if (was_open && (lister_gone(r) || r == 0)) {
		lister_kept_close(l, k, KF_ROLLUP);
		r = lister_read_file(l, e->pid, k, KF_ROLLUP, SMALL_FILE_CAP, 0);
	}
	k->rollup_uid = fs.st_uid;
	return r;
}

/*
 * smaps_rollup into e. Returns 0, or -ESRCH when the process exited: the
 * file of a process whose address space is gone (it became a zombie since
 * libproc2 read its stat) is refused with ESRCH or comes back empty.
 */
static int read_rollup(struct vms_lister *l, struct vms_pentry *e, struct lister_kept *k)
{
	struct vms_snapshot *s = l->scratch;
	int r;

	/* No address space: the kernel refuses the file (ESRCH), the answer is 0. */
	if (e->kernel_thread || e->state == 'Z') {
		if (k)
			lister_kept_close(l, k, KF_ROLLUP); /* it holds the exited address space */
		e->rollup_error = 0;
		return 0;
	}
	if (k)
		r = read_kept_rollup(l, e, k);
	else
		r = lister_read_file(l, e->pid, NULL, KF_ROLLUP, SMALL_FILE_CAP, 0);
	if (lister_gone(r) || r == 0)
		return -ESRCH;
	memset(&s->totals.rollup, 0, sizeof(s->totals.rollup));
	if (r > 0)
		r = vms_rollup_parse(s, l->sb.buf, l->sb.len);
	e->rollup_error = r < 0 ? r : 0;
	if (r >= 0)
		e->rollup = s->totals.rollup;
	return 0;
}

static void read_cgroup(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e)
{
	const char *path;
	size_t len;

	if (lister_read_pid_file(l, e->pid, "cgroup", SMALL_FILE_CAP, 0) < 0)
		return;
	if (vms_cgroup_parse(l->sb.buf, l->sb.len, &path, &len, &e->cgroup_v1) < 0)
		return;
	e->cgroup = arena_strndup(&pl->arena, path, len);
}

/* The OOM killer's score; left unknown when refused or malformed. */
static void read_oom_score(struct vms_lister *l, struct vms_pentry *e, struct lister_kept *k)
{
	const char *p, *end;
	uint64_t v;

	if (lister_read_file(l, e->pid, k, KF_OOM, SMALL_FILE_CAP, 0) <= 0)
		return;
	p = l->sb.buf;
	end = l->sb.buf + l->sb.len;
	if (parse_dec_u64(&p, end, &v) < 0 || v > 2000 || (p != end && *p != '\n'))
		return;
	e->oom_score = (int32_t)v;
	e->have_oom_score = true;
}

bool lister_finish_entry(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e,
			 struct lister_kept *k)
{
	if (read_rollup(l, e, k) < 0 || read_status(l, e, k) < 0) {
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

void lister_set_names(struct arena *a, struct vms_pentry *e, const char *user, const char *cmd,
		      const char *cmdline)
{
	e->user = NULL;
	e->cmdline = NULL;
	if (user && *user && strspn(user, "0123456789") != strlen(user))
		e->user = arena_strdup(a, user);
	e->comm = arena_strdup(a, cmd ? cmd : "");
	if (cmdline)
		e->cmdline = arena_strdup(a, cmdline);
}

const char *lister_cmdline(struct vms_lister *l, int r)
{
	/* cut at the cap: the read holds one byte more */
	size_t len = l->sb.len < CMDLINE_CAP ? l->sb.len : CMDLINE_CAP;

	if (r < 0 && r != -EFBIG)
		return NULL;
	while (len > 0 && l->sb.buf[len - 1] == '\0')
		len--;
	if (len == 0)
		return NULL;
	strbuf_setlen(&l->sb, len);
	for (size_t i = 0; i < len; i++)
		if (l->sb.buf[i] == '\0')
			l->sb.buf[i] = ' ';
	return l->sb.buf;
}
