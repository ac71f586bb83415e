/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Region-level differences between two snapshots. Matching is by identity
 * first (sorting both sides' keys together: O(n log n) for 65,000 regions),
 * then by address for anonymous memory, then by a matched neighbour.
 */
#include "config.h"

#include "vmscope/diff.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "model/model-internal.h"

static const char *const change_names[VMS_CHANGE__MAX] = {
	[VMS_CHANGE_SAME] = "same",
	[VMS_CHANGE_GREW] = "grew",
	[VMS_CHANGE_SHRANK] = "shrank",
	[VMS_CHANGE_APPEARED] = "appeared",
	[VMS_CHANGE_VANISHED] = "vanished",
};

const char *vms_change_to_string(enum vms_change c)
{
	return (unsigned)c < VMS_CHANGE__MAX ? change_names[c] : "same";
}

static const char *const measure_names[VMS_MEASURE__MAX] = {
	[VMS_MEASURE_SIZE] = "size",
	[VMS_MEASURE_RSS] = "rss",
	[VMS_MEASURE_PSS] = "pss",
	[VMS_MEASURE_USS] = "uss",
	[VMS_MEASURE_SWAP] = "swap",
};

const char *vms_measure_to_string(enum vms_measure m)
{
	return (unsigned)m < VMS_MEASURE__MAX ? measure_names[m] : "size";
}

static bool counters_measure(const struct vms_counters *c, enum vms_measure m, uint64_t *ret)
{
	static const enum vms_mem key[VMS_MEASURE__MAX] = {
		[VMS_MEASURE_SIZE] = VMS_MEM_SIZE,
		[VMS_MEASURE_RSS] = VMS_MEM_RSS,
		[VMS_MEASURE_PSS] = VMS_MEM_PSS,
		[VMS_MEASURE_SWAP] = VMS_MEM_SWAP,
	};

	if (m == VMS_MEASURE_USS) {
		if (!vms_counters_has(c, VMS_MEM_PRIVATE_CLEAN) ||
		    !vms_counters_has(c, VMS_MEM_PRIVATE_DIRTY))
			return false;
		*ret = vms_counters_uss(c);
		return true;
	}
	if (!vms_counters_has(c, key[m]))
		return false;
	*ret = c->v[key[m]];
	return true;
}

bool vms_region_measure(const struct vms_region *r, enum vms_measure m, uint64_t *ret)
{
	if ((unsigned)m >= VMS_MEASURE__MAX)
		return false;
	if (m == VMS_MEASURE_SIZE) {
		*ret = vms_region_size(r);
		return true;
	}
	return counters_measure(&r->mem, m, ret);
}

bool vms_totals_measure(const struct vms_totals *t, enum vms_measure m, uint64_t *ret)
{
	enum vms_status_field f;

	switch (m) {
	case VMS_MEASURE_SIZE:
		f = VMS_ST_VM_SIZE;
		break;
	case VMS_MEASURE_RSS:
		f = VMS_ST_VM_RSS;
		break;
	case VMS_MEASURE_SWAP:
		f = VMS_ST_VM_SWAP;
		break;
	case VMS_MEASURE_PSS:
	case VMS_MEASURE_USS:
		return counters_measure(&t->rollup, m, ret);
	default:
		return false;
	}
	if (!(t->status_have & (UINT32_C(1) << f)))
		return false;
	*ret = t->status[f];
	return true;
}

bool vms_snapshot_measure(const struct vms_snapshot *snap, enum vms_measure m, uint64_t *ret)
{
	if ((m == VMS_MEASURE_PSS || m == VMS_MEASURE_USS) &&
	    !vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP))
		return false;
	return vms_totals_measure(&snap->totals, m, ret);
}

/* How a region is recognised across snapshots. */
enum id_class {
	ID_ADDRESS = 0, /* anonymous: by address and neighbours */
	ID_OBJECT,      /* (path, kind, offset) */
	ID_NAMED,       /* (name, kind): [heap], [stack], [anon:x] ... */
	ID_THREAD,      /* (kind, tid) */
};

struct key {
	enum id_class cls;
	const char *str;
	int kind;
	uint64_t num;
	uint64_t start;
	int side; /* 0: a, 1: b */
	size_t index;
};

static struct key region_key(const struct vms_snapshot *s, size_t i, int side)
{
	const struct vms_region *r = &s->regions[i];
	const char *name = model_region_name(r);
	struct key k = { .kind = r->kind, .start = r->start, .side = side, .index = i, .str = "" };

