#!/bin/bash
# test-list.sh VMSCOPE TARGET: `vmscope list` on real, frozen processes,
# compared with the smaps_rollup and status of the same processes read here;
# TAP.
set -u
vmscope=${1:?usage: test-list.sh VMSCOPE TARGET}
target=${2:?usage: test-list.sh VMSCOPE TARGET}
tmp=$(mktemp -d) || exit 1
pids=()
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/ready.sh"

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL -- "-$p" "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

check() { # description, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# Starts the target in its own process group, waits until it stopped itself.
# Each name runs a copy of the target of its own: the copy's pages are shared
# by that name's processes alone (4 or 1, a whole kB a page each), so the kB
# of PSS that smaps_rollup prints stays put while other processes start and
# exit. (With one file for both, a page's share was 4096/5 bytes, and the
# vdso's 4096/N, N every process of the machine, could carry a sum across a
# kB between two reads.)
start_target() { # name, target options...
	local name=$1 out=$tmp/$1.out
	shift
	cp "$target" "$tmp/$name" || exit 1
	setsid "$tmp/$name" --comm "$name" "$@" >"$out" </dev/null &
	pids+=($!)
	wait_ready $! "$out" && return 0
	echo "Bail out! $name did not get ready"
	exit 1
}

# The smaps_rollup and status of each of the pids, kept in $tmp/rollup.PID
# and $tmp/status.PID; prints them all, so that two reads can be compared.
read_rollups() { # pids...
	local p
	for p in "$@"; do
		cat "/proc/$p/smaps_rollup" >"$tmp/rollup.$p"
		grep -E '^(VmSize|VmRSS|VmSwap|RssAnon|RssFile|RssShmem):' "/proc/$p/status" \
			>"$tmp/status.$p"
		cat "$tmp/rollup.$p" "$tmp/status.$p"
	done
}

# at_rest FILE VERIFY CMD...: runs CMD > FILE (returning its exit status) at
# an instant when the pids' smaps_rollup did not move, read before and after
# (again when they differ), and until VERIFY (a function comparing FILE with
# those rollups) agrees, 5 quiet runs at most. The checks after it compare
# the last run with the rollups read after it, exactly.
#
# Why VERIFY is retried: even frozen, a process's memory is not the
# kernel's to keep still (reclaim, DAMON, which runs on the test machine,
# and the page cache move pages). In 2 of about 10 runs of the whole test
# command, in the ASan build only, vmscope saw each group of targets 1 KiB of
# PSS above what smaps_rollup said both before and after its run, when both
# groups ran one file (see start_target for why that could move). A wrong
# sum, a missing or extra process or a unit error would differ in every run;
# one run in five that agrees shows vmscope reads what the kernel reports.
at_rest() { # file verify cmd...
	local out=$1 verify=$2 before i quiet=0 rc
	shift 2
	for i in $(seq 40); do
		before=$(read_rollups "${all[@]}")
		"$@" >"$out" 2>"$tmp/err"
		rc=$?
		[ "$before" = "$(read_rollups "${all[@]}")" ] || continue
		quiet=$((quiet + 1))
		[ $rc -ne 0 ] && return $rc
		"$verify" && return 0
		echo "# quiet run $quiet of '$*' did not match smaps_rollup:" >&2
		per_pid_pss >&2
		[ $quiet -ge 5 ] && return 0
	done
	echo "# the targets' smaps_rollup moved during the runs" >&2
	return $rc
}

# Each target's smaps_rollup Pss, for the log of a mismatch.
per_pid_pss() {
	local p
	for p in "${all[@]}"; do
		echo "#   pid $p Pss $(awk '$1 == "Pss:" { print $2 * 1024 }' "$tmp/rollup.$p")"
	done
}

# Sum of one smaps_rollup key (in bytes) over the given pids, as read last.
rollup_sum() { # key pids...
	local key=$1 p
	shift
	for p in "$@"; do cat "$tmp/rollup.$p"; done |
		awk -v k="$key:" '$1 == k { s += $2 * 1024 } END { printf "%d\n", s }'
}
status_sum() { # key pids...
	local key=$1 p
	shift
	for p in "$@"; do cat "$tmp/status.$p"; done |
		awk -v k="$key:" '$1 == k { s += $2 * 1024 } END { printf "%d\n", s }'
}
uss_sum() {
	local p
	for p in "$@"; do cat "$tmp/rollup.$p"; done |
		awk '$1 == "Private_Clean:" || $1 == "Private_Dirty:" { s += $2 * 1024 } END { printf "%d\n", s }'
}

# A value of the "total" object of list's JSON.
json_total() { # file key
	sed -n '/^  "total": {/,/^  }/p' "$1" | sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p"
}

a=vl-a-$$
b=vl-b-$$
start_target "$a" --anon-pages 256 --anon-touch 200 --shared-pages 64 --children 3
start_target "$b" --anon-pages 100 --anon-touch 50
mapfile -t a_pids < <(pgrep -x "$a" | sort -n)
mapfile -t b_pids < <(pgrep -x "$b" | sort -n)
check "the targets run (4 + 1 processes)" "4 1" "${#a_pids[@]} ${#b_pids[@]}"
all=("${a_pids[@]}" "${b_pids[@]}")

# What list takes from status (exact, world-readable), by key:JSON name.
status_keys="VmSize:vsz VmRSS:rss VmSwap:swap RssAnon:rss_anon RssFile:rss_file RssShmem:rss_shmem"

# The comparisons of the checks below, quietly, for at_rest.
verify_json() {
	local k
	for k in Pss:pss SwapPss:swap_pss; do
		[ "$(rollup_sum "${k%:*}" "${all[@]}")" = "$(json_total "$tmp/list.json" "${k#*:}")" ] ||
			return 1
	done
	for k in $status_keys; do
		[ "$(status_sum "${k%:*}" "${all[@]}")" = "$(json_total "$tmp/list.json" "${k#*:}")" ] ||
			return 1
	done
	[ "$(uss_sum "${all[@]}")" = "$(json_total "$tmp/list.json" uss)" ]
}
csv_pss_sum() {
	local col
	col=$(head -1 "$1" | tr ',' '\n' | grep -nx pss | cut -d: -f1)
	tail -n +2 "$1" | awk -F, -v c="$col" '{ s += $c } END { printf "%d\n", s }'
}
verify_csv() {
	[ "$(rollup_sum Pss "${all[@]}")" = "$(csv_pss_sum "$tmp/list.csv")" ] && return 0
	# the rows, for the log
	sed 's/^/#   /' "$tmp/list.csv" >&2
	return 1
}
verify_prog() {
	local c
	c=$(head -1 "$tmp/prog.csv" | tr ',' '\n' | grep -nx pss | cut -d: -f1)
	[ "$(rollup_sum Pss "${a_pids[@]}")" = "$(grep "^\"$a\"," "$tmp/prog.csv" | cut -d, -f"$c")" ] &&
		[ "$(rollup_sum Pss "${b_pids[@]}")" = "$(grep "^\"$b\"," "$tmp/prog.csv" | cut -d, -f"$c")" ]
}

# Totals of the listed processes equal smaps_rollup summed over the same processes.
at_rest "$tmp/list.json" verify_json "$vmscope" list --match "^vl-(a|b)-$$\$" --format json
check "list --format json exits 0" "0 " "$? $(head -c 300 "$tmp/err")"
check "total counts the target processes" "${#all[@]}" "$(json_total "$tmp/list.json" processes)"
for k in Pss:pss SwapPss:swap_pss; do
	check "total ${k#*:} = sum of smaps_rollup ${k%:*}" "$(rollup_sum "${k%:*}" "${all[@]}")" \
		"$(json_total "$tmp/list.json" "${k#*:}")"
done
for k in $status_keys; do
	check "total ${k#*:} = sum of status ${k%:*}" "$(status_sum "${k%:*}" "${all[@]}")" \
		"$(json_total "$tmp/list.json" "${k#*:}")"
done
check "total uss = sum of smaps_rollup Private_Clean + Private_Dirty" "$(uss_sum "${all[@]}")" \
	"$(json_total "$tmp/list.json" uss)"

# The same on two threads: VMSCOPE_TEST_LIST_THREAD_MIN lowers the 64
# processes from which list shares the processes it lists between two
# threads. --match leaves the 5 targets alone in the listing: the other
# thread reads the last of them at least, and more as the two meet,
# whatever the pids of the machine's other processes.
at_rest "$tmp/list.json" verify_json env VMSCOPE_TEST_LIST_THREAD_MIN=2 \
	"$vmscope" list --match "^vl-(a|b)-$$\$" --format json
check "on two threads: list --format json exits 0" "0 " "$? $(head -c 300 "$tmp/err")"
check "on two threads: total counts the target processes" "${#all[@]}" \
	"$(json_total "$tmp/list.json" processes)"
check "on two threads: total pss = sum of smaps_rollup Pss" "$(rollup_sum Pss "${all[@]}")" \
	"$(json_total "$tmp/list.json" pss)"
check "on two threads: total rss = sum of status VmRSS" "$(status_sum VmRSS "${all[@]}")" \
	"$(json_total "$tmp/list.json" rss)"

# Many processes on two threads: 41, so that while this thread reads from
# the first on, the other, which starts with the last, takes more from the
# back until they meet. Each is listed once, and the totals are theirs.
c=vl-c-$$
start_target "$c" --anon-pages 16 --anon-touch 8 --shared-pages 4 --children 40
mapfile -t c_pids < <(pgrep -x "$c" | sort -n)
check "41 processes to list" 41 "${#c_pids[@]}"
ab=("${all[@]}")
all=("${c_pids[@]}")
at_rest "$tmp/list.json" verify_json env VMSCOPE_TEST_LIST_THREAD_MIN=2 \
	"$vmscope" list --match "^$c\$" --format json
check "41 on two threads: list --format json exits 0" "0 " "$? $(head -c 300 "$tmp/err")"
check "41 on two threads: each process listed once" "41 41" \
	"$(json_total "$tmp/list.json" processes) $(grep -c '"pid":' "$tmp/list.json")"
check "41 on two threads: total pss = sum of smaps_rollup Pss" "$(rollup_sum Pss "${all[@]}")" \
	"$(json_total "$tmp/list.json" pss)"
# Their smaps_rollup and oom_score, files the kernel writes whole at one
# read: each read by one pread and never asked of fstat (PROCFILE_WHOLE).
if can_strace; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -y -e trace=openat,pread64,read,newfstatat,fstat -e signal=none \
		-o "$tmp/strace" "$vmscope" list --match "^$c\$" --format csv >/dev/null 2>&1
	counts=$(file_reads "$tmp/strace" '[0-9]+/(smaps_rollup|oom_score)')
	read -r opened preads reads fstats _ <<<"$counts"
	if [ "$opened" -ge 82 ] && [ "$preads" = "$opened" ] && [ "$reads" = 0 ] && [ "$fstats" = 0 ]; then
		ok "41 processes: smaps_rollup and oom_score each read by one pread, no fstat ($opened files)"
	else
		not_ok "41 processes: smaps_rollup and oom_score each read by one pread, no fstat" \
			"opened $opened, pread $preads, read $reads, fstat $fstats"
	fi
else
	ok "# SKIP strace cannot run here"
fi
all=("${ab[@]}")

# The filters choose what is read: a process that --name, --user or
# (without --by) --match leaves out has its smaps_rollup, a walk of its page
# tables, never opened. Seen by strace, as the pids whose smaps_rollup
# list opens.
rollups_opened() { # list options...
	# (LeakSanitizer cannot run under a tracer: a sanitized build's leak
	# check is left out of this run alone)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=open,openat -e signal=none -o "$tmp/strace" "$vmscope" list "$@" \
		--format csv >/dev/null 2>&1 || echo "exit $?"
	sed -n 's|.*"\([0-9]*\)/smaps_rollup".*|\1|p; s|.*"/proc/\([0-9]*\)/smaps_rollup".*|\1|p' \
		"$tmp/strace" | sort -n | uniq | tr '\n' ' '
}
if can_strace; then
	a_sorted=$(printf '%s ' "${a_pids[@]}")
	all_sorted=$(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')
	check "--name reads the smaps_rollup of its processes alone" "$a_sorted" \
		"$(rollups_opened --name "$a")"
	check "--match reads the smaps_rollup of its processes alone" "$all_sorted" \
		"$(rollups_opened --match "^vl-(a|b)-$$\$")"
	check "--user of another user reads no smaps_rollup of its own" "" \
		"$(rollups_opened --user 65534 --match "^vl-(a|b)-$$\$")"
	check "--by program --name reads its processes alone" "$a_sorted" \
		"$(rollups_opened --by program --name "$a")"
	# grouped, --match is the groups': every process is read
	check "--by user --match reads more than the targets" 1 \
		"$(rollups_opened --by user --match "^$(id -un)\$" | wc -w |
			awk -v n="${#all[@]}" '{ print ($1 > n) }')"
else
	for k in x x x x x; do ok "# SKIP strace cannot run here"; done
fi

# As uid 65534, which may read the root targets' status but not their
# smaps_rollup: RSS, its split, VSZ and swap are status' exact values (not
# stat's approximation, not n/a), and PSS is unknown.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	"${nobody[@]}" "$vmscope" --version >/dev/null 2>&1; then
	verify_nobody() {
		local k
		for k in $status_keys; do
			[ "$(status_sum "${k%:*}" "${b_pids[@]}")" = \
				"$(json_total "$tmp/nobody.json" "${k#*:}")" ] || return 1
		done
	}
	at_rest "$tmp/nobody.json" verify_nobody "${nobody[@]}" "$vmscope" list --match "^$b\$" \
		--format json
	check "as uid 65534: list exits 0" "0 " "$? $(head -c 300 "$tmp/err")"
	check "as uid 65534: the root target is unreadable" 1 \
		"$(grep -c '"readable": false' "$tmp/nobody.json")"
	for k in $status_keys; do
		check "as uid 65534: ${k#*:} of a root process = its status ${k%:*}" \
			"$(status_sum "${k%:*}" "${b_pids[@]}")" "$(json_total "$tmp/nobody.json" "${k#*:}")"
	done
	check "as uid 65534: its pss and the total's are null" 2 \
		"$(grep -c '"pss": null' "$tmp/nobody.json")"
else
	for k in x x $status_keys x; do ok "# SKIP not root, or uid 65534 cannot run $vmscope"; done
fi

# The same in CSV: one row per process, every pid there.
at_rest "$tmp/list.csv" verify_csv "$vmscope" list --match "^vl-(a|b)-$$\$" --format csv --sort pid
check "csv lists exactly the target pids" "$(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')" \
	"$(tail -n +2 "$tmp/list.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')"
check "csv pss column sums to smaps_rollup Pss" "$(rollup_sum Pss "${all[@]}")" \
	"$(csv_pss_sum "$tmp/list.csv")"

# --by program: one row per program, summing exactly its processes.
at_rest "$tmp/prog.csv" verify_prog "$vmscope" list --by program --match "^vl-(a|b)-$$\$" --format csv
for prog in "$a" "$b"; do
	if [ "$prog" = "$a" ]; then set -- "${a_pids[@]}"; else set -- "${b_pids[@]}"; fi
	row=$(grep "^\"$prog\"," "$tmp/prog.csv")
	check "--by program: $prog counts its $# processes" "$#" "$(echo "$row" | cut -d, -f2)"
	c=$(head -1 "$tmp/prog.csv" | tr ',' '\n' | grep -nx pss | cut -d: -f1)
	check "--by program: $prog PSS = its processes' smaps_rollup Pss" "$(rollup_sum Pss "$@")" \
		"$(echo "$row" | cut -d, -f"$c")"
done
check "--by program: two rows" 3 "$(wc -l <"$tmp/prog.csv")"

# Filters by name and by user.
check "--name lists exactly that program" "${#a_pids[@]}" \
	"$("$vmscope" list --name "$a" --format csv | tail -n +2 | wc -l)"
check "--user of another user lists none of them" 0 \
	"$("$vmscope" list --user 65534 --match "^vl-" --format csv | tail -n +2 | wc -l)"
# the total of no process: 0 of everything that adds up, no highest score
"$vmscope" list --user 65534 --match "^vl-" --format json >"$tmp/none.json"
check "the total of no process is 0, not null" "0 0 0 0 0 null" \
	"$(for k in processes vsz rss pss uss; do json_total "$tmp/none.json" "$k"; done | tr '\n' ' ')$(
		grep -o '"oom_score": null' "$tmp/none.json" | head -1 | cut -d' ' -f2)"
me=$(id -un)
check "--user $me lists them" "${#all[@]}" \
	"$("$vmscope" list --user "$me" --match "^vl-(a|b)-$$\$" --format csv | tail -n +2 | wc -l)"

# Kernel threads only when asked.
if [ -r /proc/2/stat ] && [ "$(cat /proc/2/comm)" = kthreadd ]; then
	check "kernel threads are left out" "" "$("$vmscope" list --format csv | grep '^2,')"
	check "--kernel includes them" 1 "$("$vmscope" list --kernel --format csv | grep -c '^2,')"
else
	ok "# SKIP no kthreadd as pid 2 here"
	ok "# SKIP no kthreadd as pid 2 here"
fi

# A process whose smaps_rollup is refused shows no value, never 0.
if ! cat /proc/1/smaps_rollup >/dev/null 2>&1 && [ -r /proc/1/stat ]; then
	# ...,readable,vsz,rss,rss_anon,rss_file,rss_shmem,pss,uss,swap,swap_pss,minflt,majflt,oom_score
	check "unreadable pid 1: readable false, pss/uss/swap_pss empty, swap known" 1 \
		"$("$vmscope" list --format csv |
			grep -cE '^1,.*,false,[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+,,,[0-9]+,,[0-9]+,[0-9]+,[0-9]*$')"
	check "unreadable pid 1: n/a in the text table" 1 \
		"$("$vmscope" list --sort pid -n 1 | grep -c 'n/a')"
else
	ok "# SKIP pid 1's smaps_rollup is readable here"
	ok "# SKIP pid 1's smaps_rollup is readable here"
fi

# Processes that come and go during the run are left out without an error.
(for i in $(seq 300); do /bin/true; done) &
churn=$!
bad=0
for i in $(seq 10); do
	"$vmscope" list >/dev/null 2>"$tmp/churn.err" || bad=$((bad + 1))
	[ -s "$tmp/churn.err" ] && bad=$((bad + 1))
done
wait $churn
check "processes vanishing during the run: no error" 0 "$bad"

# A command line's bytes as the process wrote them, in list's JSON and CSV as
# in the report's JSON: control bytes escaped, not made '?'.
odd=vl-odd-$$
setsid bash -c "exec -a \$'$odd\\x01a\\tb' sleep 300" </dev/null >/dev/null 2>&1 &
pids+=($!)
for i in $(seq 100); do
	grep -q "$odd" "/proc/${pids[-1]}/cmdline" 2>/dev/null && break
	sleep 0.05
done
json_cmdline() { sed -n 's/^ *"cmdline": \("[^"]*"\),\{0,1\}$/\1/p' | head -1; }
check "list --format json keeps the command line's control bytes" \
	"$("$vmscope" --format json "${pids[-1]}" | json_cmdline)" \
	"$("$vmscope" list --format json --match "^$odd" --full | json_cmdline)"
check "list --format csv escapes them" "\"$odd\\x01a\\x09b 300\"" \
	"$("$vmscope" list --format csv --match "^$odd" --full | tail -n +2 | cut -d, -f5)"

# A comm with a control byte: raw in every output, as in the report's.
setsid "$target" --comm $'vl\x01'"$$" >"$tmp/odd.out" </dev/null &
pids+=($!)
wait_ready $! "$tmp/odd.out" || { echo "Bail out! the target did not get ready"; exit 1; }
json_comm() { sed -n 's/^ *"comm": \("[^"]*"\),\{0,1\}$/\1/p' | head -1; }
check "list --format json keeps the comm's control byte" "\"vl\\u0001$$\"" \
	"$("$vmscope" list --format json --name $'vl\x01'"$$" | json_comm)"
check "the same comm as the report's JSON" "$("$vmscope" --format json "${pids[-1]}" | json_comm)" \
	"$("$vmscope" list --format json --name $'vl\x01'"$$" | json_comm)"
om_comm() { grep -m1 -o 'comm="[^"]*"'; }
check "the same comm label in list's and the report's OpenMetrics" \
	"$("$vmscope" --format openmetrics "${pids[-1]}" | om_comm)" \
	"$("$vmscope" list --format openmetrics --name $'vl\x01'"$$" | om_comm)"

# Usage errors.
"$vmscope" list --by nothing >/dev/null 2>&1
check "--by nothing is a usage error" 2 $?
"$vmscope" list --match '(' >/dev/null 2>&1
check "a bad regex is a usage error" 2 $?
"$vmscope" list --sort nothing >/dev/null 2>&1
check "an unknown column is a usage error" 2 $?

echo "1..$n"
[ $failed -eq 0 ]
