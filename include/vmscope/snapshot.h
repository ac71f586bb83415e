/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The region model: one process's address space at one instant.
 *
 * A snapshot is built by the collectors (src/proc, src/elf), completed by the
 * model (src/model: kinds, objects, totals) and then never changed. Reporters
 * and the live view only read it. Every size is in bytes. A value the
 * collectors could not read is marked missing in a `have` mask, never stored
 * as a false 0.
 *
 * The names in the tables below (vms_mem_fields, vms_status_fields, the enum
 * to_string tables) are the names of the JSON schema: change them only with
 * VMS_SCHEMA_VERSION.
 */
#ifndef VMSCOPE_SNAPSHOT_H
#define VMSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VMS_SCHEMA_VERSION 2
/* The oldest schema the loader still reads (1: no reserved, malloc_arena, sysv). */
#define VMS_SCHEMA_OLDEST 1

/* What a region is. Decided in model/classify.c, never by a parser. */
enum vms_kind {
	VMS_KIND_OTHER = 0,
	VMS_KIND_TEXT,         /* r-x mapping of an ELF PT_LOAD segment */
	VMS_KIND_RODATA,       /* r-- mapping of a PT_LOAD segment (headers, .rodata, .eh_frame) */
	VMS_KIND_RELRO,        /* r-- part of the rw segment (PT_GNU_RELRO: .got, .data.rel.ro) */
	VMS_KIND_DATA,         /* rw- mapping of a PT_LOAD segment (.data, start of .bss) */
	VMS_KIND_BSS,          /* anonymous tail after the rw segment (p_memsz > p_filesz) */
	VMS_KIND_HEAP,         /* [heap]: the brk area */
	VMS_KIND_STACK,        /* [stack]: the main thread's stack */
	VMS_KIND_THREAD_STACK, /* an anonymous mapping that holds a thread's stack pointer */
	VMS_KIND_GUARD,        /* PROT_NONE right below a stack, no larger than the stack */
	VMS_KIND_ANON,         /* private anonymous mmap */
	VMS_KIND_FILE,         /* mapping of a file that is not an ELF load segment */
	VMS_KIND_SHM,          /* SysV, memfd, /dev/shm, shared anonymous */
	VMS_KIND_VDSO,
	VMS_KIND_VVAR,
	VMS_KIND_VSYSCALL,
	VMS_KIND_RESERVED,     /* any other PROT_NONE: address space reserved, not a guard */
	VMS_KIND_ARENA,        /* the rw part of a glibc malloc heap of a thread arena */
	VMS_KIND_JAVA_HEAP,    /* anonymous, accessible, in a HotSpot JVM's heap (src/proc/jvm.c) */
	VMS_KIND_CODE_CACHE,   /* the same in a HotSpot JVM's code cache */
	VMS_KIND_CLASS_SPACE,  /* the same in a HotSpot JVM's class space (src/model/jvm.c) */
	VMS_KIND_MALLOC_MMAP,  /* chunks glibc's malloc mapped for large requests (src/proc/arena.c) */
	VMS_KIND__MAX
};

const char *vms_kind_to_string(enum vms_kind kind);
/* Returns the kind, or -EINVAL for an unknown name. */
int vms_kind_from_string(const char *s);

/* Permission bits of a mapping, as the maps line says them. */
enum {
	VMS_PERM_READ = 1 << 0,
	VMS_PERM_WRITE = 1 << 1,
	VMS_PERM_EXEC = 1 << 2,
	VMS_PERM_SHARED = 1 << 3, /* 's' instead of 'p' */
};

/* "rw-p": perms as the maps line spells them, into out (5 bytes with the NUL). */
void vms_perms_format(uint8_t perms, char out[5]);

/*
 * Memory counters of smaps and smaps_rollup, one slot per kernel key. The
 * same enum serves a region (smaps) and the process (smaps_rollup); keys the
 * kernel did not print for that source are clear in `have`.
 */
