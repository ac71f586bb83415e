/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sections in the text report: the names a layout row is labelled with, and
 * the --sections listing of each object's regions and the sections in them.
 *
 * Without page-level data a section's resident bytes are not known: the
 * listing gives each region's RSS and PSS on the region's line and each
 * section's size under it, and says so, rather than share a region's RSS
 * out among its sections by size.
 */
#include "config.h"

#include "report/tables.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "report/format.h"

/* A second name is worth a label when it holds an eighth of the first's bytes. */
#define SECOND_SHARE 8
/* SHT_NOBITS: a section with no bytes in the file (.bss) */
#define SHT_NOBITS_ 8

/* Whether r's section range is one the object has (a snapshot file may lie). */
static bool sections_valid(const struct vms_object *o, const struct vms_region *r)
{
	return o && o->sections && r->n_sections > 0 && r->first_section < o->n_sections &&
	       r->n_sections <= o->n_sections - r->first_section;
}

/* Bytes of section s inside region r. */
static uint64_t bytes_in(const struct vms_object *o, const struct vms_section *s,
			 const struct vms_region *r)
{
	uint64_t lo = s->addr + o->load_bias, hi = lo + s->size;

	if (lo < r->start)
		lo = r->start;
	if (hi > r->end)
		hi = r->end;
	return hi > lo ? hi - lo : 0;
}

/* Bytes of section s inside the file range r maps (none for SHT_NOBITS). */
static uint64_t file_bytes_in(const struct vms_object *o, const struct vms_section *s,
			      const struct vms_region *r)
{
	uint64_t lo = s->offset, hi = s->offset + s->size;
	uint64_t rlo = r->offset, rhi = r->offset + vms_region_size(r);

	(void)o;
	if (s->type == SHT_NOBITS_ || hi < lo || rhi < rlo)
		return 0;
	if (lo < rlo)
		lo = rlo;
	if (hi > rhi)
		hi = rhi;
	return hi > lo ? hi - lo : 0;
}

/* The one or two sections of o[first, end) that hold most of r, by bytes_of. */
static bool put_best(struct strbuf *sb, const struct vms_object *o, uint32_t first, uint32_t end,
		     const struct vms_region *r,
		     uint64_t (*bytes_of)(const struct vms_object *, const struct vms_section *,
					  const struct vms_region *))
{
	uint32_t best = UINT32_MAX, second = UINT32_MAX;
	uint64_t best_n = 0, second_n = 0;

	for (uint32_t i = first; i < end; i++) {
		uint64_t n = bytes_of(o, &o->sections[i], r);

		if (n > best_n) {
			second = best;
			second_n = best_n;
			best = i;
			best_n = n;
		} else if (n > second_n) {
			second = i;
			second_n = n;
		}
	}
	if (best == UINT32_MAX)
		return false;
	if (second != UINT32_MAX && second_n >= best_n / SECOND_SHARE) {
		uint32_t a = second < best ? second : best, b = second < best ? best : second;

		strbuf_addf(sb, "%s %s", o->sections[a].name, o->sections[b].name);
	} else {
		strbuf_addstr(sb, o->sections[best].name);
	}
	return true;
}

unsigned report_put_last_col(struct canvas *cv, const struct vms_report_options *opt, unsigned x,
			     size_t y, const char *s, size_t n, unsigned width,
			     enum canvas_class cls)
{
	if (opt->full_lines)
		return canvas_put_uncut(cv, x, y, s, n, cls);
	return canvas_put_text(cv, x, y, s, n, x < width ? width - x : 0, CANVAS_TRUNC_LEFT, cls);
}

bool report_section_label(struct strbuf *sb, const struct vms_snapshot *snap,
			  const struct vms_region *r)
{
	const struct vms_object *o = vms_region_object(snap, r);

	if (!sections_valid(o, r))
		return false;
	return put_best(sb, o, r->first_section, r->first_section + r->n_sections, r, bytes_in);
}

