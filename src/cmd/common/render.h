/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering for the commands (src/cmd/common/render.c): the render options
 * that report and show both take, writing a snapshot through a reporter to
 * a stream, and a region's label for one line of text.
 */
#ifndef VMSCOPE_CMD_COMMON_RENDER_H
#define VMSCOPE_CMD_COMMON_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd/common/cli.h"
#include "vmscope/report.h"

struct strbuf;
struct vms_region;
struct vms_snapshot;

/* Writes a snapshot through rep to stdout; an exit status. */
int cmd_render_snapshot(const struct vms_reporter *rep, const struct vms_snapshot *snap,
			const struct vms_report_options *ropt);
/* Writes a recording through the recording reporter named format to
 * stdout; an exit status (EXIT_USAGE after a message for an unknown one). */
struct vms_recording;
int cmd_render_recording(const char *format, const struct vms_recording *rec,
			 const struct vms_report_options *ropt);
/* Renders through rep to out and flushes it; 0 or -errno. */
int cmd_render_stream(const struct vms_reporter *rep, const struct vms_snapshot *snap,
		      const struct vms_report_options *ropt, FILE *out);
/* r (a renderer's result) unless out has a write error: flushes out. Set
 * errno to 0 before rendering, so that an earlier errno is not taken for
 * the write's. */
int cmd_stream_done(FILE *out, int r);
/*
 * The exit status of output to standard output that ended with r (0 or
 * -errno, as cmd_stream_done gives it): 0, or EXIT_GONE after a line saying
 * that `what` ("the list") could not be written and why; silent for a
 * closed pipe, whose reader has gone.
 */
int cmd_written(int r, const char *what);

/* How a report is rendered: what the report and show commands both take. */
struct cmd_render_args {
	const char *format;
	enum cli_color color;
	struct vms_report_options ropt;
	bool sort_given; /* --sort, even of the default key */
};
/*
 * What the output is like: colors and width (full lines when none is given
 * and it is no terminal), for output on fd; and the charset's glyphs (which
 * load the locale: the report asks once it has read the process).
 */
void cmd_render_fit(struct cmd_render_args *ra, int fd);
void cmd_render_glyphs(struct cmd_render_args *ra);
/* The ids of the render options without a short one, and their table entries. */
enum {
	CMD_RENDER_OPT_SECTIONS = CLI_OPT_FIRST_FREE + 0x40,
	CMD_RENDER_OPT_BY,
};
#define CMD_RENDER_OPTIONS_SECTIONS_BY                                                      \
	{ "sections", 0, no_argument, CMD_RENDER_OPT_SECTIONS, NULL,                        \
	  "list the ELF sections of each object listed, by region" },                      \
	{ "by", 0, required_argument, CMD_RENDER_OPT_BY, "KEY",                             \
	  "group the tables by region (default) or by object" }

/*
 * --format, --sort, --all, --top, --bytes, --color, --width, --sections,
 * --by (ids 'f', 's', 'a', 'n', 'b', CLI_OPT_COLOR, 'w',
 * CMD_RENDER_OPT_SECTIONS, CMD_RENDER_OPT_BY) into ra. Returns 0, -EINVAL
 * after a message, or 1 when id is not one of them.
 */
int cmd_render_option(struct cmd_render_args *ra, int id, const char *arg);

/*
 * The one line for a process without a user address space (a kernel thread,
 * a zombie): "pid 2 (kthreadd) is a kernel thread: ...", without a newline,
 * appended to out. false (nothing appended) when snap has an address space.
 */
bool cmd_no_address_space(const struct vms_snapshot *snap, struct strbuf *out);
/* That line on out with its newline; false when snap has an address space. */
bool cmd_say_no_address_space(const struct vms_snapshot *snap, FILE *out);

/*
 * Prints text (escaped already) and a newline, broken at spaces before a
 * word that would pass width (0: never), each next line indented by
 * indent. A word wider than a line stays whole.
 */
void cmd_put_wrapped(FILE *out, const char *text, unsigned width, unsigned indent);

/* "libc.so.6 text", "heap", "thread_stack 42": a region for one line of text. */
void cmd_region_label(struct strbuf *out, const struct vms_snapshot *snap,
		      const struct vms_region *r);
/* The same unescaped, for a canvas (which escapes what it is given). */
void cmd_region_label_raw(struct strbuf *out, const struct vms_snapshot *snap,
			  const struct vms_region *r);

#endif
