/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fixture.h"

#include <errno.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "vmscope/model.h"

#define K(x) ((uint64_t)(x) * 1024)
#define M(x) ((uint64_t)(x) * 1024 * 1024)

struct rspec {
	uint64_t start, size;
	const char *perms;
	const char *name;
	enum vms_kind kind;
	int obj, tid;
	uint64_t rss, pss, priv, swap;
	bool deleted;
};

/* Counters the fixture's smaps "prints"; KSM, LazyFree and others are left
 * out so that a test can tell a missing key from a zero. */
static const enum vms_mem present_keys[] = {
	VMS_MEM_SIZE,          VMS_MEM_KERNEL_PAGE_SIZE, VMS_MEM_MMU_PAGE_SIZE,
	VMS_MEM_RSS,           VMS_MEM_PSS,              VMS_MEM_PSS_DIRTY,
	VMS_MEM_SHARED_CLEAN,  VMS_MEM_SHARED_DIRTY,     VMS_MEM_PRIVATE_CLEAN,
	VMS_MEM_PRIVATE_DIRTY, VMS_MEM_REFERENCED,       VMS_MEM_ANONYMOUS,
	VMS_MEM_SWAP,          VMS_MEM_SWAP_PSS,         VMS_MEM_LOCKED,
};

static uint8_t parse_perms(const char *p)
{
	return (p[0] == 'r' ? VMS_PERM_READ : 0) | (p[1] == 'w' ? VMS_PERM_WRITE : 0) |
	       (p[2] == 'x' ? VMS_PERM_EXEC : 0) | (p[3] == 's' ? VMS_PERM_SHARED : 0);
}

static void fill_counters(struct vms_counters *c, const struct rspec *rs, bool anon)
{
	uint64_t pclean = (rs->priv / 4) & ~UINT64_C(4095);

	memset(c, 0, sizeof(*c));
	c->v[VMS_MEM_SIZE] = rs->size;
	c->v[VMS_MEM_KERNEL_PAGE_SIZE] = 4096;
	c->v[VMS_MEM_MMU_PAGE_SIZE] = 4096;
	c->v[VMS_MEM_RSS] = rs->rss;
	c->v[VMS_MEM_PSS] = rs->pss;
	c->v[VMS_MEM_PSS_DIRTY] = rs->priv - pclean;
	c->v[VMS_MEM_SHARED_CLEAN] = rs->rss - rs->priv;
	c->v[VMS_MEM_PRIVATE_CLEAN] = pclean;
	c->v[VMS_MEM_PRIVATE_DIRTY] = rs->priv - pclean;
	c->v[VMS_MEM_REFERENCED] = rs->rss;
	c->v[VMS_MEM_ANONYMOUS] = anon ? rs->priv : 0;
	c->v[VMS_MEM_SWAP] = rs->swap;
	c->v[VMS_MEM_SWAP_PSS] = rs->swap;
	for (size_t i = 0; i < ARRAY_SIZE(present_keys); i++)
		c->have |= UINT32_C(1) << present_keys[i];
}

struct ospec {
	const char *path;
	uint64_t inode;
	bool deleted, is_elf, is_main;
	int elf_error;
};

static void add_object(struct vms_snapshot *s, const struct ospec *os)
{
	struct vms_object *o;

	ARRAY_GROW(s->objects, s->n_objects + 1, s->alloc_objects);
	o = &s->objects[s->n_objects++];
	memset(o, 0, sizeof(*o));
	o->path = arena_strdup(s->arena, os->path);
	o->inode = os->inode;
	o->dev_major = 0xfe;
	o->dev_minor = 1;
	o->deleted = os->deleted;
	o->is_elf = os->is_elf;
	o->is_main = os->is_main;
	o->elf_error = os->elf_error;
	if (os->is_elf && !os->elf_error) {
		static const struct vms_segment segs[] = {
			{ 0, 0x1000, 0, 0x1000, 0x1000, 4 },
			{ 0x1000, 0x200000, 0x1000, 0x200000, 0x1000, 5 },
			{ 0x201000, 0x10000, 0x201000, 0x10000, 0x1000, 4 },
			{ 0x211000, 0xd000, 0x211000, 0x3000, 0x1000, 6 },
		};
		o->elf_class = 2;
		o->elf_type = os->is_main ? 2 : 3; /* ET_EXEC, ET_DYN */
		o->segments = arena_memdup(s->arena, segs, sizeof(segs));
		o->n_segments = ARRAY_SIZE(segs);
		o->relro_vaddr = 0x211000;
		o->relro_memsz = 0x1000;
	}
}

