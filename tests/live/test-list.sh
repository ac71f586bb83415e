#!/bin/bash
# test-list.sh VMSCOPE TARGET: `vmscope list` on real, frozen processes,
# compared with the smaps_rollup of the same processes read here; TAP.
set -u
vmscope=${1:?usage: test-list.sh VMSCOPE TARGET}
target=${2:?usage: test-list.sh VMSCOPE TARGET}
tmp=$(mktemp -d) || exit 1
pids=()
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

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
start_target() { # name, target options...
	local name=$1 out=$tmp/$1.out i
	shift
	setsid "$target" --comm "$name" "$@" >"$out" </dev/null &
	pids+=($!)
	for i in $(seq 200); do
		grep -q '^ready$' "$out" 2>/dev/null &&
			[ "$(awk '{print $3}' "/proc/$!/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	echo "Bail out! $name did not get ready"
	exit 1
}

# The smaps_rollup of each of the pids, kept in $tmp/rollup.PID; prints
# them all, so that two reads can be compared.
read_rollups() { # pids...
	local p
	for p in "$@"; do
		cat "/proc/$p/smaps_rollup" >"$tmp/rollup.$p"
		cat "$tmp/rollup.$p"
	done
}

# Runs CMD... > FILE (its exit status) at an instant when the pids' smaps_rollup did not move:
# read before and after, again when they differ. Even frozen, a process's
# memory is not the kernel's to keep still: reclaim, DAMON (it runs on the
# test machine) and the page cache move pages, and the PSS of each group of
# targets was once 1 KiB off between the test's read and vmscope's, on a
# busy machine. The sums below are those of the rollups read after it.
at_rest() { # file cmd...
	local out=$1 before i rc
	shift
	for i in $(seq 20); do
		before=$(read_rollups "${all[@]}")
		"$@" >"$out" 2>"$tmp/err"
		rc=$?
		[ "$before" = "$(read_rollups "${all[@]}")" ] && return $rc
	done
	echo "# the targets' smaps_rollup moved during each of 20 runs" >&2
	return $rc
}

# Sum of one smaps_rollup key (in bytes) over the given pids, as read last.
rollup_sum() { # key pids...
	local key=$1 p
	shift
	for p in "$@"; do cat "$tmp/rollup.$p"; done |
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

# Totals of the listed processes equal smaps_rollup summed over the same processes.
at_rest "$tmp/list.json" "$vmscope" list --match "^vl-(a|b)-$$\$" --format json
check "list --format json exits 0" "0 " "$? $(head -c 300 "$tmp/err")"
check "total counts the target processes" "${#all[@]}" "$(json_total "$tmp/list.json" processes)"
for k in Rss:rss Pss:pss Swap:swap SwapPss:swap_pss; do
	check "total ${k#*:} = sum of smaps_rollup ${k%:*}" "$(rollup_sum "${k%:*}" "${all[@]}")" \
		"$(json_total "$tmp/list.json" "${k#*:}")"
done
check "total uss = sum of smaps_rollup Private_Clean + Private_Dirty" "$(uss_sum "${all[@]}")" \
	"$(json_total "$tmp/list.json" uss)"

# The same in CSV: one row per process, every pid there.
at_rest "$tmp/list.csv" "$vmscope" list --match "^vl-(a|b)-$$\$" --format csv --sort pid
check "csv lists exactly the target pids" "$(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')" \
	"$(tail -n +2 "$tmp/list.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')"
col=$(head -1 "$tmp/list.csv" | tr ',' '\n' | grep -nx pss | cut -d: -f1)
check "csv pss column sums to smaps_rollup Pss" "$(rollup_sum Pss "${all[@]}")" \
	"$(tail -n +2 "$tmp/list.csv" | awk -F, -v c="$col" '{ s += $c } END { printf "%d\n", s }')"

# --by program: one row per program, summing exactly its processes.
at_rest "$tmp/prog.csv" "$vmscope" list --by program --match "^vl-(a|b)-$$\$" --format csv
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
	# ...,readable,vsz,rss,pss,uss,swap,swap_pss,minflt,majflt,oom_score
	check "unreadable pid 1: readable false, pss/uss/swap empty" 1 \
		"$("$vmscope" list --format csv | grep -cE '^1,.*,false,[0-9]+,[0-9]+,,,,,[0-9]+,[0-9]+,[0-9]*$')"
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

# Usage errors.
"$vmscope" list --by nothing >/dev/null 2>&1
check "--by nothing is a usage error" 2 $?
"$vmscope" list --match '(' >/dev/null 2>&1
check "a bad regex is a usage error" 2 $?
"$vmscope" list --sort nothing >/dev/null 2>&1
check "an unknown column is a usage error" 2 $?

echo "1..$n"
[ $failed -eq 0 ]
