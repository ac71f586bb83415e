/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A memory image laid out as a HotSpot JVM lays out what vmscope reads of
 * it (src/proc/jvm.c): the variables libjvm.so exports (the table's address
 * and its entries' layout, as HotSpot's VMStructEntry: typeName, fieldName,
 * typeString, int32 isStatic, offset, address: 48 bytes), the table with
 * decoys among the six entries looked for and a NULL typeName at its end,
 * the names, the static Universe::_collectedHeap, the heap object whose
 * MemRegion _reserved says where the heap is, and the statics
 * CodeCache::_low_bound and _high_bound; with JVM_IMAGE_CLASS, the statics
 * CompressedKlassPointers::_narrow_klass._base and
 * MetaspaceObj::_shared_metaspace_base and _top. For tests/proc/test-jvm.c.
 */
#ifndef VMSCOPE_TEST_JVM_IMAGE_H
#define VMSCOPE_TEST_JVM_IMAGE_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tests/image.h"
#include "vmscope/collect.h"

#define JVM_IMAGE_BASE IMAGE_BASE
#define JVM_IMAGE_HEAP UINT64_C(0xf0000000)
#define JVM_IMAGE_WORDS (UINT64_C(256) << 17) /* 256 MiB in 8-byte words */
#define JVM_IMAGE_SIZE (64u << 10)
#define JVM_IMAGE_CODE UINT64_C(0x7f3d25400000)
#define JVM_IMAGE_CODE_END UINT64_C(0x7f3d34400000)

/* where the exported variables are, from the base */
#define JVM_IMAGE_OFF_STRUCTS 0
#define JVM_IMAGE_OFF_STRIDE 8
#define JVM_IMAGE_OFF_ADDRESS 48

/* flags: the field left out (0-3), and the other ways to lie */
#define JVM_IMAGE_DROP(w) (1u << (w))
#define JVM_IMAGE_AT_END (1u << 4)
#define JVM_IMAGE_HEAP_NOT_STATIC (1u << 5)
#define JVM_IMAGE_NO_HEAP (1u << 6)
#define JVM_IMAGE_LONGER_TYPE (1u << 7)
#define JVM_IMAGE_HUGE_WORDS (1u << 8)
#define JVM_IMAGE_ZERO_WORDS (1u << 9)
#define JVM_IMAGE_NO_CODE (1u << 10)      /* no CodeCache entries */
#define JVM_IMAGE_CODE_BACKWARDS (1u << 11) /* _high_bound under _low_bound */
#define JVM_IMAGE_CLASS (1u << 12)          /* the class space's statics */
#define JVM_IMAGE_CLASS_BACKWARDS (1u << 13) /* _shared_metaspace_top under _base */

#define JVM_IMAGE_KLASS_BASE UINT64_C(0x7f3d40000000)
#define JVM_IMAGE_SHARED_TOP UINT64_C(0x7f3d40bc7000)

#define JVM_ENTRY 48
#define JVM_STATIC_VAR 0x400u /* Universe::_collectedHeap */
#define JVM_HEAP_OBJ 0x500u   /* the heap object; _reserved at +0x20 */
#define JVM_RESERVED 0x20u
#define JVM_CODE_VARS 0x580u   /* CodeCache::_low_bound, then _high_bound */
#define JVM_CLASS_VARS 0x5a0u  /* _narrow_klass._base, _shared_metaspace_base, _top */

struct jvm_image {
	unsigned char mem[JVM_IMAGE_SIZE];
	size_t len;
	size_t strings; /* where the next name goes */
	struct vms_jvm_symbols sym;
	unsigned reads;
};

static inline int jvm_image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct jvm_image *im = ctx;

	im->reads++;
	return image_copy(im->mem, im->len, addr, buf, n);
}

static inline void jvm_put64(struct jvm_image *im, size_t off, uint64_t v)
{
	memcpy(im->mem + off, &v, sizeof(v));
}