enum vms_mem {
	VMS_MEM_SIZE = 0,
	VMS_MEM_KERNEL_PAGE_SIZE,
	VMS_MEM_MMU_PAGE_SIZE,
	VMS_MEM_RSS,
	VMS_MEM_PSS,
	VMS_MEM_PSS_DIRTY,
	VMS_MEM_PSS_ANON,  /* smaps_rollup only */
	VMS_MEM_PSS_FILE,  /* smaps_rollup only */
	VMS_MEM_PSS_SHMEM, /* smaps_rollup only */
	VMS_MEM_SHARED_CLEAN,
	VMS_MEM_SHARED_DIRTY,
	VMS_MEM_PRIVATE_CLEAN,
	VMS_MEM_PRIVATE_DIRTY,
	VMS_MEM_REFERENCED,
	VMS_MEM_ANONYMOUS,
	VMS_MEM_KSM,
	VMS_MEM_LAZYFREE,
	VMS_MEM_ANON_HUGE_PAGES,
	VMS_MEM_SHMEM_PMD_MAPPED,
	VMS_MEM_FILE_PMD_MAPPED,
	VMS_MEM_SHARED_HUGETLB,
	VMS_MEM_PRIVATE_HUGETLB,
	VMS_MEM_SWAP,
	VMS_MEM_SWAP_PSS,
	VMS_MEM_LOCKED,
	VMS_MEM__MAX
};

struct vms_mem_field {
	const char *key;  /* the kernel's smaps key, without the colon */
	uint8_t key_len;  /* strlen(key): smaps has 750,000 key lines at 30,000 VMAs */
	const char *name; /* the JSON name, snake_case */
};
extern const struct vms_mem_field vms_mem_fields[VMS_MEM__MAX];

struct vms_counters {
	uint64_t v[VMS_MEM__MAX]; /* bytes */
	uint32_t have;            /* 1u << enum vms_mem for each key read */
};

static inline bool vms_counters_has(const struct vms_counters *c, enum vms_mem m)
{
	return c->have & (UINT32_C(1) << m);
}

/* USS: pages mapped by this process alone (Private_Clean + Private_Dirty). */
static inline uint64_t vms_counters_uss(const struct vms_counters *c)
{
	return c->v[VMS_MEM_PRIVATE_CLEAN] + c->v[VMS_MEM_PRIVATE_DIRTY];
}

/* Fields of /proc/<pid>/status kept in the snapshot (kB values, in bytes). */
enum vms_status_field {
	VMS_ST_VM_PEAK = 0,
	VMS_ST_VM_SIZE,
	VMS_ST_VM_LCK,
	VMS_ST_VM_PIN,
	VMS_ST_VM_HWM,
	VMS_ST_VM_RSS,
	VMS_ST_RSS_ANON,
	VMS_ST_RSS_FILE,
	VMS_ST_RSS_SHMEM,
	VMS_ST_VM_DATA,
	VMS_ST_VM_STK,
	VMS_ST_VM_EXE,
	VMS_ST_VM_LIB,
	VMS_ST_VM_PTE,
	VMS_ST_VM_SWAP,
	VMS_ST_HUGETLB_PAGES,
	VMS_ST__MAX
};

struct vms_status_field_desc {
	const char *key;  /* the kernel's status key */
	const char *name; /* the JSON name */
};
extern const struct vms_status_field_desc vms_status_fields[VMS_ST__MAX];

