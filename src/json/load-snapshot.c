/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON snapshot reader: the inverse of vms_json_write_snapshot. json-c
 * parses the text (load-outline.c); this file walks schema 1 over it,
 * checking every value (load-values.c), and rebuilds the model.
 */
#include "config.h"

#include "vmscope/load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmscope/model.h"
#include "base/arena.h"
#include "base/xalloc.h"
#include "json/load-internal.h"
#include "json/parse.h"

/* Sections */

static bool load_time_host(struct load *ld, struct json_object *root)
{
	struct vms_snapshot *snap = ld->snap;
	struct vms_host *h = &snap->host;
	struct json_object *t, *o;
	uint64_t ps = 0;
	bool ok;

	if (!load_get_member(ld, root, "time", json_type_object, "an object", false, &t))
		return false;
	load_enter_key(ld, "time");
	ok = load_get_int64(ld, t, "wall_ns", &snap->wall_ns) &&
	     load_get_int64(ld, t, "mono_ns", &snap->mono_ns);
	load_leave(ld);
	if (!ok || !load_get_member(ld, root, "host", json_type_object, "an object", false, &o))
		return false;
	load_enter_key(ld, "host");
	ok = load_get_fixed_string(ld, o, "kernel", false, h->kernel, sizeof(h->kernel)) &&
	     load_get_fixed_string(ld, o, "machine", false, h->machine, sizeof(h->machine)) &&
	     load_get_fixed_string(ld, o, "hostname", false, h->hostname, sizeof(h->hostname)) &&
	     load_get_uint(ld, o, "page_size", UINT32_MAX, &ps, NULL) &&
	     load_get_fixed_string(ld, o, "thp_enabled", true, h->thp_enabled,
				   sizeof(h->thp_enabled));
	h->page_size = (uint32_t)ps;
	load_leave(ld);
	return ok;
}

static bool load_process(struct load *ld, struct json_object *root)
{
	struct vms_process *p = &ld->snap->proc;
	struct json_object *o;
	uint64_t pid, ppid, uid, threads;
	const char *state;
	size_t state_len;
	bool ok;

	if (!load_get_member(ld, root, "process", json_type_object, "an object", false, &o))
		return false;
	load_enter_key(ld, "process");
	ok = load_get_uint(ld, o, "pid", INT32_MAX, &pid, NULL) &&
	     load_get_uint(ld, o, "ppid", INT32_MAX, &ppid, NULL) &&
	     load_get_uint(ld, o, "uid", UINT32_MAX, &uid, NULL) &&
	     load_get_arena_string(ld, o, "user", true, &p->user) &&
	     load_get_arena_string(ld, o, "comm", true, &p->comm) &&
	     load_get_arena_string(ld, o, "cmdline", true, &p->cmdline) &&
	     load_get_arena_string(ld, o, "exe", true, &p->exe) &&
	     load_get_string(ld, o, "state", 1, true, &state, &state_len) &&
	     load_get_bool(ld, o, "kernel_thread", &p->kernel_thread) &&
	     load_get_uint(ld, o, "threads", UINT32_MAX, &threads, NULL) &&
	     load_get_uint(ld, o, "start_time", UINT64_MAX - 1, &p->start_time, NULL);
	if (ok) {
		p->pid = (pid_t)pid;
		p->ppid = (pid_t)ppid;
		p->uid = (uid_t)uid;
		p->state = state && state_len ? state[0] : '\0';
		p->threads = (uint32_t)threads;
	}
	load_leave(ld);
	return ok;
}

