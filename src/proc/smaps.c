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

/* The maps line that the line is not: no hex number and '-' first. */
#define NOT_MAPS_LINE 1

/*
 * One maps line into r, or NOT_MAPS_LINE, or -EBADMSG for a maps line
 * that is not whole; r is written only for a line that is.
 */
static inline int maps_line(const char *line, size_t len, struct arena *arena,
			    struct vms_region *r)
{
	const char *p = line, *end = line + len;
	uint64_t start, stop, offset, major, minor, inode;
	uint8_t perms;
	size_t nlen;

	if (parse_hex_u64(&p, end, &start) < 0 || !parse_char(&p, end, '-'))
		return NOT_MAPS_LINE;
	if (parse_hex_u64(&p, end, &stop) < 0 || stop < start)
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
	r->name = !nlen ? "" : arena ? arena_strndup(arena, p, nlen) : NULL;
	return 0;
}

int vms_maps_parse_line(const char *line, size_t len, struct arena *arena, struct vms_region *r)
{
	int ret = maps_line(line, len, arena, r);

	return ret == NOT_MAPS_LINE ? -EBADMSG : ret;
}

/* The bit of a two-letter VmFlags mnemonic, -1 for one this build does not
 * know (every one it knows is two letters a-z: vms_smaps_parser_init). */
static inline int vmflag_index(const struct vms_smaps_parser *ps, char a, char b)
{
	unsigned x = (unsigned char)a - 'a', y = (unsigned char)b - 'a';

	if (x >= 26 || y >= 26)
		return -1;
	return (int)ps->vmflag_bits[x * 26 + y] - 1;
}

static int parse_vmflags(const struct vms_smaps_parser *ps, const char *p, const char *end,
			 uint64_t *ret)
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
			int i = vmflag_index(ps, w[0], w[1]);

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

/*
 * The kernel prints a counter as its key and colon padded with blanks to
 * 16 columns, the number in kB right-aligned in 8 more, then " kB\n": 28
 * bytes, for every value under 10^8 kB.
 */
#define SMAPS_KEY_COLS 16
#define SMAPS_NUMBER_COLS 8
#define SMAPS_COUNTER_LINE (SMAPS_KEY_COLS + SMAPS_NUMBER_COLS + 4)
_Static_assert(sizeof(((struct vms_smaps_parser *)0)->key_cols[0]) == SMAPS_KEY_COLS,
	       "vms_smaps_parser.key_cols holds a key padded to SMAPS_KEY_COLS");

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
	for (unsigned i = 0; i < VMS_MEM__MAX; i++) {
		const struct vms_mem_field *f = &vms_mem_fields[i];
		char cols[SMAPS_KEY_COLS];

		if ((size_t)f->key_len + 1 > sizeof(cols))
			continue;
		memset(cols, ' ', sizeof(cols));
		memcpy(cols, f->key, f->key_len);
		cols[f->key_len] = ':';
		memcpy(ps->key_cols[i], cols, sizeof(cols));
		ps->cols_have |= UINT32_C(1) << i;
	}
	for (unsigned i = 0; i < 64 && vms_vmflag_names[i]; i++) {
		const char *m = vms_vmflag_names[i];

		if (m[0] >= 'a' && m[0] <= 'z' && m[1] >= 'a' && m[1] <= 'z')
			ps->vmflag_bits[(m[0] - 'a') * 26 + (m[1] - 'a')] = (uint8_t)(i + 1);
	}
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
		return parse_vmflags(ps, val, end, &r->vmflags);
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
	struct vms_region *r;
	int ret;

	ps->line++;
	if (len == 0)
		return 0;
	/* Keys start with a capital; the kernel prints addresses in lowercase.
	 * A maps line is read where its region will stay. */
	if (!(line[0] >= 'A' && line[0] <= 'Z')) {
		vms_snapshot_grow_regions(snap, snap->n_regions + 1);
		r = &snap->regions[snap->n_regions];
		ret = maps_line(line, len, snap->arena, r);
		if (ret < 0)
			return ret;
	} else {
		ret = NOT_MAPS_LINE;
	}
	if (ret == 0) {
		/* maps is built a page at a time with the lock dropped between
		 * pages: an entry that does not start at or after the previous end
		 * was read twice (or the map changed under us). Keep the first. */
		if (snap->n_regions > 0 && r->start < ps->prev_end) {
			snap->dropped_regions++;
			ps->skipping = true;
			return 0;
		}
		snap->sysv_regions += vms_region_shm_type(r) == VMS_SHM_SYSV;
		ps->cur = (ptrdiff_t)snap->n_regions++;
		ps->prev_end = r->end;
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

/* Each byte of x that is not zero: its top bit set, the others clear. */
static inline uint64_t nonzero_bytes(uint64_t x)
{
	const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);

	return (((x & low7) + low7) | x) & ~low7;
}

