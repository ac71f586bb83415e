/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux backend (src/proc): reads one process's /proc files into a
 * snapshot. Nothing above this layer knows a procfs file name.
 *
 * Every reader works relative to a directory fd: the proc root (default
 * /proc, or a captured fixture directory by --proc-root) and, for one
 * process, the fd of <root>/<pid>, kept for the whole inspection so that a
 * reused pid cannot redirect later reads.
 */
#ifndef VMSCOPE_COLLECT_H
#define VMSCOPE_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vmscope/snapshot.h"

struct arena;

/* An open /proc/<pid> with its reusable read buffers. */
struct vms_proc;

/*
 * Opens <root_fd>/<pid>. live: the root is the real /proc of this machine,
 * so a pidfd can tell whether the process exited during a read. Returns 0,
 * -ESRCH (no such process) or another -errno.
 */
int vms_proc_open(int root_fd, pid_t pid, bool live, struct vms_proc **ret);
void vms_proc_free(struct vms_proc *p);
pid_t vms_proc_pid(const struct vms_proc *p);
/* The directory fd of <root>/<pid>; borrowed. */
int vms_proc_dirfd(const struct vms_proc *p);

enum {
	VMS_COLLECT_REGIONS = 1 << 0, /* smaps: every region with its counters */
	VMS_COLLECT_THREADS = 1 << 1, /* task/<tid>: comm, faults, stack pointer */
	/* not cmdline, which the kernel reads from the process's memory (and so
	 * marks a page of it referenced); VMS_SRC_CMDLINE is left untried */
	VMS_COLLECT_NO_CMDLINE = 1 << 2,
	/* limits and pressure (src/proc/insights.c): RLIMIT_STACK and
	 * RLIMIT_MEMLOCK from limits, oom_score and oom_score_adj, the memory
	 * cgroup (only when live: a captured process's cgroup is not this
	 * machine's) and the machine's commitment from <root>/meminfo; what
	 * cannot be read is recorded with its errno in the snapshot's groups */
	VMS_COLLECT_INSIGHTS = 1 << 3,
	/* someone waits for this one read: the parse polls for smaps while it
	 * is read rather than sleeping (procfile_open_at_readahead) */
	VMS_COLLECT_POLL = 1 << 4,
};

/*
 * Asks vms_collect(p) to call fn after each block of smaps it parses, with
 * the regions [from, to) of snap that were read whole since the last call:
 * work that needs only the regions' own lines (the files they map, the
 * objects they group into) is done while the rest of smaps is still being
 * read, and the regions are still in the cache, not after it. fn may fill
 * in those regions' object and snap's objects; nothing else of snap.
 */
typedef void vms_regions_hook(void *ctx, struct vms_snapshot *snap, size_t from, size_t to);
void vms_proc_on_regions(struct vms_proc *p, vms_regions_hook *fn, void *ctx);

/*
 * Asks vms_collect(p) to call fn once, on its thread, with errno kept: after
 * the reads it does beside smaps, in a wait for smaps's reader when there is
 * one, else before it returns. For work that needs nothing of the process
 * and would otherwise hold up the start of the read (vms_inspect's caller's,
 * vms_inspect_on_wait).
 */
typedef void vms_wait_hook(void *ctx);
void vms_proc_on_wait(struct vms_proc *p, vms_wait_hook *fn, void *ctx);

/*
 * Reads stat, status, cmdline, exe, smaps_rollup and, by flags, smaps, the
 * threads and the insights into snap (which must be fresh from vms_snapshot_new). A source
 * that cannot be read is recorded in snap->src with its error and the rest
 * goes on: the return is 0 then. Returns -ESRCH when the process is gone
 * (before or during the reads: nothing in snap is to be shown), -ENOMEM never
 * (dies). Regions come sorted by start; an entry that starts below the
 * previous end is dropped and counted in snap->dropped_regions. The files
 * that do not depend on smaps are read while a thread reads smaps, before
 * its parse.
 */
int vms_collect(struct vms_proc *p, unsigned flags, struct vms_snapshot *snap);

/*
 * Whether the process is still the one opened: 1 alive, 0 exited (or a
 * zombie now), -errno unknown. Called after reading, so a snapshot read
 * from a process that died half-way is never shown as whole.
 */
int vms_proc_alive(struct vms_proc *p);

/* /proc/<pid>/limits → the soft stack and locked-memory limits. 0 or -EBADMSG. */
int vms_limits_parse(const char *buf, size_t len, struct vms_limits *ret);

/*
 * The memory cgroup at path (from /proc/<pid>/cgroup; v1 when the memory
 * controller is in a v1 hierarchy) under the cgroup file system root
 * cg_root_fd (/sys/fs/cgroup). Fills ret (path not set); -ENOENT when
 * there is no memory controller for it, or another -errno.
 */
int vms_cgroup_read(int cg_root_fd, const char *path, bool v1, struct vms_cgroup *ret);

