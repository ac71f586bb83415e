#!/bin/bash
# test-libraries.sh VMSCOPE LIB-TARGET: `vmscope list --by library` on K frozen
# copies of a target mapping a library of its own, compared with the Pss of
# that library's regions in the targets' smaps, summed here; TAP.
set -u
vmscope=${1:?usage: test-libraries.sh VMSCOPE LIB-TARGET}
target=${2:?usage: test-libraries.sh VMSCOPE LIB-TARGET}
K=3
tmp=$(mktemp -d) || exit 1
pids=()
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/ready.sh"

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

check() { # description, expected, actual
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# K targets, each touching a different number of the library's data pages.
for i in $(seq $K); do
	"$target" $((i * 8)) >"$tmp/t$i.out" </dev/null &
	pids+=($!)
done
for i in $(seq $K); do
	p=${pids[$((i - 1))]}
	wait_ready "$p" "$tmp/t$i.out" || { echo "Bail out! target $i did not get ready"; exit 1; }
done

lib=$(awk '$6 ~ /libvmscope-test-lib\.so/ { print $6; exit }' "/proc/${pids[0]}/maps")
[ -n "$lib" ] || { echo "Bail out! the target does not map the test library"; exit 1; }
# --match is an extended regex on the path: quote its dots
re="^$(printf '%s' "$lib" | sed 's/[.[\*^$()+?{|]/\\&/g')\$"

# Sum of one smaps key (bytes) over the regions of the library in the given pids;
# the kernel gives each region's value in whole kB.
lib_sum() { # key pids...
	local key=$1 p
	shift
	for p in "$@"; do cat "/proc/$p/smaps"; done |
		awk -v lib="$lib" -v k="$key:" '
			$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ { cur = $6; next }
			cur == lib && $1 == k { s += $2 * 1024 }
			END { printf "%d\n", s }'
}
uss_sum() {
	echo $(($(lib_sum Private_Clean "$@") + $(lib_sum Private_Dirty "$@")))
}
# A value of the one group of list's JSON.
json_group() { # file key
	sed -n '/"groups": \[/,/^  \]/p' "$1" | sed -n "s/^ *\"$2\": \\(.*[^,]\\),\\{0,1\\}$/\\1/p"
}

"$vmscope" list --by library --match "$re" --format json >"$tmp/lib.json" 2>"$tmp/err"
check "list --by library exits 0" 0 $?
check "one library row" 1 "$(grep -c '"library":' "$tmp/lib.json")"
check "the row is the test library" "\"$lib\"" "$(json_group "$tmp/lib.json" library)"
check "the library's row counts the $K targets" "$K" "$(json_group "$tmp/lib.json" processes)"
for k in Pss:pss Rss:rss Swap:swap; do
	check "${k#*:} = sum of the library's regions' ${k%:*} in the targets' smaps" \
		"$(lib_sum "${k%:*}" "${pids[@]}")" "$(json_group "$tmp/lib.json" "${k#*:}")"
done
check "uss = sum of Private_Clean + Private_Dirty of its regions" \
	"$(uss_sum "${pids[@]}")" "$(json_group "$tmp/lib.json" uss)"
check "no fault or OOM columns for a library" "" "$(grep -E '"(minflt|majflt|oom_score)"' "$tmp/lib.json")"

# Written data pages are private: USS grows with the pages each target wrote.
min_uss=$((K * (K + 1) / 2 * 8 * 4096))
[ "$(json_group "$tmp/lib.json" uss)" -ge "$min_uss" ] && ok "uss holds the $((K * (K + 1) * 4)) pages written" ||
	not_ok "uss holds the pages written" "at least $min_uss" "got $(json_group "$tmp/lib.json" uss)"

# The same in CSV and in the text table.
"$vmscope" list --by library --match "$re" --format csv --bytes >"$tmp/lib.csv" 2>/dev/null
c=$(head -1 "$tmp/lib.csv" | tr ',' '\n' | grep -nx pss | cut -d: -f1)
check "csv: the library's PSS" "$(lib_sum Pss "${pids[@]}")" "$(tail -n +2 "$tmp/lib.csv" | cut -d, -f"$c")"
check "csv: $K processes" "$K" "$(tail -n +2 "$tmp/lib.csv" | cut -d, -f2)"
"$vmscope" list --by library --match "$re" --bytes --width 300 >"$tmp/lib.txt" 2>/dev/null
check "text: the library's row with $K processes and its PSS" 1 \
	"$(grep -cE "^ *$K +[0-9]+ +[0-9]+ +$(lib_sum Pss "${pids[@]}") .*libvmscope-test-lib" "$tmp/lib.txt")"
check "text: LIBRARY header" 1 "$(head -1 "$tmp/lib.txt" | grep -c LIBRARY)"

# A process filter narrows the processes read: --name of the targets' program.
"$vmscope" list --by library --name "$(cat "/proc/${pids[0]}/comm")" --match "$re" --format csv \
	>"$tmp/name.csv" 2>/dev/null
check "--name keeps the $K targets" "$K" "$(tail -n +2 "$tmp/name.csv" | cut -d, -f2)"
"$vmscope" list --by library --user 65534 --match "$re" --format csv >"$tmp/user.csv" 2>/dev/null
check "--user of another user: no row for the library" 1 "$(wc -l <"$tmp/user.csv")"

# The library is the same file whatever the process: one row across the whole machine.
"$vmscope" list --by library --format csv >"$tmp/all.csv" 2>/dev/null
check "the whole machine: one row for the library" 1 "$(grep -c 'libvmscope-test-lib' "$tmp/all.csv")"
# A file mapped without execute permission is data, not a library.
check "non-executable file mappings are not libraries" "" \
	"$(grep -E '^"[^"]*\.(mo|cache|dat)",' "$tmp/all.csv" | head -3)"

# A process vmscope may not read is counted and said, never a 0.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$vmscope" list --by library --match "$re" --format json >"$tmp/nobody.json" 2>"$tmp/nobody.err"
	check "as another user: exits 0" 0 $?
	check "as another user: the targets are unreadable" 1 \
		"$(grep -c 'could not be read' "$tmp/nobody.err")"
	check "as another user: no row for a library only unreadable processes map" 0 \
		"$(grep -c '"library":' "$tmp/nobody.json")"
	u=$(sed -n '/"total": {/,/}/p' "$tmp/nobody.json" | sed -n 's/^ *"unreadable": \([0-9]*\),$/\1/p')
	[ "${u:-0}" -ge "$K" ] && ok "as another user: total unreadable counts the $K targets" ||
		not_ok "as another user: total unreadable counts the targets" "at least $K" "got ${u:-none}"
else
	for _ in 1 2 3 4; do ok "# SKIP needs root and setpriv"; done
fi

# As root, a process whose maps are refused (pid 1 here) is said so, and
# the hint is not to run as root.
if [ "$(id -u)" = 0 ] && ! cat /proc/1/smaps >/dev/null 2>&1; then
	"$vmscope" list --by library --format json >/dev/null 2>"$tmp/root.err"
	check "as root, refused maps are said: not 'run as root'" "1 0" \
		"$(grep -c 'could not be read' "$tmp/root.err") $(grep -c 'run as root' "$tmp/root.err")"
else
	ok "# SKIP not root, or pid 1's maps are readable here"
fi

# top has no --by library: it would read every smaps every second.
"$vmscope" top --by library --once >/dev/null 2>&1
check "top --by library is a usage error" 2 $?

echo "1..$n"
[ $failed -eq 0 ]
