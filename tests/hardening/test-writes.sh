#!/bin/bash
# test-writes.sh VMSCOPE: what vmscope writes as root, where another user
# (uid 65534) planted links, FIFOs and files in a sticky directory anyone may
# write to (as /tmp): a root-owned 0600 file they point to stays byte for
# byte and mode for mode as it was, whatever fs.protected_symlinks says;
# output files are new 0644 or keep the mode of the file they replace; no
# write to a process through a captured tree; TAP. Needs root.
set -u
vmscope=${1:?usage: test-writes.sh VMSCOPE}
. "$(dirname "$0")/common.sh"
need_nobody "to plant links as another user"
with_tmp
chmod 755 "$tmp"
umask 022

sticky=$tmp/sticky
mkdir -m 1777 "$sticky"
mkdir -m 755 "$tmp/vdir"
victim=$tmp/vdir/victim
printf 'root secret\n' >"$victim"
chmod 600 "$victim"
sum0=$(sha256sum <"$victim")
# victim_same DESCRIPTION: the victim is as it was (bytes, mode, owner, a regular file).
victim_same() {
	local now
	now=$(stat -c '%F %a %u' "$victim" 2>&1)
	if [ "$now" = "regular file 600 0" ] && [ "$(sha256sum <"$victim")" = "$sum0" ]; then
		ok "$1"
	else
		not_ok "$1" "victim: $now" "$(head -c 200 "$victim" | od -c | head -5)"
		printf 'root secret\n' >"$victim"
		chmod 600 "$victim"
	fi
}
as_nobody() { "${nobody[@]}" "$@"; }
# expect DESCRIPTION WANTED_STATUS ACTUAL_STATUS [diagnostic...]
expect_rc() {
	local d=$1 want=$2 got=$3
	shift 3
	if [ "$got" = "$want" ]; then ok "$d"; else not_ok "$d" "exit status $got, not $want" "$@"; fi
}

sleep 300 &
spid=$!
pids=$spid

# snapshot -o through another user's link: the link is replaced, not followed.
as_nobody ln -s "$victim" "$sticky/snap.json"
timeout 30 "$vmscope" snapshot "$spid" -o "$sticky/snap.json" 2>"$tmp/err"
expect_rc "snapshot -o onto a planted link exits 0" 0 $? "$(cat "$tmp/err")"
victim_same "snapshot -o: the file a planted link names is unchanged"
if [ ! -L "$sticky/snap.json" ] && [ "$(stat -c '%a %u' "$sticky/snap.json")" = "644 0" ] &&
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$sticky/snap.json"; then
	ok "snapshot -o: the link is replaced by the snapshot, root's, 0644"
else
	not_ok "snapshot -o: the link is replaced by the snapshot, root's, 0644" \
		"$(ls -la "$sticky")"
fi

# check --junit the same way.
as_nobody ln -s "$victim" "$sticky/junit.xml"
timeout 30 "$vmscope" check --max-pss 1K --junit "$sticky/junit.xml" "$spid" >/dev/null 2>"$tmp/err"
expect_rc "check --junit onto a planted link: the budget fails (1)" 1 $? "$(cat "$tmp/err")"
victim_same "check --junit: the file a planted link names is unchanged"
if [ ! -L "$sticky/junit.xml" ] &&
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$sticky/junit.xml"; then
	ok "check --junit: the link is replaced by the report"
else
	not_ok "check --junit: the link is replaced by the report" "$(ls -la "$sticky")"
fi

# A planted link on the way to the file: refused, nothing written where it points.
as_nobody ln -s "$tmp/vdir" "$sticky/dir"
timeout 30 "$vmscope" snapshot "$spid" -o "$sticky/dir/victim" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "not followed" "$tmp/err"; then
	ok "snapshot -o through a planted directory link is refused with a message"
else
	not_ok "snapshot -o through a planted directory link is refused with a message" \
		"exit status $rc" "$(cat "$tmp/err")"
fi
victim_same "snapshot -o through a planted directory link: the victim is unchanged"
if [ "$(ls -A "$tmp/vdir")" = victim ]; then
	ok "snapshot -o through a planted directory link: no temporary left"
else
	not_ok "snapshot -o through a planted directory link: no temporary left" "$(ls -la "$tmp/vdir")"
fi

# A FIFO planted under the output name is replaced, never opened (that would hang).
as_nobody mkfifo "$sticky/fifo.json"
timeout 30 "$vmscope" snapshot "$spid" -o "$sticky/fifo.json" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -f "$sticky/fifo.json" ]; then
	ok "snapshot -o onto a planted FIFO replaces it"
else
	not_ok "snapshot -o onto a planted FIFO replaces it" "exit status $rc" "$(cat "$tmp/err")"
fi

# Root's own link is followed: the file it names is replaced and keeps its mode.
printf 'old\n' >"$tmp/vdir/mine.json"
chmod 640 "$tmp/vdir/mine.json"
chown 65534:65534 "$tmp/vdir/mine.json"
ln -s "$tmp/vdir/mine.json" "$sticky/mine.json"
timeout 30 "$vmscope" snapshot "$spid" -o "$sticky/mine.json" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -L "$sticky/mine.json" ] &&
	[ "$(stat -c '%a %u %g' "$tmp/vdir/mine.json")" = "640 65534 65534" ] &&
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/vdir/mine.json"; then
	ok "snapshot -o through root's own link replaces the file, which keeps mode and owner"
else
	not_ok "snapshot -o through root's own link replaces the file, which keeps mode and owner" \
		"exit status $rc" "$(cat "$tmp/err")" "$(stat -c '%n %F %a %u %g' "$sticky/mine.json" "$tmp/vdir/mine.json")"
fi
timeout 30 "$vmscope" snapshot "$spid" -o "$tmp/new.json" 2>"$tmp/err"
if [ "$(stat -c %a "$tmp/new.json" 2>&1)" = 644 ]; then
	ok "snapshot -o: a new file is 0644"
else
	not_ok "snapshot -o: a new file is 0644" "$(stat -c %a "$tmp/new.json" 2>&1)"
fi

# --reset-refs with --proc-root would write "1" through a captured tree's clear_refs.
if timeout 30 "$vmscope" capture "$spid" -o "$tmp/cap" 2>"$tmp/err"; then
	ln -s "$victim" "$tmp/cap/proc/$spid/clear_refs"
	timeout 30 "$vmscope" --proc-root "$tmp/cap/proc" --reset-refs 1 "$spid" >/dev/null 2>"$tmp/err"
	expect_rc "--reset-refs with --proc-root is a usage error" 2 $? "$(cat "$tmp/err")"
	victim_same "--reset-refs with --proc-root: a clear_refs link's file is unchanged"
else
	not_ok "capture for the --reset-refs case" "$(cat "$tmp/err")"
fi

finish
