/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "cmd/common/cli.h"

#include <errno.h>
#include <langinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/parse.h"
#include "base/procfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/canvas.h"
#include "vmscope/collect.h"
#include "vmscope/snapshot.h"

/*
 * "  -x, --long ARG         help" with the help wrapped at word breaks to fit
 * 80 columns, its lines aligned; an option too long for its column puts
 * the help on the lines below.
 */
static void print_option_help(FILE *out, const char *lhs, const char *help)
{
	enum { HELP_COL = 25, WIDTH = 79 };
	const char *p = help;
	int col;

	col = fprintf(out, "  %-22s", lhs);
	if (col > HELP_COL - 1) {
		fputc('\n', out);
		col = 0;
	}
	while (*p) {
		size_t word = strcspn(p, " ");

		if (col >= HELP_COL && col + 1 + (int)word > WIDTH) {
			fputc('\n', out);
			col = 0;
		}
		if (col < HELP_COL)
			col += fprintf(out, "%*s", HELP_COL - col, "");
		else
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", (int)word, p);
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/*
 * One conversion of cli_error's format at *fmt (just after its '%'), with
 * its argument from ap, onto out: a string escaped, anything else as printf
 * writes it. Flags, a width, a precision (also '*') and h, l, ll, z are known.
 */
static const char *error_conversion(struct strbuf *out, const char *fmt, va_list *ap)
{
	char spec[32] = "%", buf[128];
	size_t n = 1;
	int prec = -1, longs = 0;
	bool size = false, dot = false;

	for (; *fmt && strchr("-+ #0123456789.*hlz", *fmt) && n < sizeof(spec) - 14; fmt++) {
		if (*fmt == '*') {
			int v = va_arg(*ap, int);

			n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%d", v);
			if (dot)
				prec = v;
			continue;
		}
		if (*fmt == '.') {
			dot = true;
			prec = (int)strtol(fmt + 1, NULL, 10);
		}
		longs += *fmt == 'l';
		size = size || *fmt == 'z';
		spec[n++] = *fmt;
	}
	spec[n++] = *fmt;
	spec[n] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	switch (*fmt) {
	case 's': {
		const char *s = va_arg(*ap, const char *), *w = spec + 1;
		size_t at = out->len, len, width;
		bool left = false;

		s = s ? s : "(null)";
		escape_display(out, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
		/* the width, as printf pads: the escaped bytes to at least it */
		for (; *w && strchr("-+ #0", *w); w++)
			left = left || *w == '-';
		width = (size_t)strtoul(w, NULL, 10);
		len = out->len - at;
		if (len < width) {
			strbuf_addf(out, "%*s", (int)(width - len), "");
			if (!left) {
				/* the blanks before the text */
				memmove(out->buf + at + width - len, out->buf + at, len);
				memset(out->buf + at, ' ', width - len);
			}
		}
		return fmt + 1;
	}
	case 'd': case 'i': case 'c':
		if (size)
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, ssize_t));
		else if (longs)
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, long long));
		else
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, int));
		break;
	case 'u': case 'x': case 'X': case 'o':
		if (size)
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, size_t));
		else if (longs)
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, unsigned long long));
		else
			snprintf(buf, sizeof(buf), spec, va_arg(*ap, unsigned));
		break;
	case '%':
		snprintf(buf, sizeof(buf), "%%");
		break;
	default: /* not used by the messages: shown as written */
		snprintf(buf, sizeof(buf), "%s", spec);
		break;
	}
#pragma GCC diagnostic pop
	strbuf_addstr(out, buf);
	return *fmt ? fmt + 1 : fmt;
}

void cli_error(const char *fmt, ...)
{
	struct strbuf line;
	va_list ap;

	strbuf_init(&line);
	strbuf_addstr(&line, "vmscope: ");
	va_start(ap, fmt);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');

		if (!pct) {
			strbuf_addstr(&line, fmt);
			break;
		}
		strbuf_add(&line, fmt, (size_t)(pct - fmt));
		fmt = error_conversion(&line, pct + 1, &ap);
	}
	va_end(ap);
	strbuf_addch(&line, '\n');
	fputs(line.buf, stderr);
	strbuf_release(&line);
}