static bool load_sources(struct load *ld, struct json_object *root)
{
	struct json_object *o;
	bool ok = true;

	if (!load_get_member(ld, root, "sources", json_type_object, "an object", false, &o))
		return false;
	load_enter_key(ld, "sources");
	for (int s = 0; s < VMS_SRC__MAX && ok; s++) {
		struct vms_source_status *st = &ld->snap->src[s];
		const char *name = vms_source_to_string(s);
		struct json_object *so;
		bool read = false;
		int error = 0;

		/* a source this file's vmscope did not know was not tried */
		if (!json_object_object_get_ex(o, name, &so))
			continue;
		ok = load_get_member(ld, o, name, json_type_object, "an object", false, &so);
		if (!ok)
			break;
		load_enter_key(ld, name);
		ok = load_get_bool(ld, so, "read", &read) &&
		     load_get_error(ld, so, "error", &error);
		if (ok && read && error)
			ok = load_fail(ld, "a source both read and failed");
		load_leave(ld);
		st->tried = read || error;
		st->error = error;
	}
	load_leave(ld);
	return ok;
}

static bool load_totals(struct load *ld, struct json_object *root)
{
	struct vms_totals *t = &ld->snap->totals;
	struct json_object *o, *st, *rollup, *faults;
	bool ok;

	if (!load_get_member(ld, root, "totals", json_type_object, "an object", false, &o))
		return false;
	load_enter_key(ld, "totals");
	ok = load_get_member(ld, o, "status", json_type_object, "an object", false, &st);
	if (ok) {
		load_enter_key(ld, "status");
		for (int f = 0; f < VMS_ST__MAX && ok; f++) {
			struct json_object *v;

			if (!json_object_object_get_ex(st, vms_status_fields[f].name, &v))
				continue;
			load_enter_key(ld, vms_status_fields[f].name);
			ok = load_uint_value(ld, v, UINT64_MAX - 1, &t->status[f]);
			load_leave(ld);
			t->status_have |= UINT32_C(1) << f;
		}
		load_leave(ld);
	}
	ok = ok && load_get_member(ld, o, "rollup", json_type_object, "an object", true, &rollup);
	if (ok && rollup) {
		ok = load_mem(ld, o, "rollup", UINT64_MAX - 1, &t->rollup);
		if (ok && !vms_snapshot_have(ld->snap, VMS_SRC_SMAPS_ROLLUP)) {
			load_enter_key(ld, "rollup");
			ok = load_fail(ld,
				       "totals from smaps_rollup, which sources say was not read");
			load_leave(ld);
		}
	}
	ok = ok && load_get_member(ld, o, "faults", json_type_object, "an object", true, &faults);
	if (ok && faults) {
		load_enter_key(ld, "faults");
		ok = load_get_uint(ld, faults, "minflt", UINT64_MAX - 1, &t->minflt, NULL) &&
		     load_get_uint(ld, faults, "majflt", UINT64_MAX - 1, &t->majflt, NULL) &&
		     load_get_uint(ld, faults, "cminflt", UINT64_MAX - 1, &t->cminflt, NULL) &&
		     load_get_uint(ld, faults, "cmajflt", UINT64_MAX - 1, &t->cmajflt, NULL);
		t->have_faults = true;
		load_leave(ld);
	}
	load_leave(ld);
	return ok;
}

static bool parse_perms(const char *s, uint8_t *ret)
{
	static const char want[] = "rwx";
	uint8_t perms = 0;

	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 3; i++) {
		if (s[i] == want[i])
			perms |= (uint8_t)(1u << i);
		else if (s[i] != '-')
			return false;
	}
	if (s[3] == 's')
		perms |= VMS_PERM_SHARED;
	else if (s[3] != 'p')
		return false;
	*ret = perms;
	return true;
}

static bool load_vmflags(struct load *ld, struct json_object *o, uint64_t *ret)
{
	struct json_object *a;
	size_t n;
	uint64_t flags = 0;

	if (!load_get_member(ld, o, "vmflags", json_type_array, "an array", false, &a))
		return false;
	load_enter_key(ld, "vmflags");
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		unsigned b;

		load_enter_index(ld, i);
		if (!load_want_type(ld, v, json_type_string, "a string")) {
			load_leave(ld);
			break;
		}
		for (b = 0; b < 64 && vms_vmflag_names[b]; b++)
			if (strcmp(vms_vmflag_names[b], json_object_get_string(v)) == 0)
				break;
		if (b == 64 || !vms_vmflag_names[b]) {
			load_fail(ld, "unknown VmFlags code");
			load_leave(ld);
			break;
		}
		flags |= UINT64_C(1) << b;
		load_leave(ld);
	}
	load_leave(ld);
	*ret = flags;
	return !ld->failed;
}

