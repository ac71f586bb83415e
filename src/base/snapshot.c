/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vocabulary of the region model: name tables shared by the parsers, the
 * text and JSON reporters, and the snapshot loader.
 */
#include "config.h"

#include "vmscope/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/prefault.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

static const char *const kind_names[VMS_KIND__MAX] = {
	[VMS_KIND_OTHER] = "other",
	[VMS_KIND_TEXT] = "text",
	[VMS_KIND_RODATA] = "rodata",
	[VMS_KIND_RELRO] = "relro",
	[VMS_KIND_DATA] = "data",
	[VMS_KIND_BSS] = "bss",
	[VMS_KIND_HEAP] = "heap",
	[VMS_KIND_STACK] = "stack",
	[VMS_KIND_THREAD_STACK] = "thread_stack",
	[VMS_KIND_GUARD] = "guard",
	[VMS_KIND_ANON] = "anon",
	[VMS_KIND_FILE] = "file",
	[VMS_KIND_SHM] = "shm",
	[VMS_KIND_VDSO] = "vdso",
	[VMS_KIND_VVAR] = "vvar",
	[VMS_KIND_VSYSCALL] = "vsyscall",
	[VMS_KIND_RESERVED] = "reserved",
	[VMS_KIND_ARENA] = "malloc_arena",
	[VMS_KIND_JAVA_HEAP] = "java_heap",
	[VMS_KIND_CODE_CACHE] = "code_cache",
	[VMS_KIND_CLASS_SPACE] = "class_space",
	[VMS_KIND_MALLOC_MMAP] = "malloc_mmap",
};

const char *vms_kind_to_string(enum vms_kind kind)
{
	if ((unsigned)kind >= VMS_KIND__MAX)
		return "other";
	return kind_names[kind];
}

int vms_kind_from_string(const char *s)
{
	for (int k = 0; k < VMS_KIND__MAX; k++)
		if (strcmp(kind_names[k], s) == 0)
			return k;
	return -EINVAL;
}

bool vms_region_may_be_malloc_mmap(const struct vms_region *r)
{
	/* a chunk's header is written by malloc: none in memory, none read */
	return r->kind == VMS_KIND_ANON && r->perms == (VMS_PERM_READ | VMS_PERM_WRITE) &&
	       vms_region_size(r) >= VMS_MALLOC_MMAP_MIN && r->mem.v[VMS_MEM_RSS] != 0 &&
	       (!r->name || !r->name[0] || strcmp(r->name, VMS_MALLOC_MMAP_NAME) == 0);
}

#define MEM_FIELD(key, name) { key, sizeof(key) - 1, name }

const struct vms_mem_field vms_mem_fields[VMS_MEM__MAX] = {
	[VMS_MEM_SIZE] = MEM_FIELD("Size", "size"),
	[VMS_MEM_KERNEL_PAGE_SIZE] = MEM_FIELD("KernelPageSize", "kernel_page_size"),
	[VMS_MEM_MMU_PAGE_SIZE] = MEM_FIELD("MMUPageSize", "mmu_page_size"),
	[VMS_MEM_RSS] = MEM_FIELD("Rss", "rss"),
	[VMS_MEM_PSS] = MEM_FIELD("Pss", "pss"),
	[VMS_MEM_PSS_DIRTY] = MEM_FIELD("Pss_Dirty", "pss_dirty"),
	[VMS_MEM_PSS_ANON] = MEM_FIELD("Pss_Anon", "pss_anon"),
	[VMS_MEM_PSS_FILE] = MEM_FIELD("Pss_File", "pss_file"),
	[VMS_MEM_PSS_SHMEM] = MEM_FIELD("Pss_Shmem", "pss_shmem"),
	[VMS_MEM_SHARED_CLEAN] = MEM_FIELD("Shared_Clean", "shared_clean"),
	[VMS_MEM_SHARED_DIRTY] = MEM_FIELD("Shared_Dirty", "shared_dirty"),
	[VMS_MEM_PRIVATE_CLEAN] = MEM_FIELD("Private_Clean", "private_clean"),
	[VMS_MEM_PRIVATE_DIRTY] = MEM_FIELD("Private_Dirty", "private_dirty"),
	[VMS_MEM_REFERENCED] = MEM_FIELD("Referenced", "referenced"),
	[VMS_MEM_ANONYMOUS] = MEM_FIELD("Anonymous", "anonymous"),
	[VMS_MEM_KSM] = MEM_FIELD("KSM", "ksm"),
	[VMS_MEM_LAZYFREE] = MEM_FIELD("LazyFree", "lazyfree"),
	[VMS_MEM_ANON_HUGE_PAGES] = MEM_FIELD("AnonHugePages", "anon_huge_pages"),
	[VMS_MEM_SHMEM_PMD_MAPPED] = MEM_FIELD("ShmemPmdMapped", "shmem_pmd_mapped"),
	[VMS_MEM_FILE_PMD_MAPPED] = MEM_FIELD("FilePmdMapped", "file_pmd_mapped"),
	[VMS_MEM_SHARED_HUGETLB] = MEM_FIELD("Shared_Hugetlb", "shared_hugetlb"),
	[VMS_MEM_PRIVATE_HUGETLB] = MEM_FIELD("Private_Hugetlb", "private_hugetlb"),
	[VMS_MEM_SWAP] = MEM_FIELD("Swap", "swap"),
	[VMS_MEM_SWAP_PSS] = MEM_FIELD("SwapPss", "swap_pss"),
	[VMS_MEM_LOCKED] = MEM_FIELD("Locked", "locked"),
};

