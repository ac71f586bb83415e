/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON snapshot (schema 2): the whole model of one process as a
 * document, which load-snapshot.c reads back. Every field list comes from
 * the name tables of snapshot.h, so adding a counter there adds it here.
 */
#include "config.h"

#include "json/write.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"
#include "json/jsonw.h"
#include "vmscope/insights.h"
#include "vmscope/model.h"

/* Stable names for the errors collectors record; strerror is for humans. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },   { ENOENT, "ENOENT" },   { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },   { EIO, "EIO" },         { ENXIO, "ENXIO" },
	{ ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },   { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },   { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },   { ENODEV, "ENODEV" },   { ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },   { EMFILE, "EMFILE" },
	{ ENFILE, "ENFILE" }, { EFBIG, "EFBIG" },     { ENOSPC, "ENOSPC" },
	{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" }, { ELOOP, "ELOOP" },     { ENODATA, "ENODATA" },
	{ EBADMSG, "EBADMSG" }, { EOVERFLOW, "EOVERFLOW" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
	{ EXDEV, "EXDEV" }, /* sysv_shm: the process is in another IPC namespace */
	{ EREMOTE, "EREMOTE" }, /* elf_error: a file on FUSE, not opened */
};

static void put_errno_name(struct jsonw *w, int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
		if (errno_names[i].err == err) {
			jsonw_string(w, errno_names[i].name);
			return;
		}
	}
	jsonw_stringf(w, "E%d", err);
}

static void put_error(struct jsonw *w, int err)
{
	if (err)
		put_errno_name(w, err);
	else
		jsonw_null(w);
}

/* the counters' keys, quoted once */
static struct jsonw_qkey mem_keys[VMS_MEM__MAX];
static pthread_once_t mem_keys_once = PTHREAD_ONCE_INIT;

static void mem_keys_init(void)
{
	for (int m = 0; m < VMS_MEM__MAX; m++)
		jsonw_qkey_init(&mem_keys[m], vms_mem_fields[m].name);
}

static void put_mem(struct jsonw *w, const struct vms_counters *c)
{
	pthread_once(&mem_keys_once, mem_keys_init);
	jsonw_begin_object(w);
	jsonw_qkey_uints(w, mem_keys, c->v, VMS_MEM__MAX, c->have, false);
	jsonw_end_object(w);
}

static void put_dev(struct jsonw *w, uint32_t major, uint32_t minor)
{
	jsonw_dev(w, major, minor);
}

static void put_addr(struct jsonw *w, uint64_t addr)
{
	jsonw_hex(w, addr);
}

static void put_index(struct jsonw *w, int32_t idx)
{
	if (idx < 0)
		jsonw_null(w);
	else
		jsonw_uint(w, (uint64_t)idx);
}

static void put_time_host(struct jsonw *w, const struct vms_snapshot *snap)
{
	const struct vms_host *h = &snap->host;

	jsonw_key(w, "time");
	jsonw_begin_inline_object(w);
	jsonw_key(w, "wall_ns");
	jsonw_int(w, snap->wall_ns);
	jsonw_key(w, "mono_ns");
	jsonw_int(w, snap->mono_ns);
	jsonw_end_object(w);

	/* The host strings are fixed arrays that may be unterminated if a
	 * collector filled them to the brim. */
	jsonw_key(w, "host");
	jsonw_begin_object(w);
	jsonw_key(w, "kernel");
	jsonw_string_n(w, h->kernel, strnlen(h->kernel, sizeof(h->kernel)));
	jsonw_key(w, "machine");
	jsonw_string_n(w, h->machine, strnlen(h->machine, sizeof(h->machine)));
	jsonw_key(w, "hostname");
	jsonw_string_n(w, h->hostname, strnlen(h->hostname, sizeof(h->hostname)));
	jsonw_key(w, "page_size");
	jsonw_uint(w, h->page_size);
	jsonw_key(w, "thp_enabled");
	if (h->thp_enabled[0])
		jsonw_string_n(w, h->thp_enabled, strnlen(h->thp_enabled, sizeof(h->thp_enabled)));
	else
		jsonw_null(w);
	jsonw_end_object(w);
}