/* {"first", "count"} into the sections of the region's object, or null. */
static bool load_region_sections(struct load *ld, struct json_object *o, struct vms_region *r)
{
	const struct vms_object *obj;
	struct json_object *sec;
	uint64_t first = 0, count = 0;
	bool ok;

	if (!load_get_member(ld, o, "sections", json_type_object, "an object", true, &sec))
		return false;
	if (!sec)
		return true;
	load_enter_key(ld, "sections");
	ok = load_get_uint(ld, sec, "first", UINT32_MAX, &first, NULL) &&
	     load_get_uint(ld, sec, "count", UINT32_MAX, &count, NULL);
	obj = r->object >= 0 ? &ld->snap->objects[r->object] : NULL;
	if (ok && (!obj || first > obj->n_sections || count > obj->n_sections - first))
		ok = load_fail(ld, "sections past those of the region's object");
	load_leave(ld);
	r->first_section = (uint32_t)first;
	r->n_sections = (uint32_t)count;
	return ok;
}

/* A residency strip: two lowercase hex digits a stretch, into hist. */
static bool load_strip(struct load *ld, struct json_object *pg, const char *key, uint8_t *hist,
		       size_t *ret_n)
{
	const char *strip;
	size_t n = 0;

	*ret_n = 0;
	if (!load_get_string(ld, pg, key, 2 * VMS_PAGE_HIST, false, &strip, &n))
		return false;
	for (size_t b = 0; b < n; b++) {
		const char *hex = "0123456789abcdef", *at = strchr(hex, strip[b]);

		if (!at || !strip[b] || n % 2) {
			bool ok;

			load_enter_key(ld, key);
			ok = load_fail(ld, "expected two lowercase hex digits per stretch");
			load_leave(ld);
			return ok;
		}
		hist[b / 2] = (uint8_t)(hist[b / 2] << 4 | (at - hex));
	}
	*ret_n = n / 2;
	return true;
}

/* "pages": the page counters of a region (pagemap), or null. */
static bool load_region_pages(struct load *ld, struct json_object *o, struct vms_region *r)
{
	struct vms_region_pages *p;
	struct json_object *pg;
	size_t n = 0, nz = 0;
	bool ok = true;

	if (!load_get_member(ld, o, "pages", json_type_object, "an object", true, &pg))
		return false;
	if (!pg)
		return true;
	p = arena_zalloc(ld->snap->arena, sizeof(*p));
	load_enter_key(ld, "pages");
	for (int c = 0; c < VMS_PG__MAX && ok; c++) {
		bool is_null = false;

		/* large_folio came later in schema 1: absent is unknown */
		if (c == VMS_PG_LARGE_FOLIO && !load_has_member(pg, vms_page_count_names[c]))
			continue;
		ok = load_get_uint(ld, pg, vms_page_count_names[c], UINT64_MAX - 1, &p->v[c],
				   &is_null);
		if (ok && !is_null)
			p->have |= UINT32_C(1) << c;
	}
	if (ok) {
		bool is_null = false;

		ok = load_get_uint(ld, pg, "pss", UINT64_MAX - 1, &p->pss, &is_null) &&
		     load_strip(ld, pg, "residency", p->hist, &n);
	}
	if (ok && load_has_member(pg, "zero_residency")) {
		uint8_t zero[VMS_PAGE_HIST];

		ok = load_strip(ld, pg, "zero_residency", zero, &nz);
		if (ok && nz == n)
			memcpy(p->hist + n, zero, nz);
		if (ok && nz != n) {
			load_enter_key(ld, "zero_residency");
			ok = load_fail(ld, "expected as many stretches as residency");
			load_leave(ld);
		}
	}
	p->n_hist = (uint8_t)n;
	load_leave(ld);
	r->pages = p;
	return ok;
}

