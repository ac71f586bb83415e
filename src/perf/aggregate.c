/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attribution of fault samples, streamed: a fault-heavy process gives a
 * million samples a second, so samples are counted as they come (per region
 * of the first snapshot, per instruction, per thread, per second) and only
 * those outside every region known at the start are kept, up to a cap, to be
 * placed at the end in a snapshot taken then.
 */
#include "config.h"

#include "vmscope/faults.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* Tallies keyed by a 64-bit value (an instruction address, a tid). */
struct tally_map {
	uint64_t *keys;
	struct vms_fault_tally *vals;
	bool *used;
	size_t n, cap; /* cap: a power of two, or 0 */
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static struct vms_fault_tally *tally_slot(struct tally_map *m, uint64_t key);

static void tally_grow(struct tally_map *m)
{
	struct tally_map old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->n = 0;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	m->used = xcalloc(m->cap, sizeof(*m->used));
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			*tally_slot(m, old.keys[i]) = old.vals[i];
	free(old.keys);
	free(old.vals);
	free(old.used);
}

static struct vms_fault_tally *tally_slot(struct tally_map *m, uint64_t key)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3)
		tally_grow(m);
	for (i = hash64(key) & (m->cap - 1); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return &m->vals[i];
	m->used[i] = true;
	m->keys[i] = key;
	m->n++;
	return &m->vals[i];
}