static void put_process(struct jsonw *w, const struct vms_process *p)
{
	jsonw_key(w, "process");
	jsonw_begin_object(w);
	jsonw_key(w, "pid");
	jsonw_int(w, p->pid);
	jsonw_key(w, "ppid");
	jsonw_int(w, p->ppid);
	jsonw_key(w, "uid");
	jsonw_uint(w, p->uid);
	jsonw_key(w, "user");
	jsonw_string(w, p->user);
	jsonw_key(w, "comm");
	jsonw_string(w, p->comm);
	jsonw_key(w, "cmdline");
	jsonw_string(w, p->cmdline);
	jsonw_key(w, "exe");
	jsonw_string(w, p->exe);
	jsonw_key(w, "state");
	if (p->state)
		jsonw_string_n(w, &p->state, 1);
	else
		jsonw_null(w);
	jsonw_key(w, "kernel_thread");
	jsonw_bool(w, p->kernel_thread);
	jsonw_key(w, "threads");
	jsonw_uint(w, p->threads);
	jsonw_key(w, "start_time");
	jsonw_uint(w, p->start_time);
	jsonw_end_object(w);
}

static void put_sources(struct jsonw *w, const struct vms_snapshot *snap)
{
	jsonw_key(w, "sources");
	jsonw_begin_object(w);
	for (int s = 0; s < VMS_SRC__MAX; s++) {
		const struct vms_source_status *st = &snap->src[s];
		int err = st->tried ? st->error : 0;

		/* page-level sources are opt-in: only named when asked for */
		if ((s == VMS_SRC_PAGEMAP || s == VMS_SRC_KPAGEFLAGS) && !st->tried)
			continue;
		jsonw_key(w, vms_source_to_string(s));
		jsonw_begin_inline_object(w);
		jsonw_key(w, "read");
		jsonw_bool(w, vms_snapshot_have(snap, s));
		jsonw_key(w, "error");
		put_error(w, err);
		jsonw_key(w, "message");
		/* strerrordesc_np: not translated, so files compare across hosts. */
		jsonw_string(w, err ? strerrordesc_np(err < 0 ? -err : err) : NULL);
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
}

static void put_totals(struct jsonw *w, const struct vms_snapshot *snap)
{
	const struct vms_totals *t = &snap->totals;
	const struct vms_counters *ru = &t->rollup;
	bool rollup = vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP);
	uint64_t shm;

	jsonw_key(w, "totals");
	jsonw_begin_object(w);
	jsonw_key(w, "status");
	jsonw_begin_object(w);
	for (int f = 0; f < VMS_ST__MAX; f++) {
		if (!(t->status_have & (UINT32_C(1) << f)))
			continue;
		jsonw_key(w, vms_status_fields[f].name);
		jsonw_uint(w, t->status[f]);
	}
	jsonw_end_object(w);
	jsonw_key(w, "rollup");
	if (rollup)
		put_mem(w, ru);
	else
		jsonw_null(w);
	jsonw_key(w, "uss");
	if (rollup && vms_counters_has(ru, VMS_MEM_PRIVATE_CLEAN) &&
	    vms_counters_has(ru, VMS_MEM_PRIVATE_DIRTY))
		jsonw_uint(w, vms_counters_uss(ru));
	else
		jsonw_null(w);
	/* derived: the part of uss in regions of kind shm, which exiting does not free */
	if (vms_model_uss_shmem(snap, &shm)) {
		jsonw_key(w, "uss_shmem");
		jsonw_uint(w, shm);
	}
	jsonw_key(w, "faults");
	if (t->have_faults) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "minflt");
		jsonw_uint(w, t->minflt);
		jsonw_key(w, "majflt");
		jsonw_uint(w, t->majflt);
		jsonw_key(w, "cminflt");
		jsonw_uint(w, t->cminflt);
		jsonw_key(w, "cmajflt");
		jsonw_uint(w, t->cmajflt);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_end_object(w);
}

