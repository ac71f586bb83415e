/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Many HTTP connections in one poll loop, each with its deadline: see http.h. */
#include "config.h"

#include "cmd/common/http.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define HTTP_ACCEPTS_PER_ROUND 64 /* then the open connections get their turn */
#define HTTP_FD_PAUSE_MS 100      /* out of fds: accept again after this */

struct conn {
	int fd;
	int64_t deadline; /* ms, monotonic */
	bool writing;     /* the answer is in out; else the request is read into req */
	size_t len;
	struct strbuf out;
	size_t sent;
	char req[]; /* max_request + 1 */
};

struct loop {
	const struct http_limits *lim;
	http_handler_fn fn;
	void *ctx;
	struct conn **conns;
	size_t n, alloc;
	struct pollfd *pfds;
	size_t pfds_alloc;
	int64_t accept_after; /* out of fds until then */
};

void http_response(struct strbuf *out, const char *status, const char *type, const char *extra,
		   const char *body, size_t len, bool head)
{
	strbuf_addf(out,
		    "HTTP/1.1 %s\r\n"
		    "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n"
		    "Connection: close\r\n"
		    "Cache-Control: no-store\r\n"
		    "%s"
		    "\r\n",
		    status, type, len, extra ? extra : "");
	if (!head)
		strbuf_add(out, body, len);
}

static void response_text(struct strbuf *out, const char *status, const char *text)
{
	http_response(out, status, "text/plain; charset=utf-8", NULL, text, strlen(text), false);
}

