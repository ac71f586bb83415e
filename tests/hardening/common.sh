# Shared by the hardening tests (sourced): TAP (tests/tap.sh) and a checker for
# bytes that must never reach a terminal.
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# raw_controls FILE [sgr]: prints where FILE holds a C0 control other than
# \n, DEL, a C1 control (as UTF-8) or invalid UTF-8, and fails if it does.
# With "sgr", ESC is allowed as the start of an SGR color sequence.
raw_controls() {
	python3 - "$@" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
if len(sys.argv) > 2 and sys.argv[2] == 'sgr':
    data = re.sub(rb'\x1b\[[0-9;]*m', b'', data)
bad = [(i, b) for i, b in enumerate(data) if (b < 0x20 and b != 0x0a) or b == 0x7f]
text = data.decode('utf-8', errors='surrogateescape')
bad += [(i, ord(c)) for i, c in enumerate(text) if 0x80 <= ord(c) < 0xa0 or 0xdc80 <= ord(c) <= 0xdcff]
for i, b in bad[:3]:
    print('byte 0x%02x at %d: %r' % (b & 0xff, i, data[max(0, i - 40):i + 8]))
sys.exit(1 if bad else 0)
PY
}

# wait_stopped PID [SECONDS]: waits (10 s by default) until PID is stopped,
# as a target is once it has built its address space; fails if it is not.
wait_stopped() {
	local i
	for i in $(seq $((${2:-10} * 20))); do
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	return 1
}

# need_nobody WHAT: skips the whole test (as its plan) unless it runs as root
# with setpriv; sets nobody=(...), which runs a command as uid and gid 65534
# without groups.
need_nobody() {
	if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
		echo "1..0 # SKIP needs root and setpriv $1"
		exit 0
	fi
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
}

# with_tmp: makes $tmp, a directory removed when the script exits, and kills
# the processes whose pids are in $pids (add them) then.
with_tmp() {
	tmp=$(mktemp -d) || exit 1
	pids=
	trap 'kill -KILL $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
}

# says DESCRIPTION STATUS PATTERN ARGS...: $vmscope ARGS exits STATUS, its
# stderr (in $tmp/err) matching PATTERN (grep), when there is one.
says() {
	local d=$1 want=$2 pat=$3 rc
	shift 3
	timeout 30 "$vmscope" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = "$want" ] && { [ -z "$pat" ] || grep -q -- "$pat" "$tmp/err"; }; then
		ok "$d"
	else
		not_ok "$d" "exit status $rc" "$(cat "$tmp/err")"
	fi
}