static void put_perms(struct jsonw *w, uint8_t perms)
{
	char p[4] = {
		perms & VMS_PERM_READ ? 'r' : '-',
		perms & VMS_PERM_WRITE ? 'w' : '-',
		perms & VMS_PERM_EXEC ? 'x' : '-',
		perms & VMS_PERM_SHARED ? 's' : 'p',
	};

	jsonw_string_n(w, p, sizeof(p));
}

/* a region's keys, quoted once */
#define REGION_KEYS(X)                                                                             \
	X(START, "start") X(END, "end") X(SIZE, "size") X(PERMS, "perms") X(OFFSET, "offset")      \
	X(DEV, "dev") X(INODE, "inode") X(NAME, "name") X(DELETED, "deleted") X(KIND, "kind")      \
	X(OBJECT, "object") X(TID, "tid") X(THP_ELIGIBLE, "thp_eligible")                          \
	X(PROTECTION_KEY, "protection_key") X(VMFLAGS, "vmflags") X(MEM, "mem")                    \
	X(SECTIONS, "sections") X(PAGES, "pages")
#define REGION_KEY_ENUM(e, s) RK_##e,
#define REGION_KEY_NAME(e, s) s,
enum { REGION_KEYS(REGION_KEY_ENUM) RK__MAX };
static const char *const region_key_names[RK__MAX] = { REGION_KEYS(REGION_KEY_NAME) };
static struct jsonw_qkey region_keys[RK__MAX];
static pthread_once_t region_keys_once = PTHREAD_ONCE_INIT;

static void region_keys_init(void)
{
	for (int k = 0; k < RK__MAX; k++)
		jsonw_qkey_init(&region_keys[k], region_key_names[k]);
}

static void put_region(struct jsonw *w, const struct vms_region *r, bool pages)
{
	pthread_once(&region_keys_once, region_keys_init);
	jsonw_begin_object(w);
	jsonw_qkey(w, &region_keys[RK_START]);
	put_addr(w, r->start);
	jsonw_qkey(w, &region_keys[RK_END]);
	put_addr(w, r->end);
	jsonw_qkey_uint(w, &region_keys[RK_SIZE], vms_region_size(r));
	jsonw_qkey(w, &region_keys[RK_PERMS]);
	put_perms(w, r->perms);
	jsonw_qkey_uint(w, &region_keys[RK_OFFSET], r->offset);
	jsonw_qkey(w, &region_keys[RK_DEV]);
	put_dev(w, r->dev_major, r->dev_minor);
	jsonw_qkey_uint(w, &region_keys[RK_INODE], r->inode);
	jsonw_qkey(w, &region_keys[RK_NAME]);
	jsonw_string(w, r->name ? r->name : "");
	jsonw_qkey(w, &region_keys[RK_DELETED]);
	jsonw_bool(w, r->deleted);
	jsonw_qkey(w, &region_keys[RK_KIND]);
	jsonw_string(w, vms_kind_to_string(r->kind));
	jsonw_qkey(w, &region_keys[RK_OBJECT]);
	put_index(w, r->object);
	jsonw_qkey(w, &region_keys[RK_TID]);
	if (r->tid > 0)
		jsonw_int(w, r->tid);
	else
		jsonw_null(w);
	jsonw_qkey(w, &region_keys[RK_THP_ELIGIBLE]);
	if (r->thp_eligible < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, r->thp_eligible);
	jsonw_qkey(w, &region_keys[RK_PROTECTION_KEY]);
	if (r->protection_key < 0)
		jsonw_null(w);
	else
		jsonw_uint(w, (uint64_t)r->protection_key);
	jsonw_qkey(w, &region_keys[RK_VMFLAGS]);
	jsonw_begin_inline_array(w);
	for (unsigned b = 0; b < 64 && vms_vmflag_names[b]; b++)
		if (r->vmflags & (UINT64_C(1) << b))
			jsonw_string(w, vms_vmflag_names[b]);
	jsonw_end_array(w);
	jsonw_qkey(w, &region_keys[RK_MEM]);
	put_mem(w, &r->mem);
	jsonw_qkey(w, &region_keys[RK_SECTIONS]);
	if (r->n_sections) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "first");
		jsonw_uint(w, r->first_section);
		jsonw_key(w, "count");
		jsonw_uint(w, r->n_sections);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	if (pages) {
		jsonw_qkey(w, &region_keys[RK_PAGES]);
		json_put_region_pages(w, r->pages);
	}
	jsonw_end_object(w);
}

