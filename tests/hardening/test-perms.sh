#!/bin/bash
# test-perms.sh VMSCOPE: the whole CLI run as an unprivileged user (uid and
# gid 65534, no groups) against a root process and one of its own: what is
# readable is shown, the rest is n/a with the reason, and no format gives a
# 0 for a value whose source was refused; TAP. Needs root to switch users.
set -u
vmscope=${1:?usage: test-perms.sh VMSCOPE}
. "$(dirname "$0")/common.sh"
need_nobody "to run as another user"
if ! "${nobody[@]}" "$vmscope" --version >/dev/null 2>&1; then
	echo "1..0 # SKIP uid 65534 cannot run $vmscope (a directory on its path is closed)"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
rpid= upid=

cleanup() {
	kill -KILL $rpid $upid 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Two sleeping processes: root's and the unprivileged user's own.
sleep 300 &
rpid=$!
"${nobody[@]}" sleep 300 &
upid=$!
for i in $(seq 50); do
	[ -r "/proc/$upid/status" ] && grep -q '^Uid:.*65534' "/proc/$upid/status" &&
		[ "$(readlink "/proc/$upid/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.05
done

# as_nobody OUT ARGS...: vmscope ARGS as uid 65534; exit status in $rc.
as_nobody() {
	local out=$1
	shift
	"${nobody[@]}" "$vmscope" "$@" >"$tmp/$out" 2>"$tmp/$out.err" </dev/null
	rc=$?
}
expect() { # description, condition (a command), what to show on failure...
	local d=$1 c=$2
	shift 2
	if eval "$c"; then ok "$d"; else not_ok "$d" "$@"; fi
}

# JSON of a report: every value from a refused source is null, never 0.
cat >"$tmp/nulls.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
want_refused = sys.argv[2:]  # sources that must be refused here
src = d['sources']
refused = {k for k, v in src.items() if v['error']}
for k in want_refused:
    assert k in refused, '%s not refused: %r' % (k, src[k])
for k in refused:
    assert src[k]['read'] is False and src[k]['message'], 'refused %s: %r' % (k, src[k])
t = d['totals']
if 'smaps_rollup' in refused:
    assert t['rollup'] is None, 'rollup %r with smaps_rollup refused' % t['rollup']
    assert t['uss'] is None, 'uss %r with smaps_rollup refused' % t['uss']
else:
    assert t['rollup'] and t['rollup']['rss'] > 0 and t['uss'] is not None, t
if 'smaps' in refused:
    assert d['regions'] == [] and d['objects'] == [], 'regions with smaps refused'
    assert d['dropped_regions'] in (0, None)
else:
    assert d['regions'], 'no regions though smaps was read'
    assert all('mem' in r and r['mem'].get('rss') is not None for r in d['regions'])
if 'status' in refused:
    assert not t['status'], t['status']
else:
    assert t['status']['vm_size'] > 0 and t['status']['vm_rss'] > 0, t['status']
if 'exe' in refused:
    assert d['process']['exe'] is None, d['process']['exe']
if 'stat' in refused:
    assert t['faults'] is None
for th in d['threads']:
    if 'tasks' in refused or 'smaps' in refused:
        assert th['region'] is None, th
# pagemap: no page counter anywhere when it was refused
if 'pagemap' in refused:
    for r in d['regions']:
        assert not r.get('pages'), r
PY

# Root's process.
as_nobody rep "$rpid"
expect "report of root's process: exit 0, the readable totals shown" \
	'[ $rc = 0 ] && grep -qE "^VSZ [0-9.]+[KMG]  RSS [0-9.]+[KMG]  PSS n/a  USS n/a" "$tmp/rep"' \
	"exit $rc" "$(cat "$tmp/rep" "$tmp/rep.err")"
expect "report of root's process: one line saying what was refused and what would help" \
	'grep -q "smaps_rollup.*Permission denied (run as the process owner" "$tmp/rep"' \
	"$(cat "$tmp/rep")"
as_nobody rep.json --format json "$rpid"
expect "report --format json of root's process: refused sources null, never 0" \
	'[ $rc = 0 ] && why=$(python3 "$tmp/nulls.py" "$tmp/rep.json" smaps smaps_rollup 2>&1)' \
	"exit $rc" "${why:-}"
as_nobody snap.json snapshot "$rpid"
"${nobody[@]}" "$vmscope" show --format json - <"$tmp/snap.json" >"$tmp/show.json" 2>"$tmp/show.err"
expect "snapshot and show of root's process keep the nulls" \
	'why=$(python3 "$tmp/nulls.py" "$tmp/show.json" smaps smaps_rollup 2>&1)' "${why:-}"
"${nobody[@]}" "$vmscope" show --format openmetrics - <"$tmp/snap.json" >"$tmp/om" 2>&1
expect "show --format openmetrics of it: no PSS, USS or region sample, smaps_rollup said unreadable" \
	'! grep -qE "measure=\"(pss|uss|swap_pss)\"" "$tmp/om" &&
	 grep -q "source=\"smaps_rollup\"} 0" "$tmp/om" && grep -q "measure=\"rss\"} [1-9]" "$tmp/om"' \
	"$(grep -v '^#' "$tmp/om" | head -20)"
as_nobody pages pages "$rpid"
expect "pages of root's process: exit 1, why, nothing on stdout" \
	'[ $rc = 1 ] && [ ! -s "$tmp/pages" ] && grep -q "Permission denied" "$tmp/pages.err"' \
	"exit $rc" "$(cat "$tmp/pages" "$tmp/pages.err")"
as_nobody check check --max-pss 1G --max-uss 1G --max heap=1G --max-rss 1G "$rpid"
expect "check of root's process: PSS, USS and heap cannot be checked (exit 1), RSS is" \
	'[ $rc = 1 ] && [ "$(grep -c "^FAIL .*cannot be checked" "$tmp/check")" = 3 ] &&
	 grep -q "^ok  *total RSS" "$tmp/check"' "exit $rc" "$(cat "$tmp/check" "$tmp/check.err")"
as_nobody faults faults --duration 200ms "$rpid"
expect "faults of root's process: the kernel's counters, and why not sampled" \
	'[ $rc = 0 ] && grep -q "Permission denied" "$tmp/faults"' "exit $rc" "$(cat "$tmp/faults" "$tmp/faults.err")"
as_nobody diff diff "$rpid" "$upid"
expect "diff of root's process and its own: PSS n/a before (refused), its own after, no change; regions n/a" \
	'[ $rc = 0 ] && grep -qE "^PSS +n/a +[0-9.]+[KMG] +n/a$" "$tmp/diff" && grep -q "^regions: n/a, those of before could not be read: Permission denied" "$tmp/diff"' "exit $rc" "$(cat "$tmp/diff" "$tmp/diff.err")"
as_nobody diff.json diff --format json "$rpid" "$upid"
expect "diff --format json of them: counts and regions null, PSS null before, its own after" \
	'[ $rc = 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"counts\"] is None and d[\"regions\"] is None and d[\"totals\"][\"pss\"][\"before\"] is None and d[\"totals\"][\"pss\"][\"after\"] > 0 and d[\"totals\"][\"pss\"][\"delta\"] is None" "$tmp/diff.json"' \
	"exit $rc" "$(head -c 600 "$tmp/diff.json")"

# Its own process: everything.
as_nobody own.json --format json --pages "$upid"
expect "report --format json --pages of its own process: every source read but kpageflags (root only)" \
	'[ $rc = 0 ] && why=$(python3 "$tmp/nulls.py" "$tmp/own.json" 2>&1) &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(any(v[\"error\"] for k, v in d[\"sources\"].items() if k != \"kpageflags\"))" "$tmp/own.json"' \
	"exit $rc" "${why:-}" "$(grep -A3 '"error": "' "$tmp/own.json" | head)"
as_nobody ownpages pages "$upid"
expect "pages of its own process" '[ $rc = 0 ] && [ -s "$tmp/ownpages" ]' "exit $rc" "$(cat "$tmp/ownpages.err")"

# The listings: root's rows n/a, its own rows whole.
as_nobody list.json list --format json
expect "list --format json: root's process: PSS, USS, SwapPss null; RSS, its split and swap its status' own; its own whole" \
	'[ $rc = 0 ] && why=$(python3 - "$tmp/list.json" "$rpid" "$upid" 2>&1 <<"PY"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {p["pid"]: p for p in d["processes"]}
r, u = rows[int(sys.argv[2])], rows[int(sys.argv[3])]
assert r["readable"] is False and r["vsz"] > 0 and r["rss"] > 0, r
assert all(r[k] is None for k in ("pss", "uss", "swap_pss")), r
# status is world-readable and exact: the root process sleeps, so its
# values now are those vmscope read
st = {}
for line in open("/proc/%d/status" % r["pid"]):
    k, _, v = line.partition(":")
    if v.strip().endswith("kB"):
        st[k] = int(v.split()[0]) * 1024
want = {"vsz": "VmSize", "rss": "VmRSS", "rss_anon": "RssAnon", "rss_file": "RssFile",
        "rss_shmem": "RssShmem", "swap": "VmSwap"}
for k, key in want.items():
    assert r[k] == st[key], (k, r[k], key, st[key])
assert u["readable"] is True and all(u[k] is not None for k in ("pss", "uss", "swap")), u
assert u["pss"] > 0 and u["uss"] > 0, u
for p in d["processes"]:
    if not p["readable"]:
        assert all(p[k] is None for k in ("pss", "uss", "swap_pss")), p
PY
)' "exit $rc" "${why:-}"
as_nobody list list --width 200
expect "list: root's process n/a, the total marked as partial" \
	'[ $rc = 0 ] && grep -qE "^ *$rpid +root .* n/a +n/a" "$tmp/list" && grep -qE "[0-9]\\+ .*total" "$tmp/list"' \
	"exit $rc" "$(grep -E "^ *($rpid|$upid) |total" "$tmp/list")"
as_nobody list.csv list --format csv
expect "list --format csv: root's PSS, USS and SwapPss empty, not 0; RSS, its split and swap numbers" \
	'[ $rc = 0 ] && grep -qE "^$rpid,\"root\",0,\"sleep\",\"sleep 300\",false,[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+,,,[0-9]+,," "$tmp/list.csv"' \
	"$(grep -E "^(pid|$rpid|$upid)," "$tmp/list.csv")"
if "$vmscope" list --help | grep -q openmetrics; then
	as_nobody list.om list --format openmetrics
	expect "list --format openmetrics: no PSS sample for root's process" \
		'[ $rc = 0 ] && ! grep -qE "pid=\"$rpid\".*measure=\"(pss|uss|swap_pss)\"" "$tmp/list.om" &&
		 grep -qE "pid=\"$upid\".*measure=\"pss\"} [1-9]" "$tmp/list.om"' \
		"$(grep -E "pid=\"($rpid|$upid)\"" "$tmp/list.om" | head -20)"
fi
as_nobody top top --once -d 0.1
expect "top --once: root's process n/a" \
	'[ $rc = 0 ] && grep -qE "^ *$rpid +root .* n/a +n/a" "$tmp/top"' "exit $rc" "$(grep -E "^ *($rpid|$upid) " "$tmp/top")"

# A process whose uid names no user (a container's, a deleted account's):
# its uid, and no name made up for it.
nuid=4242
while getent passwd $nuid >/dev/null; do nuid=$((nuid + 1)); done
setpriv --reuid=$nuid --regid=$nuid --clear-groups sleep 300 &
npid=$!
for i in $(seq 50); do
	grep -q "^Uid:.*$nuid" "/proc/$npid/status" 2>/dev/null &&
		[ "$(readlink "/proc/$npid/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.05
done
"$vmscope" --color never $npid >"$tmp/nouser" 2>&1
rc=$?
expect "a uid without a name: the report says 'uid $nuid', no user" \
	'[ $rc = 0 ] && head -1 "$tmp/nouser" | grep -qE "^sleep  pid $npid  uid $nuid  threads 1$"' \
	"exit $rc" "$(head -3 "$tmp/nouser")"
"$vmscope" snapshot $npid -o "$tmp/nouser.json" >/dev/null 2>&1
expect "a uid without a name: the snapshot's user is null, its uid $nuid" \
	'python3 -c "import json, sys; p = json.load(open(sys.argv[1]))[\"process\"]; assert p[\"user\"] is None and p[\"uid\"] == $nuid, p" "$tmp/nouser.json"' \
	"$(head -c 600 "$tmp/nouser.json")"
"$vmscope" list --format csv >"$tmp/nouser.csv" 2>&1
expect "list --format csv: a uid without a name, its user empty" \
	'grep -qE "^$npid,\"\",$nuid,\"sleep\",\"sleep 300\",true," "$tmp/nouser.csv"' \
	"$(grep -E "^(pid|$npid)," "$tmp/nouser.csv")"
kill -KILL $npid 2>/dev/null

# map_files/ is closed to nobody (it needs CAP_SYS_ADMIN): its own process's
# objects are read through root/ and their paths, a newline in a name
# unescaped from maps' \012, and a name that holds a backslash and 012
# itself (maps prints both alike) read as it is. Mapped private and
# executable, as the loader maps a program's code (a file mapped shared, or
# only to be read, is not read for headers). Skipped where the temporary
# directory is mounted noexec.
mkdir -m 755 "$tmp/elfnames"
nl_so="$tmp/elfnames/lib
name.so"
bs_so="$tmp/elfnames/lib\\012x.so"
cp "$(command -v sleep)" "$nl_so" && cp "$(command -v sleep)" "$bs_so" && chmod 644 "$nl_so" "$bs_so"
"${nobody[@]}" /usr/bin/python3 -c '
import mmap, sys, time
files = [open(p, "rb") for p in sys.argv[1:]]
try:
    maps = [mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)
            for f in files]
except PermissionError:
    print("noexec", flush=True)
    sys.exit(0)
print("ready", flush=True)
time.sleep(300)' "$nl_so" "$bs_so" >"$tmp/maps.out" &
mpid=$!
for i in $(seq 100); do grep -qE "ready|noexec" "$tmp/maps.out" && break; sleep 0.05; done
bid=$(readelf -n "$(command -v sleep)" | sed -n 's/.*Build ID: *//p')
as_nobody own-objects -f json $mpid
if grep -q noexec "$tmp/maps.out"; then
	skip "as nobody, objects named with a newline and with a backslash" "$tmp is mounted noexec"
else
expect "as nobody, objects named with a newline and with a backslash: read through root/, build-id $bid" \
	'[ $rc = 0 ] && [ -n "$bid" ] && python3 -c "
import json, sys
objs = {o[\"path\"].rsplit(\"/\", 1)[1]: o for o in json.load(open(sys.argv[1]))[\"objects\"]}
for name in (\"lib\\\\012name.so\", \"lib\\\\012x.so\"):
    o = objs[name]
    assert o[\"elf_error\"] is None and o[\"build_id\"] == sys.argv[2], o
" "$tmp/own-objects" "$bid"' "exit $rc" "$(grep -A3 -E 'elfnames' "$tmp/own-objects" | head -20)" "$(cat "$tmp/own-objects.err")"
fi
kill -KILL $mpid 2>/dev/null
finish