/* Sources the collectors read; each has a status in the snapshot. */
enum vms_source {
	VMS_SRC_STAT = 0,    /* /proc/<pid>/stat */
	VMS_SRC_STATUS,      /* /proc/<pid>/status */
	VMS_SRC_CMDLINE,     /* /proc/<pid>/cmdline */
	VMS_SRC_EXE,         /* /proc/<pid>/exe */
	VMS_SRC_SMAPS,       /* /proc/<pid>/smaps: the regions */
	VMS_SRC_SMAPS_ROLLUP,/* /proc/<pid>/smaps_rollup: the totals */
	VMS_SRC_TASKS,       /* /proc/<pid>/task/<tid>/{stat,syscall} */
	VMS_SRC_ELF,         /* program headers of mapped files */
	VMS_SRC_PAGEMAP,     /* /proc/<pid>/pagemap: page-level counters (opt-in) */
	VMS_SRC_KPAGEFLAGS,  /* /proc/kpageflags and kpagecount (root, opt-in) */
	VMS_SRC_SYSV,        /* /proc/sysvipc/shm, when the process maps a SysV segment */
	VMS_SRC_MEM,         /* /proc/<pid>/mem: malloc arenas' threads (arena.c), a JVM's ranges */
	VMS_SRC__MAX
};

const char *vms_source_to_string(enum vms_source src);

/* The status of a source: read, or why not. */
struct vms_source_status {
	bool tried; /* false: not asked for */
	int error;  /* 0 read, else a negative errno */
};

/*
 * Page-level counters of a region, from pagemap (and, as root, kpageflags
 * and kpagecount). Each is a number of bytes; those the readers could not
 * tell (pagemap without PAGEMAP_SCAN cannot see the zero page, kpageflags
 * needs root) are clear in `have`.
 */
enum vms_page_count {
	VMS_PG_PRESENT = 0, /* in RAM (the zero page included) */
	VMS_PG_SWAPPED,     /* in swap (guard markers excluded) */
	VMS_PG_FILE,        /* file-backed or shared anonymous (page cache) */
	VMS_PG_EXCLUSIVE,   /* present and mapped by this process alone */
	VMS_PG_ZERO,        /* the shared zero page: read, never written; not in Rss */
	VMS_PG_THP,         /* in a PMD-mapped huge page (PAGEMAP_SCAN's PAGE_IS_HUGE) */
	VMS_PG_GUARD,       /* MADV_GUARD_INSTALL markers */
	VMS_PG_ANON,        /* kpageflags from here on */
	VMS_PG_DIRTY,
	VMS_PG_ACTIVE,
	VMS_PG_REFERENCED,
	VMS_PG_LRU,
	VMS_PG_MLOCKED,
	VMS_PG_KSM,
	/* kpageflags' THP bit: in a folio of more than one page, however mapped
	 * (a huge page, a PTE-mapped one, an mTHP, a large page cache folio) */
	VMS_PG_LARGE_FOLIO,
	VMS_PG_MAPPED_ONCE, /* kpagecount 1: the exact USS */
	VMS_PG__MAX
};
/* JSON names of enum vms_page_count */
extern const char *const vms_page_count_names[VMS_PG__MAX];

#define VMS_PAGE_HIST 64 /* residency buckets along a region */

struct vms_region_pages {
	uint64_t v[VMS_PG__MAX]; /* bytes */
	uint32_t have;           /* 1u << enum vms_page_count */
	uint64_t pss;            /* bytes, from kpagecount; with VMS_PG_MAPPED_ONCE */
	/* hist[0, n_hist): the resident share of each of n_hist equal
	 * stretches of the region, 0 none .. 255 all, counting the pages that
	 * are in Rss: present pages but those that map the zero page (where
	 * VMS_PG_ZERO is known); never 0 when such a page is there.
	 * hist[n_hist, 2 n_hist) (vms_region_pages_zero): the same for the
	 * zero-page mappings, all 0 when VMS_PG_ZERO is not known.
	 * A region's pages take only the room its n_hist needs
	 * (vms_region_pages_size: a one-page region's are half the struct), so
	 * they are never copied whole. */
	uint8_t n_hist;          /* min(VMS_PAGE_HIST, pages in the region) */
	uint8_t hist[2 * VMS_PAGE_HIST];
};

