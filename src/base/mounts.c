/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device's filesystem type from a mountinfo text: see mounts.h. */
#include "config.h"

#include "base/mounts.h"

#include <stdbool.h>
#include <string.h>

#include "base/parse.h"

/* The next field of a line (blank-separated; mountinfo escapes blanks in
 * its paths): [*p, end of field), *p moved past it. NULL when none is left. */
static const char *next_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return NULL;
	e = memchr(s, ' ', (size_t)(end - s));
	if (!e)
		e = end;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

static bool is_fuse_type(const char *t, size_t len)
{
	return (len == 4 && memcmp(t, "fuse", 4) == 0) ||
	       (len == 7 && memcmp(t, "fuseblk", 7) == 0) ||
	       (len > 5 && memcmp(t, "fuse.", 5) == 0);
}

/* The kind of one line's mount if it is of device major:minor, else MOUNTS_NONE. */
static enum mounts_kind line_kind(const char *p, const char *end, uint32_t major, uint32_t minor)
{
	const char *f, *q;
	size_t len;
	uint64_t maj, min;

	/* ID, PARENT, then MAJOR:MINOR */
	for (int i = 0; i < 3; i++)
		if (!(f = next_field(&p, end, &len)))
			return MOUNTS_NONE;
	q = f;
	if (parse_dec_u64(&q, f + len, &maj) < 0 || q == f + len || *q++ != ':' ||
	    parse_dec_u64(&q, f + len, &min) < 0 || q != f + len || maj != major || min != minor)
		return MOUNTS_NONE;
	/* ROOT, MOUNTPOINT, OPTIONS, the optional fields up to "-", then FSTYPE */
	for (int i = 0; (f = next_field(&p, end, &len)); i++) {
		if (i >= 3 && len == 1 && *f == '-') {
			f = next_field(&p, end, &len);
			if (!f)
				return MOUNTS_NONE;
			return is_fuse_type(f, len) ? MOUNTS_FUSE : MOUNTS_OTHER;
		}
	}
	return MOUNTS_NONE;
}

enum mounts_kind mounts_kind_of(const char *buf, size_t len, uint32_t major, uint32_t minor)
{
	const char *p = buf, *end = buf + len;
	enum mounts_kind kind = MOUNTS_NONE;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		enum mounts_kind k = line_kind(p, line_end, major, minor);

		/* a FUSE mount of it among others is enough to keep away */
		if (k == MOUNTS_FUSE)
			return k;
		if (k == MOUNTS_OTHER)
			kind = k;
		p = nl ? nl + 1 : end;
	}
	return kind;
}
