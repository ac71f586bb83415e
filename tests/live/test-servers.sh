#!/bin/bash
# test-servers.sh VMSCOPE SRCDIR: vmscope's labels on real programs, started
# here on loopback and stopped after: PostgreSQL (as postgres, in a temporary
# cluster), nginx (a master as root and workers as www-data, with a
# limit_conn zone), a JVM (a source file run by java) and node, each as the
# Debian packages of scripts/deps.sh's test set install them. Each process
# is frozen while vmscope and this script read it; server-labels.py compares
# the labels with the kernel's maps, /proc/sysvipc/shm, the threads' stack
# pointers and what the program is known to map. A program that is not
# installed, or that needs root when this is not, is skipped with the reason.
set -u
vmscope=${1:?usage: test-servers.sh VMSCOPE SRCDIR}
src=${2:?usage: test-servers.sh VMSCOPE SRCDIR}
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/../tap.sh"
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
pids=()

# What a failed run left: asked to end first (PostgreSQL removes its SysV
# segment only when it shuts down), then killed.
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -CONT "$p"
		kill -TERM "$p"
	done 2>/dev/null
	sleep 0.2
	[ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A port on loopback that nothing listens on now.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 20); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	echo 0
}

# until_ok TRIES CMD...: runs CMD every 0.1 s until it succeeds.
until_ok() {
	local i tries=$1
	shift
	for i in $(seq "$tries"); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# state FILE: the state letter of a task's stat FILE (after the name, which
# may hold spaces and parentheses: "VM Thread"); status 1 when it is gone.
state() {
	local stat
	{ stat=$(<"$1"); } 2>/dev/null || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

# stopped PID: every thread of PID is stopped (or has gone). SIGSTOP stops
# the threads of a group one after another: until the last has stopped, its
# task/TID/syscall says "running" and holds no stack pointer.
stopped() {
	local t s
	[ "$(state "/proc/$1/stat")" = T ] || return 1
	for t in /proc/"$1"/task/*; do
		s=$(state "$t/stat") || continue
		case $s in T | t | Z | X) ;; *) return 1 ;; esac
	done
}

# inspect NAME PID: freezes PID, reads it and runs vmscope on it, thaws it,
# then checks what server-labels.py says for NAME.
inspect() {
	local name=$1 pid=$2 dir=$tmp/$1 t line
	mkdir -p "$dir"
	kill -STOP "$pid"
	if ! until_ok 50 stopped "$pid"; then
		not_ok "$name: pid $pid did not stop"
		return
	fi
	cat "/proc/$pid/maps" >"$dir/maps"
	cat /proc/sysvipc/shm >"$dir/shm"
	: >"$dir/task"
	for t in /proc/"$pid"/task/*; do
		read -r -a line <"$t/syscall" || continue
		if [ ${#line[@]} -lt 3 ]; then
			not_ok "$name: thread ${t##*/} not stopped" "syscall: ${line[*]}"
			continue
		fi
		echo "${t##*/} ${line[-2]}" >>"$dir/task"
	done
	if ! python3 "$here/malloc-chunks.py" "$pid" >"$dir/chunks" 2>"$dir/chunks.err"; then
		not_ok "$name: malloc-chunks.py failed" "$(cat "$dir/chunks.err")"
		kill -CONT "$pid"
		return
	fi
	"$vmscope" --format json "$pid" >"$dir/snap.json" 2>"$dir/err" &&
		"$vmscope" --all --width 250 --color never "$pid" >"$dir/report.txt" 2>>"$dir/err"
	local rc=$?
	kill -CONT "$pid"
	if [ $rc -ne 0 ]; then
		not_ok "$name: vmscope exited $rc" "$(cat "$dir/err")"
		return
	fi
	# the owner's name as the system's name service gives it to ps
	local want got
	want=$(ps -o user:64= -p "$pid" | tr -d ' ')
	got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["process"]["user"])' \
		"$dir/snap.json")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		ok "$name: the user is ps's ($want)"
	else
		not_ok "$name: the user is ps's" "ps: $want" "vmscope: $got"
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) not_ok "${line#not ok }" ;;
		"# "*) printf '#   %s\n' "${line#\# }" ;;
		esac
	done < <(python3 "$here/server-labels.py" "$name" "$dir" 2>&1 || echo "not ok $name: server-labels.py failed")
}

