/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering for the commands: see render.h. */
#include "config.h"

#include "cmd/common/render.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/strbuf.h"
#include "report/canvas.h"
#include "vmscope/model.h"
#include "vmscope/snapshot.h"

int cmd_render_option(struct cmd_render_args *ra, int id, const char *arg)
{
	struct strbuf names;
	unsigned v;
	int r;

	switch (id) {
	case 'f':
		if (!vms_reporter_find(arg)) {
			strbuf_init(&names);
			for (const struct vms_reporter *rep = vms_reporters; rep->name; rep++) {
				if (rep != vms_reporters)
					strbuf_addstr(&names, rep[1].name ? ", " : " or ");
				strbuf_addstr(&names, rep->name);
			}
			cli_error("unknown format '%s' (%s)", arg, names.buf);
			strbuf_release(&names);
			return -EINVAL;
		}
		ra->format = arg;
		return 0;
	case 's':
		r = vms_sort_from_string(arg);
		if (r < 0) {
			cli_error(
				"unknown sort key '%s' (rss, pss, uss, size, swap, address or referenced)",
				arg);
			return -EINVAL;
		}
		ra->ropt.sort = (enum vms_sort)r;
		ra->sort_given = true;
		return 0;
	case 'a':
		ra->ropt.all = true;
		return 0;
	case CMD_RENDER_OPT_SECTIONS:
		ra->ropt.sections = true;
		return 0;
	case CMD_RENDER_OPT_BY:
		if (strcmp(arg, "object") != 0 && strcmp(arg, "region") != 0) {
			cli_error("unknown grouping '%s' (region or object)", arg);
			return -EINVAL;
		}
		ra->ropt.by_object = strcmp(arg, "object") == 0;
		return 0;
	case 'n':
		r = cli_parse_uint("top", arg, 1, 1000000, &v);
		ra->ropt.top = v;
		return r;
	case 'b':
		ra->ropt.bytes = true;
		return 0;
	case CLI_OPT_COLOR:
		return cli_parse_color(arg, &ra->color);
	case 'w':
		r = cli_parse_uint("width", arg, 40, CANVAS_MAX_WIDTH, &v);
		ra->ropt.width = v;
		return r;
	}
	return 1;
}

void cmd_render_fit(struct cmd_render_args *ra, int fd)
{
	ra->ropt.color = cli_want_color(ra->color, fd);
	ra->ropt.width = cli_output_width(ra->ropt.width, fd);
	ra->ropt.full_lines = ra->ropt.width == 0;
}

void cmd_render_glyphs(struct cmd_render_args *ra)
{
	ra->ropt.ascii = !cli_locale_utf8();
}

void cmd_put_wrapped(FILE *out, const char *text, unsigned width, unsigned indent)
{
	size_t col = 0, gap = 0;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (width && col > indent && col + gap + n > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			/* the spaces between two words, as many as there were */
			fprintf(out, "%*s", (int)gap, "");
			col += gap;
		}
		fwrite(text, 1, n, out);
		col += n;
		text += n;
		gap = strspn(text, " ");
		text += gap;
	}
	fputc('\n', out);
}

int cmd_stream_done(FILE *out, int r)
{
	if (fflush(out) != 0 || ferror(out))
		return -(errno ? errno : EIO);
	return r;
}

int cmd_render_stream(const struct vms_reporter *rep, const struct vms_snapshot *snap,
		      const struct vms_report_options *ropt, FILE *out)
{
	errno = 0; /* a write error of the render's is the last errno set */
	return cmd_stream_done(out, rep->render(out, snap, ropt));
}

int cmd_written(int r, const char *what)
{
	if (r >= 0)
		return 0;
	if (r != -EPIPE)
		cli_error("cannot write %s: %s", what, strerror(-r));
	return EXIT_GONE;
}

/*
 * The snapshot is whole before the first byte is written and rendering it
 * can fail only in writing, so it is streamed: held whole in memory, the
 * JSON of 65,000 regions would take three times its own size again.
 */
int cmd_render_snapshot(const struct vms_reporter *rep, const struct vms_snapshot *snap,
			const struct vms_report_options *ropt)
{
	int r;

	r = cmd_render_stream(rep, snap, ropt, stdout);
	return cmd_written(r, "the report");
}

int cmd_render_recording(const char *format, const struct vms_recording *rec,
			 const struct vms_report_options *ropt)
{
	const struct vms_recording_reporter *rep = vms_recording_reporter_find(format);
	int r;

	if (!rep) {
		cli_error("a recording is shown as text, json or html, not '%s'", format);
		return EXIT_USAGE;
	}
	errno = 0;
	r = cmd_stream_done(stdout, rep->render(stdout, rec, ropt));
	return cmd_written(r, "the report");
}

void cmd_region_label_raw(struct strbuf *out, const struct vms_snapshot *snap,
		      const struct vms_region *r)
{
	const char *path = r->object >= 0 && (size_t)r->object < snap->n_objects
				   ? snap->objects[r->object].path
				   : NULL;

	if (vms_region_shm_type(r) != VMS_SHM_NONE) {
		vms_region_shm_label(out, r);
	} else if (path) {
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		strbuf_addstr(out, base);
		strbuf_addf(out, " %s", vms_kind_to_string(r->kind));
	} else if (r->kind == VMS_KIND_THREAD_STACK && r->tid > 0) {
		strbuf_addf(out, "thread_stack %d", (int)r->tid);
	} else if (r->name && r->name[0] == '[' && r->kind == VMS_KIND_OTHER) {
		strbuf_addstr(out, r->name);
	} else {
		strbuf_addstr(out, vms_kind_to_string(r->kind));
	}
}

void cmd_region_label(struct strbuf *out, const struct vms_snapshot *snap,
		      const struct vms_region *r)
{
	struct strbuf raw;

	strbuf_init(&raw);
	cmd_region_label_raw(&raw, snap, r);
	escape_display(out, raw.buf, raw.len);
	strbuf_release(&raw);
}

bool cmd_no_address_space(const struct vms_snapshot *snap, struct strbuf *out)
{
	const char *what, *comm = snap->proc.comm ? snap->proc.comm : "?";

	if (snap->proc.kernel_thread)
		what = "is a kernel thread: it has no user address space";
	else if (snap->proc.state == 'Z')
		what = "is a zombie: it has exited and holds no memory, waiting for its parent";
	else
		return false;
	strbuf_addf(out, "pid %d (", (int)snap->proc.pid);
	escape_display(out, comm, strlen(comm));
	strbuf_addf(out, ") %s", what);
	return true;
}

bool cmd_say_no_address_space(const struct vms_snapshot *snap, FILE *out)
{
	struct strbuf line;
	bool r;

	strbuf_init(&line);
	r = cmd_no_address_space(snap, &line);
	if (r)
		fprintf(out, "%s\n", line.buf);
	strbuf_release(&line);
	return r;
}
