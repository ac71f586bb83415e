# TAP helpers of the snapshot command tests (sourced). Sets tmp (removed on
# exit, with every pid in pids killed), n and failed.
tmp=$(mktemp -d /tmp/vmscope-test.XXXXXX)
n=0 failed=0 pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | head -n 40 | sed 's/^/# /'; done
}
check() { # description command...
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}

# state of pid (third field of stat, after the last ')')
state() { sed -n 's/.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null; }
wait_stopped() {
	for _ in $(seq 1 500); do
		[ "$(state "$1")" = T ] && return 0
		sleep 0.01
	done
	return 1
}