/* A name in the image; its address. */
static inline uint64_t jvm_name(struct jvm_image *im, const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t at = JVM_IMAGE_BASE + im->strings;

	memcpy(im->mem + im->strings, s, n);
	im->strings += n;
	return at;
}

static inline void jvm_entry(struct jvm_image *im, size_t *at, uint64_t type, uint64_t field,
			     int32_t is_static, uint64_t offset, uint64_t address)
{
	jvm_put64(im, *at, type);
	jvm_put64(im, *at + 8, field);
	jvm_put64(im, *at + 16, 0); /* typeString, not read */
	memcpy(im->mem + *at + 24, &is_static, sizeof(is_static));
	jvm_put64(im, *at + 32, offset);
	jvm_put64(im, *at + 40, address);
	*at += JVM_ENTRY;
}

/* The image with n decoys before the entries looked for, per flags. */
static inline void jvm_image_make(struct jvm_image *im, unsigned decoys, unsigned flags)
{
	uint64_t universe, heap_type, memregion, other, f_heap, f_reserved, f_start, f_words;
	uint64_t f_decoy, code, f_lo, f_hi, words = JVM_IMAGE_WORDS;
	uint64_t klass, f_kbase, mobj, f_sbase, f_stop;
	size_t table, at,
		entries = decoys + 6 + (flags & (JVM_IMAGE_CLASS | JVM_IMAGE_CLASS_BACKWARDS) ? 3 : 0) + 1;

	memset(im, 0, sizeof(*im));
	/* the variables */
	jvm_put64(im, 8, JVM_ENTRY);
	jvm_put64(im, 16, 0);
	jvm_put64(im, 24, 8);
	jvm_put64(im, 32, 24);
	jvm_put64(im, 40, 32);
	jvm_put64(im, 48, 40);
	im->sym = (struct vms_jvm_symbols){
		.structs = JVM_IMAGE_BASE, .stride = JVM_IMAGE_BASE + 8,
		.type_name = JVM_IMAGE_BASE + 16, .field_name = JVM_IMAGE_BASE + 24,
		.is_static = JVM_IMAGE_BASE + 32, .offset = JVM_IMAGE_BASE + 40,
		.address = JVM_IMAGE_BASE + 48,
	};
	/* the heap: the static pointer, the object and its MemRegion */
	if (flags & JVM_IMAGE_HUGE_WORDS)
		words = UINT64_MAX / 8;
	if (flags & JVM_IMAGE_ZERO_WORDS)
		words = 0;
	jvm_put64(im, JVM_STATIC_VAR, flags & JVM_IMAGE_NO_HEAP ? 0 : JVM_IMAGE_BASE + JVM_HEAP_OBJ);
	jvm_put64(im, JVM_HEAP_OBJ + JVM_RESERVED, JVM_IMAGE_HEAP);
	jvm_put64(im, JVM_HEAP_OBJ + JVM_RESERVED + 8, words);
	jvm_put64(im, JVM_CODE_VARS, flags & JVM_IMAGE_CODE_BACKWARDS ? JVM_IMAGE_CODE_END : JVM_IMAGE_CODE);
	jvm_put64(im, JVM_CODE_VARS + 8, flags & JVM_IMAGE_CODE_BACKWARDS ? JVM_IMAGE_CODE : JVM_IMAGE_CODE_END);
	/* with CDS: the archive at the base class pointers are encoded from */
	jvm_put64(im, JVM_CLASS_VARS, JVM_IMAGE_KLASS_BASE);
	jvm_put64(im, JVM_CLASS_VARS + 8,
		  flags & JVM_IMAGE_CLASS_BACKWARDS ? JVM_IMAGE_SHARED_TOP : JVM_IMAGE_KLASS_BASE);
	jvm_put64(im, JVM_CLASS_VARS + 16,
		  flags & JVM_IMAGE_CLASS_BACKWARDS ? JVM_IMAGE_KLASS_BASE : JVM_IMAGE_SHARED_TOP);

	/* the names, then the table; at the end, the table and then the last
	 * name, so that neither can be read past in one piece */
	im->strings = 0x600;
	heap_type = jvm_name(im, flags & JVM_IMAGE_LONGER_TYPE ? "CollectedHeapX" : "CollectedHeap");
	memregion = jvm_name(im, "MemRegion");
	other = jvm_name(im, "Klass");
	f_heap = jvm_name(im, "_collectedHeap");
	f_reserved = jvm_name(im, "_reserved");
	f_start = jvm_name(im, "_start");
	f_words = jvm_name(im, "_word_size");
	f_decoy = jvm_name(im, "_decoy");
	code = jvm_name(im, "CodeCache");
	f_lo = jvm_name(im, "_low_bound");
	f_hi = jvm_name(im, "_high_bound");
	klass = jvm_name(im, "CompressedKlassPointers");
	f_kbase = jvm_name(im, "_narrow_klass._base");
	mobj = jvm_name(im, "MetaspaceObj");
	f_sbase = jvm_name(im, "_shared_metaspace_base");
	f_stop = jvm_name(im, "_shared_metaspace_top");
	table = 0x1000;
	if (flags & JVM_IMAGE_AT_END)
		table = JVM_IMAGE_SIZE - entries * JVM_ENTRY - sizeof("Universe");
	im->strings = flags & JVM_IMAGE_AT_END ? table + entries * JVM_ENTRY : im->strings;
	universe = jvm_name(im, "Universe");
	jvm_put64(im, JVM_IMAGE_OFF_STRUCTS, JVM_IMAGE_BASE + table);

	at = table;
	for (unsigned i = 0; i < decoys; i++) {
		/* other fields of the same types, static or not, in runs of
		 * one type as HotSpot lists them; then another type's */
		uint64_t types[] = { universe, heap_type, memregion, other };

		jvm_entry(im, &at, i < 32 ? types[i / 8] : other, f_decoy, i % 2, 0x10,
			  JVM_IMAGE_BASE + 0x10);
	}
	if (!(flags & JVM_IMAGE_DROP(0)))
		jvm_entry(im, &at, universe, f_heap, flags & JVM_IMAGE_HEAP_NOT_STATIC ? 0 : 1, 0,
			  JVM_IMAGE_BASE + JVM_STATIC_VAR);
	if (!(flags & JVM_IMAGE_DROP(1)))
		jvm_entry(im, &at, heap_type, f_reserved, 0, JVM_RESERVED, 0);
	if (!(flags & JVM_IMAGE_DROP(2)))
		jvm_entry(im, &at, memregion, f_start, 0, 0, 0);
	if (!(flags & JVM_IMAGE_DROP(3)))
		jvm_entry(im, &at, memregion, f_words, 0, 8, 0);
	if (!(flags & JVM_IMAGE_NO_CODE)) {
		jvm_entry(im, &at, code, f_lo, 1, 0, JVM_IMAGE_BASE + JVM_CODE_VARS);
		jvm_entry(im, &at, code, f_hi, 1, 0, JVM_IMAGE_BASE + JVM_CODE_VARS + 8);
	}
	if (flags & (JVM_IMAGE_CLASS | JVM_IMAGE_CLASS_BACKWARDS)) {
		jvm_entry(im, &at, klass, f_kbase, 1, 0, JVM_IMAGE_BASE + JVM_CLASS_VARS);
		jvm_entry(im, &at, mobj, f_sbase, 1, 0, JVM_IMAGE_BASE + JVM_CLASS_VARS + 8);
		jvm_entry(im, &at, mobj, f_stop, 1, 0, JVM_IMAGE_BASE + JVM_CLASS_VARS + 16);
	}
	jvm_entry(im, &at, 0, 0, 0, 0, 0); /* the end */
	im->len = flags & JVM_IMAGE_AT_END ? JVM_IMAGE_SIZE : at + 0x1000;
}

#endif