int cli_help_written(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* silent for a closed pipe, whose reader has gone */
		if (errno != EPIPE)
			fprintf(stderr, "vmscope: cannot write the help: %s\n",
				cli_strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}

void cli_usage(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "Usage: %s\n\n%s\nOptions:\n", cmd->synopsis, cmd->summary);
	for (size_t i = 0; i < cmd->n_options; i++) {
		const struct cli_option *o = &cmd->options[i];
		char lhs[64];
		int n;

		if (o->short_name)
			n = snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name, o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		if (n < 0)
			continue;
		print_option_help(out, lhs, o->help);
	}
	if (cmd->epilog)
		fprintf(out, "\n%s", cmd->epilog);
}

int cli_parse(int argc, char **argv, const struct cli_command *cmd,
	      int (*handle)(int id, const char *arg, void *ctx), void *ctx, int *ret_optind)
{
	_cleanup_free_ struct option *longopts = xcalloc(cmd->n_options + 1, sizeof(*longopts));
	_cleanup_free_ char *shortopts = xmalloc(2 * cmd->n_options + 3);
	_cleanup_free_ char **words = xcalloc((size_t)argc + 1, sizeof(*words));
	_cleanup_free_ bool *operand = xcalloc((size_t)argc + 1, sizeof(*operand));
	size_t ns = 0;
	int c, n = 0;

	/*
	 * '-': every operand comes back as option 1, in order, so options may
	 * stand anywhere whatever POSIXLY_CORRECT says; "--" still ends them.
	 */
	shortopts[ns++] = '-';
	shortopts[ns++] = ':'; /* a missing argument comes back as ':' */
	for (size_t i = 0; i < cmd->n_options; i++) {
		const struct cli_option *o = &cmd->options[i];

		longopts[i] = (struct option){ o->name, o->has_arg, NULL, o->id };
		if (o->short_name) {
			shortopts[ns++] = (char)o->short_name;
			if (o->has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';

	opterr = 0;
	optind = 0; /* glibc: start afresh, reading the mode of shortopts again */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 1) {
			operand[optind - 1] = true;
			continue;
		}
		if (c == CLI_OPT_HELP) {
			errno = 0;
			cli_usage(stdout, cmd);
			return cli_help_written() < 0 ? -EIO : 1;
		}
		if (c == ':') {
			cli_error("option '%s' needs an argument", argv[optind - 1]);
			return -EINVAL;
		}
		if (c == '?') {
			char opt[2] = { (char)optopt, '\0' };

			if (optopt && optopt < 0x100)
				cli_error("unknown option '-%s'", opt);
			else
				cli_error("unknown option '%s'", argv[optind - 1]);
			fprintf(stderr, "Try 'vmscope%s%s --help' for more information.\n",
				strcmp(cmd->name, "report") ? " " : "",
				strcmp(cmd->name, "report") ? cmd->name : "");
			return -EINVAL;
		}
		if (handle(c, optarg, ctx) < 0)
			return -EINVAL;
	}
	for (int i = optind; i < argc; i++)
		operand[i] = true;
	/* Permuted as GNU getopt does: the option words, then the operands in order. */
	for (int i = 1; i < argc; i++)
		if (!operand[i])
			words[n++] = argv[i];
	*ret_optind = n + 1;
	for (int i = 1; i < argc; i++)
		if (operand[i])
			words[n++] = argv[i];
	memcpy(argv + 1, words, (size_t)n * sizeof(*argv));
	return 0;
}

int cli_parse_color(const char *arg, enum cli_color *ret)
{
	if (strcmp(arg, "auto") == 0)
		*ret = CLI_COLOR_AUTO;
	else if (strcmp(arg, "always") == 0)
		*ret = CLI_COLOR_ALWAYS;
	else if (strcmp(arg, "never") == 0)
		*ret = CLI_COLOR_NEVER;
	else {
		cli_error("--color takes auto, always or never, not '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

bool cli_want_color(enum cli_color mode, int fd)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");

	if (mode != CLI_COLOR_AUTO)
		return mode == CLI_COLOR_ALWAYS;
	if (no_color && *no_color)
		return false;
	if (!term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd);
}

static bool locale_loaded;

void cli_locale_load(void)
{
	int saved = errno;

	if (locale_loaded)
		return;
	locale_loaded = true;
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	errno = saved;
}

const char *cli_strerror(int err)
{
	cli_locale_load(); /* the report loads it late: maybe not yet */
	return strerror(err);
}

/*
 * Whether the locale the environment names has UTF-8 for its character set:
 * the first of LC_ALL, LC_CTYPE and LANG that is set and not empty, its
 * codeset (after the '.', before a '@') "UTF-8" in any case, with or without
 * its '-'. Nothing set, or no codeset (C, POSIX, a name of an 8-bit locale):
 * no.
 */
static bool env_names_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *name = NULL, *cs;
	size_t n;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && !(name && *name); i++)
		name = getenv(vars[i]);
	if (!name || !(cs = strchr(name, '.')))
		return false;
	cs++;
	n = strcspn(cs, "@");
	return (n == 5 && strncasecmp(cs, "UTF-8", 5) == 0) ||
	       (n == 4 && strncasecmp(cs, "UTF8", 4) == 0);
}

bool cli_locale_utf8(void)
{
	static int utf8 = -1;

	if (utf8 < 0) {
		const char *cs = locale_loaded ? nl_langinfo(CODESET) : NULL;

		utf8 = locale_loaded ? cs && strcmp(cs, "UTF-8") == 0 : env_names_utf8();
	}
	return utf8;
}

unsigned cli_output_width(unsigned requested, int fd)
{
	struct winsize ws;
	const char *cols;

	if (requested)
		return requested;
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col >= 40 ? ws.ws_col : 40;
	cols = getenv("COLUMNS");
	if (cols) {
		long c = strtol(cols, NULL, 10);
		if (c >= 40 && c <= CANVAS_MAX_WIDTH)
			return (unsigned)c;
	}
	return 0;
}

int cli_parse_text_or_json(const char *arg, bool *ret_json)
{
	if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0) {
		cli_error("unknown format '%s' (text or json)", arg);
		return -EINVAL;
	}
	*ret_json = strcmp(arg, "json") == 0;
	return 0;
}

