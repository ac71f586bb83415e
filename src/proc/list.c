/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every process of the machine with its totals. libproc2 enumerates the
 * live /proc and reads stat and status; smaps_rollup is read here because
 * libproc2 turns a refused read into 0, and a refused PSS must show as
 * unreadable, never as a false 0. A captured proc root (--proc-root) is
 * scanned directly with the same parsers the one-process collector uses.
 */
#include "config.h"

#include "vmscope/list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/collect.h"

#define SMALL_FILE_CAP (64 * 1024)
#define CMDLINE_CAP (64 * 1024)
#define PF_KTHREAD 0x00200000UL

/* The libproc2 items, in the order of the enum below (PIDS_VAL indexes). */
static enum pids_item list_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD,     PIDS_CMDLINE,
	PIDS_FLAGS,  PIDS_STATE,   PIDS_TICS_BEGAN, PIDS_VSIZE_BYTES, PIDS_RSS, PIDS_FLT_MIN,
	PIDS_FLT_MAJ,
};
enum {
	I_PID, I_PPID, I_EUID, I_EUSER, I_CMD, I_CMDLINE,
	I_FLAGS, I_STATE, I_BEGAN, I_VSIZE, I_RSS, I_FLT_MIN,
	I_FLT_MAJ,
};

struct vms_lister {
	int root_fd;              /* borrowed */
	bool live;
	unsigned flags;
	long page_size;
	struct pids_info *info;   /* live only */
	struct vms_snapshot *scratch; /* the parsers' target for one file */
	struct strbuf sb;
	/* the last uid looked up by name (scan path): most runs are by few users */
	uid_t last_uid;
	char *last_user;
	bool have_last_user;
};

void vms_plist_init(struct vms_plist *pl)
{
	memset(pl, 0, sizeof(*pl));
	arena_init(&pl->arena);
}

void vms_plist_release(struct vms_plist *pl)
{
	arena_release(&pl->arena);
	free(pl->items);
	memset(pl, 0, sizeof(*pl));
	arena_init(&pl->arena);
}

void vms_plist_clear(struct vms_plist *pl)
{
	arena_release(&pl->arena);
	pl->n = 0;
	pl->vanished = 0;
}

int vms_lister_new(int root_fd, bool live, unsigned flags, struct vms_lister **ret)
{
	struct vms_lister *l = xcalloc(1, sizeof(*l));

	l->root_fd = root_fd;
	l->live = live;
	l->flags = flags;
	l->page_size = sysconf(_SC_PAGESIZE);
	if (l->page_size <= 0)
		l->page_size = 4096;
	if (live) {
		int r = procps_pids_new(&l->info, list_items, (int)ARRAY_SIZE(list_items));

		if (r < 0) {
			free(l);
			return r;
		}
	}
	l->scratch = vms_snapshot_new();
	strbuf_init(&l->sb);
	*ret = l;
	return 0;
}

void vms_lister_free(struct vms_lister *l)
{
	if (!l)
		return;
	if (l->info)
		procps_pids_unref(&l->info);
	vms_snapshot_free(l->scratch);
	strbuf_release(&l->sb);
	free(l->last_user);
	free(l);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int read_pid_file(struct vms_lister *l, pid_t pid, const char *name, size_t cap,
			 unsigned flags)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return procfile_read_at(l->root_fd, path, cap, flags, &l->sb);
}

static bool gone(int r)
{
	return r == -ENOENT || r == -ESRCH;
}

/*
 * VSZ and the fault counters again, after smaps_rollup: the stat read before
 * it may describe another image of the process (it called execve in between,
 * or grew fast), and a row shows one process at one time, not RSS above VSZ.
 */
static int reread_stat(struct vms_lister *l, struct vms_pentry *e)
{
	struct vms_stat st;
	int r;

	r = read_pid_file(l, e->pid, "stat", SMALL_FILE_CAP, 0);
	if (gone(r) || r == 0)
		return -ESRCH;
	if (r < 0 || vms_stat_parse(l->sb.buf, l->sb.len, &st) < 0 || st.state == 'Z')
		return -ESRCH;
	e->vsz = st.vsize;
	e->minflt = st.minflt;
	e->majflt = st.majflt;
	return 0;
}

/*
 * smaps_rollup into e. Returns 0, or -ESRCH when the process exited: the
 * file of a process whose address space is gone (it became a zombie since
 * libproc2 read its stat) is refused with ESRCH or comes back empty.
 */
