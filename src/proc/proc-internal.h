/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the parsers of src/proc. */
#ifndef VMSCOPE_PROC_INTERNAL_H
#define VMSCOPE_PROC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vmscope/snapshot.h"

/*
 * A "Key:   value kB" line of smaps or smaps_rollup into c. *hint is the
 * index of the key expected next (the kernel prints them in a fixed order),
 * which makes the lookup O(1) on real input. Returns 1 if the key was one of
 * vms_mem_fields, 0 if it is unknown (ignored), -EBADMSG if malformed.
 */
int smaps_parse_mem_line(const char *line, size_t len, struct vms_counters *c, unsigned *hint);

/* Splits "Key:value" at the first ':'; -EBADMSG if there is none or the key is empty. */
int split_key(const char *line, size_t len, const char **ret_key, size_t *ret_klen,
	      const char **ret_val);

/* VMS_COLLECT_INSIGHTS of vms_collect, from the process's directory; never fails */
void collect_insights(int pid_dirfd, int root_fd, bool live, struct vms_snapshot *snap);

#endif
