#!/bin/bash
# vmscope record (and show, diff, check of a recording) on a live target
# that grows one region by a known amount on a signal while another stays
# flat, compared with the kernel's smaps; a recorder killed mid-run; a target
# that exits during the recording. Prints TAP.
# usage: test-record.sh VMSCOPE RECORD_TARGET SOURCE_ROOT
set -u
vmscope=$1 target=$2 src=$3
. "$(dirname "$0")/../snapshot/tap.sh"
if ! python3 -c 'import json' 2>/dev/null; then
	skip "recording tests" "python3 is not installed"
	finish
	exit
fi

# start_target NAME: runs the target with its output in $tmp/NAME.out, sets tpid
start_target() {
	"$target" >"$tmp/$1.out" &
	tpid=$!
	pids+=("$tpid")
	for _ in $(seq 1 500); do
		grep -q '^ready' "$tmp/$1.out" && return 0
		sleep 0.01
	done
	return 1
}
# wait_line FILE LINE
wait_line() {
	for _ in $(seq 1 500); do
		grep -qx "$2" "$1" && return 0
		sleep 0.01
	done
	return 1
}
# wait_lines FILE N [PATTERN]: until FILE has N lines (a recording's head
# and its first N-1 samples), or N lines that hold PATTERN, up to 30 s: a
# sanitizer build can take longer to start than a fixed delay allows
wait_lines() {
	local n
	for _ in $(seq 1 600); do
		if [ -f "$1" ]; then
			if [ $# -gt 2 ]; then n=$(grep -c -- "$3" "$1"); else n=$(wc -l <"$1"); fi
			[ "$n" -ge "$2" ] && return 0
		fi
		sleep 0.05
	done
	return 1
}
# kernel_rss PID ADDR: the Rss in bytes of the smaps entry starting at ADDR (hex)
kernel_rss() {
	python3 - "$1" "$2" <<'PY'
import sys
pid, addr = sys.argv[1], int(sys.argv[2], 16)
cur = None
for line in open(f"/proc/{pid}/smaps"):
    f = line.split()
    if '-' in f[0] and len(f) >= 5 and ':' not in f[0]:
        cur = int(f[0].split('-')[0], 16)
    elif f[0] == 'Rss:' and cur == addr:
        print(int(f[1]) * 1024)
        break
PY
}

# ---- a region grows by a known amount, another stays flat
start_target grow || { not_ok "the target starts"; finish; exit; }
flat=$(sed -n 's/^flat 0x\([0-9a-f]*\) .*/\1/p' "$tmp/grow.out")
grow=$(sed -n 's/^grow 0x\([0-9a-f]*\) .*/\1/p' "$tmp/grow.out")
flat0=$(kernel_rss "$tpid" "$flat")
grow0=$(kernel_rss "$tpid" "$grow")
"$vmscope" record "$tpid" -o "$tmp/grow.rec" --interval 200ms 2>"$tmp/grow.err" &
rpid=$!
pids+=("$rpid")
wait_lines "$tmp/grow.rec" 2
sleep 0.3
kill -USR1 "$tpid"
wait_line "$tmp/grow.out" "grew 1"
grow_mid=$(kernel_rss "$tpid" "$grow")
# two more samples with regions after the first growth: the second begun
# after it, however slow the build (a sanitizer's) takes them. Samples of
# the totals alone do not count: the recorder leaves the regions out of
# those its --cpu budget has not earned, as it does when a region sample
# costs more than 5% of an interval (a sanitizer build on a busy machine).
wait_lines "$tmp/grow.rec" $(($(grep -c '"regions"' "$tmp/grow.rec") + 2)) '"regions"'
kill -USR1 "$tpid"
wait_line "$tmp/grow.out" "grew 2"
wait_lines "$tmp/grow.rec" $(($(wc -l <"$tmp/grow.rec") + 2))
flat1=$(kernel_rss "$tpid" "$flat")
grow1=$(kernel_rss "$tpid" "$grow")
kill -INT "$rpid"
wait "$rpid"
rc=$?
[ $rc -eq 0 ] && ok "record ends with exit 0 on SIGINT" ||
	not_ok "record ends with exit 0 on SIGINT" "exit $rc" "$(cat "$tmp/grow.err")"
[ "$((grow1 - grow0))" -eq $((2 << 20)) ] && ok "the target grew by 2 MiB (kernel: $grow0 -> $grow1)" ||
	not_ok "the target grew by 2 MiB" "kernel: $grow0 -> $grow1"

# The file itself: every line valid, the region's Rss at the first and last
# samples as the kernel said, the samples on their schedule.
out=$(python3 - "$tmp/grow.rec" "$src/doc/recording.schema.json" "$flat" "$grow" \
	"$flat0" "$flat1" "$grow0" "$grow1" 2>&1 <<'PY'
import json, sys
path, schema_path, flat, grow = sys.argv[1:5]
flat0, flat1, grow0, grow1 = map(int, sys.argv[5:9])
lines = [json.loads(l) for l in open(path)]
try:
    import jsonschema
    schema = json.load(open(schema_path))
    for l in lines:
        jsonschema.validate(l, schema, cls=jsonschema.Draft202012Validator)
    print("schema ok")
except ImportError:
    print("schema skipped")
head, samples, end = lines[0], lines[1:-1], lines[-1]
assert head["format"] == "vmscope-recording" and head["version"] == 1, head
assert end["end"] == "interrupted" and end["samples"] == len(samples), end
rss = head["region_values"].index("rss")
state = {}
def apply(s):
    for r in s.get("regions", []):
        state[r[0]] = (r[1], r[3 + rss])
    for g in s.get("gone", []):
        del state[g]
def rss_at(addr):
    hits = [v for (a, v) in state.values() if a == "0x" + addr]
    assert len(hits) == 1, (addr, hits)
    return hits[0]
assert "regions" in samples[0] and "regions" in samples[-1]
apply(samples[0])
assert rss_at(grow) == grow0, ("first", rss_at(grow), grow0)
assert rss_at(flat) == flat0, ("first flat", rss_at(flat), flat0)
for s in samples[1:]:
    apply(s)
assert rss_at(grow) == grow1, ("last", rss_at(grow), grow1)
assert rss_at(flat) == flat1, ("last flat", rss_at(flat), flat1)
iv = head["interval_ns"]
# sample k is due at k intervals after the first: taken within one interval
# of that (the last one is taken at once, on SIGINT)
assert samples[0]["t_ns"] == 0
for k, s in enumerate(samples[:-1]):
    assert k * iv <= s["t_ns"] < (k + 1) * iv, ("sample", k, s["t_ns"], "due", k * iv)
assert samples[-1]["t_ns"] >= samples[-2]["t_ns"]
print(len(samples), "samples")
PY
) && ok "the file: whole lines, kernel Rss at the first and last samples, samples on schedule ($out)" ||
	not_ok "the file: kernel Rss at the first and last samples, samples on schedule" "$out"

# show: the growing region first, its growth the kernel's difference to the
# byte, the flat one 0, the same numbers in text and JSON.
"$vmscope" show -f json "$tmp/grow.rec" >"$tmp/grow.json" 2>"$tmp/err"
out=$(python3 - "$tmp/grow.json" "$flat" "$grow" "$((grow1 - grow0))" "$((flat1 - flat0))" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
flat, grow, dgrow, dflat = "0x" + sys.argv[2], "0x" + sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
regions = doc["regions"]
assert regions[0]["start"] == grow, ("first ranked", regions[0])
assert regions[0]["growth"] == dgrow, (regions[0]["growth"], dgrow)
f = [r for r in regions if r["start"] == flat]
assert len(f) == 1 and f[0]["growth"] == dflat == 0, f
assert regions[0]["rose_from_ns"] is not None and regions[0]["rose_from_ns"] > 0, regions[0]
assert doc["end"] == "interrupted" and not doc["truncated"]
print("growth", regions[0]["growth"], "per min", regions[0]["growth_per_min"])
PY
) && ok "show ranks the growing region first with the kernel's growth, the flat one 0 ($out)" ||
	not_ok "show ranks the growing region first with the kernel's growth, the flat one 0" "$out" "$(cat "$tmp/err")"
# the region that grew at its start (merged below, its end the same) is one
# region that grew by the two steps, in show as in diff, not a new one
down_end=$(sed -n 's/^down 0x\([0-9a-f]*\) .*/\1/p' "$tmp/grow.out")
"$vmscope" diff -f json "$tmp/grow.rec" >"$tmp/grow-diff.json" 2>>"$tmp/err"
out=$(python3 - "$tmp/grow.json" "$tmp/grow-diff.json" "$down_end" 2>&1 <<'PY'
import json, sys
doc, diff, end = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3], 16)
mine = [r for r in doc["regions"] if int(r["start"], 16) + r["size_last"] == end or
        int(r["start"], 16) + r["size_first"] == end]