/*
 * The SysV segments the regions of snap map, from <root>/sysvipc/shm, into
 * snap->sysv (VMS_SRC_SYSV; not tried when it maps none). live: the table is
 * only read when the process is in the reader's IPC namespace (-EXDEV when
 * it is not).
 */
void vms_collect_sysv(int root_fd, int pid_dirfd, bool live, struct vms_snapshot *snap);
/*
 * After classification, from <pid>/mem (src/proc/arena.c; VMS_SRC_MEM, tried
 * only when a region is a malloc arena or may be mmapped chunks): which
 * threads allocate from each malloc arena, into each thread's arena; and
 * the anonymous regions that are malloc's mmapped chunks end to end
 * (vms_malloc_mmap_chunks), made VMS_KIND_MALLOC_MMAP.
 */
void vms_collect_arenas(int pid_dirfd, struct vms_snapshot *snap);

/* Reads n bytes of a process's memory at addr: 0, or -errno (a short read too). */
struct vms_mem_reader {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *ctx;
};

/*
 * How many chunks glibc's malloc mapped for large requests (64-bit) fill
 * [start, end) end to end, read through m: each begins with its header,
 * prev_size 0 and its size (a multiple of page_size, within the region)
 * with IS_MMAPPED (2) alone of the three flag bits, the next one right
 * after it. 0 when they do not, a read fails, or more than max_chunks
 * would be read (*reads counts the reads made).
 */
size_t vms_malloc_mmap_chunks(const struct vms_mem_reader *m, uint64_t start, uint64_t end,
			      uint64_t page_size, size_t max_chunks, size_t *reads);

/*
 * A process's memory through its /proc/<pid>/mem, read only where its pages
 * are in memory (src/proc/mem.c): a read of mem would fault the others in,
 * changing the process. pagemap, open beside mem, says which are.
 */
struct vms_procmem {
	int fd, pagemap_fd;
	uint64_t page_size;
};

/* Opens mem and pagemap of the process at pid_dirfd: 0, or -errno (fds -1). */
int vms_procmem_open(int pid_dirfd, struct vms_procmem *m);
void vms_procmem_close(struct vms_procmem *m);

/*
 * A struct vms_mem_reader's read, ctx a struct vms_procmem: n bytes at addr
 * when every page of them is in memory; -ENODATA, nothing read, when one
 * is not; else 0 or -errno.
 */
int vms_procmem_read(void *ctx, uint64_t addr, void *buf, size_t n);

/*
 * The same in a private anonymous mapping (a thread's stack): a page never
 * written (neither in memory nor in swap) reads as the zeros it holds;
 * -ENODATA for one in swap.
 */
int vms_procmem_read_anon(const struct vms_procmem *m, uint64_t addr, void *buf, size_t n);

/* Where libjvm.so's exported gHotSpotVMStructs and its layout lie, in memory. */
struct vms_jvm_symbols {
	uint64_t structs;    /* gHotSpotVMStructs: the table's address */
	uint64_t stride;     /* gHotSpotVMStructEntryArrayStride */
	uint64_t type_name;  /* gHotSpotVMStructEntryTypeNameOffset */
	uint64_t field_name; /* gHotSpotVMStructEntryFieldNameOffset */
	uint64_t is_static;  /* gHotSpotVMStructEntryIsStaticOffset */
	uint64_t offset;     /* gHotSpotVMStructEntryOffsetOffset */
	uint64_t address;    /* gHotSpotVMStructEntryAddressOffset */
};

/* Their names, in the order of the fields above. */
extern const char *const vms_jvm_symbol_names[7];

/* What a HotSpot JVM reserved: [start, end), 0 and 0 when not known. */
struct vms_jvm_ranges {
	uint64_t heap_start, heap_end; /* its Java heap */
	uint64_t code_start, code_end; /* its code cache (the JIT's code) */
	/* where its class space is placed from (src/model/jvm.c), 0 when not
	 * known: the base of its compressed class pointers, and the CDS
	 * archive it mapped (0 and 0 without one); class_known when they were
	 * read (a base of 0 is then zero-based class pointers) */
	uint64_t klass_base, shared_start, shared_end;
	bool class_known;
	/* its flag CompressedClassSpaceSize (src/model/jvm.c), 0 when not known */
	uint64_t class_size;
};

/*
 * The ranges a HotSpot JVM reserved for its Java heap and its code cache,
 * read from the table libjvm.so describes its own types with
 * (src/proc/jvm.c). Returns 0 when one of them or both were found (the
 * other 0 and 0); else -ENOENT when the table has no such fields or they
 * are not made yet, -EBADMSG when what was read makes no sense, or the
 * reader's error.
 */
int vms_jvm_ranges(const struct vms_mem_reader *m, const struct vms_jvm_symbols *sym,
		   struct vms_jvm_ranges *ret);