/* The bytes that pages of n_hist stretches need. */
static inline size_t vms_region_pages_size(unsigned n_hist)
{
	return offsetof(struct vms_region_pages, hist) + 2 * (size_t)n_hist;
}

static inline const uint8_t *vms_region_pages_zero(const struct vms_region_pages *p)
{
	return p->hist + p->n_hist;
}

static inline bool vms_region_pages_has(const struct vms_region_pages *p, enum vms_page_count c)
{
	return p->have & (UINT32_C(1) << c);
}

/* One VMA, as /proc/<pid>/smaps describes it. */
struct vms_region {
	uint64_t start, end; /* [start, end) */
	uint64_t offset;     /* file offset of start */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint8_t perms;  /* VMS_PERM_* */
	bool deleted;   /* the path ended in " (deleted)", stripped from name */
	int8_t thp_eligible;   /* THPeligible: 0/1, -1 not read */
	int16_t protection_key;/* ProtectionKey, -1 not read */
	enum vms_kind kind;
	int32_t object; /* index in snapshot->objects, -1 for none */
	int32_t tid;    /* the thread whose stack this is, else 0 */
	uint64_t vmflags; /* VmFlags bits, 1 << index in vms_vmflag_names */
	const char *name; /* path or [pseudo]; kernel-escaped bytes; "" for anonymous; arena */
	struct vms_counters mem;
	/* the sections of objects[object] it holds: sections[first_section ...
	 * + n_sections); n_sections 0 when unknown or none (model/sections.c) */
	uint32_t first_section, n_sections;
	/* page-level counters; NULL when not read; arena. Read-only: regions
	 * with nothing in memory share one per n_hist (proc/pagemap-collect.c). */
	struct vms_region_pages *pages;
};

/* Two-letter VmFlags codes, in bit order; NULL-terminated. */
extern const char *const vms_vmflag_names[];
/* The vmflags bit of a two-letter code ("pf"), 0 for an unknown one. */
uint64_t vms_vmflag_bit(const char *name);

static inline uint64_t vms_region_size(const struct vms_region *r)
{
	return r->end - r->start;
}

/* Anonymous, private, read-write, of no name or VMS_MALLOC_MMAP_NAME, of
 * VMS_MALLOC_MMAP_MIN or more, some of it in memory: a region that may be
 * malloc's mmapped chunks. */
bool vms_region_may_be_malloc_mmap(const struct vms_region *r);

/*
 * A walk over all the regions asks, at region i, for the one it will reach
 * VMS_REGION_AHEAD steps later: at 30,000 VMAs the regions (9 MB) are out of
 * the caches after the parse, and the hardware's own prefetch did not keep
 * up with their stride where it was measured (README, Speed, the thirteenth
 * round). Every cache line of that region is asked for, to read it, or with
 * _write to write into it.
 */
#define VMS_REGION_AHEAD 8
static inline void vms_region_prefetch_for(const struct vms_region *regions, size_t n, size_t i,
					   bool write)
{
	const char *p = (const char *)(regions + i + VMS_REGION_AHEAD);

	if (i + VMS_REGION_AHEAD >= n)
		return;
	/* the last byte too: a region may straddle one line more than its size */
	for (size_t off = 0; off < sizeof(*regions) + 63; off += 64) {
		const char *q = p + (off < sizeof(*regions) ? off : sizeof(*regions) - 1);

		if (write)
			__builtin_prefetch(q, 1);
		else
			__builtin_prefetch(q, 0);
	}
}

static inline void vms_region_prefetch(const struct vms_region *regions, size_t n, size_t i)
{
	vms_region_prefetch_for(regions, n, i, false);
}

static inline void vms_region_prefetch_write(struct vms_region *regions, size_t n, size_t i)
{
	vms_region_prefetch_for(regions, n, i, true);
}

/* A PT_LOAD program header of a mapped ELF object. */
struct vms_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
	uint64_t align;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