assert len(mine) == 1, mine
r = mine[0]
assert not r["appeared"] and not r["vanished"], r
assert r["size_last"] - r["size_first"] == 2 * 512 * 1024 == r["growth"], r
d = [e for e in diff["regions"] if e["after"] and int(e["after"]["start"], 16) + e["after"]["size"] == end]
assert len(d) == 1 and d[0]["delta"]["rss"] == r["growth"], d
print("growth", r["growth"], "as diff's")
PY
) && ok "show: a region grown at its start is one region, its growth diff's ($out)" ||
	not_ok "show: a region grown at its start is one region, its growth diff's" "$out" "$(cat "$tmp/err")"
"$vmscope" show -w 100 "$tmp/grow.rec" >"$tmp/grow.txt"
row=$(grep -E "^ *${grow#0} " "$tmp/grow.txt" | head -n 1)
if [ "$(grep -E '^ *[0-9a-f]{6,} ' "$tmp/grow.txt" | head -n 1)" = "$row" ] && [ -n "$row" ] &&
	printf '%s\n' "$row" | grep -q "+2.0M" && grep -q "anon mmap" <<<"$row"; then
	ok "show as text: the growing region first, +2.0M"
else
	not_ok "show as text: the growing region first, +2.0M" "$(cat "$tmp/grow.txt")"