/* /proc/sysvipc/shm: the rows of the segments snap's regions map. 0 or -EBADMSG. */
int vms_sysv_parse(struct vms_snapshot *snap, const char *buf, size_t len);

/* Host facts (kernel release, page size, THP mode). root_fd: the proc root. */
void vms_collect_host(int root_fd, struct vms_host *host);

/*
 * pgrep-like lookup: the pids whose comm matches the extended regular
 * expression pattern (or, with full, whose whole command line does),
 * excluding the caller itself, ascending. *ret_pids is the caller's to free.
 * Returns the count, -EINVAL for a bad pattern, or another -errno.
 */
int vms_find_by_name(int root_fd, const char *pattern, bool full, pid_t **ret_pids);

/*
 * Parsers, each a pure function of bytes so that tests and fuzzers feed them
 * directly. They return 0 or -EBADMSG and never read past end.
 */

/* Line-at-a-time smaps parser state. */
struct vms_smaps_parser {
	struct vms_snapshot *snap;
	ptrdiff_t cur;          /* index of the region being filled, or -1 */
	bool skipping;          /* the current entry was dropped */
	uint64_t prev_end;
	/* The counter keys come in one order per kernel: after the key of
	 * index i (VMS_MEM__MAX: the header line) the next one was next[i],
	 * learned from the entries read so far; prev is the last key read. */
	uint8_t next[VMS_MEM__MAX + 1];
	uint8_t prev;
	size_t line;            /* 1-based line number, for errors */
	/* Each counter's key and colon padded with blanks to the 16 columns
	 * the kernel pads it to (not NUL-ended); of the keys that fit (the
	 * bit of each in cols_have). */
	char key_cols[VMS_MEM__MAX][16];
	uint32_t cols_have;
	/* a VmFlags mnemonic of two letters a-z: 1 + its bit, 0 for none */
	uint8_t vmflag_bits[26 * 26];
};

void vms_smaps_parser_init(struct vms_smaps_parser *ps, struct vms_snapshot *snap);
/* After the last line: the region array's room past the regions given back. */
void vms_smaps_parser_done(struct vms_smaps_parser *ps);
/* Feeds one line (without '\n'). A maps line starts a region; "Key: value"
 * lines fill it; unknown keys are ignored. */
int vms_smaps_parse_line(struct vms_smaps_parser *ps, const char *line, size_t len);
/*
 * Feeds the whole lines at the start of buf, the same as a line at a time:
 * returns how many bytes they took (up to a '\n'), or -errno. With eof, a
 * last line without its '\n' is fed too, and everything is taken.
 */
ptrdiff_t vms_smaps_parse_lines(struct vms_smaps_parser *ps, const char *buf, size_t len,
				bool eof);
/* The same on a whole buffer (smaps or plain maps text). */
int vms_smaps_parse(struct vms_snapshot *snap, const char *buf, size_t len);

/* One maps line "start-end perms offset dev inode [name]" into r (name into
 * arena; with arena NULL the name is not kept: r->name NULL when there is one). */
int vms_maps_parse_line(const char *line, size_t len, struct arena *arena, struct vms_region *r);

/* smaps_rollup into snap->totals.rollup (and the rollup range). */
int vms_rollup_parse(struct vms_snapshot *snap, const char *buf, size_t len);
/* status into snap->totals.status and the process fields it has (uid, threads, ppid, comm). */
int vms_status_parse(struct vms_snapshot *snap, const char *buf, size_t len);

/* In vms_stat's flags: the task is a kernel thread. */
#define VMS_PF_KTHREAD 0x00200000UL
/* stat's flags: the task has begun to exit (its address space is going) */
#define VMS_PF_EXITING 0x00000004UL

struct vms_stat {
	pid_t pid, ppid;
	char state;
	char comm[64]; /* as the kernel gives it (at most 15 bytes + NUL) */
	unsigned long flags;
	uint64_t minflt, cminflt, majflt, cmajflt;
	uint64_t start_time;
	uint64_t num_threads;
	uint64_t vsize, rss_pages;
};
/* /proc/<pid>/stat or task/<tid>/stat; comm is read up to the last ')'. */
int vms_stat_parse(const char *buf, size_t len, struct vms_stat *ret);

/*
 * Sends sig to process pid if it is still the one that started at
 * start_time (stat field 22, read under root_fd): through a pidfd, so that
 * neither an exit nor a reused pid between the check and the send can
 * redirect it. Returns 0, -ESRCH (gone, or another process now), or -errno
 * of the send (-EPERM).
 */
int vms_proc_signal(int root_fd, pid_t pid, uint64_t start_time, int sig);

/*
 * task/<tid>/syscall: "nr arg1..arg6 sp pc" → sp. "running" → -EAGAIN;
 * "-1 sp pc" (blocked outside a syscall) → sp.
 */
int vms_syscall_parse_sp(const char *buf, size_t len, uint64_t *ret_sp);

#endif
