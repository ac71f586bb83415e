/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vocabulary the reporters share: sizes as printed, sort keys and their
 * names, how many rows a table lists and its title. It calls no reporter,
 * so every reporter and the reporter table (reporters.c) can use it.
 */
#include "config.h"

#include "report/format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/decimal.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

const char report_na[] = "n/a";

static const char *const sort_names[VMS_SORT__MAX] = {
	[VMS_SORT_RSS] = "rss",
	[VMS_SORT_PSS] = "pss",
	[VMS_SORT_USS] = "uss",
	[VMS_SORT_SIZE] = "size",
	[VMS_SORT_SWAP] = "swap",
	[VMS_SORT_ADDRESS] = "address",
	[VMS_SORT_REFERENCED] = "referenced",
};

const char *vms_sort_to_string(enum vms_sort s)
{
	if ((unsigned)s >= VMS_SORT__MAX)
		return "rss";
	return sort_names[s];
}

int vms_sort_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < VMS_SORT__MAX; i++)
		if (strcmp(sort_names[i], s) == 0)
			return i;
	return -EINVAL;
}

uint64_t report_sort_key(const struct vms_counters *c, uint64_t size, enum vms_sort sort)
{
	switch (sort) {
	case VMS_SORT_PSS:
		return c->v[VMS_MEM_PSS];
	case VMS_SORT_USS:
		return vms_counters_uss(c);
	case VMS_SORT_SIZE:
		return size;
	case VMS_SORT_SWAP:
		return c->v[VMS_MEM_SWAP];
	case VMS_SORT_REFERENCED:
		return c->v[VMS_MEM_REFERENCED];
	default:
		return c->v[VMS_MEM_RSS];
	}
}

struct sort_ctx {
	const struct vms_snapshot *snap;
	enum vms_sort sort;
};

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_region(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct vms_region *a = &ctx->snap->regions[*(const size_t *)pa];
	const struct vms_region *b = &ctx->snap->regions[*(const size_t *)pb];
	int r = 0;

	if (ctx->sort != VMS_SORT_ADDRESS)
		r = cmp_u64_desc(report_sort_key(&a->mem, vms_region_size(a), ctx->sort),
				 report_sort_key(&b->mem, vms_region_size(b), ctx->sort));
	if (r == 0)
		r = a->start < b->start ? -1 : a->start > b->start;
	return r;
}

static int cmp_object(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct vms_object *a = &ctx->snap->objects[ia];
	const struct vms_object *b = &ctx->snap->objects[ib];
	int r = 0;

	/* objects are made in address order: their index is their address order */
	if (ctx->sort != VMS_SORT_ADDRESS)
		r = cmp_u64_desc(report_sort_key(&a->mem, a->distinct_size, ctx->sort),
				 report_sort_key(&b->mem, b->distinct_size, ctx->sort));
	if (r == 0)
		r = ia < ib ? -1 : ia > ib;
	return r;
}

/*
 * The first k of n items in cmp's order. A table lists the first few of
 * tens of thousands of regions: those are picked in one pass, each item
 * compared with the last one kept, instead of sorting them all.
 */
static size_t *sorted_indices(const struct vms_snapshot *snap, enum vms_sort sort, size_t n,
			      size_t k, int (*cmp)(const void *, const void *, void *))
{
	struct sort_ctx ctx = { snap, sort };
	size_t *idx, kept = 0;

	if (k > n)
		k = n;
	if (k * 4 >= n) {
		idx = xreallocarray(NULL, n ? n : 1, sizeof(*idx));
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), cmp, &ctx);
		return idx;
	}
	idx = xreallocarray(NULL, k ? k : 1, sizeof(*idx));
	for (size_t i = 0; k && i < n; i++) {
		size_t lo = 0, hi = kept;

		if (kept == k && cmp(&i, &idx[k - 1], &ctx) >= 0)
			continue;
		/* its place among those kept, which stay in order */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cmp(&i, &idx[mid], &ctx) < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (kept < k)
			kept++;
		memmove(idx + lo + 1, idx + lo, (kept - 1 - lo) * sizeof(*idx));
		idx[lo] = i;
	}
	return idx;
}

size_t *report_sorted_regions(const struct vms_snapshot *snap, enum vms_sort sort, size_t k)
{
	return sorted_indices(snap, sort, snap->n_regions, k, cmp_region);
}

