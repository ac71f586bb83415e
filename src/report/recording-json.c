/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording as JSON (show --format json): the samples with their totals
 * and group sums, and the regions ranked by growth, with the numbers of
 * the text report.
 */
#include "config.h"

#include "vmscope/report.h"

#include <inttypes.h>

#include "base/strbuf.h"
#include "json/jsonw.h"
#include "report/recording-internal.h"

static void put_samples(struct jsonw *w, const struct vms_recording *rec)
{
	jsonw_key(w, "samples");
	jsonw_begin_array(w);
	for (size_t i = 0; i < rec->n_samples; i++) {
		jsonw_begin_inline_object(w);
		jsonw_key(w, "t_ns");
		jsonw_int(w, rec->samples[i].t_ns);
		jsonw_key(w, "regions");
		jsonw_bool(w, rec->samples[i].regions);
		for (int s = 0; s < REC_SERIES__MAX; s++) {
			uint64_t v;

			jsonw_key(w, rec_series_name(s));
			if (rec_series_value(rec, s, i, &v))
				jsonw_uint(w, v);
			else
				jsonw_null(w);
		}
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void put_time_or_null(struct jsonw *w, int64_t ns)
{
	if (ns < 0)
		jsonw_null(w);
	else
		jsonw_int(w, ns);
}

static void put_regions(struct jsonw *w, const struct rec_view *v)
{
	struct strbuf sb;

	strbuf_init(&sb);
	jsonw_key(w, "regions");
	jsonw_begin_array(w);
	for (size_t i = 0; i < v->n_ranked; i++) {
		const struct vms_rec_growth *e = &v->ranked[i];
		const struct vms_rec_track *t = &v->rec->tracks[e->track];

		strbuf_reset(&sb);
		rec_view_label(v, i, &sb);
		jsonw_begin_inline_object(w);
		jsonw_key(w, "track");
		jsonw_uint(w, e->track);
		jsonw_key(w, "start");
		jsonw_hex(w, e->start);
		jsonw_key(w, "label");
		jsonw_string_n(w, sb.buf, sb.len);
		jsonw_key(w, "kind");
		jsonw_string(w, vms_kind_to_string(t->kind));
		jsonw_key(w, "name");
		jsonw_string(w, rec_view_name(v, i));
		jsonw_key(w, "appeared");
		jsonw_bool(w, e->appeared);
		jsonw_key(w, "vanished");
		jsonw_bool(w, e->vanished);
		jsonw_key(w, "size_first");
		jsonw_uint(w, e->size_a);
		jsonw_key(w, "size_last");
		jsonw_uint(w, e->size_b);
		jsonw_key(w, "rss_first");
		jsonw_uint(w, e->rss_a);
		jsonw_key(w, "rss_last");
		jsonw_uint(w, e->rss_b);
		jsonw_key(w, "growth");
		jsonw_int(w, e->growth);
		jsonw_key(w, "growth_per_min");
		jsonw_int(w, (int64_t)e->per_min);
		jsonw_key(w, "rose_from_ns");
		put_time_or_null(w, e->rose_from_ns);
		jsonw_key(w, "rose_until_ns");
		put_time_or_null(w, e->rose_until_ns);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	strbuf_release(&sb);
}

int vms_report_recording_json(FILE *out, const struct vms_recording *rec,
			      const struct vms_report_options *opt)
{
	struct rec_view v;
	struct jsonw w;

	(void)opt;
	rec_view_init(&v, rec);
	jsonw_init(&w, out);
	jsonw_begin_object(&w);
	jsonw_key(&w, "recording");
	jsonw_uint(&w, rec->version);
	jsonw_key(&w, "pid");
	jsonw_int(&w, rec->proc.pid);
	jsonw_key(&w, "comm");
	jsonw_string(&w, rec->proc.comm);
	jsonw_key(&w, "wall_ns");
	jsonw_int(&w, rec->wall_ns);
	jsonw_key(&w, "interval_ns");
	jsonw_int(&w, rec->interval_ns);
	jsonw_key(&w, "end");
	jsonw_string(&w, vms_rec_end_to_string(rec->end));
	jsonw_key(&w, "truncated");
	jsonw_bool(&w, rec->truncated);
	jsonw_key(&w, "first");
	if (v.have_regions)
		jsonw_int(&w, rec->samples[v.first].t_ns);
	else
		jsonw_null(&w);
	jsonw_key(&w, "last");
	if (v.have_regions)
		jsonw_int(&w, rec->samples[v.last].t_ns);
	else
		jsonw_null(&w);
	put_samples(&w, rec);
	put_regions(&w, &v);
	jsonw_end_object(&w);
	rec_view_release(&v);
	return jsonw_finish(&w);
}
