/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maps, smaps and smaps_rollup. The parser only parses: what a region is
 * gets decided in model/classify.c.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "proc/proc-internal.h"

#define DELETED_SUFFIX " (deleted)"

int split_key(const char *line, size_t len, const char **ret_key, size_t *ret_klen,
	      const char **ret_val)
{
	const char *colon = memchr(line, ':', len);

	if (!colon || colon == line)
		return -EBADMSG;
	*ret_key = line;
	*ret_klen = (size_t)(colon - line);
	*ret_val = colon + 1;
	return 0;
}

static inline bool mem_key_is(const char *key, size_t klen, unsigned i)
{
	const struct vms_mem_field *f = &vms_mem_fields[i];

	return klen == f->key_len && key[0] == f->key[0] && memcmp(key, f->key, klen) == 0;
}

static int find_mem_key(const char *key, size_t klen, unsigned *hint)
{
	unsigned h = *hint;

	if (h < VMS_MEM__MAX && mem_key_is(key, klen, h)) {
		*hint = h + 1;
		return (int)h;
	}
	for (unsigned i = 0; i < VMS_MEM__MAX; i++) {
		if (mem_key_is(key, klen, i)) {
			*hint = i + 1;
			return (int)i;
		}
	}
	return -1;
}

int smaps_parse_mem_line(const char *line, size_t len, struct vms_counters *c, unsigned *hint)
{
	const char *key, *p, *end = line + len;
	size_t klen;
	uint64_t v;
	int idx, r;

	r = split_key(line, len, &key, &klen, &p);
	if (r < 0)
		return r;
	idx = find_mem_key(key, klen, hint);
	if (idx < 0)
		return 0;
	parse_skip_blanks(&p, end);
	r = parse_dec_u64(&p, end, &v);
	if (r < 0)
		return -EBADMSG;
	/* Every counter is in kB; a value cut before its unit is a truncated file. */
	parse_skip_blanks(&p, end);
	if (!parse_eq(p, (size_t)(end - p), "kB") || v > UINT64_MAX / 1024)
		return -EBADMSG;
	v *= 1024;
	c->v[idx] = v;
	c->have |= UINT32_C(1) << idx;
	return 1;
}

static int parse_perms(const char **p, const char *end, uint8_t *ret)
{
	static const char want[4][2] = { { 'r', '-' }, { 'w', '-' }, { 'x', '-' }, { 's', 'p' } };
	static const uint8_t bit[4] = { VMS_PERM_READ, VMS_PERM_WRITE, VMS_PERM_EXEC,
					VMS_PERM_SHARED };
	const char *s = *p;
	uint8_t perms = 0;

	if (end - s < 4)
		return -EBADMSG;
	for (int i = 0; i < 4; i++) {
		if (s[i] == want[i][0])
			perms |= bit[i];
		else if (s[i] != want[i][1])
			return -EBADMSG;
	}
	*p = s + 4;
	*ret = perms;
	return 0;
}

