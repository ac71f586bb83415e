/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snapshot loader: the mapped objects, with their ELF segments and sections. */
#include "config.h"

#include "json/load-internal.h"

#include <inttypes.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"

static const char *const elf_type_names[] = { "NONE", "REL", "EXEC", "DYN", "CORE" };

static bool parse_elf_type(const char *s, uint16_t *ret)
{
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(elf_type_names); i++) {
		if (strcmp(s, elf_type_names[i]) == 0) {
			*ret = (uint16_t)i;
			return true;
		}
	}
	if (strlen(s) != 6 || !load_parse_hex(s, &v) || v > UINT16_MAX)
		return false;
	*ret = (uint16_t)v;
	return true;
}

/* "r-x": PF_R 4, PF_W 2, PF_X 1. */
static bool parse_seg_flags(const char *s, uint32_t *ret)
{
	static const char want[] = "rwx";
	static const uint32_t bit[] = { 4, 2, 1 };
	uint32_t flags = 0;

	if (strlen(s) != 3)
		return false;
	for (int i = 0; i < 3; i++) {
		if (s[i] == want[i])
			flags |= bit[i];
		else if (s[i] != '-')
			return false;
	}
	*ret = flags;
	return true;
}

static bool load_segments(struct load *ld, struct json_object *elf, struct vms_object *obj)
{
	struct json_object *a;
	size_t n;

	if (!load_array(ld, elf, "segments", &a, &n))
		return false;
	load_enter_key(ld, "segments");
	if (n > 4096) {
		load_fail(ld, "%zu segments, more than any loader takes", n);
		load_leave(ld);
		return false;
	}
	obj->segments = n ? arena_zalloc(ld->snap->arena, n * sizeof(*obj->segments)) : NULL;
	obj->n_segments = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct vms_segment *sg = &obj->segments[i];
		struct json_object *o;
		const char *flags;
		bool ok;

		load_enter_index(ld, i);
		o = load_array_object(ld, a, i);
		ok = o && load_get_uint(ld, o, "vaddr", UINT64_MAX - 1, &sg->vaddr, NULL) &&
		     load_get_uint(ld, o, "memsz", UINT64_MAX - 1, &sg->memsz, NULL) &&
		     load_get_uint(ld, o, "offset", UINT64_MAX - 1, &sg->offset, NULL) &&
		     load_get_uint(ld, o, "filesz", UINT64_MAX - 1, &sg->filesz, NULL) &&
		     load_get_string(ld, o, "flags", 3, false, &flags, NULL);
		if (ok && !parse_seg_flags(flags, &sg->flags)) {
			load_enter_key(ld, "flags");
			ok = load_fail(ld, "expected segment flags like \"r-x\"");
			load_leave(ld);
		}
		load_leave(ld);
		if (!ok)
			break;
	}
	load_leave(ld);
	return !ld->failed;
}

/* Section types and flags as the writer names them (SHT_* by index, SHF_* bit letters). */
static const char *const section_type_names[] = {
	"NULL", "PROGBITS", "SYMTAB", "STRTAB", "RELA", "HASH", "DYNAMIC", "NOTE",
	"NOBITS", "REL", "SHLIB", "DYNSYM", NULL, NULL, "INIT_ARRAY", "FINI_ARRAY",
	"PREINIT_ARRAY", "GROUP", "SYMTAB_SHNDX",
};
static const char section_flag_letters[] = "WAX?MSILOGTC";

static bool parse_section(const char *type, const char *flags, struct vms_section *sc)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(section_type_names); i++)
		if (section_type_names[i] && strcmp(type, section_type_names[i]) == 0)
			break;
	if (i < ARRAY_SIZE(section_type_names))
		sc->type = (uint32_t)i;
	else if (strlen(type) == 10 && load_parse_hex(type, &v))
		sc->type = (uint32_t)v;
	else
		return false;
	sc->flags = 0;
	for (; *flags; flags++) {
		const char *at = *flags != '?' ? strchr(section_flag_letters, *flags) : NULL;

		if (!at)
			return false;
		sc->flags |= UINT64_C(1) << (at - section_flag_letters);
	}
	return true;
}

