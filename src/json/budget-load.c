/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Budgets as the user writes them: the text of check's options and the
 * budget file (JSON, read with json-c), into struct vms_budget_rule. Both
 * go through the same parsers, so a budget means the same in either place.
 * The file comes from anywhere (a CI repository): it is fuzzed.
 */
#include "config.h"

#include "vmscope/budget.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "json/parse.h"

void vms_budget_set_release(struct vms_budget_set *s)
{
	for (size_t i = 0; i < s->n_strings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->rules);
	*s = (struct vms_budget_set){ 0 };
}

static int parse_measure(const char *s, size_t n, enum vms_measure *ret)
{
	for (int m = 0; m < VMS_MEASURE__MAX; m++) {
		const char *name = vms_measure_to_string(m);

		if (strlen(name) == n && strncmp(name, s, n) == 0) {
			*ret = (enum vms_measure)m;
			return 0;
		}
	}
	return -EINVAL;
}

static struct vms_budget_rule *add_rule(struct vms_budget_set *s, enum vms_budget_scope scope,
					enum vms_measure m)
{
	struct vms_budget_rule *r;

	ARRAY_GROW(s->rules, s->n_rules + 1, s->alloc_rules);
	r = &s->rules[s->n_rules++];
	*r = (struct vms_budget_rule){ .scope = scope, .measure = m };
	return r;
}

static const char *keep(struct vms_budget_set *s, const char *str, size_t n)
{
	ARRAY_GROW(s->strings, s->n_strings + 1, s->alloc_strings);
	return s->strings[s->n_strings++] = xstrndup(str, n);
}

int vms_budget_add_total(struct vms_budget_set *s, enum vms_measure m, const char *size)
{
	uint64_t v;

	if (parse_size_str(size, &v) < 0)
		return -EINVAL;
	add_rule(s, VMS_BUDGET_TOTAL, m)->limit = v;
	return 0;
}

int vms_budget_add_fact(struct vms_budget_set *s, enum vms_budget_fact f, const char *arg)
{
	struct vms_budget_rule *r;
	uint64_t v;
	int err;

	if ((unsigned)f >= VMS_FACT__MAX)
		return -EINVAL;
	if (f == VMS_FACT_REGIONS) {
		const char *p = arg;

		for (v = 0, err = *p ? 0 : -EINVAL; *p && !err; p++)
			if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
				err = -EINVAL;
			else
				v = v * 10 + (uint64_t)(*p - '0');
	} else {
		err = parse_size_str(arg, &v);
	}
	if (err < 0)
		return -EINVAL;
	r = add_rule(s, VMS_BUDGET_FACT, VMS_MEASURE_SIZE);
	r->fact = f;
	r->limit = v;
	return 0;
}

int vms_budget_add_max(struct vms_budget_set *s, const char *spec, const char *size)
{
	const char *eq = size ? spec + strlen(spec) : strrchr(spec, '=');
	const char *colon;
	enum vms_measure m = VMS_MEASURE_PSS;
	struct vms_budget_rule *r;
	size_t wlen;
	uint64_t v;
	int k;

	if (!eq || eq == spec)
		return -EINVAL;
	if (!size)
		size = eq + 1;
	/* the measure after the last colon; a name may hold colons of its own
	 * (/memfd:cache, a file a:b), so a last word that is no measure is the
	 * name's */
	colon = memrchr(spec, ':', (size_t)(eq - spec));
	if (colon && parse_measure(colon + 1, (size_t)(eq - colon - 1), &m) < 0) {
		/* but after a kind it is a measure misspelt (heap:vsz) */
		char *word = xstrndup(spec, (size_t)(colon - spec));
		bool kind = strcmp(word, "stacks") == 0 || vms_kind_from_string(word) >= 0;

		free(word);
		if (kind)
			return -EINVAL;
		colon = NULL;
	}
	wlen = colon ? (size_t)(colon - spec) : (size_t)(eq - spec);
	if (wlen == 0 || parse_size_str(size, &v) < 0)
		return -EINVAL;
	r = add_rule(s, VMS_BUDGET_KIND, m);
	r->limit = v;
	if (wlen == 6 && strncmp(spec, "stacks", 6) == 0) {
		r->kind = VMS_BUDGET_KIND_STACKS;
		return 0;
	}
	k = vms_kind_from_string(keep(s, spec, wlen));
	if (k >= 0) {
		r->kind = k;
	} else {
		r->scope = VMS_BUDGET_OBJECT;
		r->object = s->strings[s->n_strings - 1];
	}
	return 0;
}

int vms_budget_add_growth(struct vms_budget_set *s, const char *spec)
{
	const char *eq = strchr(spec, '='), *val = eq ? eq + 1 : spec;
	enum vms_measure m = VMS_MEASURE_PSS;
	struct vms_budget_rule *r;
	size_t n = strlen(val);
	bool percent = false;
	uint64_t v;

	if (eq && parse_measure(spec, (size_t)(eq - spec), &m) < 0)
		return -EINVAL;
	if (n > 1 && val[n - 1] == '%') {
		const char *p = val;

		/* per mille, up to 1e9 % */
		if (parse_decimal(&p, val + n - 1, 10, UINT64_C(10000000000), &v) < 0 ||
		    p != val + n - 1)
			return -EINVAL;
		percent = true;
	} else if (parse_size_str(val, &v) < 0) {
		return -EINVAL;
	}
	r = add_rule(s, VMS_BUDGET_GROWTH, m);
	r->percent = percent;
	r->limit = v;
	return 0;
}