int vms_maps_parse_line(const char *line, size_t len, struct arena *arena, struct vms_region *r)
{
	const char *p = line, *end = line + len;
	uint64_t start, stop, offset, major, minor, inode;
	uint8_t perms;
	size_t nlen;

	if (parse_hex_u64(&p, end, &start) < 0 || !parse_char(&p, end, '-') ||
	    parse_hex_u64(&p, end, &stop) < 0 || stop < start)
		return -EBADMSG;
	if (!parse_char(&p, end, ' ') || parse_perms(&p, end, &perms) < 0)
		return -EBADMSG;
	if (!parse_char(&p, end, ' ') || parse_hex_u64(&p, end, &offset) < 0)
		return -EBADMSG;
	if (!parse_char(&p, end, ' ') || parse_hex_u64(&p, end, &major) < 0 ||
	    !parse_char(&p, end, ':') || parse_hex_u64(&p, end, &minor) < 0 ||
	    major > UINT32_MAX || minor > UINT32_MAX)
		return -EBADMSG;
	if (!parse_char(&p, end, ' ') || parse_dec_u64(&p, end, &inode) < 0)
		return -EBADMSG;
	/* The name is the rest of the line after the padding; it may hold spaces. */
	if (p < end && *p != ' ')
		return -EBADMSG;
	parse_skip_blanks(&p, end);

	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = stop;
	r->offset = offset;
	r->dev_major = (uint32_t)major;
	r->dev_minor = (uint32_t)minor;
	r->inode = inode;
	r->perms = perms;
	r->thp_eligible = -1;
	r->protection_key = -1;
	r->object = -1;

	nlen = (size_t)(end - p);
	if (nlen >= strlen(DELETED_SUFFIX) &&
	    memcmp(end - strlen(DELETED_SUFFIX), DELETED_SUFFIX, strlen(DELETED_SUFFIX)) == 0 &&
	    p[0] == '/') {
		r->deleted = true;
		nlen -= strlen(DELETED_SUFFIX);
	}
	r->name = nlen ? arena_strndup(arena, p, nlen) : "";
	return 0;
}

static bool is_maps_line(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	uint64_t v;

	/* Keys start with a capital; the kernel prints addresses in lowercase. */
	if (line[0] >= 'A' && line[0] <= 'Z')
		return false;
	return parse_hex_u64(&p, end, &v) == 0 && p < end && *p == '-';
}

/* The bit of a two-letter VmFlags mnemonic, -1 for one this build does not know. */
static int vmflag_index(char a, char b)
{
	for (int i = 0; vms_vmflag_names[i]; i++)
		if (vms_vmflag_names[i][0] == a && vms_vmflag_names[i][1] == b)
			return i;
	return -1;
}

static int parse_vmflags(const char *p, const char *end, uint64_t *ret)
{
	uint64_t flags = 0;

	for (;;) {
		const char *w;
		size_t wlen;

		parse_skip_blanks(&p, end);
		if (p >= end)
			break;
		if (parse_word(&p, end, &w, &wlen) < 0)
			return -EBADMSG;
		/* every mnemonic is two letters; unknown flags of newer kernels
		 * are ignored */
		if (wlen == 2) {
			int i = vmflag_index(w[0], w[1]);

			if (i >= 0)
				flags |= UINT64_C(1) << i;
		}
	}
	*ret = flags;
	return 0;
}

