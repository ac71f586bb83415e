/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope capture PID|NAME -o DIR: copies the /proc files vmscope reads of
 * one process into DIR/proc/PID/, and the files it maps into DIR/objects/
 * (linked from DIR/proc/PID/map_files/ as the kernel links the real ones),
 * so that `vmscope --proc-root DIR/proc PID` shows the same report later,
 * anywhere: a bug report can carry the process.
 *
 * Every /proc file is read before anything is written, so a process that
 * exits half-way leaves no half capture; the mapped files are held open from
 * then on, so a file replaced meanwhile is still the one that was mapped.
 */
#include "config.h"

#include "cmd/commands.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/escape.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/files.h"
#include "cmd/common/options.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"

#define CAPTURE_FILE_CAP (512u << 20)     /* smaps of 65,530 VMAs is ~50 MB */
#define CAPTURE_OBJECT_CAP (256ull << 20) /* bytes of one mapped file copied */
#define CAPTURE_HEAD (64u << 10)          /* what is kept of a larger one */

static const struct cli_option capture_options[] = {
	{ "output", 'o', required_argument, 'o', "DIR",
	  "the directory to write (created, or empty)" },
	{ "full", 0, no_argument, CMD_OPT_FULL, NULL, "match NAME against the whole command line" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command capture_command = {
	.name = "capture",
	.synopsis = "vmscope capture [OPTIONS] PID|NAME -o DIR",
	.summary = "Copy the /proc files vmscope reads of a process into DIR/proc/PID/ and the\n"
		   "files it maps into DIR/objects/, with a README saying the kernel, the date\n"
		   "and the command, so that 'vmscope --proc-root DIR/proc PID' shows the same\n"
		   "report on any machine. Stop the process first (kill -STOP PID) so that its\n"
		   "files agree with each other.\n",
	.options = capture_options,
	.n_options = ARRAY_SIZE(capture_options),
	.epilog = "Exit status: 0 captured, 1 the process is gone or DIR cannot be written,\n"
		  "2 usage error.\n",
};

static int capture_option(int id, const char *arg, void *ctx)
{
	return cmd_target_option(ctx, id, arg) ? -EINVAL : 0;
}

/* One file to write: its path under DIR/proc/PID and its bytes. */
struct cap_file {
	char *rel;
	struct strbuf data;
};

/* One mapped file, held open until it is copied. */
struct cap_object {
	dev_t dev;
	ino_t ino;
	int fd;
	off_t size;
	struct timespec mtime;
	char *name; /* under DIR/objects */
};

struct cap_link {
	char *range; /* "start-end", the name in map_files */
	size_t object;
};

struct capture {
	struct cap_file *files;
	size_t n_files, alloc_files;
	struct cap_object *objects;
	size_t n_objects, alloc_objects;
	struct cap_link *links;
	size_t n_links, alloc_links;
	struct strbuf missing; /* "smaps (Permission denied), ..." */
};

static void capture_release(struct capture *c)
{
	for (size_t i = 0; i < c->n_files; i++) {
		free(c->files[i].rel);
		strbuf_release(&c->files[i].data);
	}
	for (size_t i = 0; i < c->n_objects; i++) {
		close(c->objects[i].fd);
		free(c->objects[i].name);
	}
	for (size_t i = 0; i < c->n_links; i++)
		free(c->links[i].range);
	free(c->files);
	free(c->objects);
	free(c->links);
	strbuf_release(&c->missing);
}

static struct cap_file *add_file(struct capture *c, const char *rel)
{
	struct cap_file *f;

	ARRAY_GROW(c->files, c->n_files + 1, c->alloc_files);
	f = &c->files[c->n_files++];
	f->rel = xstrdup(rel);
	strbuf_init(&f->data);
	return f;
}

static void say_missing(struct capture *c, const char *rel, int r)
{
	strbuf_addf(&c->missing, "%s%s (%s)", c->missing.len ? ", " : "", rel, procfile_strerror(r));
}

/*
 * Reads dirfd/name into the file rel. Returns 0, 1 when it could not be read
 * (noted in c->missing, or dropped when quiet), or -ESRCH when the process
 * is gone.
 */
static int read_one(struct capture *c, int dirfd, const char *name, const char *rel, bool quiet)
{
	struct cap_file *f = add_file(c, rel);
	int r = procfile_read_at(dirfd, name, CAPTURE_FILE_CAP, PROCFILE_ALLOW_NUL, &f->data);

	if (r >= 0)
		return 0;
	c->n_files--;
	free(f->rel);
	strbuf_release(&f->data);
	if (r == -ESRCH)
		return r;
	if (!quiet)
		say_missing(c, rel, r);
	return 1;
}

static void read_exe(struct capture *c, int pid_fd)
{
	char buf[4096];
	ssize_t n = readlinkat(pid_fd, "exe", buf, sizeof(buf));
	struct cap_file *f;

	if (n < 0 && errno == EINVAL) {
		/* a captured process: its exe is the text already */
		(void)read_one(c, pid_fd, "exe", "exe", false);
		return;
	}
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		say_missing(c, "exe", n < 0 ? -errno : -ENAMETOOLONG);
		return;
	}
	f = add_file(c, "exe");
	strbuf_add(&f->data, buf, (size_t)n);
	strbuf_addch(&f->data, '\n');
}

static void read_tasks(struct capture *c, int pid_fd)
{
	static const char *const names[] = { "stat", "syscall", "comm" };
	struct strbuf rel;
	struct dirent *de;
	DIR *d;
	int fd = openat(pid_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		say_missing(c, "task", -errno);
		return;
	}
	strbuf_init(&rel);
	while ((de = readdir(d))) {
		pid_t tid;

		if (!cli_is_pid(de->d_name, &tid))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			strbuf_reset(&rel);
			strbuf_addf(&rel, "task/%s/%s", de->d_name, names[i]);
			/* a thread that ended meanwhile, or a refused syscall: left out */
			(void)read_one(c, pid_fd, rel.buf, rel.buf, true);
		}
	}
	strbuf_release(&rel);
	closedir(d);
}