int vms_budget_add_growth_rate(struct vms_budget_set *s, const char *spec)
{
	static const struct {
		const char *unit;
		double per_min;
	} units[] = { { "/min", 1 }, { "/m", 1 }, { "/s", 60 }, { "/h", 1.0 / 60 } };
	const char *eq = strchr(spec, '='), *val = eq ? eq + 1 : spec, *slash = strrchr(val, '/');
	enum vms_measure m = VMS_MEASURE_PSS;
	struct vms_budget_rule *r;
	char size[64];
	uint64_t v;
	double scale = 0;

	if (eq && parse_measure(spec, (size_t)(eq - spec), &m) < 0)
		return -EINVAL;
	if (!slash || (size_t)(slash - val) >= sizeof(size))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(slash, units[i].unit) == 0)
			scale = units[i].per_min;
	memcpy(size, val, (size_t)(slash - val));
	size[slash - val] = '\0';
	if (!scale || parse_size_str(size, &v) < 0 || (double)v * scale >= 9.2e18)
		return -EINVAL;
	r = add_rule(s, VMS_BUDGET_GROWTH_RATE, m);
	r->limit = (uint64_t)((double)v * scale + 0.5);
	return 0;
}

/* The budget file */

static const char *const fact_keys[VMS_FACT__MAX] = {
	[VMS_FACT_STACK_HEADROOM] = "min_stack_headroom",
	[VMS_FACT_CGROUP_HEADROOM] = "min_cgroup_headroom",
	[VMS_FACT_PAGE_TABLES] = "max_pte",
	[VMS_FACT_REGIONS] = "max_regions",
};

static const struct {
	const char *key;
	enum vms_measure m;
} total_keys[] = {
	{ "max_pss", VMS_MEASURE_PSS },
	{ "max_rss", VMS_MEASURE_RSS },
	{ "max_uss", VMS_MEASURE_USS },
	{ "max_swap", VMS_MEASURE_SWAP },
};

static int fail(struct vms_load_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vms_load_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->path, sizeof(err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/*
 * A size member: a number of bytes or a string like "64M", as text for the
 * option parsers. NULL when it is neither (or holds a NUL byte).
 */
static const char *size_text(struct json_object *v, char *buf, size_t n)
{
	/* json-c holds a number past INT64_MAX as a uint64 (clamped to
	 * UINT64_MAX past that): as text, the size parser refuses it as it
	 * refuses the same number in an option, instead of taking 8E. */
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		snprintf(buf, n, "%" PRIu64, json_object_get_uint64(v));
		return buf;
	}
	if (json_object_is_type(v, json_type_string) &&
	    strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v))
		return json_object_get_string(v);
	return NULL;
}

/* What a failed size says: the value as the file has it, shortened. */
static const char *shown(struct json_object *v)
{
	const char *t;

	/* json-c saturates a whole number past 64 bits: that value is not the
	 * file's, and not said */
	if (json_object_is_type(v, json_type_int) &&
	    (json_object_get_uint64(v) == UINT64_MAX || json_object_get_int64(v) == INT64_MIN))
		return "a number too large";
	t = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	return t ? t : "?";
}

static int load_max(struct vms_budget_set *s, struct json_object *max, struct vms_load_error *err)
{
	char buf[32], path[128];

	if (!json_object_is_type(max, json_type_object))
		return fail(err, "max", "an object of KIND or FILE to a size, not %.60s", shown(max));
	json_object_object_foreach(max, key, val) {
		const char *size = size_text(val, buf, sizeof(buf));

		snprintf(path, sizeof(path), "max.%.100s", key);
		if (!size)
			return fail(err, path, "%s, not %.60s", VMS_BUDGET_SIZE_WHAT,
				    shown(val));
		if (vms_budget_add_max(s, key, size) < 0)
			return fail(err, path,
				    "KIND or FILE, with :pss :rss :uss :swap or :size after it, and a size like 64M; not %.40s",
				    shown(val));
	}
	return 0;
}