fi
# the text says what the JSON says: each region's growth and per minute, in bytes
"$vmscope" show -b --all -w 200 "$tmp/grow.rec" >"$tmp/grow-bytes.txt"
out=$(python3 - "$tmp/grow.json" "$tmp/grow-bytes.txt" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = {}
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.split()
    if len(f) > 6 and all(c in "0123456789abcdef" for c in f[0]) and len(f[0]) >= 6:
        rows[int(f[0], 16)] = f
def signed(v):
    return "0" if v == 0 else ("+%d" % v if v > 0 else "-%d" % -v)
n = 0
for r in doc["regions"]:
    f = rows[int(r["start"], 16)]
    want = [signed(r["growth"]), signed(r["growth_per_min"])]
    assert want[0] in f and want[1] in f, (r, f)
    n += 1
assert n == len(rows), (n, len(rows))
print(n, "regions")
PY
) && ok "show as text and as JSON: the same growth and per minute for every region ($out)" ||
	not_ok "show as text and as JSON: the same numbers" "$out"
long=$(python3 -c '
import sys
print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$tmp/grow.txt")
[ "$long" -le 100 ] && ok "show -w 100: no line wider than 100 columns ($long)" ||
	not_ok "show -w 100: no line wider than 100 columns" "widest $long"
# what orders, groups or splits one instant's tables is refused, not ignored
for o in "-s swap:sort" "--sections:sections" "--by object:by object"; do
	# shellcheck disable=SC2086
	"$vmscope" show ${o%%:*} "$tmp/grow.rec" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
		grep -qx "vmscope: --${o#*:} does not apply to a recording: its regions are ranked by growth" \
			"$tmp/err" && ok "show ${o%%:*} of a recording: a usage error" ||
		not_ok "show ${o%%:*} of a recording: a usage error" "exit $rc" "$(cat "$tmp/err")"
done
"$vmscope" show --by region "$tmp/grow.rec" >/dev/null 2>"$tmp/err" &&
	ok "show --by region (the default) of a recording: shown" ||
	not_ok "show --by region of a recording: shown" "$(cat "$tmp/err")"
# fits NAME: show of $tmp/NAME.rec as text (as it is, in bytes, every
# region) at -w 40, 60 and 79 prints no line wider, in display columns.
fits() {
	local w o wide bad=
	for w in 40 60 79; do
		for o in -w -bw --all; do
			[ "$o" = --all ] && o="--all -w"
			# shellcheck disable=SC2086
			LC_ALL=C.UTF-8 "$vmscope" show $o $w "$tmp/$1.rec" >"$tmp/fits.txt" 2>"$tmp/err" ||
				bad+=" exit $? with '$o $w';"
			wide=$(LC_ALL=C.UTF-8 wc -L <"$tmp/fits.txt")
			[ "$wide" -le $w ] || bad+=" $wide columns with '$o $w';"
		done
	done
	[ -z "$bad" ] && ok "show of the $1 recording at -w 40, 60, 79: every line fits" ||
		not_ok "show of the $1 recording at -w 40, 60, 79: every line fits" "$bad" \
			"$(awk -v w="$w" 'length($0) > w' "$tmp/fits.txt" | head -n 5)"
}
fits grow
LC_ALL=C "$vmscope" show -w 90 "$tmp/grow.rec" >"$tmp/ascii.txt"
if ! LC_ALL=C grep -q $'[\x80-\xff]' "$tmp/ascii.txt" && grep -q '#' "$tmp/ascii.txt"; then
	ok "show in the C locale: ASCII only"
else
	not_ok "show in the C locale: ASCII only" "$(head -n 20 "$tmp/ascii.txt")"
fi

# diff of a recording: its first sample to its last, the grown region by the
# kernel's difference; check --max-growth-rate from the same numbers.
"$vmscope" diff -f json "$tmp/grow.rec" >"$tmp/diff.json" 2>"$tmp/err"
out=$(python3 - "$tmp/diff.json" "$grow" "$((grow1 - grow0))" "$flat" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
grow, dgrow, flat = int(sys.argv[2], 16), int(sys.argv[3]), int(sys.argv[4], 16)
g = [r for r in d["regions"] if r["after"] and int(r["after"]["start"], 16) == grow]
assert len(g) == 1 and g[0]["change"] == "grew" and g[0]["delta"]["rss"] == dgrow, g
assert not [r for r in d["regions"] if r["after"] and int(r["after"]["start"], 16) == flat], "flat changed"
print("rss", d["totals"]["rss"]["delta"])
PY
) && ok "diff of a recording: first to last sample, the region grew by the kernel's difference ($out)" ||
	not_ok "diff of a recording: first to last sample" "$out" "$(cat "$tmp/err")"
rate=$(python3 - "$tmp/grow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["samples"] if x["regions"]]
first, last = s[0], s[-1]
growth = max(last["rss"] - first["rss"], 0)
print(int(growth * (60e9 / (last["t_ns"] - first["t_ns"])) + 0.5))
PY
)
"$vmscope" check "$tmp/grow.rec" --max-growth-rate "rss=$((rate + 1))/min" >"$tmp/check.out" 2>&1
rc1=$?
"$vmscope" check "$tmp/grow.rec" --max-growth-rate "rss=$((rate - 1))/min" >"$tmp/check2.out" 2>&1
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 1 ] && grep -q "^ok .*($rate <= $((rate + 1)) bytes per minute)" "$tmp/check.out" &&
	grep -q "^FAIL .*($rate > $((rate - 1)) bytes per minute); grew most: anon" "$tmp/check2.out"; then
	ok "check --max-growth-rate: $rate bytes/min, ok just above, FAIL just below"
