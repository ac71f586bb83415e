#!/bin/bash
# cmocka-tap.sh TEST [ARGS...]: runs a cmocka test whose TAP output meson
# reads. cmocka 1.1 prints a skipped case as "not ok N # SKIP", which a TAP
# reader (meson's among them) takes for a failure; TAP's skip is
# "ok N # SKIP". Everything else passes through, and the exit status is the
# test's. VMSCOPE_TEST_WRAPPER, when set, is put before the test (valgrind
# and its options, for scripts/test.sh).
set -o pipefail
# shellcheck disable=SC2086 # the wrapper is a command and its options
${VMSCOPE_TEST_WRAPPER:-} "$@" | sed -u -E 's/^not ok ([0-9]+)(.*) # SKIP/ok \1\2 # SKIP/'
