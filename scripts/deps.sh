#!/bin/bash
# deps.sh: make sure the Debian packages vmscope needs to build and test are
# installed. As root, installs what is missing; otherwise prints the exact
# command to run and exits 1. Quiet when nothing is missing.
set -eu

pkgs=(
	meson ninja-build pkg-config gcc
	libproc2-dev libelf-dev libncurses-dev libcmocka-dev libjson-c-dev
	clang libclang-rt-14-dev
	tmux procps time
	libxml2-utils prometheus python3-jsonschema valgrind
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vmscope needs these Debian packages: ${missing[*]}" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The package lists of a fresh machine are often empty: update only then, or
# when the first try cannot find a package.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
	apt-get update -q </dev/null >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >>"$log" 2>&1; then
	apt-get update -q </dev/null >>"$log" 2>&1 &&
		apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; exit 1; }
fi
echo "deps: installed" >&2
