#!/bin/bash
# test-hostile.sh VMSCOPE HOSTILE_TARGET: a process whose comm, thread name,
# command line and mapped file names hold terminal escapes (ESC [2J, OSC 52,
# C1 CSI, BEL), newlines and invalid UTF-8, shown by every command in every
# format: no raw control byte in the output (ESC only in vmscope's own SGR
# colors with --color always), JSON valid and faithful, the TUI intact; TAP.
set -u
vmscope=${1:?usage: test-hostile.sh VMSCOPE HOSTILE_TARGET}
target=${2:?usage: test-hostile.sh VMSCOPE HOSTILE_TARGET}
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d) || exit 1
# T, screen, wait_for: tmux on a server of this test's own
. "$(dirname "$0")/../live/lib-tmux.sh"
tpid=

cleanup() {
	T kill-server 2>/dev/null
	[ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/maps"
# A marker on its command line; "hostile-[m]arker" matches it but not the
# command line of a vmscope looking for it.
marker=hostile-$$
mpat="hostile-[${marker:8:1}]${marker:9}"
"$target" "$tmp/maps" "$marker" $'arg\e[2J' $'\e]52;c;SGVsbG8=\a' $'\xc2\x9b1m' $'two\nlines' \
	$'\xff\xfe' $'\abel' >"$tmp/facts" </dev/null &
tpid=$!
for i in $(seq 100); do
	grep -q '^ready$' "$tmp/facts" 2>/dev/null &&
		[ "$(awk '{print $3}' "/proc/$tpid/stat" 2>/dev/null)" = T ] && break
	sleep 0.05
done
[ "$(awk '{print $3}' "/proc/$tpid/stat" 2>/dev/null)" = T ] ||
	{ echo "Bail out! the hostile target did not get ready"; exit 1; }

# run NAME WANT_RC [json|sgr] -- ARGS...: vmscope ARGS; stdout and stderr clean.
run() {
	local name=$1 want=$2 mode=$3 rc why=
	shift 4
	"$vmscope" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	[ "$rc" = "$want" ] || why="exit $rc, not $want: $(head -c 300 "$tmp/err")"
	if [ -z "$why" ] && ! why=$(raw_controls "$tmp/out" "$mode"); then
		why="stdout: $why"
	elif [ -z "$why" ] && ! why=$(raw_controls "$tmp/err"); then
		why="stderr: $why"
	fi
	if [ -z "$why" ] && [ "$mode" = json ] && ! why=$(python3 -m json.tool "$tmp/out" 2>&1 >/dev/null); then
		why="invalid JSON: $why"
	fi
	if [ -z "$why" ]; then ok "$name: no raw control byte"; else not_ok "$name: no raw control byte" "$why"; fi
}

run "report" 0 - -- "$tpid"
run "report --all --sections" 0 - -- --all --sections "$tpid"
run "report --by object" 0 - -- --by object --all "$tpid"
run "report --pages" 0 - -- --pages --all "$tpid"
run "report --color always" 0 sgr -- --color always --all "$tpid"
run "report --format json" 0 json -- --format json "$tpid"
cp "$tmp/out" "$tmp/report.json"
run "snapshot" 0 json -- snapshot "$tpid"
cp "$tmp/out" "$tmp/snap.json"
run "show" 0 - -- show --all "$tmp/snap.json"
run "show --format json" 0 json -- show --format json "$tmp/snap.json"
run "show --format openmetrics" 0 - -- show --format openmetrics "$tmp/snap.json"
run "list" 0 - -- list
run "list --color always" 0 sgr -- list --color always
run "list --full" 0 - -- list --full --match "$mpat"
run "list --by program" 0 - -- list --by program
run "list --format json" 0 json -- list --format json
cp "$tmp/out" "$tmp/list.json"
run "list --format csv" 0 - -- list --format csv
if "$vmscope" list --help | grep -q openmetrics; then
	run "list --format openmetrics" 0 - -- list --format openmetrics
fi
run "pages" 0 - -- pages "$tpid"
run "pages --format json" 0 json -- pages --format json "$tpid"
run "diff" 0 - -- diff "$tmp/snap.json" "$tpid"
run "diff --format json" 0 json -- diff --format json "$tmp/snap.json" "$tpid"
# A budget on a hostile file name fails, and says which.
run "check" 1 - -- check --max-pss 1K --max "$tmp/maps/esc"$'\e'"[2Jclear:rss=1" "$tpid"
run "check --junit" 1 - -- check --max-pss 1K --junit "$tmp/junit.xml" "$tpid"
if python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/junit.xml" 2>"$tmp/err" &&
	raw_controls "$tmp/junit.xml" >"$tmp/why"; then
	ok "check --junit writes well-formed XML without control bytes"
else
	not_ok "check --junit writes well-formed XML without control bytes" "$(cat "$tmp/err" "$tmp/why")"
fi
run "top --once" 0 - -- top --once -d 0.1 --full --match "$mpat"
run "faults" 0 - -- faults --duration 200ms "$tpid"
run "faults --format json" 0 json -- faults --format json --duration 200ms "$tpid"
run "report of a NAME, by its command line" 0 - -- --full "$mpat"

# The names are there, escaped, not dropped: text shows \xNN, JSON the exact
# bytes (invalid UTF-8 as U+FFFD).
"$vmscope" --all "$tpid" >"$tmp/out" 2>&1
if grep -qF 'esc\x1b[2Jclear' "$tmp/out" && grep -qF 'c1\xc2\x9b31mred' "$tmp/out"; then
	ok "the text report shows the hostile file names escaped"
else
	not_ok "the text report shows the hostile file names escaped" "$(grep -a maps "$tmp/out")"
fi
if why=$(python3 - "$tmp/report.json" "$tmp/maps" "$tmp/list.json" "$tpid" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1], encoding='utf-8'))
d = sys.argv[2]
want_comm = '\x1b[2J\x07\u009b31m\ufffdx'
assert rep['process']['comm'] == want_comm, 'comm %r' % rep['process']['comm']
cmd = rep['process']['cmdline']
for part in ('arg\x1b[2J', '\x1b]52;c;SGVsbG8=\x07', '\u009b1m', 'two\nlines', '\ufffd\ufffd', '\x07bel'):
    assert part in cmd, 'cmdline %r lacks %r' % (cmd, part)