else
	not_ok "check --max-growth-rate: ok just above the rate, FAIL just below" "rate $rate, exits $rc1 $rc2" \
		"$(cat "$tmp/check.out" "$tmp/check2.out")"
fi
# --at: the sample with regions at or before that time. A sample that holds
# the region between the two growths (the kernel's Rss then), at the next
# millisecond: diff from the first sample gives the first growth alone.
at_ms=$(python3 - "$tmp/grow.rec" "$grow" "$grow_mid" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
head, grow, mid = lines[0], "0x" + sys.argv[2], int(sys.argv[3])
rss, state = head["region_values"].index("rss"), {}
for s in lines[1:-1]:
    for r in s.get("regions", []):
        state[r[0]] = (r[1], r[3 + rss])
    for g in s.get("gone", []):
        del state[g]
    if "regions" in s and (grow, mid) in state.values():
        print(s["t_ns"] // 1000000 + 1)
        break
PY
)
if [ -n "$at_ms" ]; then
	"$vmscope" diff -f json --at "${at_ms}ms" "$tmp/grow.rec" >"$tmp/diff-at.json" 2>"$tmp/err"
	out=$(python3 - "$tmp/diff-at.json" "$grow" "$((grow_mid - grow0))" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
grow, dgrow = int(sys.argv[2], 16), int(sys.argv[3])
g = [r for r in d["regions"] if r["after"] and int(r["after"]["start"], 16) == grow]
assert len(g) == 1 and g[0]["delta"]["rss"] == dgrow, g
print("rss +%d" % dgrow)
PY
) && ok "diff --at ${at_ms}ms: the first sample to the one at that time ($out)" ||
		not_ok "diff --at ${at_ms}ms: the first sample to the one at that time" "$out" "$(cat "$tmp/err")"
else
	not_ok "a sample between the two growths" "kernel Rss $grow0, $grow_mid, $grow1"
fi
"$vmscope" check "$tmp/grow.rec" --at first --max-growth rss=0 >"$tmp/check3.out" 2>&1 &&
	ok "check --at first: no growth from the first sample to itself" ||
	not_ok "check --at first: no growth" "$(cat "$tmp/check3.out")"
# a recording of days: the same samples 3,600,000 times as far apart (a
# millisecond is an hour), --at past 24 hours picks the same sample
python3 - "$tmp/grow.rec" >"$tmp/days.rec" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if "t_ns" in d:
        d["t_ns"] *= 3600000
    print(json.dumps(d))
PY
if [ -n "$at_ms" ]; then
	"$vmscope" diff -f json --at "${at_ms}h" "$tmp/days.rec" >"$tmp/diff-days.json" 2>"$tmp/err"
	out=$(python3 - "$tmp/diff-at.json" "$tmp/diff-days.json" 2>&1 <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
key = lambda d: [((r["after"] or {}).get("start"), r["delta"]) for r in d["regions"]]
assert key(a) == key(b) and a["regions"], (key(a), key(b))
print("%d regions" % len(a["regions"]))
PY
) && ok "diff --at ${at_ms}h: the same sample in a recording of days ($out)" ||
		not_ok "diff --at ${at_ms}h: the same sample in a recording of days" "$out" "$(cat "$tmp/err")"
else
	not_ok "diff --at in a recording of days: a sample between the two growths"
fi

# ---- a recorder killed mid-run
start_target killed || { not_ok "the target starts"; finish; exit; }
"$vmscope" record "$tpid" -o "$tmp/killed.rec" --interval 50ms 2>/dev/null &
rpid=$!
pids+=("$rpid")
wait_lines "$tmp/killed.rec" 3
sleep 0.2
kill -9 "$rpid"
wait "$rpid" 2>/dev/null
lines=$(wc -l <"$tmp/killed.rec")
if [ "$lines" -ge 3 ] && ! tail -n 1 "$tmp/killed.rec" | grep -q '"end"'; then
	ok "a killed recorder leaves $lines lines and no end line"
else
	not_ok "a killed recorder leaves lines and no end line" "$lines lines" "$(tail -c 300 "$tmp/killed.rec")"
fi
# cut the last line in the middle, as a kill during a write would
head -c -7 "$tmp/killed.rec" >"$tmp/cut.rec"
kill -9 "$tpid"
for f in killed cut; do
	"$vmscope" show -f json "$tmp/$f.rec" >"$tmp/$f.json" 2>"$tmp/err"
	rc=$?
	whole=$(grep -c '' "$tmp/$f.rec")
	[ "$f" = cut ] && whole=$((whole - 1))
	got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["samples"]), d["end"], d["truncated"])' \
		"$tmp/$f.json" 2>&1)
	want="$((whole - 1)) none $([ "$f" = cut ] && echo True || echo False)"
	[ $rc -eq 0 ] && [ "$got" = "$want" ] &&
		ok "show reads the $f file up to its last whole sample ($got)" ||
		not_ok "show reads the $f file up to its last whole sample" "exit $rc, got '$got', want '$want'" \
			"$(cat "$tmp/err")"
