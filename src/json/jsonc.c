/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-c, loaded when vmscope first reads JSON: see jsonc.h. */
#include "config.h"

#define JSONC_LOADER
#include "json/jsonc.h"

#include "base/dl.h"

struct jsonc_api jsonc_api;

static const struct dl_symbol jsonc_symbols[] = {
#define JSONC_SYMBOL(name) { #name, (void **)&jsonc_api.name },
	JSONC_FUNCTIONS(JSONC_SYMBOL)
#undef JSONC_SYMBOL
};

static struct dl_library jsonc_library =
	DL_LIBRARY(JSONC_SONAME, jsonc_symbols, JSONC_SONAME " lacks a function of json-c");

int jsonc_load(const char **ret_why)
{
	return dl_library_load(&jsonc_library, ret_why);
}
