/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_MOUNTS_H
#define VMSCOPE_BASE_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a mountinfo text (proc(5): "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT
 * OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS" a line) says of the
 * filesystem of device major:minor, the device /proc/PID/maps gives a
 * mapped file (its superblock's, as mountinfo gives each mount's):
 * MOUNTS_FUSE when a mount of it is of type fuse, fuseblk or fuse.*;
 * MOUNTS_OTHER when it is mounted as another type; MOUNTS_NONE when no
 * line names it. Lines that are not of that form are skipped.
 */
enum mounts_kind { MOUNTS_NONE, MOUNTS_OTHER, MOUNTS_FUSE };
enum mounts_kind mounts_kind_of(const char *buf, size_t len, uint32_t major, uint32_t minor);

#endif