/* The top-level "pages": how page data was read. */
static bool load_pages_info(struct load *ld, struct json_object *root)
{
	struct json_object *o;
	bool ok, is_null;

	if (!load_get_member(ld, root, "pages", json_type_object, "an object", false, &o))
		return false;
	load_enter_key(ld, "pages");
	ok = load_get_bool(ld, o, "scan", &ld->snap->pages.scan) &&
	     load_get_bool(ld, o, "entries", &ld->snap->pages.entries) &&
	     load_get_uint(ld, o, "refs_interval_ms", UINT64_MAX - 1,
			   &ld->snap->pages.refs_interval_ms, &is_null);
	load_leave(ld);
	return ok;
}

/* Limits and pressure */

static bool load_limits_oom(struct load *ld, struct json_object *root)
{
	struct vms_limits *l = &ld->snap->limits;
	struct vms_oom *oo = &ld->snap->oom;
	struct json_object *o;
	bool ok;

	if (!load_optional_object(ld, root, "limits", &o))
		return false;
	if (o) {
		load_enter_key(ld, "limits");
		ok = load_get_limit(ld, o, "stack", &l->have_stack, &l->stack) &&
		     load_get_limit(ld, o, "memlock", &l->have_memlock, &l->memlock) &&
		     load_get_error(ld, o, "error", &l->error);
		if (ok && l->error && (l->have_stack || l->have_memlock))
			ok = load_fail(ld, "limits both read and failed");
		l->tried = true;
		load_leave(ld);
		if (!ok)
			return false;
	}
	if (!load_optional_object(ld, root, "oom", &o))
		return false;
	if (!o)
		return true;
	load_enter_key(ld, "oom");
	ok = load_get_int_or_error(ld, o, "score", "score_error", 0, 2000, &oo->score,
				   &oo->score_error) &&
	     load_get_int_or_error(ld, o, "score_adj", "adj_error", -1000, 1000, &oo->score_adj,
				   &oo->adj_error);
	oo->tried = true;
	load_leave(ld);
	return ok;
}

static bool load_cgroup(struct load *ld, struct json_object *root)
{
	struct vms_cgroup *cg = &ld->snap->cgroup;
	struct json_object *o;
	uint64_t version;
	bool ok, vnull;

	if (!load_optional_object(ld, root, "cgroup", &o))
		return false;
	if (!o)
		return true;
	load_enter_key(ld, "cgroup");
	ok = load_get_uint(ld, o, "version", 2, &version, &vnull) &&
	     load_get_arena_string(ld, o, "path", true, &cg->path) &&
	     load_get_error(ld, o, "error", &cg->error);
	for (int f = 0; f < VMS_CG__MAX && ok; f++) {
		bool have;

		ok = load_get_limit(ld, o, vms_cg_names[f], &have, &cg->v[f]);
		if (have)
			cg->have |= UINT32_C(1) << f;
	}
	if (ok && cg->error && cg->have)
		ok = load_fail(ld, "cgroup values beside an error");
	cg->version = (uint8_t)version;
	cg->tried = true;
	load_leave(ld);
	return ok;
}

static bool load_host_memory(struct load *ld, struct json_object *root)
{
	struct vms_host_memory *hm = &ld->snap->host_mem;
	struct json_object *o;
	bool ok;

	if (!load_optional_object(ld, root, "host_memory", &o))
		return false;
	if (!o)
		return true;
	load_enter_key(ld, "host_memory");
	ok = load_get_error(ld, o, "error", &hm->error);
	for (int f = 0; f < VMS_HM__MAX && ok; f++) {
		bool is_null;

		ok = load_get_uint(ld, o, vms_host_mem_names[f], UINT64_MAX - 1, &hm->v[f],
				   &is_null);
		if (!is_null)
			hm->have |= UINT32_C(1) << f;
	}
	if (ok && hm->error && hm->have)
		ok = load_fail(ld, "machine memory values beside an error");
	hm->tried = true;
	load_leave(ld);
	return ok;
}