/* The mapped file of region r (of a maps line), opened as the ELF reader
 * opens it: a regular file, not on FUSE (vms_elf_open_mapped). */
static void hold_object(struct capture *c, struct vms_elf_cache *cache, int pid_fd,
			const struct vms_region *r)
{
	char range[40];
	struct cap_link *l;
	struct strbuf sb;
	struct stat st;
	size_t k;
	int fd;

	/* the kernel names them without the leading zeros of maps */
	snprintf(range, sizeof(range), "%" PRIx64 "-%" PRIx64, r->start, r->end);
	fd = vms_elf_open_mapped(cache, pid_fd, r, &st);
	if (fd < 0)
		return;
	for (k = 0; k < c->n_objects; k++)
		if (c->objects[k].dev == st.st_dev && c->objects[k].ino == st.st_ino)
			break;
	if (k < c->n_objects) {
		close(fd);
	} else {
		const char *base = strrchr(r->name, '/') + 1;
		struct cap_object *o;

		ARRAY_GROW(c->objects, c->n_objects + 1, c->alloc_objects);
		o = &c->objects[c->n_objects++];
		*o = (struct cap_object){ .dev = st.st_dev, .ino = st.st_ino, .fd = fd,
					  .size = st.st_size, .mtime = st.st_mtim };
		strbuf_init(&sb);
		strbuf_addf(&sb, "%" PRIu64 "-", (uint64_t)st.st_ino);
		/* a name safe anywhere: the path itself is in maps */
		for (const char *p = base; *p && p < base + 64; p++)
			strbuf_addch(&sb, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
						  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'
					      ? *p : '_');
		o->name = strbuf_detach(&sb, NULL);
	}
	ARRAY_GROW(c->links, c->n_links + 1, c->alloc_links);
	l = &c->links[c->n_links++];
	l->range = xstrdup(range);
	l->object = k;
}

static void hold_objects(struct capture *c, int pid_fd, const struct strbuf *maps)
{
	const char *p = maps->buf, *end = maps->buf + maps->len, *line;
	/* one mountinfo read for all the files on anonymous devices (tmpfs) */
	struct vms_elf_cache *cache = vms_elf_cache_new();
	struct arena names;
	size_t len;

	vms_elf_cache_pass(cache);
	arena_init(&names);
	while (memlines_next(&p, end, &line, &len) > 0) {
		struct vms_region r;

		/* a file's mapping: a path and an inode */
		if (vms_maps_parse_line(line, len, &names, &r) < 0 || !r.inode || !r.name ||
		    r.name[0] != '/')
			continue;
		hold_object(c, cache, pid_fd, &r);
	}
	arena_release(&names);
	vms_elf_cache_free(cache);
}

