/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The small widgets of the live view (src/tui/prompt.c): a line being typed
 * at the bottom of the screen (search, filter) and a pick list in a panel
 * on the left (sort column, user, signal), as htop shows them.
 */
#ifndef VMSCOPE_TUI_PROMPT_H
#define VMSCOPE_TUI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strbuf.h"

#define TUI_KEY_ESCAPE 27
#define TUI_CTRL(c) ((c) & 0x1f)

enum tui_line_result {
	TUI_LINE_IGNORED = 0, /* not a key of the line */
	TUI_LINE_EDITED,      /* the text changed */
	TUI_LINE_DONE,        /* Enter */
	TUI_LINE_CANCEL,      /* Esc */
};
/* A key typed into text: printable bytes, Backspace, Ctrl-U (the whole line), Enter, Esc. */
enum tui_line_result tui_line_key(struct strbuf *text, int ch);
/* "label" and the text on the last screen line, the cursor after it; note dimmed after. */
void tui_line_draw(const char *label, const struct strbuf *text, const char *note);

struct tui_menu {
	const char *title;
	char **items; /* owned: freed by tui_menu_clear */
	size_t n, sel, top;
};
enum tui_menu_result {
	TUI_MENU_IGNORED = 0,
	TUI_MENU_MOVED,
	TUI_MENU_PICK,   /* Enter: items[sel] */
	TUI_MENU_CANCEL, /* Esc, q, F10 */
};
/* Adds a copy of item. */
void tui_menu_add(struct tui_menu *m, const char *item);
void tui_menu_clear(struct tui_menu *m);
enum tui_menu_result tui_menu_key(struct tui_menu *m, int ch);
/* The panel on the left, from screen line y down to the line above the last. */
void tui_menu_draw(struct tui_menu *m, int y);

#endif