/*
 * Limits, OOM score, cgroup and machine memory, when the file has them;
 * "insights" is derived from the rest and recomputed, so only its type is
 * checked.
 */
static bool load_facts(struct load *ld, struct json_object *root)
{
	struct json_object *o;

	return load_limits_oom(ld, root) && load_cgroup(ld, root) && load_host_memory(ld, root) &&
	       load_optional_object(ld, root, "insights", &o);
}

static bool load_region(struct load *ld, struct json_object *o, size_t n_objects,
			struct vms_region *r)
{
	const char *perms, *kind;
	uint64_t size, tid, pkey;
	bool tid_null, pkey_null;
	struct json_object *thp;
	int k;

	*r = (struct vms_region){ .thp_eligible = -1, .protection_key = -1, .object = -1 };
	if (!(load_get_addr(ld, o, "start", false, &r->start) &&
	      load_get_addr(ld, o, "end", false, &r->end) &&
	      load_get_uint(ld, o, "size", UINT64_MAX - 1, &size, NULL)))
		return false;
	if (r->end <= r->start || r->end - r->start != size) {
		load_enter_key(ld, "size");
		load_fail(ld, "the size is not end - start, or end is not above start");
		load_leave(ld);
		return false;
	}
	/* no counter of a region passes its size (the kernel's never do), so
	 * that no sum of them over regions, which do not overlap, wraps */
	if (!(load_get_string(ld, o, "perms", 4, false, &perms, NULL) &&
	      load_get_uint(ld, o, "offset", UINT64_MAX - 1, &r->offset, NULL) &&
	      load_get_dev(ld, o, &r->dev_major, &r->dev_minor) &&
	      load_get_uint(ld, o, "inode", UINT64_MAX - 1, &r->inode, NULL) &&
	      load_get_arena_string(ld, o, "name", false, &r->name) &&
	      load_get_bool(ld, o, "deleted", &r->deleted) &&
	      load_get_string(ld, o, "kind", 32, false, &kind, NULL) &&
	      load_get_index(ld, o, "object", n_objects, &r->object) &&
	      load_get_uint(ld, o, "tid", INT32_MAX, &tid, &tid_null) &&
	      load_get_member(ld, o, "thp_eligible", json_type_boolean, "true, false or null", true,
			      &thp) &&
	      load_get_uint(ld, o, "protection_key", INT16_MAX, &pkey, &pkey_null) &&
	      load_vmflags(ld, o, &r->vmflags) && load_mem(ld, o, "mem", size, &r->mem)))
		return false;
	if (!parse_perms(perms, &r->perms)) {
		load_enter_key(ld, "perms");
		load_fail(ld, "expected permissions like \"r-xp\"");
		load_leave(ld);
		return false;
	}
	k = vms_kind_from_string(kind);
	/* the kinds schema 2 added */
	if (k >= VMS_KIND_RESERVED && ld->schema < 2)
		k = -EINVAL;
	if (k < 0) {
		load_enter_key(ld, "kind");
		load_fail(ld, "unknown kind \"%s\"", kind);
		load_leave(ld);
		return false;
	}
	if (load_has_member(o, "sections") && !load_region_sections(ld, o, r))
		return false;
	if (load_has_member(o, "pages") && !load_region_pages(ld, o, r))
		return false;
	r->kind = (enum vms_kind)k;
	r->tid = tid_null ? 0 : (int32_t)tid;
	r->thp_eligible = thp ? (int8_t)json_object_get_boolean(thp) : -1;
	r->protection_key = pkey_null ? -1 : (int16_t)pkey;
	return true;
}

