/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `json` reporter: the JSON snapshot, which src/json writes (and reads
 * back). A snapshot is the whole model: no report option shapes it.
 */
#include "config.h"

#include "vmscope/report.h"

#include "json/write.h"

int vms_report_json(FILE *out, const struct vms_snapshot *snap,
		    const struct vms_report_options *opt)
{
	(void)opt;
	return vms_json_write_snapshot(out, snap);
}
