#!/bin/bash
# The Debian package, printing TAP: dpkg-buildpackage builds it from a copy
# of the source tree; it holds what the README says; lintian finds nothing
# unexplained; installed in a fresh Debian 12 root (a chroot) with apt-get,
# vmscope runs, man finds every page, bash, zsh and fish complete it, the
# unit is there and not enabled; purged, nothing of it is left. Then the
# root boots systemd in a container (systemd-nspawn), where the unit starts
# and serves every process of the container with CAP_SYS_PTRACE alone.
# usage: test-package.sh SRCDIR
#
# The Debian 12 root is made once by debootstrap (minbase, with the
# package's dependencies, man-db and the three shells) and kept in
# $VMSCOPE_CACHE_DIR (default ~/.cache/vmscope)/debian12-root, outside the
# source tree: making it takes minutes and the network, using it neither.
# Each run installs into an overlay on it (or a copy), so the cache stays
# fresh. Without root, debootstrap or a reachable archive, the chroot part
# is skipped with the reason.
set -u
src=${1:?usage: test-package.sh SRCDIR}
src=$(cd "$src" && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

tmp=$(mktemp -d)
chmod 755 "$tmp"
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[$i]}" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

for tool in dpkg-buildpackage dh; do
	if ! command -v "$tool" >/dev/null; then
		skip "the Debian package" "$tool is not installed (Debian packages dpkg-dev, debhelper)"
		finish
		exit
	fi
done

# ---- build, from a copy of the tree as it is (tracked and new files; no
# build directories), as a clean clone would
mkdir "$tmp/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(
		cd "$src" || exit 1
		git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf -
	) | tar -xf - -C "$tmp/src"
else
	tar -C "$src" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$tmp/src"
fi
version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
arch=$(dpkg --print-architecture)
deb=$tmp/vmscope_${version}_$arch.deb
# The source package first, from the clean copy (for lintian).
if ! (cd "$tmp/src" && dpkg-source -b . >"$tmp/source.log" 2>&1); then
	not_ok "dpkg-source -b packs the source" "$(tail -n 20 "$tmp/source.log")"
fi
start=$SECONDS
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) && [ -f "$deb" ]; then
	ok "dpkg-buildpackage -b makes $(basename "$deb") ($(($(stat -c %s "$deb") / 1024)) KiB, $((SECONDS - start)) s)"
else
	not_ok "dpkg-buildpackage -b makes $(basename "$deb")" "$(tail -n 30 "$tmp/build.log")"
	finish
	exit
fi

# ---- what it holds
# "TYPE PATH" lines: d for a directory, - a file, l a link.
dpkg-deb -c "$deb" | awk '{ print substr($1, 1, 1), $6 }' | sed 's| \./| /|; s|/$||' >"$tmp/entries"
awk '{ print $2 }' "$tmp/entries" >"$tmp/files"
want=(/usr/bin/vmscope /usr/share/bash-completion/completions/vmscope
	/usr/share/zsh/vendor-completions/_vmscope /usr/share/fish/vendor_completions.d/vmscope.fish
	/usr/share/vmscope/snapshot.schema.json /usr/share/vmscope/recording.schema.json
	/usr/share/vmscope/prometheus/vmscope-rules.yml
	/lib/systemd/system/vmscope-serve.service /etc/default/vmscope-serve
	/usr/share/doc/vmscope/copyright)
for page in "$src"/man/*.[1-8]; do
	p=${page##*/}
	want+=("/usr/share/man/man${p##*.}/$p.gz")
done
missing=()
for f in "${want[@]}"; do
	grep -qx "$f" "$tmp/files" || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "it holds the binary, ${#want[@]} files in all: every man page, the completions, schema, rules, unit"
else
	not_ok "it holds what the README says" "missing: ${missing[*]}"
fi
# the binary as built by the package: its relative relocations packed
# (DT_RELR, meson.build), with Debian's hardening (PIE, BIND_NOW)
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/vmscope >"$tmp/vmscope.bin"
dyn=$(readelf -d "$tmp/vmscope.bin" 2>&1)
if grep -q '(RELR)' <<<"$dyn" && grep -q 'Flags:.*NOW' <<<"$dyn" && grep -q 'PIE' <<<"$dyn"; then
	ok "the packaged vmscope: relative relocations packed (DT_RELR), PIE, bound at start"
