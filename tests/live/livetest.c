/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "livetest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- JSON ---------------------------------------------------------------- */

json_object *lt_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		fail_msg("no '%s' in %.300s", key, o ? json_object_to_json_string(o) : "null");
	return v;
}

uint64_t lt_num(json_object *o, const char *key)
{
	json_object *v = lt_get(o, key);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("JSON '%s' is not an integer: %s", key, json_object_to_json_string(o));
	return json_object_get_uint64(v);
}

json_object *lt_region_find(json_object *report, uint64_t addr)
{
	json_object *regions = lt_get(report, "regions");
	char want[32];

	snprintf(want, sizeof(want), "0x%" PRIx64, addr);
	for (size_t i = 0; i < json_object_array_length(regions); i++) {
		json_object *r = json_object_array_get_idx(regions, i);

		if (strcmp(json_object_get_string(lt_get(r, "start")), want) == 0)
			return r;
	}
	return NULL;
}

json_object *lt_region_at(json_object *report, uint64_t addr)
{
	json_object *r = lt_region_find(report, addr);

	if (!r)
		fail_msg("no region starts at 0x%" PRIx64, addr);
	return r;
}

/* ---- files --------------------------------------------------------------- */

/* All of fd from offset 0, NUL-terminated (free it). */
static char *slurp_fd(int fd, size_t *ret_len)
{
	size_t len = 0, alloc = 65536;
	char *buf = malloc(alloc + 1);
	ssize_t n;

	assert_non_null(buf);
	while ((n = pread(fd, buf + len, alloc - len, (off_t)len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		len += (size_t)n;
		if (len == alloc) {
			alloc *= 2;
			buf = realloc(buf, alloc + 1);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	return buf;
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

/* ---- what the kernel says ------------------------------------------------ */

bool lt_smaps_sum(pid_t pid, uint64_t addr, uint64_t inode, const char *const keys[4],
		  struct lt_smaps_sum *ret)
{
	char path[64], line[4352];
	bool in = false;
	uint64_t ranges[64][2];
	size_t n_ranges = 0;
	FILE *f;

	memset(ret, 0, sizeof(*ret));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p;
		uint64_t s = strtoull(line, &p, 16), e, off, ino;
		char perms[8];

		if (*p == '-') {
			e = strtoull(p + 1, &p, 16);
			if (sscanf(p, " %7s %" SCNx64 " %*s %" SCNu64, perms, &off, &ino) != 3)
				fail_msg("bad smaps line: %s", line);
			in = addr ? addr >= s && addr < e : ino == inode;
			if (in) {
				if (!ret->entries++) {
					ret->start = s;
					ret->end = e;
				}
				if (inode && n_ranges < 64) {
					ranges[n_ranges][0] = off;
					ranges[n_ranges++][1] = off + (e - s);
				}
				if (inode && off == 0)
					ret->first_page_maps++;
			}
			continue;
		}
		for (int k = 0; in && k < 4 && keys[k]; k++) {
			size_t kl = strlen(keys[k]);

			if (strncmp(line, keys[k], kl) == 0 && line[kl] == ':')
				ret->v[k] += strtoull(line + kl + 1, NULL, 10) * 1024;
		}
	}
	fclose(f);
	/* the union of the file ranges (few: a sort by insertion) */
	for (size_t i = 1; i < n_ranges; i++)
		for (size_t j = i; j > 0 && ranges[j - 1][0] > ranges[j][0]; j--) {
			uint64_t t0 = ranges[j][0], t1 = ranges[j][1];

			ranges[j][0] = ranges[j - 1][0];
			ranges[j][1] = ranges[j - 1][1];
			ranges[j - 1][0] = t0;
			ranges[j - 1][1] = t1;
		}
	for (size_t i = 0, end = 0; i < n_ranges; i++) {
		if (ranges[i][1] <= end)
			continue;
		ret->distinct += ranges[i][1] - (ranges[i][0] > end ? ranges[i][0] : end);
		end = ranges[i][1];
	}
	return ret->entries > 0;
}


bool lt_smaps_entry(pid_t pid, uint64_t addr, struct lt_smaps_entry *ret)
{
	static const char *const keys[4] = { "Rss", "Swap", "AnonHugePages", "Referenced" };
	struct lt_smaps_sum sm;
	bool found = lt_smaps_sum(pid, addr, 0, keys, &sm);

	*ret = (struct lt_smaps_entry){ .start = sm.start, .end = sm.end, .rss = sm.v[0],
					.swap = sm.v[1], .anon_huge = sm.v[2],
					.referenced = sm.v[3] };
	return found;
}

/* ---- processes ----------------------------------------------------------- */

void lt_argv(const char **argv, const char *const *prefix, const char *bin,
	     const char *const *args)
{
	size_t n = 0;

	for (; prefix && *prefix; prefix++) {
		assert_true(n < LT_ARGV_MAX - 2);
		argv[n++] = *prefix;
	}
	argv[n++] = bin;
	for (; *args; args++) {
		assert_true(n < LT_ARGV_MAX - 1);
		argv[n++] = *args;
	}
	argv[n] = NULL;
}

/* In the child: stdin, the process group, then exec; never returns. */
static void child_exec(const char *const *argv, unsigned flags)
{
	if (flags & LT_NULL_STDIN) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
	}
	if (flags & LT_OWN_GROUP)
		setpgid(0, 0);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

void lt_target_start(struct lt_target *t, const char *const *argv, unsigned flags,
		     void (*setup)(const void *data), const void *data)
{
	int p[2];

	memset(t, 0, sizeof(*t));
	t->group = flags & LT_OWN_GROUP;
	snprintf(t->name, sizeof(t->name), "%s", argv[0]);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setup)
			setup(data);
		dup2(p[1], 1);
		child_exec(argv, flags);
	}
	close(p[1]);
	t->out = fdopen(p[0], "r");
	assert_non_null(t->out);
}

bool lt_target_read_until(struct lt_target *t, const char *until)
{
	char line[512];

	while (t->out && fgets(line, sizeof(line), t->out)) {
		size_t l = strlen(line);

		t->lines = realloc(t->lines, t->len + l + 1);
		assert_non_null(t->lines);
		memcpy(t->lines + t->len, line, l + 1);
		t->len += l;
		if (strncmp(line, until, strlen(until)) == 0)
			return true;
	}
	return false;
}

void lt_target_wait_stopped(struct lt_target *t, const char *until)
{
	int st;

	if (until && !lt_target_read_until(t, until)) {
		lt_target_stop(t);
		fail_msg("the target ended before \"%s\"", until);
	}
	assert_int_equal(waitpid(t->pid, &st, WUNTRACED), t->pid);
	if (!WIFSTOPPED(st))
		fail_msg("%s did not stop (status 0x%x)", t->name, st);
}

const char *lt_target_line(const struct lt_target *t, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = t->lines; l && *l;) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return l + n + 1;
		if (!nl)
			break;
		l = nl + 1;
	}
	return NULL;
}

