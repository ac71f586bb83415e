/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-level data in the JSON documents: a region's page counters and how
 * page data was read, as the snapshot and `vmscope pages` write them.
 */
#include "config.h"

#include "json/write.h"

#include "json/jsonw.h"

#include <pthread.h>

bool json_want_pages(const struct vms_snapshot *snap)
{
	/* only after a page collector ran: snapshots without page data keep
	 * the shape they always had */
	return snap->pages.scan || snap->pages.entries;
}

/* two hex digits a stretch: 00 nothing .. ff all */
static void put_strip(struct jsonw *w, const char *key, const uint8_t *hist, unsigned n)
{
	static const char hex[] = "0123456789abcdef";
	char strip[2 * VMS_PAGE_HIST];

	for (unsigned b = 0; b < n; b++) {
		strip[2 * b] = hex[hist[b] >> 4];
		strip[2 * b + 1] = hex[hist[b] & 15];
	}
	jsonw_key(w, key);
	jsonw_string_n(w, strip, 2 * (size_t)n);
}

/* the counters' keys, quoted once */
static struct jsonw_qkey count_keys[VMS_PG__MAX];
static pthread_once_t count_keys_once = PTHREAD_ONCE_INIT;

static void count_keys_init(void)
{
	for (int c = 0; c < VMS_PG__MAX; c++)
		jsonw_qkey_init(&count_keys[c], vms_page_count_names[c]);
}

void json_put_region_pages(struct jsonw *w, const struct vms_region_pages *p)
{
	pthread_once(&count_keys_once, count_keys_init);
	if (!p) {
		jsonw_null(w);
		return;
	}
	jsonw_begin_inline_object(w);
	jsonw_qkey_uints(w, count_keys, p->v, VMS_PG__MAX, p->have, true);
	jsonw_key(w, "pss");
	if (vms_region_pages_has(p, VMS_PG_MAPPED_ONCE))
		jsonw_uint(w, p->pss);
	else
		jsonw_null(w);
	/* the pages in Rss, and apart the zero-page mappings, which are not */
	put_strip(w, "residency", p->hist, p->n_hist);
	if (vms_region_pages_has(p, VMS_PG_ZERO))
		put_strip(w, "zero_residency", vms_region_pages_zero(p), p->n_hist);
	jsonw_end_object(w);
}

void json_put_pages_info(struct jsonw *w, const struct vms_snapshot *snap)
{
	jsonw_begin_inline_object(w);
	jsonw_key(w, "scan");
	jsonw_bool(w, snap->pages.scan);
	jsonw_key(w, "entries");
	jsonw_bool(w, snap->pages.entries);
	jsonw_key(w, "refs_interval_ms");
	if (snap->pages.refs_interval_ms)
		jsonw_uint(w, snap->pages.refs_interval_ms);
	else
		jsonw_null(w);
	jsonw_end_object(w);
}