static void put_region_item(struct jsonw *w, size_t i, const void *ctx)
{
	const struct vms_snapshot *snap = ctx;

	put_region(w, &snap->regions[i], json_want_pages(snap));
}

/* ELF constants, kept here so that only src/elf sees the ELF headers. */
static const char *const elf_type_names[] = { "NONE", "REL", "EXEC", "DYN", "CORE" };
enum { SEG_X = 1, SEG_W = 2, SEG_R = 4 };
static const char *const section_type_names[] = {
	"NULL", "PROGBITS", "SYMTAB", "STRTAB", "RELA", "HASH", "DYNAMIC", "NOTE",
	"NOBITS", "REL", "SHLIB", "DYNSYM", NULL, NULL, "INIT_ARRAY", "FINI_ARRAY",
	"PREINIT_ARRAY", "GROUP", "SYMTAB_SHNDX",
};
/* SHF_* bits as readelf -S letters them; bit n is letter n */
static const char section_flag_letters[] = "WAX?MSILOGTC";

static void put_sections(struct jsonw *w, const struct vms_object *o)
{
	jsonw_begin_array(w);
	for (uint32_t i = 0; i < o->n_sections; i++) {
		const struct vms_section *sc = &o->sections[i];
		char fl[sizeof(section_flag_letters)];
		size_t n = 0;

		for (size_t b = 0; b < sizeof(section_flag_letters) - 1; b++)
			if (sc->flags & (UINT64_C(1) << b) && section_flag_letters[b] != '?')
				fl[n++] = section_flag_letters[b];
		jsonw_begin_inline_object(w);
		jsonw_key(w, "name");
		jsonw_string(w, sc->name ? sc->name : "");
		jsonw_key(w, "addr");
		jsonw_uint(w, sc->addr);
		jsonw_key(w, "size");
		jsonw_uint(w, sc->size);
		jsonw_key(w, "offset");
		jsonw_uint(w, sc->offset);
		jsonw_key(w, "type");
		if (sc->type < ARRAY_SIZE(section_type_names) && section_type_names[sc->type])
			jsonw_string(w, section_type_names[sc->type]);
		else
			jsonw_stringf(w, "0x%08" PRIx32, sc->type);
		jsonw_key(w, "flags");
		jsonw_string_n(w, fl, n);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void put_elf(struct jsonw *w, const struct vms_object *o)
{
	jsonw_begin_object(w);
	jsonw_key(w, "class");
	/* ELFCLASS32 is 1, ELFCLASS64 is 2 */
	if (o->elf_class == 1 || o->elf_class == 2)
		jsonw_uint(w, o->elf_class == 1 ? 32 : 64);
	else
		jsonw_null(w);
	jsonw_key(w, "type");
	if (o->elf_type < sizeof(elf_type_names) / sizeof(elf_type_names[0]))
		jsonw_string(w, elf_type_names[o->elf_type]);
	else
		jsonw_stringf(w, "0x%04x", (unsigned)o->elf_type);
	jsonw_key(w, "segments");
	jsonw_begin_array(w);
	for (uint32_t i = 0; i < o->n_segments; i++) {
		const struct vms_segment *sg = &o->segments[i];
		char fl[3] = {
			sg->flags & SEG_R ? 'r' : '-',
			sg->flags & SEG_W ? 'w' : '-',
			sg->flags & SEG_X ? 'x' : '-',
		};

		jsonw_begin_inline_object(w);
		jsonw_key(w, "vaddr");
		jsonw_uint(w, sg->vaddr);
		jsonw_key(w, "memsz");
		jsonw_uint(w, sg->memsz);
		jsonw_key(w, "offset");
		jsonw_uint(w, sg->offset);
		jsonw_key(w, "filesz");
		jsonw_uint(w, sg->filesz);
		jsonw_key(w, "flags");
		jsonw_string_n(w, fl, sizeof(fl));
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_key(w, "relro");
	if (o->relro_memsz) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "vaddr");
		jsonw_uint(w, o->relro_vaddr);
		jsonw_key(w, "memsz");
		jsonw_uint(w, o->relro_memsz);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "sections");
	put_sections(w, o);
	jsonw_key(w, "sections_error");
	put_error(w, o->sections_error);
	jsonw_end_object(w);
}

static void put_object(struct jsonw *w, const struct vms_object *o)
{
	jsonw_begin_object(w);
	jsonw_key(w, "path");
	jsonw_string(w, o->path ? o->path : "");
	jsonw_key(w, "dev");
	put_dev(w, o->dev_major, o->dev_minor);
	jsonw_key(w, "inode");
	jsonw_uint(w, o->inode);
	jsonw_key(w, "deleted");
	jsonw_bool(w, o->deleted);
	jsonw_key(w, "main");
	jsonw_bool(w, o->is_main);
	jsonw_key(w, "regions");
	jsonw_uint(w, o->n_regions);
	jsonw_key(w, "size");
	jsonw_uint(w, o->vsize);
	/* derived: each file page once, and how many times the most mapped one is */
	jsonw_key(w, "distinct_size");
	jsonw_uint(w, o->distinct_size);
	jsonw_key(w, "max_maps");
	jsonw_uint(w, o->max_maps);
	jsonw_key(w, "elf");
	if (o->is_elf && o->elf_error == 0)
		put_elf(w, o);
	else
		jsonw_null(w);
	jsonw_key(w, "elf_error");
	put_error(w, o->elf_error);
	jsonw_key(w, "build_id");
	if (o->build_id)
		jsonw_string(w, o->build_id);
	else
		jsonw_null(w);
	jsonw_key(w, "load_bias");
	if (o->have_bias)
		put_addr(w, o->load_bias);
	else
		jsonw_null(w);
	jsonw_key(w, "changed");
	jsonw_bool(w, o->changed);
	jsonw_key(w, "mem");
	put_mem(w, &o->mem);
	jsonw_end_object(w);
}

static void put_thread(struct jsonw *w, const struct vms_thread *t)
{
	jsonw_begin_inline_object(w);
	jsonw_key(w, "tid");
	jsonw_int(w, t->tid);
	jsonw_key(w, "comm");
	jsonw_string(w, t->comm);
	jsonw_key(w, "sp");
	if (t->sp)
		put_addr(w, t->sp);
	else
		jsonw_null(w);
	jsonw_key(w, "region");
	put_index(w, t->region);
	jsonw_key(w, "minflt");
	jsonw_uint(w, t->minflt);
	jsonw_key(w, "majflt");
	jsonw_uint(w, t->majflt);
	jsonw_key(w, "arena");
	if (t->arena)
		put_addr(w, t->arena);
	else
		jsonw_null(w);
	jsonw_end_object(w);
}

/* Limits and pressure */

/* A size that may be "unlimited"; null when not read. */
static void put_limit(struct jsonw *w, bool have, uint64_t v)
{
	if (!have)
		jsonw_null(w);
	else if (v == VMS_UNLIMITED)
		jsonw_string(w, "unlimited");
	else
		jsonw_uint(w, v);
}

static void put_int_or_null(struct jsonw *w, bool have, int64_t v)
{
	if (have)
		jsonw_int(w, v);
	else
		jsonw_null(w);
}

static void put_sysv(struct jsonw *w, const struct vms_sysv *seg)
{
	jsonw_begin_inline_object(w);
	jsonw_key(w, "id");
	jsonw_int(w, seg->id);
	jsonw_key(w, "key");
	jsonw_uint(w, seg->key);
	jsonw_key(w, "size");
	jsonw_uint(w, seg->size);
	jsonw_key(w, "nattch");
	jsonw_uint(w, seg->nattch);
	jsonw_key(w, "mode");
	jsonw_uint(w, seg->mode);
	jsonw_key(w, "marked_for_removal");
	jsonw_bool(w, seg->mode & VMS_SYSV_DEST);
	jsonw_key(w, "cpid");
	jsonw_int(w, seg->cpid);
	jsonw_key(w, "lpid");
	jsonw_int(w, seg->lpid);
	jsonw_key(w, "uid");
	jsonw_uint(w, seg->uid);
	jsonw_end_object(w);
}

static void put_facts(struct jsonw *w, const struct vms_snapshot *snap)
{
	const struct vms_limits *l = &snap->limits;
	const struct vms_oom *o = &snap->oom;
	const struct vms_cgroup *cg = &snap->cgroup;
	const struct vms_host_memory *hm = &snap->host_mem;

	if (l->tried) {
		jsonw_key(w, "limits");
		jsonw_begin_inline_object(w);
		jsonw_key(w, "stack");
		put_limit(w, !l->error && l->have_stack, l->stack);
		jsonw_key(w, "memlock");
		put_limit(w, !l->error && l->have_memlock, l->memlock);
		jsonw_key(w, "error");
		put_error(w, l->error);
		jsonw_end_object(w);
	}
	if (o->tried) {
		jsonw_key(w, "oom");
		jsonw_begin_inline_object(w);
		jsonw_key(w, "score");
		put_int_or_null(w, !o->score_error, o->score);
		jsonw_key(w, "score_adj");
		put_int_or_null(w, !o->adj_error, o->score_adj);
		jsonw_key(w, "score_error");
		put_error(w, o->score_error);
		jsonw_key(w, "adj_error");
		put_error(w, o->adj_error);
		jsonw_end_object(w);
	}
	if (cg->tried) {
		jsonw_key(w, "cgroup");
		jsonw_begin_object(w);
		jsonw_key(w, "version");
		put_int_or_null(w, cg->version != 0, cg->version);
		jsonw_key(w, "path");
		jsonw_string(w, cg->path);
		for (int f = 0; f < VMS_CG__MAX; f++) {
			jsonw_key(w, vms_cg_names[f]);
			put_limit(w, vms_cgroup_has(cg, f), cg->v[f]);
		}
		jsonw_key(w, "error");
		put_error(w, cg->error);
		jsonw_end_object(w);
	}
	if (hm->tried) {
		jsonw_key(w, "host_memory");
		jsonw_begin_inline_object(w);
		for (int f = 0; f < VMS_HM__MAX; f++) {
			jsonw_key(w, vms_host_mem_names[f]);
			if (hm->have & (UINT32_C(1) << f))
				jsonw_uint(w, hm->v[f]);
			else
				jsonw_null(w);
		}
		jsonw_key(w, "error");
		put_error(w, hm->error);
		jsonw_end_object(w);
	}
}

static void put_stack_use(struct jsonw *w, const struct vms_stack_use *s)
{
	jsonw_begin_inline_object(w);
	jsonw_key(w, "tid");
	put_int_or_null(w, s->tid > 0, s->tid);
	jsonw_key(w, "main");
	jsonw_bool(w, s->main);
	jsonw_key(w, "region");
	jsonw_uint(w, (uint64_t)s->region);
	jsonw_key(w, "size");
	jsonw_uint(w, s->size);
	jsonw_key(w, "rss");
	put_limit(w, s->have_rss, s->rss);
	jsonw_key(w, "used");
	put_limit(w, s->have_used, s->used);
	jsonw_key(w, "limit");
	put_limit(w, s->have_limit, s->limit);
	jsonw_key(w, "headroom");
	put_limit(w, s->have_used && s->have_limit, s->headroom);
	jsonw_key(w, "guard");
	jsonw_uint(w, s->guard);
	jsonw_key(w, "near_limit");
	jsonw_bool(w, s->near_limit);
	jsonw_end_object(w);
}

/* What the model derives from the rest of the file: a loader recomputes it. */
static void put_insights(struct jsonw *w, const struct vms_snapshot *snap)
{
	struct vms_insights in;

	vms_insights_build(snap, &in);
	jsonw_key(w, "insights");
	jsonw_begin_object(w);
	jsonw_key(w, "regions");
	put_limit(w, in.have_regions, in.n_regions);
	jsonw_key(w, "gaps");
	put_limit(w, in.have_regions, in.n_gaps);
	jsonw_key(w, "unmapped");
	put_limit(w, in.have_regions, in.unmapped);
	jsonw_key(w, "largest_gap");
	put_limit(w, in.have_regions, in.largest_gap);
	jsonw_key(w, "largest_gap_start");
	if (in.have_regions && in.n_gaps)
		put_addr(w, in.largest_gap_start);
	else
		jsonw_null(w);
	jsonw_key(w, "heap");
	if (in.have_heap) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "size");
		jsonw_uint(w, in.heap_size);
		jsonw_key(w, "rss");
		put_limit(w, in.have_heap_rss, in.heap_rss);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "stacks");
	jsonw_begin_array(w);
	for (size_t i = 0; i < in.n_stacks; i++)
		put_stack_use(w, &in.stacks[i]);
	jsonw_end_array(w);
	jsonw_key(w, "stacks_near_limit");
	jsonw_uint(w, in.n_near_limit);
	jsonw_key(w, "page_tables");
	put_limit(w, in.have_pte, in.pte);
	jsonw_key(w, "page_tables_permille_of_rss");
	put_limit(w, in.have_pte_share, in.pte_permille);
	jsonw_key(w, "thp");
	if (in.have_thp) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "anon");
		jsonw_uint(w, in.anon);
		jsonw_key(w, "anon_huge");
		jsonw_uint(w, in.anon_huge);
		jsonw_key(w, "permille");
		jsonw_uint(w, in.thp_permille);
		jsonw_key(w, "regions");
		jsonw_uint(w, in.thp_regions);
		jsonw_key(w, "eligible_regions");
		jsonw_uint(w, in.thp_eligible);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "locked");
	put_limit(w, in.have_locked, in.locked);
	jsonw_key(w, "memlock_limit");
	put_limit(w, in.have_memlock, in.memlock);
	jsonw_key(w, "cgroup_headroom");
	put_limit(w, in.have_cg_headroom, in.cg_headroom);
	jsonw_key(w, "cgroup_high_headroom");
	put_limit(w, in.have_cg_high_headroom, in.cg_high_headroom);
	jsonw_end_object(w);
	vms_insights_release(&in);
}

