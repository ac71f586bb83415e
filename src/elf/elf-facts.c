/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What elf.c, elf-sections.c and elf-symbols.c share: the facts of one file
 * and their release, where the bytes come from (elf_source_read, opening the
 * file a region maps), the bounded readers of raw ELF fields, and the cache
 * that keeps the facts by (dev, inode). It calls none of the three.
 */
#include "config.h"

#include "elf/elf-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mounts.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "vmscope/elf.h"

bool elf_add_overflows(uint64_t a, uint64_t b, uint64_t limit)
{
	return a > limit || b > limit - a;
}

void elf_symbols_free(struct elf_symbols *s)
{
	if (!s)
		return;
	free(s->syms);
	free(s->names);
	free(s);
}

void elf_facts_release(struct elf_facts *f)
{
	free(f->segments);
	f->segments = NULL;
	f->n_segments = 0;
	free(f->sections);
	f->sections = NULL;
	f->n_sections = 0;
	free(f->shstrtab);
	f->shstrtab = NULL;
	elf_symbols_free(f->symbols);
	f->symbols = NULL;
}

int elf_source_read(const struct elf_source *src, uint64_t off, void *buf, size_t n)
{
	int r;

	if (off > src->size || n > src->size - off)
		return -EBADMSG;
	if (src->mem) {
		memcpy(buf, src->mem + off, n);
		return 0;
	}
	if (src->head && off >= src->head_skip && off <= src->head_len &&
	    n <= src->head_len - off) {
		memcpy(buf, src->head + off, n);
		return 0;
	}
	r = procfile_pread_full(src->fd, buf, n, off);
	return r == -ENODATA ? -EBADMSG : r; /* the file shrank under us */
}

/* A mountinfo read: the text, the identity of the /proc directory it is
 * of (0 for vmscope's own), the pass it was read in, the read's result. */
struct mounts_copy {
	struct strbuf text;
	dev_t dev;
	ino_t ino;
	uint64_t pass;
	int r;
};

/* The cache: open addressing on (dev, inode) of the maps line. */

struct vms_elf_cache {
	struct elf_cache_entry *slots;
	size_t n_slots; /* a power of two, or 0 */
	size_t n_used;
	uint64_t pass;  /* 0: none begun (vms_elf_cache_pass) */
	/* the mountinfo of the process last asked about and vmscope's own
	 * (elf_open_mapped), each read once a pass */
	struct mounts_copy proc_mounts, own_mounts;
};

void vms_elf_cache_pass(struct vms_elf_cache *cache)
{
	if (cache)
		cache->pass++;
}

bool elf_cache_entry_fresh(const struct vms_elf_cache *cache, const struct elf_cache_entry *e)
{
	return e && cache->pass && e->pass == cache->pass;
}

void elf_cache_entry_checked(const struct vms_elf_cache *cache, struct elf_cache_entry *e)
{
	e->pass = cache->pass;
}

struct vms_elf_cache *vms_elf_cache_new(void)
{
	/* Idempotent; libelf needs it before any other call. */
	struct vms_elf_cache *cache;

	(void)elf_version(EV_CURRENT);
	cache = xcalloc(1, sizeof(*cache));
	strbuf_init(&cache->proc_mounts.text);
	strbuf_init(&cache->own_mounts.text);
	return cache;
}

void vms_elf_cache_free(struct vms_elf_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->n_slots; i++)
		if (cache->slots[i].used)
			elf_facts_release(&cache->slots[i].facts);
	free(cache->slots);
	strbuf_release(&cache->proc_mounts.text);
	strbuf_release(&cache->own_mounts.text);
	free(cache);
}

static uint64_t key_hash(uint32_t major, uint32_t minor, uint64_t inode)
{
	uint64_t h = inode * UINT64_C(0x9e3779b97f4a7c15);

	h ^= ((uint64_t)major << 32 | minor) + UINT64_C(0x632be59bd9b4e019) + (h << 6) + (h >> 2);
	h ^= h >> 29;
	return h;
}