names = [r['name'] for r in rep['regions']]
for f in ('esc\x1b[2Jclear', 'osc\x1b]52;c;SGVsbG8=\x07clip', 'c1\u009b31mred',
          'bad\ufffd\ufffd\ufffd\ufffdutf8', 'bel\x07del\x7ftab\tcr\r'):
    assert d + '/' + f in names, '%r not among %r' % (f, [n for n in names if d in n])
# maps escapes a newline as \012, and so shows a file named with the four
# characters: the name stays as the kernel gave it, undecoded
assert d + '/new\\012line' in names or d + '/new\nline' in names, names
gone = [r for r in rep['regions'] if r['name'].startswith(d + '/deleted')]
assert gone and all(r['deleted'] for r in gone), 'deleted: %r' % gone
assert any(t['comm'] == '\x1b]52;c;SGk=\x07' for t in rep['threads']), rep['threads']
lst = json.load(open(sys.argv[3], encoding='utf-8'))
rows = [p for p in lst['processes'] if p.get('pid') == int(sys.argv[4])]
assert len(rows) == 1, 'pid not listed once'
PY
); then
	ok "JSON carries comm, cmdline, thread name and file names exactly"
else
	not_ok "JSON carries comm, cmdline, thread name and file names exactly" "$why"
fi

# The live view in a terminal: no escape from a name reaches it.
if ! command -v tmux >/dev/null; then
	skip "top and watch in a terminal" "tmux is not installed"
	finish
	exit
fi
if ! T -u -f /dev/null new-session -d -s t -x 120 -y 30 \
	"env -i PATH=$PATH TERM=xterm-256color LC_ALL=C.UTF-8 PS1='prompt> ' bash --norc -i" 2>/dev/null; then
	skip "top and watch in a terminal" "tmux cannot open a terminal"
	finish
	exit
fi
T set-option -t t status off >/dev/null
T set-option -g set-clipboard on >/dev/null
# intact TITLE: first line TITLE, the key line last, 30 lines of at most
# 120 columns, no clipboard written (OSC 52) and the pane title untouched.
intact() {
	local s why= wide
	s=$(screen)
	wide=$(printf '%s\n' "$s" | LC_ALL=C.UTF-8 wc -L)
	printf '%s\n' "$s" | head -1 | grep -q "^$1" || why="first line is not '$1'"
	[ "$(printf '%s\n' "$s" | wc -l)" -eq 30 ] || why="$why; not 30 lines"
	[ "$wide" -le 120 ] || why="$why; a line of $wide columns"
	[ -z "$(T list-buffers 2>/dev/null)" ] || why="$why; the clipboard was written: $(T list-buffers)"
	printf '%s\n' "$(T display-message -p -t t '#{pane_title}')" | grep -q $'[\e\a]' && why="$why; pane title"
	if [ -z "$why" ]; then ok "$2"; else not_ok "$2" "$why" "$s"; fi
}
wait_for '^prompt>' || { echo "Bail out! no shell in tmux"; exit 1; }
T send-keys -t t "clear; $vmscope top -d 0.3 --full --match '$mpat'" Enter
wait_for "^ +$tpid " || true
sleep 0.8
intact "vmscope top" "top shows the hostile process with the screen intact"
T send-keys -t t Enter
wait_for "vmscope watch $tpid" || true
sleep 0.8
intact "vmscope watch" "its layout (Enter) keeps the screen intact"
if screen | grep -qF '\x1b'; then
	ok "the layout shows the escapes as text"
else
	not_ok "the layout shows the escapes as text" "$(screen)"
fi
T send-keys -t t q
wait_for '^prompt>' || true
T send-keys -t t "clear; $vmscope watch -d 0.3 $tpid" Enter
wait_for "vmscope watch $tpid" || true
sleep 0.8
intact "vmscope watch" "watch PID keeps the screen intact"
T send-keys -t t q
finish
