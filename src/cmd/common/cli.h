/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every command of the command line shares (src/cmd/common/cli.c): an
 * option table that drives both getopt_long and --help (a lint test checks
 * that the man page and every completion name each long option), options
 * that may follow the operands, the choice of color and width, and turning
 * PID|NAME into one pid. Only main.c, src/cmd/ and src/tui/ print or exit.
 */
#ifndef VMSCOPE_CMD_COMMON_CLI_H
#define VMSCOPE_CMD_COMMON_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum {
	EXIT_GONE = 1,  /* no such process, it exited, or a budget failed */
	EXIT_USAGE = 2, /* bad usage, bad input, or several matches */
	/* check and diff --exit-code, whose 1 is their verdict: the process to
	 * compare does not exist or exited, so there is no verdict */
	EXIT_NO_VERDICT = 3,
};

struct cli_option {
	const char *name; /* long name, without -- */
	int short_name;   /* 0 for none */
	int has_arg;      /* no_argument or required_argument */
	int id;           /* handed to the command's handler: short_name or a value >= 0x100 */
	const char *arg;  /* the argument's name in --help */
	const char *help;
};

struct cli_command {
	const char *name;     /* "report", "top", ... */
	const char *synopsis; /* "vmscope [OPTIONS] [PID|NAME]" */
	const char *summary;  /* paragraphs for --help, each line ending in \n */
	const struct cli_option *options;
	size_t n_options;
	const char *epilog;   /* after the options; may be NULL */
};

/* Option ids shared by the commands that take these options. */
enum {
	CLI_OPT_HELP = 'h',
	CLI_OPT_COLOR = 0x100,
	CLI_OPT_PROC_ROOT,
	CLI_OPT_FIRST_FREE = 0x180, /* commands number their own from here */
};

#define CLI_OPTION_HELP { "help", 'h', no_argument, CLI_OPT_HELP, NULL, "show this help and exit" }
#define CLI_OPTION_COLOR                                                                      \
	{ "color", 0, required_argument, CLI_OPT_COLOR, "WHEN",                               \
	  "colors: auto, always or never (default auto)" }
#define CLI_OPTION_PROC_ROOT                                                                  \
	{ "proc-root", 0, required_argument, CLI_OPT_PROC_ROOT, "DIR",                         \
	  "read processes from DIR instead of /proc" }

void cli_usage(FILE *out, const struct cli_command *cmd);
/* After help on stdout: 0, or -EIO after a message when it could not be
 * written (set errno to 0 before writing it). */
int cli_help_written(void);

/*
 * "vmscope: " and the message on stderr, a line. Every string argument (%s)
 * is something the user typed or a name from a process: it is shown escaped
 * (control bytes and invalid UTF-8 as \xNN), so that no argument reaches the
 * terminal raw. Every message that echoes an argument goes through here.
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parses argv[1..] by cmd->options, calling handle(id, optarg, ctx) for
 * each option. Options may stand before, between and after the operands;
 * "--" ends them (GNU permutation: argv is reordered so that the operands,
 * in their order, are argv[*ret_optind ... argc)). --help prints the usage
 * and returns 1. Returns 0, 1 after --help, or -EINVAL (-EIO: the help
 * could not be written) after one line on stderr (a usage error). Every command parses through this one function.
 */
int cli_parse(int argc, char **argv, const struct cli_command *cmd,
	      int (*handle)(int id, const char *arg, void *ctx), void *ctx, int *ret_optind);

enum cli_color { CLI_COLOR_AUTO = 0, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };
/* "auto" | "always" | "never" → 0, or -EINVAL after a message on stderr */
int cli_parse_color(const char *arg, enum cli_color *ret);
/* Whether to color output written to fd. */
bool cli_want_color(enum cli_color mode, int fd);
/*
 * The user's locale, its characters (UTF-8 or not, the width of a
 * character) and the C library's words (strerror), nothing else: numbers,
 * dates and collation stay C's, so that what vmscope prints (JSON, CSV,
 * OpenMetrics, text) reads the same everywhere, and the ten other
 * categories are not loaded. Once; errno kept. main() loads it before
 * every command but the report, snapshot and check, which load it only
 * where they need it (a UTF-8 locale takes 0.3 to 0.5 ms to load, a tenth
 * of a small process's report): for the width of a character that is not
 * ASCII and for an error's words (locale_need, which main() points here;
 * cli_strerror) and for a NAME's regular expression (cli_find_targets).
 * (cli_error's own escaping is the locale's no matter: escape.c decodes
 * UTF-8 itself.)
 */
void cli_locale_load(void);
/* strerror(err) in the locale's words: loads it first. */
const char *cli_strerror(int err);
/*
 * Whether the locale's character set is UTF-8 (else output keeps to ASCII):
 * the loaded locale's, or before it is loaded (the report) the one its
 * name in the environment says (LC_ALL, LC_CTYPE, LANG: ".UTF-8" or
 * ".utf8"), which is what the bytes written reach a terminal as. The two
 * differ only for a UTF-8 locale that is not installed, which loads as C.
 * The first answer stands for the process: a report that loads the
 * locale for a wide name keeps drawing as it began.
 */
bool cli_locale_utf8(void);
/*
 * requested, else the terminal's width on fd (40 at least), else COLUMNS
 * (40 to 1024, as the widest --width), else 0: no width, and text is printed in full lines (as ps
 * and git do when their output is not a terminal).
 */
unsigned cli_output_width(unsigned requested, int fd);
/* "text" or "json" for --format of a command with those two; -EINVAL after a message. */
int cli_parse_text_or_json(const char *arg, bool *ret_json);
/* A whole number in [min, max] for option name, or -EINVAL after a message. */
int cli_parse_uint(const char *name, const char *arg, unsigned min, unsigned max, unsigned *ret);

/* Opens the proc root (NULL: /proc); -errno after a message on stderr. */
int cli_open_proc_root(const char *proc_root);
/* Whether proc_root is this machine's live /proc. */
bool cli_proc_root_is_live(const char *proc_root);

/* Whether s is a PID (a positive decimal number), and which. */
bool cli_is_pid(const char *s, pid_t *ret);

/*
 * target: a PID, or a NAME matched like pgrep (full: against the whole
 * command line). *ret_pids (the caller frees) gets every process it names,
 * ascending, and *ret_n their count, 0 when none matches (nothing said).
 * Returns 0, or an exit status after a message: EXIT_USAGE for a bad
 * pattern, EXIT_GONE for a number that is no pid or processes unreadable.
 */
int cli_find_targets(int root_fd, const char *target, bool full, pid_t **ret_pids, int *ret_n);
/* "no process matches 'target'" on stderr */
void cli_say_no_match(const char *target);

/*
 * One process for a single-process command: cli_find_targets, where none
 * and several are errors.
 * target: a PID, or a NAME matched like pgrep (full: against the whole
 * command line). Returns 0 and the pid, or an exit status after a message:
 * EXIT_GONE (none matches), EXIT_USAGE (several match: they are listed,
 * or a bad pattern).
 */
int cli_resolve_target(int root_fd, const char *target, bool full, pid_t *ret_pid);

/* Edits (insert, delete, change, swap two neighbours) from a to b; UINT_MAX past 64 bytes. */
unsigned cli_edit_distance(const char *a, const char *b);

/* For vms_inspect's -ENOENT "no process with pid N", -EAGAIN that it kept
 * exec'ing, else "process N exited". */
void cli_say_gone(pid_t pid, int r);

#endif
