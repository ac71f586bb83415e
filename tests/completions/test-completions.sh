#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-completions.sh SRCDIR VMSCOPE: drive the completions of bash (COMP_WORDS
# and COMPREPLY), zsh (in a pseudo-terminal, zsh-complete.zsh) and fish
# (complete -C) for every command, and check what each offers against what
# vmscope itself says: the command words, each command's options (those of its
# --help, no other), the values of each option (every value offered is
# accepted; a value list in an error message is offered whole), files, and
# process names without kernel threads. As TAP.
set -u
src=$(cd "${1:?usage: test-completions.sh SRCDIR VMSCOPE}" && pwd)
vmscope=$(realpath "${2:?usage: test-completions.sh SRCDIR VMSCOPE}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tap.sh"

tmp=$(mktemp -d)
target=
servers=()
cleanup() {
	[ -n "$target" ] && kill "$target" 2>/dev/null
	[ ${#servers[@]} -gt 0 ] && kill "${servers[@]}" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/cwd"
cd "$tmp/cwd" || exit 1
export VMS_ZCOMPDUMP=$tmp/zcompdump
touch a.json b.json
mkdir sub
# A process with a name no other has: a copy of sleep.
cp "$(command -v sleep)" zqvmtgt
./zqvmtgt 600 &
target=$!

# offers SHELL LINE: what SHELL completes at the end of LINE, one a line,
# sorted, a directory's final / dropped and an --opt= prefix removed. Each
# shell is one process for the whole test (start_shell), asked through two
# FIFOs: a shell started for each of some ninety lines cost most of the
# test's time.
offers() {
	local shell=$1 line=$2 l
	printf '%s\n' "$line" >&"${to_shell[$shell]}"
	while IFS= read -r -t 30 -u "${from_shell[$shell]}" l && [ "$l" != '<END>' ]; do
		l=${l%%$'\t'*} # fish: the match, not its description
		l=${l%/}
		[[ $l =~ ^--[a-z-]*=(.*)$ ]] && l=${BASH_REMATCH[1]}
		[ -n "$l" ] && printf '%s\n' "$l"
	done | LC_ALL=C sort -u
}

# start_shell SHELL: SHELL completing each line of $tmp/SHELL.in in turn,
# the matches of each ended by <END> on $tmp/SHELL.out; to_shell and
# from_shell hold the test's ends.
declare -A to_shell from_shell
start_shell() {
	local sh=$1 fd
	mkfifo "$tmp/$sh.in" "$tmp/$sh.out"
	case $sh in
	bash)
		# COMP_WORDS and COMP_CWORD as bash's completion sets them
		timeout 600 bash --norc --noprofile -c '
			source "$1"
			while IFS= read -r line; do
				read -ra words <<<"$line"
				COMP_WORDS=()
				for w in "${words[@]}"; do
					# bash splits a word at = (COMP_WORDBREAKS)
					if [[ $w == --*=* ]]; then
						COMP_WORDS+=("${w%%=*}" = "${w#*=}")
						[ -z "${w#*=}" ] && unset "COMP_WORDS[-1]"
					else
						COMP_WORDS+=("$w")
					fi
				done
				[[ $line == *" " ]] && COMP_WORDS+=("")
				COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
				COMP_LINE=$line
				COMP_POINT=${#line}
				COMPREPLY=()
				_vmscope 2>/dev/null
				[ ${#COMPREPLY[@]} -gt 0 ] && printf "%s\n" "${COMPREPLY[@]}"
				echo "<END>"
			done' _ "$src/completions/vmscope.bash"
		;;
	zsh)
		timeout 600 zsh -f "$here/zsh-complete.zsh" "$src/completions"
		;;
	fish)
		VMS_FILE=$src/completions/vmscope.fish timeout 600 fish --no-config -c '
			source $VMS_FILE
			while read -l line
				complete -C "$line"
				echo "<END>"
			end'
		;;
	esac <"$tmp/$sh.in" >"$tmp/$sh.out" &
	servers+=($!)
	exec {fd}>"$tmp/$sh.in"
	to_shell[$sh]=$fd
	exec {fd}<"$tmp/$sh.out"
	from_shell[$sh]=$fd
}

# expect SHELL LINE WHAT OFFERED EXPECTED: the two sets equal.
expect() {
	local shell=$1 line=$2 what=$3 got=$4 want=$5
	if [ "$got" = "$want" ]; then
		ok "$shell: '$line' offers $what"
	else
		not_ok "$shell: '$line' offers $what" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | grep '^[<>]')"
	fi
}
# expect_has SHELL LINE WHAT OFFERED WORD... / expect_not: each word is offered (is not).
expect_has() {
	local shell=$1 line=$2 what=$3 got=$4 w missing=()
	shift 4
	for w in "$@"; do grep -qxF -- "$w" <<<"$got" || missing+=("$w"); done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$shell: '$line' offers $what"
	else
		not_ok "$shell: '$line' offers $what" "missing: ${missing[*]}" "offered: $(tr '\n' ' ' <<<"$got")"
	fi
}
expect_not() {
	local shell=$1 line=$2 what=$3 got=$4 w extra=()
	shift 4
	for w in "$@"; do grep -qxF -- "$w" <<<"$got" && extra+=("$w"); done
	if [ ${#extra[@]} -eq 0 ]; then
		ok "$shell: '$line' offers no $what"
	else
		not_ok "$shell: '$line' offers no $what" "offered: ${extra[*]}"
	fi
}
sorted() { printf '%s\n' "$@" | grep -v '^$' | LC_ALL=C sort -u; }

# What vmscope says: its commands, each command's options and their arguments.
mapfile -t commands < <("$vmscope" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
mapfile -t commands < <(printf '%s\n' report "${commands[@]}" | awk '!seen[$0]++')
[ ${#commands[@]} -ge 10 ] || { not_ok "vmscope --help lists the commands" "${commands[*]}"; finish; exit; }
# options_of C: -x and --long of C's --help, sorted; args_of C: --long of
# those with an argument. Asked once per command, not once per shell.
declare -A options args
for c in "${commands[@]}"; do
	help=$("$vmscope" "$c" --help | sed -n '/^Options:/,/^$/p')
	options[$c]=$(grep -oE -- '^  (-[A-Za-z0-9], |    )--[a-z][a-z0-9-]*' <<<"$help" |
		grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | LC_ALL=C sort -u)
	args[$c]=$(sed -n 's/^  \(-[A-Za-z0-9], \|    \)\(--[a-z][a-z0-9-]*\) [^a-z ].*/\2/p' <<<"$help")
done
options_of() { printf '%s\n' "${options[$1]}"; }
args_of() { [ -n "${args[$1]}" ] && printf '%s\n' "${args[$1]}"; }
# takes C OPT VALUE: whether vmscope C takes VALUE for OPT; refusal C OPT sets
# msg to its words on a value it does not take. Each asked of vmscope once,
# whichever shell offers it (so neither runs in a subshell).
declare -A taken refused
takes() {
	local k="$1 $2 $3"
	if [ -z "${taken[$k]+set}" ]; then
		"$vmscope" "$1" "$2" "$3" --help >/dev/null 2>&1
		taken[$k]=$?
	fi
	[ "${taken[$k]}" = 0 ]
}
refusal() {
	local k="$1 $2"
	[ -n "${refused[$k]+set}" ] || refused[$k]=$("$vmscope" "$1" "$2" zzbogus --help 2>&1 >/dev/null)
	msg=${refused[$k]}
}
kthread=$(ps -o comm= -p 2 2>/dev/null)

shells=(bash)
for s in zsh fish; do
	if ! command -v "$s" >/dev/null; then
		not_ok "$s is installed" "scripts/deps.sh test installs it"
	elif [ "$s" = zsh ] && ! zsh -f -c 'zmodload zsh/zpty && zpty t true' >/dev/null 2>&1; then
		# (a chroot without /dev/pts: zsh-complete.zsh types into one)
		skip "zsh's completions" "zsh cannot open a pseudo-terminal here (zsh/zpty)"
	else
		shells+=("$s")
	fi
done
for sh in "${shells[@]}"; do
	start_shell "$sh"
done

# shell_tests SH: the tests of one shell, as TAP counted from 1.
shell_tests() {
	local sh=$1
	n=0
	failed=0
	# The command words, first and alone.
	expect "$sh" "vmscope " "the command words" "$(offers "$sh" "vmscope ")" "$(sorted "${commands[@]}" help)"
	expect "$sh" "vmscope li" "list alone" "$(offers "$sh" "vmscope li")" "list"
	expect "$sh" "vmscope help " "the commands" "$(offers "$sh" "vmscope help ")" "$(sorted "${commands[@]}")"
	# A process name where no command begins so, never a kernel thread.
	expect "$sh" "vmscope zqvmt" "the process" "$(offers "$sh" "vmscope zqvmt")" "zqvmtgt"
	if [ -n "$kthread" ]; then
		got=$(offers "$sh" "vmscope ${kthread:0:4}")
		expect_not "$sh" "vmscope ${kthread:0:4}" "kernel thread" "$got" "$kthread"
	fi

	# Each command's options, no other.
	expect "$sh" "vmscope -" "the report's options" "$(offers "$sh" "vmscope -")" "$(options_of report)"
	for c in "${commands[@]}"; do
		expect "$sh" "vmscope $c -" "the options of $c" "$(offers "$sh" "vmscope $c -")" \
			"$(options_of "$c")"
	done

	# The values of each option: every value offered is accepted, and a
	# value list that vmscope's error message gives is offered whole.
	for c in "${commands[@]}"; do
		bad=()
		while IFS= read -r o; do
			got=$(offers "$sh" "vmscope $c $o ")
			k=0
			while IFS= read -r v; do
				# a file is read at once (--budget): only words are tried
				[ -z "$v" ] || [ -e "$v" ] || [ "$v" = - ] && continue
				k=$((k + 1))
				[ $k -gt 12 ] && break
				takes "$c" "$o" "$v" || bad+=("$o $v: refused")
			done <<<"$got"
			refusal "$c" "$o"
			list=$(sed -nE -e 's/.*\(([a-z_]+(, [a-z_]+)* or [a-z_]+)\)$/\1/p' \
				-e "s/.* takes ([a-z_]+(, [a-z_]+)* or [a-z_]+), not .*/\1/p" <<<"$msg")
			if [ -n "$list" ]; then
				want=$(sed -e 's/ or /, /' <<<"$list" | tr -d ' ' | tr ',' '\n' | LC_ALL=C sort -u)
				[ "$got" = "$want" ] || bad+=("$o: offers $(tr '\n' ' ' <<<"$got")but vmscope takes $list")
			fi
		done < <(args_of "$c")
		if [ ${#bad[@]} -eq 0 ]; then
			ok "$sh: the values offered for the options of $c are those vmscope takes"
		else
			not_ok "$sh: the values offered for the options of $c are those vmscope takes" "${bad[@]}"
		fi
	done
	expect_has "$sh" "vmscope top -s " "top's own sort keys" "$(offers "$sh" "vmscope top -s ")" rss_change oom_score
	expect_not "$sh" "vmscope list -s " "report sort key" "$(offers "$sh" "vmscope list -s ")" address
	expect "$sh" "vmscope list --sort=p" "the keys after =" "$(offers "$sh" "vmscope list --sort=p")" \
		"$(sorted pid processes pss)"

	# Operands: files, processes, both, or nothing.
	files=$(sorted a.json b.json sub zqvmtgt)
	expect "$sh" "vmscope show " "the files" "$(offers "$sh" "vmscope show ")" "$files"
	got=$(offers "$sh" "vmscope diff a.json ")
	expect_has "$sh" "vmscope diff a.json " "files and processes" "$got" b.json sub zqvmtgt bash
	got=$(offers "$sh" "vmscope diff a.json b.json ")
	expect_not "$sh" "vmscope diff a.json b.json " "third file or process" "$got" a.json zqvmtgt
	got=$(offers "$sh" "vmscope check ")
	expect_has "$sh" "vmscope check " "files and processes" "$got" a.json sub bash
	got=$(offers "$sh" "vmscope check --baseline a.json ")
	expect_has "$sh" "vmscope check --baseline a.json " "files and processes" "$got" b.json bash
	for c in watch pages faults snapshot capture; do
		got=$(offers "$sh" "vmscope $c ")
		expect_has "$sh" "vmscope $c " "processes" "$got" zqvmtgt bash
		expect_not "$sh" "vmscope $c " "file or kernel thread" "$got" a.json sub "$kthread"
	done
	got=$(offers "$sh" "vmscope watch zqvmtgt ")
	expect_not "$sh" "vmscope watch zqvmtgt " "second process" "$got" zqvmtgt bash
	expect "$sh" "vmscope report -- zqvm" "the process" "$(offers "$sh" "vmscope report -- zqvm")" "zqvmtgt"
	expect "$sh" "vmscope serve bash zqvm" "a second process" "$(offers "$sh" "vmscope serve bash zqvm")" "zqvmtgt"
	got=$(offers "$sh" "vmscope watch ${target:0:1}")
	expect_has "$sh" "vmscope watch ${target:0:1}" "the pid of a process" "$got" "$target"
	expect_not "$sh" "vmscope watch 2" "kernel thread's pid" "$(offers "$sh" "vmscope watch 2")" 2
	expect_not "$sh" "vmscope list " "file or process" "$(offers "$sh" "vmscope list ")" a.json zqvmtgt bash
	expect "$sh" "vmscope snapshot -o " "the files" "$(offers "$sh" "vmscope snapshot -o ")" "$files"
	expect "$sh" "vmscope capture -o " "the directories" "$(offers "$sh" "vmscope capture -o ")" "sub"
	expect "$sh" "vmscope list -u roo" "the user" "$(offers "$sh" "vmscope list -u roo")" "root"
}

# The shells are asked at once, each in a subshell of its own (the answers
# each keeps are its own then); their TAP is numbered on in shell order.
asked=()
for sh in "${shells[@]}"; do
	shell_tests "$sh" >"$tmp/tap.$sh" &
	asked+=($!)
done
wait "${asked[@]}"
for sh in "${shells[@]}"; do
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]]; then
			n=$((n + 1))
			[ -n "${BASH_REMATCH[1]}" ] && failed=$((failed + 1))
			line="${BASH_REMATCH[1]}ok $n ${BASH_REMATCH[2]}"
		fi
		printf '%s\n' "$line"
	done <"$tmp/tap.$sh"
done

finish
