/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Java heap and the code cache of a HotSpot JVM: their ranges read
 * from the JVM's own table of its types (src/proc/jvm.c), through the
 * symbols libjvm.so exports, and the regions inside them made java_heap
 * and code_cache.
 */
#include "config.h"

#include "vmscope/model.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vmscope/collect.h"
#include "vmscope/elf.h"

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
	uint64_t addr[7];
	struct vms_jvm_symbols sym;
	struct vms_mem_reader m;
	struct vms_procmem mem;
	size_t o;
	int r;

	for (o = 0; o < snap->n_objects && !is_libjvm(&snap->objects[o]); o++)
		;
	if (o == snap->n_objects)
		return -ENOENT;
	r = vms_elf_symbol_addresses(cache, pid_dirfd, snap, o, vms_jvm_symbol_names, 7, addr);
	if (r < 0)
		return r;
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
	vms_procmem_close(&mem);
	return r;
}

static void mark_anon(struct vms_snapshot *snap, uint64_t start, uint64_t end, enum vms_kind kind)
{
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct vms_region *r = &snap->regions[i];

		/* the range's own memory: not a file the JVM maps into it (CDS
		 * maps its archived objects into the heap), nor what is only
		 * reserved (PROT_NONE is reserved, never anon) */
		if (r->start >= start && r->end <= end && r->kind == VMS_KIND_ANON)
			r->kind = kind;
	}
}

void vms_model_jvm_mark(struct vms_snapshot *snap, const struct vms_jvm_ranges *r)
{
	mark_anon(snap, r->heap_start, r->heap_end, VMS_KIND_JAVA_HEAP);
	mark_anon(snap, r->code_start, r->code_end, VMS_KIND_CODE_CACHE);
}

void vms_model_jvm(struct vms_snapshot *snap, struct vms_elf_cache *cache, int pid_dirfd)
{
	struct vms_jvm_ranges r;

	if (vms_model_jvm_ranges(snap, cache, pid_dirfd, &r) == 0)
		vms_model_jvm_mark(snap, &r);
}