int vms_json_write_snapshot(FILE *out, const struct vms_snapshot *snap)
{
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "vmscope_version");
	jsonw_string(&w, VMSCOPE_VERSION);
	put_time_host(&w, snap);
	put_process(&w, &snap->proc);
	put_sources(&w, snap);
	put_totals(&w, snap);
	jsonw_key(&w, "dropped_regions");
	jsonw_uint(&w, snap->dropped_regions);
	if (json_want_pages(snap)) {
		jsonw_key(&w, "pages");
		json_put_pages_info(&w, snap);
	}
	put_facts(&w, snap);
	put_insights(&w, snap);

	jsonw_key(&w, "regions");
	jsonw_begin_array(&w);
	jsonw_items(&w, snap->n_regions, put_region_item, snap);
	jsonw_end_array(&w);

	jsonw_key(&w, "objects");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < snap->n_objects; i++)
		put_object(&w, &snap->objects[i]);
	jsonw_end_array(&w);

	jsonw_key(&w, "threads");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < snap->n_threads; i++)
		put_thread(&w, &snap->threads[i]);
	jsonw_end_array(&w);

	jsonw_key(&w, "sysv");
	jsonw_begin_array(&w);
	for (size_t i = 0; i < snap->n_sysv; i++)
		put_sysv(&w, &snap->sysv[i]);
	jsonw_end_array(&w);

	jsonw_end_object(&w);
	return jsonw_finish(&w);
}