/*
 * An allocated section (SHF_ALLOC) of a mapped ELF object: where the loader
 * puts it, relative to the load bias. TLS templates of no size in the image
 * (.tbss) are left out, so the sections of an object never overlap.
 */
struct vms_section {
	const char *name; /* from .shstrtab, raw bytes; arena */
	uint64_t addr, size;
	uint64_t offset;  /* in the file; meaningless for SHT_NOBITS */
	uint64_t flags;   /* SHF_* */
	uint32_t type;    /* SHT_* */
};

/* One mapped file with its regions and their totals. */
struct vms_object {
	const char *path; /* as in maps (kernel-escaped); arena */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	bool deleted;
	/* ELF facts, when elf_error == 0 and is_elf */
	bool is_elf;
	int elf_error;      /* 0, or -errno why the program headers could not be read */
	uint16_t elf_type;  /* ET_EXEC, ET_DYN, ... */
	uint8_t elf_class;  /* ELFCLASS32 / ELFCLASS64 */
	bool is_main;       /* the program itself (/proc/<pid>/exe) */
	struct vms_segment *segments; /* PT_LOAD headers; arena */
	uint32_t n_segments;
	uint64_t relro_vaddr, relro_memsz; /* PT_GNU_RELRO, memsz 0 if none */
	/* PT_TLS, memsz 0 if none: only to bound the static TLS where a
	 * thread's malloc arena is looked for (src/proc/arena.c); not in JSON */
	uint64_t tls_memsz, tls_align;
	/* sections by address, without overlaps; arena. None when the file has
	 * no section headers (stripped to segments) or they were unreadable. */
	struct vms_section *sections;
	uint32_t n_sections;
	int sections_error;    /* 0, -ENODATA no section headers, -EBADMSG corrupt, -EFBIG */
	const char *build_id;  /* NT_GNU_BUILD_ID as lowercase hex; arena; NULL if none */
	int64_t mtime_ns;      /* the file's mtime when read (ns since the epoch), 0 unknown */
	/* model facts: the load bias the regions agree on (model/classify.c), and
	 * whether the file was modified after the process started, so that its
	 * sections may no longer be what is mapped (model/sections.c) */
	uint64_t load_bias;
	bool have_bias;
	bool changed;
	/* aggregates of the regions that map it */
	uint32_t n_regions;
	uint64_t vsize;         /* their sizes summed */
	/* the file bytes they map, each file page once (an object mapped three
	 * times over the same range counts it once), with the anonymous regions
	 * tied to it (.bss) added whole; and the most regions that map one file
	 * page, > 1 when the object is mapped several times over (ELF segments
	 * that share the page at their boundary do not count: 1) */
	uint64_t distinct_size;
	uint32_t max_maps;
	struct vms_counters mem; /* summed: a page mapped n times is in Rss n times */
};

/*
 * A SysV shared memory segment the process maps, from /proc/sysvipc/shm. Its
 * regions are those named /SYSVkkkkkkkk whose inode is the id.
 */
struct vms_sysv {
	int32_t id;       /* shmid */
	uint32_t key;     /* as the kernel says it now: IPC_PRIVATE (0) once removed */
	uint64_t size;    /* bytes */
	uint64_t nattch;  /* attaches, of every process */
	uint32_t mode;    /* shm_perm.mode: permission bits and SHM_DEST, SHM_LOCKED */
	pid_t cpid, lpid; /* creator, last shmat/shmdt */
	uid_t uid;        /* owner */
};

/* SHM_DEST of struct vms_sysv.mode: marked for removal, gone at the last detach. */
#define VMS_SYSV_DEST 01000

