/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmscope serve: answers Prometheus scrapes over HTTP/1.1. GET /metrics
 * gives the metrics of the whole machine (every process's totals, as
 * `vmscope list` reads them, or their sums by program, user or cgroup) or
 * of the processes named (whole, with the per-kind breakdown), read afresh
 * for each scrape: OpenMetrics 1.0 when the scraper's Accept header asks
 * for it, the Prometheus text format 0.0.4 otherwise. The connections are
 * served together by one poll loop (src/cmd/common/http.c), each closed
 * after its answer: a slow client holds no one up, and is dropped when its
 * request is not whole 5 s after it connected.
 */
#include "config.h"

#include "cmd/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/parse.h"
#include "base/xalloc.h"
#include "cmd/common/cli.h"
#include "cmd/common/http.h"
#include "cmd/common/metrics.h"
#include "cmd/common/options.h"
#include "cmd/common/procs.h"
#include "vmscope/collect.h"
#include "vmscope/elf.h"
#include "vmscope/list.h"
#include "vmscope/model.h"
#include "vmscope/report.h"
#include "vmscope/snapshot.h"
#include "tui/viewmodel.h"

#define SERVE_DEFAULT_PORT "9847"
#define SERVE_MAX_REQUEST 8192 /* bytes of request line and headers */
#define SERVE_TIMEOUT_S 5      /* to receive a request whole, and to send an answer */
#define SERVE_MAX_CONNS 128    /* open at once: more are answered 503 */

static const struct cli_option serve_options[] = {
	{ "listen", 'l', required_argument, 'l', "ADDR:PORT",
	  "listen there (default 127.0.0.1:" SERVE_DEFAULT_PORT "; PORT alone: on 127.0.0.1)" },
	{ "full", 0, no_argument, CMD_OPT_FULL, NULL, "match NAME against the whole command line" },
	{ "kernel", 'k', no_argument, 'k', NULL,
	  "include kernel threads (without PID|NAME)" },
	{ "by", 0, required_argument, OPT_PROCS_BY, "WHAT",
	  "sum the processes by program, user or cgroup, with a count (without PID|NAME)" },
	CLI_OPTION_PROC_ROOT,
	CLI_OPTION_HELP,
};

const struct cli_command serve_command = {
	.name = "serve",
	.synopsis = "vmscope serve [OPTIONS] [PID|NAME ...]",
	.summary = "Answer Prometheus scrapes over HTTP: GET /metrics gives every process's memory\n"
		   "totals (as 'vmscope list' reads them), or their sums by program, user or\n"
		   "cgroup (--by), or, for the processes named, their totals and the per-kind\n"
		   "breakdown, read afresh at each scrape. A NAME stands for every process it\n"
		   "matches at that scrape. OpenMetrics 1.0 when the scraper asks for it (Accept),\n"
		   "the Prometheus text format 0.0.4 otherwise. It listens on 127.0.0.1 only,\n"
		   "unless another address is given. SIGINT or SIGTERM stops it.\n",
	.options = serve_options,
	.n_options = ARRAY_SIZE(serve_options),
	.epilog = "Exit status: 0 stopped by a signal, 1 cannot listen, 2 usage error.\n",
};

struct serve_args {
	struct cmd_target_args t; /* no -o: serve writes to its clients */
	const char *listen;
	bool kernel;
	struct cmd_procs p; /* --by */
};

static int serve_option(int id, const char *arg, void *ctx)
{
	struct serve_args *a = ctx;

	switch (id) {
	case 'l':
		a->listen = arg;
		return 0;
	case 'k':
		a->kernel = true;
		return 0;
	case OPT_PROCS_BY:
		return cmd_procs_option(&a->p, id, arg, true);
	}
	return cmd_target_option(&a->t, id, arg) ? -EINVAL : 0;
}


struct server {
	struct serve_args a;
	char **targets;
	int n_targets;
	int root_fd;
	bool live;
	struct vms_lister *lister; /* without targets */
	struct vms_plist pl;
	struct vms_view view;      /* --by: the groups of pl */
	struct vms_elf_cache *cache; /* with targets: kept across scrapes */
};

