#!/bin/bash
# deps.sh [run|test|--list run|test]: make sure the Debian packages vmscope
# needs are installed. "run" (the default) is what building and running
# vmscope need (scripts/run.sh); "test" adds the tools of the test suite
# (scripts/test.sh). As root, installs what is missing; otherwise prints the
# exact command to run and exits 1. Quiet when nothing is missing.
# --list SET prints the set, one package a line.
#
# While it installs, a policy-rc.d refuses every service start, so that a
# package of the test set that ships a service (prometheus, postgresql,
# nginx) does not start a server: the tests start the servers they need on
# loopback themselves. It is
# removed afterwards, whatever happened; a policy-rc.d the machine already has
# is left as it is.
set -eu

run_pkgs=(
	meson ninja-build pkg-config gcc
	libproc2-dev libelf-dev libncurses-dev libjson-c-dev
)
test_pkgs=(
	libcmocka-dev
	clang libclang-rt-14-dev valgrind
	tmux procps time strace locales zsh fish
	libxml2-utils python3-jsonschema prometheus python3-prometheus-client
	systemd systemd-container
	build-essential fakeroot debhelper lintian debootstrap
	postgresql nginx default-jre-headless
	gcovr
	chromium imagemagick
)

list=
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
case "${1:-run}" in
run) pkgs=("${run_pkgs[@]}") ;;
test) pkgs=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
	echo "usage: deps.sh [--list] [run|test]" >&2
	exit 2
	;;
esac
if [ -n "$list" ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

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
policy=/usr/sbin/policy-rc.d
own_policy=
cleanup() {
	rm -f "$log"
	[ -z "$own_policy" ] || rm -f "$policy"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
if [ ! -e "$policy" ]; then
	# 101: "action forbidden by policy" (invoke-rc.d, deb-systemd-invoke).
	own_policy=1
	printf '#!/bin/sh\n# vmscope scripts/deps.sh: no service starts while it installs\nexit 101\n' >"$policy"
	chmod 755 "$policy"
fi
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
