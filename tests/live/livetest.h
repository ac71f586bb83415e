/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the live tests (cmocka, json-c) share: reading vmscope's JSON and
 * files whole, finding a region, ending a target. Each fails the running
 * test with a message rather than returning an error.
 */
#ifndef VMSCOPE_TESTS_LIVETEST_H
#define VMSCOPE_TESTS_LIVETEST_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

/* The member key of o; fails the test when o has none. */
json_object *lt_get(json_object *o, const char *key);

/* The region of a report or snapshot that starts at addr; fails without one. */
json_object *lt_region_at(json_object *report, uint64_t addr);

/* The whole file, NUL-terminated (free it); NULL when it cannot be opened. */
char *lt_slurp_maybe(const char *path);
/* The same; fails the test when the file cannot be opened. */
char *lt_slurp(const char *path);

/* Kills and reaps *pid (when > 0), closes *out (when open); zeroes both. */
void lt_kill_target(pid_t *pid, FILE **out);

#endif
