/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of reporters: the top of src/report. It calls the renderers
 * (text.c, json.c, openmetrics.c, html.c) and nothing calls back into it; what the
 * renderers share is in format.c, below them.
 */
#include "config.h"

#include "vmscope/report.h"

#include <string.h>

const struct vms_reporter vms_reporters[] = {
	{ "text", vms_report_text },
	{ "json", vms_report_json },
	{ "openmetrics", vms_report_openmetrics },
	{ "html", vms_report_html },
	{ "prometheus", vms_report_prometheus },
	{ NULL, NULL },
};

const struct vms_reporter *vms_reporter_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct vms_reporter *r = vms_reporters; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

const struct vms_recording_reporter vms_recording_reporters[] = {
	{ "text", vms_report_recording_text },
	{ "json", vms_report_recording_json },
	{ "html", vms_report_recording_html },
	{ NULL, NULL },
};

const struct vms_recording_reporter *vms_recording_reporter_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct vms_recording_reporter *r = vms_recording_reporters; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}