/* One thread of the process. */
struct vms_thread {
	pid_t tid;
	const char *comm; /* arena */
	uint64_t sp;      /* stack pointer from task/<tid>/syscall, 0 if unknown */
	int sp_error;     /* 0, or -errno why sp is unknown (-EAGAIN: the thread was running) */
	int32_t region;   /* index of the region holding sp, -1 if none */
	uint64_t minflt, majflt;
	/* the malloc arena (glibc's struct malloc_state) it allocates from, read
	 * from its thread-local thread_arena; 0 when not known, or the main
	 * arena (src/proc/arena.c) */
	uint64_t arena;
};

/* On 64-bit glibc a thread arena's malloc_state follows the heap_info at the
 * start of its first heap: struct heap_info is 48 bytes. */
#define VMS_GLIBC_HEAP_INFO_SIZE 48
/* glibc's malloc maps a chunk of its own for a request of its mmap
 * threshold or more: 128 KiB (DEFAULT_MMAP_THRESHOLD_MIN) to begin with,
 * raised as such chunks are freed. Smaller regions are not read for them. */
#define VMS_MALLOC_MMAP_MIN (UINT64_C(128) << 10)
/* The name glibc 2.39 and later give such mappings (glibc.mem.decorate_maps). */
#define VMS_MALLOC_MMAP_NAME "[anon: glibc: malloc]"

struct vms_process {
	pid_t pid, ppid;
	uid_t uid;               /* real uid */
	const char *user;        /* name of uid, or NULL when unknown; arena */
	const char *comm;        /* arena */
	const char *cmdline;     /* arguments joined by spaces; arena; NULL if unread/empty */
	const char *exe;         /* readlink of exe; arena; NULL if unread */
	char state;              /* stat field 3 */
	bool kernel_thread;      /* PF_KTHREAD */
	uint32_t threads;
	uint64_t start_time;     /* stat field 22, clock ticks since boot */
};

struct vms_totals {
	uint64_t status[VMS_ST__MAX]; /* bytes */
	uint32_t status_have;         /* 1u << enum vms_status_field */
	struct vms_counters rollup;   /* smaps_rollup, when VMS_SRC_SMAPS_ROLLUP read */
	uint64_t rollup_start, rollup_end; /* the range of the rollup line */
	uint64_t minflt, cminflt, majflt, cmajflt; /* from stat */
	bool have_faults;
};

struct vms_host {
	char kernel[65];     /* uname release */
	char machine[65];    /* uname machine */
	char hostname[65];
	uint32_t page_size;
	char thp_enabled[16];/* [always]/[madvise]/[never] selected word, "" unknown */
};

/* A limit that is not one: RLIM_INFINITY, a cgroup's "max". */
#define VMS_UNLIMITED UINT64_MAX

/*
 * Facts about the process's limits and the pressure on it (src/proc/insights.c).
 * Each group says whether it was tried and, if it could not be read, why
 * (a negative errno); a value is only meant where its have bit is set.
 */
struct vms_limits {
	bool tried;
	int error;        /* /proc/<pid>/limits: 0, or -errno */
	uint64_t stack;   /* RLIMIT_STACK soft limit, bytes, or VMS_UNLIMITED */
	uint64_t memlock; /* RLIMIT_MEMLOCK soft limit, bytes, or VMS_UNLIMITED */
	bool have_stack, have_memlock;
};

struct vms_oom {
	bool tried;
	int score_error, adj_error; /* 0, or -errno why oom_score / oom_score_adj were not read */
	int32_t score;              /* 0 .. 2000 */
	int32_t score_adj;          /* -1000 .. 1000 */
};

/* Values of the memory cgroup, in bytes; the JSON names are vms_cg_names. */
enum vms_cg_value {
	VMS_CG_CURRENT = 0, /* v2 memory.current (v1 memory.usage_in_bytes) */
	VMS_CG_MAX,         /* v2 memory.max (v1 memory.limit_in_bytes); VMS_UNLIMITED */
	VMS_CG_HIGH,        /* v2 memory.high; VMS_UNLIMITED; v1 has none */
	VMS_CG_SWAP_CURRENT,/* v2 memory.swap.current (v1 memory.stat total_swap) */
	VMS_CG__MAX
};
extern const char *const vms_cg_names[VMS_CG__MAX];

