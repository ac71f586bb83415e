#!/bin/bash
# run.sh [ARGS]: install what is missing, build, and run vmscope with ARGS.
# Without ARGS vmscope shows the shell that called it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/deps.sh"

# Build quietly; show the log only when something fails.
quiet() {
	local log
	log=$("$@" 2>&1) || { printf '%s\n' "$log" >&2; exit 1; }
}
[ -f "$root/build/build.ninja" ] || quiet meson setup "$root/build" "$root"
quiet ninja -C "$root/build"
exec "$root/build/src/vmscope" "$@"
