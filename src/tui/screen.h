/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The terminal: set up, restored (also when vmscope dies), and canvases drawn on it. */
#ifndef VMSCOPE_TUI_SCREEN_H
#define VMSCOPE_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "report/canvas.h"

/*
 * Whether the live view can take the terminal: 0, -ENOTTY (standard input or
 * output is no terminal), -ENOENT (TERM is unset or empty), -ELIBACC (the
 * curses library cannot be loaded: *ret_why says why), -EINVAL (terminfo
 * does not know TERM) or -EOPNOTSUPP (the terminal cannot move its cursor,
 * as "dumb"). Nothing is printed, and the terminal is not touched. The
 * other screen_ functions need it to have returned 0.
 */
int screen_usable(const char **ret_why);
/* Takes the terminal (curses, keypad, mouse, colors). Returns 0 or -ENOTTY. */
int screen_open(bool color);
/* Gives the terminal back as it was; safe to call twice. */
void screen_close(void);

/*
 * Copies rows [first, first + rows) of cv to screen lines from y, columns
 * from xoff of the canvas; highlight: the row (index in cv) drawn reversed,
 * or (size_t)-1.
 */
void screen_put_canvas(const struct canvas *cv, size_t first, int y, int rows, unsigned xoff,
		       size_t highlight);

#endif
