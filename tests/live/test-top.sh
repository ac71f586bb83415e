#!/bin/bash
# test-top.sh VMSCOPE TARGET: tmux drives `vmscope top` with a known target
# running (static, 64 MiB written: the biggest PSS of a test machine); TAP.
set -u
vmscope=${1:?usage: test-top.sh VMSCOPE TARGET}
target=${2:?usage: test-top.sh VMSCOPE TARGET}
if ! command -v tmux >/dev/null; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
tpid= wpid=
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-tmux.sh"

cleanup() {
	T kill-server 2>/dev/null
	[ -n "$tpid" ] && kill -KILL "$tpid" $bpid $apid $wpid 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

name=vt-$$
"$target" --comm "$name" --anon-pages 16384 --anon-touch 16384 --no-stop >"$tmp/facts" </dev/null &
tpid=$!
# Two smaller ones of the same family (32 and 16 MiB), to check the order
# among known processes rather than against whatever else runs here.
"$target" --comm "$name-b" --anon-pages 8192 --anon-touch 8192 --no-stop >"$tmp/facts-b" </dev/null &
bpid=$!
"$target" --comm "$name-a" --anon-pages 4096 --anon-touch 4096 --no-stop >"$tmp/facts-a" </dev/null &
apid=$!
for f in facts facts-b facts-a; do
	for i in $(seq 100); do grep -q '^ready$' "$tmp/$f" && break; sleep 0.05; done
done
anon=$(awk '$1 == "anon" { sub(/^0x/, "", $2); print $2 }' "$tmp/facts")

# A shell in a 100x30 terminal, so that what top leaves behind can be seen.
tmux_start 100 30 "$tmp"
T send-keys -t t "stty -g > $tmp/stty.before" Enter
sleep 0.3
T send-keys -t t "clear; $vmscope top -d 0.5" Enter
expect "top starts with the machine's memory and the table" '^Mem .* total.*available'

# Sorting by PSS puts the biggest first, as smaps_rollup says: checked on the
# three targets, filtered, since other processes come and go.
T send-keys -t t s s # sort by something else's direction and back: PSS, descending
wait_for '▼PSS' >/dev/null
T send-keys -t t '\' "^$name" Enter
wait_for "3 of [0-9]+ processes" >/dev/null
shown=$(screen | awk '/▼PSS/ { for (i = 0; i < 3; i++) { getline; printf "%s ", $1 } exit }')
want=$(for p in $tpid $bpid $apid; do
	awk -v p="$p" '$1 == "Pss:" { print $2, p }' "/proc/$p/smaps_rollup"
done | sort -rn | awk '{ printf "%s ", $2 }')
if [ "$shown" = "$want" ] && [ "$shown" = "$tpid $bpid $apid " ]; then
	ok "sorted by PSS, the biggest first ($shown)"
else
	not_ok "sorted by PSS, the biggest first" "rows $shown," \
		"by smaps_rollup $want (64, 32, 16 MiB: $tpid $bpid $apid)" "$(screen | head -12)"
fi

# The target's row found by the filter (F4, as \; Ctrl-U clears the old one).
T send-keys -t t F4 C-u "^$name\$"
expect "the filter shows its pattern" "filter: \\^$name"
T send-keys -t t Enter
expect "the filter leaves the target's row" "^ +$tpid +[a-z0-9]+ "
expect "and only it" "1 of [0-9]+ processes"

# Enter: the live layout of the target, with its known regions.
T send-keys -t t Enter
expect "Enter opens the layout of the target" "vmscope watch $tpid \\($name\\)"
expect "the layout shows the target's anonymous region at its address" "^ *$anon +anon"
expect "the layout shows its main stack" "stack \\(main\\)"
T send-keys -t t Escape
expect "Esc goes back to the list" "1 of [0-9]+ processes"

# Resized to 80x24, the screen stays whole.
T resize-window -t t -x 80 -y 24
sleep 0.8
s=$(screen)
wide=$(printf '%s\n' "$s" | LC_ALL=C.UTF-8 wc -L)
if [ "$(printf '%s\n' "$s" | wc -l)" -eq 24 ] && [ "$wide" -le 80 ] &&
	printf '%s\n' "$s" | head -1 | grep -q '^vmscope top' &&
	printf '%s\n' "$s" | grep -q '▼PSS' &&
	printf '%s\n' "$s" | tail -1 | grep -q '^F1 help'; then
	ok "resized to 80x24: title, table header and key line, nothing wider"
else
	not_ok "resized to 80x24: title, table header and key line, nothing wider" "$s"
fi

# The help, and back.
T send-keys -t t '?'
expect "? shows the keys" "vmscope top: keys"
T send-keys -t t x
expect "any key goes back" "^Mem "

# The selected process exits while its layout is shown: said, and back to the list.
T send-keys -t t Enter
expect "Enter again opens it" "vmscope watch $tpid"
kill -KILL "$tpid"
wait "$tpid" 2>/dev/null
expect "its exit is said on the screen" "process $tpid \\($name\\) exited"
expect "and the list is back" "^ *PID USER"

# q quits and gives the terminal back.
T send-keys -t t q
expect "q returns to the shell" '^prompt>$'
T send-keys -t t "stty -g > $tmp/stty.after" Enter
sleep 0.3
if [ -s "$tmp/stty.before" ] && cmp -s "$tmp/stty.before" "$tmp/stty.after"; then
	ok "the terminal modes are as before"
else
	not_ok "the terminal modes are as before" "$(cat "$tmp/stty.before")" "$(cat "$tmp/stty.after" 2>/dev/null)"
fi
T send-keys -t t "$vmscope top" Enter
sleep 0.5
T send-keys -t t C-c
expect "Ctrl-C quits too" '^prompt>$'
T send-keys -t t "stty -g > $tmp/stty.after2" Enter
sleep 0.3
if cmp -s "$tmp/stty.before" "$tmp/stty.after2"; then
	ok "the terminal modes are as before after Ctrl-C"
else
	not_ok "the terminal modes are as before after Ctrl-C"
fi

# A 60-column terminal: watch lays the layout out for 60 (its resident
# column cut to the room it has) rather than clipping an 80-column report.
"$target" --comm "$name-w" --anon-pages 64 --anon-touch 64 --no-stop >"$tmp/facts-w" </dev/null &
wpid=$!
for i in $(seq 100); do grep -q '^ready$' "$tmp/facts-w" && break; sleep 0.05; done
T resize-window -t t -x 60 -y 40
T send-keys -t t "clear; $vmscope watch $wpid" Enter
expect "watch at 60 columns: the layout laid out for 60" ' region +size +RSS +PSS +resid'
wide=$(screen | sed 's/ *$//' | LC_ALL=C.UTF-8 wc -L)
[ "$wide" -le 60 ] && ok "watch at 60 columns: no line past the edge" ||
	not_ok "watch at 60 columns: no line past the edge" "widest $wide"
T send-keys -t t q
wait_for '^prompt>' >/dev/null
# The C locale: ASCII bars and rules, no block or box glyph.
T send-keys -t t "clear; LC_ALL=C $vmscope watch $wpid" Enter
expect "watch in the C locale: '#' bars" ' #+ *$'
if screen | LC_ALL=C.UTF-8 grep -q '[█▏▎▍▌▋▊▉┄…]'; then
	not_ok "watch in the C locale: no UTF-8 glyph" "$(screen | head -20)"
else
	ok "watch in the C locale: no UTF-8 glyph"
fi
T send-keys -t t q
wait_for '^prompt>' >/dev/null
# The process watched exits: watch ends, says so, exits 1 (vmscope-watch(1)).
T send-keys -t t "clear; $vmscope watch $wpid; echo rc=\$?" Enter
expect "watch of a process that will exit: its layout" ' region +size +RSS +PSS'
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
expect "the process exits: watch ends and says so" "^vmscope: process $wpid \\($name-w\\) exited\$"
expect "with exit status 1" '^rc=1$'

# Not a terminal: a clear message, or one plain refresh with --once.
err=$("$vmscope" top </dev/null 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 2 ] && [[ $err == *"needs a terminal"*"--once"* ]]; then
	ok "top without a terminal says so (exit 2)"
else
	not_ok "top without a terminal says so (exit 2)" "exit $rc: $err"
fi
out=$("$vmscope" top --once -d 0.2 </dev/null)
if [ $? -eq 0 ] && printf '%s\n' "$out" | grep -q '^Mem ' &&
	printf '%s\n' "$out" | grep -qE '^ +PID USER' && ! printf '%s' "$out" | grep -q $'\033'; then
	ok "top --once prints one plain refresh"
else
	not_ok "top --once prints one plain refresh" "$out"
fi
# into a pipe (no COLUMNS) its lines are whole, as list's: a command line of
# 2,000 bytes is not cut at some width; with COLUMNS it keeps to it
long="top-long-$$-$(printf 'z%.0s' $(seq 2000))"
setsid bash -c 'exec -a "$0" sleep 300' "$long" </dev/null >/dev/null 2>&1 &
lpid=$!
for i in $(seq 100); do grep -q "^top-long-$$-" "/proc/$lpid/cmdline" 2>/dev/null && break; sleep 0.05; done
out=$(env -u COLUMNS "$vmscope" top --once -d 0.1 --full -m "^top-long-$$-" </dev/null)
printf '%s\n' "$out" | grep -q -- " $long 300\$" && ok "top --once into a pipe: a command line of 2,000 bytes whole" ||
	not_ok "top --once into a pipe: a command line of 2,000 bytes whole" "$(printf '%s\n' "$out" | wc -L) columns"
w=$(COLUMNS=100 "$vmscope" top --once -d 0.1 --full -m "^top-long-$$-" </dev/null | LC_ALL=C.UTF-8 wc -L)
[ "$w" -le 100 ] && ok "top --once with COLUMNS=100: 100 columns" ||
	not_ok "top --once with COLUMNS=100: 100 columns" "$w"
kill -KILL "$lpid" 2>/dev/null
"$vmscope" watch 999999999 </dev/null >/dev/null 2>&1
[ $? -eq 1 ] && ok "watch of no such process exits 1" || not_ok "watch of no such process exits 1"

echo "1..$n"
[ $failed -eq 0 ]
