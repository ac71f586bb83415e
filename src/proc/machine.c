/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory of the machine and of its cgroups, shown beside a listing's
 * processes: /proc/meminfo, a process's memory cgroup from
 * /proc/<pid>/cgroup, and what a cgroup is charged.
 */
#include "config.h"

#include "vmscope/list.h"

#include <errno.h>
#include <string.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* /proc/meminfo is about 1.5 KiB */
#define MEMINFO_CAP (64 * 1024)

/* Machine memory */

static const char *const meminfo_keys[VMS_MI__MAX] = {
	[VMS_MI_TOTAL] = "MemTotal",
	[VMS_MI_FREE] = "MemFree",
	[VMS_MI_AVAILABLE] = "MemAvailable",
	[VMS_MI_SWAP_TOTAL] = "SwapTotal",
	[VMS_MI_SWAP_FREE] = "SwapFree",
	[VMS_MI_COMMITTED_AS] = "Committed_AS",
	[VMS_MI_COMMIT_LIMIT] = "CommitLimit",
};

static uint64_t *meminfo_slot(struct vms_meminfo *mi, unsigned i)
{
	uint64_t *slots[VMS_MI__MAX] = {
		&mi->total,      &mi->free,         &mi->available,    &mi->swap_total,
		&mi->swap_free,  &mi->committed_as, &mi->commit_limit,
	};

	return slots[i];
}

int vms_meminfo_parse(const char *buf, size_t len, struct vms_meminfo *ret)
{
	struct vms_meminfo mi = { .have = 0 };
	const char *p = buf, *end = buf + len, *line;
	size_t llen;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *colon = memchr(line, ':', llen), *v, *lend = line + llen;
		uint64_t n;

		if (!colon)
			return -EBADMSG;
		for (unsigned i = 0; i < VMS_MI__MAX; i++) {
			if (!parse_eq(line, (size_t)(colon - line), meminfo_keys[i]))
				continue;
			v = colon + 1;
			parse_skip_blanks(&v, lend);
			if (parse_dec_u64(&v, lend, &n) < 0)
				return -EBADMSG;
			parse_skip_blanks(&v, lend);
			if (v != lend && !parse_eq(v, (size_t)(lend - v), "kB"))
				return -EBADMSG;
			if (n > UINT64_MAX / 1024)
				return -EBADMSG;
			*meminfo_slot(&mi, i) = n * 1024;
			mi.have |= 1u << i;
			break;
		}
	}
	*ret = mi;
	return 0;
}

int vms_meminfo_read(int root_fd, struct vms_meminfo *ret)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = procfile_read_at(root_fd, "meminfo", MEMINFO_CAP, 0, &sb);
	if (r >= 0)
		r = vms_meminfo_parse(sb.buf, sb.len, ret);
	strbuf_release(&sb);
	return r;
}

/* Cgroups */

int vms_cgroup_parse(const char *buf, size_t len, const char **ret_path, size_t *ret_len,
		     bool *ret_v1)
{
	const char *p = buf, *end = buf + len, *line;
	const char *v2 = NULL, *v1 = NULL;
	size_t llen, v2_len = 0, v1_len = 0;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *lend = line + llen, *c1, *c2, *ctl;
		uint64_t id;

		if (llen == 0)
			continue;
		c1 = line;
		if (parse_dec_u64(&c1, lend, &id) < 0 || !parse_char(&c1, lend, ':'))
			return -EBADMSG;
		c2 = memchr(c1, ':', (size_t)(lend - c1));
		if (!c2 || c2 + 1 >= lend || c2[1] != '/')
			return -EBADMSG;
		if (id == 0 && c2 == c1) {
			v2 = c2 + 1;
			v2_len = (size_t)(lend - v2);
			continue;
		}
		/* controllers are a comma-separated list: "cpu,cpuacct" */
		for (ctl = c1; ctl < c2;) {
			const char *comma = memchr(ctl, ',', (size_t)(c2 - ctl));
			const char *cend = comma ? comma : c2;

			if (parse_eq(ctl, (size_t)(cend - ctl), "memory")) {
				v1 = c2 + 1;
				v1_len = (size_t)(lend - v1);
			}
			ctl = cend + 1;
		}
	}
	if (v1) {
		*ret_path = v1;
		*ret_len = v1_len;
		*ret_v1 = true;
		return 0;
	}
	if (v2) {
		*ret_path = v2;
		*ret_len = v2_len;
		*ret_v1 = false;
		return 0;
	}
	return -ENOENT;
}

static int read_u64_file(int dirfd, const char *name, uint64_t *ret)
{
	struct strbuf sb;
	const char *p, *end;
	uint64_t v;
	int r;

	strbuf_init(&sb);
	r = procfile_read_at(dirfd, name, 4096, 0, &sb);
	if (r >= 0) {
		p = sb.buf;
		end = sb.buf + sb.len;
		r = parse_dec_u64(&p, end, &v);
		if (r == 0 && p != end && *p != '\n')
			r = -EBADMSG;
	}
	strbuf_release(&sb);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int vms_cgroup_memory(int cg_root_fd, const char *path, bool v1, uint64_t *ret)
{
	/* The v2 hierarchy is the root itself or, on a hybrid system, "unified". */
	static const char *const v2_mounts[] = { "", "unified" };
	struct strbuf name;
	int r = -ENOENT;

	if (cg_root_fd < 0 || path[0] != '/' || strstr(path, "/../") ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return -ENOENT;
	strbuf_init(&name);
	if (v1) {
		strbuf_addf(&name, "memory%s%smemory.usage_in_bytes", path,
			    path[1] ? "/" : "");
		r = read_u64_file(cg_root_fd, name.buf, ret);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(v2_mounts) && r < 0; i++) {
			strbuf_reset(&name);
			strbuf_addf(&name, "%s%s%smemory.current", v2_mounts[i],
				    i == 0 ? path + 1 : path, path[1] ? "/" : "");
			r = read_u64_file(cg_root_fd, name.buf, ret);
		}
	}
	strbuf_release(&name);
	return r;
}
