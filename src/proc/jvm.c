/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a HotSpot JVM's Java heap and code cache lie, read from its own
 * description of itself: libjvm.so exports gHotSpotVMStructs, a table the JVM fills at
 * start for debuggers (the serviceability agent reads it the same way),
 * one entry per field of its internal types: the type's and the field's
 * names, and the field's offset, or for a static field its address. The
 * layout of an entry is exported too (gHotSpotVMStructEntry*Offset, its
 * stride), so nothing here depends on a JVM version.
 *
 * The heap is the MemRegion CollectedHeap::_reserved of the heap that the
 * static Universe::_collectedHeap points at: its _start and _word_size
 * (in HeapWords, 8 bytes on 64-bit). The code cache (the JIT's compiled
 * code) is the statics CodeCache::_low_bound and _high_bound. For the
 * class space (src/model/jvm.c), the statics
 * CompressedKlassPointers::_narrow_klass._base (the base class pointers
 * are encoded from) and MetaspaceObj::_shared_metaspace_base and _top
 * (the CDS archive mapped, if any). All of it
 * is read through a reader (/proc/<pid>/mem for a live process; a buffer
 * in the tests and the fuzzer), and every value is checked, as the memory
 * is the process's.
 */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* More entries than any JVM's table has (OpenJDK 17: 788), so that a table
 * made to be endless costs a bounded walk. */
#define VMSTRUCTS_MAX 16384
/* A table entry is seven words or so; a larger stride is not a table. */
#define STRIDE_MAX 256
/* Entries read at a time. */
#define BATCH 64
/* Longer than any of the names looked for, with the NUL. */
#define NAME_MAX_READ 32

enum want {
	W_HEAP_PTR, W_RESERVED, W_START, W_WORDS, W_CODE_LO, W_CODE_HI,
	W_KLASS_BASE, W_SHARED_BASE, W_SHARED_TOP, W__MAX
};

#define HEAP_WANTS (1u << W_HEAP_PTR | 1u << W_RESERVED | 1u << W_START | 1u << W_WORDS)
#define CODE_WANTS (1u << W_CODE_LO | 1u << W_CODE_HI)
#define CLASS_WANTS (1u << W_KLASS_BASE | 1u << W_SHARED_BASE | 1u << W_SHARED_TOP)

static const struct {
	const char *type, *field;
	bool is_static;
} wanted[W__MAX] = {
	[W_HEAP_PTR] = { "Universe", "_collectedHeap", true },
	[W_RESERVED] = { "CollectedHeap", "_reserved", false },
	[W_START] = { "MemRegion", "_start", false },
	[W_WORDS] = { "MemRegion", "_word_size", false },
	[W_CODE_LO] = { "CodeCache", "_low_bound", true },
	[W_CODE_HI] = { "CodeCache", "_high_bound", true },
	[W_KLASS_BASE] = { "CompressedKlassPointers", "_narrow_klass._base", true },
	[W_SHARED_BASE] = { "MetaspaceObj", "_shared_metaspace_base", true },
	[W_SHARED_TOP] = { "MetaspaceObj", "_shared_metaspace_top", true },
};

static int read_u64(const struct vms_mem_reader *m, uint64_t addr, uint64_t *ret)
{
	return m->read(m->ctx, addr, ret, sizeof(*ret));
}

/* The NUL-terminated string at addr equals s (read no further than s needs). */
static bool string_is(const struct vms_mem_reader *m, uint64_t addr, const char *s)
{
	char buf[NAME_MAX_READ];
	size_t n = strlen(s) + 1;

	if (n > sizeof(buf) || m->read(m->ctx, addr, buf, n) < 0)
		return false;
	return memcmp(buf, s, n) == 0;
}

/*
 * The wanted entries whose type is named at addr, as bits: one read for
 * all the names (the entries of a type come together, and share the
 * pointer to its name, so this is asked once per type), each name's own
 * length where that read falls off the end of the mapping.
 */
static unsigned type_matches(const struct vms_mem_reader *m, uint64_t addr)
{
	char buf[NAME_MAX_READ];
	size_t longest = 0;
	unsigned mask = 0;
	bool whole;

	for (unsigned w = 0; w < W__MAX; w++)
		if (strlen(wanted[w].type) + 1 > longest)
			longest = strlen(wanted[w].type) + 1;
	whole = m->read(m->ctx, addr, buf, longest) == 0;
	for (unsigned w = 0; w < W__MAX; w++) {
		const char *t = wanted[w].type;

		if (whole ? memcmp(buf, t, strlen(t) + 1) == 0 : string_is(m, addr, t))
			mask |= 1u << w;
	}
	return mask;
}

static uint64_t field_of(const unsigned char *entry, uint64_t off)
{
	uint64_t v;

	memcpy(&v, entry + off, sizeof(v));
	return v;
}

/* The heap's range, from the fields found (value: their offsets, addresses). */
static int heap_range(const struct vms_mem_reader *m, const uint64_t *value, uint64_t *ret_start,
		      uint64_t *ret_end)
{
	uint64_t heap, start, words;
	int r;

	/* the heap object, and its MemRegion */
	if ((r = read_u64(m, value[W_HEAP_PTR], &heap)) < 0)
		return r;
	if (heap == 0)
		return -ENOENT; /* not made yet: a JVM starting */
	if (value[W_RESERVED] > UINT64_MAX - heap ||
	    value[W_START] > UINT64_MAX - heap - value[W_RESERVED] ||
	    value[W_WORDS] > UINT64_MAX - heap - value[W_RESERVED])
		return -EBADMSG;
	if ((r = read_u64(m, heap + value[W_RESERVED] + value[W_START], &start)) < 0 ||
	    (r = read_u64(m, heap + value[W_RESERVED] + value[W_WORDS], &words)) < 0)
		return r;
	if (start == 0 || words == 0 || words > (UINT64_MAX - start) / 8)
		return -EBADMSG;
	*ret_start = start;
	*ret_end = start + words * 8;
	return 0;
}

