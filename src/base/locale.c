/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "base/locale.h"

#include <pthread.h>
#include <stddef.h>

static void (*loader)(void);
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void)
{
	if (loader)
		loader();
}

void locale_on_need(void (*fn)(void))
{
	loader = fn;
}

void locale_need(void)
{
	(void)pthread_once(&loaded, load);
}
