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

# OpenMetrics 1.0 is checked by the strict parser of prometheus_client
# (Debian package python3-prometheus-client): promtool reads the Prometheus
# text format 0.0.4 only. om_python is the python3 that has it, or empty.
om_python=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
		om_python=$py
		break
	fi
done
# om_check: the OpenMetrics text on stdin parses; says what is wrong if not.
om_check() {
	"$om_python" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = sys.stdin.read()
families = list(text_string_to_metric_families(text))
if not text.endswith("# EOF\n"):
    sys.exit("no # EOF at the end")
print("%d families, %d samples" % (len(families), sum(len(f.samples) for f in families)))'
}
# om_ok DESCRIPTION COMMAND...: COMMAND's output is OpenMetrics that parse.
om_ok() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1 | om_check 2>&1); then ok "$what ($out)"; else not_ok "$what" "$out"; fi
}
