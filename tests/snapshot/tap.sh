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

# stable_text: a text report without the cgroup and machine lines and the
# lines they wrap onto. Those lines are not the process's (other processes'
# memory moves them), and their numbers change their length, so which item
# wraps changes from run to run. A capture has no cgroup line at all.
stable_text() { awk '/^(cgroup|machine) / { skip = 1; next } skip && /^  / { next } { skip = 0; print }'; }

# The files of a process that every report number comes from.
proc_files=(maps smaps smaps_rollup status stat)
# own FILE: one of them, but for status's SigQ, the signals queued to all
# the processes of its user (vmscope does not print it)
own() { if [ "${1##*/}" = status ]; then grep -v '^SigQ:' "$1"; else cat "$1"; fi; }
read_proc() { # pid dir
	local f
	mkdir -p "$2" || return 1
	for f in "${proc_files[@]}"; do own "/proc/$1/$f" >"$2/$f" || return 1; done
}
# at_one_instant PID CMD...: runs CMD, which reads the frozen PID more than
# once (vmscope runs to be compared with each other), between two reads of
# PID's own files; again while the two reads differ, 10 times at most. When
# they agree, every read in between saw the same instant of the process: a
# frozen process's pages still move (writeback of a just-linked binary,
# reclaim), and two runs at two instants need not agree. The agreed read
# stays in $tmp/kernel.PID/, for comparing with the kernel's own numbers.
# Returns CMD's status, or 1 when the files moved in every try.
at_one_instant() { # pid cmd...
	local pid=$1 i rc
	shift
	for i in $(seq 10); do
		read_proc "$pid" "$tmp/kernel.$pid" || return 1
		"$@"
		rc=$?
		read_proc "$pid" "$tmp/kernel-after.$pid" || return 1
		diff -r "$tmp/kernel.$pid" "$tmp/kernel-after.$pid" >/dev/null && return $rc
		echo "# try $i: the files of pid $pid moved; again" >&2
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