static bool load_regions(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	load_enter_key(ld, "regions");
	vms_snapshot_grow_regions(snap, n);
	for (size_t i = 0; i < n; i++) {
		struct vms_region *r = &snap->regions[i];
		struct json_object *o;
		bool ok;

		load_enter_index(ld, i);
		o = load_lazy_element(ld, LAZY_REGIONS, i);
		ok = o && load_region(ld, o, snap->n_objects, r);
		if (ok && i > 0 && r->start < snap->regions[i - 1].end)
			ok = load_fail(ld, "regions out of order or overlapping");
		json_object_put(o);
		load_leave(ld);
		if (!ok)
			break;
		snap->n_regions = i + 1;
	}
	load_leave(ld);
	return !ld->failed;
}

static bool load_threads(struct load *ld, size_t n)
{
	struct vms_snapshot *snap = ld->snap;

	load_enter_key(ld, "threads");
	ARRAY_GROW(snap->threads, n, snap->alloc_threads);
	for (size_t i = 0; i < n; i++) {
		struct vms_thread *t = &snap->threads[i];
		struct json_object *o;
		uint64_t tid = 0;
		bool ok;

		*t = (struct vms_thread){ .region = -1 };
		load_enter_index(ld, i);
		o = load_lazy_element(ld, LAZY_THREADS, i);
		ok = o && load_get_uint(ld, o, "tid", INT32_MAX, &tid, NULL) &&
		     load_get_arena_string(ld, o, "comm", true, &t->comm) &&
		     load_get_addr(ld, o, "sp", true, &t->sp) &&
		     load_get_index(ld, o, "region", snap->n_regions, &t->region) &&
		     load_get_uint(ld, o, "minflt", UINT64_MAX - 1, &t->minflt, NULL) &&
		     load_get_uint(ld, o, "majflt", UINT64_MAX - 1, &t->majflt, NULL) &&
		     /* added within schema 2 */
		     (!load_has_member(o, "arena") || load_get_addr(ld, o, "arena", true, &t->arena));
		t->tid = (pid_t)tid;
		json_object_put(o);
		load_leave(ld);
		if (!ok)
			break;
		snap->n_threads = i + 1;
	}
	load_leave(ld);
	return !ld->failed;
}

/* The SysV segments (schema 2); "marked_for_removal" is SHM_DEST of mode. */
static bool load_sysv(struct load *ld, struct json_object *root)
{
	struct vms_snapshot *snap = ld->snap;
	struct json_object *a;
	size_t n;
	bool ok;

	if (!load_array(ld, root, "sysv", &a, &n))
		return false;
	load_enter_key(ld, "sysv");
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		struct json_object *o;
		uint64_t id, key, size, nattch, mode, uid;
		int64_t cpid, lpid;
		bool marked;

		load_enter_index(ld, i);
		o = load_array_object(ld, a, i);
		ok = o && load_get_uint(ld, o, "id", INT32_MAX, &id, NULL) &&
		     load_get_uint(ld, o, "key", UINT32_MAX, &key, NULL) &&
		     load_get_uint(ld, o, "size", UINT64_MAX, &size, NULL) &&
		     load_get_uint(ld, o, "nattch", UINT64_MAX, &nattch, NULL) &&
		     load_get_uint(ld, o, "mode", UINT32_MAX, &mode, NULL) &&
		     load_get_bool(ld, o, "marked_for_removal", &marked) &&
		     load_get_int64(ld, o, "cpid", &cpid) && load_get_int64(ld, o, "lpid", &lpid) &&
		     load_get_uint(ld, o, "uid", UINT32_MAX, &uid, NULL);
		if (ok && marked != !!(mode & VMS_SYSV_DEST))
			ok = load_fail(ld, "marked_for_removal is not what mode says");
		if (ok && (cpid < 0 || cpid > INT32_MAX || lpid < 0 || lpid > INT32_MAX))
			ok = load_fail(ld, "a pid out of range");
		if (ok) {
			ARRAY_GROW(snap->sysv, snap->n_sysv + 1, snap->alloc_sysv);
			snap->sysv[snap->n_sysv++] = (struct vms_sysv){
				.id = (int32_t)id,
				.key = (uint32_t)key,
				.size = size,
				.nattch = nattch,
				.mode = (uint32_t)mode,
				.cpid = (pid_t)cpid,
				.lpid = (pid_t)lpid,
				.uid = (uid_t)uid,
			};
		}
		load_leave(ld);
	}
	load_leave(ld);
	return ok;
}