done

fits killed
fits cut

# ---- the progress line: on a terminal only; a write error
start_target progress || { not_ok "the target starts"; finish; exit; }
if command -v script >/dev/null; then
	script -qec "$vmscope record $tpid -o $tmp/tty.rec --duration 1s --interval 200ms" /dev/null \
		>"$tmp/tty.out" 2>&1 </dev/null
	if grep -q 'failed to create pseudo-terminal' "$tmp/tty.out"; then
		skip "a progress line on a terminal" "no terminal here: $(head -1 "$tmp/tty.out")"
	elif grep -q "recording pid $tpid (record-target): [0-9]* samples" "$tmp/tty.out"; then
		ok "a progress line on a terminal"
	else
		not_ok "a progress line on a terminal" "$(cat "$tmp/tty.out")"
	fi
else
	skip "a progress line on a terminal" "script (util-linux) is not installed"
fi
if [ ! -s "$tmp/grow.err" ]; then
	ok "no progress line when standard error is no terminal"
else
	not_ok "no progress line when standard error is no terminal" "$(cat "$tmp/grow.err")"
fi
if [ -c /dev/full ]; then
	"$vmscope" record "$tpid" -o /dev/full --duration 1s --interval 200ms 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "cannot write '/dev/full': No space left" "$tmp/err" &&
		ok "-o /dev/full: exit 1 with the write error" ||
		not_ok "-o /dev/full: exit 1 with the write error" "exit $rc" "$(cat "$tmp/err")"