const struct vms_status_field_desc vms_status_fields[VMS_ST__MAX] = {
	[VMS_ST_VM_PEAK] = { "VmPeak", "vm_peak" },
	[VMS_ST_VM_SIZE] = { "VmSize", "vm_size" },
	[VMS_ST_VM_LCK] = { "VmLck", "vm_lck" },
	[VMS_ST_VM_PIN] = { "VmPin", "vm_pin" },
	[VMS_ST_VM_HWM] = { "VmHWM", "vm_hwm" },
	[VMS_ST_VM_RSS] = { "VmRSS", "vm_rss" },
	[VMS_ST_RSS_ANON] = { "RssAnon", "rss_anon" },
	[VMS_ST_RSS_FILE] = { "RssFile", "rss_file" },
	[VMS_ST_RSS_SHMEM] = { "RssShmem", "rss_shmem" },
	[VMS_ST_VM_DATA] = { "VmData", "vm_data" },
	[VMS_ST_VM_STK] = { "VmStk", "vm_stk" },
	[VMS_ST_VM_EXE] = { "VmExe", "vm_exe" },
	[VMS_ST_VM_LIB] = { "VmLib", "vm_lib" },
	[VMS_ST_VM_PTE] = { "VmPTE", "vm_pte" },
	[VMS_ST_VM_SWAP] = { "VmSwap", "vm_swap" },
	[VMS_ST_HUGETLB_PAGES] = { "HugetlbPages", "hugetlb_pages" },
};

static const char *const source_names[VMS_SRC__MAX] = {
	[VMS_SRC_STAT] = "stat",
	[VMS_SRC_STATUS] = "status",
	[VMS_SRC_CMDLINE] = "cmdline",
	[VMS_SRC_EXE] = "exe",
	[VMS_SRC_SMAPS] = "smaps",
	[VMS_SRC_SMAPS_ROLLUP] = "smaps_rollup",
	[VMS_SRC_TASKS] = "tasks",
	[VMS_SRC_ELF] = "elf",
	[VMS_SRC_PAGEMAP] = "pagemap",
	[VMS_SRC_KPAGEFLAGS] = "kpageflags",
	[VMS_SRC_SYSV] = "sysv_shm",
	[VMS_SRC_MEM] = "mem",
};

const char *const vms_page_count_names[VMS_PG__MAX] = {
	[VMS_PG_PRESENT] = "present",
	[VMS_PG_SWAPPED] = "swapped",
	[VMS_PG_FILE] = "file",
	[VMS_PG_EXCLUSIVE] = "exclusive",
	[VMS_PG_ZERO] = "zero_page",
	[VMS_PG_THP] = "thp",
	[VMS_PG_GUARD] = "guard",
	[VMS_PG_ANON] = "anon",
	[VMS_PG_DIRTY] = "dirty",
	[VMS_PG_ACTIVE] = "active",
	[VMS_PG_REFERENCED] = "referenced",
	[VMS_PG_LRU] = "lru",
	[VMS_PG_MLOCKED] = "mlocked",
	[VMS_PG_KSM] = "ksm",
	[VMS_PG_LARGE_FOLIO] = "large_folio",
	[VMS_PG_MAPPED_ONCE] = "mapped_once",
};