/*
 * The whole file when it is not too large; else its first CAPTURE_HEAD
 * bytes (the ELF and program headers) at its size, the rest a hole.
 */
static int copy_object(int dirfd, const struct cap_object *o, bool *ret_cut)
{
	uint64_t want = (uint64_t)o->size <= CAPTURE_OBJECT_CAP ? (uint64_t)o->size : CAPTURE_HEAD;
	_cleanup_free_ char *buf = xmalloc(1 << 20);
	uint64_t done = 0;
	struct timespec times[2];
	struct cmd_atomic_file f;
	int r;

	r = cmd_atomic_open_at(&f, dirfd, o->name);
	if (r < 0)
		return r;
	f.no_sync = true; /* write_capture syncs the whole */
	while (r == 0 && done < want) {
		size_t chunk = want - done < (1 << 20) ? (size_t)(want - done) : (1 << 20);
		ssize_t n = pread(o->fd, buf, chunk, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* shrank since: what is there is what is copied */
			break;
		r = cmd_write_all(f.fd, buf, (size_t)n);
		done += (uint64_t)n;
	}
	if (r == 0 && ftruncate(f.fd, o->size) < 0)
		r = -errno;
	/* the file's own time, not the capture's */
	times[0] = o->mtime;
	times[1] = o->mtime;
	if (r == 0)
		(void)futimens(f.fd, times);
	*ret_cut = want < (uint64_t)o->size;
	return cmd_atomic_close(&f, r);
}

static void readme(struct strbuf *sb, const struct capture *c, pid_t pid, const char *dir,
		   size_t n_cut)
{
	const struct cap_file *comm = NULL, *cmdline = NULL;
	struct utsname u;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < c->n_files; i++) {
		if (strcmp(c->files[i].rel, "comm") == 0)
			comm = &c->files[i];
		else if (strcmp(c->files[i].rel, "cmdline") == 0)
			cmdline = &c->files[i];
	}
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	if (!gmtime_r(&now, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
		date[0] = '\0';
	strbuf_addf(sb, "A process captured by 'vmscope capture' (vmscope %s). Read it back with:\n"
			"  vmscope --proc-root %s/proc %d\n\n",
		    VMSCOPE_VERSION, dir, (int)pid);
	strbuf_addf(sb, "process: %d (", (int)pid);
	if (comm)
		escape_display(sb, comm->data.buf, comm->data.len && comm->data.buf[comm->data.len - 1] == '\n'
						       ? comm->data.len - 1 : comm->data.len);
	strbuf_addstr(sb, ")\ncommand: ");
	if (cmdline) {
		struct strbuf args;

		strbuf_init(&args);
		for (size_t i = 0; i < cmdline->data.len; i++)
			strbuf_addch(&args, cmdline->data.buf[i] ? cmdline->data.buf[i] : ' ');
		while (args.len && args.buf[args.len - 1] == ' ')
			strbuf_setlen(&args, args.len - 1);
		escape_display(sb, args.buf, args.len);
		strbuf_release(&args);
	}
	strbuf_addf(sb, "\nkernel:  %s %s %s\ndate:    %s\n\n", u.sysname, u.release, u.machine,
		    date);
	strbuf_addf(sb,
		    "proc/%d/ holds copies of its /proc files; exe is a text file holding the\n"
		    "link's target. objects/ holds the files it maps, each once, with their\n"
		    "modification times; proc/%d/map_files/ links to them as the kernel links\n"
		    "the real ones.\n",
		    (int)pid, (int)pid);
	if (n_cut)
		strbuf_addf(sb, "%zu mapped files over %llu MiB are kept as their first %u KiB (the\n"
				"ELF headers) at their real size, the rest zeros.\n",
			    n_cut, CAPTURE_OBJECT_CAP >> 20, CAPTURE_HEAD >> 10);
	if (c->missing.len)
		strbuf_addf(sb, "Not captured (not readable): %s.\n", c->missing.buf);
}

/* rel (a path under dirfd, its directories made as needed) with buf in it */
static int write_rel(int dirfd, const char *rel, const char *buf, size_t len)
{
	_cleanup_free_ char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/');
	int fd, r;

	if (!slash)
		return cmd_write_file_at(dirfd, rel, buf, len);
	*slash = '\0';
	fd = cmd_mkdirs_at(dirfd, dir);
	if (fd < 0)
		return fd;
	r = cmd_write_file_at(fd, slash + 1, buf, len);
	close(fd);
	return r;
}

/* The whole capture under dirfd (a directory of its own, made for it), the README last. */
static int write_parts(const struct capture *c, pid_t pid, const char *dir, int dirfd)
{
	struct strbuf sb, rel;
	size_t n_cut = 0;
	int fd, r = 0;

	strbuf_init(&sb);
	strbuf_init(&rel);
	for (size_t i = 0; r == 0 && i < c->n_files; i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "proc/%d/%s", (int)pid, c->files[i].rel);
		r = write_rel(dirfd, rel.buf, c->files[i].data.buf, c->files[i].data.len);
	}
	if (r == 0 && c->n_objects) {
		fd = cmd_mkdirs_at(dirfd, "objects");
		r = fd < 0 ? fd : 0;
		for (size_t i = 0; r == 0 && i < c->n_objects; i++) {
			bool cut = false;

			r = copy_object(fd, &c->objects[i], &cut);
			n_cut += cut;
		}
		if (fd >= 0)
			close(fd);
	}
	if (r == 0 && c->n_links) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "proc/%d/map_files", (int)pid);
		fd = cmd_mkdirs_at(dirfd, rel.buf);
		r = fd < 0 ? fd : 0;
		for (size_t i = 0; r == 0 && i < c->n_links; i++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "../../../objects/%s", c->objects[c->links[i].object].name);
			if (symlinkat(sb.buf, fd, c->links[i].range) < 0)
				r = -errno;
		}
		if (fd >= 0)
			close(fd);
	}
	if (r == 0) {
		strbuf_reset(&sb);
		readme(&sb, c, pid, dir, n_cut);
		r = cmd_write_file_at(dirfd, "README", sb.buf, sb.len);
	}
	strbuf_release(&sb);
	strbuf_release(&rel);
	return r;
}

