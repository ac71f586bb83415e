/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the pagemap decoders. The first byte picks the path
 * (pagemap entries, with or without kpageflags, or PAGEMAP_SCAN ranges);
 * the rest is read as little-endian u64s. Invariants: runs come in order,
 * never overlap, and the sums never exceed the region.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

#define PS 4096u
#define BASE UINT64_C(0x10000000)
#define MAXN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	struct vms_pages_acc acc;
	uint64_t last_end;
};

static int check_run(const struct vms_page_run *run, void *ctx)
{
	struct check *c = ctx;

	if (run->end <= run->start || run->start < c->last_end || !run->state)
		__builtin_trap();
	c->last_end = run->end;
	vms_pages_acc_add(&c->acc, run);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t w[3 * MAXN];
	struct vms_region_pages out;
	struct check c = { 0 };
	struct vms_run_builder b;
	size_t n, pages;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0] % 3;
	n = (size - 1) / 8;
	if (n > 3 * MAXN)
		n = 3 * MAXN;
	memcpy(w, data + 1, n * 8);
	pages = mode == 2 ? 1 + (w[0] % (1u << 20)) : (mode ? n / 3 : n);
	if (pages == 0)
		return 0;
	vms_pages_acc_init(&c.acc, &out, BASE, BASE + pages * PS, PS,
			   (UINT32_C(1) << VMS_PG__MAX) - 1);
	vms_run_builder_init(&b, check_run, &c);
	if (mode == 0)
		vms_pagemap_decode_entries(w, n, BASE, PS, NULL, NULL, &b);
	else if (mode == 1)
		vms_pagemap_decode_entries(w, pages, BASE, PS, w + pages, w + 2 * pages, &b);
	else if (n >= 1) /* w[0] chose the page count: (n - 1) / 3 regions follow */
		vms_pagemap_decode_scan((const struct vms_scan_region *)(w + 1), (n - 1) / 3, BASE,
					BASE + pages * PS, PS, &b);
	vms_run_builder_flush(&b);
	vms_pages_acc_finish(&c.acc);
	for (int k = 0; k < VMS_PG__MAX; k++)
		if (out.v[k] > pages * PS)
			__builtin_trap();
	if (out.pss > pages * PS || out.n_hist > VMS_PAGE_HIST)
		__builtin_trap();
	return 0;
}