static int machine_metrics(struct server *s, FILE *out, enum vms_metrics_format fmt)
{
	const struct vms_pentry **entries;
	struct vms_host host;
	int r;

	r = vms_lister_collect(s->lister, &s->pl);
	if (r < 0)
		return r;
	vms_collect_host(s->root_fd, &host);
	if (s->a.p.by != VMS_GROUP_NONE) {
		vms_view_update(&s->view, &s->pl, NULL);
		if (s->a.p.by == VMS_GROUP_CGROUP && s->live) {
			int cg_fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			vms_view_fill_cgroup_mem(&s->view, cg_fd);
			if (cg_fd >= 0)
				close(cg_fd);
		}
		return cmd_view_metrics(out, fmt, &s->view, s->view.n_vis, &host);
	}
	entries = xcalloc(s->pl.n ? s->pl.n : 1, sizeof(*entries));
	for (size_t i = 0; i < s->pl.n; i++)
		entries[i] = &s->pl.items[i];
	r = cmd_pentries_openmetrics(out, fmt, entries, s->pl.n, &host);
	free(entries);
	return r;
}

/* The pids of the targets at this instant, ascending, each once. */
static size_t target_pids(struct server *s, pid_t **ret)
{
	pid_t *pids = NULL, *found, pid;
	size_t n = 0, alloc = 0, k = 0;
	int m;

	for (int i = 0; i < s->n_targets; i++) {
		if (cli_is_pid(s->targets[i], &pid)) {
			ARRAY_GROW(pids, n + 1, alloc);
			pids[n++] = pid;
			continue;
		}
		m = vms_find_by_name(s->root_fd, s->targets[i], s->a.t.full, &found);
		for (int j = 0; j < m; j++) {
			ARRAY_GROW(pids, n + 1, alloc);
			pids[n++] = found[j];
		}
		if (m >= 0)
			free(found);
	}
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		/* insertion sort: a handful of targets */
		pid = pids[i];
		for (; j > 0 && pids[j - 1] > pid; j--)
			pids[j] = pids[j - 1];
		pids[j] = pid;
	}
	for (size_t i = 0; i < n; i++)
		if (k == 0 || pids[k - 1] != pids[i])
			pids[k++] = pids[i];
	*ret = pids;
	return k;
}

static int targets_metrics(struct server *s, FILE *out, enum vms_metrics_format fmt)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct vms_snapshot **snaps;
	size_t n = target_pids(s, &pids), got = 0;
	int r;

	snaps = xcalloc(n ? n : 1, sizeof(*snaps));
	for (size_t i = 0; i < n; i++) {
		/* a process that is gone or exits meanwhile is simply not there */
		if (vms_inspect(s->root_fd, pids[i], s->live,
				VMS_INSPECT_REGIONS | VMS_INSPECT_THREADS | VMS_INSPECT_ELF, s->cache,
				&snaps[got]) >= 0)
			got++;
	}
	r = vms_openmetrics_write(out, fmt, (const struct vms_snapshot *const *)snaps, got);
	for (size_t i = 0; i < got; i++)
		vms_snapshot_free(snaps[i]);
	free(snaps);
	return r;
}

static void respond_text(struct strbuf *out, const char *status, const char *extra,
			 const char *text, bool head)
{
	http_response(out, status, "text/plain; charset=utf-8", extra, text, strlen(text), head);
}

static const char index_page[] =
	"<!DOCTYPE html>\n"
	"<html><head><meta charset=\"utf-8\"><title>vmscope</title></head>\n"
	"<body><h1>vmscope</h1>\n"
	"<p>Process memory for Prometheus: <a href=\"/metrics\">/metrics</a>.</p>\n"
	"</body></html>\n";

/*
 * The q of a media range's parameters (";version=1.0.0;q=0.5"), 1 without
 * one; -1 when it names a version that is not one of versions (NULL: any).
 */
static double accept_q(const char *params, size_t len, const char *const *versions)
{
	double q = 1;
	bool version_ok = true;

	while (len > 0) {
		const char *p = params, *end = memchr(params, ';', len);
		size_t n = end ? (size_t)(end - params) : len;

		while (n > 0 && (*p == ' ' || *p == '\t' || *p == ';')) {
			p++;
			n--;
		}
		if (n > 2 && strncasecmp(p, "q=", 2) == 0) {
			const char *num = p + 2;
			uint64_t milli;

			/* a weight of 0 to 1 with up to 3 decimals (RFC 9110) */
			q = parse_decimal(&num, p + n, 1000, 1000, &milli) == 0 ? (double)milli / 1000
										: 0;
		} else if (versions && n > 8 && strncasecmp(p, "version=", 8) == 0) {
			version_ok = false;
			for (const char *const *v = versions; *v; v++)
				if (n - 8 >= strlen(*v) && strncmp(p + 8, *v, strlen(*v)) == 0 &&
				    strspn(p + 8 + strlen(*v), " \t") == n - 8 - strlen(*v))
					version_ok = true;
		}
		if (!end)
			break;
		len -= (size_t)(end - params) + 1;
		params = end + 1;
	}
	return version_ok ? q : -1;
}

