#!/bin/bash
# test-writes.sh VMSCOPE: what vmscope writes as root, where another user
# (uid 65534) planted links, FIFOs and files in a sticky directory anyone may
# write to (as /tmp): a root-owned 0600 file they point to stays byte for
# byte and mode for mode as it was, whatever fs.protected_symlinks says;
# output files are new 0644 or keep the mode of the file they replace; no
# write to a process through a captured tree; a capture into a directory
# dressed with links, or failing half-way, writes nowhere else and leaves no
# capture that reads as whole; TAP. Needs root.
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
says "snapshot -o through a planted directory link is refused with a message" 1 "not followed" \
	snapshot "$spid" -o "$sticky/dir/victim"
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

# record -o, written as it goes: the same.
as_nobody ln -s "$victim" "$sticky/rec.jsonl"
says "record -o onto a planted link exits 0" 0 "" record --duration 1 --interval 200ms -q "$spid" -o "$sticky/rec.jsonl"
victim_same "record -o: the file a planted link names is unchanged"
if [ ! -L "$sticky/rec.jsonl" ] && [ "$(stat -c '%a %u' "$sticky/rec.jsonl")" = "644 0" ] &&
	[ "$(wc -l <"$sticky/rec.jsonl")" -ge 3 ]; then
	ok "record -o: the link is replaced by the recording, root's, 0644"
else
	not_ok "record -o: the link is replaced by the recording, root's, 0644" "$(ls -la "$sticky")"
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

# capture -o DIR: another user's DIR, or links they planted in a DIR anyone
# may write to, never take a write elsewhere.
mkdir -m 755 "$tmp/vdir/cron.d"
printf 'root job\n' >"$tmp/vdir/cron.d/job"
cron_sum=$(ls -la --time-style=+ "$tmp/vdir/cron.d" | sha256sum; cat "$tmp/vdir/cron.d/job" | sha256sum)
cron_same() {
	if [ "$(ls -la --time-style=+ "$tmp/vdir/cron.d" | sha256sum; cat "$tmp/vdir/cron.d/job" | sha256sum)" = "$cron_sum" ]; then
		ok "$1"
	else
		not_ok "$1" "$(ls -laR "$tmp/vdir/cron.d")"
	fi
}
as_nobody mkdir "$sticky/cap"
as_nobody ln -s "$tmp/vdir/cron.d" "$sticky/cap/objects"
as_nobody ln -s "$tmp/vdir/cron.d" "$sticky/cap/proc"
timeout 30 "$vmscope" capture "$spid" -o "$sticky/cap" 2>"$tmp/err"
expect_rc "capture -o into another user's directory in a sticky one is refused" 1 $? "$(cat "$tmp/err")"
cron_same "capture -o into another user's directory: nothing written where its links point"
as_nobody ln -s "$tmp/vdir/cron.d" "$sticky/cap-link"
timeout 30 "$vmscope" capture "$spid" -o "$sticky/cap-link" 2>"$tmp/err"
expect_rc "capture -o onto another user's link in a sticky directory is refused" 1 $? "$(cat "$tmp/err")"
cron_same "capture -o onto a planted link: nothing written where it points"
says "capture -o through a planted directory link is refused" 1 "not followed" \
	capture "$spid" -o "$sticky/dir/cron.d/cap"
cron_same "capture -o through a planted directory link: nothing written where it points"
says "capture -o makes the missing directories of DIR" 0 "captured" capture "$spid" -o "$tmp/new/a/b"
# root's own DIR, writable by all: planted links make it no empty DIR.
mkdir -m 777 "$tmp/open"
as_nobody ln -s "$tmp/vdir/cron.d" "$tmp/open/objects"
says "capture -o into a DIR holding a planted objects link is refused: not empty" 1 \
	"is not empty" capture "$spid" -o "$tmp/open"
cron_same "capture -o into a DIR holding a planted objects link: nothing written through it"
# ... and planted as if a capture had not finished: cleared, not followed.
as_nobody mkdir "$tmp/open/.partial-1"
as_nobody ln -s "$tmp/vdir/cron.d" "$tmp/open/proc"
timeout 30 "$vmscope" capture "$spid" -o "$tmp/open" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -d "$tmp/open/objects" ] && [ ! -L "$tmp/open/objects" ] &&
	[ -f "$tmp/open/proc/$spid/smaps" ] && [ -f "$tmp/open/README" ]; then
	ok "capture -o into a DIR dressed as an unfinished capture clears the links and captures"
else
	not_ok "capture -o into a DIR dressed as an unfinished capture clears the links and captures" \
		"exit status $rc" "$(cat "$tmp/err")" "$(ls -la "$tmp/open")"
fi
cron_same "capture -o into a DIR dressed as an unfinished capture: nothing written through its links"

# A capture that fails half-way leaves no capture, and a retry works.
mkdir "$tmp/half"
mkdir "$tmp/half/README"
timeout 30 "$vmscope" capture "$spid" -o "$tmp/half" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && [ "$(ls -A "$tmp/half")" = README ]; then
	ok "capture -o into a DIR holding a directory named README is refused, nothing written"
else
	not_ok "capture -o into a DIR holding a directory named README is refused, nothing written" \
		"exit status $rc" "$(cat "$tmp/err")" "$(ls -la "$tmp/half")"
fi
rmdir "$tmp/half/README"
# out of room (RLIMIT_FSIZE: write fails with EFBIG) once some files are written
(trap '' XFSZ; ulimit -f 4; exec timeout 30 "$vmscope" capture "$spid" -o "$tmp/half") 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && [ -z "$(ls -A "$tmp/half")" ]; then
	ok "a capture that runs out of room half-way exits 1 and leaves DIR empty"
else
	not_ok "a capture that runs out of room half-way exits 1 and leaves DIR empty" \
		"exit status $rc" "$(cat "$tmp/err")" "$(ls -laR "$tmp/half" | head -20)"
fi
# killed half-way (SIGXFSZ): what is left is no capture
(ulimit -f 4; exec timeout 30 "$vmscope" capture "$spid" -o "$tmp/half") 2>"$tmp/err"
rc=$?
if [ $rc -gt 128 ] && [ ! -e "$tmp/half/README" ] && ! "$vmscope" --proc-root "$tmp/half/proc" "$spid" >/dev/null 2>&1; then
	ok "a capture killed half-way (exit status $rc) leaves no README and nothing --proc-root reads"
else
	not_ok "a capture killed half-way leaves no README and nothing --proc-root reads" \
		"exit status $rc" "$(ls -la "$tmp/half")"
fi
timeout 30 "$vmscope" capture "$spid" -o "$tmp/half" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -f "$tmp/half/README" ] && [ -z "$(ls -A "$tmp/half" | grep partial)" ] &&
	"$vmscope" --proc-root "$tmp/half/proc" "$spid" >/dev/null 2>&1; then
	ok "a retry into the same DIR captures, and leaves no partial directory"
else
	not_ok "a retry into the same DIR captures, and leaves no partial directory" \
		"exit status $rc" "$(cat "$tmp/err")" "$(ls -la "$tmp/half")"
fi
if [ "$(stat -c %a "$tmp/half/README")" = 644 ] && [ "$(stat -c %a "$tmp/half/proc/$spid/smaps")" = 644 ]; then
	ok "the capture's files are 0644"
else
	not_ok "the capture's files are 0644" "$(ls -la "$tmp/half" "$tmp/half/proc/$spid")"
fi

finish