static void add_regions(struct vms_snapshot *s, const struct rspec *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vms_region *r;
		bool anon;

		ARRAY_GROW(s->regions, s->n_regions + 1, s->alloc_regions);
		r = &s->regions[s->n_regions++];
		memset(r, 0, sizeof(*r));
		r->start = rs[i].start;
		r->end = rs[i].start + rs[i].size;
		r->perms = parse_perms(rs[i].perms);
		r->kind = rs[i].kind;
		r->object = rs[i].obj;
		r->tid = rs[i].tid;
		r->deleted = rs[i].deleted;
		r->name = arena_strdup(s->arena, rs[i].name);
		anon = rs[i].name[0] != '/';
		if (rs[i].obj >= 0 && rs[i].kind != VMS_KIND_BSS) {
			const struct vms_object *o = &s->objects[rs[i].obj];

			r->inode = o->inode;
			r->dev_major = o->dev_major;
			r->dev_minor = o->dev_minor;
			r->offset = r->start & 0xfffff000;
		} else if (rs[i].kind == VMS_KIND_SHM) {
			r->inode = 77;
			r->dev_minor = 1;
		}
		/* a spread of the optional smaps facts, including "not read" */
		r->thp_eligible = (int8_t)(i % 3 == 0 ? -1 : (int)(i % 2));
		r->protection_key = (int16_t)(i % 4 == 1 ? -1 : 0);
		r->vmflags = (r->perms & VMS_PERM_READ ? UINT64_C(1) << 0 : 0) |
			     (r->perms & VMS_PERM_WRITE ? UINT64_C(1) << 1 : 0) |
			     (r->perms & VMS_PERM_EXEC ? UINT64_C(1) << 2 : 0) |
			     (UINT64_C(1) << 4) | (UINT64_C(1) << 5) | (UINT64_C(1) << 6);
		fill_counters(&r->mem, &rs[i], anon);
	}
}

/* What the model does: each object sums the regions that map it. */
static void sum_objects(struct vms_snapshot *s)
{
	for (size_t i = 0; i < s->n_objects; i++) {
		struct vms_object *o = &s->objects[i];

		o->mem.have = ~UINT32_C(0);
		for (size_t k = 0; k < s->n_regions; k++) {
			const struct vms_region *r = &s->regions[k];

			if (r->object != (int32_t)i)
				continue;
			o->n_regions++;
			o->vsize += vms_region_size(r);
			o->mem.have &= r->mem.have;
			for (int m = 0; m < VMS_MEM__MAX; m++)
				o->mem.v[m] += r->mem.v[m];
		}
		if (!o->n_regions)
			o->mem.have = 0;
	}
	vms_model_object_extents(s);
}

static void set_status(struct vms_snapshot *s, enum vms_status_field f, uint64_t v)
{
	s->totals.status[f] = v;
	s->totals.status_have |= UINT32_C(1) << f;
}