struct vms_cgroup {
	bool tried;
	/* 0 read; -ENOENT: the process has no memory cgroup that vmscope can
	 * see (no v2 memory controller and no v1 memory hierarchy); -errno */
	int error;
	uint8_t version;   /* 2, or 1 when the memory controller is in a v1 hierarchy */
	const char *path;  /* in its hierarchy, from /proc/<pid>/cgroup; arena */
	uint64_t v[VMS_CG__MAX];
	uint32_t have;     /* 1u << enum vms_cg_value */
};

static inline bool vms_cgroup_has(const struct vms_cgroup *cg, enum vms_cg_value f)
{
	return cg->have & (UINT32_C(1) << f);
}

/* The machine's memory commitment from /proc/meminfo, when it was read. */
enum vms_host_mem {
	VMS_HM_AVAILABLE = 0, /* MemAvailable */
	VMS_HM_COMMITTED_AS,  /* Committed_AS */
	VMS_HM_COMMIT_LIMIT,  /* CommitLimit */
	VMS_HM__MAX
};
extern const char *const vms_host_mem_names[VMS_HM__MAX];

struct vms_host_memory {
	bool tried;
	int error;
	uint64_t v[VMS_HM__MAX]; /* bytes */
	uint32_t have;           /* 1u << enum vms_host_mem */
};

struct arena;

/* The ways of the page sweep begun while smaps is read (pages.sweep). */
enum vms_sweep_way {
	VMS_SWEEP_NONE,         /* none begun: all after smaps */
	VMS_SWEEP_PIECES,       /* by the thread that parses smaps, in pieces */
	VMS_SWEEP_THREAD,       /* on a thread of its own from the start */
	VMS_SWEEP_PIECES_THREAD,/* in pieces, then the rest on a thread */
};

struct vms_snapshot {
	struct arena *arena; /* owns every string and small array below */
	int64_t mono_ns;     /* CLOCK_MONOTONIC when collection began */
	int64_t wall_ns;     /* CLOCK_REALTIME when collection began */
	struct vms_host host;
	struct vms_process proc;
	struct vms_totals totals;
	struct vms_region *regions; /* sorted by start, non-overlapping */
	size_t n_regions, alloc_regions;
	/* regions is a mapping of its own (vms_snapshot_reserve_regions), not
	 * from malloc: grow it with vms_snapshot_grow_regions only; its pages
	 * are faulted in ahead for the first regions_faulted regions */
	bool regions_mapped;
	size_t regions_faulted;
	struct vms_object *objects;
	size_t n_objects, alloc_objects;
	struct vms_thread *threads;
	size_t n_threads, alloc_threads;
	/* the SysV segments its regions map (VMS_SRC_SYSV), by id */
	struct vms_sysv *sysv;
	size_t n_sysv, alloc_sysv;
	struct vms_source_status src[VMS_SRC__MAX];
	uint32_t dropped_regions; /* maps entries dropped: not after the previous end */
	/* regions that map a SysV segment, counted as smaps is parsed: whether
	 * /proc/sysvipc/shm is worth reading, without a pass over the regions */
	uint32_t sysv_regions;
	/* regions of kind VMS_KIND_ARENA, counted where the model makes them
	 * (model_classify): whether a live process's arenas are worth reading */
	uint32_t arena_regions;
	/* regions that may be malloc's mmapped chunks
	 * (vms_region_may_be_malloc_mmap), counted by model_classify:
	 * whether a live process's regions are worth reading for malloc's
	 * mmapped chunks (vms_collect_arenas) */
	uint32_t chunk_candidates;
	/* read from this machine's running /proc (not a captured tree or a
	 * file): its clocks and the mapped files' times can be compared */
	bool live;
	/* How page data was read, when VMS_SRC_PAGEMAP was tried. */
	struct {
		bool scan;      /* PAGEMAP_SCAN ranges */
		bool entries;   /* pagemap entries read one by one (pread) */
		/* how the sweep begun while smaps was read went: how, not
		 * what (no JSON); enum vms_sweep_way */
		uint8_t sweep;
		/* --reset-refs: referenced bits were cleared this long before
		 * smaps was read, so Referenced is the working set; 0 none */
		uint64_t refs_interval_ms;
	} pages;
	/* limits and pressure (VMS_INSPECT_INSIGHTS); tried false when not asked */
	struct vms_limits limits;
	struct vms_oom oom;
	struct vms_cgroup cgroup;
	struct vms_host_memory host_mem;
};

