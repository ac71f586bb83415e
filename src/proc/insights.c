/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How close a process is to its limits: its soft limits (/proc/<pid>/limits),
 * what the OOM killer thinks of it, its memory cgroup and the machine's
 * commitment. Each group records why it could not be read, so a report says
 * "n/a" with a reason instead of a false 0.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "proc/proc-internal.h"
#include "vmscope/list.h"

#define SMALL_FILE_CAP (64 * 1024)
/* v1 says "no limit" as the largest page-aligned long; nothing real is this big */
#define V1_UNLIMITED (UINT64_C(1) << 62)

/* "unlimited" or a number after the limit's name; *ret in the file's unit. */
static int parse_limit_value(const char *p, const char *end, uint64_t *ret)
{
	const char *w;
	size_t wlen;
	uint64_t v;

	parse_skip_blanks(&p, end);
	if (parse_word(&p, end, &w, &wlen) < 0)
		return -EBADMSG;
	if (parse_eq(w, wlen, "unlimited")) {
		*ret = VMS_UNLIMITED;
		return 0;
	}
	if (parse_dec_u64(&w, w + wlen, &v) < 0 || v == VMS_UNLIMITED)
		return -EBADMSG;
	*ret = v;
	return 0;
}

int vms_limits_parse(const char *buf, size_t len, struct vms_limits *ret)
{
	static const char stack_name[] = "Max stack size", memlock_name[] = "Max locked memory";
	const char *p = buf, *end = buf + len, *line;
	struct vms_limits l = { .tried = true };
	size_t llen;
	bool header = false;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *lend = line + llen;

		if (parse_startswith(line, llen, "Limit ")) {
			header = true;
			continue;
		}
		/* the names hold spaces; the values follow in columns */
		if (parse_startswith(line, llen, stack_name)) {
			if (parse_limit_value(line + sizeof(stack_name) - 1, lend, &l.stack) < 0)
				return -EBADMSG;
			l.have_stack = true;
		} else if (parse_startswith(line, llen, memlock_name)) {
			if (parse_limit_value(line + sizeof(memlock_name) - 1, lend, &l.memlock) < 0)
				return -EBADMSG;
			l.have_memlock = true;
		}
	}
	if (!header)
		return -EBADMSG;
	*ret = l;
	return 0;
}

/* A one-line file into sb (procfile_read_at's flags); [*ret_p, *ret_end) is
 * its text without the newline. */
static int read_line_at(int dirfd, const char *name, unsigned flags, struct strbuf *sb,
			const char **ret_p, const char **ret_end)
{
	const char *end;
	int r = procfile_read_at(dirfd, name, 4096, flags, sb);

	if (r < 0)
		return r;
	end = sb->buf + sb->len;
	while (end > sb->buf && end[-1] == '\n')
		end--;
	*ret_p = sb->buf;
	*ret_end = end;
	return 0;
}