bool report_remapped_label(struct strbuf *sb, const struct vms_snapshot *snap,
			   const struct vms_region *r)
{
	const struct vms_object *o = vms_region_object(snap, r);

	if (r->kind != VMS_KIND_FILE || !o || !o->sections || o->changed ||
	    (r->perms & (VMS_PERM_EXEC | VMS_PERM_SHARED)) != VMS_PERM_EXEC)
		return false;
	if (!put_best(sb, o, 0, o->n_sections, r, file_bytes_in))
		return false;
	strbuf_addstr(sb, " (remapped)");
	return true;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* Why an object's sections are not listed, or NULL when they are. */
static const char *no_sections_reason(const struct vms_object *o)
{
	if (o->elf_error == -EREMOTE)
		return "on a FUSE filesystem (or one unmounted since): not opened, as its server "
		       "could make vmscope wait for ever";
	if (!o->is_elf)
		return o->elf_error ? "could not be read" : "not an ELF file: a plain file mapping";
	if (o->elf_error)
		return "could not be read";
	if (o->changed)
		return "modified after the process started: its sections may not be what is "
		       "mapped, not shown";
	if (o->sections_error == -ENODATA)
		return "no section headers (stripped): segments only";
	if (o->sections_error == -EFBIG)
		return "section headers larger than vmscope reads: segments only";
	if (o->sections_error)
		return "section headers corrupt: segments only";
	if (!o->have_bias)
		return "not mapped as the loader maps it: sections not placed";
	return NULL;
}

struct scols {
	unsigned aw, sw, x_size, x_rss, x_pss, x_what;
};

static void object_heading(const struct report_sink *out, const struct vms_object *o)
{
	struct strbuf sb;
	size_t y;
	unsigned x;

	strbuf_init(&sb);
	strbuf_addstr(&sb, base_name(o->path ? o->path : ""));
	if (o->deleted)
		strbuf_addstr(&sb, " (deleted)");
	y = canvas_add_row(out->cv);
	x = canvas_put_text(out->cv, 0, y, sb.buf, sb.len, out->width, 0, CANVAS_BOLD);
	if (o->build_id && x + 12 < out->width) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "build-id %s", o->build_id);
		canvas_put_text(out->cv, x + 2, y, sb.buf, sb.len, out->width - x - 2, 0,
				CANVAS_DIM);
	}
	strbuf_release(&sb);
}

