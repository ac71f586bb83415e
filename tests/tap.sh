# TAP for the test scripts (sourced): ok, not_ok with diagnostics, skip and
# finish, counting in n and failed. Sourced by tests/hardening/common.sh,
# tests/snapshot/tap.sh, tests/lint.sh and the live scripts.
n=0
failed=0

# A description is one TAP line: the newlines of a captured output become "; ".
ok() { n=$((n + 1)); echo "ok $n - ${1//$'\n'/; }"; }
# not_ok DESCRIPTION [DIAGNOSTIC...]: each diagnostic as "#" lines, 40 at most.
not_ok() {
	local l
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - ${1//$'\n'/; }"
	shift
	for l in "$@"; do printf '%s\n' "$l" | head -n 40 | sed 's/^/#   /'; done
}
# skip DESCRIPTION [REASON]
skip() { local r=${2:+ $2}; n=$((n + 1)); echo "ok $n - ${1//$'\n'/; } # SKIP${r//$'\n'/; }"; }
# Whether strace is here and may trace (a container may refuse ptrace).
can_strace() { command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; }
# file_reads STRACE NAMES: of the files whose path ends in /NAMES (an ERE,
# "(stat|syscall)") in an `strace -f -y` log of openat, pread64, read and
# fstat: "opened preads reads fstats threads" (threads: those that pread).
# The traced program's own files are left out (/proc/self, /proc/ its pid,
# the first line's): a reader thread found waiting for its CPU has its own
# task stat read, to learn which CPU the kernel has it on.
file_reads() {
	awk -v names="$2" '
		NR == 1 { own = "(/proc/self/|</proc/" $1 "/)" }
		$0 ~ own { next }
		$0 ~ "openat\\(.*[\"/]" names "\"" { o++ }
		$0 ~ "[( ]pread64\\([0-9]+<[^>]*/" names ">" { p++; by[$1] = 1 }
		$0 ~ "[( ]read\\([0-9]+<[^>]*/" names ">" { r++ }
		$0 ~ "fstat(at)?\\([0-9]+<[^>]*/" names ">" { f++ }
		END { for (t in by) k++; print o + 0, p + 0, r + 0, f + 0, k + 0 }' "$1"
}
# The plan, and the exit status: 0 when nothing failed.
finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
