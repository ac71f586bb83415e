#!/bin/bash
# test-html.sh VMSCOPE LIVE-TARGET SRCDIR RECORD-TARGET: the HTML report of a frozen target
# rendered by a real browser (Debian's chromium, headless): no console error,
# the DOM holds the target's region labels and its heap, a screenshot is not
# blank, at 480 px the map does not overflow, a file named with <script> and
# quotes brings no tag into the page, and the page's numbers are the JSON
# report's for the same snapshot; the page of a diff holds the change and
# diff --format json's numbers, and the page of a recording its charts and
# show --format json's ranking. TAP; skips with the reason when chromium
# cannot be installed.
set -u
vmscope=${1:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR RECORD-TARGET}
target=${2:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR RECORD-TARGET}
src=${3:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR RECORD-TARGET}
record_target=${4:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR RECORD-TARGET}
. "$(dirname "${BASH_SOURCE[0]}")/../hardening/common.sh"

if ! command -v chromium >/dev/null; then
	[ "$(id -u)" = 0 ] && "$src/scripts/deps.sh" test >/dev/null 2>&1
	if ! command -v chromium >/dev/null; then
		echo "1..0 # SKIP chromium is not installed and could not be (scripts/deps.sh test, as root)"
		exit 0
	fi
fi
command -v convert >/dev/null || { echo "1..0 # SKIP ImageMagick's convert is missing (scripts/deps.sh test)"; exit 0; }
with_tmp

# browser ARGS... URL: headless chromium with no network of its own and a
# fresh profile; its log (console messages included) in $tmp/browser.log.
browser() {
	local profile
	profile=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 "$@" 2>>"$tmp/browser.log"
}

# rows PAGE ATTR...: as JSON, for each element of PAGE with one of the
# attributes ATTR (its value the key), the data-v of its <td> cells (null
# for a cell without) or, for a header total, its own data-v.
rows() {
	python3 - "$@" <<'PY'
import html.parser, json, sys
attrs = sys.argv[2:]
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur = {}, None
    def handle_starttag(self, tag, a):
        a = dict(a)
        key = next((a[k] for k in attrs if k in a), None)
        if key is not None and tag != 'tr':
            if 'data-v' in a:
                self.rows[key] = int(a['data-v'])
        elif key is not None:
            self.cur = self.rows.setdefault(key, [])
        elif tag == 'td' and self.cur is not None:
            self.cur.append(int(float(a['data-v'])) if 'data-v' in a else None)
    def handle_endtag(self, tag):
        if tag == 'tr':
            self.cur = None
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
json.dump(p.rows, sys.stdout)
PY
}

# py_check DESCRIPTION ARGS...: runs the Python program on stdin with ARGS;
# ok, with what it printed, when it exits 0, else not_ok with that.
py_check() {
	local desc=$1 out
	shift
	if out=$(python3 - "$@"); then ok "$desc ($out)"; else not_ok "$desc" "$out"; fi
}

check() { # description, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# A file whose name is markup and quotes, mapped by the target, which is
# named so too.
hostile="$tmp/<script>alert(\"x\")<script>'q&amp;.dat"
head -c $((8 * 4096)) /dev/urandom >"$hostile"
"$target" --comm '<i>"q'\''&' --file "$hostile" --file-read 3 --anon-pages 64 --anon-touch 16 \
	--sbrk-pages 32 --thread >"$tmp/target.out" </dev/null &
pid=$!
pids="$pid"
wait_stopped "$pid" || { echo "Bail out! the target did not stop"; exit 1; }
grep -q '^ready$' "$tmp/target.out" || { echo "Bail out! the target is not ready"; exit 1; }

"$vmscope" --format html "$pid" >"$tmp/report.html"
check "vmscope --format html exits 0" 0 $?
"$vmscope" snapshot "$pid" -o "$tmp/snap.json" >/dev/null
"$vmscope" show --format html "$tmp/snap.json" >"$tmp/show.html"
check "show --format html of a snapshot exits 0" 0 $?
"$vmscope" show --format json "$tmp/snap.json" >"$tmp/show.json"

# No tag of the page comes from the process: every tag is one vmscope writes,
# and the one script is its own.
for page in report show; do
	py_check "$page: every tag is vmscope's, one script" "$tmp/$page.html" <<'PY'
import html.parser, sys
ours = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'small', 'p',
        'dl', 'div', 'dt', 'dd', 'main', 'section', 'svg', 'g', 'rect', 'text', 'input',
        'label', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'script', 'defs',
        'pattern'}
