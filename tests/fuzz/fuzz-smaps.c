/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the smaps parser of src/proc. The same bytes are parsed
 * three ways that must agree: whole (vms_smaps_parse), in blocks cut
 * anywhere with the partial line carried over (as vms_collect reads them,
 * vms_smaps_parse_lines), and a line at a time through
 * vms_smaps_parse_line, the reference for every line the fast path takes.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/procfile.h"
#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_lines(struct vms_snapshot *snap, const char *buf, size_t len)
{
	struct vms_smaps_parser ps;
	const char *p = buf, *end = buf + len, *line;
	size_t llen;

	vms_smaps_parser_init(&ps, snap);
	while (memlines_next(&p, end, &line, &llen) > 0) {
		int r = vms_smaps_parse_line(&ps, line, llen);

		if (r < 0)
			return r;
	}
	vms_smaps_parser_done(&ps);
	return 0;
}

/* Blocks of 1 to 64 new bytes behind the carried partial line. */
static int by_blocks(struct vms_snapshot *snap, const char *buf, size_t len)
{
	struct vms_smaps_parser ps;
	char *acc = malloc(len + 1);
	size_t have = 0, fed = 0;
	uint32_t seed = (uint32_t)len * 2654435761u;
	int r = 0;

	vms_smaps_parser_init(&ps, snap);
	for (;;) {
		size_t step = 1 + (seed >> 26);
		bool eof;
		ptrdiff_t n;

		seed = seed * 1103515245u + 12345u;
		if (step > len - fed)
			step = len - fed;
		memcpy(acc + have, buf + fed, step);
		have += step;
		fed += step;
		eof = fed == len;
		n = vms_smaps_parse_lines(&ps, acc, have, eof);
		if (n < 0) {
			r = (int)n;
			break;
		}
		memmove(acc, acc + n, have - (size_t)n);
		have -= (size_t)n;
		if (eof)
			break;
	}
	vms_smaps_parser_done(&ps);
	free(acc);
	return r;
}

static bool same_regions(const struct vms_snapshot *a, const struct vms_snapshot *b)
{
	if (a->n_regions != b->n_regions || a->dropped_regions != b->dropped_regions)
		return false;
	for (size_t i = 0; i < a->n_regions; i++) {
		const struct vms_region *x = &a->regions[i], *y = &b->regions[i];

		if (x->start != y->start || x->end != y->end || x->offset != y->offset ||
		    x->inode != y->inode || x->dev_major != y->dev_major ||
		    x->dev_minor != y->dev_minor || x->perms != y->perms ||
		    x->deleted != y->deleted || strcmp(x->name, y->name) != 0 ||
		    x->vmflags != y->vmflags || x->thp_eligible != y->thp_eligible ||
		    x->protection_key != y->protection_key || x->mem.have != y->mem.have ||
		    memcmp(x->mem.v, y->mem.v, sizeof(x->mem.v)) != 0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_snapshot *whole = vms_snapshot_new(), *lines = vms_snapshot_new(),
			    *blocks = vms_snapshot_new();
	const char *buf = (const char *)data;
	int rw, rl, rb;

	/* Any bytes: parsed or refused, never a read past the end. Regions that
	 * were accepted must be sorted and non-overlapping. */
	rw = vms_smaps_parse(whole, buf, size);
	if (rw == 0) {
		for (size_t i = 0; i < whole->n_regions; i++) {
			if (whole->regions[i].end < whole->regions[i].start)
				__builtin_trap();
			if (i && whole->regions[i].start < whole->regions[i - 1].end)
				__builtin_trap();
		}
	}
	rl = by_lines(lines, buf, size);
	rb = by_blocks(blocks, buf, size);
	if (rw != rl || rw != rb)
		__builtin_trap();
	if (rw == 0 && (!same_regions(whole, lines) || !same_regions(whole, blocks)))
		__builtin_trap();
	vms_snapshot_free(whole);
	vms_snapshot_free(lines);
	vms_snapshot_free(blocks);
	return 0;
}
