/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SysV shared memory segments a process maps, from /proc/sysvipc/shm.
 *
 * The kernel names a segment's mapping "/SYSVkkkkkkkk (deleted)" whether or
 * not it is marked for removal, with the shmid as its inode; the table says
 * the rest: size, attaches, and SHM_DEST in the mode once IPC_RMID was
 * called (the key then reads 0, IPC_PRIVATE). The table is that of the
 * reader's IPC namespace, so a process in another one is not looked up.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* one line is under 200 bytes: room for 50,000 segments */
#define SYSV_CAP (10u << 20)

static int parse_octal(const char **p, const char *end, uint32_t *ret)
{
	const char *s = *p;
	uint32_t v = 0;

	if (s >= end || *s < '0' || *s > '7')
		return -EBADMSG;
	for (; s < end && *s >= '0' && *s <= '7'; s++) {
		if (v > UINT32_MAX >> 3)
			return -ERANGE;
		v = v << 3 | (uint32_t)(*s - '0');
	}
	*p = s;
	*ret = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The shmids the regions map, sorted; the caller frees them. */
static uint64_t *mapped_ids(const struct vms_snapshot *snap, size_t *ret_n)
{
	uint64_t *ids = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		if (vms_region_shm_type(&snap->regions[i]) != VMS_SHM_SYSV)
			continue;
		ARRAY_GROW(ids, n + 1, alloc);
		ids[n++] = snap->regions[i].inode;
	}
	if (n)
		ARRAY_SORT(ids, n, cmp_u64);
	*ret_n = n;
	return ids;
}

/* One row: key shmid perms size cpid lpid nattch uid gid cuid cgid ... */
static int parse_row(const char *line, size_t len, struct vms_sysv *ret)
{
	const char *p = line, *end = line + len;
	int64_t key, id;
	uint64_t size, cpid, lpid, nattch, uid;
	uint32_t mode;

	parse_skip_blanks(&p, end);
	if (parse_dec_i64(&p, end, &key) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_i64(&p, end, &id) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_octal(&p, end, &mode) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_u64(&p, end, &size) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_u64(&p, end, &cpid) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_u64(&p, end, &lpid) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_u64(&p, end, &nattch) < 0 || !parse_skip_blanks(&p, end) ||
	    parse_dec_u64(&p, end, &uid) < 0)
		return -EBADMSG;
	/* key_t is an int, printed signed */
	if (key < INT32_MIN || key > INT32_MAX || id < 0 || id > INT32_MAX || cpid > INT32_MAX ||
	    lpid > INT32_MAX || uid > UINT32_MAX)
		return -EBADMSG;
	*ret = (struct vms_sysv){
		.id = (int32_t)id,
		.key = (uint32_t)(int32_t)key,
		.size = size,
		.nattch = nattch,
		.mode = mode,
		.cpid = (pid_t)cpid,
		.lpid = (pid_t)lpid,
		.uid = (uid_t)uid,
	};
	return 0;
}

int vms_sysv_parse(struct vms_snapshot *snap, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	bool header = true;
	size_t n_ids;
	uint64_t *ids = mapped_ids(snap, &n_ids);

	snap->n_sysv = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct vms_sysv seg;

		if (header) {
			/* "       key      shmid perms ..." */
			header = false;
		} else if (eol > p) {
			uint64_t id;

			if (parse_row(p, (size_t)(eol - p), &seg) < 0) {
				snap->n_sysv = 0;
				free(ids);
				return -EBADMSG;
			}
			id = (uint64_t)seg.id;
			if (n_ids && bsearch(&id, ids, n_ids, sizeof(*ids), cmp_u64)) {
				ARRAY_GROW(snap->sysv, snap->n_sysv + 1, snap->alloc_sysv);
				snap->sysv[snap->n_sysv++] = seg;
			}
		}
		p = nl ? nl + 1 : end;
	}
	free(ids);
	return 0;
}

/* 1 when both are in the same IPC namespace, 0 when not, -errno unknown. */
static int same_ipc_ns(int root_fd, int pid_dirfd)
{
	struct stat self, them;

	if (fstatat(root_fd, "self/ns/ipc", &self, 0) < 0 ||
	    fstatat(pid_dirfd, "ns/ipc", &them, 0) < 0)
		return -errno;
	return self.st_dev == them.st_dev && self.st_ino == them.st_ino;
}

void vms_collect_sysv(int root_fd, int pid_dirfd, bool live, struct vms_snapshot *snap)
{
	struct strbuf sb;
	int r;

	if (!snap->sysv_regions)
		return;
	snap->src[VMS_SRC_SYSV].tried = true;
	if (live) {
		r = same_ipc_ns(root_fd, pid_dirfd);
		if (r <= 0) {
			snap->src[VMS_SRC_SYSV].error = r < 0 ? r : -EXDEV;
			return;
		}
	}
	strbuf_init(&sb);
	r = procfile_read_at(root_fd, "sysvipc/shm", SYSV_CAP, 0, &sb);
	if (r >= 0)
		r = vms_sysv_parse(snap, sb.buf, sb.len);
	strbuf_release(&sb);
	snap->src[VMS_SRC_SYSV].error = r < 0 ? r : 0;
}