int cli_parse_uint(const char *name, const char *arg, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		cli_error("--%s takes a number from %u to %u, not '%s'", name, min,
			max, arg);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

int cli_open_proc_root(const char *proc_root)
{
	const char *root = proc_root ? proc_root : VMSCOPE_PROC_ROOT;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int r = -errno;

		cli_error("cannot open %s: %s", root, cli_strerror(-r));
		return r;
	}
	return fd;
}

bool cli_proc_root_is_live(const char *proc_root)
{
	struct stat a, b;

	if (!proc_root)
		return true;
	return stat(proc_root, &a) == 0 && stat(VMSCOPE_PROC_ROOT, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* strtol, met before smaps is read: why, in vms_proc_open (collect.c) */
bool cli_is_pid(const char *s, pid_t *ret)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return false;
	*ret = (pid_t)v;
	return true;
}

/* Several processes matched NAME: list them so the user can pick one. */
static void list_matches(int root_fd, const char *name, const pid_t *pids, int n)
{
	struct strbuf line;

	strbuf_init(&line);
	cli_error("%d processes match '%s'; name one by its PID:", n, name);
	for (int i = 0; i < n; i++) {
		struct vms_snapshot *snap = vms_snapshot_new();
		struct vms_proc *p;
		const char *what = "?";

		if (vms_proc_open(root_fd, pids[i], false, &p) == 0) {
			if (vms_collect(p, 0, snap) == 0)
				what = snap->proc.cmdline ? snap->proc.cmdline
				       : snap->proc.comm  ? snap->proc.comm
							  : "?";
			vms_proc_free(p);
		}
		strbuf_reset(&line);
		escape_display(&line, what, strlen(what));
		if (line.len > 70)
			strbuf_setlen(&line, 70);
		fprintf(stderr, "  %7d  %s\n", (int)pids[i], line.buf);
		vms_snapshot_free(snap);
	}
	strbuf_release(&line);
}

/*
 * Whether pid is a process (its thread group's leader), asked of the
 * kernel rather than of a file: pidfd_open() refuses any other thread
 * (EINVAL). Only where root_fd is the /proc of this process's PID
 * namespace (a proc file system whose self is this process), whose
 * numbers are the ones pidfd_open() takes. False where it cannot tell.
 * Reading status instead took 0.1 to 0.17 ms before the report's read of
 * smaps could begin (1,027 VMAs: 1 to 2% of the report's time).
 */
static bool is_process(int root_fd, pid_t pid)
{
	struct statfs fs;
	char self[24];
	ssize_t n;
	pid_t v;
	int fd;

	if (fstatfs(root_fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC)
		return false;
	n = readlinkat(root_fd, "self", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	if (!cli_is_pid(self, &v) || v != getpid())
		return false;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The process a thread id belongs to: /proc lists only processes, but
 * /proc/TID opens for any thread, and its files are the thread's process's
 * memory under another number. Returns pid for a process (is_process),
 * else the Tgid of pid's status, or pid.
 */
static pid_t thread_group_of(int root_fd, pid_t pid)
{
	struct strbuf sb;
	char name[32];
	const char *t;
	uint64_t v;
	pid_t tgid = pid;

	if (is_process(root_fd, pid))
		return pid;
	strbuf_init(&sb);
	snprintf(name, sizeof(name), "%d/status", (int)pid);
	if (procfile_read_at(root_fd, name, 64 * 1024, 0, &sb) >= 0 &&
	    (t = strstr(sb.buf, "\nTgid:\t")) && (t += 7, parse_dec_u64(&t, sb.buf + sb.len, &v) == 0) &&
	    v > 0 && v <= INT_MAX)
		tgid = (pid_t)v;
	strbuf_release(&sb);
	return tgid;
}

int cli_find_targets(int root_fd, const char *target, bool full, pid_t **ret_pids, int *ret_n)
{
	pid_t pid;
	int n, status = 0;

	*ret_pids = NULL;
	*ret_n = 0;
	if (cli_is_pid(target, &pid)) {
		pid_t tgid = thread_group_of(root_fd, pid);

		if (tgid != pid) {
			fprintf(stderr, "vmscope: %d is a thread of process %d, which this shows\n",
				(int)pid, (int)tgid);
			pid = tgid;
		}
		*ret_pids = xmalloc(sizeof(pid));
		**ret_pids = pid;
		*ret_n = 1;
		return 0;
	}
	/* "" would match every process, as a pattern: never what was meant
	 * (an unset shell variable, most likely) */
	if (!target[0]) {
		cli_error("an empty NAME matches every process: give a PID or a NAME");
		return EXIT_USAGE;
	}
	/* All digits but no valid pid (0, or past pid_max): a number, not a name. */
	if (target[0] && strspn(target, "0123456789") == strlen(target)) {
		cli_error("no process with pid %s", target);
		return EXIT_GONE;
	}
	/* a regular expression's characters are the locale's */
	cli_locale_load();
	n = vms_find_by_name(root_fd, target, full, ret_pids);
	if (n == -EINVAL) {
		cli_error("'%s' is neither a PID nor a valid regular expression", target);
		status = EXIT_USAGE;
	} else if (n < 0) {
		cli_error("cannot list processes: %s", cli_strerror(-n));
		status = EXIT_GONE;
	} else {
		*ret_n = n;
	}
	return status;
}

void cli_say_no_match(const char *target)
{
	cli_error("no process matches '%s'", target);
}

int cli_resolve_target(int root_fd, const char *target, bool full, pid_t *ret_pid)
{
	_cleanup_free_ pid_t *pids = NULL;
	int n, status;

	status = cli_find_targets(root_fd, target, full, &pids, &n);
	if (status)
		return status;
	if (n == 0) {
		cli_say_no_match(target);
		return EXIT_GONE;
	}
	if (n > 1) {
		list_matches(root_fd, target, pids, n);
		return EXIT_USAGE;
	}
	*ret_pid = pids[0];
	return 0;
}

/* Optimal string alignment distance: a swap of two neighbours is one edit. */
unsigned cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	_cleanup_free_ unsigned *d = NULL;

	if (la > 64 || lb > 64)
		return UINT_MAX;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], v = D(i - 1, j - 1) + cost;

			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	return D(la, lb);
#undef D
}

void cli_say_gone(pid_t pid, int r)
{
	if (r == -ENOENT)
		fprintf(stderr, "vmscope: no process with pid %d\n", (int)pid);
	else if (r == -EAGAIN)
		fprintf(stderr, "vmscope: process %d replaced its program (exec) during each of "
				"3 reads\n", (int)pid);
	else
		fprintf(stderr, "vmscope: process %d exited\n", (int)pid);
}