/*
 * The 8 columns of a counter's number, blanks then 1 to 8 digits, as a
 * value into *ret; false for anything else. All eight bytes at once: the
 * first column in the word's lowest byte.
 */
static inline bool number_cols(uint64_t x, uint64_t *ret)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t y = x ^ (ones * '0'); /* a digit's byte: 0 to 9 */
	uint64_t blank = ~nonzero_bytes(x ^ (ones * ' ')) & (ones << 7);
	/* not a digit: a high nibble, or a low one past 9 (+6 carries into
	 * bit 4); a carry out of a byte comes only from one already not a digit */
	uint64_t other = nonzero_bytes((y & ones * 0xf0) | ((y + ones * 6) & ones * 0x10));
	uint64_t lead = (blank >> 7) * 0xff; /* 0xff in each blank byte */
	uint64_t v;

	/* the non-digits are the blanks, they come first, and not all */
	if (other != blank || (lead & (lead + 1)) != 0 || lead == UINT64_MAX)
		return false;
	v = x & ones * 0x0f; /* a blank's low nibble is 0 */
	v = ((v * 2561) >> 8) & UINT64_C(0x00ff00ff00ff00ff);
	v = ((v * 6553601) >> 16) & UINT64_C(0x0000ffff0000ffff);
	v = (v * UINT64_C(42949672960001)) >> 32;
	*ret = v;
	return true;
}

/*
 * The counter lines the way the kernel prints them (SMAPS_COUNTER_LINE
 * bytes each), from the key expected next, as many as come in the order
 * the entries before taught: their words compared and read at once, and
 * no line's place waiting on the line before. Returns how many it took.
 */
static inline size_t smaps_column_counters(struct vms_smaps_parser *ps, const char **pp,
					   const char *end)
{
	/* "       0", the value of most counters of most regions */
	const uint64_t zero = UINT64_C(0x2020202020202020) + (UINT64_C(0x10) << 56);
	struct vms_region *r = &ps->snap->regions[ps->cur];
	const char *p = *pp;
	unsigned prev = ps->prev, idx = ps->next[prev];
	uint32_t have = 0;
	size_t n = 0;

	while (idx < VMS_MEM__MAX && (ps->cols_have >> idx & 1) && end - p >= SMAPS_COUNTER_LINE) {
		uint64_t num, v = 0;

		memcpy(&num, p + SMAPS_KEY_COLS, 8);
		if (!same_key(p, ps->key_cols[idx], SMAPS_KEY_COLS) ||
		    memcmp(p + SMAPS_KEY_COLS + SMAPS_NUMBER_COLS, " kB\n", 4) != 0 ||
		    (num != zero && !number_cols(num, &v)))
			break;
		r->mem.v[idx] = v * 1024;
		have |= UINT32_C(1) << idx;
		p += SMAPS_COUNTER_LINE;
		n++;
		/* next[prev] is idx already: the order taught holds */
		prev = idx;
		idx = ps->next[idx];
	}
	r->mem.have |= have;
	ps->prev = (uint8_t)prev;
	ps->line += n;
	*pp = p;
	return n;
}

