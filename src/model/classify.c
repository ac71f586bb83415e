/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kind of every region, from its maps line, the program headers of the
 * object it maps, the threads' stack pointers and its neighbours.
 *
 * A region of an ELF object is given a segment kind only when it is what the
 * loader makes of a PT_LOAD header: private, inside the segment's image, and
 * at the load bias the object's other regions agree on. Anything else of a
 * file (the program's own mmap of it, an object whose headers could not be
 * read) is `file`: never a guess.
 *
 * PROT_NONE is a guard only right below a stack and no larger than it (the
 * guard glibc or a JVM puts under a thread's stack); any other is reserved
 * address space: a JVM's class space and code cache, V8's cage, the rest of
 * a malloc heap, the loader's holes between segments.
 *
 * A malloc arena is found by glibc's layout alone: a thread arena's heap is
 * HEAP_MAX_SIZE (64 MiB on 64-bit) at an address aligned to it, mapped
 * PROT_NONE, and grown by making its start read-write. So an anonymous rw-p
 * region at a 64 MiB boundary, followed by a PROT_NONE one that ends 64 MiB
 * after that boundary, is such a heap (vmscope(1) says so).
 */
#include "config.h"

#include "vmscope/model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "model/model-internal.h"

/* ELF values; the model does not include the ELF headers (only src/elf). */
enum {
	MODEL_ET_EXEC = 2,
	MODEL_ET_DYN = 3,
	MODEL_PF_X = 1,
	MODEL_PF_W = 2,
	MODEL_PF_R = 4,
	MODEL_ELFCLASS64 = 2,
};

/* glibc's HEAP_MAX_SIZE on 64-bit: 2 * DEFAULT_MMAP_THRESHOLD_MAX */
#define ARENA_HEAP_SIZE (UINT64_C(64) << 20)
/* the name glibc 2.39+ gives a heap with glibc.mem.decorate_maps */
#define ARENA_NAME "[anon: glibc: malloc arena]"

/* The first regions of an object that vote for its load bias. */
#define VOTE_REGIONS 64
/* More PT_LOAD headers than any loader accepts: facts from a bad snapshot file. */
#define SEGMENTS_MAX 4096

#define PERM_RWX (VMS_PERM_READ | VMS_PERM_WRITE | VMS_PERM_EXEC)

static uint64_t page_size_of(const struct vms_snapshot *snap)
{
	uint64_t ps = snap->host.page_size;

	if (ps < 4096 || (ps & (ps - 1)))
		return 4096;
	return ps;
}

/* round_up(a + b, page), or false when that does not fit in 64 bits. */
static bool end_round_up(uint64_t a, uint64_t b, uint64_t page, uint64_t *ret)
{
	uint64_t end;

	if (b > UINT64_MAX - a)
		return false;
	end = a + b;
	if (end > UINT64_MAX - (page - 1))
		return false;
	*ret = (end + page - 1) & ~(page - 1);
	return true;
}

static bool object_loadable(const struct vms_object *o)
{
	return o->is_elf && o->elf_error == 0 && o->segments && o->n_segments > 0 &&
	       o->n_segments <= SEGMENTS_MAX &&
	       (o->elf_type == MODEL_ET_EXEC || o->elf_type == MODEL_ET_DYN);
}

/*
 * Whether r can be the loader's mapping of segment s: the segment's
 * page-aligned file range holds r's offset, and r lies within the segment's
 * memory image. *ret_bias is then the load bias r implies.
 */
static bool segment_fits(const struct vms_region *r, const struct vms_segment *s, uint64_t page,
			 uint64_t *ret_bias)
{
	uint64_t mask = page - 1;
	uint64_t aoff = s->offset & ~mask, avaddr = s->vaddr & ~mask;
	uint64_t file_len = (s->offset - aoff) + s->filesz;
	uint64_t delta, image_end, image, size = r->end - r->start;

	if (s->filesz == 0 || file_len < s->filesz || r->offset < aoff || r->end < r->start)
		return false;
	delta = r->offset - aoff;
	if (delta >= file_len)
		return false;
	if (!end_round_up(s->vaddr, s->memsz, page, &image_end))
		return false;
	image = image_end - avaddr;
	if (delta > image || size > image - delta)
		return false;
	*ret_bias = r->start - (avaddr + delta);
	return true;
}

/* 2: the permissions are the segment's; 1: a subset (RELRO, a gap); 0: neither. */
static int perm_score(uint8_t perms, uint32_t flags)
{
	uint32_t want = (perms & VMS_PERM_READ ? MODEL_PF_R : 0) |
			(perms & VMS_PERM_WRITE ? MODEL_PF_W : 0) |
			(perms & VMS_PERM_EXEC ? MODEL_PF_X : 0);

	flags &= MODEL_PF_R | MODEL_PF_W | MODEL_PF_X;
	if (want == flags)
		return 2;
	if ((want & ~flags) == 0)
		return 1;
	return 0;
}

struct vote {
	uint64_t bias;
	size_t region;
	int score;
};

static int cmp_vote(const void *a, const void *b)
{
	const struct vote *x = a, *y = b;

	if (x->bias != y->bias)
		return x->bias < y->bias ? -1 : 1;
	if (x->region != y->region)
		return x->region < y->region ? -1 : 1;
	return y->score - x->score;
}

/*
 * The load bias of object o: the one that explains most of its first
 * regions (then the best permission match, then the lowest). A non-PIE
 * executable is loaded where its headers say. regs: o's regions, ascending.
 */
static bool object_bias(const struct vms_snapshot *snap, const struct vms_object *o,
			const size_t *regs, size_t n_regs, uint64_t page, uint64_t *ret)
{
	size_t n = n_regs < VOTE_REGIONS ? n_regs : VOTE_REGIONS, n_votes = 0;
	size_t best_count = 0;
	long best_score = -1;
	uint64_t best = 0;
	struct vote *votes;

	if (o->elf_type == MODEL_ET_EXEC) {
		*ret = 0;
		return true;
	}
	if (n == 0)
		return false;
	votes = xreallocarray(NULL, n * (size_t)o->n_segments, sizeof(*votes));
	for (size_t k = 0; k < n; k++) {
		const struct vms_region *r = &snap->regions[regs[k]];

		if (r->perms & VMS_PERM_SHARED)
			continue;
		for (uint32_t s = 0; s < o->n_segments; s++) {
			uint64_t bias;

			if (segment_fits(r, &o->segments[s], page, &bias))
				votes[n_votes++] = (struct vote){ bias, regs[k],
								  perm_score(r->perms, o->segments[s].flags) };
		}
	}
	ARRAY_SORT(votes, n_votes, cmp_vote);
	for (size_t i = 0; i < n_votes;) {
		size_t j = i, count = 0;
		long score = 0;

		for (; j < n_votes && votes[j].bias == votes[i].bias; j++) {
			/* the first vote of a region is its best */
			if (j == i || votes[j].region != votes[j - 1].region) {
				count++;
				score += votes[j].score;
			}
		}
		if (count > best_count || (count == best_count && score > best_score)) {
			best_count = count;
			best_score = score;
			best = votes[i].bias;
		}
		i = j;
	}
	free(votes);
	if (best_count == 0)
		return false;
	*ret = best;
	return true;
}

/* The segment r maps at load bias `bias`, or -1. */
static int32_t match_segment(const struct vms_region *r, const struct vms_object *o, uint64_t bias,
			     uint64_t page)
{
	int32_t best = -1;
	int best_score = -1;

	if (r->perms & VMS_PERM_SHARED)
		return -1;
	for (uint32_t s = 0; s < o->n_segments; s++) {
		uint64_t b;
		int score;

		if (!segment_fits(r, &o->segments[s], page, &b) || b != bias)
			continue;
		score = perm_score(r->perms, o->segments[s].flags);
		if (score > best_score) {
			best_score = score;
			best = (int32_t)s;
		}
	}
	return best;
}

static bool overlaps(const struct vms_region *r, uint64_t lo, uint64_t len)
{
	uint64_t hi = len > UINT64_MAX - lo ? UINT64_MAX : lo + len;

	return len > 0 && r->start < hi && lo < r->end;
}

static enum vms_kind segment_kind(const struct vms_region *r, const struct vms_object *o,
				  uint64_t bias)
{
	if (!(r->perms & PERM_RWX))
		return VMS_KIND_RESERVED; /* a hole the loader left between segments */
	if (r->perms & VMS_PERM_WRITE)
		return VMS_KIND_DATA;
	if (r->perms & VMS_PERM_EXEC)
		return VMS_KIND_TEXT;
	/* RELRO is page-aligned by the loader, so a region overlapping its
	 * exact byte range is the RELRO mapping. */
	if (o->relro_memsz && overlaps(r, bias + o->relro_vaddr, o->relro_memsz))
		return VMS_KIND_RELRO;
	return VMS_KIND_RODATA;
}

/*
 * Whether r lies within the address span the loader reserved for o: from
 * its lowest segment to the end of its highest. Segments are aligned more
 * coarsely than pages (2 MiB on some builds); the loader maps the whole
 * span from the first segment and makes the holes inaccessible, so a hole
 * has a file offset that no segment holds.
 */
static bool within_load_span(const struct vms_region *r, const struct vms_object *o,
			     uint64_t bias, uint64_t page)
{
	uint64_t lo = UINT64_MAX, hi = 0, off;

	for (uint32_t s = 0; s < o->n_segments; s++) {
		const struct vms_segment *seg = &o->segments[s];
		uint64_t end;

		if (!end_round_up(seg->vaddr, seg->memsz, page, &end))
			return false;
		if ((seg->vaddr & ~(page - 1)) < lo)
			lo = seg->vaddr & ~(page - 1);
		if (end > hi)
			hi = end;
	}
	if (lo >= hi || r->end < r->start)
		return false;
	/* modular: a prelinked object loaded below its vaddr has a "negative" bias */
	off = r->start - (bias + lo);
	return off <= hi - lo && r->end - r->start <= hi - lo - off;
}

static bool is_shm_name(const struct vms_region *r)
{
	const char *name = model_region_name(r);

	if (vms_region_shm_type(r) != VMS_SHM_NONE)
		return true;
	return model_startswith(name, "/SYSV") || model_startswith(name, "/dev/shm/");
}

/* A [pseudo] name of the kernel. */
static enum vms_kind pseudo_kind(struct vms_region *r)
{
	const char *name = model_region_name(r);

	if (strcmp(name, "[heap]") == 0)
		return VMS_KIND_HEAP;
	if (strcmp(name, "[stack]") == 0)
		return VMS_KIND_STACK;
	if (strcmp(name, "[vdso]") == 0)
		return VMS_KIND_VDSO;
	if (strcmp(name, "[vvar]") == 0 || strcmp(name, "[vvar_vclock]") == 0)
		return VMS_KIND_VVAR;
	if (strcmp(name, "[vsyscall]") == 0)
		return VMS_KIND_VSYSCALL;
	if (model_startswith(name, "[anon_shmem:"))
		return VMS_KIND_SHM;
	if (model_startswith(name, "[stack:")) {
		/* kernels before 4.5 named thread stacks [stack:<tid>] */
		long tid = 0;
		const char *p = name + strlen("[stack:");

		for (; *p >= '0' && *p <= '9' && tid < INT32_MAX / 10; p++)
			tid = tid * 10 + (*p - '0');
		if (*p == ']' && p[1] == '\0' && tid > 0) {
			r->tid = (int32_t)tid;
			return VMS_KIND_THREAD_STACK;
		}
	}
	return VMS_KIND_OTHER;
}

/* "" or [anon:name]: anonymous memory, private or shared. */
static bool is_anon_memory(const struct vms_region *r)
{
	const char *name = model_region_name(r);

	return !model_region_is_file(r) && (name[0] == '\0' || model_startswith(name, "[anon:"));
}

struct classify_state {
	struct vms_snapshot *snap;
	uint64_t page;
	uint64_t *bias;  /* per object */
	bool *bias_ok;   /* per object */
	int32_t *seg;    /* per region: the segment it maps, -1 */
};

static enum vms_kind base_kind(struct classify_state *cs, size_t i)
{
	struct vms_snapshot *snap = cs->snap;
	struct vms_region *r = &snap->regions[i];

	if (is_anon_memory(r)) {
		if (r->perms & VMS_PERM_SHARED)
			return VMS_KIND_SHM;
		if (!(r->perms & PERM_RWX))
			return VMS_KIND_RESERVED; /* a guard only below a stack: find_guards */
		return VMS_KIND_ANON;
	}
	if (!model_region_is_file(r))
		return pseudo_kind(r);

	if (r->object >= 0 && cs->bias_ok[r->object]) {
		const struct vms_object *o = &snap->objects[r->object];
		int32_t s = match_segment(r, o, cs->bias[r->object], cs->page);

		if (s >= 0) {
			cs->seg[i] = s;
			return segment_kind(r, o, cs->bias[r->object]);
		}
		if (!(r->perms & (PERM_RWX | VMS_PERM_SHARED)) &&
		    within_load_span(r, o, cs->bias[r->object], cs->page))
			return VMS_KIND_RESERVED; /* the loader's PROT_NONE hole between segments */
	}
	if (is_shm_name(r))
		return VMS_KIND_SHM;
	return VMS_KIND_FILE;
}

/* Each object's load bias, from the first regions on its list in g. */
static void compute_biases(struct classify_state *cs, const struct model_groups *g)
{
	struct vms_snapshot *snap = cs->snap;

	for (size_t o = 0; o < snap->n_objects; o++) {
		struct vms_object *obj = &snap->objects[o];
		size_t regs[VOTE_REGIONS], n = 0;

		for (uint32_t i = g->first[o]; i != MODEL_NO_REGION && n < VOTE_REGIONS; i = g->next[i])
			regs[n++] = i;
		cs->bias_ok[o] = object_loadable(obj) &&
				 object_bias(snap, obj, regs, n, cs->page, &cs->bias[o]);
		/* kept for placing sections and naming addresses */
		obj->have_bias = cs->bias_ok[o];
		obj->load_bias = cs->bias_ok[o] ? cs->bias[o] : 0;
	}
}

/*
 * The anonymous tail of a segment whose p_memsz exceeds its p_filesz: the
 * region after regions[i], once both have their base kind.
 */
static void find_bss(struct classify_state *cs, size_t i)
{
	struct vms_snapshot *snap = cs->snap;
	struct vms_region *r = &snap->regions[i], *next = &snap->regions[i + 1];
	const struct vms_object *o;
	const struct vms_segment *s;
	uint64_t seg_end;

	if (cs->seg[i] < 0 || (r->kind != VMS_KIND_DATA && r->kind != VMS_KIND_RELRO))
		return;
	o = &snap->objects[r->object];
	s = &o->segments[cs->seg[i]];
	if (s->memsz <= s->filesz || !(s->flags & MODEL_PF_W))
		return;
	if (next->kind != VMS_KIND_ANON || model_region_name(next)[0] != '\0' ||
	    next->start != r->end)
		return;
	/* A region starting at the rounded end is past the segment: the
	 * .bss then fit in the last file page and this is something else. */
	if (!end_round_up(cs->bias[r->object] + s->vaddr, s->memsz, cs->page, &seg_end))
		return;
	if (next->start < seg_end) {
		next->kind = VMS_KIND_BSS;
		next->object = r->object;
	}
}

static int cmp_hit(const void *a, const void *b, void *arg)
{
	const struct vms_snapshot *snap = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int32_t rx = snap->threads[x].region, ry = snap->threads[y].region;

	if (rx != ry)
		return (rx > ry) - (rx < ry);
	return (x > y) - (x < y);
}

/*
 * The threads whose stack pointer is in a region, by region and then in
 * thread order; each thread's region set (-1 when its stack pointer is
 * unknown or in no region). Returns how many, in *ret (caller frees).
 */
static size_t threads_by_region(struct vms_snapshot *snap, size_t **ret)
{
	size_t *hits = xreallocarray(NULL, snap->n_threads ? snap->n_threads : 1, sizeof(*hits));
	size_t n = 0;
	bool sorted = true;

	for (size_t t = 0; t < snap->n_threads; t++) {
		struct vms_thread *th = &snap->threads[t];
		const struct vms_region *hit = th->sp ? vms_snapshot_find(snap, th->sp) : NULL;

		th->region = hit ? (int32_t)(hit - snap->regions) : -1;
		if (!hit)
			continue;
		if (n && snap->threads[hits[n - 1]].region > th->region)
			sorted = false;
		hits[n++] = t;
	}
	/* by region, then in thread order (a sort, not insertion: the threads'
	 * stacks lie from high addresses down as they are made, so 1,000
	 * threads were 500,000 moves) */
	if (!sorted)
		qsort_r(hits, n, sizeof(*hits), cmp_hit, snap);
	*ret = hits;
	return n;
}

/* A thread's stack pointer in region r: [stack] or anonymous memory is its stack. */
static void thread_stack(struct vms_region *r, const struct vms_thread *th)
{
	if (r->kind == VMS_KIND_STACK) {
		if (!r->tid)
			r->tid = th->tid;
	} else if (r->kind == VMS_KIND_ANON) {
		/* the first thread found there names it (user-level threads
		 * may share one) */
		r->kind = VMS_KIND_THREAD_STACK;
		r->tid = th->tid;
	}
}

/*
 * Whether the program is 64-bit: its own object says so, or (without its
 * ELF facts) a mapping lies above 4 GiB, which a 32-bit one cannot have
 * ([vsyscall] aside).
 */
static bool program_is_64bit(const struct vms_snapshot *snap)
{
	for (size_t o = 0; o < snap->n_objects; o++) {
		const struct vms_object *obj = &snap->objects[o];

		if (obj->is_main && obj->is_elf && obj->elf_error == 0)
			return obj->elf_class == MODEL_ELFCLASS64;
	}
	for (size_t i = snap->n_regions; i-- > 0;) {
		const struct vms_region *r = &snap->regions[i];

		/* by name: before the regions have their kinds */
		if (model_region_is_file(r) || strcmp(model_region_name(r), "[vsyscall]") != 0)
			return r->end > (UINT64_C(1) << 32);
	}
	return false;
}

/* regions[i], the rw-p start of a glibc heap with its PROT_NONE rest after it. */
static void find_arena(struct vms_snapshot *snap, size_t i)
{
	struct vms_region *r = &snap->regions[i];
	const struct vms_region *rest = &snap->regions[i + 1];
	const char *name = model_region_name(r);

	if (r->kind != VMS_KIND_ANON || (name[0] && strcmp(name, ARENA_NAME) != 0) ||
	    r->perms != (VMS_PERM_READ | VMS_PERM_WRITE) || r->start % ARENA_HEAP_SIZE ||
	    vms_region_size(r) >= ARENA_HEAP_SIZE)
		return;
	if (rest->kind != VMS_KIND_RESERVED || rest->start != r->end || model_region_is_file(rest) ||
	    rest->end - r->start != ARENA_HEAP_SIZE)
		return;
	name = model_region_name(rest);
	if (!name[0] || strcmp(name, ARENA_NAME) == 0) {
		r->kind = VMS_KIND_ARENA;
		snap->arena_regions++;
	}
}

/* regions[i], settled: one that may hold malloc's mmapped chunks (vms_collect_arenas,
 * which reads the 64-bit layout: called for a 64-bit program). */
static void count_chunk_candidate(struct vms_snapshot *snap, size_t i)
{
	if (vms_region_may_be_malloc_mmap(&snap->regions[i]))
		snap->chunk_candidates++;
}

/* regions[i], anonymous PROT_NONE right below a stack and no larger than it: its guard. */
static void find_guard(struct vms_snapshot *snap, size_t i)
{
	struct vms_region *r = &snap->regions[i];
	const struct vms_region *stack = &snap->regions[i + 1];

	if (r->kind == VMS_KIND_RESERVED && !model_region_is_file(r) && stack->start == r->end &&
	    (stack->kind == VMS_KIND_STACK || stack->kind == VMS_KIND_THREAD_STACK) &&
	    vms_region_size(r) <= vms_region_size(stack))
		r->kind = VMS_KIND_GUARD;
}

/*
 * The kernel names every shared memory object it made itself a deleted
 * file: shared anonymous memory "/dev/zero (deleted)", a memfd
 * "/memfd:NAME (deleted)", a SysV segment "/SYSVkkkkkkkk (deleted)" whether
 * or not it is marked for removal. None is a deleted file: a SysV segment is
 * deleted when it is marked for removal, the others never.
 */
static void settle_deleted(struct vms_snapshot *snap, size_t i)
{
	struct vms_region *r = &snap->regions[i];
	const struct vms_sysv *seg;

	switch (vms_region_shm_type(r)) {
	case VMS_SHM_ANON:
	case VMS_SHM_MEMFD:
		r->deleted = false;
		break;
	case VMS_SHM_SYSV:
		seg = vms_snapshot_sysv(snap, r);
		r->deleted = seg && (seg->mode & VMS_SYSV_DEST);
		break;
	default:
		return;
	}
	if (r->object >= 0)
		snap->objects[r->object].deleted = r->deleted;
}

/*
 * regions[i], whose kind and the next one's are known but for what this
 * makes of them: a malloc arena, a guard. An arena's rest is looked at
 * before it can become a guard, and a guard needs a stack, which this
 * makes none of, so a walk in address order gives the answers of one that
 * finds all arenas first.
 */
static void settle_pair(struct vms_snapshot *snap, size_t i, bool arenas)
{
	if (arenas)
		find_arena(snap, i);
	find_guard(snap, i);
}

/* Arenas, guards and shared memory that is not deleted, for regions that have their kinds. */
static void settle_neighbours(struct vms_snapshot *snap)
{
	bool arenas = program_is_64bit(snap);

	snap->arena_regions = 0;
	for (size_t i = 0; i < snap->n_regions; i++) {
		if (i + 1 < snap->n_regions)
			settle_pair(snap, i, arenas);
		settle_deleted(snap, i);
	}
}

/*
 * The lists of regions of each object, for a snapshot whose links were not
 * made here (one read back from JSON): a link to no object, or from a
 * region that maps no file, is dropped; the .bss links are made again.
 */
static void link_regions(struct vms_snapshot *snap, struct model_groups *g)
{
	g->first = xreallocarray(NULL, snap->n_objects ? snap->n_objects : 1, sizeof(*g->first));
	g->last = xreallocarray(NULL, snap->n_objects ? snap->n_objects : 1, sizeof(*g->last));
	g->next = xreallocarray(NULL, snap->n_regions ? snap->n_regions : 1, sizeof(*g->next));
	for (size_t o = 0; o < snap->n_objects; o++)
		g->first[o] = MODEL_NO_REGION;
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *r = &snap->regions[i];

		if (!model_region_is_file(r) || !vms_region_object(snap, r))
			r->object = -1;
		else
			model_groups_link(g, i, (size_t)r->object);
	}
}