else
	not_ok "the packaged vmscope: DT_RELR, PIE, BIND_NOW" "$(grep -E 'RELR|FLAGS' <<<"$dyn")"
fi
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/doc/vmscope/copyright >"$tmp/copyright"
if head -n 1 "$tmp/copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' &&
	grep -q '^License: GPL-2+$' "$tmp/copyright" && grep -q '/usr/share/common-licenses/GPL-2' "$tmp/copyright"; then
	ok "copyright is machine-readable, GPL-2+, and names /usr/share/common-licenses/GPL-2"
else
	not_ok "copyright is machine-readable" "$(cat "$tmp/copyright")"
fi
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null)
[ "$conffiles" = /etc/default/vmscope-serve ] && ok "/etc/default/vmscope-serve is its one conffile" ||
	not_ok "/etc/default/vmscope-serve is its one conffile" "conffiles: $conffiles"

# ---- lintian, on the package and on the source, as a user (lintian
# refuses to run as root)
if command -v lintian >/dev/null; then
	as_user=()
	[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$tmp")
	chmod -R a+rX "$tmp"
	out=$(cd "$tmp" && "${as_user[@]}" lintian --pedantic --display-info "$(basename "$deb")" 2>&1)
	bad=$(grep -E '^[EW]: ' <<<"$out")
	if [ -z "$bad" ]; then
		ok "lintian --pedantic on the package: no error, no warning${out:+ ($(wc -l <<<"$out") other lines)}"
	else
		not_ok "lintian on the package: no error, no warning" "$out"
	fi
	out=$(cd "$tmp" && "${as_user[@]}" lintian --pedantic --display-info vmscope_"$version".dsc 2>&1)
	bad=$(grep -E '^[EW]: ' <<<"$out")
	[ -z "$bad" ] && ok "lintian --pedantic on the source: nothing not in debian/source/lintian-overrides" ||
		not_ok "lintian on the source: no error, no warning" "$out"
else
	skip "lintian" "lintian is not installed"
fi

# ---- a fresh Debian 12 root
if [ "$(id -u)" -ne 0 ]; then
	skip "install, run and purge in a fresh Debian 12 root" "making a chroot needs root"
	finish
	exit
fi
if ! command -v debootstrap >/dev/null; then
	skip "install, run and purge in a fresh Debian 12 root" "debootstrap is not installed"
	finish
	exit
fi
cache=${VMSCOPE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
base=$cache/debian12-root
mkdir -p "$cache"
# The package's dependencies, and what the test runs in the root.
deps=$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/|[^,]*//g; s/[[:space:]]//g')
include=$(tr , '\n' <<<"$deps,apt,man-db,bash-completion,zsh,fish,systemd,libnss-systemd,dbus,curl" |
	sort -u | paste -sd,)
exec 9>"$cache/debian12-root.lock"
flock 9
# A root made with another list is made again.
if [ "$(cat "$base/.made" 2>/dev/null)" != "$include" ]; then
	mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	mirror=${mirror:-http://deb.debian.org/debian}
	rm -rf "$base.new"
	start=$SECONDS
	if debootstrap --variant=minbase --include="$include" bookworm "$base.new" "$mirror" \
		>"$cache/debootstrap.log" 2>&1; then
		cp /etc/apt/sources.list.d/debian.sources "$base.new/etc/apt/sources.list.d/" 2>/dev/null
		echo "$include" >"$base.new/.made"
		rm -rf "$base"
		mv "$base.new" "$base"
		echo "# made $base with debootstrap in $((SECONDS - start)) s"
	else
		rm -rf "$base.new"
		skip "install, run and purge in a fresh Debian 12 root" \
			"debootstrap from $mirror failed (no network?): $(grep -m1 -E '^[EW]:' "$cache/debootstrap.log")"
		finish
		exit
	fi
fi
flock -u 9

# An overlay on the kept root, so that the run leaves it as it was (a copy
# where overlays cannot be mounted).
root=$tmp/root
mkdir -p "$root" "$tmp/upper" "$tmp/work"
if mount -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/work" "$root" 2>/dev/null; then
	mounts+=("$root")
	changes=$tmp/upper
else
	cp -a "$base/." "$root/"
	changes=
fi
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --bind /dev "$root/dev" && mounts+=("$root/dev")
in_root() { env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb chroot "$root" "$@"; }

cp "$deb" "$root/tmp/"
# The dependencies are in the root already: apt-get needs no download. A
# root made before the dependencies changed fetches what it lacks.
start=$SECONDS
if ! in_root apt-get install -y -q --no-download ./tmp/"${deb##*/}" >"$tmp/install.log" 2>&1; then
	if ! { in_root apt-get update -q && in_root apt-get install -y -q ./tmp/"${deb##*/}"; } >>"$tmp/install.log" 2>&1; then
		not_ok "apt-get install ./$(basename "$deb") in the Debian 12 root" "$(tail -n 20 "$tmp/install.log")"
		finish
		exit
	fi
fi
rm -f "$root/tmp/${deb##*/}"
ok "apt-get install ./$(basename "$deb") in a fresh Debian 12 root ($((SECONDS - start)) s)"

out=$(in_root /bin/sh -c 'vmscope --no-pages -w 80; exit $?' 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -qE '^sh +pid [0-9]+' <<<"$out" && grep -q 'PSS' <<<"$out"; then
	ok "vmscope runs there and shows the shell that started it"
else
	not_ok "vmscope runs there" "exit $rc" "$out"
fi
# list reads every process through libproc2, which vmscope loads at run
# time: the package must depend on it, as no linker sees it.
out=$(in_root vmscope list -n 3 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'total:' <<<"$out"; then
	ok "vmscope list runs there (libproc2, loaded at run time, is a dependency)"
else
	not_ok "vmscope list runs there" "exit $rc" "$out"
fi
pages=()
bad=()
for page in "$src"/man/*.[1-8]; do
	p=${page##*/}
	pages+=("${p%.*}")
	got=$(in_root man -w "${p##*.}" "${p%.*}" 2>&1)
	# a page that is a link is found as its target
	want=$(readlink -f "$root/usr/share/man/man${p##*.}/$p.gz")
	[ "$got" = "${want#"$root"}" ] || bad+=("${p%.*}: $got")
done
if [ ${#bad[@]} -eq 0 ] && out=$(in_root man -P cat vmscope 2>/dev/null) && grep -q 'vmscope' <<<"$out"; then
	ok "man -w finds all ${#pages[@]} pages, and man renders vmscope(1)"
else
	not_ok "man -w finds every page" "${bad[@]}"
fi
out=$(in_root bash -c '
	. /usr/share/bash-completion/bash_completion
	_completion_loader vmscope
	f=$(complete -p vmscope | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
	COMP_WORDS=(vmscope lis); COMP_CWORD=1; COMP_LINE="vmscope lis"; COMP_POINT=${#COMP_LINE}
	"$f" vmscope lis vmscope
	printf "%s\n" "${COMPREPLY[@]}"
	COMP_WORDS=(vmscope list --format o); COMP_CWORD=3; COMP_LINE="vmscope list --format o"; COMP_POINT=${#COMP_LINE}
	"$f" vmscope o --format
	printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
[ "$out" = $'list\nopenmetrics' ] && ok "bash completes vmscope lis and --format o, loaded on demand" ||
	not_ok "bash completes vmscope" "$out"
out=$(in_root zsh -fc 'autoload -Uz compinit && compinit -u -d /tmp/zcompdump && print -r -- $_comps[vmscope]' 2>&1)
[ "$out" = _vmscope ] && ok "zsh's compinit finds _vmscope for vmscope" || not_ok "zsh finds _vmscope" "$out"
out=$(in_root fish -c 'complete -C "vmscope lis"; complete -C "vmscope list --format o"' 2>&1 | cut -f1)
[ "$out" = $'list\nopenmetrics' ] && ok "fish completes vmscope lis and --format o" || not_ok "fish completes vmscope" "$out"
if [ -f "$root/lib/systemd/system/vmscope-serve.service" ] &&
	[ -z "$(find "$root/etc/systemd" -name 'vmscope*' 2>/dev/null)" ]; then
	ok "vmscope-serve.service is installed and not enabled"
else
	not_ok "vmscope-serve.service is installed and not enabled" "$(find "$root/etc/systemd" -name 'vmscope*')"
fi

# ---- purged, nothing is left: none of its files, and (on an overlay) no
# change to the root but dpkg's and apt's records, logs and caches
if in_root apt-get purge -y -q vmscope >"$tmp/purge.log" 2>&1; then
	left=()
	while read -r type f; do
		case "$type:$f" in
		# its own directories go; the system's (/usr/share/man, ...) stay
		d:/usr/share/vmscope* | d:/usr/share/doc/vmscope) [ -e "$root$f" ] && left+=("$f") ;;
		d:*) ;;
		*) [ -e "$root$f" ] || [ -L "$root$f" ] && left+=("$f") ;;
		esac
	done <"$tmp/entries"
	if [ -n "$changes" ]; then
		while IFS= read -r f; do
			left+=("${f#"$changes"} (changed)")
		done < <(find "$changes" -mindepth 1 \( -type f -o -type l -o -type c \) |
			grep -vE "^$changes/(var/lib/dpkg|var/log|var/cache/(apt|debconf|man|ldconfig)|var/lib/apt|tmp|root)/" |
			grep -vE "^$changes/etc/ld\.so\.cache$")
	fi
	dpkg_state=$(in_root dpkg-query -W -f='${db:Status-Abbrev}' vmscope 2>/dev/null)
	if [ ${#left[@]} -eq 0 ] && [ -z "$dpkg_state" ]; then
		ok "apt-get purge leaves nothing of it${changes:+ (the overlay holds only dpkg's and apt's records)}"
	else
		not_ok "apt-get purge leaves nothing of it" "dpkg: ${dpkg_state:-gone}" "${left[@]}"
	fi
else
	not_ok "apt-get purge vmscope" "$(tail -n 20 "$tmp/purge.log")"
fi

# ---- the unit under a real systemd: the root, with the package, booted in
# a container (the host's network, so the unit listens on a free port)
if ! command -v systemd-nspawn >/dev/null; then
	skip "vmscope-serve.service under systemd" "systemd-nspawn (Debian package systemd-container) is not installed"
	finish
	exit
fi
for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null; done
mounts=()
boot=$tmp/boot
mkdir -p "$boot" "$tmp/upper2" "$tmp/work2"
if ! mount -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper2,workdir=$tmp/work2" "$boot" 2>/dev/null; then
	skip "vmscope-serve.service under systemd" "cannot mount an overlay here"
	finish
	exit
fi
mounts+=("$boot")
cp "$deb" "$boot/tmp/"
serve_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! chroot "$boot" dpkg -i "/tmp/${deb##*/}" >"$tmp/install2.log" 2>&1; then
	not_ok "dpkg -i in the root to boot" "$(tail -n 20 "$tmp/install2.log")"
	finish
	exit
fi
sed -i "s/^VMSCOPE_SERVE_LISTEN=.*/VMSCOPE_SERVE_LISTEN=127.0.0.1:$serve_port/" "$boot/etc/default/vmscope-serve"
systemd-nspawn -q -D "$boot" -b --register=no --keep-unit --console=pipe >"$tmp/boot.log" 2>&1 </dev/null &
nspawn=$!
# The container's init: the child of systemd-nspawn. (Both waits are long,
# and the skip says which ran out: the test runs beside the rest of the
# suite and the ASan suite, and a run there skipped after 10 s and 60 s
# with no state said.)
init=
start=$SECONDS
while [ $((SECONDS - start)) -lt 60 ] && kill -0 "$nspawn" 2>/dev/null; do
	init=$(pgrep -P "$nspawn" | head -n 1)
	[ -n "$init" ] && break
	sleep 0.1
done
in_boot() { nsenter -t "$init" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
state=${init:+starting}
state=${state:-no init process after $((SECONDS - start)) s}
start=$SECONDS
while [ -n "$init" ] && [ $((SECONDS - start)) -lt 120 ]; do
	state=$(in_boot systemctl is-system-running 2>/dev/null)
	state=${state:-no answer from systemctl}
	case "$state" in running | degraded) break ;; esac
	sleep 0.3
done
case "$state" in
running | degraded) ;;
*)
	skip "vmscope-serve.service under systemd" "systemd did not boot in the container ($state): $(tail -n 3 "$tmp/boot.log")"
	kill "$nspawn" 2>/dev/null
	wait "$nspawn" 2>/dev/null
	finish
	exit
	;;
esac
booted=$((SECONDS - start))
in_boot systemctl start vmscope-serve >"$tmp/start.log" 2>&1
main=$(in_boot systemctl show -p MainPID --value vmscope-serve)
for _ in $(seq 1 100); do
	in_boot curl -s -o /dev/null "http://127.0.0.1:$serve_port/metrics" && break
	sleep 0.1
done
out=$(in_boot curl -s "http://127.0.0.1:$serve_port/metrics")
status=$(in_boot cat "/proc/$main/status" 2>/dev/null)
field() { sed -n "s/^$1:[[:space:]]*//p" <<<"$status"; }
# CAP_SYS_PTRACE is capability 19: the mask 0x80000, alone.
if [ -n "$main" ] && [ "$main" != 0 ] && [ "$(field Uid | cut -f1)" != 0 ] &&
	[ "$(field CapEff)" = 0000000000080000 ] && [ "$(field CapBnd)" = 0000000000080000 ] &&
	[ "$(field NoNewPrivs)" = 1 ] && [ "$(field Seccomp)" = 2 ]; then
	ok "systemd booted the root ($booted s) and started vmscope-serve: uid $(field Uid | cut -f1), CAP_SYS_PTRACE alone, no new privileges, seccomp filter"
else
	not_ok "vmscope-serve runs as a dynamic user with CAP_SYS_PTRACE alone" "MainPID '$main'" "$status" \
		"$(cat "$tmp/start.log")" "$(in_boot journalctl -u vmscope-serve --no-pager 2>&1 | tail -n 10)"
fi
# By default it sums by program: systemd (pid 1, root) is read, and no
# process of the container is unreadable.
unreadable=$(grep '^vmscope_processes_unreadable{' <<<"$out" | awk '{ s += $2 } END { print s + 0 }')
if grep -q '^vmscope_processes{program="systemd"} [1-9]' <<<"$out" &&
	grep -q '^vmscope_memory_bytes{program="systemd",measure="pss"} [1-9]' <<<"$out" &&
	[ "$unreadable" = 0 ]; then
	ok "it serves every process of the container by program, root's PID 1 among them, none unreadable"
else
	not_ok "it serves every process of the container, none unreadable" "unreadable: $unreadable" "$out"
fi
ctype=$(in_boot curl -s -o /dev/null -w '%{content_type}' -H 'Accept: application/openmetrics-text' \
	"http://127.0.0.1:$serve_port/metrics")
[ "$ctype" = "application/openmetrics-text; version=1.0.0; charset=utf-8" ] &&
	ok "and answers OpenMetrics when asked" || not_ok "and answers OpenMetrics when asked" "got '$ctype'"
# By user: the service's own dynamic user is named, as nss-systemd answers
# over its socket (RestrictAddressFamilies has AF_UNIX), not a number.
in_boot sed -i 's/^VMSCOPE_SERVE_OPTS=.*/VMSCOPE_SERVE_OPTS="--by user"/' /etc/default/vmscope-serve
in_boot systemctl restart vmscope-serve >"$tmp/restart.log" 2>&1
out=
for _ in $(seq 1 100); do
	out=$(in_boot curl -s "http://127.0.0.1:$serve_port/metrics") && [ -n "$out" ] && break
	sleep 0.1
done
if grep -q '^vmscope_processes{user="vmscope-serve"} 1$' <<<"$out" &&
	grep -q '^vmscope_processes{user="root"} [1-9]' <<<"$out"; then
	ok "by user: its own dynamic user by name (vmscope-serve), root's processes as root"
else
	not_ok "by user: its own dynamic user by name" "$(grep '^vmscope_processes{' <<<"$out")" \
		"$(cat "$tmp/restart.log")"
fi
in_boot systemctl poweroff >/dev/null 2>&1
for _ in $(seq 1 100); do
	kill -0 "$nspawn" 2>/dev/null || break
	sleep 0.2
done
kill "$nspawn" 2>/dev/null
wait "$nspawn" 2>/dev/null
finish
