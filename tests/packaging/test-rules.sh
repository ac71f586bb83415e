#!/bin/bash
# The Prometheus rules of dist/prometheus/, printing TAP: promtool accepts
# them, and its unit tests (vmscope-rules.test.yml: each alert fires where it
# should, not before its time, not on the near misses) pass.
# usage: test-rules.sh SRCDIR
set -u
src=${1:?usage: test-rules.sh SRCDIR}
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

if ! command -v promtool >/dev/null; then
	skip "promtool check rules" "promtool (Debian package prometheus) is not installed"
	finish
	exit
fi
rules=$src/dist/prometheus/vmscope-rules.yml
if out=$(promtool check rules "$rules" 2>&1); then
	ok "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")"
else
	not_ok "promtool check rules" "$out"
fi
# promtool resolves rule_files against the test file's directory.
if out=$(cd "$src/tests/packaging" && promtool test rules vmscope-rules.test.yml 2>&1); then
	ok "promtool test rules: the recording rules and every alert"
else
	not_ok "promtool test rules" "$out"
fi
# Every alert of the rules has a test case, and every test names a real alert.
mapfile -t alerts < <(sed -n 's/^ *- alert: *//p' "$rules" | sort -u)
mapfile -t tested < <(sed -n 's/^ *alertname: *//p' "$src/tests/packaging/vmscope-rules.test.yml" | sort -u)
if [ ${#alerts[@]} -gt 0 ] && [ "${alerts[*]}" = "${tested[*]}" ]; then
	ok "each alert has a unit test (${alerts[*]})"
else
	not_ok "each alert has a unit test" "alerts: ${alerts[*]}" "tested: ${tested[*]}"
fi
finish
