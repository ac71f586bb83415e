/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The library diff-target loads between its two stops: text, data and a .bss. */
int difflib_touch(void);

static char difflib_bss[64 * 1024];
int difflib_data = 42;

int difflib_touch(void)
{
	for (unsigned i = 0; i < sizeof(difflib_bss); i += 4096)
		((volatile char *)difflib_bss)[i] = (char)difflib_data;
	return difflib_bss[0] == 42 ? 0 : 1;
}
