#!/bin/bash
# test.sh: install what is missing, then build vmscope three ways and run
# every test, ending with the line "N passed, N failed, N skipped":
#   1. gcc, warnings as errors: the meson suite (unit, live, golden, lint),
#      then the unit tests again under valgrind;
#   2. gcc with AddressSanitizer and UBSan: the suite again, but for the
#      tests of files rather than code (packaging, lint, completions); it
#      runs beside the first (see below) and its output follows the first's;
#   3. clang with libFuzzer: each tests/fuzz/fuzz-<name>.c run for a bounded
#      time (VMSCOPE_FUZZ_SECONDS, default 10) from tests/fuzz/corpus/<name>/.
# Every TAP case counts as a test, and so does each fuzzer and each build
# that fails. Build trees are kept in build-test/ so a second run is quick.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
bash scripts/deps.sh test || exit 1

start=$(date +%s)
out=build-test
mkdir -p "$out"

passed=0
failed=0
skipped=0
failures=()
# (10 s: twelve targets, two at a time, are a minute; tests/fuzz/campaign.sh
# is the longer search)
fuzz_seconds=${VMSCOPE_FUZZ_SECONDS:-10}
jobs=$(nproc 2>/dev/null || echo 2)

# Sanitizer findings fail the test that made them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# Each stage says when it began, in seconds since the start.
say() { printf '== %s (at %ss)\n' "$*" "$(( $(date +%s) - start ))"; }

# The tests start python3 hundreds of times. Where it is a version
# manager's shim (pyenv's is a shell script that looks the version up at
# every start: a second each on a slow machine, against a tenth for the
# interpreter), the interpreter it starts is put first in PATH instead.
shim=$(command -v python3)
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$py" ] &&
	[ "$(readlink -f "$py")" != "$(readlink -f "$shim")" ]; then
	mkdir -p "$out/bin"
	ln -sfn "$py" "$out/bin/python3"
	PATH=$root/$out/bin:$PATH
	say "python3: $py, not the shim $shim"
fi

fail_one() {
	failed=$((failed + 1))
	failures+=("$1")
}

# setup_build NAME [meson options...]: configures and builds $out/NAME;
# a failure counts as one failed test and prints the end of the log.
setup_build() {
	local name=$1 dir=$out/$1
	shift
	say "build $name"
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.log" 2>&1
	else
		rm -rf "$dir"
		meson setup "$dir" "$@" >"$dir.log" 2>&1
	fi && ninja -C "$dir" >>"$dir.log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 40 "$dir.log"
		fail_one "build $name"
	fi
	return $rc
}

# count_meson FILE: counts the cases of a meson test run from its JSON log: the
# TAP lines of each test's output, or the test itself when it prints no
# TAP. A test that failed without a failing case (a crash, a wrong plan)
# counts as one more failure. meson runs on python3, so it is here.
count_meson() {
	python3 - "$1" <<'EOF'
import json, re, sys
p = f = s = 0
bad_names = []
ok_re = re.compile(r'^(not )?ok\b(.*)$')
for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
    t = json.loads(line)
    res = t.get('result')
    bad = res in ('FAIL', 'ERROR', 'TIMEOUT', 'UNEXPECTEDPASS', 'INTERRUPT')
    tp = tf = ts = 0
    tap = False
    for l in (t.get('stdout') or '').splitlines():
        m = ok_re.match(l)
        if not m:
            continue
        tap = True
        directive = m.group(2).split('#', 1)[1].strip().upper() if '#' in m.group(2) else ''
        if directive.startswith('SKIP') or directive.startswith('TODO'):
            ts += 1
        elif m.group(1):
            tf += 1
        else:
            tp += 1
    if not tap:
        if res in ('OK', 'EXPECTEDFAIL'):
            tp = 1
        elif res == 'SKIP':
            ts = 1
        else:
            tf = 1
    elif bad and tf == 0:
        tf = 1
    if tf:
        bad_names.append(t['name'])
        # The failing cases and what they said, which --print-errorlogs omits.
        lines = (t.get('stdout') or '').splitlines()
        for i, l in enumerate(lines):
            if l.startswith('not ok'):
                print('  %s: %s' % (t['name'], l), file=sys.stderr)
                for d in lines[i + 1:i + 40]:
                    if not d.startswith('#'):
                        break
                    print('    ' + d, file=sys.stderr)
    p, f, s = p + tp, f + tf, s + ts
print(p, f, s)
for n in bad_names:
    print(n)
EOF
}

# run_tests BUILD LOGBASE [MESON_TEST_ARGS...]: meson test in $out/BUILD,
# its log in meson-logs/LOGBASE.json there.
run_tests() {
	local dir=$out/$1 logbase=$2
	shift 2
	rm -f "$dir/meson-logs/$logbase".*
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$jobs" \
		--logbase "$logbase" "$@" 2>&1 |
		grep --line-buffered -vE '^(ninja: |Ok: |Expected Fail: |Fail: |Unexpected Pass: |Skipped: |Timeout: |Full log written|$)'
}

# count_tests BUILD LOGBASE NAME: adds what run_tests BUILD LOGBASE counted,
# its failures named NAME: TEST.
count_tests() {
	local counts p f s n name=$3
	if ! counts=$(count_meson "$out/$1/meson-logs/$2.json"); then
		fail_one "meson test $name (no test log)"
		return
	fi
	read -r p f s <<<"${counts%%$'\n'*}"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	while IFS= read -r n; do
		[ -n "$n" ] && failures+=("$name: $n")
	done < <(printf '%s\n' "$counts" | tail -n +2)
}

