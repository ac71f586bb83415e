/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing a recording as samples come: see recorder.h. */
#include "config.h"

#include "cmd/common/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cmd/common/files.h"
#include "json/write.h"

/* Budget saved up while regions are not read: ten intervals' worth. */
#define BUDGET_INTERVALS 10


int cmd_recorder_open(struct cmd_recorder *r, const char *path, int64_t interval_ns,
		      uint32_t cpu_permille)
{
	*r = (struct cmd_recorder){ .interval_ns = interval_ns, .cpu_permille = cpu_permille };
	vms_recorder_init(&r->rec);
	if (strcmp(path, "-") == 0) {
		r->out = stdout;
	} else {
		/* never through a link another user planted (files.h) */
		int fd = cmd_stream_open(path, NULL);

		if (fd < 0)
			return fd;
		r->out = fdopen(fd, "w");
		if (!r->out) {
			int e = errno;

			close(fd);
			return -e;
		}
		r->own_out = true;
	}
	r->path = xstrdup(path);
	return 0;
}

bool cmd_recorder_want_regions(struct cmd_recorder *r, int64_t now_mono)
{
	int64_t cap;

	if (r->samples == 0)
		return true;
	/* the share of one core earned since the last sample */
	r->budget_ns += (now_mono - r->start_mono - r->last_t) * (int64_t)r->cpu_permille / 1000;
	cap = r->interval_ns * BUDGET_INTERVALS * (int64_t)r->cpu_permille / 1000;
	if (cap < r->cost_ns)
		cap = r->cost_ns;
	if (r->budget_ns > cap)
		r->budget_ns = cap;
	return r->budget_ns >= r->cost_ns;
}

void cmd_recorder_charge(struct cmd_recorder *r, int64_t cpu_ns, bool regions)
{
	if (regions)
		r->cost_ns = cpu_ns;
	r->budget_ns -= cpu_ns;
}

int cmd_recorder_add(struct cmd_recorder *r, const struct vms_snapshot *snap, bool regions)
{
	int ret = 0;

	if (r->error)
		return r->error;
	errno = 0;
	if (r->samples == 0) {
		r->start_mono = snap->mono_ns;
		ret = vms_recording_write_header(r->out, snap, r->interval_ns, r->cpu_permille);
	}
	r->last_t = snap->mono_ns - r->start_mono;
	if (regions)
		vms_recorder_step(&r->rec, snap, &r->delta);
	if (ret == 0)
		ret = vms_recording_write_sample(r->out, snap, r->last_t,
						 regions ? &r->delta : NULL);
	r->samples++;
	if (regions)
		r->region_samples++;
	if (ret < 0)
		r->error = errno ? -errno : ret;
	return r->error;
}

uint64_t cmd_recorder_bytes(const struct cmd_recorder *r)
{
	long pos = r->out ? ftell(r->out) : -1;

	return pos > 0 ? (uint64_t)pos : 0;
}

int cmd_recorder_close(struct cmd_recorder *r, enum vms_rec_end end, int64_t now_mono)
{
	int ret = r->error;

	errno = 0;
	if (r->samples && !ret)
		ret = vms_recording_write_end(r->out, end, now_mono - r->start_mono, r->samples);
	if (ret < 0 && !r->error)
		r->error = errno ? -errno : ret;
	if (r->own_out && fclose(r->out) != 0 && !r->error)
		r->error = -errno;
	r->out = NULL;
	vms_rec_delta_release(&r->delta);
	vms_recorder_release(&r->rec);
	free(r->path);
	r->path = NULL;
	return r->error;
}
