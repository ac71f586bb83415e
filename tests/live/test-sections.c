/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live tests of sections: targets built with arrays of known size (PIE,
 * non-PIE, static), frozen, reported by vmscope and compared with
 * `readelf -SW` of the same file; stripped, deleted and changed copies; and
 * libc's code named through the symbolizer, in this very process.
 *
 * usage: test-sections-live VMSCOPE PIE-TARGET NOPIE-TARGET STATIC-TARGET
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "livetest.h"

#include "../elf/readelf.h"
#include "base/strbuf.h"
#include "vmscope/elf.h"
#include "vmscope/model.h"
#include "vmscope/snapshot.h"

#define BIG (1024 * 1024)

static const char *vmscope_bin;
static const char *targets[3];
static char tmpdir[PATH_MAX];
static char plain_file[PATH_MAX + 16];

/* Starts path; returns its pid once it has stopped itself. */
static pid_t spawned[16];
static size_t n_spawned;

/* Kills and waits for a target once (a pid reaped may be reused). */
static void reap(pid_t pid)
{
	for (size_t i = 0; i < n_spawned; i++) {
		if (spawned[i] != pid)
			continue;
		spawned[i] = 0;
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
	}
}

static pid_t spawn(const char *path)
{
	int fds[2], st;
	char buf[32] = "";
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(path, path, plain_file, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (n_spawned < 16)
		spawned[n_spawned++] = pid;
	assert_true(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	assert_non_null(strstr(buf, "ready 1"));
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	return pid;
}



static char *run(const char *args, pid_t pid)
{
	struct strbuf cmd, out;
	char buf[4096];
	size_t n;
	FILE *f;

	strbuf_init(&cmd);
	strbuf_init(&out);
	strbuf_addf(&cmd, "'%s' %s %d", vmscope_bin, args, (int)pid);
	f = popen(cmd.buf, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&out, buf, n);
	assert_int_equal(pclose(f), 0);
	strbuf_release(&cmd);
	return strbuf_detach(&out, NULL);
}

static json_object *run_json(pid_t pid)
{
	char *text = run("-f json", pid);
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	free(text);
	return o;
}

static json_object *main_object(json_object *root, size_t *ret_index)
{
	json_object *objs = lt_get(root, "objects");

	for (size_t i = 0; i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);

		if (json_object_get_boolean(lt_get(o, "main"))) {
			*ret_index = i;
			return o;
		}
	}
	fail_msg("no main object");
	return NULL;
}

static json_object *section_named(json_object *secs, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(secs); i++) {
		json_object *s = json_object_array_get_idx(secs, i);

		if (strcmp(json_object_get_string(lt_get(s, "name")), name) == 0)
			return s;
	}
	return NULL;
}

/* The names of the sections a region holds, space-separated. */
static void region_sections(json_object *region, json_object *secs, struct strbuf *out)
{
	json_object *r = lt_get(region, "sections");
	int64_t first, count;

	strbuf_reset(out);
	if (json_object_is_type(r, json_type_null))
		return;
	first = json_object_get_int64(lt_get(r, "first"));
	count = json_object_get_int64(lt_get(r, "count"));
	for (int64_t k = first; k < first + count; k++) {
		json_object *s = json_object_array_get_idx(secs, (size_t)k);

		assert_non_null(s);
		strbuf_addf(out, "%s%s", out->len ? " " : "", json_object_get_string(lt_get(s, "name")));
	}
}