/* An empty snapshot with its arena. Never NULL: out of memory dies. */
struct vms_snapshot *vms_snapshot_new(void);
void vms_snapshot_free(struct vms_snapshot *snap);
/*
 * Room for n regions in a snapshot that has none yet, reserved and not
 * touched: only the pages the regions are written to are faulted in, and
 * the array never moves while they fit. For a parser that cannot know the
 * count before the end; vms_snapshot_trim_regions gives back the rest.
 */
void vms_snapshot_reserve_regions(struct vms_snapshot *snap, size_t n);
/* Room for need regions, however the array was made (ARRAY_GROW's doubling). */
void vms_snapshot_grow_regions(struct vms_snapshot *snap, size_t need);
/* Gives back the room past n_regions (a reservation's, to the page); the regions do not move. */
void vms_snapshot_trim_regions(struct vms_snapshot *snap);

/* Whether a source was read. */
/* A kernel thread or a zombie: the task has no user address space, so its
 * maps are empty and its pagemap refuses to open (ESRCH) while it lives. */
static inline bool vms_snapshot_no_address_space(const struct vms_snapshot *snap)
{
	return snap->proc.kernel_thread || snap->proc.state == 'Z';
}

static inline bool vms_snapshot_have(const struct vms_snapshot *snap, enum vms_source src)
{
	return snap->src[src].tried && snap->src[src].error == 0;
}

/* What a region of shared memory is, by the name the kernel gives it. */
enum vms_shm_type {
	VMS_SHM_NONE = 0,  /* no shared memory of the kernel's own making */
	VMS_SHM_ANON,      /* MAP_SHARED|MAP_ANONYMOUS: "/dev/zero", shared */
	VMS_SHM_SYSV,      /* "/SYSVkkkkkkkk": key in hex, inode the shmid */
	VMS_SHM_MEMFD,     /* "/memfd:NAME" */
	VMS_SHM_NAMED,     /* "[anon_shmem:NAME]" */
};
enum vms_shm_type vms_region_shm_type(const struct vms_region *r);

/* The SysV segment a region maps (VMS_SHM_SYSV), or NULL when unknown. */
const struct vms_sysv *vms_snapshot_sysv(const struct vms_snapshot *snap,
					 const struct vms_region *r);

struct strbuf;
/*
 * What a region of shared memory is called: "shared anon", "SysV shm key
 * 0x00063ac4 id 5", "memfd NAME", or its name; nothing for VMS_SHM_NONE.
 * Deletion is not said here.
 */
void vms_region_shm_label(struct strbuf *sb, const struct vms_region *r);

/* The region holding addr, or NULL. Binary search. */
const struct vms_region *vms_snapshot_find(const struct vms_snapshot *snap, uint64_t addr);

/* The object r maps, or NULL: none, or an index a snapshot file got wrong. */
static inline const struct vms_object *vms_region_object(const struct vms_snapshot *snap,
							 const struct vms_region *r)
{
	if (r->object < 0 || (size_t)r->object >= snap->n_objects)
		return NULL;
	return &snap->objects[r->object];
}

#endif
