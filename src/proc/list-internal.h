/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the listers of src/proc share. list.c is the one-shot lister
 * (libproc2 on the live /proc, or a scan of a captured proc root) and holds
 * the lister's life and vms_lister_collect; list-keep.c is the live lister,
 * which keeps each process's /proc files open between refreshes; both read a
 * process's own files into its row through list-read.c. Calls go list.c ->
 * list-keep.c -> list-read.c -> machine.c (cgroups), never back.
 */
#ifndef VMSCOPE_LIST_INTERNAL_H
#define VMSCOPE_LIST_INTERNAL_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libproc2/pids.h>

#include "proc/proc2.h"

#include "base/strbuf.h"
#include "vmscope/collect.h"
#include "vmscope/list.h"
#include "vmscope/snapshot.h"

#define SMALL_FILE_CAP (64 * 1024)
#define CMDLINE_CAP (64 * 1024)
#define PF_KTHREAD 0x00200000UL

/*
 * The files a live view keeps open for each process and reads again from
 * offset 0 at every refresh: opening and closing them cost a path walk and
 * a file setup each, per process and refresh, more than the reads of the
 * small ones.
 */
enum lister_file { KF_STAT, KF_CMDLINE, KF_ROLLUP, KF_STATUS, KF_OOM, KF__MAX };

/* What libproc2's names of a process follow from; they are asked again when it changes. */
struct lister_names_key {
	uint64_t start_time;
	uint64_t cmdline_hash; /* of the raw bytes read */
	int cmdline_error;
	uid_t uid;
	bool zombie;
	char comm[sizeof(((struct vms_stat *)0)->comm)]; /* raw, from stat */
};

/* One process as a live view keeps it between refreshes. */
struct lister_kept {
	pid_t pid;
	int fd[KF__MAX];   /* -1: not open */
	uid_t rollup_uid;  /* owner of smaps_rollup when it was opened */
	/*
	 * libproc2's user for key, fetched only when the key changes; the raw
	 * comm and arguments (lister_cmdline) of the reads that made the key:
	 * the same strings a full listing gives.
	 */
	bool named;
	struct lister_names_key key;
	char *user, *comm, *cmdline;
};

struct vms_lister {
	int root_fd;              /* borrowed */
	bool live;
	unsigned flags;
	long page_size;
	const struct proc2 *proc2;/* live only: libproc2, loaded */
	struct pids_info *info;   /* live only */
	vms_lister_want_fn *want;  /* NULL: every process */
	void *want_ctx;
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
	struct lister_kept *kept, *kept_next; /* by ascending pid */
	size_t n_kept, alloc_kept, alloc_next;
	pid_t *pids;
	size_t n_pids, alloc_pids;
	unsigned *stale;               /* pids whose names are asked */
	size_t n_stale, alloc_stale;
	size_t *item_kept;             /* pl->items[i] is kept[item_kept[i]] */
	size_t alloc_item_kept;
};

static inline bool lister_gone(int r)
{
	return r == -ENOENT || r == -ESRCH;
}

/* list-read.c */

/* <pid>/<name> of the proc root into l->sb; what procfile_read_at returns. */
int lister_read_pid_file(struct vms_lister *l, pid_t pid, const char *name, size_t cap,
			 unsigned flags);

/*
 * One of a process's files into l->sb, as lister_read_pid_file. With k (a
 * live view), from the file kept open, or opened and kept while the budget
 * of fds allows.
 */
int lister_read_file(struct vms_lister *l, pid_t pid, struct lister_kept *k, enum lister_file f,
		     size_t cap, unsigned flags);

void lister_kept_close(struct vms_lister *l, struct lister_kept *k, enum lister_file f);
/* Closes what k keeps and frees its names (not k itself). */
void lister_kept_release(struct vms_lister *l, struct lister_kept *k);

/*
 * Reads what libproc2 does not into e and appends it; a vanished process is
 * counted. Returns whether e was appended.
 */
bool lister_finish_entry(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e,
			 struct lister_kept *k);

/*
 * The arguments in l->sb, read there by a read of cmdline that returned r,
 * made one string in place: the NULs between them become spaces, their
 * bytes stay as the process wrote them (each output escapes them its way,
 * as the report does). NULL when there are none or the read failed.
 */
const char *lister_cmdline(struct vms_lister *l, int r);

/*
 * libproc2's user, the raw comm and arguments (lister_cmdline) into e. A
 * user name made of digits is libproc2 saying it has none.
 */
void lister_set_names(struct arena *a, struct vms_pentry *e, const char *user, const char *cmd,
		      const char *cmdline);

/* list-keep.c */

/*
 * The live view's listing into pl: the same rows as a libproc2 listing, from
 * files kept open, with libproc2 asked only for names that may have changed.
 */
int lister_collect_kept(struct vms_lister *l, struct vms_plist *pl);

#endif