size_t *report_sorted_objects(const struct vms_snapshot *snap, enum vms_sort sort, size_t k)
{
	return sorted_indices(snap, sort, snap->n_objects, k, cmp_object);
}

/* s[0, len) into buf of n bytes as snprintf would: cut to fit, NUL-ended. */
static void put_cut(char *buf, size_t n, const char *s, size_t len)
{
	if (n == 0)
		return;
	if (len > n - 1)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
}

void vms_format_size(char *buf, size_t n, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned shift;
	uint64_t q, rem, half, tenths, whole;
	char s[24], *e;

	if (bytes < 1024) {
		put_cut(buf, n, s, (size_t)(put_dec_u64(s, bytes) - s));
		return;
	}
	/*
	 * Integer arithmetic so that every uint64_t rounds correctly: rem * 10
	 * + half stays below 2^64 even for exbibytes (rem < 2^60). A value
	 * that rounds up to 1024 of one unit is shown as 1.0 of the next.
	 * Digits without snprintf: a report formats thousands of sizes.
	 */
	for (unsigned u = 0; u < sizeof(units) - 1; u++) {
		shift = 10 * (u + 1);
		q = bytes >> shift;
		rem = bytes & ((UINT64_C(1) << shift) - 1);
		half = UINT64_C(1) << (shift - 1);
		tenths = q * 10 + ((rem * 10 + half) >> shift);
		if (tenths < 100) {
			s[0] = (char)('0' + tenths / 10);
			s[1] = '.';
			s[2] = (char)('0' + tenths % 10);
			s[3] = units[u];
			put_cut(buf, n, s, 4);
			return;
		}
		whole = q + (rem >= half);
		if (whole < 1024 || u == sizeof(units) - 2) {
			e = put_dec_u64(s, whole);
			*e++ = units[u];
			put_cut(buf, n, s, (size_t)(e - s));
			return;
		}
	}
}

const char *report_size(char buf[32], const struct vms_report_options *opt, bool have,
			uint64_t v)
{
	if (!have)
		return report_na;
	if (opt->bytes)
		*put_dec_u64(buf, v) = '\0';
	else
		vms_format_size(buf, 32, v);
	return buf;
}

bool report_have_uss(const struct vms_counters *c)
{
	return vms_counters_has(c, VMS_MEM_PRIVATE_CLEAN) &&
	       vms_counters_has(c, VMS_MEM_PRIVATE_DIRTY);
}

size_t report_shown(const struct vms_report_options *opt, size_t n)
{
	if (opt->all || n < opt->top)
		return n;
	return opt->top;
}

unsigned report_fit_columns(unsigned *w, size_t n, const unsigned *order, size_t n_order,
			    unsigned lead, unsigned room, unsigned fit)
{
	unsigned used = lead;

	for (size_t i = 0; i < n; i++)
		used += w[i];
	for (size_t o = 0; o < n_order && used + room > fit; o++) {
		if (order[o] >= n)
			continue;
		used -= w[order[o]];
		w[order[o]] = 0;
	}
	return used;
}

void report_table_title(struct strbuf *sb, const char *what, size_t n, size_t show,
			enum vms_sort sort)
{
	if (show < n)
		strbuf_addf(sb, "%s: top %zu of %zu by %s", what, show, n,
			    vms_sort_to_string(sort));
	else
		strbuf_addf(sb, "%s: %zu by %s", what, n, vms_sort_to_string(sort));
}

void report_object_name(struct strbuf *sb, const struct vms_snapshot *snap, size_t o)
{
	const struct vms_object *obj = &snap->objects[o];
	const char *path = obj->path ? obj->path : "";

	/* only these few are looked for among the regions */
	if (strcmp(path, "/dev/zero") != 0 && strncmp(path, "/SYSV", 5) != 0 &&
	    strncmp(path, "/memfd:", 7) != 0)
		goto plain;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->object != (int32_t)o)
			continue;
		if (vms_region_shm_type(r) != VMS_SHM_NONE) {
			vms_region_shm_label(sb, r);
			if (obj->deleted)
				strbuf_addstr(sb, vms_region_shm_type(r) == VMS_SHM_SYSV
							  ? " (marked for removal)"
							  : " (deleted)");
			return;
		}
		break;
	}
plain:
	strbuf_addstr(sb, path);
	if (obj->deleted)
		strbuf_addstr(sb, " (deleted)");
}