bool lt_target_fact(const struct lt_target *t, const char *key, uint64_t *v, unsigned n)
{
	const char *p = lt_target_line(t, key);

	if (!p)
		return false;
	for (unsigned i = 0; i < n; i++) {
		char *end;

		while (*p == ' ')
			p++;
		v[i] = 0;
		if (*p && *p != '\n') {
			v[i] = strtoull(p, &end, 0);
			p = end;
		}
	}
	return true;
}

void lt_target_close_out(struct lt_target *t)
{
	if (t->out)
		fclose(t->out);
	t->out = NULL;
}

void lt_target_stop(struct lt_target *t)
{
	if (t->pid > 0) {
		if (t->group)
			kill(-t->pid, SIGKILL);
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		/* its children were handed to us, when we are their subreaper */
		if (t->group)
			while (waitpid(-t->pid, NULL, 0) > 0)
				;
	}
	lt_target_close_out(t);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}

void lt_run_start(struct lt_run *r, const char *const *argv, unsigned flags)
{
	memset(r, 0, sizeof(*r));
	r->out_fd = memfd_create("vmscope-out", MFD_CLOEXEC);
	r->err_fd = memfd_create("vmscope-err", MFD_CLOEXEC);
	assert_true(r->out_fd >= 0 && r->err_fd >= 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		dup2(r->out_fd, 1);
		dup2(r->err_fd, 2);
		child_exec(argv, flags);
	}
}

char *lt_run_peek_err(const struct lt_run *r)
{
	return slurp_fd(r->err_fd, NULL);
}

void lt_run_await_err(const struct lt_run *r, const char *word)
{
	char line[256] = "";

	for (int i = 0; i < 300 && !strstr(line, word); i++) {
		char *err = lt_run_peek_err(r);

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(err, "\n"), err);
		free(err);
		if (!strstr(line, word))
			usleep(10000);
	}
	if (!strstr(line, word))
		fail_msg("no '%s' on standard error: %s", word, line);
}

void lt_run_wait(struct lt_run *r)
{
	assert_int_equal(waitpid(r->pid, &r->wstatus, 0), r->pid);
	r->code = WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : -1;
	r->out = slurp_fd(r->out_fd, &r->out_len);
	r->err = slurp_fd(r->err_fd, &r->err_len);
}

void lt_run(struct lt_run *r, const char *const *argv, unsigned flags)
{
	lt_run_start(r, argv, flags);
	lt_run_wait(r);
}

int lt_exit_code(const struct lt_run *r)
{
	if (WIFSIGNALED(r->wstatus))
		fail_msg("vmscope was killed by signal %d; stderr:\n%s", WTERMSIG(r->wstatus), r->err);
	assert_true(WIFEXITED(r->wstatus));
	return WEXITSTATUS(r->wstatus);
}

json_object *lt_run_json(const struct lt_run *r)
{
	enum json_tokener_error jerr;
	json_object *o;
	int code = lt_exit_code(r);

	if (code != 0)
		fail_msg("vmscope exited %d: %s", code, r->err);
	o = json_tokener_parse_verbose(r->out, &jerr);
	if (!o)
		fail_msg("vmscope printed no JSON (%s): %.300s / %.300s",
			 json_tokener_error_desc(jerr), r->out, r->err);
	return o;
}

void lt_run_release(struct lt_run *r)
{
	free(r->out);
	free(r->err);
	if (r->pid > 0) {
		close(r->out_fd);
		close(r->err_fd);
	}
	memset(r, 0, sizeof(*r));
}

json_object *lt_run_json_of(const char *const *argv, unsigned flags)
{
	struct lt_run r;
	json_object *o;

	lt_run(&r, argv, flags);
	o = lt_run_json(&r);
	lt_run_release(&r);
	return o;
}
