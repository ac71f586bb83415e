#!/bin/bash
# vmscope serve and list --format openmetrics|prometheus, printing TAP:
# serve answers OpenMetrics 1.0 to a scraper whose Accept asks for it and
# the Prometheus text format 0.0.4 otherwise; promtool checks every 0.0.4
# output and prometheus_client's strict parser every OpenMetrics one; serve
# --by sums processes as list --by does, exactly the kernel's smaps_rollup of
# frozen targets; a real Prometheus on loopback scrapes serve in both formats
# and answers a query for a frozen target's PSS with the kernel's value.
# usage: test-serve.sh VMSCOPE STATIC_TARGET SRCDIR
set -u
vmscope=$1 static_target=$2 src=$3
source "$(dirname "$0")/tap.sh"

# GET URL [METHOD [ACCEPT]]: prints "STATUS" then the body; python3 is there
# (meson needs it). With GET_TYPE set, "STATUS CONTENT-TYPE" instead.
get() {
	python3 - "$@" <<'PY'
import os, sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2] if len(sys.argv) > 2 else "GET")
if len(sys.argv) > 3:
    req.add_header("Accept", sys.argv[3])
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        status, body = r.status, r.read()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read()
sys.stdout.write("%d%s\n" % (status, " " + r.headers["Content-Type"] if os.environ.get("GET_TYPE") and status == 200 else ""))
sys.stdout.flush()
sys.stdout.buffer.write(body)
PY
}

# start_serve NAME ARGS...: vmscope serve on a free loopback port (port 0);
# sets serve_pid and port from the line it prints
start_serve() {
	local name=$1
	shift
	"$vmscope" serve "$@" 2>"$tmp/$name.err" &
	serve_pid=$!
	pids+=("$serve_pid")
	port=
	for _ in $(seq 1 200); do
		port=$(sed -n 's|^vmscope: serving http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$tmp/$name.err")
		[ -n "$port" ] && return 0
		sleep 0.01
	done
	return 1
}

# stop_serve DESCRIPTION: SIGTERM ends it with status 0 and one line
stop_serve() {
	local rc
	kill -TERM "$serve_pid"
	wait "$serve_pid"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^vmscope: stopped by signal 15$' "$tmp/$1.err"; then
		ok "SIGTERM stops serve cleanly ($1)"
	else
		not_ok "SIGTERM stops serve cleanly ($1)" "exit $rc" "$(cat "$tmp/$1.err")"
	fi
}

# The target under a name of this run's own: other test runs on the machine
# start static targets too, and NAME would match them.
tname=stgt$$
cp "$static_target" "$tmp/$tname"
"$tmp/$tname" &
spid=$!
pids+=("$spid")
if ! wait_stopped "$spid"; then
	not_ok "the static target stops itself"
	echo "1..$n"
	exit 1
fi
want_pss=$(($(sed -n 's/^Pss: *\([0-9]*\) kB$/\1/p' "/proc/$spid/smaps_rollup") * 1024))

# ---- the whole machine
if ! start_serve machine --listen 127.0.0.1:0; then
	not_ok "serve says where it listens" "$(cat "$tmp/machine.err")"
	echo "1..$n"
	exit 1
fi
ok "serve listens on a free loopback port ($port)"
get "http://127.0.0.1:$port/metrics" >"$tmp/machine.out"
if [ "$(head -n 1 "$tmp/machine.out")" = 200 ] &&
	grep -q "^vmscope_process_memory_bytes{pid=\"$spid\",.*measure=\"pss\"} $want_pss\$" "$tmp/machine.out"; then
	ok "GET /metrics has every process, the frozen target's PSS among them"
else
	not_ok "GET /metrics has the frozen target's PSS ($want_pss)" "$(grep "pid=\"$spid\"" "$tmp/machine.out")"
fi
out=$(get "http://127.0.0.1:$port/")
if [ "$(head -n 1 <<<"$out")" = 200 ] && grep -q 'href="/metrics"' <<<"$out"; then
	ok "GET / is a page that links to /metrics"
else
	not_ok "GET / is a page that links to /metrics" "$out"
