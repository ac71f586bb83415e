#!/bin/bash
# test-top-keys.sh VMSCOPE TARGET: tmux presses htop's keys in `vmscope top`
# (F1 ?, F3 /, F4 \, F5 t, F6 < > M I, u, F9 k, F10 q, left and right) on
# processes started here: a parent (a copy of bash, named vtp-PID) with two
# children (TARGET, 16 and 8 MiB written, named vtc-PID) and a command line
# wider than the terminal; a throwaway process to signal (a copy of sleep,
# vtk-PID); and one of user nobody (vtn-PID). TAP.
set -u
vmscope=${1:?usage: test-top-keys.sh VMSCOPE TARGET}
target=${2:?usage: test-top-keys.sh VMSCOPE TARGET}
if ! command -v tmux >/dev/null; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-tmux.sh"
pids=()
cleanup() {
	T kill-server 2>/dev/null
	[ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp" ${tree:+"$tree"}
}
trap cleanup EXIT

me=$$
cp "$(command -v bash)" "$tmp/vtp-$me"
cp "$(command -v sleep)" "$tmp/vtk-$me"
cp "$(command -v sleep)" "$tmp/vtn-$me"
# The parent's command line (one line) ends past the terminal's 100 columns.
pad=$(printf 'x%.0s' $(seq 140))
VT_TARGET=$target VT_TMP=$tmp VT_ME=$me "$tmp/vtp-$me" -c '$VT_TARGET --comm vtc-$VT_ME --anon-pages 4096 --anon-touch 4096 --no-stop >$VT_TMP/facts1 </dev/null & $VT_TARGET --comm vtc-$VT_ME --anon-pages 2048 --anon-touch 2048 --no-stop >$VT_TMP/facts2 </dev/null & wait # '"$pad"' ENDMARK' &
pids+=($!)
"$tmp/vtk-$me" 600 &
kpid=$!
pids+=($kpid)
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/vtn-$me" 600 &
	npid=$!
	pids+=($npid)
else
	npid=
fi
for f in facts1 facts2; do
	for i in $(seq 100); do grep -q '^ready$' "$tmp/$f" 2>/dev/null && break; sleep 0.05; done
done
mapfile -t kids < <(pgrep -P "${pids[0]}" | sort -n)
pids+=("${kids[@]}")

tmux_start 100 30 "$tmp"
T send-keys -t t "clear; $vmscope top -b -d 0.5" Enter
expect "top starts" '^Mem .* total'

# F1 and ?: the keys, every one of them.
T send-keys -t t F1
expect "F1 shows the keys" "vmscope top: keys"
help=$(screen)
missing=()
for k in 'F1 ? h' 'F3 /' 'F4 \' 'F5 t' 'F6' '< >' ' M ' ' I ' ' u ' 'F9 k' 'F10 q' 'left/right' ' Z '; do
	grep -qF -- "$k" <<<"$help" || missing+=("'$k'")
done
[ ${#missing[@]} -eq 0 ] && ok "the help names F1 F3 F4 F5 F6 < > M I u F9 k F10 Z and the arrows" ||
	not_ok "the help names every key" "missing: ${missing[*]}" "$help"
T send-keys -t t x
expect "any key goes back" "^Mem "
T send-keys -t t '?'
expect "? shows the keys too" "vmscope top: keys"
T send-keys -t t x

# F4 (and \): the filter, on our processes only.
T send-keys -t t F4 "^vt[pcknz]-$me" Enter
expect "F4 filters" "filter /\\^vt"
T send-keys -t t Escape

# F5: the tree, the children under their parent, TREEPSS their sum.
T send-keys -t t '\' C-u "^vt[pc]-$me" Enter
expect "the filter leaves the parent and its children" "3 of [0-9]+ processes"
T send-keys -t t F5
expect "F5 shows the tree" "TREEPSS"
expect "the header says so" "filter /.*/   tree"
s=$(screen)
parent_line=$(grep -nE "^ *${pids[0]} " <<<"$s" | cut -d: -f1)
k1=$(grep -nE "^ *${kids[0]} .*(├─|└─)" <<<"$s" | cut -d: -f1)
k2=$(grep -nE "^ *${kids[1]} .*└─" <<<"$s" | cut -d: -f1)
[ -z "$k2" ] && k2=$(grep -nE "^ *${kids[1]} .*├─" <<<"$s" | cut -d: -f1)
if [ -n "$parent_line" ] && [ -n "$k1" ] && [ -n "$k2" ] && [ "$k1" -gt "$parent_line" ] &&
	[ "$k2" -gt "$parent_line" ] && [ "$(grep -c '└─' <<<"$s")" -eq 1 ]; then
	ok "the children are drawn under their parent, the last with └─"
else
	not_ok "the children are drawn under their parent" "parent ${pids[0]}, children ${kids[*]}" "$s"
fi
# TREEPSS of the parent is its PSS and its children's, as the same screen shows them.
sums=$(awk -v p="${pids[0]}" -v a="${kids[0]}" -v b="${kids[1]}" '
	/PSS/ && /TREEPSS/ { for (i = 1; i <= NF; i++) { h = $i; sub(/^(▼|▲)/, "", h); col[h] = i } next }
	col["PSS"] && ($1 == p || $1 == a || $1 == b) { pss[$1] = $(col["PSS"]); tree[$1] = $(col["TREEPSS"]) }
	END { print pss[p] + pss[a] + pss[b], tree[p], tree[a] == pss[a] && tree[b] == pss[b] }' <<<"$s")
read -r want got leaves <<<"$sums"
if [ -n "$got" ] && [ "$want" = "$got" ] && [ "$leaves" = 1 ] && [ "$got" -gt 0 ]; then
	ok "TREEPSS of the parent is the sum of the three PSS ($got bytes), a leaf's its own"
else
	not_ok "TREEPSS of the parent is the sum of the three PSS" "sum $want, shown ${got:-none}, leaves $leaves" "$s"
fi
T send-keys -t t t
expect "t turns the tree off" "tree off"

# Left and right: the command lines scroll sideways.
if screen | grep -q ENDMARK; then
	not_ok "the end of the long command line is off the screen at first" "$(screen)"
else
	ok "the end of the long command line is off the screen at first"
fi
# right: 8 characters a press; so many that ENDMARK comes within the first 10
off=$(tr '\0' ' ' <"/proc/${pids[0]}/cmdline" | awk '{ print index($0, "ENDMARK") - 1 }')
presses=()
for ((i = 0; i < (off - 2) / 8; i++)); do presses+=(Right); done
T send-keys -t t "${presses[@]}"
expect "right scrolls the command lines sideways, to their end" "^ *${pids[0]} .* [x]*ENDMARK"
T send-keys -t t "${presses[@]//Right/Left}"
expect "left scrolls back to their start" "^ *${pids[0]} .* ${tmp:0:12}"

# F6 < > M I: the sort column.
T send-keys -t t M
expect "M sorts by PSS, biggest first" "▼PSS"
T send-keys -t t '>'
expect "> sorts by the next column" "▼USS"
T send-keys -t t '<'
expect "< sorts by the one before" "▼PSS"
T send-keys -t t I
expect "I inverts the order" "▲PSS"
T send-keys -t t N
expect "N sorts by pid" "▲PID"
T send-keys -t t P
expect "P says there is no CPU column" "not CPU or time"
T send-keys -t t M I
expect "I inverts the order" "▲PSS"
T send-keys -t t F6
expect "F6 lists the columns to sort by" "Sort by"
T send-keys -t t Down Enter
expect "a column picked in the list sorts" "▼USS"

# F3 and /: search moves the selection; Enter then opens the match's layout.
T send-keys -t t '\' C-u "^vt[pck]-$me" Enter
expect "the filter shows the throwaway process" "^ *$kpid "
T send-keys -t t F3 "vtk-$me"
expect "F3 opens the search line" "search: vtk-$me"
T send-keys -t t Enter Enter
expect "the search selected the match" "vmscope watch $kpid \\(vtk-$me\\)"
T send-keys -t t Escape
T send-keys -t t / "vtc-$me"
T send-keys -t t F3 Enter Enter
expect "/ searches too, F3 goes to the next match" "vmscope watch (${kids[0]}|${kids[1]}) \\(vtc-$me\\)"
T send-keys -t t Escape
T send-keys -t t / "nosuchprocess-$me"
expect "a search without a match says so" "no match"
T send-keys -t t Escape

# F9 and k: a signal after a confirmation, never without it.
T send-keys -t t / "vtk-$me" Enter
T send-keys -t t F9
expect "F9 lists the signals" "Send signal"
expect "SIGTERM first" "15 SIGTERM"
T send-keys -t t Enter
expect "Enter asks to confirm" "send SIGTERM \\(15\\) to process $kpid \\(vtk-$me\\)\\? y/n"
T send-keys -t t n
expect "n sends nothing" "nothing sent"
sleep 0.3
kill -0 "$kpid" 2>/dev/null && ok "the process lives after n" || not_ok "the process lives after n"
T send-keys -t t k Escape
sleep 0.3
kill -0 "$kpid" 2>/dev/null && ok "Esc in the signal list sends nothing" || not_ok "Esc in the signal list sends nothing"
T send-keys -t t k Enter y
expect "y sends it" "sent SIGTERM to process $kpid"
for i in $(seq 50); do kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
wait "$kpid" 2>/dev/null
st=$?
[ "$st" -eq 143 ] && ok "the process got SIGTERM (exit status $st)" || not_ok "the process got SIGTERM" "exit status $st"

# u: the processes of one user.
if [ -n "$npid" ]; then
	T send-keys -t t '\' C-u "^vt[pn]-$me" Enter
	expect "nobody's process is listed" "^ *$npid +nobody"
	T send-keys -t t u
	expect "u lists the users" "Show processes of"
	# the users listed: those of the processes read, sorted; pick root
	mapfile -t users < <(ps --ppid 2 -p 2 --deselect -o uid= | sort -un | while read -r u; do
		getent passwd "$u" | cut -d: -f1 | grep . || echo "$u"
	done | LC_ALL=C sort -u)
	keys=()
	for u in "${users[@]}"; do
		keys+=(Down)
		[ "$u" = root ] && break
	done
	T send-keys -t t "${keys[@]}" Enter
	expect "the parent (root's) is listed" "^ *${pids[0]} +root"
	expect "the header says whose processes are shown" "   user root"
	if screen | grep -qE "^ *$npid +nobody"; then
		not_ok "picking root hides nobody's process" "$(screen)"
	else
		ok "picking root hides nobody's process"
	fi
	T send-keys -t t u PPage Enter
	expect "All users brings it back" "^ *$npid +nobody"
else
	skip "u: only the processes of one user" "no setpriv to start a process as nobody"
fi

# Up, Down, PgUp, PgDn, Home and End move the selection; Enter opens the
# selected row's layout. tmux sends Home and End as ESC [1~ and ESC [4~,
# which the pane's xterm terminfo does not know: sent as an xterm sends them.
home() { T send-keys -t t -l $'\eOH'; }
end() { T send-keys -t t -l $'\eOF'; }
mapfile -t three < <(printf '%s\n' "${pids[0]}" "${kids[@]}" | sort -n)
T send-keys -t t '\' C-u "^vt[pc]-$me" Enter
expect "the filter leaves the parent and its children again" "3 of [0-9]+ processes"
T send-keys -t t N
expect "N sorts by pid, the lowest first" "▲PID"
opens() { # description, pid: Enter opens the layout of pid, Esc goes back
	T send-keys -t t Enter
	expect "$1 (pid $2)" "^vmscope watch $2 "
	T send-keys -t t Escape
	wait_for "3 of [0-9]+ processes" >/dev/null
}
end
opens "End selects the last row" "${three[2]}"
home
opens "Home selects the first row" "${three[0]}"
home
T send-keys -t t Down
opens "Down selects the next row" "${three[1]}"
end
T send-keys -t t Up
opens "Up selects the row before" "${three[1]}"
T send-keys -t t NPage
opens "PgDn goes a page down, to the last row" "${three[2]}"
T send-keys -t t PPage
opens "PgUp goes a page up, to the first row" "${three[0]}"

# The mouse, as xterm reports it (SGR encoding, the terminfo's kmous:
# ESC [ < button ; column ; line, M pressed, m released): the wheel moves the
# selection 3 rows, a click selects a row, a click on a column's title sorts.
mouse() { # button column line (from 0) M|m
	T send-keys -t t -l "$(printf '\e[<%d;%d;%d%s' "$1" $(($2 + 1)) $(($3 + 1)) "$4")"
}
click() { mouse 0 "$1" "$2" M; mouse 0 "$1" "$2" m; }
table_y=$(($(screen | grep -n 'PID USER' | cut -d: -f1) - 1))
home
mouse 65 5 $((table_y + 1)) M
opens "the wheel down moves the selection 3 rows, to the last" "${three[2]}"
mouse 64 5 $((table_y + 1)) M
opens "the wheel up moves it back to the first" "${three[0]}"
click 5 $((table_y + 2))
opens "a click selects the row clicked" "${three[1]}"
uss_x=$(screen | sed -n "$((table_y + 1))p" | python3 -c 'import sys; print(sys.stdin.read().index("USS"))')
click "$uss_x" "$table_y"
expect "a click on a column's title sorts by it" "[▼▲]USS"
# F6's list of columns: Home, End, PgDn and Up pick in it too.
T send-keys -t t F6
home
T send-keys -t t Enter
expect "F6, Home: the first column" "[▼▲]PID "
T send-keys -t t F6
end
T send-keys -t t Enter
expect "F6, End: the last column" "[▼▲]COMMAND"
T send-keys -t t F6 PPage NPage Enter
expect "F6, PgUp then PgDn: the last column" "[▼▲]COMMAND"
before_last=$(screen | sed -n "$((table_y + 1))p" | awk '{ print $(NF - 1) }')
T send-keys -t t F6
end
T send-keys -t t Up Enter
expect "F6, End then Up: the column before the last ($before_last)" "[▼▲]${before_last:0:4}"

# Z pauses, space does not; F10 quits.
T send-keys -t t Z
expect "Z pauses" "PAUSED"
T send-keys -t t Z ' '
expect "space does not pause" "space does nothing here"
T send-keys -t t F10
expect "F10 quits" '^prompt>$'

# watch PID: the arrows, PgUp, PgDn, Home and End scroll the layout; + and -
# step the refresh interval through 0.25 0.5 1 2 3 5 10 s; Esc stays.
T send-keys -t t "clear; $vmscope watch ${kids[0]} -d 0.5" Enter
expect "watch starts at the top of the report" "^vtc-$me +pid ${kids[0]} "
line2() { screen | sed -n 2p; }
T send-keys -t t Down Down
expect "Down scrolls a line at a time" "^VSZ "
T send-keys -t t Up
expect "Up scrolls back" "^$(printf '%s' "$target" | cut -c1-20).* --comm vtc-$me"
# the line above the key line, once the report stops moving under it
above_keys() { screen | tail -2 | head -1; }
end
sleep 0.6
last=$(above_keys)
if [ -n "$last" ] && ! line2 | grep -q "^vtc-$me"; then
	ok "End: the top is off the screen, the report's last line above the keys"
else
	not_ok "End: the top is off the screen" "$(screen)"
fi
T send-keys -t t Down
sleep 0.6
[ "$(above_keys)" = "$last" ] && ok "Down at the end: no further" ||
	not_ok "Down at the end: no further" "last: $last" "$(screen)"
T send-keys -t t PPage
for i in $(seq 20); do [ "$(above_keys)" = "$last" ] || break; sleep 0.1; done
screen | grep -qxF -- "$last" && not_ok "PgUp from the end: a page up" "$(screen)" ||
	ok "PgUp from the end: a page up"
T send-keys -t t NPage
for i in $(seq 20); do [ "$(above_keys)" = "$last" ] && break; sleep 0.1; done
[ "$(above_keys)" = "$last" ] && ok "PgDn: the end again" ||
	not_ok "PgDn: the end again" "last: $last" "$(screen)"
home
expect "Home: the top again" "^vtc-$me +pid ${kids[0]} "
T send-keys -t t +
expect "+ refreshes more often" "refresh every 0.25s"
T send-keys -t t +
expect "+ at the shortest interval stays there" "refresh every 0.25s"
T send-keys -t t - - -
expect "- refreshes less often" "refresh every 2s"
T send-keys -t t - - - - -
expect "- at the longest interval stays there" "refresh every 10s"
# (a key clears the message: Esc only once it was seen)
T send-keys -t t Escape +
expect "Esc does not leave watch" "^vmscope watch ${kids[0]} .* every 5s"
T send-keys -t t F10
expect "F10 quits watch" '^prompt>$'

# --by program: a group is no process to open, draw as a tree or signal.
T send-keys -t t "clear; $vmscope top -b --by program -d 0.5" Enter
expect "top --by program lists programs" " PROGRAM"
T send-keys -t t F5
expect "F5 on groups: the tree is one of processes" "the tree is one of processes: it shows without --by"
T send-keys -t t Enter
expect "Enter on a group: no single layout" "a group has no single layout"
T send-keys -t t F9
expect "F9 on a group: no process to signal" "a group is no process to signal"
# The filter line applies as it is typed; Esc gives back the filter it had.
T send-keys -t t F4 "^vtc-$me\$" Enter
expect "the filter leaves the children's program" "1 of [0-9]+ programs"
T send-keys -t t F4 C-u "^vt-none-$me"
expect "the filter applies as it is typed" "0 of [0-9]+ programs"
T send-keys -t t Escape
expect "Esc on the filter line: the filter it had" "1 of [0-9]+ programs"
T send-keys -t t F4 C-u "^vtc-$me\$é" BSpace Enter
expect "Backspace takes a whole UTF-8 character off the filter line" "filter /\\^vtc-$me\\\$/( |$)"
T send-keys -t t F4 C-u "vtc[" Enter
expect "a pattern that is no regular expression is refused" \
	"not a valid regular expression: the filter is what it was"
expect "and the filter is what it was" "filter /\\^vtc-$me\\$/"
T send-keys -t t F10
expect "F10 quits" '^prompt>$'

# --proc-root: a captured tree of two processes (the shell fixture twice),
# made on a tmpfs where there is one: it lists the newest directory first,
# so the tree's pids come out of order (600 made first), and the listing
# puts them in order. Every refresh lists both; they get no signal.
tree=$(mktemp -d /dev/shm/vmscope-test.XXXXXX 2>/dev/null || mktemp -d "$tmp/tree.XXXXXX")
fixture=$(dirname "${BASH_SOURCE[0]}")/../fixtures/shell/proc/5539
cp -r "$fixture" "$tree/600" && cp -r "$fixture" "$tree/5539"
T send-keys -t t "clear; $vmscope top -b -d 0.25 --proc-root $tree" Enter
expect "top --proc-root lists both captured processes" "^ *600 .*"
expect "the other one too" "^ *5539 "
sleep 0.6
[ "$(screen | grep -cE '^ *(600|5539) ')" -eq 2 ] && screen | grep -q "2 of 2 processes" &&
	ok "refreshed, each of them once" || not_ok "refreshed, each of them once" "$(screen)"
T send-keys -t t F9
expect "F9: no signal to a captured process" \
	"these processes are read from --proc-root: no signal is sent to them"
T send-keys -t t F10
expect "F10 quits" '^prompt>$'
finish