/* One decimal number, possibly negative, alone on its line. */
static int read_int_at(int dirfd, const char *name, unsigned flags, struct strbuf *sb,
		       int64_t min, int64_t max, int64_t *ret)
{
	const char *p, *end;
	int64_t v;
	int r = read_line_at(dirfd, name, flags, sb, &p, &end);

	if (r < 0)
		return r;
	if (parse_dec_i64(&p, end, &v) < 0 || p != end || v < min || v > max)
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* A cgroup value file: a number of bytes, or "max" (v2) for none. */
static int read_cg_value(int dirfd, const char *name, struct strbuf *sb, uint64_t *ret)
{
	const char *p, *end;
	uint64_t v;
	int r = read_line_at(dirfd, name, 0, sb, &p, &end);

	if (r < 0)
		return r;
	if (parse_eq(p, (size_t)(end - p), "max")) {
		*ret = VMS_UNLIMITED;
		return 0;
	}
	if (parse_dec_u64(&p, end, &v) < 0 || p != end)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static void cg_set(struct vms_cgroup *cg, enum vms_cg_value f, uint64_t v)
{
	cg->v[f] = v;
	cg->have |= UINT32_C(1) << f;
}

static int cgroup_v2(int dirfd, struct strbuf *sb, struct vms_cgroup *cg)
{
	static const struct {
		const char *file;
		enum vms_cg_value f;
	} files[] = {
		{ "memory.max", VMS_CG_MAX },
		{ "memory.high", VMS_CG_HIGH },
		{ "memory.swap.current", VMS_CG_SWAP_CURRENT },
	};
	uint64_t v;
	int r;

	/* no memory.current: the memory controller is not enabled here */
	r = read_cg_value(dirfd, "memory.current", sb, &v);
	if (r < 0)
		return r;
	cg_set(cg, VMS_CG_CURRENT, v);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (read_cg_value(dirfd, files[i].file, sb, &v) == 0)
			cg_set(cg, files[i].f, v);
	cg->version = 2;
	return 0;
}

/*
 * The value of one "key N" line of a v1 memory.stat. Returns 0, -ENODATA
 * when the key is not there, -EBADMSG, or the read's -errno.
 */
static int read_cg_stat(int dirfd, const char *key, struct strbuf *sb, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *p, *end, *line;
	int r = procfile_read_at(dirfd, "memory.stat", SMALL_FILE_CAP, 0, sb);

	if (r < 0)
		return r;
	end = sb->buf + sb->len;
	for (line = sb->buf; line < end; line = p + 1) {
		const char *lend = memchr(line, '\n', (size_t)(end - line));

		if (!lend)
			lend = end;
		p = lend;
		if ((size_t)(lend - line) <= klen || memcmp(line, key, klen) != 0 || line[klen] != ' ')
			continue;
		p = line + klen + 1;
		if (parse_dec_u64(&p, lend, ret) < 0 || p != lend)
			return -EBADMSG;
		return 0;
	}
	return -ENODATA;
}

static int cgroup_v1(int dirfd, struct strbuf *sb, struct vms_cgroup *cg)
{
	uint64_t usage, v;
	int r;

	r = read_cg_value(dirfd, "memory.usage_in_bytes", sb, &usage);
	if (r < 0)
		return r;
	cg_set(cg, VMS_CG_CURRENT, usage);
	if (read_cg_value(dirfd, "memory.limit_in_bytes", sb, &v) == 0)
		cg_set(cg, VMS_CG_MAX, v >= V1_UNLIMITED ? VMS_UNLIMITED : v);
	/*
	 * Swap, with swap accounting on (the kernel prints the line only then):
	 * total_swap counts the cgroup and its descendants, as usage_in_bytes
	 * and v2's memory.swap.current do ("swap" is the cgroup's own pages).
	 * One counter read once: memsw.usage minus usage, two files read at two
	 * moments, is off by whatever was charged in between.
	 */
	if (read_cg_stat(dirfd, "total_swap", sb, &v) == 0)
		cg_set(cg, VMS_CG_SWAP_CURRENT, v);
	cg->version = 1;
	return 0;
}

int vms_cgroup_read(int cg_root_fd, const char *path, bool v1, struct vms_cgroup *ret)
{
	/* v2 is the root itself or, on a hybrid system, "unified" */
	static const char *const v2_mounts[] = { ".", "unified" };
	struct vms_cgroup cg = { .tried = true };
	struct strbuf sb, name;
	size_t n = strlen(path);
	int r = -ENOENT;

	/* the path is the kernel's, but a captured or hostile one must not climb out */
	if (cg_root_fd < 0 || path[0] != '/' || strstr(path, "/../") ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0))
		return -ENOENT;
	strbuf_init(&sb);
	strbuf_init(&name);
	for (size_t i = 0; i < (v1 ? 1 : ARRAY_SIZE(v2_mounts)) && r == -ENOENT; i++) {
		int fd;

		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s", v1 ? "memory" : v2_mounts[i], path);
		fd = openat(cg_root_fd, name.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		r = v1 ? cgroup_v1(fd, &sb, &cg) : cgroup_v2(fd, &sb, &cg);
		close(fd);
	}
	strbuf_release(&sb);
	strbuf_release(&name);
	if (r < 0)
		return r;
	*ret = cg;
	return 0;
}

static void collect_limits(int dirfd, unsigned whole, struct strbuf *sb, struct vms_snapshot *snap)
{
	struct vms_limits l;
	int r = procfile_read_at(dirfd, "limits", SMALL_FILE_CAP, whole, sb);

	if (r >= 0)
		r = vms_limits_parse(sb->buf, sb->len, &l);
	if (r < 0)
		l = (struct vms_limits){ .error = r };
	l.tried = true;
	snap->limits = l;
}

static void collect_oom(int dirfd, unsigned whole, struct strbuf *sb, struct vms_snapshot *snap)
{
	struct vms_oom *o = &snap->oom;
	int64_t v;

	o->tried = true;
	o->score_error = read_int_at(dirfd, "oom_score", whole, sb, 0, 2000, &v);
	if (o->score_error == 0)
		o->score = (int32_t)v;
	o->adj_error = read_int_at(dirfd, "oom_score_adj", whole, sb, -1000, 1000, &v);
	if (o->adj_error == 0)
		o->score_adj = (int32_t)v;
}

static void collect_cgroup(int dirfd, unsigned whole, struct strbuf *sb, struct vms_snapshot *snap)
{
	struct vms_cgroup cg = { .tried = true };
	const char *path;
	size_t len;
	bool v1 = false;
	int r, cg_fd;

	r = procfile_read_at(dirfd, "cgroup", SMALL_FILE_CAP, whole, sb);
	if (r >= 0)
		r = vms_cgroup_parse(sb->buf, sb->len, &path, &len, &v1);
	if (r >= 0) {
		char *p = arena_strndup(snap->arena, path, len);

		cg_fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = cg_fd < 0 ? -ENOENT : vms_cgroup_read(cg_fd, p, v1, &cg);
		if (cg_fd >= 0)
			close(cg_fd);
		cg.path = p;
	}
	cg.tried = true;
	cg.error = r < 0 ? r : 0;
	snap->cgroup = cg;
}

static void collect_host_memory(int root_fd, struct vms_snapshot *snap)
{
	static const unsigned from[VMS_HM__MAX] = {
		[VMS_HM_AVAILABLE] = VMS_MI_AVAILABLE,
		[VMS_HM_COMMITTED_AS] = VMS_MI_COMMITTED_AS,
		[VMS_HM_COMMIT_LIMIT] = VMS_MI_COMMIT_LIMIT,
	};
	struct vms_host_memory *hm = &snap->host_mem;
	struct vms_meminfo mi;
	const uint64_t *value[VMS_HM__MAX] = { &mi.available, &mi.committed_as, &mi.commit_limit };
	int r = vms_meminfo_read(root_fd, &mi);

	hm->tried = true;
	hm->error = r < 0 ? r : 0;
	if (r < 0)
		return;
	for (unsigned i = 0; i < VMS_HM__MAX; i++) {
		if (!(mi.have & (1u << from[i])))
			continue;
		hm->v[i] = *value[i];
		hm->have |= UINT32_C(1) << i;
	}
}

void collect_insights(int dirfd, int root_fd, bool live, struct vms_snapshot *snap)
{
	unsigned whole = procfile_whole_if(live);
	struct strbuf sb;

	strbuf_init(&sb);
	collect_limits(dirfd, whole, &sb, snap);
	collect_oom(dirfd, whole, &sb, snap);
	if (live)
		collect_cgroup(dirfd, whole, &sb, snap);
	collect_host_memory(root_fd, snap);
	strbuf_release(&sb);
}