fi
out=$(get "http://127.0.0.1:$port/nothing")
[ "$(head -n 1 <<<"$out")" = 404 ] && ok "another path is 404" || not_ok "another path is 404" "$out"
out=$(get "http://127.0.0.1:$port/metrics" POST)
[ "$(head -n 1 <<<"$out")" = 405 ] && ok "POST is 405" || not_ok "POST is 405" "$out"
# where it cannot listen: the port taken (by the serve above), an address
# that is not this machine's (TEST-NET-1, IPv6's documentation prefix: bound,
# never reached), said as --listen takes it, IPv6 in brackets
for addr in "127.0.0.1:$port" 192.0.2.1:9847 "[2001:db8::1]:9847"; do
	"$vmscope" serve --listen "$addr" >/dev/null 2>"$tmp/listen.err"
	rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <"$tmp/listen.err")" = 1 ] &&
		[[ "$(cat "$tmp/listen.err")" == "vmscope: cannot listen on $addr: "?* ]] &&
		ok "cannot listen on $addr: exit 1 ($(cut -d: -f4- "$tmp/listen.err" | sed 's/^ //'))" ||
		not_ok "cannot listen on $addr: exit 1" "exit $rc" "$(cat "$tmp/listen.err")"
done
out=$(get "http://127.0.0.1:$port/metrics" HEAD)
[ "$out" = 200 ] && ok "HEAD answers without a body" || not_ok "HEAD answers without a body" "$out"
# a request that never ends: one bounded answer, and serve still answers others
out=$(python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000)
except OSError:
    pass
print(s.recv(100).split(b"\r\n")[0].decode())
PY
)
if [ "$out" = "HTTP/1.1 431 Request Header Fields Too Large" ] &&
	[ "$(get "http://127.0.0.1:$port/metrics" HEAD)" = 200 ]; then
	ok "an oversized request gets 431 and serve goes on"
else
	not_ok "an oversized request gets 431 and serve goes on" "$out"
fi
out=$(printf 'garbage\r\n\r\n' | python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).split(b"\r\n")[0].decode())' "$port")
[ "$out" = "HTTP/1.1 400 Bad Request" ] && ok "a malformed request is 400" || not_ok "a malformed request is 400" "$out"

# ---- the format: OpenMetrics when the Accept header asks for it
prom_accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
om_type='application/openmetrics-text; version=1.0.0; charset=utf-8'
text_type='text/plain; version=0.0.4; charset=utf-8'
bad=()
while IFS='|' read -r accept want; do
	got=$(GET_TYPE=1 get "http://127.0.0.1:$port/metrics" GET "$accept" | head -n 1)
	[ "$got" = "200 $want" ] || bad+=("Accept: '$accept': got '$got', want '200 $want'")
