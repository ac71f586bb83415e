/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Java heap, the code cache and the class space of a HotSpot JVM:
 * their ranges read from the JVM's own table of its types (src/proc/jvm.c),
 * through the symbols libjvm.so exports, and the regions inside them made
 * java_heap, code_cache and class_space.
 *
 * The class space (the metadata of the classes, which compressed class
 * pointers address) is a reservation of CompressedClassSpaceSize bytes (1
 * GiB by default), committed as classes are loaded. Its size is the JVM's
 * flag of that name, a variable that libjvm.so's symbol table names where
 * the library keeps one (Debian's does; the exported symbols do not): no
 * class space without it. With a CDS archive mapped, the class space
 * follows the archive's reservation (the archive, then the PROT_NONE rest
 * of its reservation); without, it begins at the base class pointers are
 * encoded from, or, when that base is 0 (zero-based pointers, -Xshare:off),
 * right after the Java heap, where the JVM puts it so that the base 0
 * reaches it, or low when the heap is above what the base 0 reaches
 * (compressed object pointers off), the one run of anonymous regions of
 * its size there. Either way it is taken only where the regions agree: it
 * begins and ends at region boundaries, and all of it is anonymous; after
 * the heap, its first committed part may be one region with the heap's
 * last (the kernel merges two anonymous mappings alike), which stays the
 * heap's.
 *
 * A range marks the anonymous regions that lie mostly in it: a region the
 * kernel merged from two of the JVM's ranges goes to the one that holds the
 * most of it.
 */
#include "config.h"

#include "vmscope/model.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vmscope/collect.h"
#include "vmscope/elf.h"

/* More than any JVM's class space (the flag's limit is 3 GiB). */
#define CLASS_SPACE_MAX (UINT64_C(4) << 30)

/* ELFCLASS64: the walk reads 8-byte pointers and HeapWords */
#define JVM_ELFCLASS64 2

/* The object of HotSpot's library: libjvm.so, by its file name, 64-bit. */
static bool is_libjvm(const struct vms_object *o)
{
	const char *slash = o->path ? strrchr(o->path, '/') : NULL;

	return o->is_elf && o->elf_class == JVM_ELFCLASS64 && slash &&
	       strcmp(slash + 1, "libjvm.so") == 0;
}

int vms_model_jvm_ranges(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd,
			 struct vms_jvm_ranges *ret)
{
	/* the table's symbols, then the flag the class space's size is in */
	const char *names[8];
	uint64_t addr[8];
	struct vms_jvm_symbols sym;
	struct vms_mem_reader m;
	struct vms_procmem mem;
	size_t o;
	int r;

	for (o = 0; o < snap->n_objects && !is_libjvm(&snap->objects[o]); o++)
		;
	if (o == snap->n_objects)
		return -ENOENT;
	memcpy(names, vms_jvm_symbol_names, sizeof(vms_jvm_symbol_names));
	names[7] = "CompressedClassSpaceSize";
	r = vms_elf_symbol_addresses(cache, pid_dirfd, snap, o, names, 8, addr);
	if (r < 0)
		return r;
	for (unsigned k = 0; k < 7; k++)
		if (!addr[k])
			return -ENOENT;
	sym = (struct vms_jvm_symbols){
		.structs = addr[0], .stride = addr[1], .type_name = addr[2], .field_name = addr[3],
		.is_static = addr[4], .offset = addr[5], .address = addr[6],
	};
	snap->src[VMS_SRC_MEM].tried = true;
	r = vms_procmem_open(pid_dirfd, &mem);
	if (r < 0) {
		snap->src[VMS_SRC_MEM].error = r;
		return r;
	}
	m = (struct vms_mem_reader){ .read = vms_procmem_read, .ctx = &mem };
	r = vms_jvm_ranges(&m, &sym, ret);
	if (r == 0 && addr[7] && ret->class_known) {
		uint64_t size; /* (size_t, as HotSpot's flags of sizes are) */

		if (vms_procmem_read(&mem, addr[7], &size, sizeof(size)) == 0 && size > 0 &&
		    size <= CLASS_SPACE_MAX)
			ret->class_size = size;
	}
	vms_procmem_close(&mem);
	return r;
}

/* Whether more than half of r lies in [start, end). */
static bool mostly_in(const struct vms_region *r, uint64_t start, uint64_t end)
{
	uint64_t lo = r->start > start ? r->start : start;
	uint64_t hi = r->end < end ? r->end : end;

	return hi > lo && hi - lo > (r->end - r->start) / 2;
}

static void mark_anon(struct vms_snapshot *snap, uint64_t start, uint64_t end, enum vms_kind kind)
{
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *r = &snap->regions[i];

		/* the range's own memory: not a file the JVM maps into it (CDS
		 * maps its archived objects into the heap), nor what is only
		 * reserved (PROT_NONE is reserved, never anon) */
		if (mostly_in(r, start, end) && r->kind == VMS_KIND_ANON)
			r->kind = kind;
	}
}