/* "Key:" in 16 columns, a number in 8, '\n': the number, if it is one. */
static inline bool small_number_line(const char *p, const char *end, const char *cols,
				     uint64_t *ret)
{
	uint64_t num;

	if (end - p < SMAPS_KEY_COLS + SMAPS_NUMBER_COLS + 1 ||
	    p[SMAPS_KEY_COLS + SMAPS_NUMBER_COLS] != '\n' || !same_key(p, cols, SMAPS_KEY_COLS))
		return false;
	memcpy(&num, p + SMAPS_KEY_COLS, 8);
	return number_cols(num, ret);
}

/*
 * "VmFlags: " and mnemonics of two letters a-z, each with a blank after,
 * to its '\n', the way the kernel prints them: into *ret, the line's end
 * into *pp. False for anything else, which vms_smaps_parse_line reads.
 */
static inline bool vmflags_line(const struct vms_smaps_parser *ps, const char **pp,
				const char *end, uint64_t *ret)
{
	const char *p = *pp;
	uint64_t flags = 0;

	if (end - p < 10 || memcmp(p, "VmFlags: ", 9) != 0)
		return false;
	p += 9;
	while (end - p >= 3 && p[2] == ' ') {
		int i;

		/* not two letters: the word is read the long way */
		if (p[0] < 'a' || p[0] > 'z' || p[1] < 'a' || p[1] > 'z')
			return false;
		i = vmflag_index(ps, p[0], p[1]);
		if (i >= 0)
			flags |= UINT64_C(1) << i;
		p += 3;
	}
	if (p >= end || *p != '\n')
		return false;
	*ret = flags;
	*pp = p + 1;
	return true;
}

/*
 * The lines after the counters the way the kernel prints them:
 * THPeligible, ProtectionKey, VmFlags. Takes one and returns true, or
 * returns false having changed nothing, as smaps_fast_counter.
 */
static inline bool smaps_fast_tail(struct vms_smaps_parser *ps, const char **pp, const char *end)
{
	struct vms_region *r;
	const char *p = *pp;
	uint64_t v;

	if (ps->cur < 0 || ps->skipping || end - p < 10)
		return false;
	r = &ps->snap->regions[ps->cur];
	switch (p[0]) {
	case 'T':
		if (!small_number_line(p, end, "THPeligible:    ", &v) || v > 1)
			return false;
		r->thp_eligible = (int8_t)v;
		*pp = p + SMAPS_KEY_COLS + SMAPS_NUMBER_COLS + 1;
		break;
	case 'P':
		if (!small_number_line(p, end, "ProtectionKey:  ", &v) || v > INT16_MAX)
			return false;
		r->protection_key = (int16_t)v;
		*pp = p + SMAPS_KEY_COLS + SMAPS_NUMBER_COLS + 1;
		break;
	case 'V':
		if (!vmflags_line(ps, pp, end, &v))
			return false;
		r->vmflags = v;
		break;
	default:
		return false;
	}
	ps->line++;
	return true;
}

/*
 * A counter line the way the kernel prints it, at the key expected next:
 * "Key:", blanks, 1 to 19 digits, " kB\n" (in its columns, with the lines
 * after it that are too: smaps_column_counters). Takes it and returns
 * true, or returns false having changed nothing: vms_smaps_parse_line then
 * reads the line, and decides the same for every line this takes.
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
	if (smaps_column_counters(ps, pp, end))
		return true;
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

		if (smaps_fast_counter(ps, &p, end) || smaps_fast_tail(ps, &p, end))
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
	unsigned hint = 0;
	size_t llen;
	bool first = true;
	int r = 0;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		if (first) {
			first = false;
			/* "start-end ---p 00000000 00:00 0   [rollup]": the range
			 * covered (the name not kept) */
			r = vms_maps_parse_line(line, llen, NULL, &hdr);
			if (r < 0)
				return r;
			snap->totals.rollup_start = hdr.start;
			snap->totals.rollup_end = hdr.end;
			continue;
		}
		if (llen == 0)
			continue;
		r = smaps_parse_mem_line(line, llen, &c, &hint);
		if (r < 0)
			return r;
	}
	snap->totals.rollup = c;
	return 0;
}