/*
 * OpenMetrics when an Accept header asks for it at least as much as for
 * the text format (text/plain, or any text or any type); the text format
 * otherwise, and without an Accept header. headers: the lines after the
 * request line.
 */
static enum vms_metrics_format pick_format(const char *headers)
{
	static const char *const om_versions[] = { "1.0.0", "0.0.1", NULL };
	static const char *const text_versions[] = { "0.0.4", NULL };
	double om = 0, text = 0;

	for (const char *line = headers, *next; line && *line; line = next) {
		const char *v, *eol;

		next = strchr(line, '\n');
		if (next)
			next++;
		if (strncasecmp(line, "Accept:", 7) != 0)
			continue;
		eol = line + strcspn(line, "\r\n");
		for (v = line + 7; v < eol;) {
			const char *comma = memchr(v, ',', (size_t)(eol - v)), *end = comma ? comma : eol;
			const char *semi, *type;
			size_t tlen;
			double q;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			type = v;
			semi = memchr(v, ';', (size_t)(end - v));
			tlen = (size_t)((semi ? semi : end) - type);
			while (tlen > 0 && (type[tlen - 1] == ' ' || type[tlen - 1] == '\t'))
				tlen--;
#define IS(t) (tlen == strlen(t) && strncasecmp(type, t, tlen) == 0)
			if (IS("application/openmetrics-text")) {
				q = accept_q(semi ? semi : end, (size_t)(end - (semi ? semi : end)), om_versions);
				if (q > om)
					om = q;
			} else if (IS("text/plain") || IS("text/*") || IS("*/*")) {
				q = accept_q(semi ? semi : end, (size_t)(end - (semi ? semi : end)),
					     IS("text/plain") ? text_versions : NULL);
				if (q > text)
					text = q;
			}
#undef IS
			v = comma ? comma + 1 : eol;
		}
	}
	return om > 0 && om >= text ? VMS_METRICS_OPENMETRICS : VMS_METRICS_PROMETHEUS;
}

/* The answer to one request (http_serve has read and checked its request line). */
static void handle(void *ctx, const struct http_request *req, struct strbuf *out)
{
	struct server *s = ctx;
	bool head = strcmp(req->method, "HEAD") == 0;
	size_t path_len = strcspn(req->target, "?");

	if (!head && strcmp(req->method, "GET") != 0) {
		respond_text(out, "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
			     "only GET and HEAD\n", false);
		return;
	}
	if (path_len == 1) {
		http_response(out, "200 OK", "text/html; charset=utf-8", NULL, index_page,
			      strlen(index_page), head);
	} else if (path_len == 8 && strncmp(req->target, "/metrics", 8) == 0) {
		char *body = NULL;
		size_t blen = 0;
		FILE *mem = open_memstream(&body, &blen);
		enum vms_metrics_format fmt = pick_format(req->headers);
		int r;

		if (!mem)
			die_oom(0);
		r = s->n_targets ? targets_metrics(s, mem, fmt) : machine_metrics(s, mem, fmt);
		if (fclose(mem) != 0 && r >= 0)
			r = -errno;
		if (r < 0) {
			struct strbuf msg;

			strbuf_init(&msg);
			strbuf_addf(&msg, "cannot read the processes: %s\n", strerror(-r));
			respond_text(out, "500 Internal Server Error", NULL, msg.buf, head);
			strbuf_release(&msg);
		} else {
			/* the answer depends on the Accept header */
			http_response(out, "200 OK", vms_metrics_content_type(fmt), "Vary: Accept\r\n",
				      body, blen, head);
		}
		free(body);
	} else {
		respond_text(out, "404 Not Found", NULL, "not found: try /metrics\n", head);
	}
}

/*
 * ADDR:PORT, [V6ADDR]:PORT, :PORT or PORT into a bound, listening socket;
 * without an address, the loopback. -errno after a message.
 */
