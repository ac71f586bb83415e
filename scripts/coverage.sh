#!/bin/bash
# coverage.sh [SUITE...]: builds vmscope with gcov (-Db_coverage=true) in
# build-coverage/, runs the meson suites (all of them, or those named:
# unit, live, golden, lint ...), writes an HTML report of src/ to
# build-coverage/coverage/index.html and ends with the line
#   lines: N.N% branches: N.N%
# for src/. It takes minutes; scripts/test.sh does not run it. gcovr comes
# from scripts/deps.sh's test set.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
bash scripts/deps.sh test || exit 1

out=build-coverage
if [ ! -d "$out" ]; then
	meson setup "$out" -Db_coverage=true -Dwerror=true >"$out.setup.log" 2>&1 || {
		cat "$out.setup.log" >&2
		exit 1
	}
	rm -f "$out.setup.log"
fi
ninja -C "$out" >/dev/null || exit 1
# Counts from an earlier run would add up with this one. Each counts file
# starts empty (gcov then writes it whole) and writable by everyone: the tests
# also run vmscope as uid 65534, for its permission paths, whose counts would
# otherwise be lost with a "profiling: ...: Cannot open" on the stderr that
# those tests read.
find "$out" -name '*.gcda' -delete
find "$out" -name '*.gcno' -exec sh -c \
	'for f; do : >"${f%.gcno}.gcda" && chmod 666 "${f%.gcno}.gcda"; done' sh {} +

suites=()
for s in "$@"; do suites+=(--suite "$s"); done
# A failing test still counts its lines; say it, and go on to the report.
meson test -C "$out" "${suites[@]}" --print-errorlogs >"$out/coverage-tests.log" 2>&1 ||
	echo "coverage: some tests failed (see $out/coverage-tests.log)" >&2
grep -E '^(Ok|Fail|Skipped|Timeout):' "$out/coverage-tests.log" | tr -s ' ' | paste -sd ' ' >&2

# What no test ran is left empty; gcov reads an empty file as no data file.
find "$out" -name '*.gcda' -empty -delete

mkdir -p "$out/coverage"
# --gcov-ignore-parse-errors: gcov of a file run by two processes at once
# can count a line negative; gcovr would stop on it.
gcovr --root "$root" --filter "$root/src/" --object-directory "$out" \
	--gcov-ignore-parse-errors \
	--html-details "$out/coverage/index.html" --json-summary "$out/coverage/summary.json" \
	--print-summary >"$out/coverage/summary.txt" 2>"$out/coverage/gcovr.log" || {
	cat "$out/coverage/gcovr.log" >&2
	exit 1
}
python3 - "$out/coverage/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print("coverage: %s/coverage/index.html" % sys.argv[1].rsplit("/", 2)[0], file=sys.stderr)
print("lines: %.1f%% branches: %.1f%%" % (s["line_percent"], s["branch_percent"]))
EOF