void model_classify(struct vms_snapshot *snap, const struct model_groups *g,
		    model_region_done *done, void *ctx)
{
	struct classify_state cs = {
		.snap = snap,
		.page = page_size_of(snap),
	};
	struct model_groups own = { 0 };
	size_t n = snap->n_regions, n_hits, *hits;
	bool arenas;

	if (!g) {
		link_regions(snap, &own);
		g = &own;
	}
	cs.bias = xcalloc(snap->n_objects ? snap->n_objects : 1, sizeof(*cs.bias));
	cs.bias_ok = xcalloc(snap->n_objects ? snap->n_objects : 1, sizeof(*cs.bias_ok));
	cs.seg = xreallocarray(NULL, n ? n : 1, sizeof(*cs.seg));
	memset(cs.seg, 0xff, n * sizeof(*cs.seg)); /* -1: no segment */

	compute_biases(&cs, g);
	model_groups_release(&own);
	n_hits = threads_by_region(snap, &hits);
	arenas = program_is_64bit(snap);
	snap->arena_regions = 0;
	snap->chunk_candidates = 0;
	/*
	 * One walk in address order, each step in the order the answers need:
	 * a region's base kind (a snapshot read back has one: made again); the
	 * .bss after the region before; the threads whose stack is here; [stack]
	 * as the main thread's, whose tid is the pid, also when its stack
	 * pointer could not be read (it was running); then the region before
	 * settled against this one (settle_pair), and this one's deleted flag.
	 */
	for (size_t i = 0, h = 0; i < n; i++) {
		struct vms_region *r = &snap->regions[i];

		vms_region_prefetch_write(snap->regions, n, i);
		r->tid = 0;
		r->kind = base_kind(&cs, i);
		if (i > 0)
			find_bss(&cs, i - 1);
		for (; h < n_hits && (size_t)snap->threads[hits[h]].region == i; h++)
			thread_stack(r, &snap->threads[hits[h]]);
		if (r->kind == VMS_KIND_STACK && !r->tid && snap->proc.pid > 0)
			r->tid = snap->proc.pid;
		if (i > 0) {
			settle_pair(snap, i - 1, arenas);
			/* nothing after this step changes region i - 1 */
			if (arenas)
				count_chunk_candidate(snap, i - 1);
			if (done)
				done(ctx, snap, i - 1);
		}
		settle_deleted(snap, i);
	}
	if (n > 0 && arenas)
		count_chunk_candidate(snap, n - 1);
	if (n > 0 && done)
		done(ctx, snap, n - 1);
	free(hits);

	free(cs.seg);
	free(cs.bias_ok);
	free(cs.bias);
}

void vms_model_classify(struct vms_snapshot *snap)
{
	model_classify(snap, NULL, NULL, NULL);
}

void vms_model_upgrade_v1(struct vms_snapshot *snap)
{
	for (size_t i = 0; i < snap->n_regions; i++)
		if (snap->regions[i].kind == VMS_KIND_GUARD)
			snap->regions[i].kind = VMS_KIND_RESERVED;
	settle_neighbours(snap);
}