static bool load_sections(struct load *ld, struct json_object *elf, struct vms_object *obj)
{
	struct json_object *a;
	size_t n;

	if (!load_array(ld, elf, "sections", &a, &n))
		return false;
	load_enter_key(ld, "sections");
	obj->sections = n ? arena_zalloc(ld->snap->arena, n * sizeof(*obj->sections)) : NULL;
	obj->n_sections = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct vms_section *sc = &obj->sections[i];
		const char *type, *flags;
		struct json_object *o;
		bool ok;

		load_enter_index(ld, i);
		o = load_array_object(ld, a, i);
		ok = o && load_get_arena_string(ld, o, "name", false, &sc->name) &&
		     load_get_uint(ld, o, "addr", UINT64_MAX - 1, &sc->addr, NULL) &&
		     load_get_uint(ld, o, "size", UINT64_MAX - 1, &sc->size, NULL) &&
		     load_get_uint(ld, o, "offset", UINT64_MAX - 1, &sc->offset, NULL) &&
		     load_get_string(ld, o, "type", 16, false, &type, NULL) &&
		     load_get_string(ld, o, "flags", 16, false, &flags, NULL);
		if (ok && !parse_section(type, flags, sc))
			ok = load_fail(ld, "unknown section type or flags");
		load_leave(ld);
		if (!ok)
			break;
	}
	load_leave(ld);
	return !ld->failed;
}

static bool load_elf(struct load *ld, struct json_object *o, struct vms_object *obj)
{
	struct json_object *elf, *relro;
	uint64_t cls;
	bool cls_null, ok;
	const char *type;

	if (!load_get_member(ld, o, "elf", json_type_object, "an object", true, &elf))
		return false;
	if (!elf)
		return true;
	load_enter_key(ld, "elf");
	obj->is_elf = true;
	ok = load_get_uint(ld, elf, "class", 64, &cls, &cls_null) &&
	     load_get_string(ld, elf, "type", 16, false, &type, NULL);
	if (ok && !cls_null && cls != 32 && cls != 64) {
		load_enter_key(ld, "class");
		ok = load_fail(ld, "expected 32, 64 or null");
		load_leave(ld);
	}
	if (ok && !parse_elf_type(type, &obj->elf_type)) {
		load_enter_key(ld, "type");
		ok = load_fail(ld, "unknown ELF type \"%s\"", type);
		load_leave(ld);
	}
	obj->elf_class = cls_null ? 0 : cls == 32 ? 1 : 2;
	ok = ok && load_segments(ld, elf, obj) &&
	     load_get_member(ld, elf, "relro", json_type_object, "an object", true, &relro);
	if (ok && relro) {
		load_enter_key(ld, "relro");
		ok = load_get_uint(ld, relro, "vaddr", UINT64_MAX - 1, &obj->relro_vaddr, NULL) &&
		     load_get_uint(ld, relro, "memsz", UINT64_MAX - 1, &obj->relro_memsz, NULL);
		load_leave(ld);
	}
	if (ok && load_has_member(elf, "sections"))
		ok = load_sections(ld, elf, obj);
	if (ok && load_has_member(elf, "sections_error"))
		ok = load_get_error(ld, elf, "sections_error", &obj->sections_error);
	load_leave(ld);
	return ok;
}

static bool load_object(struct load *ld, struct json_object *o, struct vms_object *obj)
{
	uint64_t n_regions;

	*obj = (struct vms_object){ 0 };
	if (!(load_get_arena_string(ld, o, "path", false, &obj->path) &&
	      load_get_dev(ld, o, &obj->dev_major, &obj->dev_minor) &&
	      load_get_uint(ld, o, "inode", UINT64_MAX - 1, &obj->inode, NULL) &&
	      load_get_bool(ld, o, "deleted", &obj->deleted) &&
	      load_get_bool(ld, o, "main", &obj->is_main) &&
	      load_get_uint(ld, o, "regions", UINT32_MAX, &n_regions, NULL) &&
	      load_get_uint(ld, o, "size", UINT64_MAX - 1, &obj->vsize, NULL) &&
	      load_elf(ld, o, obj) && load_get_error(ld, o, "elf_error", &obj->elf_error) &&
	      load_mem(ld, o, "mem", UINT64_MAX - 1, &obj->mem)))
		return false;
	obj->n_regions = (uint32_t)n_regions;
	if (load_has_member(o, "build_id") &&
	    !load_get_arena_string(ld, o, "build_id", true, &obj->build_id))
		return false;
	if (load_has_member(o, "load_bias")) {
		if (!load_get_addr(ld, o, "load_bias", true, &obj->load_bias))
			return false;
		obj->have_bias = !json_object_is_type(json_object_object_get(o, "load_bias"),
						      json_type_null);
	}
	return !load_has_member(o, "changed") || load_get_bool(ld, o, "changed", &obj->changed);
}

bool load_objects(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	load_enter_key(ld, "objects");
	ARRAY_GROW(snap->objects, n, snap->alloc_objects);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o;
		bool ok;

		load_enter_index(ld, i);
		o = load_lazy_element(ld, LAZY_OBJECTS, i);
		ok = o && load_object(ld, o, &snap->objects[i]);
		json_object_put(o);
		load_leave(ld);
		if (!ok)
			break;
		snap->n_objects = i + 1;
	}
	load_leave(ld);
	return !ld->failed;
}