static int load_root(struct load *ld, struct json_object *root)
{
	size_t n_regions, n_objects, n_threads;
	uint64_t schema, dropped;

	if (!load_want_type(ld, root, json_type_object, "a snapshot object"))
		return -EBADMSG;
	if (!load_get_uint(ld, root, "schema", UINT32_MAX, &schema, NULL))
		return -EBADMSG;
	if (schema < VMS_SCHEMA_OLDEST || schema > VMS_SCHEMA_VERSION) {
		load_enter_key(ld, "schema");
		load_fail(ld, "schema version %" PRIu64 ", but this vmscope reads versions %d to %d",
			  schema, VMS_SCHEMA_OLDEST, VMS_SCHEMA_VERSION);
		load_leave(ld);
		return -EPROTONOSUPPORT;
	}
	ld->schema = (unsigned)schema;
	/* objects first: regions refer to them, threads to regions */
	if (!(load_time_host(ld, root) && load_process(ld, root) && load_sources(ld, root) &&
	      load_totals(ld, root) &&
	      load_get_uint(ld, root, "dropped_regions", UINT32_MAX, &dropped, NULL) &&
	      load_lazy_array(ld, root, LAZY_REGIONS, &n_regions) &&
	      load_lazy_array(ld, root, LAZY_OBJECTS, &n_objects) &&
	      load_lazy_array(ld, root, LAZY_THREADS, &n_threads) && load_objects(ld, n_objects) &&
	      load_regions(ld, n_regions) && load_threads(ld, n_threads)))
		return -EBADMSG;
	ld->snap->dropped_regions = (uint32_t)dropped;
	if (schema >= 2 && !load_sysv(ld, root))
		return -EBADMSG;
	/* what schema 1 could not say: reserved address space apart from
	 * guards, malloc arenas, shared memory that is no deleted file */
	if (schema == 1)
		vms_model_upgrade_v1(ld->snap);
	/* derived from the regions, never read: older documents lack them */
	vms_model_object_extents(ld->snap);
	if (load_has_member(root, "pages") && !load_pages_info(ld, root))
		return -EBADMSG;
	if (!load_facts(ld, root))
		return -EBADMSG;
	return 0;
}

int vms_snapshot_load(const char *buf, size_t len, struct vms_snapshot **ret,
		      struct vms_load_error *err)
{
	struct load ld = { .buf = buf, .len = len, .err = err };
	struct json_object *root;
	int r;

	r = vms_json_check_text(buf, len, "snapshot", err);
	if (r < 0)
		return r;
	strbuf_init(&ld.scratch);
	ld.snap = vms_snapshot_new();
	r = load_parse_root(&ld, &root) ? load_root(&ld, root) : -EBADMSG;
	json_object_put(root);
	for (int k = 0; k < LAZY__MAX; k++) {
		free(ld.lazy[k].start);
		free(ld.lazy[k].end);
	}
	strbuf_release(&ld.scratch);
	if (r < 0) {
		vms_snapshot_free(ld.snap);
		return r;
	}
	*ret = ld.snap;
	return 0;
}

static int parse_snapshot(const char *buf, size_t len, void *ret, struct vms_load_error *err)
{
	return vms_snapshot_load(buf, len, ret, err);
}

int vms_snapshot_load_file(int dirfd, const char *path, struct vms_snapshot **ret,
			   struct vms_load_error *err)
{
	return vms_load_file(dirfd, path, parse_snapshot, ret, err);
}