fi
# As uid 65534, a root process's smaps is unreadable and its status is not:
# said once, and every sample holds the totals without regions.
if command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	mkdir -m 1777 "$tmp/nobody"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$vmscope" record "$tpid" \
		-o "$tmp/nobody/totals.rec" --duration 500ms --interval 100ms 2>"$tmp/err"
	rc=$?
	out=$(python3 - "$tmp/nobody/totals.rec" 2>&1 <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
samples = lines[1:-1]
assert lines[-1]["end"] == "duration" and len(samples) >= 2, lines[-1]
assert all("regions" not in s and s["status"] for s in samples), samples[0]
print(len(samples), "samples")
PY
)
	[ $rc -eq 0 ] && [ "$(grep -c . "$tmp/err")" -eq 1 ] &&
		grep -qx "vmscope: cannot read the regions of pid $tpid: Permission denied; recording the totals only" "$tmp/err" &&
		[ -n "$out" ] && [[ $out == *samples ]] &&
		ok "as uid 65534: one line says the regions are unreadable; totals only ($out)" ||
		not_ok "as uid 65534: the totals only, said once" "exit $rc: $out" "$(cat "$tmp/err")"
else
	skip "as uid 65534: the totals only" "setpriv (util-linux) is not installed"
fi
kill -9 "$tpid"