static int parse_small_int(const char *p, const char *end, int64_t lo, int64_t hi, int64_t *ret)
{
	int64_t v;

	parse_skip_blanks(&p, end);
	if (parse_dec_i64(&p, end, &v) < 0)
		return -EBADMSG;
	parse_skip_blanks(&p, end);
	if (p != end || v < lo || v > hi)
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* vm.max_map_count's default, 65530, and a few */
#define SMAPS_FIRST_REGIONS 65536

void vms_smaps_parser_init(struct vms_smaps_parser *ps, struct vms_snapshot *snap)
{
	memset(ps, 0, sizeof(*ps));
	ps->snap = snap;
	ps->cur = -1;
	/* until entries say otherwise: the order of vms_mem_fields */
	for (unsigned i = 0; i < VMS_MEM__MAX; i++)
		ps->next[i] = (uint8_t)(i + 1);
	ps->next[VMS_MEM__MAX] = 0;
	ps->prev = VMS_MEM__MAX;
	/*
	 * Room for the regions of any process under the default
	 * vm.max_map_count at once: reserved, not touched, so that only the
	 * pages the regions fill are faulted in, and once
	 * (vms_smaps_parser_done gives back the rest); a mapping of its own, as
	 * malloc() fills so large a block whole under MALLOC_PERTURB_. Grown by doubling
	 * from a few, the array moved eight times at 1,000 VMAs, and on a
	 * machine with shadow page tables the first pass over moved pages costs
	 * a fault per page again (a tenth of the report's time at 1,000 VMAs,
	 * 7 ms at 30,000).
	 */
	if (snap->alloc_regions == 0)
		vms_snapshot_reserve_regions(snap, SMAPS_FIRST_REGIONS);
}

void vms_smaps_parser_done(struct vms_smaps_parser *ps)
{
	vms_snapshot_trim_regions(ps->snap);
}

/* Key idx was read: the next entries expect it after the one before. */
static inline void smaps_saw_key(struct vms_smaps_parser *ps, unsigned idx)
{
	ps->next[ps->prev] = (uint8_t)idx;
	ps->prev = (uint8_t)idx;
}

static int smaps_key_line(struct vms_smaps_parser *ps, const char *line, size_t len)
{
	struct vms_region *r = &ps->snap->regions[ps->cur];
	const char *key, *val, *end = line + len;
	size_t klen;
	unsigned hint;
	int64_t v;
	int ret;

	/* the keys that are no counter first: every counter the kernel prints
	 * in its order was taken by smaps_fast_counter already */
	ret = split_key(line, len, &key, &klen, &val);
	if (ret < 0)
		return ret;
	if (parse_eq(key, klen, "VmFlags"))
		return parse_vmflags(val, end, &r->vmflags);
	if (parse_eq(key, klen, "THPeligible")) {
		ret = parse_small_int(val, end, 0, 1, &v);
		if (ret == 0)
			r->thp_eligible = (int8_t)v;
		return ret;
	}
	if (parse_eq(key, klen, "ProtectionKey")) {
		ret = parse_small_int(val, end, 0, INT16_MAX, &v);
		if (ret == 0)
			r->protection_key = (int16_t)v;
		return ret;
	}

	/* The kernel prints the counters in a fixed order; the lookup starts at
	 * the key that followed the last one in the entries before. */
	hint = ps->next[ps->prev];
	ret = smaps_parse_mem_line(line, len, &r->mem, &hint);
	if (ret > 0)
		smaps_saw_key(ps, hint - 1);
	return ret < 0 ? ret : 0; /* 0 too for a key of a newer kernel */
}

int vms_smaps_parse_line(struct vms_smaps_parser *ps, const char *line, size_t len)
{
	struct vms_snapshot *snap = ps->snap;
	struct vms_region r;
	int ret;

	ps->line++;
	if (len == 0)
		return 0;
	if (is_maps_line(line, len)) {
		ret = vms_maps_parse_line(line, len, snap->arena, &r);
		if (ret < 0)
			return ret;
		/* maps is built a page at a time with the lock dropped between
		 * pages: an entry that does not start at or after the previous end
		 * was read twice (or the map changed under us). Keep the first. */
		if (snap->n_regions > 0 && r.start < ps->prev_end) {
			snap->dropped_regions++;
			ps->skipping = true;
			return 0;
		}
		vms_snapshot_grow_regions(snap, snap->n_regions + 1);
		snap->regions[snap->n_regions] = r;
		snap->sysv_regions += vms_region_shm_type(&r) == VMS_SHM_SYSV;
		ps->cur = (ptrdiff_t)snap->n_regions++;
		ps->prev_end = r.end;
		ps->skipping = false;
		ps->prev = VMS_MEM__MAX;
		return 0;
	}
	if (ps->skipping)
		return 0;
	if (ps->cur < 0)
		return -EBADMSG;
	return smaps_key_line(ps, line, len);
}

/* Whether the n bytes at a (n + 6 readable) are the key k of n bytes (the
 * kernel's keys are 2 to 15 bytes): two loads that overlap, no call. */
static inline bool same_key(const char *a, const char *k, size_t n)
{
	uint64_t x, y, u, v;
	uint32_t i, j, m, o;

	if (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, k, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, k + n - 8, 8);
		return x == y && u == v;
	}
	if (n >= 4) {
		memcpy(&i, a, 4);
		memcpy(&j, k, 4);
		memcpy(&m, a + n - 4, 4);
		memcpy(&o, k + n - 4, 4);
		return i == j && m == o;
	}
	return memcmp(a, k, n) == 0;
}