static bool known_key(const char *key)
{
	if (strcmp(key, "max") == 0 || strcmp(key, "max_growth") == 0 ||
	    strcmp(key, "max_growth_rate") == 0 || strcmp(key, "baseline") == 0)
		return true;
	for (size_t i = 0; i < VMS_FACT__MAX; i++)
		if (strcmp(key, fact_keys[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(total_keys) / sizeof(total_keys[0]); i++)
		if (strcmp(key, total_keys[i].key) == 0)
			return true;
	return false;
}

static int load_root(struct vms_budget_set *s, struct json_object *root, struct vms_load_error *err)
{
	struct json_object *v;
	const char *size;
	char buf[32];

	if (!json_object_is_type(root, json_type_object))
		return fail(err, "", "not a JSON object of budgets");
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (!known_key(key))
			return fail(err, "", "unknown budget \"%.100s\"", key);
	}
	for (size_t i = 0; i < sizeof(total_keys) / sizeof(total_keys[0]); i++) {
		if (!json_object_object_get_ex(root, total_keys[i].key, &v))
			continue;
		size = size_text(v, buf, sizeof(buf));
		if (!size || vms_budget_add_total(s, total_keys[i].m, size) < 0)
			return fail(err, total_keys[i].key,
				    "%s, not %.60s", VMS_BUDGET_SIZE_WHAT,
				    shown(v));
	}
	for (int f = 0; f < VMS_FACT__MAX; f++) {
		if (!json_object_object_get_ex(root, fact_keys[f], &v))
			continue;
		size = size_text(v, buf, sizeof(buf));
		if (!size || vms_budget_add_fact(s, (enum vms_budget_fact)f, size) < 0)
			return fail(err, fact_keys[f], "%s, not %.60s",
				    f == VMS_FACT_REGIONS ? "a number"
							  : VMS_BUDGET_SIZE_WHAT,
				    shown(v));
	}
	if (json_object_object_get_ex(root, "max", &v) && load_max(s, v, err) < 0)
		return -EBADMSG;
	if (json_object_object_get_ex(root, "max_growth", &v)) {
		size = size_text(v, buf, sizeof(buf));
		if (!size || vms_budget_add_growth(s, size) < 0)
			return fail(err, "max_growth", "[MEASURE=]SIZE or N%%, not %.60s", shown(v));
	}
	if (json_object_object_get_ex(root, "max_growth_rate", &v)) {
		size = size_text(v, buf, sizeof(buf));
		if (!size || vms_budget_add_growth_rate(s, size) < 0)
			return fail(err, "max_growth_rate", "[MEASURE=]SIZE/min, not %.60s", shown(v));
	}
	if (json_object_object_get_ex(root, "baseline", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v) ||
		    json_object_get_string_len(v) == 0)
			return fail(err, "baseline", "the path of a snapshot file, not %.60s", shown(v));
		s->baseline = keep(s, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	}
	return 0;
}

/*
 * The offset of a key given twice in the object at i of valid JSON text (a
 * member whose value is an object checked the same way: "max"), else 0.
 * json-c keeps the last of them silently, and a budget written twice is a
 * mistake of its author: which limit did they mean? Keys are compared as
 * written (budget keys are plain ASCII).
 */
static size_t twice_key(const char *b, size_t len, size_t i, unsigned depth)
{
	size_t keys[64], ends[64], n = 0, at;

	i = vms_json_skip_ws(b, len, i);
	if (i >= len || b[i] != '{' || depth > 2)
		return 0;
	for (i = vms_json_skip_ws(b, len, i + 1); i < len && b[i] == '"';) {
		size_t end = vms_json_skip_string(b, len, i);

		for (size_t k = 0; k < n; k++)
			if (ends[k] - keys[k] == end - i && memcmp(b + keys[k], b + i, end - i) == 0)
				return i;
		if (n < sizeof(keys) / sizeof(keys[0])) {
			keys[n] = i;
			ends[n++] = end;
		}
		i = vms_json_skip_ws(b, len, end);
		if (i < len && b[i] == ':')
			i = vms_json_skip_ws(b, len, i + 1);
		at = twice_key(b, len, i, depth + 1);
		if (at)
			return at;
		i = vms_json_skip_ws(b, len, vms_json_skip_value(b, len, i));
		if (i < len && b[i] == ',')
			i = vms_json_skip_ws(b, len, i + 1);
	}
	return 0;
}

int vms_budget_load(struct vms_budget_set *s, const char *buf, size_t len,
		    struct vms_load_error *err)
{
	size_t n_rules = s->n_rules, n_strings = s->n_strings;
	const char *baseline = s->baseline;
	struct json_object *root;
	size_t twice, klen;
	int r;

	r = vms_json_parse_text(buf, len, "budget file", &root, err);
	if (r < 0)
		return r;
	twice = twice_key(buf, len, 0, 0);
	if (twice) {
		json_object_put(root);
		vms_json_set_position(err, buf, len, twice);
		klen = vms_json_skip_string(buf, len, twice) - twice;
		snprintf(err->message, sizeof(err->message), "budget %.*s given twice",
			 (int)(klen < 100 ? klen : 100), buf + twice);
		return -EBADMSG;
	}
	r = load_root(s, root, err);
	json_object_put(root);
	if (r < 0) {
		/* what the file added goes: the set is as it was */
		while (s->n_strings > n_strings)
			free(s->strings[--s->n_strings]);
		s->n_rules = n_rules;
		s->baseline = baseline;
	}
	return r;
}

static int parse_budget(const char *buf, size_t len, void *s, struct vms_load_error *err)
{
	return vms_budget_load(s, buf, len, err);
}

int vms_budget_load_file(struct vms_budget_set *s, int dirfd, const char *path,
			 struct vms_load_error *err)
{
	return vms_load_file(dirfd, path, parse_budget, s, err);
}