	if (r->object >= 0 && (size_t)r->object < s->n_objects && s->objects[r->object].path) {
		k.cls = ID_OBJECT;
		k.str = s->objects[r->object].path;
		k.num = r->kind == VMS_KIND_BSS ? 0 : r->offset;
	} else if (r->kind == VMS_KIND_THREAD_STACK && r->tid > 0) {
		k.cls = ID_THREAD;
		k.num = (uint64_t)r->tid;
	} else if (name[0] == '[' || name[0] == '/') {
		k.cls = ID_NAMED;
		k.str = name;
		k.num = name[0] == '/' ? r->offset : 0;
	} else {
		k.cls = ID_ADDRESS;
	}
	return k;
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	c = strcmp(a->str, b->str);
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->side != b->side)
		return a->side - b->side;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return 0;
}

static bool same_identity(const struct key *a, const struct key *b)
{
	return a->cls == b->cls && strcmp(a->str, b->str) == 0 && a->kind == b->kind &&
	       a->num == b->num;
}

/* Pairs the i-th of a with the i-th of b within each group of equal keys. */
static void match_by_identity(const struct vms_snapshot *a, const struct vms_snapshot *b,
			      int32_t *a_to_b, int32_t *b_to_a)
{
	size_t n = a->n_regions + b->n_regions, m = 0;
	struct key *keys = xreallocarray(NULL, n ? n : 1, sizeof(*keys));

	for (size_t i = 0; i < a->n_regions; i++)
		keys[m++] = region_key(a, i, 0);
	for (size_t i = 0; i < b->n_regions; i++)
		keys[m++] = region_key(b, i, 1);
	ARRAY_SORT(keys, m, cmp_key);
	for (size_t g = 0; g < m;) {
		size_t e = g, mid;

		while (e < m && same_identity(&keys[g], &keys[e]))
			e++;
		for (mid = g; mid < e && keys[mid].side == 0; mid++)
			;
		if (keys[g].cls != ID_ADDRESS) {
			for (size_t i = g, j = mid; i < mid && j < e; i++, j++) {
				a_to_b[keys[i].index] = (int32_t)keys[j].index;
				b_to_a[keys[j].index] = (int32_t)keys[i].index;
			}
		}
		g = e;
	}
	free(keys);
}

static bool free_anon_pair(const struct vms_snapshot *a, const struct vms_snapshot *b,
			   const int32_t *a_to_b, const int32_t *b_to_a, size_t i, size_t j)
{
	const struct key ka = region_key(a, i, 0), kb = region_key(b, j, 1);

	return a_to_b[i] < 0 && b_to_a[j] < 0 && ka.cls == ID_ADDRESS && kb.cls == ID_ADDRESS &&
	       a->regions[i].kind == b->regions[j].kind;
}

static void pair(int32_t *a_to_b, int32_t *b_to_a, size_t i, size_t j)
{
	a_to_b[i] = (int32_t)j;
	b_to_a[j] = (int32_t)i;
}

/* Anonymous regions: the same start, then the same end (both sides sorted). */
static void match_by_address(const struct vms_snapshot *a, const struct vms_snapshot *b,
			     int32_t *a_to_b, int32_t *b_to_a)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;

		while (i < a->n_regions && j < b->n_regions) {
			uint64_t x = pass ? a->regions[i].end : a->regions[i].start;
			uint64_t y = pass ? b->regions[j].end : b->regions[j].start;

			if (x < y) {
				i++;
			} else if (x > y) {
				j++;
			} else {
				if (free_anon_pair(a, b, a_to_b, b_to_a, i, j))
					pair(a_to_b, b_to_a, i, j);
				i++;
				j++;
			}
		}
	}
	/* then beside a matched neighbour: the region that moved with its mapping */
	for (size_t j = 0; j < b->n_regions; j++) {
		int32_t i;

		if (b_to_a[j] >= 0)
			continue;
		if (j > 0 && (i = b_to_a[j - 1]) >= 0 && (size_t)i + 1 < a->n_regions &&
		    free_anon_pair(a, b, a_to_b, b_to_a, (size_t)i + 1, j))
			pair(a_to_b, b_to_a, (size_t)i + 1, j);
		else if (j + 1 < b->n_regions && (i = b_to_a[j + 1]) > 0 &&
			 free_anon_pair(a, b, a_to_b, b_to_a, (size_t)i - 1, j))
			pair(a_to_b, b_to_a, (size_t)i - 1, j);
	}
}