static int read_rollup(struct vms_lister *l, struct vms_pentry *e)
{
	struct vms_snapshot *s = l->scratch;
	int r;

	/* No address space: the kernel refuses the file (ESRCH), the answer is 0. */
	if (e->kernel_thread || e->state == 'Z') {
		e->rollup_error = 0;
		return 0;
	}
	r = read_pid_file(l, e->pid, "smaps_rollup", SMALL_FILE_CAP, 0);
	if (gone(r) || r == 0)
		return -ESRCH;
	memset(&s->totals.rollup, 0, sizeof(s->totals.rollup));
	if (r > 0)
		r = vms_rollup_parse(s, l->sb.buf, l->sb.len);
	e->rollup_error = r < 0 ? r : 0;
	if (r >= 0) {
		e->rollup = s->totals.rollup;
		if (vms_counters_has(&e->rollup, VMS_MEM_RSS))
			e->rss = e->rollup.v[VMS_MEM_RSS];
		if (e->rss > e->vsz)
			return reread_stat(l, e);
	}
	return 0;
}

static void read_cgroup(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e)
{
	const char *path;
	size_t len;

	if (read_pid_file(l, e->pid, "cgroup", SMALL_FILE_CAP, 0) < 0)
		return;
	if (vms_cgroup_parse(l->sb.buf, l->sb.len, &path, &len, &e->cgroup_v1) < 0)
		return;
	e->cgroup = arena_strndup(&pl->arena, path, len);
}

/* NUL-separated arguments → one string, or NULL when there are none. */
static const char *join_cmdline(struct arena *a, const char *buf, size_t len)
{
	char *s;

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len == 0)
		return NULL;
	s = arena_strndup(a, buf, len);
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return s;
}

/* The OOM killer's score; left unknown when refused or malformed. */
static void read_oom_score(struct vms_lister *l, struct vms_pentry *e)
{
	const char *p = l->sb.buf, *end;
	uint64_t v;

	if (read_pid_file(l, e->pid, "oom_score", SMALL_FILE_CAP, 0) <= 0)
		return;
	p = l->sb.buf;
	end = l->sb.buf + l->sb.len;
	if (parse_dec_u64(&p, end, &v) < 0 || v > 2000 || (p != end && *p != '\n'))
		return;
	e->oom_score = (int32_t)v;
	e->have_oom_score = true;
}

/* Reads what libproc2 does not into e and appends it; a vanished process is counted. */
static void finish_entry(struct vms_lister *l, struct vms_plist *pl, struct vms_pentry *e)
{
	if (read_rollup(l, e) < 0) {
		pl->vanished++;
		return;
	}
	read_oom_score(l, e);
	if (l->flags & VMS_LIST_CGROUP)
		read_cgroup(l, pl, e);
	ARRAY_GROW(pl->items, pl->n + 1, pl->alloc);
	pl->items[pl->n++] = *e;
}

static int collect_libproc2(struct vms_lister *l, struct vms_plist *pl)
{
	/* reap, not get: get does not start over once it has run to the end */
	struct pids_fetch *f = procps_pids_reap(l->info, PIDS_FETCH_TASKS_ONLY);

	if (!f)
		return errno ? -errno : -EIO;
	for (int i = 0; i < f->counts->total; i++) {
		struct pids_stack *st = f->stacks[i];
		struct vms_pentry e = { .rollup_error = 0 };
		const char *user = PIDS_VAL(I_EUSER, str, st, l->info);
		const char *cmd = PIDS_VAL(I_CMD, str, st, l->info);
		const char *cmdline = PIDS_VAL(I_CMDLINE, str, st, l->info);

		e.kernel_thread = (PIDS_VAL(I_FLAGS, ul_int, st, l->info) & PF_KTHREAD) != 0;
		if (e.kernel_thread && !(l->flags & VMS_LIST_KERNEL))
			continue;
		e.pid = PIDS_VAL(I_PID, s_int, st, l->info);
		e.ppid = PIDS_VAL(I_PPID, s_int, st, l->info);
		e.uid = PIDS_VAL(I_EUID, u_int, st, l->info);
		e.state = (char)PIDS_VAL(I_STATE, s_ch, st, l->info);
		e.start_time = PIDS_VAL(I_BEGAN, ull_int, st, l->info);
		e.vsz = PIDS_VAL(I_VSIZE, ul_int, st, l->info);
		e.rss = (uint64_t)PIDS_VAL(I_RSS, ul_int, st, l->info) * (uint64_t)l->page_size;
		e.minflt = PIDS_VAL(I_FLT_MIN, ul_int, st, l->info);
		e.majflt = PIDS_VAL(I_FLT_MAJ, ul_int, st, l->info);
		/* A name made of digits is libproc2 saying it has none. */
		if (user && *user && strspn(user, "0123456789") != strlen(user))
			e.user = arena_strdup(&pl->arena, user);
		e.comm = arena_strdup(&pl->arena, cmd ? cmd : "");
		/* libproc2 shows a process without arguments as "[comm]" or "-". */
		if (cmdline && *cmdline && strcmp(cmdline, "-") != 0 &&
		    !(cmdline[0] == '[' && strncmp(cmdline + 1, e.comm, strlen(e.comm)) == 0 &&
		      strcmp(cmdline + 1 + strlen(e.comm), "]") == 0))
			e.cmdline = arena_strdup(&pl->arena, cmdline);
		finish_entry(l, pl, &e);
	}
	return 0;
}