/* The region of the main object of this kind, or NULL. */
static json_object *region_of_kind(json_object *root, size_t obj, const char *kind)
{
	json_object *regs = lt_get(root, "regions");

	for (size_t i = 0; i < json_object_array_length(regs); i++) {
		json_object *r = json_object_array_get_idx(regs, i);
		json_object *o = lt_get(r, "object");

		if (!json_object_is_type(o, json_type_null) &&
		    (size_t)json_object_get_int64(o) == obj &&
		    strcmp(json_object_get_string(lt_get(r, "kind")), kind) == 0)
			return r;
	}
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* What a report of target t says equals readelf; the .bss tail is labelled .bss. */
static void check_target(const char *path)
{
	static struct rsec want[128];
	size_t nw = readelf_sections(path, want, 128), oi = 0;
	pid_t pid = spawn(path);
	json_object *root = run_json(pid), *obj, *secs, *bss, *data;
	char *text = run("--color never --width 120 --all", pid);
	struct strbuf sb, label;

	strbuf_init(&sb);
	strbuf_init(&label);
	if (nw == 0)
		skip();
	obj = main_object(root, &oi);
	assert_true(json_object_is_type(lt_get(lt_get(obj, "elf"), "sections_error"), json_type_null));
	secs = lt_get(lt_get(obj, "elf"), "sections");
	if (json_object_array_length(secs) != nw)
		fail_msg("%s: %zu sections, readelf %zu", path, json_object_array_length(secs), nw);
	for (size_t k = 0; k < nw; k++) {
		json_object *s = section_named(secs, want[k].name);

		if (!s)
			fail_msg("%s: no %s", path, want[k].name);
		if ((uint64_t)json_object_get_int64(lt_get(s, "size")) != want[k].size ||
		    (uint64_t)json_object_get_int64(lt_get(s, "addr")) != want[k].addr)
			fail_msg("%s %s: differs from readelf", path, want[k].name);
	}
	/* the arrays are where they should be, at least their size */
	assert_true(json_object_get_int64(lt_get(section_named(secs, ".rodata"), "size")) >= BIG);
	assert_true(json_object_get_int64(lt_get(section_named(secs, ".data"), "size")) >= 2 * BIG);
	assert_true(json_object_get_int64(lt_get(section_named(secs, ".bss"), "size")) >= 4 * BIG);

	/* the anonymous tail holds .bss alone; the rw mapping holds .data */
	bss = region_of_kind(root, oi, "bss");
	assert_non_null(bss);
	region_sections(bss, secs, &sb);
	/* (a static glibc puts __libc_freeres_ptrs after it) */
	assert_true(strncmp(sb.buf, ".bss", 4) == 0 && (sb.buf[4] == '\0' || sb.buf[4] == ' '));
	data = region_of_kind(root, oi, "data");
	assert_non_null(data);
	region_sections(data, secs, &sb);
	assert_non_null(strstr(sb.buf, ".data"));
	/* and the report says so in its rows */
	strbuf_addf(&label, "%s .bss", base_name(path));
	if (!strstr(text, label.buf))
		fail_msg("no row labelled '%s' in:\n%s", label.buf, text);
	/* the code row names .text (and maybe .plt: a small program) */
	{
		const char *line = text;
		bool found = false;

		while (line && !found) {
			const char *end = strchr(line, '\n');
			size_t n = end ? (size_t)(end - line) : strlen(line);
			const char *at = memmem(line, n, base_name(path), strlen(base_name(path)));

			found = at && memmem(at, n - (size_t)(at - line), ".text", 5);
			line = end ? end + 1 : NULL;
		}
		if (!found)
			fail_msg("no row of %s labelled .text in:\n%s", path, text);
	}

	/* the file that is not ELF is a plain file mapping, with no sections */
	{
		json_object *objs = lt_get(root, "objects");
		bool seen = false;

		for (size_t i = 0; i < json_object_array_length(objs); i++) {
			json_object *o = json_object_array_get_idx(objs, i);

			if (strcmp(json_object_get_string(lt_get(o, "path")), plain_file) != 0)
				continue;
			assert_true(json_object_is_type(lt_get(o, "elf"), json_type_null));
			assert_non_null(region_of_kind(root, i, "file"));
			seen = true;
		}
		assert_true(seen);
	}
	json_object_put(root);
	free(text);
	strbuf_release(&sb);
	strbuf_release(&label);
	reap(pid);
}

static void test_pie(void **state)
{
	(void)state;
	check_target(targets[0]);
}

static void test_nopie(void **state)
{
	(void)state;
	check_target(targets[1]);
}

static void test_static(void **state)
{
	(void)state;
	check_target(targets[2]);
}

/* A copy of the PIE target at tmpdir/name; shoff_zero strips its section table. */
static void copy_target(const char *name, bool shoff_zero, char *ret, size_t n)
{
	struct strbuf cmd;

	(void)snprintf(ret, n, "%s/%s", tmpdir, name);
	strbuf_init(&cmd);
	strbuf_addf(&cmd, "cp '%s' '%s'", targets[0], ret);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&cmd);
	if (shoff_zero) {
		static const unsigned char zero[8];
		int fd = open(ret, O_WRONLY | O_CLOEXEC);

		assert_true(fd >= 0);
		/* ELF64 e_shoff */
		assert_int_equal(pwrite(fd, zero, 8, 40), 8);
		close(fd);
	}
}