/* Past the blanks the kernel pads a value with to its column: a word at a
 * time while eight are blanks. */
static inline const char *skip_blanks(const char *p, const char *end)
{
	const uint64_t blanks = UINT64_C(0x2020202020202020);
	uint64_t x;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		if (x != blanks)
			break;
		p += 8;
	}
	while (p < end && *p == ' ')
		p++;
	return p;
}

/*
 * A counter line the way the kernel prints it, at the key expected next:
 * "Key:", blanks, 1 to 19 digits, " kB\n". Takes it and returns true, or
 * returns false having changed nothing: vms_smaps_parse_line then reads
 * the line, and decides the same for every line this takes.
 */
static inline bool smaps_fast_counter(struct vms_smaps_parser *ps, const char **pp,
				      const char *end)
{
	const char *p = *pp, *d;
	unsigned idx = ps->next[ps->prev];
	const struct vms_mem_field *f;
	struct vms_region *r;
	uint64_t v = 0;

	if (ps->cur < 0 || ps->skipping || idx >= VMS_MEM__MAX)
		return false;
	f = &vms_mem_fields[idx];
	/* the longest line taken: the key, ':', blanks, 19 digits, " kB\n" */
	if ((size_t)(end - p) < (size_t)f->key_len + 6 || p[f->key_len] != ':' ||
	    !same_key(p, f->key, f->key_len))
		return false;
	p += f->key_len + 1;
	p = skip_blanks(p, end);
	for (d = p; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned)(*p - '0');
	if (p == d || p - d > 19 || end - p < 4 || memcmp(p, " kB\n", 4) != 0 ||
	    v > UINT64_MAX / 1024)
		return false;
	r = &ps->snap->regions[ps->cur];
	r->mem.v[idx] = v * 1024;
	r->mem.have |= UINT32_C(1) << idx;
	smaps_saw_key(ps, idx);
	ps->line++;
	*pp = p + 4;
	return true;
}

ptrdiff_t vms_smaps_parse_lines(struct vms_smaps_parser *ps, const char *buf, size_t len,
				bool eof)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl;
		int r;

		if (smaps_fast_counter(ps, &p, end))
			continue;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && !eof)
			break;
		r = vms_smaps_parse_line(ps, p, (size_t)((nl ? nl : end) - p));
		if (r < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	return p - buf;
}

int vms_smaps_parse(struct vms_snapshot *snap, const char *buf, size_t len)
{
	struct vms_smaps_parser ps;
	ptrdiff_t n;

	vms_smaps_parser_init(&ps, snap);
	n = vms_smaps_parse_lines(&ps, buf, len, true);
	vms_smaps_parser_done(&ps);
	return n < 0 ? (int)n : 0;
}

int vms_rollup_parse(struct vms_snapshot *snap, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *line;
	struct vms_counters c = { .have = 0 };
	struct vms_region hdr;
	struct arena scratch;
	unsigned hint = 0;
	size_t llen;
	bool first = true;
	int r = 0;

	arena_init(&scratch);
	while (memlines_next(&p, end, &line, &llen) > 0) {
		if (first) {
			first = false;
			/* "start-end ---p 00000000 00:00 0   [rollup]": the range covered */
			r = vms_maps_parse_line(line, llen, &scratch, &hdr);
			if (r < 0)
				goto out;
			snap->totals.rollup_start = hdr.start;
			snap->totals.rollup_end = hdr.end;
			continue;
		}
		if (llen == 0)
			continue;
		r = smaps_parse_mem_line(line, llen, &c, &hint);
		if (r < 0)
			goto out;
	}
	r = 0;
	snap->totals.rollup = c;
out:
	arena_release(&scratch);
	return r;
}