const char *const vms_cg_names[VMS_CG__MAX] = {
	[VMS_CG_CURRENT] = "current",
	[VMS_CG_MAX] = "max",
	[VMS_CG_HIGH] = "high",
	[VMS_CG_SWAP_CURRENT] = "swap_current",
};

const char *const vms_host_mem_names[VMS_HM__MAX] = {
	[VMS_HM_AVAILABLE] = "mem_available",
	[VMS_HM_COMMITTED_AS] = "committed_as",
	[VMS_HM_COMMIT_LIMIT] = "commit_limit",
};

const char *vms_source_to_string(enum vms_source src)
{
	if ((unsigned)src >= VMS_SRC__MAX)
		return "unknown";
	return source_names[src];
}

/* Documented in Documentation/filesystems/proc.rst, in kernel order. */
const char *const vms_vmflag_names[] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "dw", "lo", "io", "sr",
	"rr", "dc", "de", "ac", "nr", "ht", "sf", "nl", "ar", "wf", "dd", "sd", "mm", "hg",
	"nh", "mg", "um", "uw", "ss", "sl", "lf", "mt", "bt", "pk", NULL,
};

uint64_t vms_vmflag_bit(const char *name)
{
	for (unsigned i = 0; i < 64 && vms_vmflag_names[i]; i++)
		if (strcmp(vms_vmflag_names[i], name) == 0)
			return UINT64_C(1) << i;
	return 0;
}

/* The bytes of a reservation of n regions: whole pages. */
static size_t regions_bytes(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (n > (SIZE_MAX - page) / sizeof(struct vms_region))
		die_oom(SIZE_MAX);
	return (n * sizeof(struct vms_region) + page - 1) / page * page;
}

void vms_snapshot_reserve_regions(struct vms_snapshot *snap, size_t n)
{
	size_t bytes;
	void *p;

	if (snap->regions || n == 0) {
		vms_snapshot_grow_regions(snap, n);
		return;
	}
	bytes = regions_bytes(n);
	/* MAP_NORESERVE: room, not memory, under strict overcommit too */
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED) {
		vms_snapshot_grow_regions(snap, n);
		return;
	}
	snap->regions = p;
	snap->alloc_regions = bytes / sizeof(*snap->regions);
	snap->regions_mapped = true;
}

/* The pages of a reservation are faulted in ahead of the regions written:
 * as much again as they take, 64 KiB at a time at most (prefault_ahead). */
#define REGIONS_FAULT_AHEAD (64 * 1024)

static void fault_in_regions(struct vms_snapshot *snap, size_t need)
{
	size_t faulted = prefault_ahead(snap->regions, regions_bytes(snap->regions_faulted),
					regions_bytes(need), regions_bytes(snap->alloc_regions),
					REGIONS_FAULT_AHEAD);

	snap->regions_faulted = faulted == SIZE_MAX ? SIZE_MAX : faulted / sizeof(*snap->regions);
}

