/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a recording back (recording.h): JSON Lines, each line parsed on
 * its own and checked for type and range; errors carry the line, and the
 * column when the text is no JSON.
 */
#include "config.h"

#include "vmscope/recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jsonc.h"

#include "base/arena.h"
#include "base/xalloc.h"
#include "json/parse.h"

/* Ids a recording may define: far above the 65,530 mappings of a process
 * times a day of churn, far below what would exhaust memory. */
#define REC_MAX_TRACKS (1u << 24)

struct rec_load {
	struct vms_recording *rec;
	struct vms_load_error *err;
	unsigned line;
	/* the sample arrays' slots, from the header's names: -1 unknown */
	int status_slot[64];
	size_t n_status;
	int rollup_slot[64];
	size_t n_rollup;
	int value_slot[16];
	size_t n_values;
	bool ended;
};

__attribute__((format(printf, 3, 4))) static int fail(struct rec_load *ld, const char *path,
						      const char *fmt, ...)
{
	va_list ap;

	ld->err->line = ld->line;
	ld->err->column = 1;
	snprintf(ld->err->path, sizeof(ld->err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(ld->err->message, sizeof(ld->err->message), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/*
 * json-c keeps a number above INT64_MAX as unsigned, below 0 as signed, and
 * saturates what does not fit: UINT64_MAX, INT64_MIN and (as a signed
 * number) INT64_MAX may stand for a larger one, so none is a number here,
 * as in the snapshot loader.
 */
static bool get_u64(json_object *o, uint64_t *ret)
{
	if (!o || !json_object_is_type(o, json_type_int))
		return false;
	if (json_object_get_int64(o) < 0)
		return false;
	*ret = json_object_get_uint64(o);
	return *ret != UINT64_MAX;
}

static bool get_i64(json_object *o, int64_t *ret)
{
	if (!o || !json_object_is_type(o, json_type_int))
		return false;
	*ret = json_object_get_int64(o);
	return *ret != INT64_MIN &&
	       (*ret != INT64_MAX || json_object_get_uint64(o) == (uint64_t)INT64_MAX);
}

static bool get_hex(json_object *o, uint64_t *ret)
{
	const char *s, *p;
	uint64_t v = 0;

	if (!o || !json_object_is_type(o, json_type_string))
		return false;
	s = json_object_get_string(o);
	if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s) > 18)
		return false;
	for (p = s + 2; *p; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return true;
}

static const char *get_str(json_object *o)
{
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

/* The names of a header array mapped to slots by find(name), -1 when unknown. */
static int map_names(struct rec_load *ld, json_object *arr, const char *key, int *slots,
		     size_t cap, size_t *ret_n, int (*find)(const char *))
{
	size_t n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return fail(ld, key, "expected an array of names");
	n = json_object_array_length(arr);
	if (n > cap)
		return fail(ld, key, "more than %zu names", cap);
	for (size_t i = 0; i < n; i++) {
		const char *name = get_str(json_object_array_get_idx(arr, i));

		if (!name)
			return fail(ld, key, "expected an array of names");
		slots[i] = find(name);
	}
	*ret_n = n;
	return 0;
}

static int find_status(const char *name)
{
	for (int f = 0; f < VMS_ST__MAX; f++)
		if (strcmp(vms_status_fields[f].name, name) == 0)
			return f;
	return -1;
}

static int find_mem(const char *name)
{
	for (int m = 0; m < VMS_MEM__MAX; m++)
		if (strcmp(vms_mem_fields[m].name, name) == 0)
			return m;
	return -1;
}

static int find_value(const char *name)
{
	for (int v = 0; v < VMS_RV__MAX; v++)
		if (strcmp(vms_mem_fields[vms_rec_value_mem[v]].name, name) == 0)
			return v;
	return -1;
}

static void copy_fixed(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

/* An optional member of o named by its path ("host.kernel"): absent or null
 * gives NULL; present, it must be a string. */
static int opt_str(struct rec_load *ld, json_object *o, const char *path, const char **ret)
{
	json_object *v = json_object_object_get(o, strrchr(path, '.') + 1);

	if (v && !json_object_is_type(v, json_type_string))
		return fail(ld, path, "expected a string or null");
	*ret = v ? json_object_get_string(v) : NULL;
	return 0;
}

/* The same for a whole number up to max: absent or null gives 0. */
static int opt_u64(struct rec_load *ld, json_object *o, const char *path, uint64_t max,
		   uint64_t *ret)
{
	json_object *v = json_object_object_get(o, strrchr(path, '.') + 1);

	*ret = 0;
	if (v && (!get_u64(v, ret) || *ret > max))
		return fail(ld, path, "expected a whole number up to %llu or null",
			    (unsigned long long)max);
	return 0;
}

static int parse_header(struct rec_load *ld, json_object *root)
{
	struct vms_recording *rec = ld->rec;
	json_object *host, *proc;
	const char *format = get_str(json_object_object_get(root, "format"));
	/* set by opt_str on success; NULL for GCC, which cannot see that every
	 * failure returns first */
	const char *kernel = NULL, *machine = NULL, *hostname = NULL, *user = NULL, *comm = NULL,
		   *cmdline = NULL, *exe = NULL;
	uint64_t version, u, page_size, ppid, uid, start_time;
	int r;

	if (!format || strcmp(format, VMS_RECORDING_FORMAT) != 0)
		return fail(ld, "format", "not a vmscope recording");
	if (!get_u64(json_object_object_get(root, "version"), &version))
		return fail(ld, "version", "expected a whole number");
	if (version != VMS_RECORDING_VERSION) {
		fail(ld, "version", "recording version %llu, this vmscope reads version %d",
		     (unsigned long long)version, VMS_RECORDING_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (!get_i64(json_object_object_get(root, "wall_ns"), &rec->wall_ns))
		return fail(ld, "wall_ns", "expected a whole number");
	if (!get_i64(json_object_object_get(root, "mono_ns"), &rec->mono_ns))
		return fail(ld, "mono_ns", "expected a whole number");
	if (!get_i64(json_object_object_get(root, "interval_ns"), &rec->interval_ns) ||
	    rec->interval_ns <= 0)
		return fail(ld, "interval_ns", "expected a positive whole number");
	if (!get_u64(json_object_object_get(root, "cpu_permille"), &u) || u > 1000)
		return fail(ld, "cpu_permille", "expected a whole number up to 1000");
	rec->cpu_permille = (uint32_t)u;

	host = json_object_object_get(root, "host");
	if (!host || !json_object_is_type(host, json_type_object))
		return fail(ld, "host", "expected an object");
	proc = json_object_object_get(root, "process");
	if (!proc || !json_object_is_type(proc, json_type_object))
		return fail(ld, "process", "expected an object");
	if (!get_u64(json_object_object_get(proc, "pid"), &u) || u > INT32_MAX)
		return fail(ld, "process.pid", "expected a process id");
	rec->proc.pid = (pid_t)u;
	/* the other facts may be missing or null, never of another type */
	if ((r = opt_str(ld, host, "host.kernel", &kernel)) < 0 ||
	    (r = opt_str(ld, host, "host.machine", &machine)) < 0 ||
	    (r = opt_str(ld, host, "host.hostname", &hostname)) < 0 ||
	    (r = opt_u64(ld, host, "host.page_size", UINT32_MAX, &page_size)) < 0 ||
	    (r = opt_u64(ld, proc, "process.ppid", INT32_MAX, &ppid)) < 0 ||
	    (r = opt_u64(ld, proc, "process.uid", UINT32_MAX, &uid)) < 0 ||
	    (r = opt_u64(ld, proc, "process.start_time", UINT64_MAX, &start_time)) < 0 ||
	    (r = opt_str(ld, proc, "process.user", &user)) < 0 ||
	    (r = opt_str(ld, proc, "process.comm", &comm)) < 0 ||
	    (r = opt_str(ld, proc, "process.cmdline", &cmdline)) < 0 ||
	    (r = opt_str(ld, proc, "process.exe", &exe)) < 0)
		return r;
	copy_fixed(rec->host.kernel, sizeof(rec->host.kernel), kernel);
	copy_fixed(rec->host.machine, sizeof(rec->host.machine), machine);
	copy_fixed(rec->host.hostname, sizeof(rec->host.hostname), hostname);
	rec->host.page_size = (uint32_t)page_size;
	rec->proc.ppid = (pid_t)ppid;
	rec->proc.uid = (uid_t)uid;
	rec->proc.start_time = start_time;
	rec->proc.user = user ? arena_strdup(rec->arena, user) : NULL;
	rec->proc.comm = comm ? arena_strdup(rec->arena, comm) : NULL;
	rec->proc.cmdline = cmdline ? arena_strdup(rec->arena, cmdline) : NULL;
	rec->proc.exe = exe ? arena_strdup(rec->arena, exe) : NULL;

	r = map_names(ld, json_object_object_get(root, "status_fields"), "status_fields",
		      ld->status_slot, ARRAY_SIZE(ld->status_slot), &ld->n_status, find_status);
	if (r == 0)
		r = map_names(ld, json_object_object_get(root, "rollup_fields"), "rollup_fields",
			      ld->rollup_slot, ARRAY_SIZE(ld->rollup_slot), &ld->n_rollup, find_mem);
	if (r == 0)
		r = map_names(ld, json_object_object_get(root, "region_values"), "region_values",
			      ld->value_slot, ARRAY_SIZE(ld->value_slot), &ld->n_values,
			      find_value);
	return r;
}

/* An array of n numbers or nulls; each number goes to set(slot). */
static int parse_numbers(struct rec_load *ld, json_object *arr, const char *key, size_t n,
			 uint64_t *ret)
{
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) != n)
		return fail(ld, key, "expected an array of %zu numbers", n);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		ret[i] = UINT64_MAX;
		if (!v)
			continue;
		if (!get_u64(v, &ret[i]))
			return fail(ld, key, "item %zu: expected a whole number or null", i);
	}
	return 0;
}

static int parse_totals(struct rec_load *ld, json_object *root, struct vms_totals *t)
{
	json_object *o;
	uint64_t v[64];
	int r;

	o = json_object_object_get(root, "status");
	if (o) {
		r = parse_numbers(ld, o, "status", ld->n_status, v);
		if (r < 0)
			return r;
		for (size_t i = 0; i < ld->n_status; i++) {
			if (ld->status_slot[i] < 0 || v[i] == UINT64_MAX)
				continue;
			t->status[ld->status_slot[i]] = v[i];
			t->status_have |= UINT32_C(1) << ld->status_slot[i];
		}
	}
	o = json_object_object_get(root, "rollup");
	if (o) {
		r = parse_numbers(ld, o, "rollup", ld->n_rollup, v);
		if (r < 0)
			return r;
		for (size_t i = 0; i < ld->n_rollup; i++) {
			if (ld->rollup_slot[i] < 0 || v[i] == UINT64_MAX)
				continue;
			t->rollup.v[ld->rollup_slot[i]] = v[i];
			t->rollup.have |= UINT32_C(1) << ld->rollup_slot[i];
		}
	}
	o = json_object_object_get(root, "faults");
	if (o) {
		r = parse_numbers(ld, o, "faults", 4, v);
		if (r < 0)
			return r;
		if (v[0] != UINT64_MAX && v[1] != UINT64_MAX && v[2] != UINT64_MAX &&
		    v[3] != UINT64_MAX) {
			t->minflt = v[0];
			t->majflt = v[1];
			t->cminflt = v[2];
			t->cmajflt = v[3];
			t->have_faults = true;
		}
	}
	return 0;
}

static int parse_perms(const char *s, uint8_t *ret)
{
	if (!s || strlen(s) != 4 || (s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
	    (s[2] != 'x' && s[2] != '-') || (s[3] != 's' && s[3] != 'p'))
		return -EINVAL;
	*ret = (uint8_t)((s[0] == 'r' ? VMS_PERM_READ : 0) | (s[1] == 'w' ? VMS_PERM_WRITE : 0) |
			 (s[2] == 'x' ? VMS_PERM_EXEC : 0) | (s[3] == 's' ? VMS_PERM_SHARED : 0));
	return 0;
}

/* "08:01" */
static int parse_dev(const char *s, uint32_t *major, uint32_t *minor)
{
	char *end;
	unsigned long a, b;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	a = strtoul(s, &end, 16);
	if (errno || *end != ':' || a > UINT32_MAX)
		return -EINVAL;
	b = strtoul(end + 1, &end, 16);
	if (errno || *end || b > UINT32_MAX)
		return -EINVAL;
	*major = (uint32_t)a;
	*minor = (uint32_t)b;
	return 0;
}

static int parse_identity(struct rec_load *ld, json_object *a, size_t base, const char *path,
			  struct vms_rec_track *t)
{
	const char *kind = get_str(json_object_array_get_idx(a, base + 4));
	const char *name = get_str(json_object_array_get_idx(a, base + 7));
	json_object *del = json_object_array_get_idx(a, base + 6);
	int64_t tid;
	int k;

	if (parse_perms(get_str(json_object_array_get_idx(a, base)), &t->perms) < 0)
		return fail(ld, path, "expected permissions such as \"rw-p\"");
	if (!get_hex(json_object_array_get_idx(a, base + 1), &t->offset))
		return fail(ld, path, "expected a hexadecimal offset");
	if (parse_dev(get_str(json_object_array_get_idx(a, base + 2)), &t->dev_major,
		      &t->dev_minor) < 0)
		return fail(ld, path, "expected a device such as \"08:01\"");
	if (!get_u64(json_object_array_get_idx(a, base + 3), &t->inode))
		return fail(ld, path, "expected an inode number");
	k = kind ? vms_kind_from_string(kind) : -EINVAL;
	if (k < 0)
		return fail(ld, path, "unknown kind");
	t->kind = (enum vms_kind)k;
	if (!get_i64(json_object_array_get_idx(a, base + 5), &tid) || tid < 0 || tid > INT32_MAX)
		return fail(ld, path, "expected a thread id");
	t->tid = (int32_t)tid;
	if (!del || !json_object_is_type(del, json_type_boolean))
		return fail(ld, path, "expected true or false (deleted)");
	t->deleted = json_object_get_boolean(del);
	if (!name)
		return fail(ld, path, "expected a name");
	t->name = arena_strdup(ld->rec->arena, name);
	return 0;
}

static int parse_region(struct rec_load *ld, json_object *a, size_t idx, uint32_t sample)
{
	struct vms_recording *rec = ld->rec;
	size_t n_short = 3 + ld->n_values, n;
	struct vms_rec_track *t;
	struct vms_rec_point pt = { .sample = sample };
	uint64_t id, v[16];
	char path[48];
	int r;

	snprintf(path, sizeof(path), "regions[%zu]", idx);
	if (!json_object_is_type(a, json_type_array))
		return fail(ld, path, "expected an array");
	n = json_object_array_length(a);
	if (n != n_short && n != n_short + 8)
		return fail(ld, path, "expected %zu or %zu items", n_short, n_short + 8);
	if (!get_u64(json_object_array_get_idx(a, 0), &id) || id >= REC_MAX_TRACKS)
		return fail(ld, path, "expected a track id");
	if (n == n_short && (id >= rec->n_tracks || !rec->tracks[id].seen ||
			     rec->tracks[id].gone != UINT32_MAX))
		return fail(ld, path, "track %llu is not alive: its first record must be whole",
			    (unsigned long long)id);
	if (!get_hex(json_object_array_get_idx(a, 1), &pt.start) ||
	    !get_hex(json_object_array_get_idx(a, 2), &pt.end) || pt.end <= pt.start)
		return fail(ld, path, "expected hexadecimal start and end, start below end");
	for (size_t i = 0; i < ld->n_values; i++) {
		json_object *o = json_object_array_get_idx(a, 3 + i);

		v[i] = UINT64_MAX;
		if (o && !get_u64(o, &v[i]))
			return fail(ld, path, "item %zu: expected a whole number or null", 3 + i);
		if (ld->value_slot[i] >= 0 && v[i] != UINT64_MAX) {
			pt.v[ld->value_slot[i]] = v[i];
			pt.have |= (uint8_t)(1u << ld->value_slot[i]);
		}
	}
	if (id >= rec->n_tracks) {
		if (id != rec->n_tracks)
			return fail(ld, path, "track ids must come in order (%zu next)",
				    rec->n_tracks);
		ARRAY_GROW(rec->tracks, rec->n_tracks + 1, rec->alloc_tracks);
		rec->tracks[rec->n_tracks++] = (struct vms_rec_track){ .id = (uint32_t)id };
	}
	t = &rec->tracks[id];
	if (n != n_short) {
		if (t->seen && t->gone != UINT32_MAX)
			return fail(ld, path, "track %llu vanished before", (unsigned long long)id);
		r = parse_identity(ld, a, n_short, path, t);
		if (r < 0)
			return r;
		if (!t->seen) {
			t->seen = true;
			t->first = sample;
			t->gone = UINT32_MAX;
		}
	}
	if (t->n_points && t->points[t->n_points - 1].sample == sample)
		return fail(ld, path, "track %llu twice in one sample", (unsigned long long)id);
	ARRAY_GROW(t->points, t->n_points + 1, t->alloc_points);
	t->points[t->n_points++] = pt;
	return 0;
}

static int parse_sample(struct rec_load *ld, json_object *root)
{
	struct vms_recording *rec = ld->rec;
	json_object *regions = json_object_object_get(root, "regions");
	json_object *gone = json_object_object_get(root, "gone");
	struct vms_rec_sample *s;
	uint32_t idx;
	int64_t t;
	int r;

	if (!get_i64(json_object_object_get(root, "t_ns"), &t) || t < 0)
		return fail(ld, "t_ns", "expected a whole number of nanoseconds");
	if (rec->n_samples && t < rec->samples[rec->n_samples - 1].t_ns)
		return fail(ld, "t_ns", "earlier than the sample before");
	if (rec->n_samples >= UINT32_MAX - 1)
		return fail(ld, "", "too many samples");
	idx = (uint32_t)rec->n_samples;
	ARRAY_GROW(rec->samples, rec->n_samples + 1, rec->alloc_samples);
	s = &rec->samples[rec->n_samples++];
	*s = (struct vms_rec_sample){ .t_ns = t };
	r = parse_totals(ld, root, &s->totals);
	if (r < 0)
		return r;
	if (!regions)
		return 0;
	s->regions = true;
	if (!json_object_is_type(regions, json_type_array))
		return fail(ld, "regions", "expected an array");
	for (size_t i = 0; i < json_object_array_length(regions); i++) {
		r = parse_region(ld, json_object_array_get_idx(regions, i), i, idx);
		if (r < 0)
			return r;
	}
	if (!gone)
		return 0;
	if (!json_object_is_type(gone, json_type_array))
		return fail(ld, "gone", "expected an array of track ids");
	for (size_t i = 0; i < json_object_array_length(gone); i++) {
		uint64_t id;

		if (!get_u64(json_object_array_get_idx(gone, i), &id) || id >= rec->n_tracks ||
		    !rec->tracks[id].seen || rec->tracks[id].gone != UINT32_MAX)
			return fail(ld, "gone", "item %zu: not a live track", i);
		rec->tracks[id].gone = idx;
	}
	return 0;
}

static int parse_end(struct rec_load *ld, json_object *root)
{
	const char *why = get_str(json_object_object_get(root, "end"));
	int e = why ? vms_rec_end_from_string(why) : -EINVAL;
	uint64_t n;

	if (e <= 0)
		return fail(ld, "end", "expected duration, exited, interrupted or error");
	ld->rec->end = (enum vms_rec_end)e;
	if (!get_i64(json_object_object_get(root, "t_ns"), &ld->rec->end_t_ns))
		return fail(ld, "t_ns", "expected a whole number of nanoseconds");
	/* a line lost in the middle of the file would not show otherwise */
	if (!get_u64(json_object_object_get(root, "samples"), &n) || n != ld->rec->n_samples)
		return fail(ld, "samples", "expected the number of samples before the end line, %zu",
			    ld->rec->n_samples);
	ld->ended = true;
	return 0;
}

static int parse_line(struct rec_load *ld, const char *line, size_t len)
{
	json_object *root = NULL;
	int r;

	r = vms_json_parse_text(line, len, "recording", &root, ld->err);
	if (r < 0) {
		ld->err->line += ld->line - 1;
		return r;
	}
	if (!json_object_is_type(root, json_type_object))
		r = fail(ld, "", "expected an object");
	else if (ld->line == 1)
		r = parse_header(ld, root);
	else if (ld->ended)
		r = fail(ld, "", "a line after the end line");
	else if (json_object_object_get(root, "end"))
		r = parse_end(ld, root);
	else
		r = parse_sample(ld, root);
	json_object_put(root);
	return r;
}

int vms_recording_load(const char *buf, size_t len, struct vms_recording **ret,
		       struct vms_load_error *err)
{
	struct rec_load ld = { .err = err };
	size_t pos = 0;
	int r = 0;

	*err = (struct vms_load_error){ 0 };
	if (len > VMS_LOAD_MAX_BYTES) {
		snprintf(err->message, sizeof(err->message), "larger than %u MiB",
			 VMS_LOAD_MAX_BYTES >> 20);
		return -EFBIG;
	}
	ld.rec = vms_recording_new();
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		ld.line++;
		if (!nl && ld.line > 1) {
			/* the line a killed recorder was writing */
			ld.rec->truncated = true;
			break;
		}
		r = parse_line(&ld, buf + pos, end - pos);
		if (r < 0)
			break;
		pos = end + 1;
	}
	if (r == 0 && ld.line == 0)
		r = fail(&ld, "", "empty file: not a recording");
	if (r < 0) {
		vms_recording_free(ld.rec);
		return r;
	}
	vms_recording_sum_groups(ld.rec);
	*ret = ld.rec;
	return 0;
}

bool vms_recording_sniff(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;
	struct json_tokener *tok;
	json_object *root, *f;
	bool yes = false;

	if (n == 0 || n > (1u << 20) || buf[0] != '{' || jsonc_load(NULL) < 0)
		return false;
	tok = json_tokener_new();
	if (!tok)
		return false;
	root = vms_json_tokener_parse(tok, buf, (int)n);
	if (root && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "format", &f) && json_object_is_type(f, json_type_string))
		yes = strcmp(json_object_get_string(f), VMS_RECORDING_FORMAT) == 0;
	json_object_put(root);
	json_tokener_free(tok);
	return yes;
}

struct any_ctx {
	struct vms_snapshot **snap;
	struct vms_recording **rec;
};

static int parse_any(const char *buf, size_t len, void *p, struct vms_load_error *err)
{
	struct any_ctx *ctx = p;

	*ctx->snap = NULL;
	*ctx->rec = NULL;
	if (vms_recording_sniff(buf, len))
		return vms_recording_load(buf, len, ctx->rec, err);
	return vms_snapshot_load(buf, len, ctx->snap, err);
}

int vms_document_load_file(int dirfd, const char *path, struct vms_snapshot **ret_snap,
			   struct vms_recording **ret_rec, struct vms_load_error *err)
{
	struct any_ctx ctx = { .snap = ret_snap, .rec = ret_rec };

	*err = (struct vms_load_error){ 0 };
	return vms_load_file(dirfd, path, parse_any, &ctx, err);
}
