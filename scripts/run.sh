#!/bin/bash
# run.sh [ARGS]: install what is missing to build and run vmscope (not the
# test tools: scripts/test.sh adds those), build, and run vmscope with ARGS.
# Without ARGS vmscope shows the shell that called it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/deps.sh" run

# Build quietly; show the log only when something fails.
quiet() {
	local log
	log=$("$@" 2>&1) || { printf '%s\n' "$log" >&2; exit 1; }
}
[ -f "$root/build/build.ninja" ] || quiet meson setup -Dtests=false "$root/build" "$root"
quiet ninja -C "$root/build"
exec "$root/build/src/vmscope" "$@"
