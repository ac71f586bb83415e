/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What jsonw.c and jsonw-items.c share, and no one else. */
#ifndef VMSCOPE_JSON_JSONW_INTERNAL_H
#define VMSCOPE_JSON_JSONW_INTERNAL_H

#include <stdint.h>

#include "json/jsonw.h"

/* The bit of w's has_items, is_object and is_inline for depth d (1 up). */
#define BIT(d) (UINT64_C(1) << ((d) - 1))

/* Hands what w has buffered to its FILE, in one piece. */
void jsonw_flush_some(struct jsonw *w);

#endif