static void test_stripped(void **state)
{
	char path[PATH_MAX + 32];
	json_object *root, *obj;
	size_t oi = 0;
	char *text;
	pid_t pid;

	(void)state;
	copy_target("stripped", true, path, sizeof(path));
	pid = spawn(path);
	root = run_json(pid);
	obj = main_object(root, &oi);
	assert_string_equal(json_object_get_string(lt_get(lt_get(obj, "elf"), "sections_error")),
			    "ENODATA");
	assert_int_equal(json_object_array_length(lt_get(lt_get(obj, "elf"), "sections")), 0);
	/* segments only: the kinds stand, no region claims a section */
	assert_non_null(region_of_kind(root, oi, "text"));
	assert_non_null(region_of_kind(root, oi, "bss"));
	assert_true(json_object_is_type(lt_get(region_of_kind(root, oi, "bss"), "sections"),
					json_type_null));
	text = run("--color never --sections -n 50", pid);
	assert_non_null(strstr(text, "no section headers (stripped): segments only"));
	assert_non_null(strstr(text, "stripped bss"));
	free(text);
	json_object_put(root);
	reap(pid);
}

static void test_deleted(void **state)
{
	char path[PATH_MAX + 32];
	struct strbuf sb;
	json_object *root, *obj, *secs;
	size_t oi = 0;
	pid_t pid;

	(void)state;
	copy_target("deleted", false, path, sizeof(path));
	pid = spawn(path);
	assert_int_equal(unlink(path), 0);
	root = run_json(pid);
	obj = main_object(root, &oi);
	assert_true(json_object_get_boolean(lt_get(obj, "deleted")));
	secs = lt_get(lt_get(obj, "elf"), "sections");
	assert_true(json_object_array_length(secs) > 10);
	strbuf_init(&sb);
	region_sections(region_of_kind(root, oi, "bss"), secs, &sb);
	assert_string_equal(sb.buf, ".bss");
	strbuf_release(&sb);
	json_object_put(root);
	reap(pid);
}

static void test_changed(void **state)
{
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { 0 } };
	char path[PATH_MAX + 32];
	json_object *root, *obj, *regs;
	size_t oi = 0;
	char *text;
	pid_t pid;

	(void)state;
	copy_target("changed", false, path, sizeof(path));
	pid = spawn(path);
	/* as if rewritten in place after the process started */
	clock_gettime(CLOCK_REALTIME, &times[1]);
	times[1].tv_sec += 5;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	root = run_json(pid);
	obj = main_object(root, &oi);
	assert_true(json_object_get_boolean(lt_get(obj, "changed")));
	regs = lt_get(root, "regions");
	for (size_t i = 0; i < json_object_array_length(regs); i++) {
		json_object *r = json_object_array_get_idx(regs, i), *o = lt_get(r, "object");

		if (!json_object_is_type(o, json_type_null) && (size_t)json_object_get_int64(o) == oi)
			assert_true(json_object_is_type(lt_get(r, "sections"), json_type_null));
	}
	text = run("--color never --sections -n 50", pid);
	assert_non_null(strstr(text, "modified after the process started"));
	free(text);
	json_object_put(root);
	reap(pid);
}

