/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum {
	OPT_COLOR = 0x100,
	OPT_PROC_ROOT,
	OPT_FULL,
};

struct option_doc {
	struct option opt;
	int short_name; /* 0 for none */
	const char *arg;
	const char *help;
};

static const struct option_doc option_docs[] = {
	{ { "format", required_argument, NULL, 'f' }, 'f', "FMT", "output format: text or json (default text)" },
	{ { "sort", required_argument, NULL, 's' }, 's', "KEY", "order of the region and object tables: rss, pss, uss, size, swap or address (default rss)" },
	{ { "all", no_argument, NULL, 'a' }, 'a', NULL, "list every region (VMA), not only the largest" },
	{ { "top", required_argument, NULL, 'n' }, 'n', "N", "how many regions and objects to list (default 15)" },
	{ { "bytes", no_argument, NULL, 'b' }, 'b', NULL, "print exact byte counts instead of human sizes" },
	{ { "color", required_argument, NULL, OPT_COLOR }, 0, "WHEN", "colors by region kind: auto, always or never (default auto; NO_COLOR is honoured)" },
	{ { "width", required_argument, NULL, 'w' }, 'w', "N", "output width in columns (default: the terminal's, else 80)" },
	{ { "full", no_argument, NULL, OPT_FULL }, 0, NULL, "match NAME against the whole command line, not just the process name" },
	{ { "proc-root", required_argument, NULL, OPT_PROC_ROOT }, 0, "DIR", "read processes from DIR instead of /proc (a captured directory)" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, "show this help and exit" },
	{ { "version", no_argument, NULL, 'V' }, 'V', NULL, "show the version and exit" },
};

void options_usage(FILE *out)
{
	fputs("Usage: vmscope [OPTIONS] [PID|NAME]\n"
	      "\n"
	      "Show where a process's memory is: totals, a layout diagram of its address\n"
	      "space, and the regions and mapped objects that hold the most. Without PID or\n"
	      "NAME, the calling shell is shown. NAME is an extended regular expression\n"
	      "matched like pgrep; when several processes match, they are listed.\n"
	      "\n"
	      "Options:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(option_docs); i++) {
		const struct option_doc *d = &option_docs[i];
		char lhs[64];
		int n;

		if (d->short_name)
			n = snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", d->short_name, d->opt.name,
				     d->arg ? " " : "", d->arg ? d->arg : "");
		else
			n = snprintf(lhs, sizeof(lhs), "    --%s%s%s", d->opt.name, d->arg ? " " : "",
				     d->arg ? d->arg : "");
		if (n < 0)
			continue;
		fprintf(out, "  %-22s %s\n", lhs, d->help);
	}
	fputs("\n"
	      "Exit status: 0 success, 1 the process does not exist or exited, 2 usage error\n"
	      "or several processes matched. See vmscope(1).\n",
	      out);
}

static int parse_uint(const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int options_parse(int argc, char **argv, struct vms_options *opt, FILE *err)
{
	struct option longopts[ARRAY_SIZE(option_docs) + 1];
	char shortopts[2 * ARRAY_SIZE(option_docs) + 3];
	size_t ns = 0;
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->format = "text";
	opt->sort = VMS_SORT_RSS;

	shortopts[ns++] = '+'; /* stop at the first non-option: PID or NAME */
	shortopts[ns++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < ARRAY_SIZE(option_docs); i++) {
		longopts[i] = option_docs[i].opt;
		if (option_docs[i].short_name) {
			shortopts[ns++] = (char)option_docs[i].short_name;
			if (option_docs[i].opt.has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	memset(&longopts[ARRAY_SIZE(option_docs)], 0, sizeof(longopts[0]));

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int r;

		switch (c) {
		case 'f':
			if (!vms_reporter_find(optarg)) {
				fprintf(err, "vmscope: unknown format '%s' (text or json)\n", optarg);
				return -EINVAL;
			}
			opt->format = optarg;
			break;
		case 's':
			r = vms_sort_from_string(optarg);
			if (r < 0) {
				fprintf(err, "vmscope: unknown sort key '%s' (rss, pss, uss, size, swap or address)\n",
					optarg);
				return -EINVAL;
			}
			opt->sort = (enum vms_sort)r;
			break;
		case 'a':
			opt->all = true;
			break;
		case 'n':
			if (parse_uint(optarg, 1000000, &opt->top) < 0 || opt->top == 0) {
				fprintf(err, "vmscope: --top takes a number from 1 to 1000000, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'b':
			opt->bytes = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				opt->color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				opt->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				opt->color = COLOR_NEVER;
			else {
				fprintf(err, "vmscope: --color takes auto, always or never, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'w':
			if (parse_uint(optarg, 1000, &opt->width) < 0 || opt->width < 40) {
				fprintf(err, "vmscope: --width takes a number from 40 to 1000, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_FULL:
			opt->full = true;
			break;
		case OPT_PROC_ROOT:
			opt->proc_root = optarg;
			break;
		case 'h':
			opt->help = true;
			return 0;
		case 'V':
			opt->version = true;
			return 0;
		case ':':
			fprintf(err, "vmscope: option '%s' needs an argument\n", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				fprintf(err, "vmscope: unknown option '-%c'\n", optopt);
			else
				fprintf(err, "vmscope: unknown option '%s'\n", argv[optind - 1]);
			fputs("Try 'vmscope --help' for more information.\n", err);
			return -EINVAL;
		}
	}
	if (optind < argc)
		opt->target = argv[optind++];
	if (optind < argc) {
		fprintf(err, "vmscope: one PID or NAME at a time ('%s' is one too many)\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
