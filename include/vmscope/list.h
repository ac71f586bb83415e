/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole machine (src/proc/list.c; a live view's lister in list-keep.c,
 * each process's own files in list-read.c, meminfo and cgroups in
 * machine.c): every process with its totals, for `vmscope list` and
 * `vmscope top`. Enumeration, stat and names come from libproc2 on the
 * live /proc (or from a plain directory scan of a captured proc root); PSS,
 * USS and SwapPss come from each process's smaps_rollup, read here, so that
 * a process vmscope may not read is marked unreadable instead of showing a
 * false 0; VSZ, RSS, its split and swap from its status, which anyone may
 * read.
 */
#ifndef VMSCOPE_LIST_H
#define VMSCOPE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arena.h"
#include "vmscope/snapshot.h"

/* One process of a listing. */
struct vms_pentry {
	pid_t pid, ppid;
	uid_t uid;            /* effective uid */
	char state;
	bool kernel_thread;
	uint64_t start_time;  /* clock ticks since boot: tells a reused pid apart */
	const char *user;     /* NULL when the uid has no name; arena */
	const char *comm;     /* arena */
	const char *cmdline;  /* arguments joined by spaces, NULL when empty; arena */
	const char *cgroup;   /* with VMS_LIST_CGROUP: the memory cgroup's path; arena */
	bool cgroup_v1;       /* that path is in the v1 memory hierarchy */
	/*
	 * Bytes, from status (world-readable, exact): VmSize, VmRSS, VmSwap,
	 * RssAnon, RssFile, RssShmem, read for every process after its
	 * smaps_rollup. have_status false (status unreadable): vsz and rss are
	 * stat's, whose RSS the kernel only approximates, and the rest unknown.
	 */
	uint64_t vsz, rss, swap;
	uint64_t rss_anon, rss_file, rss_shmem;
	bool have_status;
	uint64_t minflt, majflt;
	struct vms_counters rollup; /* smaps_rollup; have == 0 when not read */
	int rollup_error;     /* 0 read (or no address space), else -errno (-EACCES) */
	int32_t oom_score;    /* /proc/<pid>/oom_score, when have_oom_score */
	bool have_oom_score;
};

/* The values of a row that come from status: which field, where in the row. */
struct vms_pentry_status_field {
	enum vms_status_field field;
	size_t offset; /* of a uint64_t in struct vms_pentry */
};
#define VMS_PENTRY_STATUS_FIELDS 6
extern const struct vms_pentry_status_field vms_pentry_status_fields[VMS_PENTRY_STATUS_FIELDS];

static inline bool vms_pentry_readable(const struct vms_pentry *e)
{
	return e->rollup_error == 0;
}

struct vms_plist {
	struct arena arena;   /* the entries' strings */
	struct vms_pentry *items;
	size_t n, alloc;
	int64_t mono_ns;      /* CLOCK_MONOTONIC when the listing began */
	uint32_t vanished;    /* processes that exited while being read: left out */
};

void vms_plist_init(struct vms_plist *pl);
void vms_plist_release(struct vms_plist *pl);
/* No entries; memory kept for the next refresh. */
void vms_plist_clear(struct vms_plist *pl);

enum {
	VMS_LIST_KERNEL = 1 << 0, /* include kernel threads */
	VMS_LIST_CGROUP = 1 << 1, /* read each process's cgroup */
};

/* A lister keeps its libproc2 handle and read buffers across refreshes. */
struct vms_lister;

/*
 * root_fd: the proc root (borrowed). live: it is this machine's /proc, so
 * libproc2 may enumerate it. Returns 0 or -errno.
 */
int vms_lister_new(int root_fd, bool live, unsigned flags, struct vms_lister **ret);
void vms_lister_free(struct vms_lister *l);

/*
 * For a live view, which lists the same processes again and again: keep up
 * to max_fds of their /proc files open between listings (five a process,
 * closed when it goes) and ask libproc2 for a process's names only when what
 * they follow from changed. The rows are those of a full listing. No effect
 * on a captured proc root. Returns 0 or -errno.
 */
int vms_lister_keep(struct vms_lister *l, size_t max_fds);

/*
 * What a live view may give vms_lister_keep: the soft RLIMIT_NOFILE, raised
 * to the hard one, less 256 for everything else (curses, ELF files, sockets),
 * at most 4,096 (kept files cost the kernel about 18 KiB a process: a page of
 * seq_file buffer for stat, status, oom_score and smaps_rollup). 0 when there is no
 * room. Raises the soft limit of this process.
 */
size_t vms_lister_fd_budget(void);

/*
 * Which processes a one-shot listing reads: a process for which want
 * returns false is left out before its own files are read (its
 * smaps_rollup is a walk of its page tables), as if it were not there.
 * want sees pid, ppid, uid, user, comm, cmdline, state and what stat says;
 * nothing from status, smaps_rollup, oom_score or cgroup. NULL (the
 * default): every process. A lister that keeps its files
 * (vms_lister_keep) reads every process: a live view changes its filters.
 */
typedef bool vms_lister_want_fn(const struct vms_pentry *e, void *ctx);
void vms_lister_filter(struct vms_lister *l, vms_lister_want_fn *want, void *ctx);

/*
 * Lists every process into pl (cleared first), by ascending pid. A process
 * that exits while it is read is left out and counted in pl->vanished;
 * one whose smaps_rollup is refused keeps rollup_error. Returns 0 or -errno
 * when the proc root itself cannot be listed.
 */
int vms_lister_collect(struct vms_lister *l, struct vms_plist *pl);

/* The machine's memory, from /proc/meminfo (bytes). */
struct vms_meminfo {
	uint64_t total, free, available, swap_total, swap_free;
	uint64_t committed_as, commit_limit;
	uint32_t have; /* 1u << index of the field above, in that order */
};

enum {
	VMS_MI_TOTAL = 0,
	VMS_MI_FREE,
	VMS_MI_AVAILABLE,
	VMS_MI_SWAP_TOTAL,
	VMS_MI_SWAP_FREE,
	VMS_MI_COMMITTED_AS,
	VMS_MI_COMMIT_LIMIT,
	VMS_MI__MAX
};

int vms_meminfo_parse(const char *buf, size_t len, struct vms_meminfo *ret);
int vms_meminfo_read(int root_fd, struct vms_meminfo *ret);

/*
 * /proc/<pid>/cgroup → the path of the cgroup that accounts the memory: the
 * v1 "memory" controller's when there is one (a hybrid hierarchy), else the
 * v2 "0::" one. *ret_v1 says which. Returns 0, -ENOENT when neither is
 * there, -EBADMSG when malformed. The path points into buf.
 */
int vms_cgroup_parse(const char *buf, size_t len, const char **ret_path, size_t *ret_len,
		     bool *ret_v1);

/*
 * Memory charged to a cgroup (v2 memory.current, v1 memory.usage_in_bytes)
 * under the cgroup file system root cg_root_fd (/sys/fs/cgroup). Returns 0,
 * or -errno (-ENOENT: no memory controller there).
 */
int vms_cgroup_memory(int cg_root_fd, const char *path, bool v1, uint64_t *ret);

#endif