class P(html.parser.HTMLParser):
    tags = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
bad = sorted(set(p.tags) - ours)
scripts = p.tags.count('script')
if bad or scripts != 1:
    print('tags not of vmscope: %s; %d scripts' % (bad, scripts))
    sys.exit(1)
print('%d tags' % len(p.tags))
PY
done
raw=$(grep -c 'alert("x")\|<i>"q' "$tmp/report.html")
check "the hostile names reach the page only escaped" 0 "$raw"

# The DOM as the browser built it: region labels, the heap, the hostile
# name as text; no console message.
: >"$tmp/browser.log"
browser --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"
for want in 'heap' 'thread stack' 'anon mmap' 'stack (main)' 'live-target .text' \
	"&lt;script&gt;alert(\"x\")&lt;script&gt;'q&amp;amp;.dat" 'data-kind="heap"'; do
	if grep -qF -- "$want" "$tmp/dom.html"; then
		ok "the DOM holds '$want'"
	else
		not_ok "the DOM holds '$want'" "$(head -c 2000 "$tmp/dom.html")"
	fi
done
if grep -q 'CONSOLE' "$tmp/browser.log"; then
	not_ok "the page loads with no console message" "$(grep CONSOLE "$tmp/browser.log")"
else
	ok "the page loads with no console message"
fi

# A screenshot is not blank: many colours, and not all white.
browser --screenshot="$tmp/shot.png" --window-size=1280,1600 "file://$tmp/report.html" >/dev/null
colors=$(convert "$tmp/shot.png" -format '%k' info: 2>/dev/null)
if [ "${colors:-0}" -gt 16 ]; then
	ok "the screenshot is not blank ($colors colours)"
else
	not_ok "the screenshot is not blank" "colours: ${colors:-none}"
fi

# At 480 px the page, and the map in it, stay within the window: the page
# in a frame that wide, measured by a script of the page around it that
# writes what it found into the DOM (the window itself is never narrower
# than 500 px).
probe() {
	cat >"$tmp/probe-$1.html" <<HTML
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" width="$1" height="900" style="border:0"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
	var d = this.contentDocument, w = this.contentWindow;
	var m = d.querySelector('svg.map').getBoundingClientRect();
	document.body.insertAdjacentHTML('beforeend', '<pre id="probe">w=' + w.innerWidth +
		' doc=' + d.documentElement.scrollWidth + ' map=' + Math.ceil(m.right) + '</pre>');
});
</script></body></html>
HTML
	browser --dump-dom --allow-file-access-from-files --virtual-time-budget=5000 \
		"file://$tmp/probe-$1.html" | sed -n 's|.*<pre id="probe">\([^<]*\)</pre>.*|\1|p'
}
for w in 480 1280; do
	m=$(probe $w)
	read -r win doc map <<<"$(printf '%s' "$m" | sed 's/[a-z]*=//g')"
	if [ "${win:-0}" = "$w" ] && [ "$doc" -le "$win" ] && [ "$map" -le "$win" ]; then
		ok "at $w px nothing overflows ($m)"
	else
		not_ok "at $w px nothing overflows" "measured: ${m:-nothing}"
	fi
done

# The page's numbers are the JSON report's for the same snapshot: each
# header total (data-json names its field), each region row, each object.
rows "$tmp/show.html" data-json data-start data-object >"$tmp/show-rows.json"
py_check "the page's numbers are the JSON report's" "$tmp/show-rows.json" "$tmp/show.json" <<'PY'
import json, sys
page = json.load(open(sys.argv[1]))
snap = json.load(open(sys.argv[2]))
errs, t = [], snap['totals']
totals = {k: v for k, v in page.items() if not isinstance(v, list) and not k.startswith('0x')}
rows = {int(k, 16): v for k, v in page.items() if k.startswith('0x')}
objs = {int(k): v for k, v in page.items() if k.isdigit()}
for k, v in totals.items():
    want = t
    for part in k.split('.'):
        want = want[part]
    if want != v:
        errs.append('total %s: page %d, json %s' % (k, v, want))
if len(totals) < 10:
    errs.append('only %d totals on the page' % len(totals))
def uss(m):
    return m['private_clean'] + m['private_dirty']
regions = {int(r['start'], 16): r for r in snap['regions']}
for start, cells in rows.items():
    r = regions[start]; m = r['mem']
    want = [start, None, None, None, r['size'], m['rss'], m['pss'], uss(m), m['swap']]
    if cells != want:
        errs.append('region %x: page %s, json %s' % (start, cells, want))