/* The region that begins at addr, or NULL. */
static const struct vms_region *region_at(const struct vms_snapshot *snap, uint64_t addr)
{
	const struct vms_region *r = vms_snapshot_find(snap, addr);

	return r && r->start == addr ? r : NULL;
}

static bool anonymous(const struct vms_region *r)
{
	return r->kind == VMS_KIND_ANON || r->kind == VMS_KIND_RESERVED;
}

static bool anonymous_or_heap(const struct vms_region *r)
{
	return anonymous(r) || r->kind == VMS_KIND_JAVA_HEAP;
}

/*
 * The class space from start, [start, *ret_end), where the regions agree
 * with it (above); false otherwise.
 */
static bool class_space_at(const struct vms_snapshot *snap, const struct vms_jvm_ranges *r,
			   uint64_t start, uint64_t *ret_end)
{
	const struct vms_region *reg, *last = snap->regions + snap->n_regions;
	uint64_t end, at = start;

	if (!start || start > UINT64_MAX - r->class_size)
		return false;
	end = start + r->class_size;
	reg = vms_snapshot_find(snap, start);
	if (!reg)
		return false;
	if (reg->start != start) {
		/* one region with the heap's last: the heap's (mark_anon) */
		if (r->shared_end || r->klass_base || start != r->heap_end ||
		    reg->start < r->heap_start || !mostly_in(reg, r->heap_start, r->heap_end) ||
		    !anonymous_or_heap(reg) || reg->end >= end)
			return false;
		at = reg++->end;
	}
	for (; at < end; at = reg++->end)
		if (reg == last || reg->start != at || !anonymous(reg) || reg->end > end)
			return false;
	*ret_end = end;
	return true;
}

/* What a base of 0 reaches: 32 GiB of class space (a shift of 3). */
#define ZERO_BASED_END (UINT64_C(32) << 30)

static bool in_heap(const struct vms_region *reg, const struct vms_jvm_ranges *r)
{
	return reg->start < r->heap_end && reg->end > r->heap_start;
}

/*
 * Zero-based class pointers and a heap above what they reach (compressed
 * object pointers off: the JVM then puts the class space low): the one run
 * of anonymous regions below ZERO_BASED_END exactly the flag's size long;
 * false when there is none or more than one.
 */
static bool class_space_low(const struct vms_snapshot *snap, const struct vms_jvm_ranges *r,
			    uint64_t *ret_start, uint64_t *ret_end)
{
	const struct vms_region *regs = snap->regions;
	unsigned found = 0;
	size_t i = 0, j;

	while (i < snap->n_regions && regs[i].end <= ZERO_BASED_END) {
		if (!anonymous(&regs[i]) || in_heap(&regs[i], r)) {
			i++;
			continue;
		}
		for (j = i + 1; j < snap->n_regions && regs[j].start == regs[j - 1].end &&
				anonymous(&regs[j]) && !in_heap(&regs[j], r);
		     j++)
			;
		if (regs[j - 1].end <= ZERO_BASED_END &&
		    regs[j - 1].end - regs[i].start == r->class_size) {
			found++;
			*ret_start = regs[i].start;
			*ret_end = regs[j - 1].end;
		}
		i = j;
	}
	return found == 1;
}

/*
 * The class space, [*ret_start, *ret_end), where the regions agree with
 * what the JVM says of it (above); false otherwise.
 */
static bool class_space(const struct vms_snapshot *snap, const struct vms_jvm_ranges *r,
			uint64_t *ret_start, uint64_t *ret_end)
{
	const struct vms_region *reg;
	uint64_t start = r->klass_base;

	if (!r->class_known || !r->class_size)
		return false;
	if (r->shared_end) {
		/* the archive's reservation ends with a PROT_NONE rest unless
		 * the archive fills it */
		reg = region_at(snap, r->shared_end);
		if (!reg)
			return false;
		start = reg->kind == VMS_KIND_RESERVED ? reg->end : r->shared_end;
	} else if (!start) {
		/* zero-based: right after a heap the base 0 reaches too
		 * (compressed object pointers), else low */
		if (r->heap_end && r->heap_end <= ZERO_BASED_END) {
			*ret_start = r->heap_end;
			return class_space_at(snap, r, r->heap_end, ret_end);
		}
		return class_space_low(snap, r, ret_start, ret_end);
	}
	*ret_start = start;
	return class_space_at(snap, r, start, ret_end);
}

void vms_model_jvm_mark(struct vms_snapshot *snap, const struct vms_jvm_ranges *r)
{
	uint64_t start, end;

	mark_anon(snap, r->heap_start, r->heap_end, VMS_KIND_JAVA_HEAP);
	mark_anon(snap, r->code_start, r->code_end, VMS_KIND_CODE_CACHE);
	if (class_space(snap, r, &start, &end))
		mark_anon(snap, start, end, VMS_KIND_CLASS_SPACE);
}

void vms_model_jvm(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd)
{
	struct vms_jvm_ranges r;

	if (vms_model_jvm_ranges(snap, cache, pid_dirfd, &r) == 0)
		vms_model_jvm_mark(snap, &r);
}