# exe_mapped_again PID: the kernel's maps show PID's executable mapped
# executable (r-xp) where its address less its file offset is not the
# image's, that of its mapping at offset 0. Only r-xp: the image's own data
# segments can lie at another address less offset (node's RW segment).
exe_mapped_again() {
	local exe range perms off rest bases
	exe=$(readlink "/proc/$1/exe") || return 1
	bases=$(while read -r range perms off _ _ rest; do
		[ "$rest" = "$exe" ] && { [ "$perms" = r-xp ] || [ $((16#$off)) -eq 0 ]; } &&
			echo $((16#${range%-*} - 16#$off))
	done <"/proc/$1/maps" | sort -u | wc -l)
	[ "$bases" -gt 1 ]
}

# inspect_when NAME PID LOG SIGNAL TRIES CMD...: once CMD succeeds (tried
# every 0.1 s, TRIES times), inspects PID as NAME, and runs the function
# $after with PID when it is set; then ends it with SIGNAL.
after=
inspect_when() {
	local name=$1 pid=$2 log=$3 sig=$4 tries=$5
	shift 5
	pids+=("$pid")
	if until_ok "$tries" "$@"; then
		inspect "$name" "$pid"
		[ -n "$after" ] && "$after" "$pid"
	else
		not_ok "$name: did not get ready" "$(tail -n 20 "$log" 2>/dev/null)"
	fi
	kill "-$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

has_child() {
	pgrep -P "$1" >/dev/null
}

root=
[ "$(id -u)" -eq 0 ] && root=1

# ---- PostgreSQL ----------------------------------------------------------
postgres=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1)
if [ -z "$postgres" ]; then
	skip "postgres" "PostgreSQL is not installed (Debian package postgresql)"
elif [ -z "$root" ] || ! id postgres >/dev/null 2>&1; then
	skip "postgres" "starting it as the user postgres needs root"
else
	bin=$(dirname "$postgres")
	port=$(free_port)
	mkdir "$tmp/pg"
	chown postgres: "$tmp/pg"
	as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
	if "${as_pg[@]}" "$bin/initdb" -D "$tmp/pg/data" -A trust -U postgres -N \
		>"$tmp/pg/initdb.log" 2>&1; then
		"${as_pg[@]}" "$postgres" -D "$tmp/pg/data" -k "$tmp/pg" -p "$port" \
			-c listen_addresses=127.0.0.1 -c shared_buffers=16MB \
			>"$tmp/pg/log" 2>&1 &
		# the postmaster writes "ready" on its pid file's status line
		inspect_when postgres $! "$tmp/pg/log" INT 300 \
			grep -q '^ready' "$tmp/pg/data/postmaster.pid"
	else
		not_ok "postgres: initdb failed" "$(tail -n 20 "$tmp/pg/initdb.log")"
	fi
fi

# ---- nginx ---------------------------------------------------------------
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
	skip "nginx" "nginx is not installed (Debian package nginx)"
elif [ -z "$root" ]; then
	skip "nginx" "its workers run as www-data: that needs root"
else
	port=$(free_port)
	mkdir -p "$tmp/nginx/logs"
	cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
user www-data;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
worker_processes 2;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	limit_conn_zone \$binary_remote_addr zone=addr:1m;
	server {
		listen 127.0.0.1:$port;
		location / { limit_conn addr 10; return 200 "ok\n"; }
	}
}
EOF
	PATH=$PATH:/usr/sbin nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
		>"$tmp/nginx/out" 2>&1 &
	ngx=$!
	pids+=("$ngx")
	if until_ok 100 has_child "$ngx"; then
		inspect nginx "$ngx"
		inspect nginx-worker "$(pgrep -P "$ngx" | head -n 1)"
	else
		not_ok "nginx: no worker started" "$(cat "$tmp/nginx/out" "$tmp/nginx/logs/error.log" 2>/dev/null)"
	fi
	kill -QUIT "$ngx" 2>/dev/null
	wait "$ngx" 2>/dev/null
fi

# ---- a JVM ---------------------------------------------------------------
# java_more PID: a recording of the JVM and its pages carry the kinds the
# report gives its heap and code cache.
java_more() {
	local desc="java: record's regions have java_heap and code_cache"
	if "$vmscope" record --interval 200ms --duration 1s -q -o "$tmp/java/rec.jsonl" "$1" \
		2>"$tmp/java/rec.err" && grep -q '"java_heap"' "$tmp/java/rec.jsonl" &&
		grep -q '"code_cache"' "$tmp/java/rec.jsonl"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$tmp/java/rec.err")" \
			"$(grep -o '"[a-z_]*", [0-9]*, false' "$tmp/java/rec.jsonl" | sort | uniq -c)"
	fi
	desc="java: pages names the regions java_heap and code_cache"
	if "$vmscope" pages --format json "$1" >"$tmp/java/pages.json" 2>"$tmp/java/pages.err" &&
		grep -q '"kind": "java_heap"' "$tmp/java/pages.json" &&
		grep -q '"kind": "code_cache"' "$tmp/java/pages.json"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$tmp/java/pages.err")" \
			"$(grep -o '"kind": "[a-z_]*"' "$tmp/java/pages.json" | sort | uniq -c)"
	fi
}
if ! command -v java >/dev/null; then
	skip "java" "no JVM is installed (Debian package default-jre-headless)"
else
	mkdir -p "$tmp/java"
	cat >"$tmp/java/Idle.java" <<'EOF'
public class Idle {
    public static void main(String[] args) throws Exception {
        byte[][] keep = new byte[64][];
        for (int i = 0; i < keep.length; i++)
            keep[i] = new byte[64 * 1024];
        System.out.println("ready " + keep.length);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
EOF
	# (the JVM logs where it put its heap and its class space, and its
	# code cache is 32 MiB: what vmscope must find)
	(cd "$tmp/java" && exec java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
		-XX:ReservedCodeCacheSize=32m -Xlog:gc+heap+coops=debug:file=heap.log \
		-Xlog:gc+metaspace=info:file=metaspace.log Idle.java \
		>"$tmp/java/out" 2>&1) &
	after=java_more inspect_when java $! "$tmp/java/out" TERM 600 grep -q '^ready' "$tmp/java/out"
	# without a CDS archive: zero-based class pointers, the class space
	# right after the heap, its first part one region with the heap's last
	mkdir -p "$tmp/java-noshare"
	cp "$tmp/java/Idle.java" "$tmp/java-noshare/"
	(cd "$tmp/java-noshare" && exec java -Xshare:off -Xmx32m -XX:+UseSerialGC \
		-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m \
		-Xlog:gc+heap+coops=debug:file=heap.log \
		-Xlog:gc+metaspace=info:file=metaspace.log Idle.java \
		>"$tmp/java-noshare/out" 2>&1) &
	inspect_when java-noshare $! "$tmp/java-noshare/out" TERM 600 \
		grep -q '^ready' "$tmp/java-noshare/out"
	# and with compressed object pointers off: the heap high, the class
	# space low, where its base 0 reaches it
	mkdir -p "$tmp/java-nocoops"
	cp "$tmp/java/Idle.java" "$tmp/java-nocoops/"
	(cd "$tmp/java-nocoops" && exec java -Xshare:off -XX:-UseCompressedOops -Xmx32m \
		-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m \
		-Xlog:gc+metaspace=info:file=metaspace.log Idle.java \
		>"$tmp/java-nocoops/out" 2>&1) &
	inspect_when java-nocoops $! "$tmp/java-nocoops/out" TERM 600 \
		grep -q '^ready' "$tmp/java-nocoops/out"
fi

# ---- node ----------------------------------------------------------------
if ! command -v node >/dev/null; then
	skip "node" "node is not installed"
else
	# V8 maps its builtins (node's .text) again into its code range only
	# when the heap may grow past 2 GiB; node sizes the heap from the memory
	# it may use, so under a small memory limit (a CI job's cgroup) there is
	# no second mapping to label. The limit is forced here; it reserves
	# nothing.
	# Where V8 puts its code range is its own choice: about 1 start in 60
	# here it lands within 2 GiB of the binary and nothing is mapped again.
	# Node is started again, up to 8 times, until the kernel's maps show
	# the second mapping; the last start is inspected either way. It holds
	# a Buffer of 4 MiB, whose memory node has from glibc's malloc: a
	# mapping of its own (malloc mmap).
	for try in 1 2 3 4 5 6 7 8; do
		node --max-old-space-size=4096 \
			-e 'const b = Buffer.alloc(4 << 20, 1); console.log("ready"); setInterval(() => b, 1e9)' \
			>"$tmp/node.out" 2>&1 &
		node=$!
		if [ $try -eq 8 ] || { until_ok 200 grep -q '^ready' "$tmp/node.out" &&
			exe_mapped_again "$node"; }; then
			break
		fi
		kill -TERM "$node"
		wait "$node" 2>/dev/null
	done
	inspect_when node "$node" "$tmp/node.out" TERM 200 grep -q '^ready' "$tmp/node.out"
fi

finish
