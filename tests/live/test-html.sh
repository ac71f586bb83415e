#!/bin/bash
# test-html.sh VMSCOPE LIVE-TARGET SRCDIR: the HTML report of a frozen target
# rendered by a real browser (Debian's chromium, headless): no console error,
# the DOM holds the target's region labels and its heap, a screenshot is not
# blank, at 480 px the map does not overflow, a file named with <script> and
# quotes brings no tag into the page, and the page's numbers are the JSON
# report's for the same snapshot; the page of a diff holds the change and
# diff --format json's numbers. TAP; skips with the reason when chromium
# cannot be installed.
set -u
vmscope=${1:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR}
target=${2:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR}
src=${3:?usage: test-html.sh VMSCOPE LIVE-TARGET SRCDIR}
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
	if out=$(python3 - "$tmp/$page.html" <<'PY'
import html.parser, sys
ours = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'small', 'p',
        'dl', 'div', 'dt', 'dd', 'main', 'section', 'svg', 'g', 'rect', 'text', 'input',
        'label', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'script'}
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
PY
	); then
		ok "$page: every tag is vmscope's, one script"
	else
		not_ok "$page: every tag is vmscope's, one script" "$out"
	fi
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
if out=$(python3 - "$tmp/show.html" "$tmp/show.json" <<'PY'
import html.parser, json, sys
snap = json.load(open(sys.argv[2]))
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.totals, self.rows, self.objs, self.cur, self.td = {}, {}, {}, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'data-json' in a and 'data-v' in a:
            self.totals[a['data-json']] = int(a['data-v'])
        if tag == 'tr' and 'data-start' in a:
            self.cur = self.rows.setdefault(int(a['data-start'], 16), [])
        if tag == 'tr' and 'data-object' in a:
            self.cur = self.objs.setdefault(int(a['data-object']), [])
        if tag == 'td' and self.cur is not None:
            self.cur.append(int(a['data-v']) if 'data-v' in a else None)
    def handle_endtag(self, tag):
        if tag == 'tr':
            self.cur = None
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
errs, t = [], snap['totals']
def field(path):
    v = t
    for k in path.split('.'):
        v = v[k if k in v else k]
    return v
for k, v in p.totals.items():
    want = field(k)
    if want != v:
        errs.append('total %s: page %d, json %s' % (k, v, want))
if len(p.totals) < 10:
    errs.append('only %d totals on the page' % len(p.totals))
def uss(m):
    return m['private_clean'] + m['private_dirty']
regions = {int(r['start'], 16): r for r in snap['regions']}
for start, cells in p.rows.items():
    r = regions[start]; m = r['mem']
    want = [start, None, None, None, r['size'], m['rss'], m['pss'], uss(m), m['swap']]
    if cells != want:
        errs.append('region %x: page %s, json %s' % (start, cells, want))
for o, cells in p.objs.items():
    ob = snap['objects'][o]; m = ob['mem']
    want = [None, len(ob['regions']) if isinstance(ob['regions'], list) else ob['regions'],
            ob['distinct_size'], m['rss'], m['pss'], uss(m), m['swap']]
    if cells[1:] != want[1:]:
        errs.append('object %d: page %s, json %s' % (o, cells, want))
if len(p.rows) != min(len(regions), 500) or not p.objs:
    errs.append('%d region rows of %d, %d objects' % (len(p.rows), len(regions), len(p.objs)))
print('%d totals, %d regions, %d objects' % (len(p.totals), len(p.rows), len(p.objs)))
if errs:
    print('\n'.join(errs[:20]))
    sys.exit(1)
PY
); then
	ok "the page's numbers are the JSON report's ($out)"
else
	not_ok "the page's numbers are the JSON report's" "$out"
fi


# diff --format html of two snapshots of a target whose anonymous region
# grows by 256 pages between them: the change is on the page, coloured, and
# its numbers are diff --format json's.
"$target" --fault-anon 256 >"$tmp/grow.out" </dev/null &
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
if out=$(python3 - "$tmp/diff.html" "$tmp/diff.json" <<'PY'
import html.parser, json, sys
d = json.load(open(sys.argv[2]))
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur = {}, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'tr' and ('data-start' in a or 'data-measure' in a):
            self.cur = self.rows.setdefault(a.get('data-start') or a['data-measure'], [])
        if tag == 'td' and self.cur is not None and 'data-v' in a:
            self.cur.append(int(a['data-v']))
    def handle_endtag(self, tag):
        if tag == 'tr':
            self.cur = None
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
errs = []
for m, t in d['totals'].items():
    if p.rows.get(m) != [t['before'], t['after'], t['delta']]:
        errs.append('total %s: page %s, json %s' % (m, p.rows.get(m), t))
grew = 0
for r in d['regions']:
    side = r['after'] or r['before']
    start = side['start']
    b, a, dl = r['before'], r['after'], r['delta']
    want = [int(start, 16), b['size'] if b else -1, a['size'] if a else -1, dl['size'],
            b['rss'] if b else -1, a['rss'] if a else -1, dl['rss'], dl['pss']]
    if p.rows.get(start) != want:
        errs.append('region %s: page %s, json %s' % (start, p.rows.get(start), want))
    if r['change'] == 'grew' and dl['rss'] == 256 * 4096:
        grew += 1
if grew != 1:
    errs.append('%d regions grew by 256 pages' % grew)
print('%d totals, %d regions' % (len(d['totals']), len(d['regions'])))
if errs:
    print('\n'.join(errs[:20]))
    sys.exit(1)
PY
); then
	ok "the diff page's numbers are diff --format json's ($out)"
else
	not_ok "the diff page's numbers are diff --format json's" "$out"
fi

finish
