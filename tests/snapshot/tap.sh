# TAP helpers of the snapshot command tests (sourced). Sets tmp (removed on
# exit, with every pid in pids killed), n and failed.
tmp=$(mktemp -d /tmp/vmscope-test.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
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
