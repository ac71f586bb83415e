#!/bin/bash
# test-swap.sh VMSCOPE TARGET BUILDDIR: swapped memory against the kernel;
# TAP. The test machine has no swap: as root, this test makes a swapfile
# (in /var/tmp, else BUILDDIR, else $TMPDIR: the first filesystem that takes
# one), turns it on, and starts TARGET (live-target), which pushes part of
# its own memory to swap with MADV_PAGEOUT, some of it shared with children
# by fork so that SwapPss differs from Swap. The target stopped, vmscope's
# numbers (the report's totals and regions, VmSwap, the swapped pages of
# `vmscope pages`) are compared with its smaps, smaps_rollup and status
# read at the same instant (before and after each run, equal). The swapfile
# is turned off and removed at the end, whatever happens. Where it cannot be
# made or turned on (not root, a container), the test skips, saying why.
set -u
vmscope=${1:?usage: test-swap.sh VMSCOPE TARGET BUILDDIR}
target=${2:?usage: test-swap.sh VMSCOPE TARGET BUILDDIR}
builddir=${3:?usage: test-swap.sh VMSCOPE TARGET BUILDDIR}
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/ready.sh"
tmp=$(mktemp -d) || exit 1
pid=
swapdir=
swapfile=

# The target first (its swap entries go with it), then the swapfile.
swap_off() {
	[ -n "$pid" ] && kill -KILL -- "-$pid" "$pid" 2>/dev/null
	wait 2>/dev/null
	pid=
	if [ -n "$swapfile" ] && awk -v f="$swapfile" '$1 == f { found = 1 } END { exit !found }' /proc/swaps; then
		swapoff "$swapfile" || echo "# swapoff $swapfile failed" >&2
	fi
	[ -n "$swapdir" ] && rm -rf "$swapdir"
	swapdir=
}
cleanup() {
	swap_off
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

skip_all() { # reason
	skip "swapped memory against the kernel" "$1"
	finish
	exit
}

[ "$(id -u)" -eq 0 ] || skip_all "not root: turning on a swapfile needs root"
for c in mkswap swapon swapoff; do
	command -v "$c" >/dev/null || skip_all "$c (util-linux) is not installed"
done

# try_swapfile DIR: a 32 MiB swapfile in a new directory under DIR, turned
# on; else the reason in $tmp/why. Allocated with fallocate, then (some
# filesystems refuse an allocated file as swap) written out with dd.
try_swapfile() {
	local d how
	d=$(mktemp -d "$1/vmscope-swap.XXXXXX" 2>"$tmp/why") || return 1
	swapdir=$d
	swapfile=$d/swapfile
	for how in fallocate dd; do
		rm -f "$swapfile"
		if [ $how = fallocate ]; then
			fallocate -l 32M "$swapfile"
		else
			dd if=/dev/zero of="$swapfile" bs=1M count=32 status=none
		fi 2>"$tmp/why" && chmod 600 "$swapfile" &&
			mkswap "$swapfile" >/dev/null 2>"$tmp/why" &&
			swapon "$swapfile" 2>"$tmp/why" && return 0
		# refused for want of the capability: no other way will do
		grep -q 'Operation not permitted' "$tmp/why" && break
	done
	rm -rf "$d"
	swapdir=
	swapfile=
	return 1
}
why=
for dir in /var/tmp "$builddir" "${TMPDIR:-/tmp}"; do
	try_swapfile "$dir" && break
	why="$why${why:+; }$dir: $(head -n 1 "$tmp/why")"
	grep -q 'Operation not permitted' "$tmp/why" && break
done
[ -n "$swapfile" ] || skip_all "no swapfile could be turned on ($why)"
echo "# swapfile $swapfile"

# 37 pages shared with 2 children (SwapPss a third of Swap, not a whole kB),
# 211 of 300 private pages pushed out.
setsid "$target" --comm "vt-swap-$$" --shared-pages 37 --shared-pageout --children 2 \
	--anon-pages 300 --anon-touch 300 --anon-pageout 211 \
	>"$tmp/target.out" 2>"$tmp/target.err" </dev/null &
pid=$!
wait_ready "$pid" "$tmp/target.out" || {
	echo "Bail out! the target did not get ready: $(cat "$tmp/target.err")"
	exit 1
}
fact() { # key: the target's line for it, without the key
	sed -n "s/^$1 //p" "$tmp/target.out"
}
priv_sw=$(fact anonout)
shared_sw=$(fact sharedout)
if [ "$priv_sw" -eq 0 ] && [ "$shared_sw" -eq 0 ]; then
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	skip_all "MADV_PAGEOUT put no page in swap (memory.swap.max of cgroup $cg: $(cat "/sys/fs/cgroup$cg/memory.swap.max" 2>/dev/null || echo unknown))"
fi

# What the test compares: the regions, their Swap and SwapPss, VmSwap. (Pss
# moves while the target is stopped, as other processes map its libraries.)
kernel() {
	cat "/proc/$pid/smaps" "/proc/$pid/smaps_rollup" "/proc/$pid/status" |
		grep -E '^([0-9a-f]+-|Swap:|SwapPss:|VmSwap:)'
}
# frozen FILE CMD...: CMD > FILE with those read before and after it, equal
# (reclaim may move pages even in a stopped process); the kernel's files are
# left in $tmp/smaps, $tmp/rollup and $tmp/status.
frozen() {
	local out=$1 i before
	shift
	for i in $(seq 20); do
		before=$(kernel)
		"$@" >"$out" 2>"$tmp/err" || return 1
		cat "/proc/$pid/smaps" >"$tmp/smaps"
		cat "/proc/$pid/smaps_rollup" >"$tmp/rollup"
		cat "/proc/$pid/status" >"$tmp/status"
		[ "$before" = "$(kernel)" ] && return 0
	done
	echo "# the target's swap moved during every run" >&2
	return 1
}

# compare WHAT FILE: vmscope's output FILE against the kernel's files, for
# WHAT (report or pages); the differences, or what was compared, on stdout.
compare() {
	python3 - "$1" "$2" "$tmp" <<'EOF'
import json, re, sys
what, path, tmp = sys.argv[1:4]
d = json.load(open(path))

def kb(text, key):
    m = re.search(r"^%s:\s+(\d+) kB$" % key, text, re.M)
    return int(m.group(1)) * 1024

# Each smaps region's Swap and SwapPss in bytes, by start address.
regions = {}
for block in re.split(r"^(?=[0-9a-f]+-[0-9a-f]+ )", open(tmp + "/smaps").read(), flags=re.M):
    if block:
        start = int(block.split("-", 1)[0], 16)
        regions[start] = (kb(block, "Swap"), kb(block, "SwapPss"))
rollup = open(tmp + "/rollup").read()
vm_swap = kb(open(tmp + "/status").read(), "VmSwap")
bad = []

def check(name, got, want):
    if got != want:
        bad.append(f"{name}: vmscope {got}, kernel {want}")

if what == "report":
    t = d["totals"]
    check("totals.rollup.swap", t["rollup"]["swap"], kb(rollup, "Swap"))
    check("totals.rollup.swap_pss", t["rollup"]["swap_pss"], kb(rollup, "SwapPss"))
    check("totals.status.vm_swap", t["status"]["vm_swap"], vm_swap)
    seen = {int(r["start"], 16): r for r in d["regions"]}
    check("regions", sorted(seen), sorted(regions))
    for start, (swap, swap_pss) in regions.items():
        r = seen.get(start)
        if r:
            check(f"region {start:x} swap", r["mem"].get("swap"), swap)
            check(f"region {start:x} swap_pss", r["mem"].get("swap_pss"), swap_pss)
    print(f"{len(regions)} regions; swap {kb(rollup, 'Swap')}, swap_pss {kb(rollup, 'SwapPss')}")
else:
    # pages lists the regions of the process's page tables: not vsyscall,
    # in the kernel's half of the address space
    seen = {int(r["start"], 16): r for r in d["regions"]}
    regions = {a: v for a, v in regions.items() if not a >> 63}
    check("regions", sorted(seen), sorted(regions))
    total = 0
    for start, (swap, _) in regions.items():
        r = seen.get(start)
        if r:
            check(f"region {start:x} swapped", r["pages"]["swapped"], swap)
            total += r["pages"]["swapped"]
    check("swapped pages summed", total, vm_swap)
    print(f"{len(regions)} regions; swapped {total}")
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
EOF
}

# The kernel's own numbers first: the target's two regions are in swap, the
# shared one at a third in SwapPss.
frozen "$tmp/none" true
read -r priv_addr _ < <(fact anon)
read -r shared_addr _ maps < <(fact shared)
want=$(python3 - "$tmp/smaps" "${priv_addr#0x}" "${shared_addr#0x}" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for a in sys.argv[2:]:
    block = re.search(r"^%s-.*?(?=^[0-9a-f]+-|\Z)" % a, text, re.M | re.S).group(0)
    print(*(int(re.search(r"^%s:\s+(\d+)" % k, block, re.M).group(1)) * 1024
            for k in ("Swap", "SwapPss")), end=" ")
EOF
)
read -r k_priv k_priv_pss k_shared k_shared_pss <<<"$want"
if [ "$k_priv" = "$priv_sw" ] && [ "$k_priv_pss" = "$priv_sw" ] && [ "$k_shared" = "$shared_sw" ] &&
	[ "$shared_sw" -gt 0 ] && [ "$k_shared_pss" -lt "$k_shared" ] &&
	[ $((k_shared_pss / 1024)) -eq $((shared_sw / maps / 1024)) ]; then
	ok "kernel: private region swap $k_priv = swap_pss, shared swap $k_shared, swap_pss $k_shared_pss"
else
	not_ok "kernel: the target's regions in swap as it said" "$(cat "$tmp/target.out")" \
		"smaps: private swap $k_priv swap_pss $k_priv_pss, shared swap $k_shared swap_pss $k_shared_pss"
fi

if frozen "$tmp/report.json" "$vmscope" -f json --all "$pid" &&
	compare report "$tmp/report.json" >"$tmp/why"; then
	ok "report -f json: Swap, SwapPss and VmSwap totals and every region's Swap and SwapPss are the kernel's ($(cat "$tmp/why"))"
else
	not_ok "report -f json: swap totals and regions are the kernel's" "$(cat "$tmp/why" "$tmp/err")"
fi

# Both ways of reading pagemap: PAGEMAP_SCAN's categories, pread's entries.
for how in scan pread; do
	if frozen "$tmp/pages.json" "$vmscope" pages -f json --pagemap "$how" "$pid" &&
		compare pages "$tmp/pages.json" >"$tmp/why"; then
		ok "pages -f json --pagemap $how: each region's swapped pages are its smaps Swap, their sum VmSwap ($(cat "$tmp/why"))"
	else
		not_ok "pages -f json --pagemap $how: swapped pages are smaps' Swap" "$(cat "$tmp/why" "$tmp/err")"
	fi
done

was=$swapfile
swap_off
if awk -v f="$was" '$1 == f { found = 1 } END { exit !found }' /proc/swaps || [ -e "$was" ]; then
	not_ok "the swapfile is off" "$(cat /proc/swaps)"
else
	ok "the swapfile is off and removed"
fi
finish
