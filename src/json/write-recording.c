/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A recording's lines (write.h), each one JSON document on one line. */
#include "config.h"

#include "json/write.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>


static int finish(struct jsonw *w)
{
	return jsonw_finish(w);
}

static void put_names_status(struct jsonw *w)
{
	jsonw_begin_array(w);
	for (int f = 0; f < VMS_ST__MAX; f++)
		jsonw_string(w, vms_status_fields[f].name);
	jsonw_end_array(w);
}

static void put_names_mem(struct jsonw *w)
{
	jsonw_begin_array(w);
	for (int m = 0; m < VMS_MEM__MAX; m++)
		jsonw_string(w, vms_mem_fields[m].name);
	jsonw_end_array(w);
}

int vms_recording_write_header(FILE *out, const struct vms_snapshot *first, int64_t interval_ns,
			       uint32_t cpu_permille)
{
	const struct vms_host *h = &first->host;
	const struct vms_process *p = &first->proc;
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_inline_object(&w);
	jsonw_key(&w, "format");
	jsonw_string(&w, VMS_RECORDING_FORMAT);
	jsonw_key(&w, "version");
	jsonw_uint(&w, VMS_RECORDING_VERSION);
	jsonw_key(&w, "snapshot_schema");
	jsonw_uint(&w, VMS_SCHEMA_VERSION);
	jsonw_key(&w, "wall_ns");
	jsonw_int(&w, first->wall_ns);
	jsonw_key(&w, "mono_ns");
	jsonw_int(&w, first->mono_ns);
	jsonw_key(&w, "interval_ns");
	jsonw_int(&w, interval_ns);
	jsonw_key(&w, "cpu_permille");
	jsonw_uint(&w, cpu_permille);
	jsonw_key(&w, "host");
	jsonw_begin_object(&w);
	jsonw_key(&w, "kernel");
	jsonw_string_n(&w, h->kernel, strnlen(h->kernel, sizeof(h->kernel)));
	jsonw_key(&w, "machine");
	jsonw_string_n(&w, h->machine, strnlen(h->machine, sizeof(h->machine)));
	jsonw_key(&w, "hostname");
	jsonw_string_n(&w, h->hostname, strnlen(h->hostname, sizeof(h->hostname)));
	jsonw_key(&w, "page_size");
	jsonw_uint(&w, h->page_size);
	jsonw_end_object(&w);
	jsonw_key(&w, "process");
	jsonw_begin_object(&w);
	jsonw_key(&w, "pid");
	jsonw_int(&w, p->pid);
	jsonw_key(&w, "ppid");
	jsonw_int(&w, p->ppid);
	jsonw_key(&w, "uid");
	jsonw_uint(&w, p->uid);
	jsonw_key(&w, "user");
	jsonw_string(&w, p->user);
	jsonw_key(&w, "comm");
	jsonw_string(&w, p->comm);
	jsonw_key(&w, "cmdline");
	jsonw_string(&w, p->cmdline);
	jsonw_key(&w, "exe");
	jsonw_string(&w, p->exe);
	jsonw_key(&w, "start_time");
	jsonw_uint(&w, p->start_time);
	jsonw_end_object(&w);
	/* the names of the arrays of the samples, in their order */
	jsonw_key(&w, "status_fields");
	put_names_status(&w);
	jsonw_key(&w, "rollup_fields");
	put_names_mem(&w);
	jsonw_key(&w, "region_values");
	jsonw_begin_array(&w);
	for (int v = 0; v < VMS_RV__MAX; v++)
		jsonw_string(&w, vms_mem_fields[vms_rec_value_mem[v]].name);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	return finish(&w);
}

static void put_addr(struct jsonw *w, uint64_t a)
{
	jsonw_hex(w, a);
}

static void put_region(struct jsonw *w, const struct vms_region *r, uint32_t id, bool full)
{
	char perms[5];

	vms_perms_format(r->perms, perms);
	jsonw_begin_array(w);
	jsonw_uint(w, id);
	put_addr(w, r->start);
	put_addr(w, r->end);
	for (int v = 0; v < VMS_RV__MAX; v++) {
		enum vms_mem m = vms_rec_value_mem[v];

		if (vms_counters_has(&r->mem, m))
			jsonw_uint(w, r->mem.v[m]);
		else
			jsonw_null(w);
	}
	if (full) {
		jsonw_string(w, perms);
		put_addr(w, r->offset);
		jsonw_dev(w, r->dev_major, r->dev_minor);
		jsonw_uint(w, r->inode);
		jsonw_string(w, vms_kind_to_string(r->kind));
		jsonw_int(w, r->tid);
		jsonw_bool(w, r->deleted);
		jsonw_string(w, r->name ? r->name : "");
	}
	jsonw_end_array(w);
}

int vms_recording_write_sample(FILE *out, const struct vms_snapshot *snap, int64_t t_ns,
			       const struct vms_rec_delta *d)
{
	const struct vms_totals *t = &snap->totals;
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_inline_object(&w);
	jsonw_key(&w, "t_ns");
	jsonw_int(&w, t_ns);
	jsonw_key(&w, "status");
	if (t->status_have) {
		jsonw_begin_array(&w);
		for (int f = 0; f < VMS_ST__MAX; f++) {
			if (t->status_have & (UINT32_C(1) << f))
				jsonw_uint(&w, t->status[f]);
			else
				jsonw_null(&w);
		}
		jsonw_end_array(&w);
	} else {
		jsonw_null(&w);
	}
	jsonw_key(&w, "rollup");
	if (vms_snapshot_have(snap, VMS_SRC_SMAPS_ROLLUP)) {
		jsonw_begin_array(&w);
		for (int m = 0; m < VMS_MEM__MAX; m++) {
			if (vms_counters_has(&t->rollup, m))
				jsonw_uint(&w, t->rollup.v[m]);
			else
				jsonw_null(&w);
		}
		jsonw_end_array(&w);
	} else {
		jsonw_null(&w);
	}
	jsonw_key(&w, "faults");
	if (t->have_faults) {
		jsonw_begin_array(&w);
		jsonw_uint(&w, t->minflt);
		jsonw_uint(&w, t->majflt);
		jsonw_uint(&w, t->cminflt);
		jsonw_uint(&w, t->cmajflt);
		jsonw_end_array(&w);
	} else {
		jsonw_null(&w);
	}
	if (d) {
		jsonw_key(&w, "regions");
		jsonw_begin_array(&w);
		for (size_t i = 0; i < d->n; i++)
			put_region(&w, &snap->regions[d->changes[i].region], d->changes[i].id,
				   d->changes[i].full);
		jsonw_end_array(&w);
		jsonw_key(&w, "gone");
		jsonw_begin_array(&w);
		for (size_t i = 0; i < d->n_gone; i++)
			jsonw_uint(&w, d->gone[i]);
		jsonw_end_array(&w);
	}
	jsonw_end_object(&w);
	return finish(&w);
}

int vms_recording_write_end(FILE *out, enum vms_rec_end end, int64_t t_ns, size_t samples)
{
	struct jsonw w;

	jsonw_init(&w, out);
	jsonw_begin_inline_object(&w);
	jsonw_key(&w, "end");
	jsonw_string(&w, vms_rec_end_to_string(end));
	jsonw_key(&w, "t_ns");
	jsonw_int(&w, t_ns);
	jsonw_key(&w, "samples");
	jsonw_uint(&w, samples);
	jsonw_end_object(&w);
	return finish(&w);
}