/* getpid of libc lies in the region labelled .text of libc, and is named. */
static void test_libc_symbolize(void **state)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	struct vms_elf_cache *cache = vms_elf_cache_new();
	struct vms_snapshot *snap = NULL;
	const struct vms_region *r;
	const struct vms_object *o;
	int root_fd = open("/proc", O_DIRECTORY | O_CLOEXEC);
	int self_fd = open("/proc/self", O_DIRECTORY | O_CLOEXEC);
	uintptr_t addr;
	struct strbuf sb;
	bool in_text = false;
	char name[256];

	(void)state;
	assert_non_null(libc);
	addr = (uintptr_t)dlsym(libc, "getpid");
	assert_true(addr != 0);
	assert_int_equal(vms_inspect(root_fd, getpid(), true,
				     VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF,
				     cache, &snap),
			 0);
	r = vms_snapshot_find(snap, addr);
	assert_non_null(r);
	assert_int_equal(r->kind, VMS_KIND_TEXT);
	assert_true(r->object >= 0);
	o = &snap->objects[r->object];
	assert_non_null(strstr(o->path, "/libc.so"));
	for (uint32_t k = r->first_section; k < r->first_section + r->n_sections; k++) {
		const struct vms_section *s = &o->sections[k];

		if (strcmp(s->name, ".text") == 0 && addr - o->load_bias >= s->addr &&
		    addr - o->load_bias < s->addr + s->size)
			in_text = true;
	}
	assert_true(in_text);

	strbuf_init(&sb);
	assert_int_equal(vms_elf_symbolize(cache, self_fd, snap, addr, &sb), 0);
	print_message("# getpid at %#" PRIxPTR ": %s\n", addr, sb.buf);
	/* getpid, or an alias of it at the same address */
	assert_int_equal(sscanf(sb.buf, "%255[^+]", name), 1);
	assert_non_null(strstr(sb.buf, "+0x0 (libc.so.6)"));
	assert_true(strcmp(name, "getpid") == 0 || (uintptr_t)dlsym(libc, name) == addr);
	strbuf_reset(&sb);
	assert_int_equal(vms_elf_symbolize(cache, self_fd, snap, addr + 3, &sb), 0);
	assert_non_null(strstr(sb.buf, "+0x3 (libc.so.6)"));
	/* an anonymous address names nothing */
	strbuf_reset(&sb);
	assert_int_equal(vms_elf_symbolize(cache, self_fd, snap, 0, &sb), -ENOENT);
	strbuf_release(&sb);

	vms_snapshot_free(snap);
	vms_elf_cache_free(cache);
	dlclose(libc);
	close(root_fd);
	close(self_fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_libc_symbolize),
	};
	struct strbuf cmd;
	int r, fd;

	if (argc != 5) {
		fprintf(stderr, "usage: %s VMSCOPE PIE NOPIE STATIC\n", argv[0]);
		return 2;
	}
	vmscope_bin = argv[1];
	for (int i = 0; i < 3; i++)
		targets[i] = argv[2 + i];
	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/vmscope-sections-XXXXXX",
		       getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	(void)snprintf(plain_file, sizeof(plain_file), "%s/plain", tmpdir);
	fd = open(plain_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "not an ELF file, just words\n", 28) != 28)
		return 1;
	close(fd);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	for (size_t i = 0; i < n_spawned; i++)
		if (spawned[i])
			reap(spawned[i]);
	strbuf_init(&cmd);
	strbuf_addf(&cmd, "rm -rf '%s'", tmpdir);
	(void)system(cmd.buf);
	strbuf_release(&cmd);
	return r;
}