done <<ACCEPT
$prom_accept|$om_type
application/openmetrics-text|$om_type
application/openmetrics-text; version=1.0.0; q=0.9, text/plain; q=0.5|$om_type
text/plain;version=0.0.4|$text_type
*/*|$text_type
application/openmetrics-text;q=0.2,text/plain;q=0.8|$text_type
application/openmetrics-text;version=2.0.0|$text_type
application/json|$text_type
ACCEPT
[ "$(GET_TYPE=1 get "http://127.0.0.1:$port/metrics" | head -n 1)" = "200 $text_type" ] ||
	bad+=("no Accept: not the text format")
if [ ${#bad[@]} -eq 0 ]; then
	ok "serve negotiates: OpenMetrics 1.0 when Accept asks for it (Prometheus's own header), 0.0.4 otherwise"
else
	not_ok "serve negotiates the format by Accept" "${bad[@]}"
fi
get "http://127.0.0.1:$port/metrics" GET "$prom_accept" >"$tmp/machine.om"
if [ -n "$om_python" ]; then
	om_ok "serve's OpenMetrics of the whole machine parse" tail -n +2 "$tmp/machine.om"
	om_ok "list --format openmetrics parse" "$vmscope" list --format openmetrics
	om_ok "list --by cgroup --format openmetrics parse" "$vmscope" list --by cgroup --format openmetrics
else
	skip "OpenMetrics parsed" "prometheus_client (Debian package python3-prometheus-client) is not installed"
fi
if grep -q "^vmscope_process_memory_bytes{pid=\"$spid\",.*measure=\"pss\"} $want_pss\$" "$tmp/machine.om"; then
	ok "serve's OpenMetrics hold the frozen target's PSS"
else
	not_ok "serve's OpenMetrics hold the frozen target's PSS ($want_pss)" "$(grep "pid=\"$spid\"" "$tmp/machine.om")"
fi
if command -v promtool >/dev/null; then
	check "promtool accepts serve's metrics of the whole machine" \
		bash -c "tail -n +2 '$tmp/machine.out' | promtool check metrics"
	check "promtool accepts list --format prometheus" \
		bash -c "'$vmscope' list --format prometheus | promtool check metrics"
	check "promtool accepts list --by user --format prometheus" \
		bash -c "'$vmscope' list --by user --format prometheus | promtool check metrics"
else
	skip "metrics checked by promtool" "promtool (Debian package prometheus) is not installed"
fi
list_pss=$("$vmscope" list --format openmetrics --name "$tname" |
	sed -n "s/^vmscope_process_memory_bytes{pid=\"$spid\",.*measure=\"pss\"} //p")
[ "$list_pss" = "$want_pss" ] && ok "list --format openmetrics gives the target's PSS" ||
	not_ok "list --format openmetrics gives the target's PSS ($want_pss)" "got '$list_pss'"

# ---- a real Prometheus scrapes it, in both formats: directly (it asks for
# OpenMetrics first), and through a proxy that asks for the text format
# only. Each proxy passes the body through unchanged and notes the Accept
# header it sent and the Content-Type that came back.
if command -v prometheus >/dev/null; then
	cat >"$tmp/proxy.py" <<'PY'
import http.server, sys, urllib.request
upstream, accept, note, portfile = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sent = accept or self.headers.get("Accept", "")
        req = urllib.request.Request(upstream + self.path, headers={"Accept": sent})
        with urllib.request.urlopen(req, timeout=5) as r:
            body, ctype = r.read(), r.headers["Content-Type"]
        with open(note, "w") as f:
            f.write("%s|%s\n" % (sent, ctype))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write("%d\n" % s.server_address[1])
s.serve_forever()
PY
	# start_proxy NAME ACCEPT: a proxy to serve; sets proxy to its port
	start_proxy() {
		python3 "$tmp/proxy.py" "http://127.0.0.1:$port" "$2" "$tmp/$1.note" "$tmp/$1.port" \
			>/dev/null 2>"$tmp/$1.log" &
		pids+=("$!")
		proxy=
		for _ in $(seq 1 300); do
			[ -s "$tmp/$1.port" ] && { proxy=$(cat "$tmp/$1.port"); return; }
			sleep 0.01
		done
	}
	start_proxy om ""
	om_port=$proxy
	start_proxy text 'text/plain;version=0.0.4'
	text_port=$proxy
	prom_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: vmscope-om
    static_configs:
      - targets: ['127.0.0.1:$om_port']
  - job_name: vmscope-text
    static_configs:
      - targets: ['127.0.0.1:$text_port']
EOF
	prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$prom_port" --log.level=warn 2>"$tmp/prometheus.log" &
	prom_pid=$!
	pids+=("$prom_pid")
	for job in om text; do
		query="vmscope_process_memory_bytes{job=\"vmscope-$job\",pid=\"$spid\",measure=\"pss\"}"
		url="http://127.0.0.1:$prom_port/api/v1/query?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")"
		got= start=$SECONDS
		# a scrape of the whole machine takes seconds on a loaded machine
		while [ $((SECONDS - start)) -lt 45 ]; do
			got=$(get "$url" 2>/dev/null | tail -n +2 | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
			[ -n "$got" ] && break
			sleep 0.3
		done
		note=$(cat "$tmp/$job.note" 2>/dev/null)
		case "$job" in
		om) want_type=$om_type ;;
		text) want_type=$text_type ;;
		esac
		if [ "$got" = "$want_pss" ] && [ "${note#*|}" = "$want_type" ]; then
			ok "Prometheus scraped serve's ${want_type%%;*} (Accept: ${note%%|*}): its query for the target's PSS is smaps_rollup's ($got bytes, $((SECONDS - start)) s)"
		else
			not_ok "Prometheus answers the target's PSS as smaps_rollup's ($want_pss) from ${want_type%%;*}" \
				"got '$got'; the proxy saw: $note" "$(tail -n 20 "$tmp/prometheus.log")" \
				"targets: $(get "http://127.0.0.1:$prom_port/api/v1/targets" | tail -n +2 | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["labels"]["job"], t["health"], t["lastError"], t["lastScrapeDuration"])' 2>&1)"
		fi
	done
	kill -TERM "$prom_pid"
	wait "$prom_pid" 2>/dev/null
else
	skip "a real Prometheus scrape" "prometheus (Debian package prometheus) is not installed"
fi
stop_serve machine

# --kernel: kernel threads too (kthreadd, pid 2), which the plain listing leaves out
if [ "$(cat /proc/2/comm 2>/dev/null)" != kthreadd ]; then
	skip "serve --kernel lists kernel threads" "pid 2 is not kthreadd here (a pid namespace)"
elif start_serve kernel --listen 127.0.0.1:0 --kernel; then
	get "http://127.0.0.1:$port/metrics" >"$tmp/kernel.out"
	grep -q '^vmscope_process_page_faults_total{pid="2",comm="kthreadd",' "$tmp/kernel.out" &&
		! grep -q '{pid="2",' "$tmp/machine.out" &&
		ok "serve --kernel lists kernel threads (kthreadd), serve alone does not" ||
		not_ok "serve --kernel lists kernel threads" "$(grep 'pid="2",' "$tmp/kernel.out" "$tmp/machine.out")"
	stop_serve kernel
else
	not_ok "serve --kernel starts" "$(cat "$tmp/kernel.err")"
fi

# ---- serve --by: sums as list --by, with a process count; each group of
# frozen copies of the target is exactly the sum of their smaps_rollup
group=grp$$
cp "$static_target" "$tmp/$group"
gpids=()
for _ in 1 2 3; do
	"$tmp/$group" &
	gpids+=("$!")
	pids+=("$!")
done
for p in "${gpids[@]}"; do wait_stopped "$p" || not_ok "copy $p of the target stops itself"; done
group_pss=0
for p in "${gpids[@]}"; do
	group_pss=$((group_pss + $(sed -n 's/^Pss: *\([0-9]*\) kB$/\1/p' "/proc/$p/smaps_rollup") * 1024))
done
if start_serve by --listen 127.0.0.1:0 --by program; then
	get "http://127.0.0.1:$port/metrics" >"$tmp/by.out"
	get "http://127.0.0.1:$port/metrics" GET "$prom_accept" >"$tmp/by.om"
	count=$(sed -n "s/^vmscope_processes{program=\"$group\"} //p" "$tmp/by.out")
	pss=$(sed -n "s/^vmscope_memory_bytes{program=\"$group\",measure=\"pss\"} //p" "$tmp/by.out")
	if [ "$count" = 3 ] && [ "$pss" = "$group_pss" ] && ! grep -q 'pid=' "$tmp/by.out"; then
		ok "serve --by program: $group counts 3 processes, PSS the sum of their smaps_rollup ($pss), no pid label"
	else
		not_ok "serve --by program sums the 3 frozen copies" "count '$count', PSS '$pss' (want $group_pss)" \
			"$(grep "$group\|pid=" "$tmp/by.out" | head)"
	fi
	if command -v promtool >/dev/null; then
		check "promtool accepts serve --by program" bash -c "tail -n +2 '$tmp/by.out' | promtool check metrics"
	fi
	[ -n "$om_python" ] && om_ok "serve --by program's OpenMetrics parse" tail -n +2 "$tmp/by.om"
	stop_serve by
else
	not_ok "serve --by program starts" "$(cat "$tmp/by.err")"
fi
# On captured processes the sums are fixed: each group of serve --by is the
# group of list --by, and its PSS the sum of the fixtures' smaps_rollup.
mkdir -p "$tmp/fixtures/proc"
for d in "$src"/tests/fixtures/*/proc/[0-9]*; do ln -s "$d" "$tmp/fixtures/proc/"; done
for by in program user cgroup; do
	if ! start_serve "fx-$by" --listen 127.0.0.1:0 --by "$by" --proc-root "$tmp/fixtures/proc"; then
		not_ok "serve --by $by --proc-root starts" "$(cat "$tmp/fx-$by.err")"
		continue
	fi
	get "http://127.0.0.1:$port/metrics" | tail -n +2 >"$tmp/fx-$by.out"
	stop_serve "fx-$by"
	"$vmscope" list --by "$by" --format json --proc-root "$tmp/fixtures/proc" >"$tmp/fx-$by.json"
	out=$(python3 - "$by" "$tmp/fx-$by.out" "$tmp/fx-$by.json" "$tmp/fixtures/proc" <<'PY'
import json, os, re, sys
by, metrics, listing, proc = sys.argv[1:5]
got = {}
for line in open(metrics):
    m = re.match(r'^(vmscope_processes|vmscope_memory_bytes)\{%s="([^"]*)"(?:,measure="([a-z_]+)")?\} (\d+)$' % by, line)
    if m:
        got[(m.group(2), m.group(3) or "processes")] = int(m.group(4))
want = {}
for g in json.load(open(listing))["groups"]:
    want[(g[by], "processes")] = g["processes"]
    for k in ("vsz", "rss", "pss", "uss", "swap", "swap_pss"):
        if g.get(k) is not None:
            want[(g[by], k)] = g[k]
pss = 0
for pid in os.listdir(proc):
    for l in open(os.path.join(proc, pid, "smaps_rollup")):
        if l.startswith("Pss:"):
            pss += int(l.split()[1]) * 1024
total = sum(v for (g, k), v in got.items() if k == "pss")
if got != want or total != pss:
    print("serve: %s\nlist: %s\nPSS total %d, smaps_rollup %d" % (sorted(got.items()), sorted(want.items()), total, pss))
    sys.exit(1)
print("%d groups, PSS %d" % (len({g for g, k in got}), total))
PY
	)
	if [ $? -eq 0 ]; then
		ok "serve --by $by on captured processes: list --by $by's groups and sums, PSS smaps_rollup's ($out)"
	else
		not_ok "serve --by $by on captured processes: list --by $by's sums" "$out"
	fi
