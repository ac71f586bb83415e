/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the reporters of a recording share (recording-view.c): the regions
 * ranked by growth, each with the label the report gives a region, and the
 * series of the timeline.
 */
#ifndef VMSCOPE_REPORT_RECORDING_INTERNAL_H
#define VMSCOPE_REPORT_RECORDING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/diff.h"
#include "vmscope/recording.h"

struct strbuf;

/* The series drawn: three totals, then the groups of kinds. */
enum rec_series {
	REC_SERIES_RSS = 0, /* VmRSS */
	REC_SERIES_PSS,     /* smaps_rollup Pss */
	REC_SERIES_SWAP,    /* VmSwap */
	REC_SERIES_GROUP0,  /* + enum vms_rec_group: Rss of the regions, at region samples */
	REC_SERIES__MAX = REC_SERIES_GROUP0 + VMS_RG__MAX
};
const char *rec_series_name(enum rec_series s);
/* The value of series s at sample i; false when it was not read then. */
bool rec_series_value(const struct vms_recording *rec, enum rec_series s, size_t i,
		      uint64_t *ret);

struct rec_view {
	const struct vms_recording *rec;
	struct vms_rec_growth *ranked;
	size_t n_ranked;
	size_t first, last;  /* the first and last samples with regions */
	bool have_regions;   /* some sample has them */
	/* one region per ranked entry (its track, where it was last seen),
	 * grouped into objects, for labels */
	struct vms_snapshot *labels;
};
void rec_view_init(struct rec_view *v, const struct vms_recording *rec);
void rec_view_release(struct rec_view *v);
/* Appends ranked entry i's label ("libc.so.6 data", "heap", "anon mmap"),
 * raw bytes (escaped on output); returns where its tail starts. */
size_t rec_view_label(const struct rec_view *v, size_t i, struct strbuf *sb);
/* A region's name (path or [pseudo]) as recorded, raw bytes. */
const char *rec_view_name(const struct rec_view *v, size_t i);

#endif
