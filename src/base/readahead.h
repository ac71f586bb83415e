/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between procfile.c and its read-ahead thread (readahead.c); nobody else's. */
#ifndef VMSCOPE_BASE_READAHEAD_H
#define VMSCOPE_BASE_READAHEAD_H

#include <stdint.h>
#include <sys/types.h>

#include "base/procfile.h"

/* The thread for pf, just opened; plain reads if none can be made. */
void readahead_start(struct procfile *pf, int64_t poll_ns);
/* The next chunk behind pf's unread bytes: its length, 0 at the end, -errno. */
ssize_t readahead_take(struct procfile *pf);
/* The thread stopped and gone, if pf has one. */
void readahead_stop(struct procfile *pf);

#endif
