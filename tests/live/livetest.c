/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "livetest.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

json_object *lt_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		fail_msg("no '%s' in %.300s", key, o ? json_object_to_json_string(o) : "null");
	return v;
}

json_object *lt_region_at(json_object *report, uint64_t addr)
{
	json_object *regions = lt_get(report, "regions");
	char want[32];

	snprintf(want, sizeof(want), "0x%" PRIx64, addr);
	for (size_t i = 0; i < json_object_array_length(regions); i++) {
		json_object *r = json_object_array_get_idx(regions, i);

		if (strcmp(json_object_get_string(lt_get(r, "start")), want) == 0)
			return r;
	}
	fail_msg("no region starts at %s", want);
	return NULL;
}

char *lt_slurp_maybe(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f)
		return NULL;
	do {
		if (alloc - len < 65536) {
			alloc = alloc * 2 + 65536;
			buf = realloc(buf, alloc + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, alloc - len, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

char *lt_slurp(const char *path)
{
	char *buf = lt_slurp_maybe(path);

	if (!buf)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	return buf;
}

void lt_kill_target(pid_t *pid, FILE **out)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	if (*out)
		fclose(*out);
	*pid = 0;
	*out = NULL;
}