for o, cells in objs.items():
    ob = snap['objects'][o]; m = ob['mem']
    want = [None, ob['regions'], ob['distinct_size'], m['rss'], m['pss'], uss(m), m['swap']]
    if cells != want:
        errs.append('object %d: page %s, json %s' % (o, cells, want))
if len(rows) != min(len(regions), 500) or not objs:
    errs.append('%d region rows of %d, %d objects' % (len(rows), len(regions), len(objs)))
print('%d totals, %d regions, %d objects' % (len(totals), len(rows), len(objs)))
if errs:
    print('\n'.join(errs[:20]))
    sys.exit(1)
PY


# diff --format html of two snapshots of a target whose anonymous region
# grows by 256 pages between them, and a thread's pages by 64: the changes
# are on the page, coloured, what grew most first, and its numbers are diff
# --format json's.
"$target" --fault-anon 256 --fault-thread 64 >"$tmp/grow.out" </dev/null &
grow=$!
pids="$pids $grow"
for _ in $(seq 100); do grep -q '^ready$' "$tmp/grow.out" && break; sleep 0.05; done
"$vmscope" snapshot "$grow" -o "$tmp/a.json" >/dev/null
kill -USR1 "$grow"
for _ in $(seq 100); do grep -q '^done$' "$tmp/grow.out" && break; sleep 0.05; done
"$vmscope" snapshot "$grow" -o "$tmp/b.json" >/dev/null
"$vmscope" diff --format html "$tmp/a.json" "$tmp/b.json" >"$tmp/diff.html"
check "diff --format html exits 0" 0 $?
"$vmscope" diff --format json "$tmp/a.json" "$tmp/b.json" >"$tmp/diff.json"
: >"$tmp/browser.log"
browser --dump-dom "file://$tmp/diff.html" >"$tmp/diff-dom.html"
if grep -q 'data-change="grew"' "$tmp/diff-dom.html" && ! grep -q CONSOLE "$tmp/browser.log"; then
	ok "the diff page loads with no console message and shows what grew"
else
	not_ok "the diff page loads with no console message and shows what grew" \
		"$(grep CONSOLE "$tmp/browser.log")"
fi
rows "$tmp/diff.html" data-measure data-start >"$tmp/diff-rows.json"
py_check "the diff page's numbers are diff --format json's" "$tmp/diff-rows.json" "$tmp/diff.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
errs = []
for m, t in d['totals'].items():
    if [c for c in rows.get(m, []) if c is not None] != [t['before'], t['after'], t['delta']]:
        errs.append('total %s: page %s, json %s' % (m, rows.get(m), t))
grew = 0
for r in d['regions']:
    side = r['after'] or r['before']
    start = side['start']
    b, a, dl = r['before'], r['after'], r['delta']
    want = [int(start, 16), b['size'] if b else -1, a['size'] if a else -1, dl['size'],
            b['rss'] if b else -1, a['rss'] if a else -1, dl['rss'], dl['pss']]
    if [c for c in rows.get(start, []) if c is not None] != want:
        errs.append('region %s: page %s, json %s' % (start, rows.get(start), want))
    if r['change'] == 'grew' and dl['rss'] == 256 * 4096:
        grew += 1
if grew != 1:
    errs.append('%d regions grew by 256 pages' % grew)
print('%d totals, %d regions' % (len(d['totals']), len(d['regions'])))
if errs:
    print('\n'.join(errs[:20]))
    sys.exit(1)
PY
py_check "the diff page lists what grew most first" "$tmp/diff.html" "$tmp/diff.json" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
d = json.load(open(sys.argv[2]))
delta = {int((r['after'] or r['before'])['start'], 16): r['delta']['rss'] for r in d['regions']}
order = re.findall(r'<tr data-start="(0x[0-9a-f]+)" data-change=', page)
got = [delta[int(a, 16)] for a in order]
grown = [x for x in got if x > 0]
assert len(grown) >= 2 and got == sorted(got, reverse=True), (order, got)
print('rss deltas in order:', ' '.join(map(str, got)))
PY