/* The code cache's range: the two statics' values. */
static int code_range(const struct vms_mem_reader *m, const uint64_t *value, uint64_t *ret_start,
		      uint64_t *ret_end)
{
	uint64_t lo, hi;
	int r;

	if ((r = read_u64(m, value[W_CODE_LO], &lo)) < 0 ||
	    (r = read_u64(m, value[W_CODE_HI], &hi)) < 0)
		return r;
	if (lo == 0 && hi == 0)
		return -ENOENT; /* not made yet */
	if (lo == 0 || hi <= lo)
		return -EBADMSG;
	*ret_start = lo;
	*ret_end = hi;
	return 0;
}

/* What the class space is placed by: the three statics' values. */
static int class_facts(const struct vms_mem_reader *m, const uint64_t *value,
		       struct vms_jvm_ranges *ret)
{
	uint64_t v[3];
	int r;

	for (unsigned k = 0; k < 3; k++)
		if ((r = read_u64(m, value[W_KLASS_BASE + k], &v[k])) < 0)
			return r;
	if (v[1] > v[2] || (v[1] == 0) != (v[2] == 0))
		return -EBADMSG;
	ret->klass_base = v[0];
	ret->shared_start = v[1];
	ret->shared_end = v[2];
	ret->class_known = true;
	return 0;
}

int vms_jvm_ranges(const struct vms_mem_reader *m, const struct vms_jvm_symbols *sym,
		   struct vms_jvm_ranges *ret)
{
	uint64_t stride, off_type, off_field, off_static, off_offset, off_address, table;
	uint64_t value[W__MAX];
	unsigned found = 0, last_types = 0;
	uint64_t last_type = 0;
	unsigned char entries[BATCH * STRIDE_MAX], *entry;
	bool batch = false;
	int r, r_heap, r_code, r_class;

	*ret = (struct vms_jvm_ranges){ 0 };
	if ((r = read_u64(m, sym->stride, &stride)) < 0 ||
	    (r = read_u64(m, sym->type_name, &off_type)) < 0 ||
	    (r = read_u64(m, sym->field_name, &off_field)) < 0 ||
	    (r = read_u64(m, sym->is_static, &off_static)) < 0 ||
	    (r = read_u64(m, sym->offset, &off_offset)) < 0 ||
	    (r = read_u64(m, sym->address, &off_address)) < 0 ||
	    (r = read_u64(m, sym->structs, &table)) < 0)
		return r;
	/* isStatic is an int32; the others are words */
	if (stride < 8 || stride > STRIDE_MAX || off_type > stride - 8 || off_field > stride - 8 ||
	    off_static > stride - 4 || off_offset > stride - 8 || off_address > stride - 8 ||
	    table == 0)
		return -EBADMSG;

	for (uint64_t i = 0; i < VMSTRUCTS_MAX && found != (1u << W__MAX) - 1; i++) {
		uint64_t type, field;
		int32_t is_static;
		unsigned types;

		if (i % BATCH == 0) {
			/* a batch of entries at a time; entry by entry where the
			 * table ends too near the end of its mapping for that */
			if (table > UINT64_MAX - BATCH * stride - i * stride)
				return -EBADMSG;
			batch = m->read(m->ctx, table + i * stride, entries, (size_t)(BATCH * stride)) == 0;
		}
		if (!batch && (r = m->read(m->ctx, table + i * stride, entries + (i % BATCH) * stride,
					    (size_t)stride)) < 0)
			return r;
		entry = entries + (i % BATCH) * stride;
		type = field_of(entry, off_type);
		if (type == 0)
			break; /* the end of the table */
		if (type != last_type) {
			last_type = type;
			last_types = type_matches(m, type);
		}
		types = last_types & ~found;
		field = field_of(entry, off_field);
		memcpy(&is_static, entry + off_static, sizeof(is_static));
		for (unsigned w = 0; w < W__MAX && types && field; w++) {
			if (!(types & (1u << w)) || (is_static != 0) != wanted[w].is_static ||
			    !string_is(m, field, wanted[w].field))
				continue;
			value[w] = field_of(entry, wanted[w].is_static ? off_address : off_offset);
			found |= 1u << w;
		}
	}
	/* each range on its own: one may be there without the other */
	r_heap = (found & HEAP_WANTS) == HEAP_WANTS
			 ? heap_range(m, value, &ret->heap_start, &ret->heap_end)
			 : -ENOENT;
	r_code = (found & CODE_WANTS) == CODE_WANTS
			 ? code_range(m, value, &ret->code_start, &ret->code_end)
			 : -ENOENT;
	r_class = (found & CLASS_WANTS) == CLASS_WANTS ? class_facts(m, value, ret) : -ENOENT;
	if (r_class < 0) {
		ret->klass_base = ret->shared_start = ret->shared_end = 0;
		ret->class_known = false;
	}
	if (r_heap == 0 || r_code == 0)
		return 0;
	return r_heap != -ENOENT ? r_heap : r_code;
}

const char *const vms_jvm_symbol_names[7] = {
	"gHotSpotVMStructs",
	"gHotSpotVMStructEntryArrayStride",
	"gHotSpotVMStructEntryTypeNameOffset",
	"gHotSpotVMStructEntryFieldNameOffset",
	"gHotSpotVMStructEntryIsStaticOffset",
	"gHotSpotVMStructEntryOffsetOffset",
	"gHotSpotVMStructEntryAddressOffset",
};
