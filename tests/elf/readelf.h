/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `readelf -SW` says about a file's sections, for the tests. */
#ifndef VMSCOPE_TESTS_READELF_H
#define VMSCOPE_TESTS_READELF_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"

static inline FILE *run_readelf(const char *opts, const char *path)
{
	struct strbuf cmd;
	FILE *f;

	if (strchr(path, '\''))
		return NULL;
	strbuf_init(&cmd);
	strbuf_addf(&cmd, "readelf %s '%s' 2>/dev/null", opts, path);
	f = popen(cmd.buf, "r");
	strbuf_release(&cmd);
	return f;
}

struct rsec {
	char name[128];
	uint64_t addr, off, size;
	char type[32], flags[16];
};

/*
 * The sections readelf lists that vmscope keeps: allocated (A), of some
 * size, not a TLS template of no bytes (NOBITS with T).
 */
static inline size_t readelf_sections(const char *path, struct rsec *out, size_t max)
{
	char line[1024];
	size_t n = 0;
	FILE *f = run_readelf("-SW", path);

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '[');
		struct rsec s = { 0 };
		char *q;
		int k;

		if (!p || !strchr(p, ']') || p[1] == 'N')
			continue; /* not a section row, or the heading "[Nr]" */
		p = strchr(p, ']') + 1;
		while (*p == ' ')
			p++;
		/* a name holds no spaces in the files this test maps */
		k = sscanf(p, "%127s %31s %" SCNx64 " %" SCNx64 " %" SCNx64, s.name, s.type, &s.addr,
			   &s.off, &s.size);
		if (k != 5)
			continue;
		/* ES, then the flags (maybe none), then Lk Inf Al */
		q = p;
		for (int col = 0; col < 6 && q; col++) {
			q = strchr(q, ' ');
			while (q && *q == ' ')
				q++;
		}
		if (q) {
			char a[16], b[16], c[16], d[16];

			if (sscanf(q, "%15s %15s %15s %15s", a, b, c, d) == 4)
				(void)snprintf(s.flags, sizeof(s.flags), "%s", a);
		}
		if (!strchr(s.flags, 'A') || s.size == 0)
			continue;
		if (strchr(s.flags, 'T') && strcmp(s.type, "NOBITS") == 0)
			continue;
		if (n < max)
			out[n++] = s;
	}
	pclose(f);
	return n;
}

#endif
