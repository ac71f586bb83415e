#!/bin/bash
# vmscope serve and list --format openmetrics, printing TAP: promtool checks
# every output, and a real Prometheus on loopback scrapes vmscope serve and
# answers a query for a frozen target's PSS with the kernel's value.
# usage: test-serve.sh VMSCOPE STATIC_TARGET
set -u
vmscope=$1 static_target=$2
source "$(dirname "$0")/tap.sh"

# GET URL: prints "STATUS" then the body; python3 is there (meson needs it)
get() {
	python3 - "$@" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2] if len(sys.argv) > 2 else "GET")
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        status, body = r.status, r.read()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read()
sys.stdout.write("%d\n" % status)
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

"$static_target" &
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

if command -v promtool >/dev/null; then
	check "promtool accepts serve's metrics of the whole machine" \
		bash -c "tail -n +2 '$tmp/machine.out' | promtool check metrics"
	check "promtool accepts list --format openmetrics" \
		bash -c "'$vmscope' list --format openmetrics | promtool check metrics"
else
	skip "OpenMetrics checked by promtool" "promtool (Debian package prometheus) is not installed"
fi
list_pss=$("$vmscope" list --format openmetrics --name static-target |
	sed -n "s/^vmscope_process_memory_bytes{pid=\"$spid\",.*measure=\"pss\"} //p")
[ "$list_pss" = "$want_pss" ] && ok "list --format openmetrics gives the target's PSS" ||
	not_ok "list --format openmetrics gives the target's PSS ($want_pss)" "got '$list_pss'"

# ---- a real Prometheus scrapes it
if command -v prometheus >/dev/null; then
	prom_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vmscope
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
	prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$prom_port" --log.level=warn 2>"$tmp/prometheus.log" &
	prom_pid=$!
	pids+=("$prom_pid")
	query="vmscope_process_memory_bytes{pid=\"$spid\",measure=\"pss\"}"
	url="http://127.0.0.1:$prom_port/api/v1/query?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")"
	got= start=$SECONDS
	while [ $((SECONDS - start)) -lt 20 ]; do
		got=$(get "$url" 2>/dev/null | tail -n +2 | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
		[ -n "$got" ] && break
		sleep 0.3
	done
	if [ "$got" = "$want_pss" ]; then
		ok "Prometheus scraped serve: its query for the target's PSS is smaps_rollup's ($got bytes, $((SECONDS - start)) s)"
	else
		not_ok "Prometheus answers the target's PSS as smaps_rollup's ($want_pss)" "got '$got'" \
			"$(tail -n 20 "$tmp/prometheus.log")"
	fi
	kill -TERM "$prom_pid"
	wait "$prom_pid" 2>/dev/null
else
	skip "a real Prometheus scrape" "prometheus (Debian package prometheus) is not installed"
fi
stop_serve machine

# ---- named processes: whole snapshots, with the per-kind breakdown
if start_serve named -l 0 "$spid" 'static-targ'; then
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