done
"$vmscope" serve --by program 1 >/dev/null 2>&1
[ $? -eq 2 ] && ok "serve --by with a PID is a usage error" || not_ok "serve --by with a PID is a usage error"
"$vmscope" serve --by library >/dev/null 2>&1
[ $? -eq 2 ] && ok "serve --by library is a usage error" || not_ok "serve --by library is a usage error"

# ---- named processes: whole snapshots, with the per-kind breakdown
if start_serve named -l 0 "$spid" "${tname%?}"; then
	get "http://127.0.0.1:$port/metrics" >"$tmp/named.out"
	out=$(cat "$tmp/named.out")
	pids_seen=$(grep -o 'pid="[0-9]*"' <<<"$out" | sort -u)
	if [ "$pids_seen" = "pid=\"$spid\"" ] &&
		grep -q "^vmscope_process_kind_memory_bytes{pid=\"$spid\",.*kind=\"heap\",measure=\"rss\"} [1-9]" <<<"$out" &&
		grep -q "^vmscope_process_memory_bytes{pid=\"$spid\",.*measure=\"pss\"} $want_pss\$" <<<"$out"; then
		ok "serve PID NAME: the target once, its PSS and its heap"
	else
		not_ok "serve PID NAME: the target once, its PSS and its heap" "$pids_seen" "$out"
	fi
	if command -v promtool >/dev/null; then
		check "promtool accepts serve's metrics of named processes" \
			bash -c "tail -n +2 '$tmp/named.out' | promtool check metrics"
	fi
	get "http://127.0.0.1:$port/metrics" GET "$prom_accept" >"$tmp/named.om"
	[ -n "$om_python" ] && om_ok "serve's OpenMetrics of named processes parse" tail -n +2 "$tmp/named.om"
	stop_serve named
else
	not_ok "serve PID NAME starts" "$(cat "$tmp/named.err")"
fi

# ---- usage
"$vmscope" serve -l 'x:y' >/dev/null 2>&1
[ $? -eq 2 ] && ok "a bad --listen is a usage error" || not_ok "a bad --listen is a usage error"
"$vmscope" serve '(' >/dev/null 2>&1
[ $? -eq 2 ] && ok "a bad NAME is a usage error before listening" || not_ok "a bad NAME is a usage error"

echo "1..$n"
[ $failed -eq 0 ]
