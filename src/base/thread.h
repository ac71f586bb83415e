/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_THREAD_H
#define VMSCOPE_BASE_THREAD_H

#include <pthread.h>

/*
 * pthread_create for a thread that should start at once beside the caller:
 * it is started on another CPU than the caller's, where it may, then lets
 * itself run anywhere. Returns what pthread_create returns.
 */
int thread_create_apart(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
