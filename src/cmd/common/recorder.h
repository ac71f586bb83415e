/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a recording as samples come (src/cmd/common/recorder.c): what
 * `record` and `watch --record` share. The file is written line by line
 * and flushed after each, so it is readable while it grows and after the
 * recorder is killed. The recorder also keeps the CPU budget: the regions
 * are read at a sample when the CPU time that every sample took so far, and
 * what the last sample with regions took, stay within cpu_permille of one
 * core over the recording (the totals are read at every sample whatever
 * they cost).
 */
#ifndef VMSCOPE_CMD_COMMON_RECORDER_H
#define VMSCOPE_CMD_COMMON_RECORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmscope/recording.h"

struct cmd_recorder {
	FILE *out;
	bool own_out;         /* opened here (not stdout) */
	char *path;
	struct vms_recorder rec;
	struct vms_rec_delta delta;
	int64_t interval_ns;
	uint32_t cpu_permille;
	int64_t start_mono;   /* the first sample's monotonic time */
	int64_t last_t;       /* the last sample's time after start */
	size_t samples, region_samples;
	/* the CPU budget in nanoseconds, and what the last sample with
	 * regions cost */
	int64_t budget_ns, cost_ns;
	int error;            /* the first write error, -errno */
};

/* Opens path for writing ("-": standard output); 0 or -errno. */
int cmd_recorder_open(struct cmd_recorder *r, const char *path, int64_t interval_ns,
		      uint32_t cpu_permille);
/* Whether the next sample, now_mono, should read the regions. */
bool cmd_recorder_want_regions(struct cmd_recorder *r, int64_t now_mono);
/* Charges a sample of cpu_ns CPU time (regions: it read them) to the budget. */
void cmd_recorder_charge(struct cmd_recorder *r, int64_t cpu_ns, bool regions);
/* Appends snap (the header first, with the first sample); regions: snap
 * read its regions. 0 or -errno (the first write error, kept). */
int cmd_recorder_add(struct cmd_recorder *r, const struct vms_snapshot *snap, bool regions);
/* Bytes written so far. */
uint64_t cmd_recorder_bytes(const struct cmd_recorder *r);
/* Writes the end line (when a sample was written), closes the file; 0 or -errno. */
int cmd_recorder_close(struct cmd_recorder *r, enum vms_rec_end end, int64_t now_mono);

#endif
