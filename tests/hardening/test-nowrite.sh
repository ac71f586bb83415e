#!/bin/bash
# test-nowrite.sh VMSCOPE TARGET: every default command leaves a frozen
# target (statically linked, so no page of it is shared with a process that
# comes or goes, and its PSS stays put) as it was: its smaps text (Referenced included, nothing excluded)
# and the bytes of its memory are the same before and after; only
# --reset-refs, which says it changes the process's kernel state, clears
# its referenced bits (the check is shown to see that); TAP.
set -u
vmscope=${1:?usage: test-nowrite.sh VMSCOPE TARGET}
target=${2:?usage: test-nowrite.sh VMSCOPE TARGET}
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d) || exit 1
tpid=

cleanup() {
	[ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/maps"
"$target" "$tmp/maps" nowrite-$$ >"$tmp/facts" </dev/null &
tpid=$!
for i in $(seq 100); do
	[ "$(awk '{print $3}' "/proc/$tpid/stat" 2>/dev/null)" = T ] && break
	sleep 0.05
done
[ "$(awk '{print $3}' "/proc/$tpid/stat" 2>/dev/null)" = T ] ||
	{ echo "Bail out! the target did not stop itself"; exit 1; }

# A digest of every readable byte of the target's memory that is in RAM
# (not vvar/vsyscall), and of which pages are not. Pages that are not there
# are not read: a read faults them in, and on a kernel without the zero page
# that makes them resident (a thread's whole stack), which the commands
# after would see.
memsum() {
	python3 - "$tpid" <<'PY'
import hashlib, os, struct, sys
pid = sys.argv[1]
page = os.sysconf('SC_PAGE_SIZE')
h = hashlib.sha256()
with open('/proc/%s/maps' % pid, 'rb') as maps, open('/proc/%s/mem' % pid, 'rb', 0) as mem, \
        open('/proc/%s/pagemap' % pid, 'rb', 0) as pm:
    for line in maps:
        f = line.split()
        if f[1][:1] != b'r' or line.rstrip().endswith((b'[vvar]', b'[vsyscall]', b'[vvar_vclock]')):
            continue
        a, b = (int(x, 16) for x in f[0].split(b'-'))
        pm.seek(a // page * 8)
        entries = struct.unpack('<%dQ' % ((b - a) // page), pm.read((b - a) // page * 8))
        for i, e in enumerate(entries):
            at = a + i * page
            if not e >> 63:
                h.update(b'absent %x' % at)
                continue
            try:
                mem.seek(at)
                h.update(mem.read(page))
            except OSError:
                h.update(b'unreadable %x' % at)
print(h.hexdigest())
PY
}
# The target wrote a page of each of its shared file mappings: the kernel
# writes those back when it will (30 s after, or sooner when much is dirty),
# and each turns from dirty to clean in smaps under the test. Written back
# now, before the first smaps, they stay clean: the frozen target writes
# nothing more.
sync
# The sum is taken before the first smaps: reading memory marks it referenced.
sum_before=$(memsum)
cat "/proc/$tpid/smaps" >"$tmp/smaps.before"
grep -q '^Referenced: *[1-9]' "$tmp/smaps.before" ||
	{ echo "Bail out! no referenced page in the target: nothing to see a reset by"; exit 1; }

cmds=(
	"$tpid"
	"--all --sections $tpid"
	"--format json --pages $tpid"
	"--pages --pagemap pread --all $tpid"
	"snapshot -o $tmp/snap.json $tpid"
	"pages $tpid"
	"pages --format json $tpid"
	"list"
	"list --format json"
	"list --format csv"
	"top --once -d 0.1"
	"diff $tpid $tpid"
	"diff $tmp/snap.json $tpid"
	"check --max-pss 1T --max heap=1T --min-stack-headroom 1K $tpid"
	"faults --duration 200ms $tpid"
)
bad=()
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086 # the commands are split on purpose
	"$vmscope" $c >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	if [ $rc -ne 0 ]; then
		bad+=("vmscope $c: exit $rc: $(head -c 200 "$tmp/err")")
	fi
	cat "/proc/$tpid/smaps" >"$tmp/smaps.after"
	if ! cmp -s "$tmp/smaps.before" "$tmp/smaps.after"; then
		bad+=("vmscope $c changed smaps:" "$(diff "$tmp/smaps.before" "$tmp/smaps.after" | head -8)")
		cp "$tmp/smaps.after" "$tmp/smaps.before"
	fi
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "${#cmds[@]} default commands leave the target's smaps as it was, byte for byte"
else
	not_ok "default commands leave the target's smaps as it was" "${bad[@]}"
fi
[ "$(memsum)" = "$sum_before" ] && ok "and its memory as it was" ||
	not_ok "and its memory as it was"
[ "$(awk '{print $3}' "/proc/$tpid/stat")" = T ] && ok "and stopped" || not_ok "and stopped"

# The control: --reset-refs does clear the referenced bits, and the
# comparison above would have seen it.
cat "/proc/$tpid/smaps" >"$tmp/smaps.before"
"$vmscope" --reset-refs 1 "$tpid" >/dev/null 2>"$tmp/err"
rc=$?
cat "/proc/$tpid/smaps" >"$tmp/smaps.after"
before=$(awk '$1 == "Referenced:" { s += $2 } END { print s + 0 }' "$tmp/smaps.before")
after=$(awk '$1 == "Referenced:" { s += $2 } END { print s + 0 }' "$tmp/smaps.after")
if [ $rc = 0 ] && [ "$after" -lt "$before" ]; then
	ok "--reset-refs (asked for) clears referenced bits: $before kB referenced, then $after kB"
else
	not_ok "--reset-refs (asked for) clears referenced bits" "exit $rc: $(cat "$tmp/err")" \
		"referenced before $before kB, after $after kB"
fi
finish
