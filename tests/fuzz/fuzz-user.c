/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the readers of nsswitch.conf and /etc/passwd of
 * src/base/user.c. The first four bytes are the id looked for, the rest the
 * text. A name found is a whole first field of a line: in the text, no ':'
 * or newline in it, a ':' after it, not a NIS compat line's.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 4, *name;
	uint32_t uid;
	size_t len;

	if (size < 4)
		return 0;
	memcpy(&uid, data, 4);
	size -= 4;
	(void)user_files_first(text, size);
	if (user_passwd_find(text, size, (uid_t)uid, &name, &len) != 1)
		return 0;
	if (name < text || len >= size || (size_t)(name - text) >= size - len || name[len] != ':' ||
	    memchr(name, ':', len) || memchr(name, '\n', len) || (len && (*name == '+' || *name == '-')))
		abort();
	return 0;
}
