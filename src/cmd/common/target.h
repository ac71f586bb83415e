/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a command works on (src/cmd/common/target.c): a live process named
 * by PID|NAME, or a snapshot file, each turned into a snapshot with a
 * message when it cannot be; and --reset-refs on a live process.
 */
#ifndef VMSCOPE_CMD_COMMON_TARGET_H
#define VMSCOPE_CMD_COMMON_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

#include <stdint.h>

struct vms_recording;
struct vms_snapshot;

/* Loads a snapshot file ("-": standard input); 0, or EXIT_USAGE after a
 * message with the file, line and column. A recording stands for its last
 * sample with regions. */
int cmd_load_snapshot(const char *path, struct vms_snapshot **ret);
/* Loads a snapshot or a recording ("-": standard input): one of *ret_snap,
 * *ret_rec is set, the other NULL; 0 or EXIT_USAGE after a message. */
int cmd_load_document(const char *path, struct vms_snapshot **ret_snap,
		      struct vms_recording **ret_rec);
/* No --at: a recording stands for its last sample with regions. */
#define CMD_AT_LAST INT64_MIN
/*
 * The snapshot of a recording's sample at at_ns after its start (the last
 * sample with regions at or before it; CMD_AT_LAST: the last one; -1: the
 * first one); path names the file in messages. 0 or EXIT_USAGE after a
 * message.
 */
int cmd_recording_sample(const struct vms_recording *rec, const char *path, int64_t at_ns,
			 struct vms_snapshot **ret);
/*
 * snap, no longer needed, left for the exit to give back; the one left
 * before is freed now (one at a time), and NULL only frees that one. Freed,
 * a snapshot's regions (300 KiB at 1,000 VMAs) go back to the system with
 * a TLB flush and their pages dropped one by one, which the exit does at a
 * fraction of the cost (0.03 to 0.1 ms of a report of 6 ms on a virtual
 * machine with shadow page tables: README, Speed). Held, not lost.
 */
void cmd_leave_to_exit(struct vms_snapshot *snap);
/* Resolves PID|NAME and inspects it whole; 0 or an exit status after a message. */
int cmd_inspect_target(int root_fd, const char *proc_root, const char *target, bool full,
		       struct vms_snapshot **ret);
/*
 * A snapshot file (a path, '-', or an existing file) or else a live
 * PID|NAME; a recording stands for its sample at at_ns (as
 * cmd_recording_sample), and then, with ret_first, *ret_first is its first
 * sample with regions (else NULL).
 */
int cmd_snapshot_operand(const char *arg, const char *proc_root, bool full, int64_t at_ns,
			 struct vms_snapshot **ret, struct vms_snapshot **ret_first);
/* --at T: "first", "last", or a time since the start such as 90s; -EINVAL after a message. */
int cmd_parse_at(const char *arg, int64_t *ret_ns);
/* --reset-refs: clears the referenced bits of pid, says so, waits; 0 or an exit status. */
int cmd_reset_refs(int root_fd, pid_t pid, unsigned seconds);

#endif
