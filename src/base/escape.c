/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/escape.h"

#include <stdbool.h>
#include <wchar.h>

#include "base/locale.h"

size_t utf8_decode(const char *s, size_t n, uint32_t *ret_cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp, min;
	size_t len, i;

	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*ret_cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = u[0] & 0x1f;
		min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = u[0] & 0x0f;
		min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = u[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

static const char hexdig[] = "0123456789abcdef";

static void add_hex_byte(struct strbuf *out, unsigned char c)
{
	char b[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };

	strbuf_add(out, b, 4);
}

/* What escape_display and escape_html share; html adds the character
 * references. */
static void escape_to(struct strbuf *out, const char *s, size_t n, bool html)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *ent = NULL;

		if (len == 1 && html) {
			switch (cp) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			default: break;
			}
		}
		if (ent) {
			strbuf_addstr(out, ent);
			i++;
		} else if (len == 0) {
			add_hex_byte(out, (unsigned char)s[i]);
			i++;
		} else if (utf8_is_control(cp)) {
			for (size_t k = 0; k < len; k++)
				add_hex_byte(out, (unsigned char)s[i + k]);
			i += len;
		} else if (cp == '\\') {
			strbuf_add(out, "\\\\", 2);
			i++;
		} else {
			strbuf_add(out, s + i, len);
			i += len;
		}
	}
}

void escape_display(struct strbuf *out, const char *s, size_t n)
{
	escape_to(out, s, n, false);
}

void escape_html(struct strbuf *out, const char *s, size_t n)
{
	escape_to(out, s, n, true);
}

size_t escape_display_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			w += 4;
			i++;
		} else if (utf8_is_control(cp)) {
			w += 4 * len;
			i += len;
		} else if (cp == '\\') {
			w += 2;
			i++;
		} else {
			int cw = escape_cp_width(cp);
			w += cw < 0 ? 1 : (size_t)cw;
			i += len;
		}
	}
	return w;
}

/*
 * The characters vmscope draws with: rules and corners, blocks and shades
 * (U+2500 to U+259F), the sort arrows, the middle dot, the multiplication
 * and minus signs, Delta, the dashes, the ellipsis and the arrow. One
 * column each in every UTF-8 locale (its width table is the character
 * set's, not the language's; the tests check it against C.UTF-8's), so a
 * report whose names are ASCII loads no locale for its own glyphs.
 */
static bool own_glyph(uint32_t cp)
{
	switch (cp) {
	case 0xb7: case 0xd7: case 0x394: case 0x2013: case 0x2014: case 0x2026:
	case 0x2192: case 0x2212: case 0x25b2: case 0x25bc:
		return true;
	default:
		return cp >= 0x2500 && cp <= 0x259f;
	}
}

int escape_cp_width(uint32_t cp)
{
	if (cp < 0x80 || own_glyph(cp))
		return 1;
	locale_need();
	return wcwidth((wchar_t)cp);
}