static void tally_release(struct tally_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static void tally_add(struct vms_fault_tally *t, bool major)
{
	if (major)
		t->majflt++;
	else
		t->minflt++;
}

static uint64_t tally_sum(const struct vms_fault_tally *t)
{
	return t->minflt + t->majflt;
}

struct vms_fault_agg {
	const struct vms_snapshot *first;
	uint64_t start_ns;
	struct vms_fault_tally *first_regions; /* parallel to first->regions */
	struct tally_map sites, threads;
	struct vms_fault_tally *seconds;
	size_t n_seconds, alloc_seconds;
	struct vms_fault_sample *pending;
	size_t n_pending, alloc_pending, max_pending;
	struct vms_fault_tally total;
	uint64_t dropped;
};

struct vms_fault_agg *vms_fault_agg_new(const struct vms_snapshot *first, uint64_t start_ns,
					size_t max_pending)
{
	struct vms_fault_agg *agg = xcalloc(1, sizeof(*agg));

	agg->first = first;
	agg->start_ns = start_ns;
	agg->max_pending = max_pending;
	if (first && first->n_regions)
		agg->first_regions = xcalloc(first->n_regions, sizeof(*agg->first_regions));
	return agg;
}

void vms_fault_agg_free(struct vms_fault_agg *agg)
{
	if (!agg)
		return;
	free(agg->first_regions);
	tally_release(&agg->sites);
	tally_release(&agg->threads);
	free(agg->seconds);
	free(agg->pending);
	free(agg);
}

/* At most a day of seconds: a clock that jumps cannot make this unbounded. */
#define MAX_SECONDS (24 * 3600)

void vms_fault_agg_add(struct vms_fault_agg *agg, const struct vms_fault_sample *s)
{
	const struct vms_region *r = agg->first ? vms_snapshot_find(agg->first, s->addr) : NULL;

	tally_add(&agg->total, s->major);
	tally_add(tally_slot(&agg->sites, s->ip), s->major);
	tally_add(tally_slot(&agg->threads, (uint64_t)(uint32_t)s->tid), s->major);
	if (s->time_ns >= agg->start_ns) {
		uint64_t sec = (s->time_ns - agg->start_ns) / 1000000000u;

		if (sec < MAX_SECONDS) {
			if (sec >= agg->n_seconds) {
				ARRAY_GROW(agg->seconds, sec + 1, agg->alloc_seconds);
				memset(agg->seconds + agg->n_seconds, 0,
				       (sec + 1 - agg->n_seconds) * sizeof(*agg->seconds));
				agg->n_seconds = sec + 1;
			}
			tally_add(&agg->seconds[sec], s->major);
		}
	}
	if (r) {
		tally_add(&agg->first_regions[r - agg->first->regions], s->major);
	} else if (agg->n_pending < agg->max_pending) {
		ARRAY_GROW(agg->pending, agg->n_pending + 1, agg->alloc_pending);
		agg->pending[agg->n_pending++] = *s;
	} else {
		agg->dropped++;
	}
}

struct vms_fault_tally vms_fault_agg_total(const struct vms_fault_agg *agg)
{
	return agg->total;
}

/* Every (key, tally) of m, in no order; never NULL. */
static struct vms_fault_site_row *tally_rows(const struct tally_map *m, size_t *ret_n)
{
	struct vms_fault_site_row *rows = xcalloc(m->n ? m->n : 1, sizeof(*rows));
	size_t n = 0;

	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			rows[n++] = (struct vms_fault_site_row){ m->keys[i], m->vals[i] };
	*ret_n = n;
	return rows;
}

static int cmp_region_row(const void *a, const void *b)
{
	const struct vms_fault_region_row *x = a, *y = b;
	uint64_t sx = tally_sum(&x->n), sy = tally_sum(&y->n);

	if (sx != sy)
		return sx < sy ? 1 : -1;
	if (x->snap->regions[x->region].start != y->snap->regions[y->region].start)
		return x->snap->regions[x->region].start < y->snap->regions[y->region].start ? -1 : 1;
	return 0;
}

static int cmp_site_row(const void *a, const void *b)
{
	const struct vms_fault_site_row *x = a, *y = b;
	uint64_t sx = tally_sum(&x->n), sy = tally_sum(&y->n);

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return (x->ip > y->ip) - (x->ip < y->ip);
}

static int cmp_thread_row(const void *a, const void *b)
{
	const struct vms_fault_thread_row *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void add_region_row(struct vms_fault_result *res, size_t *alloc,
			   const struct vms_snapshot *snap, size_t idx,
			   const struct vms_fault_tally *n)
{
	ARRAY_GROW(res->regions, res->n_regions + 1, *alloc);
	res->regions[res->n_regions].snap = snap;
	res->regions[res->n_regions].region = (uint32_t)idx;
	res->regions[res->n_regions].n = *n;
	res->n_regions++;
}

/*
 * The samples outside the first snapshot, placed in the later one. A region
 * that grew (the heap) starts where it did: its faults join its first row.
 */
static void place_pending(struct vms_fault_agg *agg, const struct vms_snapshot *later,
			  struct vms_fault_result *res, size_t *alloc)
{
	struct vms_fault_tally *later_regions = NULL;

	if (later && later->n_regions)
		later_regions = xcalloc(later->n_regions, sizeof(*later_regions));
	for (size_t i = 0; i < agg->n_pending; i++) {
		const struct vms_fault_sample *s = &agg->pending[i];
		const struct vms_region *r = later_regions ? vms_snapshot_find(later, s->addr) : NULL;

		if (r)
			tally_add(&later_regions[r - later->regions], s->major);
		else
			tally_add(&res->unmapped, s->major);
	}
	for (size_t i = 0; later_regions && i < later->n_regions; i++) {
		const struct vms_region *lr = &later->regions[i];
		const struct vms_region *fr;

		if (!tally_sum(&later_regions[i]))
			continue;
		fr = agg->first ? vms_snapshot_find(agg->first, lr->start) : NULL;
		if (fr && fr->start == lr->start && fr->kind == lr->kind) {
			struct vms_fault_tally *t = &agg->first_regions[fr - agg->first->regions];

			t->minflt += later_regions[i].minflt;
			t->majflt += later_regions[i].majflt;
		} else {
			add_region_row(res, alloc, later, i, &later_regions[i]);
		}
	}
	free(later_regions);
}

void vms_fault_agg_finish(struct vms_fault_agg *agg, const struct vms_snapshot *later,
			  struct vms_fault_result *ret)
{
	struct vms_fault_result res;
	struct vms_fault_site_row *rows;
	size_t alloc = 0;

	memset(&res, 0, sizeof(res));
	res.total = agg->total;
	res.dropped = agg->dropped;
	place_pending(agg, later, &res, &alloc);
	for (size_t i = 0; agg->first && i < agg->first->n_regions; i++)
		if (tally_sum(&agg->first_regions[i]))
			add_region_row(&res, &alloc, agg->first, i, &agg->first_regions[i]);
	if (res.n_regions)
		ARRAY_SORT(res.regions, res.n_regions, cmp_region_row);

	res.sites = tally_rows(&agg->sites, &res.n_sites);
	if (res.n_sites)
		ARRAY_SORT(res.sites, res.n_sites, cmp_site_row);

	rows = tally_rows(&agg->threads, &res.n_threads);
	res.threads = xcalloc(res.n_threads ? res.n_threads : 1, sizeof(*res.threads));
	for (size_t i = 0; i < res.n_threads; i++)
		res.threads[i] = (struct vms_fault_thread_row){ (pid_t)rows[i].ip, rows[i].n };
	free(rows);
	if (res.n_threads)
		ARRAY_SORT(res.threads, res.n_threads, cmp_thread_row);

	res.n_seconds = agg->n_seconds;
	res.seconds = xcalloc(agg->n_seconds ? agg->n_seconds : 1, sizeof(*res.seconds));
	if (agg->n_seconds)
		memcpy(res.seconds, agg->seconds, agg->n_seconds * sizeof(*res.seconds));
	*ret = res;
}

void vms_fault_result_release(struct vms_fault_result *res)
{
	free(res->regions);
	free(res->sites);
	free(res->threads);
	free(res->seconds);
	memset(res, 0, sizeof(*res));
}