void vms_snapshot_grow_regions(struct vms_snapshot *snap, size_t need)
{
	size_t n, from, to;
	void *p;

	if (need <= snap->alloc_regions) {
		if (need > snap->regions_faulted && snap->regions_mapped)
			fault_in_regions(snap, need);
		return;
	}
	if (!snap->regions_mapped) {
		ARRAY_GROW(snap->regions, need, snap->alloc_regions);
		return;
	}
	n = array_grow_count(snap->alloc_regions, need);
	from = regions_bytes(snap->alloc_regions);
	to = regions_bytes(n);
	p = mremap(snap->regions, from, to, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		die_oom(to);
	snap->regions = p;
	snap->alloc_regions = to / sizeof(*snap->regions);
	if (need > snap->regions_faulted)
		fault_in_regions(snap, need);
}

void vms_snapshot_trim_regions(struct vms_snapshot *snap)
{
	size_t keep = snap->n_regions ? snap->n_regions : 1, from, to;

	if (snap->alloc_regions <= keep)
		return;
	if (!snap->regions_mapped) {
		snap->regions = xreallocarray(snap->regions, keep, sizeof(*snap->regions));
		snap->alloc_regions = keep;
		return;
	}
	from = regions_bytes(snap->alloc_regions);
	to = regions_bytes(keep);
	if (to < from)
		munmap((char *)snap->regions + to, from - to);
	snap->alloc_regions = to / sizeof(*snap->regions);
}

struct vms_snapshot *vms_snapshot_new(void)
{
	struct vms_snapshot *snap = xcalloc(1, sizeof(*snap));

	snap->arena = xmalloc(sizeof(*snap->arena));
	arena_init(snap->arena);
	return snap;
}

void vms_snapshot_free(struct vms_snapshot *snap)
{
	if (!snap)
		return;
	if (snap->arena) {
		arena_release(snap->arena);
		free(snap->arena);
	}
	if (snap->regions_mapped)
		munmap(snap->regions, regions_bytes(snap->alloc_regions));
	else
		free(snap->regions);
	free(snap->objects);
	free(snap->threads);
	free(snap->sysv);
	free(snap);
}

const struct vms_region *vms_snapshot_find(const struct vms_snapshot *snap, uint64_t addr)
{
	size_t lo = 0, hi = snap->n_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vms_region *r = &snap->regions[mid];

		if (addr < r->start)
			hi = mid;
		else if (addr >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

void vms_perms_format(uint8_t perms, char out[5])
{
	out[0] = perms & VMS_PERM_READ ? 'r' : '-';
	out[1] = perms & VMS_PERM_WRITE ? 'w' : '-';
	out[2] = perms & VMS_PERM_EXEC ? 'x' : '-';
	out[3] = perms & VMS_PERM_SHARED ? 's' : 'p';
	out[4] = '\0';
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "/SYSV" and eight hex digits: the kernel's "SYSV%08x" of the key. */
static bool is_sysv_name(const char *name)
{
	if (!starts_with(name, "/SYSV"))
		return false;
	for (int i = 5; i < 13; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return name[13] == '\0';
}

/*
 * Asked of every region, several times a report: the first byte decides
 * for nearly all (anonymous memory "", files "/...", "[heap]"), before any
 * string is compared.
 */
enum vms_shm_type vms_region_shm_type(const struct vms_region *r)
{
	const char *name = r->name ? r->name : "";

	if (name[0] == '[')
		return starts_with(name, "[anon_shmem:") ? VMS_SHM_NAMED : VMS_SHM_NONE;
	if (name[0] != '/')
		return VMS_SHM_NONE;
	if (strcmp(name, "/dev/zero") == 0)
		return r->perms & VMS_PERM_SHARED ? VMS_SHM_ANON : VMS_SHM_NONE;
	if (is_sysv_name(name))
		return VMS_SHM_SYSV;
	if (starts_with(name, "/memfd:"))
		return VMS_SHM_MEMFD;
	return VMS_SHM_NONE;
}

const struct vms_sysv *vms_snapshot_sysv(const struct vms_snapshot *snap,
					 const struct vms_region *r)
{
	if (vms_region_shm_type(r) != VMS_SHM_SYSV)
		return NULL;
	for (size_t i = 0; i < snap->n_sysv; i++)
		if ((uint64_t)snap->sysv[i].id == r->inode)
			return &snap->sysv[i];
	return NULL;
}

void vms_region_shm_label(struct strbuf *sb, const struct vms_region *r)
{
	const char *name = r->name ? r->name : "";

	switch (vms_region_shm_type(r)) {
	case VMS_SHM_ANON:
		strbuf_addstr(sb, "shared anon");
		break;
	case VMS_SHM_SYSV:
		strbuf_addf(sb, "SysV shm key 0x%.8s id %" PRIu64, name + 5, r->inode);
		break;
	case VMS_SHM_MEMFD:
		strbuf_addf(sb, "memfd %s", name + strlen("/memfd:"));
		break;
	case VMS_SHM_NAMED:
		strbuf_addstr(sb, name);
		break;
	case VMS_SHM_NONE:
		break;
	}
}
