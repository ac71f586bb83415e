/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connections of vmscope serve (src/cmd/common/http.c): one poll loop
 * serves many at once, so no client, however slow, holds up another.
 * A request must be whole (request line and headers) within a deadline from
 * its accept; past the cap on open connections a new one is answered 503
 * and closed; a request line that is malformed or holds a NUL byte gets 400.
 * Each connection is closed after its answer.
 */
#ifndef VMSCOPE_CMD_COMMON_HTTP_H
#define VMSCOPE_CMD_COMMON_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* A request the loop has read whole, its strings NUL-terminated. */
struct http_request {
	const char *method;  /* "GET", "HEAD", ... (a token) */
	const char *target;  /* "/metrics?x", it begins with '/' */
	const char *headers; /* the header lines after the request line, as sent */
};

/* Appends the whole answer (http_response) for req to out. */
typedef void (*http_handler_fn)(void *ctx, const struct http_request *req, struct strbuf *out);

struct http_limits {
	unsigned max_conns;  /* open at once; more are answered 503 */
	unsigned request_ms; /* from accept to the end of the headers */
	unsigned send_ms;    /* from the answer ready to its last byte sent */
	size_t max_request;  /* bytes of request line and headers; more get 431 */
};

/*
 * Accepts on lfd (non-blocking, listening) and serves each request by fn,
 * until *stop is set by a signal, which is taken only while waiting (ppoll
 * with waitmask). 0, or -errno when waiting itself fails.
 */
int http_serve(int lfd, const struct http_limits *lim, http_handler_fn fn, void *ctx,
	       const sigset_t *waitmask, volatile sig_atomic_t *stop);

/* An answer: the status line, these headers and the body (none for HEAD). */
void http_response(struct strbuf *out, const char *status, const char *type, const char *extra,
		   const char *body, size_t len, bool head);

#endif
