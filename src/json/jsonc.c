/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-c, loaded when vmscope first reads JSON: see jsonc.h. */
#include "config.h"

#define JSONC_LOADER
#include "json/jsonc.h"

#include <pthread.h>

#include "base/dl.h"
#include "base/xalloc.h"

struct jsonc_api jsonc_api;

static pthread_once_t jsonc_once = PTHREAD_ONCE_INIT;
static int jsonc_error;
static const char *jsonc_why;

static void jsonc_open(void)
{
	static const struct dl_symbol symbols[] = {
#define JSONC_SYMBOL(name) { #name, (void **)&jsonc_api.name },
		JSONC_FUNCTIONS(JSONC_SYMBOL)
#undef JSONC_SYMBOL
	};

	jsonc_error = dl_open_symbols(JSONC_SONAME, symbols, ARRAY_SIZE(symbols),
				      JSONC_SONAME " lacks a function of json-c", &jsonc_why);
}

int jsonc_load(const char **ret_why)
{
	pthread_once(&jsonc_once, jsonc_open);
	if (jsonc_error && ret_why)
		*ret_why = jsonc_why;
	return jsonc_error;
}
