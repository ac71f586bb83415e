/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view shows the same report as `vmscope PID`: the text reporter
 * prints its canvas with colors, and the escape sequences it wrote are mapped
 * back to canvas classes. The mapping is learnt from canvas_write itself, so
 * it cannot drift from the reporter's colors.
 */
#include "config.h"

#include "tui/reportcanvas.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/xalloc.h"

#define SGR_MAX 16

struct sgr_map {
	char seq[CANVAS__MAX][SGR_MAX]; /* the parameters between "\033[" and "m" */
};

static void learn_sgr(struct sgr_map *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned c = 0; c < CANVAS__MAX; c++) {
		struct canvas cv;
		char *buf = NULL, *start, *end;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			die_oom(0);
		canvas_init(&cv, 1);
		canvas_put_cp(&cv, 0, canvas_add_row(&cv), 'x', (enum canvas_class)c);
		(void)canvas_write(&cv, f, true);
		fclose(f);
		canvas_release(&cv);
		start = strstr(buf, "\033[");
		end = start ? strchr(start, 'm') : NULL;
		if (start && end && (size_t)(end - start - 2) < SGR_MAX)
			memcpy(m->seq[c], start + 2, (size_t)(end - start - 2));
		free(buf);
	}
}

static enum canvas_class sgr_class(const struct sgr_map *m, const char *p, size_t n)
{
	for (unsigned c = 0; c < CANVAS__MAX; c++)
		if (strlen(m->seq[c]) == n && memcmp(m->seq[c], p, n) == 0)
			return (enum canvas_class)c;
	return CANVAS_PLAIN;
}

static void parse_with(const struct sgr_map *m, struct canvas *cv, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	enum canvas_class cls = CANVAS_PLAIN;
	size_t y = canvas_add_row(cv);
	unsigned x = 0;

	while (p < end) {
		uint32_t cp;
		size_t n;

		if (*p == '\n') {
			p++;
			cls = CANVAS_PLAIN;
			x = 0;
			if (p < end)
				y = canvas_add_row(cv);
			continue;
		}
		if (*p == '\033' && p + 1 < end && p[1] == '[') {
			const char *q = p + 2;

			while (q < end && *q != 'm' && *q != '\n')
				q++;
			if (q < end && *q == 'm') {
				cls = sgr_class(m, p + 2, (size_t)(q - p - 2));
				p = q + 1;
				continue;
			}
		}
		n = utf8_decode(p, (size_t)(end - p), &cp);
		if (n == 0 || utf8_is_control(cp)) {
			/* never a raw byte to the terminal */
			cp = 0xfffd;
			n = 1;
		}
		x += canvas_put_cp(cv, x, y, cp, cls);
		p += n;
	}
}

void report_canvas_parse(struct canvas *cv, const char *buf, size_t len)
{
	struct sgr_map m;

	learn_sgr(&m);
	parse_with(&m, cv, buf, len);
}

int report_canvas_draw(struct canvas *cv, const struct vms_snapshot *snap,
		       const struct vms_report_options *opt)
{
	struct vms_report_options o = *opt;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	o.color = true;
	f = open_memstream(&buf, &len);
	if (!f)
		die_oom(0);
	r = vms_report_text(f, snap, &o);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	canvas_release(cv);
	canvas_init(cv, o.width ? o.width : 80);
	if (r == 0)
		report_canvas_parse(cv, buf, len);
	free(buf);
	return r;
}