static const char *user_name(struct vms_lister *l, struct arena *a, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[2048];

	if (!l->have_last_user || l->last_uid != uid) {
		free(l->last_user);
		l->last_user = NULL;
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			l->last_user = xstrdup(res->pw_name);
		l->last_uid = uid;
		l->have_last_user = true;
	}
	return l->last_user ? arena_strdup(a, l->last_user) : NULL;
}

/* One process of a captured proc root; false when it is not there (any more). */
static bool scan_one(struct vms_lister *l, struct vms_plist *pl, pid_t pid, struct vms_pentry *e)
{
	struct vms_snapshot *s = l->scratch;
	struct vms_stat st;
	int r;

	r = read_pid_file(l, pid, "stat", SMALL_FILE_CAP, 0);
	if (r < 0 || vms_stat_parse(l->sb.buf, l->sb.len, &st) < 0)
		return false;
	e->pid = pid;
	e->ppid = st.ppid;
	e->state = st.state;
	e->kernel_thread = (st.flags & PF_KTHREAD) != 0;
	e->start_time = st.start_time;
	e->vsz = st.vsize;
	e->rss = st.rss_pages * (uint64_t)l->page_size;
	e->minflt = st.minflt;
	e->majflt = st.majflt;
	e->comm = arena_strdup(&pl->arena, st.comm);
	if (e->kernel_thread && !(l->flags & VMS_LIST_KERNEL))
		return false;

	r = read_pid_file(l, pid, "status", SMALL_FILE_CAP, 0);
	if (r < 0 || vms_status_parse(s, l->sb.buf, l->sb.len) < 0)
		return false;
	e->uid = s->proc.uid;
	e->user = user_name(l, &pl->arena, e->uid);

	r = read_pid_file(l, pid, "cmdline", CMDLINE_CAP, PROCFILE_ALLOW_NUL);
	if (r >= 0 || r == -EFBIG)
		e->cmdline = join_cmdline(&pl->arena, l->sb.buf, l->sb.len);
	return true;
}

static int collect_scan(struct vms_lister *l, struct vms_plist *pl)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(l->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		struct vms_pentry e = { .rollup_error = 0 };
		const char *p = de->d_name, *end = p + strlen(p);
		uint64_t pid;

		if (parse_dec_u64(&p, end, &pid) < 0 || p != end || pid == 0 || pid > INT32_MAX)
			continue;
		if (scan_one(l, pl, (pid_t)pid, &e))
			finish_entry(l, pl, &e);
	}
	closedir(d);
	return 0;
}

static int cmp_entry_pid(const void *a, const void *b)
{
	const struct vms_pentry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int vms_lister_collect(struct vms_lister *l, struct vms_plist *pl)
{
	int r;

	vms_plist_clear(pl);
	pl->mono_ns = mono_ns();
	r = l->info ? collect_libproc2(l, pl) : collect_scan(l, pl);
	if (r < 0)
		return r;
	qsort(pl->items, pl->n, sizeof(*pl->items), cmp_entry_pid);
	return 0;
}

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
	r = procfile_read_at(root_fd, "meminfo", SMALL_FILE_CAP, 0, &sb);
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
