#!/bin/bash
# test-totals.sh VMSCOPE TARGET: a report's totals are the target's own
# smaps_rollup, read here at the same frozen instant (SIGSTOP), not a sum of
# its regions (each region's PSS is cut to a kB of its own); TAP.
#
# The rule of tests/live: a live test compares with the kernel's numbers
# read at the instant vmscope read them (the target stopped, the file read
# before and after the run and equal), never with a second vmscope run.
set -u
vmscope=${1:?usage: test-totals.sh VMSCOPE TARGET}
target=${2:?usage: test-totals.sh VMSCOPE TARGET}
tmp=$(mktemp -d) || exit 1
pid=
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/ready.sh"

cleanup() {
	[ -n "$pid" ] && kill -KILL -- "-$pid" "$pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A target with private, shared (forked) and file pages, stopped by itself.
setsid "$target" --comm "vt-$$" --anon-pages 300 --anon-touch 211 --shared-pages 37 \
	--children 2 --file "$target" --file-read 5 >"$tmp/target.out" </dev/null &
pid=$!
wait_ready "$pid" "$tmp/target.out" || {
	echo "Bail out! the target did not get ready"
	exit 1
}

# frozen FILE CMD...: CMD > FILE with smaps_rollup read before and after it,
# equal (the kernel's own pages move even in a stopped process: reclaim,
# page cache); the rollup read is left in $tmp/rollup.
frozen() {
	local out=$1 i
	shift
	for i in $(seq 20); do
		cat "/proc/$pid/smaps_rollup" >"$tmp/rollup.before"
		"$@" >"$out" 2>"$tmp/err" || return 1
		cat "/proc/$pid/smaps_rollup" >"$tmp/rollup"
		cmp -s "$tmp/rollup.before" "$tmp/rollup" && return 0
	done
	echo "# smaps_rollup of $pid moved during every run" >&2
	return 1
}

# Every smaps_rollup key against the report's totals.rollup, then uss.
compare_json() { # file
	python3 - "$1" "$tmp/rollup" <<'EOF'
import json, re, sys
totals = json.load(open(sys.argv[1]))["totals"]
kernel = {}
for line in open(sys.argv[2]):
    m = re.match(r"^(\w+):\s+(\d+) kB$", line)
    if m:
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", m.group(1)).lower()
        kernel[{"lazy_free": "lazyfree"}.get(name, name)] = int(m.group(2)) * 1024
bad = [f"{k}: report {totals['rollup'].get(k)}, smaps_rollup {v}"
       for k, v in kernel.items() if totals["rollup"].get(k) != v]
uss = kernel["private_clean"] + kernel["private_dirty"]
if totals["uss"] != uss:
    bad.append(f"uss: report {totals['uss']}, smaps_rollup {uss}")
if len(kernel) < 15:
    bad.append(f"only {len(kernel)} keys in smaps_rollup")
print("\n".join("# " + b for b in bad) if bad else f"# {len(kernel)} keys")
sys.exit(1 if bad else 0)
EOF
}

if frozen "$tmp/report.json" "$vmscope" -f json "$pid" && compare_json "$tmp/report.json" >"$tmp/why"; then
	ok "report -f json: totals.rollup is every key of smaps_rollup, and uss ($(cat "$tmp/why"))"
else
	not_ok "report -f json: totals.rollup is every key of smaps_rollup, and uss" "$(cat "$tmp/why" "$tmp/err")"
fi

if frozen "$tmp/snap.json" "$vmscope" snapshot "$pid" && compare_json "$tmp/snap.json" >"$tmp/why"; then
	ok "snapshot: totals.rollup is every key of smaps_rollup, and uss ($(cat "$tmp/why"))"
else
	not_ok "snapshot: totals.rollup is every key of smaps_rollup, and uss" "$(cat "$tmp/why" "$tmp/err")"
fi

# For the log: the regions' PSS, each cut to a kB, sum below the total.
python3 - "$tmp/report.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("# regions' pss sum %d, smaps_rollup's %d" %
      (sum(r["mem"].get("pss", 0) for r in d["regions"]), d["totals"]["rollup"]["pss"]))
EOF

# OpenMetrics: pss and uss of the process are smaps_rollup's.
metric() { # measure
	sed -n "s/^vmscope_process_memory_bytes{pid=\"$pid\",.*measure=\"$1\"} \\([0-9]*\\)\$/\\1/p" \
		"$tmp/metrics"
}
rollup_kb() { # key
	awk -v k="$1:" '$1 == k { print $2 * 1024 }' "$tmp/rollup"
}
if frozen "$tmp/metrics" "$vmscope" -f openmetrics "$pid"; then
	want="$(rollup_kb Pss) $(($(rollup_kb Private_Clean) + $(rollup_kb Private_Dirty)))"
	got="$(metric pss) $(metric uss)"
	if [ "$want" = "$got" ]; then
		ok "openmetrics: pss and uss are smaps_rollup's ($got)"
	else
		not_ok "openmetrics: pss and uss are smaps_rollup's" "want $want" "got  $got"
	fi
else
	not_ok "openmetrics: pss and uss are smaps_rollup's" "$(cat "$tmp/err")"
fi

echo "1..$n"
[ $failed -eq 0 ]
