/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The typed line and the pick list of the live view: they read keys and draw
 * themselves, and what is picked or typed is the caller's to act on.
 */
#include "config.h"

#include "tui/prompt.h"

#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/xalloc.h"
#include "tui/curses.h"

enum { LINE_MAX_LEN = 200, MENU_WIDTH = 24 };

enum tui_line_result tui_line_key(struct strbuf *text, int ch)
{
	switch (ch) {
	case TUI_KEY_ESCAPE:
		return TUI_LINE_CANCEL;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return TUI_LINE_DONE;
	case KEY_BACKSPACE:
	case 127:
	case TUI_CTRL('h'):
		if (text->len > 0) {
			/* a whole UTF-8 character */
			size_t n = text->len - 1;

			while (n > 0 && ((unsigned char)text->buf[n] & 0xc0) == 0x80)
				n--;
			strbuf_setlen(text, n);
		}
		return TUI_LINE_EDITED;
	case TUI_CTRL('u'): /* the whole line, as in a shell */
		strbuf_reset(text);
		return TUI_LINE_EDITED;
	}
	if (ch >= 0x20 && ch < 0x100 && ch != 127 && text->len < LINE_MAX_LEN) {
		strbuf_addch(text, (char)ch);
		return TUI_LINE_EDITED;
	}
	return TUI_LINE_IGNORED;
}

void tui_line_draw(const char *label, const struct strbuf *text, const char *note)
{
	struct strbuf shown;

	strbuf_init(&shown);
	escape_display(&shown, text->buf, text->len);
	move(LINES - 1, 0);
	clrtoeol();
	attrset(A_BOLD);
	addstr(label);
	attrset(A_NORMAL);
	addnstr(shown.buf, (int)shown.len);
	if (note && *note) {
		int y, x;

		getyx(stdscr, y, x);
		attrset(A_DIM);
		addstr(note);
		attrset(A_NORMAL);
		move(y, x);
	}
	strbuf_release(&shown);
}

void tui_menu_add(struct tui_menu *m, const char *item)
{
	m->items = xreallocarray(m->items, m->n + 1, sizeof(*m->items));
	m->items[m->n++] = xstrdup(item);
}

void tui_menu_clear(struct tui_menu *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i]);
	free(m->items);
	m->items = NULL;
	m->n = m->sel = m->top = 0;
}

enum tui_menu_result tui_menu_key(struct tui_menu *m, int ch)
{
	size_t page = LINES > 6 ? (size_t)LINES - 6 : 1;

	switch (ch) {
	case TUI_KEY_ESCAPE:
	case 'q':
	case KEY_F(10):
		return TUI_MENU_CANCEL;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return m->n ? TUI_MENU_PICK : TUI_MENU_CANCEL;
	case KEY_UP:
		m->sel = m->sel ? m->sel - 1 : 0;
		return TUI_MENU_MOVED;
	case KEY_DOWN:
		if (m->sel + 1 < m->n)
			m->sel++;
		return TUI_MENU_MOVED;
	case KEY_PPAGE:
		m->sel = m->sel > page ? m->sel - page : 0;
		return TUI_MENU_MOVED;
	case KEY_NPAGE:
		m->sel = m->sel + page < m->n ? m->sel + page : (m->n ? m->n - 1 : 0);
		return TUI_MENU_MOVED;
	case KEY_HOME:
		m->sel = 0;
		return TUI_MENU_MOVED;
	case KEY_END:
		m->sel = m->n ? m->n - 1 : 0;
		return TUI_MENU_MOVED;
	}
	return TUI_MENU_IGNORED;
}

void tui_menu_draw(struct tui_menu *m, int y)
{
	int rows = LINES - 1 - y - 1;
	struct strbuf sb;

	if (rows < 1)
		rows = 1;
	if (m->sel < m->top)
		m->top = m->sel;
	if (m->sel >= m->top + (size_t)rows)
		m->top = m->sel - (size_t)rows + 1;
	strbuf_init(&sb);
	attrset(A_BOLD | A_REVERSE);
	mvprintw(y, 0, "%-*.*s", MENU_WIDTH, MENU_WIDTH, m->title);
	for (int i = 0; i < rows; i++) {
		size_t k = m->top + (size_t)i;

		strbuf_reset(&sb);
		if (k < m->n)
			escape_display(&sb, m->items[k], strlen(m->items[k]));
		attrset(k == m->sel ? A_REVERSE : A_NORMAL);
		mvprintw(y + 1 + i, 0, " %-*.*s", MENU_WIDTH - 1, MENU_WIDTH - 1, sb.buf);
	}
	attrset(A_NORMAL);
	strbuf_release(&sb);
}