/* What fits in the socket's buffer now, for an answer given on the way out. */
static void send_once(int fd, const char *status, const char *text)
{
	struct strbuf sb;

	strbuf_init(&sb);
	response_text(&sb, status, text);
	(void)send(fd, sb.buf, sb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	strbuf_release(&sb);
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	strbuf_release(&c->out);
}

static void conn_answer(struct loop *l, struct conn *c)
{
	c->writing = true;
	c->sent = 0;
	c->deadline = mono_ms() + l->lim->send_ms;
}

static bool is_token_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* METHOD SP TARGET SP HTTP/1.x, in place; false when it is not that. */
static bool parse_request_line(char *line, struct http_request *req)
{
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

	if (!sp1 || sp1 == line || !sp2 || sp1[1] != '/' || strchr(sp2 + 1, ' '))
		return false;
	for (const char *p = line; p < sp1; p++)
		if (!is_token_char(*p))
			return false;
	for (const char *p = sp1 + 1; p < sp2; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '0' || sp2[8] > '9' || sp2[9])
		return false;
	*sp1 = *sp2 = '\0';
	req->method = line;
	req->target = sp1 + 1;
	return true;
}

/* The request is whole in c->req: the answer into c->out. */
static void conn_dispatch(struct loop *l, struct conn *c)
{
	struct http_request req = { 0 };
	char *eol = strpbrk(c->req, "\r\n");

	req.headers = eol + (eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
	*eol = '\0';
	if (parse_request_line(c->req, &req))
		l->fn(l->ctx, &req, &c->out);
	else
		response_text(&c->out, "400 Bad Request", "bad request\n");
	conn_answer(l, c);
}

static void conn_read(struct loop *l, struct conn *c)
{
	size_t max = l->lim->max_request;
	ssize_t n = recv(c->fd, c->req + c->len, max - c->len, MSG_DONTWAIT);
	size_t from;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c); /* gone, or closed before asking anything */
		return;
	}
	/* the end of the headers may straddle two reads */
	from = c->len > 3 ? c->len - 3 : 0;
	if (memchr(c->req + c->len, '\0', (size_t)n)) {
		response_text(&c->out, "400 Bad Request", "bad request: a NUL byte\n");
		conn_answer(l, c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (strstr(c->req + from, "\r\n\r\n") || strstr(c->req + from, "\n\n")) {
		conn_dispatch(l, c);
	} else if (c->len >= max) {
		response_text(&c->out, "431 Request Header Fields Too Large", "request too large\n");
		conn_answer(l, c);
	}
}

static void conn_write(struct conn *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->sent, c->out.len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break; /* the client is gone: nothing to tell anyone */
		c->sent += (size_t)n;
	}
	(void)shutdown(c->fd, SHUT_WR);
	conn_close(c);
}

static void accept_some(struct loop *l)
{
	for (int i = 0; i < HTTP_ACCEPTS_PER_ROUND; i++) {
		int fd = accept4(l->pfds[0].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct conn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				l->accept_after = mono_ms() + HTTP_FD_PAUSE_MS;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN: no more for now */
		}
		if (l->n >= l->lim->max_conns) {
			send_once(fd, "503 Service Unavailable", "too many connections\n");
			close(fd);
			continue;
		}
		c = xmalloc(sizeof(*c) + l->lim->max_request + 1);
		c->fd = fd;
		c->deadline = mono_ms() + l->lim->request_ms;
		c->writing = false;
		c->len = 0;
		c->sent = 0;
		strbuf_init(&c->out);
		ARRAY_GROW(l->conns, l->n + 1, l->alloc);
		l->conns[l->n++] = c;
	}
}

/* The poll set for this round, and how long it may wait (-1: no deadline). */
static int prepare(struct loop *l, int lfd, int64_t now, size_t *ret_n)
{
	int64_t next = l->accept_after > now ? l->accept_after : INT64_MAX;

	ARRAY_GROW(l->pfds, l->n + 1, l->pfds_alloc);
	l->pfds[0] = (struct pollfd){ .fd = l->accept_after > now ? -1 : lfd, .events = POLLIN };
	for (size_t i = 0; i < l->n; i++) {
		struct conn *c = l->conns[i];

		l->pfds[i + 1] = (struct pollfd){ .fd = c->fd,
						  .events = c->writing ? POLLOUT : POLLIN };
		if (c->deadline < next)
			next = c->deadline;
	}
	*ret_n = l->n + 1;
	if (next == INT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now < 60000 ? next - now : 60000);
}

/* Serves what poll found ready, ends what is past its deadline, drops the closed. */
static void serve_ready(struct loop *l, size_t npfd)
{
	int64_t now;
	size_t k = 0;

	for (size_t i = 0; i + 1 < npfd; i++) {
		struct conn *c = l->conns[i];
		short re = l->pfds[i + 1].revents;

		if (!c->writing && (re & (POLLIN | POLLHUP | POLLERR)))
			conn_read(l, c);
		/* an answer is sent at once, without a round of poll */
		if (c->fd >= 0 && c->writing &&
		    (re & (POLLOUT | POLLHUP | POLLERR) || l->pfds[i + 1].events == POLLIN))
			conn_write(c);
	}
	now = mono_ms();
	for (size_t i = 0; i < l->n; i++) {
		struct conn *c = l->conns[i];

		if (c->fd >= 0 && c->deadline <= now) {
			if (!c->writing)
				send_once(c->fd, "408 Request Timeout", "request timeout\n");
			conn_close(c);
		}
		if (c->fd < 0)
			free(c);
		else
			l->conns[k++] = c;
	}
	l->n = k;
	if (l->pfds[0].revents & POLLIN)
		accept_some(l);
}

int http_serve(int lfd, const struct http_limits *lim, http_handler_fn fn, void *ctx,
	       const sigset_t *waitmask, volatile sig_atomic_t *stop)
{
	struct loop l = { .lim = lim, .fn = fn, .ctx = ctx };
	int r = 0;

	while (!*stop) {
		size_t npfd;
		int wait = prepare(&l, lfd, mono_ms(), &npfd);
		struct timespec ts = { .tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000L };

		if (ppoll(l.pfds, npfd, wait < 0 ? NULL : &ts, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		serve_ready(&l, npfd);
	}
	for (size_t i = 0; i < l.n; i++) {
		conn_close(l.conns[i]);
		free(l.conns[i]);
	}
	free(l.conns);
	free(l.pfds);
	return r;
}
