/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording in memory (recording.h): its samples and tracks, the group
 * sums of the timeline, a sample's snapshot, and the regions ranked by
 * growth.
 */
#include "config.h"

#include "vmscope/recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "vmscope/model.h"

static const char *const end_names[VMS_REC_END__MAX] = {
	[VMS_REC_END_NONE] = "none",
	[VMS_REC_END_DURATION] = "duration",
	[VMS_REC_END_EXITED] = "exited",
	[VMS_REC_END_INTERRUPTED] = "interrupted",
	[VMS_REC_END_ERROR] = "error",
};

const char *vms_rec_end_to_string(enum vms_rec_end e)
{
	return (unsigned)e < VMS_REC_END__MAX ? end_names[e] : "none";
}

int vms_rec_end_from_string(const char *s)
{
	for (int i = 0; i < VMS_REC_END__MAX; i++)
		if (strcmp(s, end_names[i]) == 0)
			return i;
	return -EINVAL;
}

static const char *const group_names[VMS_RG__MAX] = {
	[VMS_RG_HEAP] = "heap",   [VMS_RG_ANON] = "anon", [VMS_RG_ARENA] = "arenas",
	[VMS_RG_STACK] = "stacks", [VMS_RG_FILE] = "file", [VMS_RG_SHM] = "shm",
};

const char *vms_rec_group_to_string(enum vms_rec_group g)
{
	return (unsigned)g < VMS_RG__MAX ? group_names[g] : "anon";
}

struct vms_recording *vms_recording_new(void)
{
	struct vms_recording *rec = xcalloc(1, sizeof(*rec));

	rec->arena = xcalloc(1, sizeof(*rec->arena));
	arena_init(rec->arena);
	rec->version = VMS_RECORDING_VERSION;
	return rec;
}

void vms_recording_free(struct vms_recording *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->n_tracks; i++)
		free(rec->tracks[i].points);
	free(rec->tracks);
	free(rec->samples);
	arena_release(rec->arena);
	free(rec->arena);
	free(rec);
}

const struct vms_rec_point *vms_rec_track_at(const struct vms_rec_track *t, size_t s)
{
	size_t lo = 0, hi = t->n_points;

	if (!t->seen || s < t->first || s >= t->gone)
		return NULL;
	/* the last point at or before s */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->points[mid].sample <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->points[lo - 1] : NULL;
}

int vms_recording_region_span(const struct vms_recording *rec, size_t *ret_first,
			      size_t *ret_last)
{
	size_t first = SIZE_MAX, last = 0;

	for (size_t i = 0; i < rec->n_samples; i++) {
		if (!rec->samples[i].regions)
			continue;
		if (first == SIZE_MAX)
			first = i;
		last = i;
	}
	if (first == SIZE_MAX)
		return -ENOENT;
	*ret_first = first;
	*ret_last = last;
	return 0;
}

int vms_recording_sample_at(const struct vms_recording *rec, int64_t t_ns, size_t *ret)
{
	size_t first, last, best;

	if (vms_recording_region_span(rec, &first, &last) < 0)
		return -ENOENT;
	best = first;
	for (size_t i = first; i <= last; i++)
		if (rec->samples[i].regions && rec->samples[i].t_ns <= t_ns)
			best = i;
	*ret = best;
	return 0;
}

/* The group a region's memory is counted in on the timeline. */
static enum vms_rec_group group_of(const struct vms_rec_track *t)
{
	switch (t->kind) {
	case VMS_KIND_HEAP:
	case VMS_KIND_MALLOC_MMAP:
	case VMS_KIND_JAVA_HEAP:
		return VMS_RG_HEAP;
	case VMS_KIND_ARENA:
		return VMS_RG_ARENA;
	case VMS_KIND_STACK:
	case VMS_KIND_THREAD_STACK:
	case VMS_KIND_GUARD:
		return VMS_RG_STACK;
	case VMS_KIND_TEXT:
	case VMS_KIND_RODATA:
	case VMS_KIND_RELRO:
	case VMS_KIND_DATA:
	case VMS_KIND_FILE:
	case VMS_KIND_VDSO:
	case VMS_KIND_VVAR:
	case VMS_KIND_VSYSCALL:
		return VMS_RG_FILE;
	case VMS_KIND_SHM:
		return VMS_RG_SHM;
	default: /* anon, bss, reserved, other */
		return VMS_RG_ANON;
	}
}