# ---- the target exits during the recording
start_target exits || { not_ok "the target starts"; finish; exit; }
"$vmscope" record "$tpid" -o "$tmp/exits.rec" --interval 100ms 2>"$tmp/exits.err" &
rpid=$!
pids+=("$rpid")
wait_lines "$tmp/exits.rec" 2
sleep 0.2
kill -TERM "$tpid"
wait "$rpid"
rc=$?
if [ $rc -eq 0 ] && grep -q "process $tpid exited" "$tmp/exits.err" &&
	tail -n 1 "$tmp/exits.rec" | grep -q '"end": "exited"'; then
	ok "a target that exits ends the recording: exit 0, a line, and the end line"
else
	not_ok "a target that exits ends the recording: exit 0 and a line" "exit $rc" \
		"$(cat "$tmp/exits.err")" "$(tail -n 1 "$tmp/exits.rec" | cut -c 1-200)"
fi
fits exits

# ---- watch --record: what the live view reads, written as a recording
if ! command -v tmux >/dev/null; then
	skip "watch --record" "tmux is not installed"
	finish
	exit
fi
sock=vmscope-rec-$$
T() { tmux -L "$sock" "$@"; }
start_target watch || { not_ok "the target starts"; finish; exit; }
grow=$(sed -n 's/^grow 0x\([0-9a-f]*\) .*/\1/p' "$tmp/watch.out")
if ! T -f /dev/null new-session -d -s w -x 120 -y 40 \
	"env TERM=xterm-256color LC_ALL=C.UTF-8 $vmscope watch --interval 0.2 --record $tmp/watch.rec $tpid 2>$tmp/watch.err; echo \$? >$tmp/watch.rc; sleep 30" \
	2>"$tmp/tmux.err"; then
	skip "watch --record" "tmux cannot open a terminal: $(head -n 1 "$tmp/tmux.err")"
	finish
	exit
fi
wait_lines "$tmp/watch.rec" 2
sleep 0.3
kill -USR1 "$tpid"
wait_line "$tmp/watch.out" "grew 1"
sleep 0.3
wait_lines "$tmp/watch.rec" 6
grow1=$(kernel_rss "$tpid" "$grow")
T send-keys -t w q
for _ in $(seq 1 100); do [ -s "$tmp/watch.rc" ] && break; sleep 0.05; done
T kill-server 2>/dev/null
out=$(python3 - "$tmp/watch.rec" "$grow" "$grow1" "$(cat "$tmp/watch.rc" 2>/dev/null)" 2>&1 <<'PY'
import json, sys
path, grow, grow1, rc = sys.argv[1], "0x" + sys.argv[2], int(sys.argv[3]), sys.argv[4]
assert rc == "0", ("exit", rc)
lines = [json.loads(l) for l in open(path)]
head, samples, end = lines[0], lines[1:-1], lines[-1]
assert head["format"] == "vmscope-recording" and end["end"] == "interrupted", end
assert len(samples) >= 4 and all("regions" in s for s in samples), len(samples)
rss = head["region_values"].index("rss")
state = {}
for s in samples:
    for r in s["regions"]:
        state[r[0]] = (r[1], r[3 + rss])
    for g in s["gone"]:
        del state[g]
last = [v for (a, v) in state.values() if a == grow]
assert last == [grow1], (last, grow1)
print(len(samples), "samples")
PY
)
[ $? -eq 0 ] && ok "watch --record: every refresh a sample with regions, the last Rss the kernel's ($out)" ||
	not_ok "watch --record: every refresh a sample, the last Rss the kernel's" "$out" "$(cat "$tmp/watch.err")"
fits watch

finish