static struct elf_cache_entry *cache_slot(struct vms_elf_cache *cache, uint32_t major,
					  uint32_t minor, uint64_t inode)
{
	size_t mask = cache->n_slots - 1;
	size_t i = (size_t)key_hash(major, minor, inode) & mask;

	for (;;) {
		struct elf_cache_entry *e = &cache->slots[i];

		if (!e->used)
			return e;
		if (e->inode == inode && e->dev_major == major && e->dev_minor == minor)
			return e;
		i = (i + 1) & mask;
	}
}

struct elf_cache_entry *elf_cache_find(struct vms_elf_cache *cache, const struct vms_region *r)
{
	struct elf_cache_entry *e;

	if (!cache || cache->n_slots == 0)
		return NULL;
	e = cache_slot(cache, r->dev_major, r->dev_minor, r->inode);
	return e->used ? e : NULL;
}

static void cache_grow(struct vms_elf_cache *cache)
{
	struct elf_cache_entry *old = cache->slots;
	size_t n_old = cache->n_slots;

	cache->n_slots = n_old ? n_old * 2 : 16;
	cache->slots = xcalloc(cache->n_slots, sizeof(*cache->slots));
	for (size_t i = 0; i < n_old; i++)
		if (old[i].used)
			*cache_slot(cache, old[i].dev_major, old[i].dev_minor, old[i].inode) = old[i];
	free(old);
}

void elf_cache_put(struct vms_elf_cache *cache, const struct vms_region *r, const struct stat *st,
		   struct elf_facts *f)
{
	struct elf_cache_entry *e;

	if ((cache->n_used + 1) * 2 > cache->n_slots)
		cache_grow(cache);
	e = cache_slot(cache, r->dev_major, r->dev_minor, r->inode);
	if (e->used)
		elf_facts_release(&e->facts);
	else
		cache->n_used++;
	*e = (struct elf_cache_entry){
		.used = true,
		.pass = cache->pass,
		.dev_major = r->dev_major,
		.dev_minor = r->dev_minor,
		.inode = r->inode,
		.st_dev = st->st_dev,
		.st_ino = st->st_ino,
		.st_size = st->st_size,
		.st_mtim = st->st_mtim,
		.st_ctim = st->st_ctim,
		.facts = *f,
	};
	memset(f, 0, sizeof(*f)); /* its arrays now belong to the cache */
}

bool elf_cache_entry_matches(const struct elf_cache_entry *e, const struct stat *st)
{
	return e->st_dev == st->st_dev && e->st_ino == st->st_ino && e->st_size == st->st_size &&
	       e->st_mtim.tv_sec == st->st_mtim.tv_sec && e->st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	       e->st_ctim.tv_sec == st->st_ctim.tv_sec && e->st_ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Opens dirfd/name when it is a regular file. The type is checked before
 * open: opening a mapped device (a watchdog, a GPU node) can have effects.
 * want_inode != 0: the file must have that inode (a path may now name
 * another file than the one mapped). Returns an fd, -ELF_NOT_REGULAR or -errno.
 */
static int open_regular_at(int dirfd, const char *name, uint64_t want_inode, struct stat *ret_st)
{
	struct stat pre, st;
	int fd;

	if (fstatat(dirfd, name, &pre, 0) < 0)
		return -errno;
	if (!S_ISREG(pre.st_mode))
		return -ELF_NOT_REGULAR;
	if (want_inode && (uint64_t)pre.st_ino != want_inode)
		return -ENOENT;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_ino != pre.st_ino || st.st_dev != pre.st_dev) {
		close(fd);
		return -ENOENT; /* replaced between the two calls */
	}
	*ret_st = st;
	return fd;
}

/* maps escapes a newline in a path as \012; undo that for open. */
static void unescape_path(struct strbuf *out, const char *name)
{
	for (const char *p = name; *p; p++) {
		if (p[0] == '\\' && p[1] == '0' && p[2] == '1' && p[3] == '2') {
			strbuf_addch(out, '\n');
			p += 3;
		} else {
			strbuf_addch(out, *p);
		}
	}
}

/* mountinfo can be long (a container host's); past this it is not trusted */
#define MOUNTS_CAP (16u << 20)

