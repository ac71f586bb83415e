/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the reporters of a recording share: see recording-internal.h. */
#include "config.h"

#include "report/recording-internal.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/text-internal.h"
#include "vmscope/model.h"

static const char *const series_names[REC_SERIES_GROUP0] = { "rss", "pss", "swap" };

const char *rec_series_name(enum rec_series s)
{
	if (s < REC_SERIES_GROUP0)
		return series_names[s];
	return vms_rec_group_to_string((enum vms_rec_group)(s - REC_SERIES_GROUP0));
}

bool rec_series_value(const struct vms_recording *rec, enum rec_series s, size_t i,
		      uint64_t *ret)
{
	const struct vms_rec_sample *smp = &rec->samples[i];

	switch (s) {
	case REC_SERIES_RSS:
		return vms_totals_measure(&smp->totals, VMS_MEASURE_RSS, ret);
	case REC_SERIES_PSS:
		return vms_totals_measure(&smp->totals, VMS_MEASURE_PSS, ret);
	case REC_SERIES_SWAP:
		return vms_totals_measure(&smp->totals, VMS_MEASURE_SWAP, ret);
	default:
		if (!smp->regions || s >= REC_SERIES__MAX)
			return false;
		*ret = smp->group_rss[s - REC_SERIES_GROUP0];
		return true;
	}
}

void rec_view_init(struct rec_view *v, const struct vms_recording *rec)
{
	struct vms_snapshot *snap = vms_snapshot_new();

	*v = (struct rec_view){ .rec = rec };
	v->have_regions = vms_recording_region_span(rec, &v->first, &v->last) == 0;
	v->n_ranked = vms_recording_rank(rec, &v->ranked);
	snap->proc = rec->proc;
	snap->proc.exe = rec->proc.exe ? arena_strdup(snap->arena, rec->proc.exe) : NULL;
	snap->host = rec->host;
	vms_snapshot_grow_regions(snap, v->n_ranked ? v->n_ranked : 1);
	for (size_t i = 0; i < v->n_ranked; i++) {
		const struct vms_rec_track *t = &rec->tracks[v->ranked[i].track];
		const struct vms_rec_point *p = vms_rec_track_at(t, v->last);

		/* where it was last seen */
		vms_rec_track_region(t, p ? p : &t->points[t->n_points - 1], &snap->regions[i]);
	}
	snap->n_regions = v->n_ranked;
	/* only for the objects' paths: the regions are in rank order */
	vms_model_group_objects(snap);
	v->labels = snap;
}

void rec_view_release(struct rec_view *v)
{
	free(v->ranked);
	vms_snapshot_free(v->labels);
	*v = (struct rec_view){ 0 };
}

size_t rec_view_label(const struct rec_view *v, size_t i, struct strbuf *sb)
{
	return text_region_label(sb, v->labels, &v->labels->regions[i]);
}

const char *rec_view_name(const struct rec_view *v, size_t i)
{
	return v->labels->regions[i].name;
}