/* What a directory holds, by the names a capture uses. */
enum cap_dir_state {
	CAP_DIR_EMPTY,
	CAP_DIR_UNFINISHED, /* .partial-* and what a capture moved out of it, no README */
	CAP_DIR_OTHER,
};

static int dir_state(int dirfd, enum cap_dir_state *ret)
{
	bool partial = false, parts = false, other = false;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, ".partial-", 9) == 0)
			partial = true;
		else if (strcmp(de->d_name, "proc") == 0 || strcmp(de->d_name, "objects") == 0)
			parts = true;
		else
			other = true;
	}
	closedir(d);
	*ret = other || (parts && !partial) ? CAP_DIR_OTHER
	       : partial		    ? CAP_DIR_UNFINISHED
					    : CAP_DIR_EMPTY;
	return 0;
}

/* Clears what an unfinished capture left in dirfd. */
static int clear_unfinished(int dirfd)
{
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d)))
		if (strncmp(de->d_name, ".partial-", 9) == 0)
			r = cmd_remove_tree_at(dirfd, de->d_name);
	closedir(d);
	/* the .partial-* went last: now nothing says these are a capture's */
	if (r == 0)
		r = cmd_remove_tree_at(dirfd, "objects");
	if (r == 0)
		r = cmd_remove_tree_at(dirfd, "proc");
	return r;
}

/*
 * DIR, reached without following a link another user planted (files.h):
 * made when it is not there; taken when it is empty or holds only what a
 * capture that did not finish left (then cleared); else -EEXIST when it
 * holds a capture of pid, -ENOTEMPTY. Its fd, with its parent's and its name
 * there when it was made (so that a failure takes it away again).
 */
struct cap_dir {
	int fd, parent_fd;
	char *name;
	bool made;
};

