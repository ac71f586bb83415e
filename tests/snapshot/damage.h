/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Damages a JSON document one member at a time, for the loaders' tests: each
 * member (and the first element of each array of objects or arrays, every
 * element of an array of values) in turn gets a value of the wrong type,
 * values out of range for its type, and each member of an object is left
 * out. After each damage the loader must
 *   - refuse a wrong type with -EBADMSG, naming the member's path and the
 *     line and column of the value put there, unless the member is one it
 *     does not read (then it loads);
 *   - refuse a number no member holds (past 64 bits, the least int64) in the
 *     same way (each member path once over the documents of one counts);
 *     load a number past 32 bits, -1, INT64_MAX, an empty string
 *     or one cut short by a character, 0 or "" for a null, or refuse it
 *     with -EBADMSG (-EPROTONOSUPPORT: a version) at its place when the
 *     error names the member (a value may also be refused for what it
 *     contradicts elsewhere);
 *   - load without a member, or refuse with -EBADMSG at a place: when the
 *     message says a member is missing, it is that one, and the path is
 *     that of the object that lacks it (otherwise the message says what its
 *     absence contradicts).
 * A failure is reported through cmocka with the member's path.
 */
#ifndef VMSCOPE_TESTS_DAMAGE_H
#define VMSCOPE_TESTS_DAMAGE_H

#include <stddef.h>

#include "vmscope/load.h"

/* Loads len bytes of buf (and frees what it loaded): 0 or -errno, *err filled. */
typedef int (*damage_load_fn)(const char *buf, size_t len, struct vms_load_error *err, void *ctx);

struct damage_counts {
	unsigned members;  /* members and first elements damaged */
	unsigned required; /* members whose absence is refused */
	unsigned optional; /* members whose absence loads */
	unsigned accepted; /* values out of range that load */
	unsigned refused;  /* and that are refused */
	/* the paths already given values out of range: each is given them in
	 * the first document that has it only (they cost a load each) */
	char **ranged;
	size_t n_ranged;
};

/* Frees what damage_each_member kept in counts. */
void damage_counts_release(struct damage_counts *counts);

/* The loader says the line only (column 1), and the path of the value or of
 * an element that holds it (a recording's lines). */
#define DAMAGE_BY_LINE (1u << 0)
/* The loader says the path only, no place (a budget file's values). */
#define DAMAGE_BY_PATH (1u << 1)

/*
 * The document is text[off, off + len) (a line of JSON Lines, or all of
 * text); the damaged one is written on one line in its place. unread:
 * fnmatch(3) patterns of the paths of members the loader does not read
 * (NULL-ended, or NULL); a wrong type there must load. Counts are added to
 * *counts.
 */
void damage_each_member(const char *text, size_t off, size_t len, unsigned flags,
			damage_load_fn load, void *ctx, const char *const *unread,
			struct damage_counts *counts);

/* The 1-based line and column (in bytes) of byte off of s. */
void damage_position_of(const char *s, size_t off, unsigned *line, unsigned *col);

#endif
