/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names from a process (comm, cmdline, paths) are hostile: they may hold
 * terminal escape sequences and invalid UTF-8. Nothing from them reaches an
 * output raw: text goes through escape_display, JSON through the writer's
 * escaping, HTML through escape_html, all built on utf8_decode.
 */
#ifndef VMSCOPE_BASE_ESCAPE_H
#define VMSCOPE_BASE_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/*
 * Decodes one UTF-8 sequence at s (n > 0 bytes available). Returns its
 * length (1..4) and the code point, or 0 for an invalid, overlong or
 * truncated sequence, a surrogate or a value past U+10FFFF.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *ret_cp);

/* Whether the code point is a C0/C1 control or DEL. */
static inline int utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/*
 * Appends s for a terminal or a plain-text file: printable UTF-8 as is, a
 * control character or an invalid byte as \xNN (a backslash as \\ so the
 * result reads back unambiguously).
 */
void escape_display(struct strbuf *out, const char *s, size_t n);

/*
 * Appends s for HTML text or a quoted attribute value: as escape_display,
 * and & < > " ' as character references, so that no tag, entity or
 * attribute boundary comes from s.
 */
void escape_html(struct strbuf *out, const char *s, size_t n);

/* Display columns of the result of escape_display (wide characters count 2). */
size_t escape_display_width(const char *s, size_t n);

/*
 * Columns of a printable code point (not a control): 1 for ASCII, in every
 * locale, and for the glyphs vmscope draws with, in every UTF-8 one (the
 * only ones it draws them in); else the locale's wcwidth(), the locale
 * loaded first where the program puts that off (locale_need), -1 for one
 * it does not know.
 */
int escape_cp_width(uint32_t cp);

#endif