gcc=false
asan=false
setup_build gcc -Dwerror=true -Dbuildtype=debugoptimized && gcc=true
# The sanitizer runtimes linked in, not shared: at each exit LeakSanitizer
# scans the writable memory of every shared object as roots, 6 MB of it
# libubsan's untouched .bss, which a kernel without the zero page fills page
# by page (half of a run's faults). A run of vmscope --help: 89 -> 70 ms,
# and the suite starts vmscope thousands of times.
setup_build asan -Dwerror=true -Dbuildtype=debug \
	-Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_link_args='-static-libasan -static-libubsan' && asan=true

# The two suites run at once. Most of their tests run one at a time, as
# they read processes and wait on them: a suite alone left the two cores
# idle 57% of the time of its live and hardening tests. Each test names its targets and ports for itself and
# compares only what other processes cannot move, so one suite's tests do
# not disturb the other's (as they must not on a busy machine).
if $asan; then
	# The packaging tests check files and the package, lint the sources and
	# the docs, the completion tests the shells' scripts: not the code the
	# sanitizers instrument. They run once, in the gcc build (85 s saved).
	say "test asan, beside gcc (its output follows)"
	run_tests asan suite --no-suite packaging --no-suite lint --no-suite completions \
		>"$out/asan.out" 2>&1 &
	asan_job=$!
	# (Stopped with this script: meson cancels its tests on SIGTERM.)
	trap 'pkill -TERM -P "$asan_job" 2>/dev/null' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi
if $gcc; then
	say "test gcc"
	run_tests gcc suite
	# The unit tests again under valgrind's memcheck: an invalid access,
	# uninitialized memory or a definite or indirect leak fails the test.
	# (The valgrind suite runs every command under it already.)
	if command -v valgrind >/dev/null; then
		say "test gcc under valgrind"
		# (The loaders' damaged documents: every 16th member of a large one
		# here, each a hundred times slower; the other builds do them all.
		# With every 8th, snapshot-load took 58 s of this stage's 77.)
		VMSCOPE_TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full
			--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect" \
			VMSCOPE_DAMAGE_STRIDE=16 \
			run_tests gcc valgrind --suite unit --timeout-multiplier 10
	fi
fi
if $asan; then
	wait "$asan_job"
	trap - EXIT INT TERM
	say "test asan: done; its output"
	cat "$out/asan.out"
fi
if $gcc; then
	count_tests gcc suite gcc
	if command -v valgrind >/dev/null; then
		count_tests gcc valgrind "gcc under valgrind"
	else
		fail_one "valgrind is not installed"
	fi
fi
$asan && count_tests asan suite asan

# The library is instrumented for coverage (fuzzer-no-link); the fuzz
# targets link libFuzzer itself.
if CC=clang setup_build fuzz -Dwerror=true -Dtests=false -Dfuzz=true -Dbuildtype=debugoptimized \
	-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link; then
	say "fuzz, ${fuzz_seconds}s each"
	fuzzdir=$out/fuzz-runs
	rm -rf "$fuzzdir"
	mkdir -p "$fuzzdir"
	names=()
	for src in tests/fuzz/fuzz-*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		name=${name#fuzz-}
		names+=("$name")
		(
			exe=$out/fuzz/tests/fuzz/fuzz-$name
			corpus=$fuzzdir/$name.corpus
			mkdir -p "$corpus" "$fuzzdir/$name.artifacts"
			[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
			if [ ! -x "$exe" ]; then
				echo "fuzz-$name was not built" >"$fuzzdir/$name.log"
				echo 1 >"$fuzzdir/$name.rc"
				exit
			fi
			"$exe" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
				-print_final_stats=1 -artifact_prefix="$fuzzdir/$name.artifacts/" \
				"$corpus" </dev/null >"$fuzzdir/$name.log" 2>&1
			echo $? >"$fuzzdir/$name.rc"
		) &
		# At most one fuzzer per core.
		while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do wait -n; done
	done
	wait
	for name in "${names[@]}"; do
		rc=$(cat "$fuzzdir/$name.rc" 2>/dev/null || echo 1)
		runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$fuzzdir/$name.log" | grep -oE '[0-9]+$')
		if [ "$rc" = 0 ]; then
			passed=$((passed + 1))
			printf 'ok   fuzz-%s (%s runs)\n' "$name" "${runs:-?}"
		else
			printf 'FAIL fuzz-%s (exit %s); from its log:\n' "$name" "$rc"
			# The finding and the top of its stack, not the statistics after it.
			grep -m1 -A30 -E '==[0-9]+==(ERROR|WARNING)|runtime error|deadly signal|ERROR: libFuzzer|was not built' \
				"$fuzzdir/$name.log" || tail -n 30 "$fuzzdir/$name.log"
			ls "$fuzzdir/$name.artifacts"/* 2>/dev/null | sed 's/^/  input: /'
			fail_one "fuzz-$name"
		fi
	done
fi

printf '== builds and tests took %ss\n' "$(( $(date +%s) - start ))"
for f in "${failures[@]}"; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