static int listen_on(const char *spec)
{
	_cleanup_free_ char *copy = xstrdup(spec ? spec : "");
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	const char *host = "127.0.0.1", *port = SERVE_DEFAULT_PORT;
	char *colon = strrchr(copy, ':');
	char shown[NI_MAXHOST], shown_port[NI_MAXSERV];
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fd, r, one = 1;

	if (colon) {
		*colon = '\0';
		port = colon + 1;
		if (copy[0] == '[' && colon > copy + 1 && colon[-1] == ']') {
			colon[-1] = '\0';
			host = copy + 1;
		} else if (copy[0]) {
			host = copy;
		}
	} else if (copy[0]) {
		port = copy;
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    (host == copy && strchr(host, ':'))) {
		cli_error("--listen takes ADDR:PORT, [ADDR]:PORT or PORT, not '%s'",
			spec);
		return -EINVAL;
	}
	/* getaddrinfo takes a port modulo 65536: 99999 would be 34463 */
	errno = 0;
	if (strtoul(port, NULL, 10) > 65535 || errno) {
		cli_error("--listen takes a port from 1 to 65535 (0: any free port), not '%s'", port);
		return -EINVAL;
	}
	r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0) {
		cli_error("cannot listen on '%s': %s", spec, gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SERVE_MAX_CONNS) < 0 ||
		    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
			r = -errno;
			close(fd);
			fd = r;
		}
	} else {
		fd = -errno;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		/* an IPv6 address in brackets, as --listen takes it */
		cli_error("cannot listen on %s%s%s:%s: %s", strchr(host, ':') ? "[" : "", host,
			  strchr(host, ':') ? "]" : "", port, strerror(-fd));
		return fd;
	}
	if (getnameinfo((struct sockaddr *)&ss, sslen, shown, sizeof(shown), shown_port,
			sizeof(shown_port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(shown, sizeof(shown), "?");
	/* the port may have been 0: say which one it is (tests read this line) */
	cli_error("serving http://%s%s%s:%s/metrics",
		ss.ss_family == AF_INET6 ? "[" : "", shown, ss.ss_family == AF_INET6 ? "]" : "",
		shown_port);
	return fd;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Until SIGINT or SIGTERM; the signals are taken only while waiting. */
static int serve_loop(struct server *s, int lfd)
{
	static const struct http_limits limits = {
		.max_conns = SERVE_MAX_CONNS,
		.request_ms = SERVE_TIMEOUT_S * 1000,
		.send_ms = SERVE_TIMEOUT_S * 1000,
		.max_request = SERVE_MAX_REQUEST,
	};
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t block, waitmask;
	int r;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a client that hangs up early is its own business */
	signal(SIGPIPE, SIG_IGN);

	r = http_serve(lfd, &limits, handle, s, &waitmask, &stop_signal);
	if (r < 0) {
		fprintf(stderr, "vmscope: cannot wait for connections: %s\n", strerror(-r));
		return EXIT_GONE;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct server s = { .root_fd = -1 };
	int r, first, status, lfd;

	r = cli_parse(argc, argv, &serve_command, serve_option, &s.a, &first);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	s.targets = argv + first;
	s.n_targets = argc - first;
	s.root_fd = cli_open_proc_root(s.a.t.proc_root);
	if (s.root_fd < 0)
		return s.a.t.proc_root ? EXIT_USAGE : EXIT_GONE;
	s.live = cli_proc_root_is_live(s.a.t.proc_root);
	vms_plist_init(&s.pl);
	vms_view_init(&s.view, s.a.p.by);
	status = 0;
	if (s.n_targets && s.a.p.by != VMS_GROUP_NONE) {
		cli_error("--by sums every process; it takes no PID or NAME");
		status = EXIT_USAGE;
		goto out;
	}
	for (int i = 0; i < s.n_targets; i++) {
		pid_t pid, *found;

		if (cli_is_pid(s.targets[i], &pid))
			continue;
		r = vms_find_by_name(s.root_fd, s.targets[i], s.a.t.full, &found);
		if (r >= 0) {
			free(found);
			continue;
		}
		cli_error("'%s' is neither a PID nor a valid regular expression",
			s.targets[i]);
		status = EXIT_USAGE;
		goto out;
	}
	if (s.n_targets) {
		s.cache = vms_elf_cache_new();
	} else {
		r = vms_lister_new(s.root_fd, s.live,
				   (s.a.kernel ? VMS_LIST_KERNEL : 0) |
					   (s.a.p.by == VMS_GROUP_CGROUP ? VMS_LIST_CGROUP : 0),
				   &s.lister);
		/* scraped again and again: keep the files open, as top does */
		if (r == 0)
			r = vms_lister_keep(s.lister, vms_lister_fd_budget());
		if (r < 0) {
			cli_error("cannot list processes: %s", strerror(-r));
			status = EXIT_GONE;
			goto out;
		}
	}
	lfd = listen_on(s.a.listen);
	if (lfd < 0) {
		status = lfd == -EINVAL ? EXIT_USAGE : EXIT_GONE;
		goto out;
	}
	status = serve_loop(&s, lfd);
	close(lfd);
	if (stop_signal)
		fprintf(stderr, "vmscope: stopped by signal %d\n", (int)stop_signal);
out:
	vms_elf_cache_free(s.cache);
	vms_lister_free(s.lister);
	vms_plist_release(&s.pl);
	vms_view_release(&s.view);
	close(s.root_fd);
	return status;
}
