/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a JSON snapshot (schema VMS_SCHEMA_VERSION, as vms_report_json
 * writes it) back into a struct vms_snapshot, so that every reporter, diff
 * and budget runs on captured data exactly as on a live process. Writer and
 * reader of the format live in src/json.
 *
 * The loader trusts nothing in the file: every field is checked for its
 * type and range, regions must be sorted and disjoint, indices must point
 * inside their arrays. An error carries the line and column (1-based, the
 * column in bytes) of the offending value and the path to it.
 */
#ifndef VMSCOPE_LOAD_H
#define VMSCOPE_LOAD_H

#include <stddef.h>

#include "vmscope/snapshot.h"

/* Larger files are refused with -EFBIG: 65,530 regions take about 80 MiB. */
#define VMS_LOAD_MAX_BYTES (256u << 20)

struct vms_load_error {
	unsigned line, column; /* 0 when the error has no place (a read error) */
	char path[128];        /* "regions[3].start", "" for the document */
	char message[192];     /* lowercase, no final period */
};

/*
 * Parses len bytes of JSON. Returns 0 and a new snapshot in *ret (the
 * caller frees it), or -EBADMSG (malformed or not a snapshot),
 * -EPROTONOSUPPORT (another schema version), -EFBIG (over the size cap) or
 * -ELIBACC (json-c could not be loaded), with *err filled.
 */
int vms_snapshot_load(const char *buf, size_t len, struct vms_snapshot **ret,
		      struct vms_load_error *err);

/*
 * Reads and parses the file at path (relative to dirfd, AT_FDCWD for the
 * current directory). Also returns -errno from opening or reading it.
 */
int vms_snapshot_load_file(int dirfd, const char *path, struct vms_snapshot **ret,
			   struct vms_load_error *err);

#endif