/*
 * The mountinfo of the process at dirfd (AT_FDCWD: vmscope's own, name the
 * path of it): copy c's text when it was read of that process in this pass,
 * else read into c (without a cache, into scratch).
 */
static int mounts_of(struct vms_elf_cache *cache, struct mounts_copy *c, int dirfd,
		     const char *name, struct strbuf *scratch, const struct strbuf **ret)
{
	struct stat st = { 0 };

	if (!cache || (dirfd != AT_FDCWD && fstat(dirfd, &st) < 0)) {
		*ret = scratch;
		return procfile_read_at(dirfd, name, MOUNTS_CAP, 0, scratch);
	}
	*ret = &c->text;
	if (c->pass && c->pass == cache->pass && c->dev == st.st_dev && c->ino == st.st_ino)
		return c->r;
	c->r = procfile_read_at(dirfd, name, MOUNTS_CAP, 0, &c->text);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->pass = cache->pass ? cache->pass : 1;
	return c->r;
}

/*
 * Whether the file r maps must be left alone: on a FUSE filesystem, a
 * stat, an open or a read of it is a request to the filesystem's server,
 * and one that never answers leaves the caller in an uninterruptible sleep
 * that even SIGKILL does not end, so that any user allowed to mount FUSE
 * could stop vmscope run as root (or serve) for as long as they like. A
 * FUSE filesystem's device is an anonymous one (major 0) unless it is
 * fuseblk, which only root may mount; so only an anonymous device is looked
 * up, in the process's mountinfo (which names its mounts' devices as maps
 * does its files'), then in vmscope's own (a file of the host's under a
 * container's overlay). One no mount names may be a FUSE one unmounted
 * lazily while mapped: left alone too, as is every anonymous device when
 * the process's mountinfo cannot be read (not a captured tree's, which
 * has none: its files are copies).
 */
static bool leave_alone(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r)
{
	const struct strbuf *m;
	struct strbuf scratch;
	enum mounts_kind kind = MOUNTS_NONE;
	int rm;

	if (r->dev_major != 0)
		return false;
	strbuf_init(&scratch);
	rm = mounts_of(cache, cache ? &cache->proc_mounts : NULL, pid_dirfd, "mountinfo", &scratch,
		       &m);
	if (rm >= 0)
		kind = mounts_kind_of(m->buf, m->len, r->dev_major, r->dev_minor);
	if (rm >= 0 && kind == MOUNTS_NONE &&
	    mounts_of(cache, cache ? &cache->own_mounts : NULL, AT_FDCWD, "/proc/self/mountinfo",
		      &scratch, &m) >= 0)
		kind = mounts_kind_of(m->buf, m->len, r->dev_major, r->dev_minor);
	strbuf_release(&scratch);
	/* a captured tree has no mountinfo: its files are copies */
	return rm != -ENOENT && kind != MOUNTS_OTHER;
}

int elf_open_mapped(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
		    struct stat *ret_st)
{
	struct strbuf path;
	char name[64];
	int fd, first;

	if (leave_alone(cache, pid_dirfd, r))
		return -EREMOTE;
	(void)snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, r->start, r->end);
	fd = open_regular_at(pid_dirfd, name, 0, ret_st);
	if (fd >= 0 || fd == -ELF_NOT_REGULAR)
		return fd;
	first = fd;
	/* A deleted file has no path to it any more; a name that is not a
	 * path (anon_inode:…) has none either. */
	if (r->deleted || !r->name || r->name[0] != '/')
		return first;

	strbuf_init(&path);
	strbuf_addstr(&path, "root");
	unescape_path(&path, r->name);
	fd = open_regular_at(pid_dirfd, path.buf, r->inode, ret_st);
	if (fd < 0 && fd != -ELF_NOT_REGULAR && strstr(r->name, "\\012")) {
		/* or the backslashes were in the name itself */
		strbuf_setlen(&path, 4);
		strbuf_addstr(&path, r->name);
		fd = open_regular_at(pid_dirfd, path.buf, r->inode, ret_st);
	}
	strbuf_release(&path);
	/* map_files said why better (EPERM without CAP_SYS_ADMIN, but the
	 * path is then the usual way in; ENOENT from root/ is the answer). */
	return fd;
}