void vms_recording_sum_groups(struct vms_recording *rec)
{
	size_t *cursor = xcalloc(rec->n_tracks ? rec->n_tracks : 1, sizeof(*cursor));

	for (size_t s = 0; s < rec->n_samples; s++) {
		struct vms_rec_sample *smp = &rec->samples[s];

		memset(smp->group_rss, 0, sizeof(smp->group_rss));
		smp->n_regions = 0;
		if (!smp->regions)
			continue;
		for (size_t i = 0; i < rec->n_tracks; i++) {
			const struct vms_rec_track *t = &rec->tracks[i];
			const struct vms_rec_point *p;

			if (!t->seen || s < t->first || s >= t->gone || !t->n_points)
				continue;
			while (cursor[i] + 1 < t->n_points && t->points[cursor[i] + 1].sample <= s)
				cursor[i]++;
			p = &t->points[cursor[i]];
			if (p->sample > s)
				continue;
			smp->n_regions++;
			if (p->have & (1u << VMS_RV_RSS))
				smp->group_rss[group_of(t)] += p->v[VMS_RV_RSS];
		}
	}
	free(cursor);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

void vms_rec_track_region(const struct vms_rec_track *t, const struct vms_rec_point *p,
			  struct vms_region *r)
{
	*r = (struct vms_region){
		.start = p->start,
		.end = p->end,
		.offset = t->offset,
		.inode = t->inode,
		.dev_major = t->dev_major,
		.dev_minor = t->dev_minor,
		.perms = t->perms,
		.deleted = t->deleted,
		.thp_eligible = -1,
		.protection_key = -1,
		.kind = t->kind,
		.object = -1,
		.tid = t->tid,
		.name = t->name ? t->name : "",
	};
	for (int v = 0; v < VMS_RV__MAX; v++) {
		if (!(p->have & (1u << v)))
			continue;
		r->mem.v[vms_rec_value_mem[v]] = p->v[v];
		r->mem.have |= UINT32_C(1) << vms_rec_value_mem[v];
	}
	r->mem.v[VMS_MEM_SIZE] = p->end - p->start;
	r->mem.have |= UINT32_C(1) << VMS_MEM_SIZE;
}

static int cmp_region_start(const void *pa, const void *pb)
{
	const struct vms_region *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

int vms_recording_snapshot(const struct vms_recording *rec, size_t s, struct vms_snapshot **ret)
{
	const struct vms_rec_sample *smp;
	struct vms_snapshot *snap;

	if (s >= rec->n_samples || !rec->samples[s].regions)
		return -EINVAL;
	smp = &rec->samples[s];
	snap = vms_snapshot_new();
	snap->mono_ns = rec->mono_ns + smp->t_ns;
	snap->wall_ns = rec->wall_ns + smp->t_ns;
	snap->host = rec->host;
	snap->proc = rec->proc;
	snap->proc.user = dup_or_null(snap->arena, rec->proc.user);
	snap->proc.comm = dup_or_null(snap->arena, rec->proc.comm);
	snap->proc.cmdline = dup_or_null(snap->arena, rec->proc.cmdline);
	snap->proc.exe = dup_or_null(snap->arena, rec->proc.exe);
	snap->totals = smp->totals;
	snap->src[VMS_SRC_STATUS] = (struct vms_source_status){ .tried = true,
								.error = smp->totals.status_have
										 ? 0
										 : -ENODATA };
	snap->src[VMS_SRC_SMAPS_ROLLUP] =
		(struct vms_source_status){ .tried = true,
					    .error = smp->totals.rollup.have ? 0 : -ENODATA };
	snap->src[VMS_SRC_STAT] =
		(struct vms_source_status){ .tried = true,
					    .error = smp->totals.have_faults ? 0 : -ENODATA };
	snap->src[VMS_SRC_SMAPS] = (struct vms_source_status){ .tried = true };

	for (size_t i = 0; i < rec->n_tracks; i++) {
		const struct vms_rec_track *t = &rec->tracks[i];
		const struct vms_rec_point *p = vms_rec_track_at(t, s);
		struct vms_region *r;

		if (!p)
			continue;
		vms_snapshot_grow_regions(snap, snap->n_regions + 1);
		r = &snap->regions[snap->n_regions++];
		vms_rec_track_region(t, p, r);
		r->name = arena_strdup(snap->arena, r->name);
	}
	ARRAY_SORT(snap->regions, snap->n_regions, cmp_region_start);
	/* a snapshot's regions never overlap, whatever a file said */
	size_t kept = 0;
	for (size_t i = 0; i < snap->n_regions; i++) {
		if (kept && snap->regions[i].start < snap->regions[kept - 1].end) {
			snap->dropped_regions++;
			continue;
		}
		snap->regions[kept++] = snap->regions[i];
	}
	snap->n_regions = kept;
	vms_model_group_objects(snap);
	*ret = snap;
	return 0;
}

static int cmp_growth(const void *pa, const void *pb)
{
	const struct vms_rec_growth *a = pa, *b = pb;

	if (a->growth != b->growth)
		return a->growth > b->growth ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

static uint64_t rss_of(const struct vms_rec_point *p)
{
	return p && (p->have & (1u << VMS_RV_RSS)) ? p->v[VMS_RV_RSS] : 0;
}

size_t vms_recording_rank(const struct vms_recording *rec, struct vms_rec_growth **ret)
{
	struct vms_rec_growth *out = NULL;
	size_t n = 0, alloc = 0, first, last;
	double minutes;

	*ret = NULL;
	if (vms_recording_region_span(rec, &first, &last) < 0)
		return 0;
	minutes = (double)(rec->samples[last].t_ns - rec->samples[first].t_ns) / 60e9;
	for (size_t i = 0; i < rec->n_tracks; i++) {
		const struct vms_rec_track *t = &rec->tracks[i];
		const struct vms_rec_point *pa = vms_rec_track_at(t, first);
		const struct vms_rec_point *pb = vms_rec_track_at(t, last), *lastp = pb;
		struct vms_rec_growth *g;
		uint64_t prev_rss = 0;
		bool have_prev = false;

		if (!pa && !pb)
			continue;
		ARRAY_GROW(out, n + 1, alloc);
		g = &out[n++];
		if (!lastp) /* vanished: where it was when last seen */
			lastp = &t->points[t->n_points - 1];
		*g = (struct vms_rec_growth){
			.track = t->id,
			.appeared = !pa,
			.vanished = !pb,
			.start = lastp->start,
			.size_a = pa ? pa->end - pa->start : 0,
			.size_b = pb ? pb->end - pb->start : 0,
			.rss_a = rss_of(pa),
			.rss_b = rss_of(pb),
			.rose_from_ns = -1,
			.rose_until_ns = -1,
		};
		g->growth = (int64_t)(g->rss_b - g->rss_a);
		g->per_min = minutes > 0 ? (double)g->growth / minutes : 0;
		for (size_t k = 0; k < t->n_points; k++) {
			const struct vms_rec_point *p = &t->points[k];
			uint64_t rss = rss_of(p);

			if (p->sample > last)
				break;
			if (p->sample > first && (have_prev ? rss > prev_rss : rss > 0)) {
				int64_t when = rec->samples[p->sample].t_ns;

				if (g->rose_from_ns < 0)
					g->rose_from_ns = when;
				g->rose_until_ns = when;
			}
			prev_rss = rss;
			have_prev = true;
		}
	}
	ARRAY_SORT(out, n, cmp_growth);
	*ret = out;
	return n;
}