static void add_thread(struct vms_snapshot *s, pid_t tid, const char *comm, uint64_t sp,
		       uint64_t minflt, uint64_t majflt)
{
	struct vms_thread *t;
	const struct vms_region *r = sp ? vms_snapshot_find(s, sp) : NULL;

	ARRAY_GROW(s->threads, s->n_threads + 1, s->alloc_threads);
	t = &s->threads[s->n_threads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->comm = arena_strdup(s->arena, comm);
	t->sp = sp;
	t->sp_error = sp ? 0 : -EAGAIN;
	t->region = r ? (int32_t)(r - s->regions) : -1;
	t->minflt = minflt;
	t->majflt = majflt;
}

static void base_process(struct vms_snapshot *s)
{
	memcpy(s->host.kernel, "6.1.0-test-amd64", sizeof("6.1.0-test-amd64"));
	memcpy(s->host.machine, "x86_64", sizeof("x86_64"));
	memcpy(s->host.hostname, "testhost", sizeof("testhost"));
	s->host.page_size = 4096;
	s->wall_ns = INT64_C(1700000000123456789);
	s->mono_ns = INT64_C(987654321);
	s->proc.ppid = 1;
	s->proc.state = 'S';
	s->proc.start_time = 123456;
}

struct vms_snapshot *fixture_full(void)
{
	static const struct ospec objs[] = {
		{ "/opt/app/bin/server", 1001, false, true, true, 0 },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", 1002, false, true, false, 0 },
		/* invalid UTF-8 and a newline the kernel printed as \012 */
		{ "/tmp/plug\xff\xfe-in\\012\xe2\x82.so", 1003, true, true, false, -EACCES },
		{ "/usr/lib/locale/locale-archive", 1004, false, false, false, 0 },
	};
	static const struct rspec regs[] = {
		{ 0x55d2d0000000, K(4), "r--p", "/opt/app/bin/server", VMS_KIND_RODATA, 0, 0,
		  K(4), K(4), 0, 0 },
		{ 0x55d2d0001000, M(2), "r-xp", "/opt/app/bin/server", VMS_KIND_TEXT, 0, 0,
		  K(1200), K(900), K(600), 0 },
		{ 0x55d2d0201000, K(64), "r--p", "/opt/app/bin/server", VMS_KIND_RODATA, 0, 0,
		  K(60), K(40), K(20), 0 },
		{ 0x55d2d0211000, K(4), "r--p", "/opt/app/bin/server", VMS_KIND_RELRO, 0, 0,
		  K(4), K(4), K(4), 0 },
		{ 0x55d2d0212000, K(8), "rw-p", "/opt/app/bin/server", VMS_KIND_DATA, 0, 0,
		  K(8), K(8), K(8), 0 },
		{ 0x55d2d0214000, K(40), "rw-p", "", VMS_KIND_BSS, 0, 0, K(8), K(8), K(8), 0 },
		{ 0x55d2e0000000, K(2148), "rw-p", "[heap]", VMS_KIND_HEAP, -1, 0, K(2048),
		  K(2048), K(2048), K(64) },
		{ 0x7f3a10000000, M(1), "rw-p", "", VMS_KIND_ANON, -1, 0, K(512), K(512), K(512),
		  0 },
		{ 0x7f3a10100000, M(1), "rw-p", "", VMS_KIND_ANON, -1, 0, K(4), K(4), K(4), 0 },
		{ 0x7f3a10200000, M(1), "rw-p", "", VMS_KIND_ANON, -1, 0, M(1), M(1), M(1),
		  K(128) },
		{ 0x7f3a10300000, M(2), "rw-p", "[anon:jemalloc]", VMS_KIND_ANON, -1, 0, K(1536),
		  K(1536), K(1536), 0 },
		{ 0x7f3a10500000, K(4), "---p", "", VMS_KIND_GUARD, -1, 0, 0, 0, 0, 0 },
		{ 0x7f3a10501000, M(8), "rw-p", "", VMS_KIND_THREAD_STACK, -1, 4243, K(16),
		  K(16), K(16), 0 },
		{ 0x7f3a20000000, K(64), "r-xp", "/tmp/plug\xff\xfe-in\\012\xe2\x82.so",
		  VMS_KIND_TEXT, 2, 0, K(32), K(16), K(8), 0, true },
		{ 0x7f3a2a000000, M(3), "r--p", "/usr/lib/locale/locale-archive", VMS_KIND_FILE,
		  3, 0, K(400), K(100), 0, 0 },
		{ 0x7f3a2b400000, K(160), "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  VMS_KIND_RODATA, 1, 0, K(160), K(20), 0, 0 },
		{ 0x7f3a2b428000, K(1620), "r-xp", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  VMS_KIND_TEXT, 1, 0, K(1200), K(92), 0, 0 },
		{ 0x7f3a2b5bd000, K(352), "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  VMS_KIND_RODATA, 1, 0, K(240), K(20), 0, 0 },
		{ 0x7f3a2b615000, K(16), "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  VMS_KIND_RELRO, 1, 0, K(16), K(16), K(16), 0 },
		{ 0x7f3a2b619000, K(8), "rw-p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  VMS_KIND_DATA, 1, 0, K(8), K(8), K(8), 0 },
		{ 0x7f3a2b61b000, K(52), "rw-p", "", VMS_KIND_BSS, 1, 0, K(20), K(20), K(20), 0 },
		/* a memfd is no deleted file, although maps says "(deleted)" */
		{ 0x7f3a2b700000, M(1), "rw-s", "/memfd:pool", VMS_KIND_SHM, -1, 0, K(256),
		  K(128), 0, 0 },
		{ 0x7ffd1c380000, K(132), "rw-p", "[stack]", VMS_KIND_STACK, -1, 0, K(24), K(24),
		  K(24), 0 },
		{ 0x7ffd1c3fc000, K(16), "r--p", "[vvar]", VMS_KIND_VVAR, -1, 0, 0, 0, 0, 0 },
		{ 0x7ffd1c400000, K(8), "r-xp", "[vdso]", VMS_KIND_VDSO, -1, 0, K(4), 0, 0, 0 },
		{ 0xffffffffff600000, K(4), "--xp", "[vsyscall]", VMS_KIND_VSYSCALL, -1, 0, 0, 0,
		  0, 0 },
	};
	struct vms_snapshot *s = vms_snapshot_new();
	struct vms_counters *ru = &s->totals.rollup;
	uint64_t vsize = 0;

	base_process(s);
	memcpy(s->host.thp_enabled, "madvise", sizeof("madvise"));
	s->proc.pid = 4242;
	s->proc.uid = 1000;
	s->proc.user = arena_strdup(s->arena, "alice");
	s->proc.comm = arena_strdup(s->arena, "evil\x1b[2Jname");
	s->proc.cmdline = arena_strdup(s->arena, "/opt/app/bin/server --title \x1b]0;pwned\x07"
						 " --motd line1\nline2 \xc2\x9b""31m");
	s->proc.exe = arena_strdup(s->arena, "/opt/app/bin/server");
	s->proc.threads = 2;
	for (int i = 0; i < VMS_SRC__MAX; i++)
		s->src[i].tried = true;
	s->src[VMS_SRC_TASKS].error = -EACCES;

	for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
		add_object(s, &objs[i]);
	add_regions(s, regs, ARRAY_SIZE(regs));
	sum_objects(s);

	/* totals as the kernel would sum them */
	ru->have = 0;
	for (size_t i = 0; i < s->n_regions; i++) {
		const struct vms_region *r = &s->regions[i];

		vsize += vms_region_size(r);
		for (int m = 0; m < VMS_MEM__MAX; m++)
			if (m != VMS_MEM_SIZE && m != VMS_MEM_KERNEL_PAGE_SIZE &&
			    m != VMS_MEM_MMU_PAGE_SIZE)
				ru->v[m] += r->mem.v[m];
	}
	ru->have = (UINT32_C(1) << VMS_MEM_RSS) | (UINT32_C(1) << VMS_MEM_PSS) |
		   (UINT32_C(1) << VMS_MEM_PSS_DIRTY) | (UINT32_C(1) << VMS_MEM_SHARED_CLEAN) |
		   (UINT32_C(1) << VMS_MEM_SHARED_DIRTY) | (UINT32_C(1) << VMS_MEM_PRIVATE_CLEAN) |
		   (UINT32_C(1) << VMS_MEM_PRIVATE_DIRTY) | (UINT32_C(1) << VMS_MEM_SWAP) |
		   (UINT32_C(1) << VMS_MEM_ANONYMOUS);
	s->totals.rollup_start = s->regions[0].start;
	s->totals.rollup_end = s->regions[s->n_regions - 1].end;

	set_status(s, VMS_ST_VM_PEAK, vsize + M(4));
	set_status(s, VMS_ST_VM_SIZE, vsize);
	set_status(s, VMS_ST_VM_HWM, ru->v[VMS_MEM_RSS] + K(512));
	set_status(s, VMS_ST_VM_RSS, ru->v[VMS_MEM_RSS]);
	set_status(s, VMS_ST_RSS_ANON, K(3700));
	set_status(s, VMS_ST_RSS_FILE, K(3300));
	set_status(s, VMS_ST_RSS_SHMEM, K(256));
	set_status(s, VMS_ST_VM_PTE, K(120));
	set_status(s, VMS_ST_VM_SWAP, K(192));
	set_status(s, VMS_ST_VM_STK, K(132));
	s->totals.have_faults = true;
	s->totals.minflt = 1532;
	s->totals.majflt = 3;
	s->totals.cminflt = 1234567;
	s->totals.cmajflt = 0;

	add_thread(s, 4242, "server", 0x7ffd1c39f000, 1000, 3);
	add_thread(s, 4243, "work\x1b[31mer", 0x7f3a10d00000, 532, 0);
	/* the worker allocates from a thread arena (no region of the fixture
	 * is its heap: the writer and the loader carry the address as it is) */
	s->threads[s->n_threads - 1].arena = 0x7f3a18000030;
	/* what /proc/sysvipc/shm said of two segments (no region maps them:
	 * the writer and the loader carry them as they are) */
	s->sysv = calloc(2, sizeof(*s->sysv));
	s->sysv[0] = (struct vms_sysv){ 5, 0x63ac4, 1 << 20, 3, 0600, 4242, 4243, 999 };
	s->sysv[1] = (struct vms_sysv){ 6, 0, 4096, 1, 01644, 4242, 4242, 0 };
	s->n_sysv = s->alloc_sysv = 2;
	return s;
}

struct vms_snapshot *fixture_restricted(void)
{
	struct vms_snapshot *s = vms_snapshot_new();

	base_process(s);
	s->proc.pid = 1;
	s->proc.ppid = 0;
	s->proc.uid = 0;
	s->proc.comm = arena_strdup(s->arena, "systemd");
	s->proc.threads = 1;
	for (int i = 0; i < VMS_SRC__MAX; i++)
		s->src[i].tried = i != VMS_SRC_ELF;
	s->src[VMS_SRC_SMAPS].error = -EACCES;
	s->src[VMS_SRC_SMAPS_ROLLUP].error = -EACCES;
	s->src[VMS_SRC_EXE].error = -EACCES;
	s->src[VMS_SRC_TASKS].error = -EPERM;
	s->src[VMS_SRC_CMDLINE].error = -EBADMSG;
	set_status(s, VMS_ST_VM_SIZE, M(22));
	set_status(s, VMS_ST_VM_RSS, K(13000));
	set_status(s, VMS_ST_RSS_ANON, K(5000));
	set_status(s, VMS_ST_RSS_FILE, K(8000));
	set_status(s, VMS_ST_RSS_SHMEM, 0);
	set_status(s, VMS_ST_VM_SWAP, 0);
	return s;
}

struct vms_snapshot *fixture_kthread(void)
{
	struct vms_snapshot *s = vms_snapshot_new();

	base_process(s);
	s->proc.pid = 2;
	s->proc.ppid = 0;
	s->proc.comm = arena_strdup(s->arena, "kthreadd");
	s->proc.user = arena_strdup(s->arena, "root");
	s->proc.kernel_thread = true;
	s->proc.threads = 1;
	for (int i = 0; i < VMS_SRC__MAX; i++)
		s->src[i].tried = true;
	s->totals.have_faults = true;
	return s;
}