# show --format html of a recording of a target whose "grow" region grows
# by 1 MiB three times: the charts' series, the grown region ranked first,
# and the ranking's numbers are show --format json's.
"$record_target" >"$tmp/rec.out" </dev/null &
rt=$!
pids="$pids $rt"
for _ in $(seq 100); do grep -q '^ready$' "$tmp/rec.out" && break; sleep 0.05; done
"$vmscope" record "$rt" -o "$tmp/r.rec" --interval 100ms --duration 1500ms 2>/dev/null &
rp=$!
# the growth after the first sample, however slow the recorder's start
for _ in $(seq 600); do
	[ "$(cat "$tmp/r.rec" 2>/dev/null | wc -l)" -ge 2 ] && break
	sleep 0.05
done
for i in 1 2 3; do
	sleep 0.3
	kill -USR1 "$rt"
done
wait "$rp"
"$vmscope" show --format html "$tmp/r.rec" >"$tmp/rec.html"
check "show --format html of a recording exits 0" 0 $?
"$vmscope" show --format json "$tmp/r.rec" >"$tmp/rec.json"
: >"$tmp/browser.log"
browser --dump-dom "file://$tmp/rec.html" >"$tmp/rec-dom.html"
series=$(grep -o 'data-series="[a-z]*"' "$tmp/rec-dom.html" | tr '\n' ' ')
if [ "$(grep -o 'data-series=' "$tmp/rec-dom.html" | wc -l)" = 9 ] &&
	! grep -q CONSOLE "$tmp/browser.log"; then
	ok "the recording's page loads with no console message and draws 9 series"
else
	not_ok "the recording's page loads with no console message and draws 9 series" \
		"series: $series" "$(grep CONSOLE "$tmp/browser.log")"
fi
grow=$(sed -n 's/^grow 0x\([0-9a-f]*\) .*/\1/p' "$tmp/rec.out")
rows "$tmp/rec.html" data-track >"$tmp/rec-rows.json"
py_check "the recording's page ranks as show --format json does" "$tmp/rec-rows.json" "$tmp/rec.json" "$grow" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
errs = []
ranked = d['regions']
for r in ranked:
    cells = rows.get(str(r['track']))
    want = [int(r['start'], 16), r['size_first'], r['size_last'], r['rss_first'], r['rss_last'],
            r['growth']]
    got = [c for c in cells if c is not None] if cells else []
    # the rate is a derived double: its data-v is rounded to a byte
    if got[:-1] != want or abs(got[-1] - r['growth_per_min']) > 1:
        errs.append('track %d: page %s, json %s' % (r['track'], cells, r))
first = list(rows)[0] if rows else None
if not ranked or str(ranked[0]['track']) != first or int(ranked[0]['start'], 16) != int(sys.argv[3], 16):
    errs.append('the first row is track %s, json ranks %s first' % (first, ranked[0] if ranked else None))
if ranked and ranked[0]['growth'] <= 0:
    errs.append('the grown region did not grow: %s' % ranked[0])
print('%d regions, first grew %s' % (len(rows), ranked[0]['growth'] if ranked else None))
if errs:
    print('\n'.join(errs[:20]))
    sys.exit(1)
PY

# A recording of days, 300,000 samples, one of them a spike of RSS: its page
# draws each line from at most two points a column of the chart (the lowest
# and the highest there), the spike at the top; the page stays small.
python3 - "$tmp/r.rec" >"$tmp/days.rec" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
head, first = lines[0], lines[1]
rss = head["status_fields"].index("vm_rss")
print(json.dumps(head))
print(json.dumps(first))
n = 300000
for i in range(1, n):
    s = {k: first[k] for k in ("status", "rollup", "faults")}
    s["t_ns"] = i * 1000000000
    if i == 123457:
        s["status"] = list(s["status"])
        s["status"][rss] *= 10
    print(json.dumps(s))
print(json.dumps({"end": "duration", "t_ns": n * 1000000000, "samples": n}))
PY
"$vmscope" show --format html "$tmp/days.rec" >"$tmp/days.html"
check "show --format html of 300,000 samples exits 0" 0 $?
py_check "300,000 samples: at most two points a column, the spike at the top" "$tmp/days.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
lines = dict(re.findall(r'<polyline data-series="([a-z]+)" [^>]*points="([^"]*)"', page))
rss = [tuple(map(float, p.split(","))) for p in lines["rss"].split()]
cols = {}
for x, y in rss:
    cols[int(x)] = cols.get(int(x), 0) + 1
top = min(y for x, y in rss)
assert max(cols.values()) <= 3 and len(rss) <= 2 * 730, (len(rss), max(cols.values()))
assert top == 8.0 and sum(1 for x, y in rss if y == top) == 1, top
assert len(page) < 1000000, len(page)
print("%d points of rss, %d bytes" % (len(rss), len(page)))
PY

finish