static void region_line(const struct report_sink *out, const struct scols *c,
			const struct vms_region *r)
{
	const struct vms_counters *m = &r->mem;
	size_t y = canvas_add_row(out->cv);
	char buf[32], what[64];

	snprintf(buf, sizeof(buf), "%" PRIx64, r->start);
	canvas_put_str(out->cv, 1, y, buf, c->aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	canvas_put_str(out->cv, c->x_size, y, report_size(buf, out->opt, true, r->end - r->start),
		       c->sw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	canvas_put_str(out->cv, c->x_rss, y,
		       report_size(buf, out->opt, vms_counters_has(m, VMS_MEM_RSS),
				   m->v[VMS_MEM_RSS]),
		       c->sw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	canvas_put_str(out->cv, c->x_pss, y,
		       report_size(buf, out->opt, vms_counters_has(m, VMS_MEM_PSS),
				   m->v[VMS_MEM_PSS]),
		       c->sw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	snprintf(what, sizeof(what), "%c%c%c%c %s", r->perms & VMS_PERM_READ ? 'r' : '-',
		 r->perms & VMS_PERM_WRITE ? 'w' : '-', r->perms & VMS_PERM_EXEC ? 'x' : '-',
		 r->perms & VMS_PERM_SHARED ? 's' : 'p', vms_kind_to_string(r->kind));
	if (c->x_what < out->width)
		canvas_put_str(out->cv, c->x_what, y, what, out->width - c->x_what, 0, CANVAS_DIM);
}

/* A section's line; one that began in the region above is only named again. */
static void section_line(const struct report_sink *out, const struct scols *c,
			 const struct vms_object *o, const struct vms_section *s, bool continued)
{
	size_t y = canvas_add_row(out->cv);
	char buf[32];
	unsigned used;

	if (!continued) {
		snprintf(buf, sizeof(buf), "%" PRIx64, s->addr + o->load_bias);
		canvas_put_str(out->cv, 1, y, buf, c->aw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
		canvas_put_str(out->cv, c->x_size, y, report_size(buf, out->opt, true, s->size),
			       c->sw, CANVAS_ALIGN_RIGHT, CANVAS_PLAIN);
	}
	if (c->x_what + 2 >= out->width)
		return;
	used = canvas_put_text(out->cv, c->x_what + 2, y, s->name, strlen(s->name),
			       out->width - c->x_what - 2, 0,
			       (s->flags & 4) ? CANVAS_CODE : CANVAS_DATA); /* SHF_EXECINSTR */
	if (continued && c->x_what + 2 + used + 1 < out->width)
		canvas_put_str(out->cv, c->x_what + 2 + used + 1, y, "(continued)",
			       out->width - c->x_what - 3 - used, 0, CANVAS_DIM);
}

/* One object: each region that holds sections, then those sections. */
static void object_sections(const struct report_sink *out, const struct vms_snapshot *snap,
			    size_t oi, const struct scols *c)
{
	const struct vms_object *o = &snap->objects[oi];
	const char *why = no_sections_reason(o);
	/* a section straddling two regions (.bss) is listed whole under the first */
	uint32_t next = 0;

	canvas_add_row(out->cv);
	object_heading(out, o);
	if (why) {
		size_t y = canvas_add_row(out->cv);

		canvas_put_str(out->cv, 1, y, why, out->width - 1, 0, CANVAS_DIM);
		return;
	}
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];

		if (r->object != (int32_t)oi || !sections_valid(o, r))
			continue;
		region_line(out, c, r);
		for (uint32_t k = r->first_section; k < r->first_section + r->n_sections; k++) {
			section_line(out, c, o, &o->sections[k], k < next);
			if (k >= next)
				next = k + 1;
		}
		out->maybe_flush(out->ctx);
	}
}

void report_sections(const struct report_sink *out, const struct vms_snapshot *snap,
		     const size_t *idx, size_t n)
{
	struct scols c = { .aw = 7, .sw = 5 };
	char buf[32];
	size_t y;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct vms_region *r = &snap->regions[i];
		unsigned w = (unsigned)strlen(report_size(buf, out->opt, true, r->end - r->start));
		unsigned aw = (unsigned)snprintf(buf, sizeof(buf), "%" PRIx64, r->start);

		if (r->n_sections == 0)
			continue;
		if (aw > c.aw)
			c.aw = aw;
		if (w > c.sw)
			c.sw = w;
	}
	c.x_size = 1 + c.aw + 2;
	c.x_rss = c.x_size + c.sw + 2;
	c.x_pss = c.x_rss + c.sw + 2;
	c.x_what = c.x_pss + c.sw + 2;

	canvas_add_row(out->cv);
	y = canvas_add_row(out->cv);
	canvas_put_str(out->cv, 0, y, "sections", out->width, 0, CANVAS_BOLD);
	y = canvas_add_row(out->cv);
	canvas_put_str(out->cv, 0, y,
		       "RSS and PSS are the region's: a section's own resident bytes need page data",
		       out->width, 0, CANVAS_DIM);
	y = canvas_add_row(out->cv);
	canvas_put_str(out->cv, 1, y, "address", c.aw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(out->cv, c.x_size, y, "size", c.sw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(out->cv, c.x_rss, y, "RSS", c.sw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	canvas_put_str(out->cv, c.x_pss, y, "PSS", c.sw, CANVAS_ALIGN_RIGHT, CANVAS_BOLD);
	if (c.x_what < out->width)
		canvas_put_str(out->cv, c.x_what, y, "region / section", out->width - c.x_what, 0,
			       CANVAS_BOLD);
	for (size_t i = 0; i < n; i++)
		if (idx[i] < snap->n_objects)
			object_sections(out, snap, idx[i], &c);
}