static int open_capture_dir(struct cap_dir *cd, const char *dir, pid_t pid, struct strbuf *why)
{
	_cleanup_free_ char *path = xstrdup(dir);
	enum cap_dir_state state = CAP_DIR_OTHER;
	bool exists, untrusted;
	struct stat st;
	char rel[32];
	size_t len = strlen(path);
	int r;

	*cd = (struct cap_dir){ .fd = -1, .parent_fd = -1 };
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (strcmp(path, "/") == 0 || strcmp(path, ".") == 0 || strcmp(path, "..") == 0)
		return -ENOTEMPTY;
	r = cmd_make_parents(path, why);
	if (r == 0)
		r = cmd_path_resolve(path, &cd->parent_fd, &cd->name, &st, &exists, &untrusted, why);
	if (r < 0)
		return r;
	if (exists && untrusted) {
		if (why) {
			strbuf_reset(why);
			strbuf_addf(why, "it belongs to uid %u in a sticky directory anyone may write to",
				    (unsigned)st.st_uid);
		}
		return -EPERM;
	}
	if (exists && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* 0700: the copies of the files the process maps may be files other
	 * users cannot read (a root process's 0600 key mapped); to share a
	 * capture is the user's choice (chmod) */
	if (!exists && mkdirat(cd->parent_fd, cd->name, 0700) == 0)
		cd->made = true;
	else if (!exists && errno != EEXIST)
		return -errno;
	cd->fd = openat(cd->parent_fd, cd->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cd->fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	r = dir_state(cd->fd, &state);
	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	if (state == CAP_DIR_OTHER)
		return faccessat(cd->fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? -EEXIST : -ENOTEMPTY;
	return state == CAP_DIR_UNFINISHED ? clear_unfinished(cd->fd) : 0;
}

static void close_capture_dir(struct cap_dir *cd, bool failed)
{
	if (cd->fd >= 0)
		close(cd->fd);
	if (failed && cd->made)
		(void)unlinkat(cd->parent_fd, cd->name, AT_REMOVEDIR);
	if (cd->parent_fd >= 0)
		close(cd->parent_fd);
	free(cd->name);
}

/*
 * Into DIR/.partial-PID first (vmscope's pid), then moved into DIR: objects,
 * proc, and the README last, so that a capture that fails half-way (no
 * space left) has no README and a .partial-* beside it, is read as no
 * capture, and a retry into the same DIR clears it.
 */
static int write_capture(const struct capture *c, pid_t pid, const char *dir, struct strbuf *why)
{
	static const char *const parts[] = { "objects", "proc", "README" };
	struct cap_dir cd;
	char partial[32], from[64];
	int r, pfd;

	r = open_capture_dir(&cd, dir, pid, why);
	if (r < 0) {
		close_capture_dir(&cd, true);
		return r;
	}
	/* from here on, DIR holds nothing but what this capture puts there */
	snprintf(partial, sizeof(partial), ".partial-%d", (int)getpid());
	pfd = cmd_mkdirs_at(cd.fd, partial);
	r = pfd < 0 ? pfd : write_parts(c, pid, dir, pfd);
	/* what the copies are in is 0700 too, whoever made DIR and with what
	 * mode: a DIR made beforehand (mkdir, 0755) shares nothing by itself */
	for (size_t i = 0; r == 0 && i < 2; i++)
		if (fchmodat(pfd, parts[i], 0700, 0) < 0 && errno != ENOENT)
			r = -errno;
	/* on disk, all of it, before anything says it is whole */
	if (r == 0 && syncfs(pfd) < 0)
		r = -errno;
	if (pfd >= 0)
		close(pfd);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(parts); i++) {
		snprintf(from, sizeof(from), "%s/%s", partial, parts[i]);
		if (renameat(cd.fd, from, cd.fd, parts[i]) < 0 && (errno != ENOENT || i == 2))
			r = -errno;
	}
	if (r == 0 && unlinkat(cd.fd, partial, AT_REMOVEDIR) < 0)
		r = -errno;
	if (r == 0)
		(void)fsync(cd.fd); /* the renames */
	if (r < 0)
		(void)clear_unfinished(cd.fd);
	close_capture_dir(&cd, r < 0);
	return r;
}

/* Whether the captured stat (the first file) is a kernel thread's or a zombie's. */
static bool no_address_space(const struct capture *c)
{
	struct vms_stat st;

	return c->n_files && vms_stat_parse(c->files[0].data.buf, c->files[0].data.len, &st) == 0 &&
	       (st.state == 'Z' || (st.flags & VMS_PF_KTHREAD));
}

static int read_capture(struct capture *c, int root_fd, int pid_fd)
{
	static const char *const names[] = {
		"stat", "status", "cmdline", "comm", "smaps", "smaps_rollup", "maps", "limits",
		"oom_score", "oom_score_adj", "cgroup",
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		/* A kernel thread or a zombie has no address space: its
		 * smaps_rollup answers ESRCH, and it is not captured. */
		r = read_one(c, pid_fd, names[i], names[i], i > 0 && no_address_space(c));
		/* without stat there is no process to show */
		if ((r < 0 && !no_address_space(c)) || (r > 0 && i == 0))
			return -ESRCH;
	}
	read_exe(c, pid_fd);
	/* the machine's memory, which the report shows beside the process's */
	(void)read_one(c, root_fd, "meminfo", "../meminfo", false);
	/* the SysV segments, for those the process maps (a kernel without
	 * SysV IPC has none: left out quietly) */
	(void)read_one(c, root_fd, "sysvipc/shm", "../sysvipc/shm", true);
	read_tasks(c, pid_fd);
	for (size_t i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i].rel, "maps") == 0)
			hold_objects(c, pid_fd, &c->files[i].data);
	/* gone meanwhile: the files may be short, and nothing says so */
	if (faccessat(pid_fd, "stat", R_OK, 0) < 0)
		return -ESRCH;
	return 0;
}

static bool is_stopped(const struct capture *c)
{
	const char *state = c->n_files ? parse_stat_state(c->files[0].data.buf,
							  c->files[0].data.len) : NULL;

	return state && (*state == 'T' || *state == 't');
}

int cmd_capture(int argc, char **argv)
{
	struct cmd_target_args a = { 0 };
	struct capture c = { 0 };
	char **ops;
	char name[16];
	struct strbuf why;
	int r, n, first, root_fd, pid_fd, status;
	pid_t pid;

	r = cli_parse(argc, argv, &capture_command, capture_option, &a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	ops = argv + first;
	n = argc - first;
	if (n != 1 || !a.output) {
		fputs("vmscope: capture takes one PID or NAME and -o DIR\n", stderr);
		return EXIT_USAGE;
	}
	root_fd = cli_open_proc_root(a.proc_root);
	if (root_fd < 0)
		return a.proc_root ? EXIT_USAGE : EXIT_GONE;
	status = cli_resolve_target(root_fd, ops[0], a.full, &pid);
	if (status) {
		close(root_fd);
		return status;
	}
	snprintf(name, sizeof(name), "%d", (int)pid);
	pid_fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pid_fd < 0) {
		close(root_fd);
		cli_say_gone(pid, -ENOENT);
		return EXIT_GONE;
	}
	strbuf_init(&c.missing);
	r = read_capture(&c, root_fd, pid_fd);
	close(pid_fd);
	close(root_fd);
	if (r < 0) {
		cli_say_gone(pid, -ESRCH);
		status = EXIT_GONE;
		goto out;
	}
	if (!is_stopped(&c))
		fprintf(stderr, "vmscope: note: process %d was running, so its files may disagree "
				"a little (kill -STOP it first)\n", (int)pid);
	strbuf_init(&why);
	r = write_capture(&c, pid, a.output, &why);
	if (r == -EEXIST) {
		cli_error("'%s' already holds a capture of pid %d", a.output,
			(int)pid);
		status = EXIT_GONE;
	} else if (r == -ENOTEMPTY) {
		cli_error("'%s' is not empty, and no unfinished capture: capture into a new "
			  "directory", a.output);
		status = EXIT_GONE;
	} else if (r < 0) {
		cli_error("cannot write the capture into '%s': %s", a.output,
			  r == -EPERM && why.len ? why.buf : strerror(-r));
		status = EXIT_GONE;
	} else {
		if (c.missing.len)
			cli_error("not captured (not readable): %s", c.missing.buf);
		cli_error("captured pid %d into %s (%zu files, %zu mapped files)",
			(int)pid, a.output, c.n_files, c.n_objects);
	}
	strbuf_release(&why);
out:
	capture_release(&c);
	return status;
}
