/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pages-speed PID [RUNS]: the page scan of a whole process as the report
 * does it (vms_collect_pages_swept), against a bare PAGEMAP_SCAN loop over the
 * same regions, against pread of pagemap 8 bytes a page and in 64 KiB
 * reads; medians in milliseconds. Built by bench/pages-speed.sh.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench/median.h"
#include "vmscope/collect.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

struct scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define SCAN _IOWR('f', 16, struct scan_arg)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t bare_scan(int fd, const struct vms_snapshot *snap)
{
	static struct vms_scan_region vec[4096];
	uint64_t pages = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		uint64_t cur = r->start;

		if (r->start >> 63) /* vsyscall: not in the page tables */
			continue;
		while (cur < r->end) {
			struct scan_arg a = {
				.size = sizeof(a), .start = cur, .end = r->end,
				.vec = (uintptr_t)vec, .vec_len = 4096,
				.category_anyof_mask = VMS_SCAN_PRESENT | VMS_SCAN_SWAPPED,
				.return_mask = 0x7f,
			};
			long n = ioctl(fd, SCAN, &a);

			if (n < 0) {
				fprintf(stderr, "PAGEMAP_SCAN %lx-%lx: %s\n", (unsigned long)cur, (unsigned long)r->end, strerror(errno));
				exit(1);
			}
			for (long k = 0; k < n; k++)
				pages += (vec[k].end - vec[k].start) / 4096;
			if (n < 4096 || a.walk_end <= cur)
				break;
			cur = a.walk_end > vec[n - 1].end ? a.walk_end : vec[n - 1].end;
		}
	}
	return pages;
}

static uint64_t pread_pages(int fd, const struct vms_snapshot *snap, size_t per_read)
{
	static uint64_t buf[8192];
	uint64_t present = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->start >> 63) /* vsyscall: not in the page tables */
			continue;
		for (uint64_t a = r->start; a < r->end; a += per_read * 4096) {
			uint64_t left = (r->end - a) / 4096;
			size_t n = left < per_read ? (size_t)left : per_read;
			ssize_t k = pread(fd, buf, n * 8, (off_t)(a / 4096 * 8));

			for (ssize_t j = 0; j < k / 8; j++)
				present += buf[j] >> 63;
		}
	}
	return present;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7;
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_pages_options cheap = { .method = VMS_PAGEMAP_AUTO };
	struct vms_pages_options detail = { .method = VMS_PAGEMAP_AUTO, .flags = VMS_PAGEMAP_DETAIL };
	double t_col[32], t_det[32], t_bare[32], t_bulk[32], t0, t_each;
	struct vms_proc *p;
	char path[64];
	int root, fd;
	uint64_t present = 0;

	if (argc < 2 || runs < 1 || runs > 32) {
		fprintf(stderr, "usage: pages-speed PID [RUNS<=32]\n");
		return 2;
	}
	root = open("/proc", O_RDONLY | O_DIRECTORY);
	if (vms_proc_open(root, (pid_t)strtol(argv[1], NULL, 10), true, &p) < 0 ||
	    vms_collect(p, VMS_COLLECT_REGIONS, snap) < 0) {
		fprintf(stderr, "pages-speed: cannot read pid %s\n", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	fd = open(path, O_RDONLY);
	for (int i = 0; i < runs; i++) {
		struct vms_snapshot *s = vms_snapshot_new();

		/* the same regions each time, fresh page fields */
		s->regions = calloc(snap->n_regions, sizeof(*s->regions));
		memcpy(s->regions, snap->regions, snap->n_regions * sizeof(*s->regions));
		s->n_regions = s->alloc_regions = snap->n_regions;
		t0 = now_ms();
		vms_collect_pages_swept(NULL, vms_proc_dirfd(p), root, &cheap, s);
		t_col[i] = now_ms() - t0;
		t0 = now_ms();
		vms_collect_pages_swept(NULL, vms_proc_dirfd(p), root, &detail, s);
		t_det[i] = now_ms() - t0;
		present = 0;
		for (size_t k = 0; k < s->n_regions; k++)
			if (s->regions[k].pages)
				present += s->regions[k].pages->v[VMS_PG_PRESENT] / 4096;
		vms_snapshot_free(s);
		t0 = now_ms();
		bare_scan(fd, snap);
		t_bare[i] = now_ms() - t0;
		t0 = now_ms();
		pread_pages(fd, snap, 8192);
		t_bulk[i] = now_ms() - t0;
	}
	t0 = now_ms();
	pread_pages(fd, snap, 1);
	t_each = now_ms() - t0;
	printf("regions %zu, present pages %llu, runs %d\n", snap->n_regions,
	       (unsigned long long)present, runs);
	printf("vmscope page scan (report default)  %9.2f ms\n", bench_median(t_col, (size_t)runs));
	printf("vmscope page scan with --pages      %9.2f ms\n", bench_median(t_det, (size_t)runs));
	printf("bare PAGEMAP_SCAN loop              %9.2f ms\n", bench_median(t_bare, (size_t)runs));
	printf("pread 64 KiB at a time              %9.2f ms\n", bench_median(t_bulk, (size_t)runs));
	printf("pread 8 bytes a page (one run)      %9.2f ms\n", t_each);
	printf("scan vs pread 8 bytes a page        %9.1fx faster\n", t_each / bench_median(t_col, (size_t)runs));
	printf("scan vs pread 64 KiB at a time      %9.1fx faster\n",
	       bench_median(t_bulk, (size_t)runs) / bench_median(t_col, (size_t)runs));
	printf("scan vs bare PAGEMAP_SCAN loop      %9.2fx the time\n",
	       bench_median(t_col, (size_t)runs) / bench_median(t_bare, (size_t)runs));
	return 0;
}
