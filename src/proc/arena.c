/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which threads allocate from each malloc arena, and which regions are
 * malloc's mmapped chunks, read from the process's memory through
 * /proc/<pid>/mem (which needs ptrace attach permission), where its pages
 * are in memory (src/proc/mem.c: a read would fault the others in).
 *
 * glibc keeps a thread's arena in its thread-local variable thread_arena,
 * a word of libc's block in the static TLS, which lies right below the
 * thread's TCB on x86-64 (the TCB is at the thread pointer). A thread
 * whose stack glibc allocated has its TCB (struct pthread) at the top of
 * that stack's mapping, known by its first and third words (tcb and self)
 * both pointing at it. A thread arena's malloc_state follows the heap_info
 * at the start of its first heap, whose first word (ar_ptr) points at it.
 *
 * thread_arena is then the word of the static TLS (bounded by the PT_TLS
 * sizes of the mapped objects) that holds a known arena's address: it must
 * be at one offset from the TCB in every thread where such a word is found,
 * and no other offset may be; otherwise nothing is said. A thread of the
 * main arena (the brk heap), and the main thread, whose TCB is not on its
 * stack, are not told.
 *
 * A request of malloc's mmap threshold or more (VMS_MALLOC_MMAP_MIN to begin
 * with) that the heap's free memory cannot serve gets a mapping of its own,
 * private and anonymous, that begins with its chunk's header: prev_size 0,
 * then the mapping's size with IS_MMAPPED of the three flag bits (never
 * PREV_INUSE or NON_MAIN_ARENA). The kernel merges adjacent ones into one
 * region, read chunk by chunk. (An aligned request's chunk begins past its
 * mapping's start, prev_size the gap: that region is not told.)
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/share.h"
#include "base/xalloc.h"

/* The top of a thread's stack mapping searched for its TCB. */
#define TCB_SCAN (16u << 10)
/* Static TLS larger than this is not searched. */
#define TLS_MAX (1u << 20)
/* glibc's chunk flags: the low three bits of its size */
#define CHUNK_FLAGS UINT64_C(7)
#define CHUNK_IS_MMAPPED UINT64_C(2)
/* Chunk headers read for one region at most, and for all of a process's:
 * two system calls each (pagemap, then mem). A process of 5,000 anonymous
 * regions of 256 KiB, none of them chunks, took 40 ms to report before the
 * chunks were looked for, 60 ms with 4,096 headers read, 45 ms with 1,024. */
#define CHUNKS_REGION_MAX 1024
#define CHUNKS_READS_MAX 1024

struct candidate {
	size_t thread;
	uint64_t offset; /* below the TCB */
	uint64_t arena;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_offset(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->thread < y->thread ? -1 : x->thread > y->thread;
}

/* The bytes of static TLS the objects' PT_TLS blocks can take, at most. */
static uint64_t static_tls_bound(const struct vms_snapshot *snap)
{
	uint64_t sum = 0;

	for (size_t o = 0; o < snap->n_objects; o++) {
		const struct vms_object *obj = &snap->objects[o];
		uint64_t align = obj->tls_align ? obj->tls_align : 1;

		if (!obj->tls_memsz)
			continue;
		if (obj->tls_memsz > TLS_MAX || align > TLS_MAX)
			return 0;
		sum += obj->tls_memsz + 2 * align;
		if (sum > TLS_MAX)
			return 0;
	}
	return sum & ~UINT64_C(7);
}

/* The address of the TCB in the last TCB_SCAN bytes of the n words at
 * base (buf), or 0. */
static uint64_t find_tcb(const uint64_t *buf, uint64_t base, size_t n)
{
	size_t first = n > TCB_SCAN / 8 ? n - TCB_SCAN / 8 : 0;

	for (size_t i = n - 3 + 1; i-- > first;) {
		uint64_t x = base + i * 8;

		if (buf[i] == x && buf[i + 2] == x)
			return x;
	}
	return 0;
}

/*
 * Arena addresses found in the static TLS below the thread's TCB. The top
 * of the thread's stack mapping is read once, its last TCB_SCAN bytes (where
 * the TCB is) and the tls bytes below them, which hold the static TLS below
 * any TCB found there: two reads of the process's memory a thread were one
 * too many (each a pagemap read and a mem read).
 */
static void thread_candidates(const struct vms_procmem *m, const struct vms_snapshot *snap, size_t t, uint64_t tls,
			      const uint64_t *arenas, size_t n_arenas, uint64_t *buf,
			      struct candidate **cands, size_t *n, size_t *alloc)
{
	const struct vms_region *r = &snap->regions[snap->threads[t].region];
	uint64_t len = r->end - r->start < TCB_SCAN + tls ? r->end - r->start : TCB_SCAN + tls;
	uint64_t base = r->end - len, tcb, lo;

	if (len / 8 < 3 || vms_procmem_read_anon(m, base, buf, len) < 0)
		return;
	tcb = find_tcb(buf, base, len / 8);
	if (!tcb)
		return;
	/* tcb is in the last TCB_SCAN bytes: lo is base or above */
	lo = tcb - r->start < tls ? r->start : tcb - tls;
	for (uint64_t at = lo; at < tcb; at += 8) {
		const uint64_t *w = &buf[(at - base) / 8];

		if (!bsearch(w, arenas, n_arenas, sizeof(*arenas), cmp_u64))
			continue;
		ARRAY_GROW(*cands, *n + 1, *alloc);
		(*cands)[(*n)++] = (struct candidate){ t, tcb - at, *w };
	}
}

/* The offset every thread with a candidate has one at, when only one is. */
static bool pick_offset(struct candidate *c, size_t n, size_t n_threads, uint64_t *ret)
{
	size_t threads = 0, found = 0;
	bool *seen = xcalloc(n_threads ? n_threads : 1, sizeof(*seen));

	for (size_t i = 0; i < n; i++)
		if (!seen[c[i].thread]) {
			seen[c[i].thread] = true;
			threads++;
		}
	free(seen);
	ARRAY_SORT(c, n, cmp_offset);
	for (size_t i = 0; i < n;) {
		size_t j = i, count = 0;

		for (; j < n && c[j].offset == c[i].offset; j++)
			count += j == i || c[j].thread != c[j - 1].thread;
		if (count == threads) {
			found++;
			*ret = c[i].offset;
		}
		i = j;
	}
	return threads > 0 && found == 1;
}

size_t vms_malloc_mmap_chunks(const struct vms_mem_reader *m, uint64_t start, uint64_t end,
			      uint64_t page_size, size_t max_chunks, size_t *reads)
{
	size_t n = 0;

	if (page_size == 0)
		return 0;
	for (uint64_t at = start; at < end; n++) {
		uint64_t head[2], size;

		if (n == max_chunks)
			return 0;
		(*reads)++;
		if (m->read(m->ctx, at, head, sizeof(head)) < 0)
			return 0;
		size = head[1] & ~CHUNK_FLAGS;
		if (head[0] != 0 || (head[1] & CHUNK_FLAGS) != CHUNK_IS_MMAPPED || size == 0 ||
		    size % page_size != 0 || size > end - at)
			return 0;
		at += size;
	}
	return n;
}

/* The regions that may be mmapped chunks (model_classify counted them) that are. */
static void find_malloc_mmaps(struct vms_procmem *pm, struct vms_snapshot *snap)
{
	struct vms_mem_reader m = { .read = vms_procmem_read, .ctx = pm };
	size_t reads = 0;

	for (size_t i = 0, seen = 0; i < snap->n_regions && seen < snap->chunk_candidates &&
				     reads < CHUNKS_READS_MAX;
	     i++) {
		struct vms_region *r = &snap->regions[i];

		if (!vms_region_may_be_malloc_mmap(r))
			continue;
		seen++;
		if (vms_malloc_mmap_chunks(&m, r->start, r->end, pm->page_size, CHUNKS_REGION_MAX,
					   &reads))
			r->kind = VMS_KIND_MALLOC_MMAP;
	}
}

/*
 * The threads' TCBs and static TLS, read on two threads when there are many
 * (base/share.h): a read of the process's memory a thread (a pagemap read
 * and a mem read); a JVM of 1,000 threads was 4,400 of them, with two.
 * Each thread has its buffer and its candidates.
 */
struct tls_share {
	const struct vms_procmem *m;
	const struct vms_snapshot *snap;
	uint64_t tls;
	const uint64_t *arenas;
	size_t n_arenas;
	size_t *threads; /* the threads on a thread stack */
	uint64_t *buf[2];
	struct {
		struct candidate *cands;
		size_t n, alloc;
	} c[2];
};

static void tls_one(void *ctx, size_t i, bool other)
{
	struct tls_share *s = ctx;
	int w = other;

	thread_candidates(s->m, s->snap, s->threads[i], s->tls, s->arenas, s->n_arenas, s->buf[w],
			  &s->c[w].cands, &s->c[w].n, &s->c[w].alloc);
}

void vms_collect_arenas(int pid_dirfd, struct vms_snapshot *snap)
{
	uint64_t *arenas = NULL, tls, offset = 0;
	size_t n_arenas = 0, alloc_arenas = 0, n = 0, n_stacks = 0;
	struct candidate *cands = NULL;
	struct tls_share ts;
	struct share items = { .item = tls_one, .ctx = &ts };
	struct vms_procmem m;
	int err;

	for (size_t t = 0; t < snap->n_threads; t++)
		snap->threads[t].arena = 0;
	/* counted by the model: no walk over the regions of a process without */
	if (snap->arena_regions == 0 && snap->chunk_candidates == 0)
		return;
	snap->src[VMS_SRC_MEM].tried = true;
	err = vms_procmem_open(pid_dirfd, &m);
	if (err < 0) {
		snap->src[VMS_SRC_MEM].error = err;
		return;
	}
	if (snap->chunk_candidates)
		find_malloc_mmaps(&m, snap);
	for (size_t i = 0, seen = 0; i < snap->n_regions && seen < snap->arena_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		uint64_t ar_ptr;

		if (r->kind != VMS_KIND_ARENA)
			continue;
		seen++;
		if (vms_procmem_read(&m, r->start, &ar_ptr, sizeof(ar_ptr)) < 0 ||
		    ar_ptr != r->start + VMS_GLIBC_HEAP_INFO_SIZE)
			continue;
		ARRAY_GROW(arenas, n_arenas + 1, alloc_arenas);
		arenas[n_arenas++] = ar_ptr;
	}
	/* no arena (a process read for its chunks alone): no TLS bound either */
	if (n_arenas == 0)
		goto out;
	tls = static_tls_bound(snap);
	if (tls == 0)
		goto out;
	ARRAY_SORT(arenas, n_arenas, cmp_u64);
	ts = (struct tls_share){ .m = &m, .snap = snap, .tls = tls, .arenas = arenas,
				 .n_arenas = n_arenas };
	ts.threads = xreallocarray(NULL, snap->n_threads ? snap->n_threads : 1, sizeof(*ts.threads));
	for (size_t t = 0; t < snap->n_threads; t++) {
		const struct vms_thread *th = &snap->threads[t];

		if (th->region >= 0 && (size_t)th->region < snap->n_regions &&
		    snap->regions[th->region].kind == VMS_KIND_THREAD_STACK)
			ts.threads[n_stacks++] = t;
	}
	for (int w = 0; w < 2; w++)
		ts.buf[w] = xmalloc(TCB_SCAN + tls);
	(void)share_run(&items, n_stacks, share_worth(n_stacks));
	/* the other thread's after this one's: pick_offset sorts them */
	ARRAY_GROW(ts.c[0].cands, ts.c[0].n + ts.c[1].n, ts.c[0].alloc);
	if (ts.c[1].n)
		memcpy(ts.c[0].cands + ts.c[0].n, ts.c[1].cands, ts.c[1].n * sizeof(*ts.c[1].cands));
	ts.c[0].n += ts.c[1].n;
	cands = ts.c[0].cands;
	n = ts.c[0].n;
	if (pick_offset(cands, n, snap->n_threads, &offset))
		for (size_t i = 0; i < n; i++)
			if (cands[i].offset == offset)
				snap->threads[cands[i].thread].arena = cands[i].arena;
	free(ts.c[1].cands);
	free(ts.buf[0]);
	free(ts.buf[1]);
	free(ts.threads);
out:
	free(cands);
	free(arenas);
	vms_procmem_close(&m);
}
