#!/bin/bash
# vmscope-serve.service, printing TAP: systemd-analyze verify accepts it,
# systemd-analyze security rates it OK or better, it has the sandbox the
# README promises, and its capabilities are the least that read every
# process: as an unprivileged user with exactly the unit's capabilities,
# vmscope list reads every process root reads (also in a /proc mounted with
# hidepid=invisible, as ProtectProc=invisible gives it); without any one of
# them it reads no other user's process.
# usage: test-service.sh UNIT VMSCOPE SRCDIR
set -u
unit=${1:?usage: test-service.sh UNIT VMSCOPE SRCDIR}
vmscope=${2:?usage: test-service.sh UNIT VMSCOPE SRCDIR}
src=${3:?usage: test-service.sh UNIT VMSCOPE SRCDIR}
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
tmp=$(mktemp -d)
pids=()
cleanup() {
	if [ ${#pids[@]} -gt 0 ]; then
		kill -9 "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The last value of a setting of the unit.
setting() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }

# ---- systemd-analyze
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify and security" "systemd-analyze (Debian package systemd) is not installed"
else
	# The unit names the installed binary and man page: point it at the
	# built ones, so verify checks that they exist and run.
	mkdir -p "$tmp/man/man1"
	ln -s "$src/man/vmscope-serve.1" "$tmp/man/man1/"
	sed "s|^ExecStart=[^ ]*|ExecStart=$vmscope|" "$unit" >"$tmp/vmscope-serve.service"
	if out=$(MANPATH=$tmp/man systemd-analyze verify "$tmp/vmscope-serve.service" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: no finding"
	else
		not_ok "systemd-analyze verify: no finding" "$out"
	fi
	out=$(systemd-analyze security --offline=true --no-pager "$tmp/vmscope-serve.service" 2>&1)
	level=$(sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' <<<"$out")
	case "$level" in
	*" SAFE" | *" OK") ok "systemd-analyze security: exposure $level" ;;
	*) not_ok "systemd-analyze security rates it OK or better" "got '$level'" "$(grep '✗' <<<"$out")" ;;
	esac
fi

# ---- the sandbox the issue and the README name
missing=()
for want in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	ProtectProc=invisible SystemCallFilter=@system-service; do
	grep -qx "$want" "$unit" || missing+=("$want")
done
for key in RestrictAddressFamilies MemoryMax EnvironmentFile CapabilityBoundingSet AmbientCapabilities; do
	[ -n "$(setting "$key")" ] || missing+=("$key=")
done
[ "$(setting CapabilityBoundingSet)" = "$(setting AmbientCapabilities)" ] ||
	missing+=("CapabilityBoundingSet= the same as AmbientCapabilities=")
grep -q '^ExecStart=.* --listen \${VMSCOPE_SERVE_LISTEN}' "$unit" || missing+=("ExecStart=... --listen \${VMSCOPE_SERVE_LISTEN}")
if [ ${#missing[@]} -eq 0 ]; then
	ok "the unit has its sandbox and reads its address from $(setting EnvironmentFile)"
else
	not_ok "the unit has its sandbox" "missing: ${missing[*]}"
fi

# ---- least privilege, by experiment
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "the unit's capabilities read every process, and each is needed" "needs root and setpriv"
	finish
	exit
fi
read -r -a caps <<<"$(setting AmbientCapabilities)"
# readable PIDS...: which of the given processes vmscope list reads whole
# (its PSS), run as uid 65534 with the capabilities given after --, as
# "pid yes|no" lines.
readable() {
	local c set=-all
	local -a args=(--reuid=65534 --regid=65534 --clear-groups)
	for c in "$@"; do
		c=${c#CAP_}
		set="$set,+${c,,}"
	done
	if [ $# -gt 0 ]; then
		args+=(--inh-caps="${set#-all,}" --ambient-caps="${set#-all,}")
	fi
	setpriv "${args[@]}" --bounding-set="$set" "$vmscope" list --format json 2>/dev/null
}
# A process of root's to read: it sleeps until the test ends.
sleep 600 &
target=$!
pids+=("$target")
readable_pids() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(str(p["pid"]) for p in d["processes"] if p.get("pss") is not None))'
}
read -r -a by_root <<<"$("$vmscope" list --format json | readable_pids)"
read -r -a with_caps <<<"$(readable "${caps[@]}" | readable_pids)"
# A process that ended between the two runs is not missed.
missed=()
for p in "${by_root[@]}"; do
	[[ " ${with_caps[*]} " == *" $p "* ]] || [ ! -d "/proc/$p" ] || missed+=("$p")
done
if [[ " ${with_caps[*]} " == *" $target "* ]] && [ ${#missed[@]} -eq 0 ]; then
	ok "as uid 65534 with ${caps[*]}: every process root reads (${#by_root[@]}), a root-owned target among them"
else
	not_ok "as uid 65534 with ${caps[*]}: every process root reads" "missed: ${missed[*]:-none}" \
		"target $target readable: $([[ " ${with_caps[*]} " == *" $target "* ]] && echo yes || echo no)"
fi
for drop in "${caps[@]}"; do
	rest=()
	for c in "${caps[@]}"; do
		[ "$c" = "$drop" ] || rest+=("$c")
	done
	read -r -a got <<<"$(readable "${rest[@]}" | readable_pids)"
	if [[ " ${got[*]} " != *" $target "* ]]; then
		ok "without $drop (${rest[*]:-no capability}), root's target is unreadable (${#got[@]} processes read)"
	else
		not_ok "without $drop, root's target is unreadable: $drop is not needed"
	fi
done
# CAP_DAC_READ_SEARCH alone, the other candidate, reads no other user's smaps.
read -r -a got <<<"$(readable CAP_DAC_READ_SEARCH | readable_pids)"
if [[ " ${got[*]} " != *" $target "* ]]; then
	ok "CAP_DAC_READ_SEARCH alone does not read root's target"
else
	not_ok "CAP_DAC_READ_SEARCH alone does not read root's target"
fi

# ProtectProc=invisible: a /proc of its own, mounted hidepid=invisible,
# shows only what the service may ptrace; with its capabilities that is all.
# hidden_read [CAPS...]: readable, in such a /proc.
hidden_read() {
	unshare -m --propagation private bash -c "
		mount -t proc -o hidepid=invisible proc /proc || exit 1
		$(declare -f readable)
		vmscope='$vmscope'
		readable $*"
}
if unshare -m --propagation private true 2>/dev/null; then
	read -r -a by_root <<<"$("$vmscope" list --format json | readable_pids)"
	read -r -a with_caps <<<"$(hidden_read "${caps[@]}" | readable_pids)"
	read -r -a none <<<"$(hidden_read | readable_pids)"
	missed=()
	for p in "${by_root[@]}"; do
		[[ " ${with_caps[*]} " == *" $p "* ]] || [ ! -d "/proc/$p" ] || missed+=("$p")
	done
	if [[ " ${with_caps[*]} " == *" $target "* ]] && [ ${#missed[@]} -eq 0 ] &&
		[[ " ${none[*]} " != *" $target "* ]]; then
		ok "hidepid=invisible: with ${caps[*]} every process root reads (${#with_caps[@]}), without ${#none[@]}"
	else
		not_ok "hidepid=invisible hides nothing from the unit's capabilities" \
			"missed: ${missed[*]:-none}; read without capabilities: ${none[*]}"
	fi
else
	skip "hidepid=invisible" "cannot make a mount namespace here"
fi
finish