static void add_entry(struct vms_diff *d, const struct vms_snapshot *a,
		      const struct vms_snapshot *b, int32_t ia, int32_t ib)
{
	const struct vms_region *ra = ia >= 0 ? &a->regions[ia] : NULL;
	const struct vms_region *rb = ib >= 0 ? &b->regions[ib] : NULL;
	struct vms_diff_entry e = { .a = ia, .b = ib };

	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint64_t va = 0, vb = 0;
		bool ha = !ra || vms_region_measure(ra, m, &va);
		bool hb = !rb || vms_region_measure(rb, m, &vb);

		if (ha && hb) {
			e.delta[m] = (int64_t)(vb - va);
			e.have |= UINT32_C(1) << m;
		}
	}
	if (!ra)
		e.change = VMS_CHANGE_APPEARED;
	else if (!rb)
		e.change = VMS_CHANGE_VANISHED;
	else if (e.delta[VMS_MEASURE_SIZE])
		e.change = e.delta[VMS_MEASURE_SIZE] > 0 ? VMS_CHANGE_GREW : VMS_CHANGE_SHRANK;
	else if ((e.have & (UINT32_C(1) << VMS_MEASURE_RSS)) && e.delta[VMS_MEASURE_RSS])
		e.change = e.delta[VMS_MEASURE_RSS] > 0 ? VMS_CHANGE_GREW : VMS_CHANGE_SHRANK;
	else
		e.change = VMS_CHANGE_SAME;
	d->count[e.change]++;
	if (e.change == VMS_CHANGE_SAME) {
		d->n_same++;
		return;
	}
	ARRAY_GROW(d->entries, d->n + 1, d->alloc);
	d->entries[d->n++] = e;
}

/*
 * Whether anonymous region i of a now lies inside a region of b that
 * appeared: the kernel merges a new anonymous mapping (a library's .bss)
 * with an adjacent one of the same flags, so the old one did not vanish.
 */
static bool merged_into_new(const struct vms_snapshot *a, const struct vms_snapshot *b,
			    const int32_t *b_to_a, size_t i)
{
	const struct vms_region *ra = &a->regions[i];
	const struct vms_region *rb = vms_snapshot_find(b, ra->start);

	return rb && model_region_name(ra)[0] == '\0' && model_region_name(rb)[0] == '\0' &&
	       rb->inode == 0 && ra->end <= rb->end && b_to_a[rb - b->regions] < 0;
}

void vms_diff_build(const struct vms_snapshot *a, const struct vms_snapshot *b,
		    struct vms_diff *ret)
{
	struct vms_diff d = { 0 };
	int32_t *a_to_b = xreallocarray(NULL, a->n_regions + 1, sizeof(*a_to_b));
	int32_t *b_to_a = xreallocarray(NULL, b->n_regions + 1, sizeof(*b_to_a));
	size_t i = 0;

	for (size_t k = 0; k < a->n_regions; k++)
		a_to_b[k] = -1;
	for (size_t k = 0; k < b->n_regions; k++)
		b_to_a[k] = -1;
	match_by_identity(a, b, a_to_b, b_to_a);
	match_by_address(a, b, a_to_b, b_to_a);

	/* in address order: b's regions, each vanished one of a before the next b */
	for (size_t j = 0; j <= b->n_regions; j++) {
		uint64_t limit = j < b->n_regions ? b->regions[j].start : UINT64_MAX;

		for (; i < a->n_regions && (a->regions[i].start < limit || j == b->n_regions); i++) {
			if (a_to_b[i] >= 0)
				continue;
			if (merged_into_new(a, b, b_to_a, i))
				d.n_merged++;
			else
				add_entry(&d, a, b, (int32_t)i, -1);
		}
		if (j < b->n_regions)
			add_entry(&d, a, b, b_to_a[j], (int32_t)j);
	}
	/* Regions refused on one side are unknown, not absent: no "appeared". */
	if (a->src[VMS_SRC_SMAPS].error || b->src[VMS_SRC_SMAPS].error) {
		d.regions_unknown = true;
		d.n = d.n_same = d.n_merged = 0;
		memset(d.count, 0, sizeof(d.count));
	}
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		uint32_t bit = UINT32_C(1) << m;

		/* each side's own, as far as it was read: a kernel thread's n/a
		 * hides nothing of the other side */
		if (vms_snapshot_measure(a, m, &d.total_a[m]))
			d.total_have_a |= bit;
		if (vms_snapshot_measure(b, m, &d.total_b[m]))
			d.total_have_b |= bit;
		if ((d.total_have_a & bit) && (d.total_have_b & bit)) {
			d.total_have |= bit;
			d.total_delta[m] = (int64_t)(d.total_b[m] - d.total_a[m]);
		}
	}
	free(a_to_b);
	free(b_to_a);
	*ret = d;
}

void vms_diff_release(struct vms_diff *d)
{
	if (!d)
		return;
	free(d->entries);
	*d = (struct vms_diff){ 0 };
}
