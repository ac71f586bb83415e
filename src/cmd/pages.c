/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope pages PID [--range A-B | --region N]: runs of pages with one
 * state, from pagemap (and kpageflags as root).
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/procfile.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/options.h"
#include "cmd/common/render.h"
#include "report/pages.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/pages.h"
#include "vmscope/snapshot.h"

enum {
	OPT_RANGE = CLI_OPT_FIRST_FREE,
	OPT_REGION,
	OPT_PAGEMAP,
	OPT_FULL,
};

static const struct cli_option pages_options[] = {
	{ "range", 0, required_argument, OPT_RANGE, "A-B",
	  "only the pages in [A, B) (hexadecimal addresses)" },
	{ "region", 0, required_argument, OPT_REGION, "N",
	  "only region N (its index in the JSON report)" },
	{ "format", 'f', required_argument, 'f', "FMT", "output format: text or json (default text)" },
	{ "bytes", 'b', no_argument, 'b', NULL, "print exact byte counts instead of human sizes" },
	{ "pagemap", 0, required_argument, OPT_PAGEMAP, "HOW",
	  "read pagemap by scan (PAGEMAP_SCAN, the default where the kernel has it) or pread" },
	{ "full", 0, no_argument, OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command pages_command = {
	.name = "pages",
	.synopsis = "vmscope pages [OPTIONS] PID|NAME",
	.summary = "List the pages of a process's regions as runs of pages in one state: present,\n"
		   "swapped, file-backed, exclusively mapped, zero page, huge page, guard; as\n"
		   "root also the page flags (anon, dirty, active, referenced, LRU, mlocked,\n"
		   "KSM) and how many mappings share each page. Unpopulated pages are not\n"
		   "listed.\n",
	.options = pages_options,
	.n_options = ARRAY_SIZE(pages_options),
	.epilog = NULL,
};

struct pages_args {
	bool json, bytes, full, pread;
	bool have_range;
	uint64_t range_start, range_end;
	long region; /* -1 all */
	const char *proc_root;
};

static int parse_hex(const char *s, const char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return 0;
}

static int pages_option(int id, const char *arg, void *ctx)
{
	struct pages_args *a = ctx;
	const char *dash;
	unsigned v;
	int r;

	switch (id) {
	case OPT_RANGE:
		dash = strchr(arg, '-');
		if (!dash || parse_hex(arg, dash, &a->range_start) < 0 ||
		    parse_hex(dash + 1, dash + strlen(dash), &a->range_end) < 0 ||
		    a->range_end <= a->range_start) {
			cli_error("--range takes START-END in hexadecimal, START < END, not '%s'", arg);
			return -EINVAL;
		}
		a->have_range = true;
		return 0;
	case OPT_REGION:
		r = cli_parse_uint("region", arg, 0, INT32_MAX, &v);
		a->region = v;
		return r;
	case 'f':
		return cli_parse_text_or_json(arg, &a->json);
	case 'b':
		a->bytes = true;
		return 0;
	case OPT_PAGEMAP:
		return cmd_parse_pagemap(arg, &a->pread);
	case OPT_FULL:
		a->full = true;
		return 0;
	case CLI_OPT_PROC_ROOT:
		a->proc_root = arg;
		return 0;
	}
	return -EINVAL;
}



/* ---- the listing -------------------------------------------------------- */

struct listing_ctx {
	struct pages_listing *l;
	struct vms_pages_acc acc;
};

static int add_run(const struct vms_page_run *run, void *ctx)
{
	struct listing_ctx *c = ctx;
	struct pages_listing *l = c->l;

	ARRAY_GROW(l->runs, l->n_runs + 1, l->alloc_runs);
	l->runs[l->n_runs++] = *run;
	vms_pages_acc_add(&c->acc, run);
	return 0;
}

static int list_region(struct vms_pagemap *pm, struct pages_listing *l, size_t idx,
		       uint64_t start, uint64_t end)
{
	struct listing_ctx c = { .l = l };
	struct pages_region *pr;
	int r;

	ARRAY_GROW(l->regions, l->n_regions + 1, l->alloc_regions);
	pr = &l->regions[l->n_regions++];
	*pr = (struct pages_region){ .region = idx, .start = start, .end = end,
				     .first_run = l->n_runs };
	vms_pages_acc_init(&c.acc, &pr->counts, start, end, l->snap->host.page_size, l->known);
	r = vms_pagemap_walk(pm, start, end, add_run, &c);
	pr->n_runs = l->n_runs - pr->first_run;
	vms_pages_acc_finish(&c.acc);
	if (start == l->snap->regions[idx].start && end == l->snap->regions[idx].end)
		vms_region_pages_thp_from_smaps(&pr->counts, &l->snap->regions[idx]);
	return r;
}

static int list_pages(struct vms_pagemap *pm, const struct pages_args *a,
		      struct pages_listing *l)
{
	const struct vms_snapshot *snap = l->snap;
	uint64_t mask = (uint64_t)snap->host.page_size - 1;
	uint64_t lo = a->range_start & ~mask, hi = (a->range_end + mask) & ~mask;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *reg = &snap->regions[i];
		uint64_t s = reg->start, e = reg->end;
		int r;

		if (a->region >= 0 && (size_t)a->region != i)
			continue;
		if (a->region < 0 && reg->kind == VMS_KIND_VSYSCALL)
			continue; /* not in the process's page tables */
		if (a->have_range) {
			s = s > lo ? s : lo;
			e = e < hi ? e : hi;
			if (e <= s)
				continue;
		}
		r = list_region(pm, l, i, s, e);
		if (r == -ENODATA && a->region < 0)
			continue; /* the kernel has no entries there */
		if (r < 0)
			return r;
	}
	return 0;
}

/* The listing is whole before it is rendered, so it is streamed. */
static int print_listing(const struct pages_listing *l, const struct pages_args *a)
{
	int r;

	errno = 0;
	if (a->json)
		r = pages_render_json(stdout, l);
	else if (cmd_say_no_address_space(l->snap, stdout))
		r = 0;
	else
		r = pages_render_text(stdout, l, a->bytes, false, !cli_locale_utf8(),
				      cli_output_width(0, STDOUT_FILENO));
	return cmd_written(cmd_stream_done(stdout, r), "the listing");
}

/* *exec'd: the process replaced its program while read (read it again). */
static int run_pages(int root_fd, pid_t pid, const struct pages_args *a, bool *exec_d)
{
	struct pages_listing l = { 0 };
	struct vms_snapshot *snap = vms_snapshot_new();
	struct vms_pagemap *pm = NULL;
	struct vms_elf_cache *cache = NULL;
	struct vms_proc *p = NULL;
	int r, status = EXIT_GONE;
	const char *what = "the directory"; /* what a failure is said to be of, step by step */

	r = vms_proc_open(root_fd, pid, cli_proc_root_is_live(a->proc_root), &p);
	if (r < 0) {
		r = r == -ESRCH ? -ENOENT : r;
		goto out;
	}
	vms_collect_host(root_fd, &snap->host);
	what = "stat";
	r = vms_collect(p, VMS_COLLECT_REGIONS, snap);
	if (r >= 0 && !vms_snapshot_have(snap, VMS_SRC_SMAPS)) {
		r = snap->src[VMS_SRC_SMAPS].error;
		what = "the regions";
	}
	if (r < 0)
		goto out;
	if (vms_snapshot_no_address_space(snap)) {
		/* no pagemap to open, no page to list: one line, or JSON without regions */
		l.snap = snap;
		status = print_listing(&l, a);
		goto done;
	}
	cache = vms_elf_cache_new();
	vms_model_build(snap, cache, vms_proc_dirfd(p)); /* kinds: text, data, ... */
	if (cli_proc_root_is_live(a->proc_root))
		vms_model_jvm(snap, cache, vms_proc_dirfd(p)); /* and a JVM's, as the report's */
	if (a->region >= 0 && (size_t)a->region >= snap->n_regions) {
		fprintf(stderr, "vmscope: pid %d has %zu regions: no region %ld\n", (int)pid,
			snap->n_regions, a->region);
		status = EXIT_USAGE;
		goto done;
	}
	what = "pagemap";
	r = vms_pagemap_open(vms_proc_dirfd(p), root_fd,
			     a->pread ? VMS_PAGEMAP_PREAD : VMS_PAGEMAP_AUTO, VMS_PAGEMAP_DETAIL, &pm);
	if (r < 0 && !cli_proc_root_is_live(a->proc_root) && vms_proc_alive(p) == 1) {
		/* a captured tree: no pagemap was copied, and nothing exited or exec'd */
		cli_error("cannot read the pagemap of pid %d: %s (a capture holds none)", (int)pid,
			  procfile_strerror(r == -ESRCH ? -ENOENT : r));
		goto done;
	}
	if (r < 0)
		goto out;
	l.snap = snap;
	l.known = vms_pagemap_known(pm);
	snap->pages.scan = vms_pagemap_uses_scan(pm);
	snap->pages.entries = vms_pagemap_uses_entries(pm);
	r = list_pages(pm, a, &l);
	if (r < 0)
		goto out;
	/* runs read from a process that exited half-way are not to be shown */
	if (vms_pagemap_check_mm(pm) < 0 || vms_proc_alive(p) == 0) {
		r = -ESRCH;
		goto out;
	}
	if (vms_pagemap_kpage_error(pm) && !a->json)
		cli_error("without page flags and map counts: kpageflags: %s%s",
			strerror(-vms_pagemap_kpage_error(pm)),
			vms_pagemap_kpage_error(pm) == -EACCES ||
					vms_pagemap_kpage_error(pm) == -EPERM
				? " (they need root)"
				: "");
	status = print_listing(&l, a);
	goto done;
out:
	/* gone from under the same running process: an exec, not an exit */
	if (r == -ESRCH && p && vms_proc_alive(p) == 1) {
		*exec_d = true;
		goto done;
	}
	if (r == -ESRCH || r == -ENOENT)
		cli_say_gone(pid, r);
	else
		cli_error("cannot read %s of pid %d: %s", what, (int)pid,
			procfile_strerror(r));
done:
	pages_listing_release(&l);
	vms_pagemap_free(pm);
	vms_proc_free(p);
	vms_snapshot_free(snap);
	vms_elf_cache_free(cache);
	return status;
}

int cmd_pages(int argc, char **argv)
{
	struct pages_args a = { .region = -1 };
	int first, root_fd, status;
	pid_t pid;

	status = cli_parse(argc, argv, &pages_command, pages_option, &a, &first);
	if (status != 0)
		return status > 0 ? 0 : EXIT_USAGE;
	if (argc - first != 1) {
		fputs(argc == first ? "vmscope: pages needs a PID or NAME\n"
				    : "vmscope: pages takes one PID or NAME\n",
		      stderr);
		return EXIT_USAGE;
	}
	if (a.have_range && a.region >= 0) {
		fputs("vmscope: --range and --region exclude each other\n", stderr);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cli_resolve_target(root_fd, argv[first], a.full, &pid);
	/* a process that execs while read is read again, up to 3 times */
	for (int i = 0; !status && i < 3; i++) {
		bool exec_d = false;

		status = run_pages(root_fd, pid, &a, &exec_d);
		if (!exec_d)
			break;
		status = i < 2 ? 0 : EXIT_GONE;
		if (status)
			cli_say_gone(pid, -EAGAIN);
	}
	close(root_fd);
	return status;
}
