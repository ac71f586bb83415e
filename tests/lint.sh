#!/bin/bash
# lint.sh SRCDIR VMSCOPE [BUILDDIR]: the project's rules that a compiler does not check,
# as TAP (one test per rule):
#  - layering: curses only in src/tui, libelf only in src/elf,
#    perf_event_open only in src/perf; each layer includes only the layers
#    below it;
#  - nothing below main/tui prints or exits (the out-of-memory die hook in
#    src/base/xalloc.c excepted);
#  - no banned string functions anywhere;
#  - the man page and each completion file name every long option that
#    `vmscope --help` prints, and the completion files are those that
#    scripts/completions.py writes from each command's --help;
#  - the house: no source file over 800 lines; with BUILDDIR, no circle of
#    calls between the files of src/ and no command file called by any file
#    but src/main.c (tests/callgraph.py reads the built objects).
# Comments are stripped (by the C preprocessor, which knows C's rules) before
# matching, so prose may name anything.
set -u
src=${1:?usage: lint.sh SRCDIR VMSCOPE}
vmscope=${2:?usage: lint.sh SRCDIR VMSCOPE}
builddir=${3:-}
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# ok_without_hits DESCRIPTION: ok when the rule found nothing (hits is
# empty), else not_ok with each hit.
ok_without_hits() {
	if [ ${#hits[@]} -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "${hits[@]}"
	fi
}
cd "$src" || exit 1

# C files of the tree, as NUL-separated list on stdin of the caller.
c_files() {
	find "$@" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort
}

# Each C file without its comments, made once (a preprocessor run per file,
# as many at a time as there are cores) into a private folder that the rules
# below grep: each rule running the preprocessor again on each file took
# most of this script's time.
code=$(mktemp -d "${TMPDIR:-/tmp}/vmscope-lint.XXXXXX") || exit 1
trap 'rm -rf "$code"' EXIT
c_files src include tests bench |
	xargs -d '\n' -P "$(nproc 2>/dev/null || echo 2)" -n 16 sh -c '
		out=$1
		shift
		for f in "$@"; do
			mkdir -p "$out/$(dirname "$f")"
			gcc -fpreprocessed -dD -E -P -x c "$f" >"$out/$f" 2>/dev/null
		done' sh "$code"

# Prints "file: line" for each line of the C files (comments removed) that
# matches the extended regex $1. Remaining arguments: the files.
grep_code() {
	local re=$1
	shift
	[ $# -gt 0 ] || return 0
	(cd "$code" && grep -H -E -- "$re" "$@") | sed 's|:|: |'
}

# Files matching $1 outside the directory prefix $2.
check_room() {
	local what=$1 re=$2 room=$3 f hits=()
	mapfile -t files < <(c_files src include | grep -v -- "^$room/")
	mapfile -t hits < <(grep_code "$re" "${files[@]}")
	ok_without_hits "$what only in $room"
}

check_room "curses" '#[[:space:]]*include[[:space:]]*[<"](n?cursesw?|ncursesw/[a-z]+|panel|menu|form|term)\.h[>"]' src/tui
check_room "libelf" '#[[:space:]]*include[[:space:]]*[<"](libelf|gelf|elfutils/[a-z_]+)\.h[>"]' src/elf
check_room "perf_event_open" '(perf_event_open|__NR_perf_event_open|SYS_perf_event_open)' src/perf

# Layers include only downward: base <- proc, elf, perf <- model <- json (the
# snapshot file, read and written) <- report <- tui <- the commands. A layer's
# own headers and include/vmscope/ (the contracts) are open to all; a folder
# not named here counts as above them all.
# layer_rank LAYER: sets rank (no subshell: this runs for every include).
layer_rank() {
	case "$1" in
	base) rank=0 ;;
	proc | elf | perf) rank=1 ;;
	model) rank=2 ;;
	json) rank=3 ;;
	report) rank=4 ;;
	tui) rank=5 ;;
	*) rank=99 ;;
	esac
}
hits=()
mapfile -t files < <(c_files src | grep '^src/[^/]*/')
while IFS= read -r line; do
	layer=${line#src/}
	layer=${layer%%/*}
	layer_rank "$layer"
	own=$rank
	[ "$own" -eq 99 ] && continue
	inc=
	[[ $line =~ \#[[:space:]]*include[[:space:]]*\"([^\"]*)\" ]] && inc=${BASH_REMATCH[1]}
	case "$inc" in
	vmscope/* | config.h | "$layer"/*) continue ;;
	*/*)
		layer_rank "${inc%%/*}"
		[ "$rank" -lt "$own" ] && continue
		;;
	esac
	hits+=("$line")
done < <(grep_code '#[[:space:]]*include[[:space:]]*"' "${files[@]}")
ok_without_hits "layers include only downward (base proc/elf/perf model json report tui)"

# Printing or exiting below main and the TUI.
hits=()
mapfile -t files < <(c_files src/base src/proc src/elf src/model src/perf src/json)
mapfile -t hits < <(grep_code \
	'(^|[^A-Za-z0-9_])(printf|fprintf|vprintf|vfprintf|dprintf|vdprintf|puts|fputs|putchar|putc|fputc|perror|exit|_exit|_Exit|err|errx|verr|verrx|warn|warnx)[[:space:]]*\(' \
	"${files[@]}" | grep -v '^src/base/xalloc\.c: ')
ok_without_hits "no printing or exiting in src/base src/proc src/elf src/model src/perf src/json"
# Banned functions, anywhere in C code (a banned.h may #define them away).
hits=()
mapfile -t files < <(c_files src include tests bench)
while IFS= read -r line; do
	case "$line" in *'#'*define*|*'#'*undef*) continue ;; esac
	hits+=("$line")
done < <(grep_code '(^|[^A-Za-z0-9_])(strcpy|strcat|strncpy|sprintf|vsprintf|strtok|atoi|gets)[[:space:]]*\(' "${files[@]}")
ok_without_hits "no banned functions (strcpy strcat strncpy sprintf vsprintf strtok atoi gets)"

# qsort only through ARRAY_SORT (base/xalloc.h): an array that never grew
# is NULL, and qsort(NULL, 0) is undefined.
hits=()
mapfile -t files < <(c_files src)
mapfile -t hits < <(grep_code '(^|[^A-Za-z0-9_])qsort[[:space:]]*\(' "${files[@]}" |
	grep -v '^src/base/xalloc\.h: ')
ok_without_hits "src/ sorts arrays through ARRAY_SORT only"

# Every long option of --help (and of each command's --help) in the man page
# and the completions.
help=$("$vmscope" --help 2>&1)
rc=$?
mapfile -t commands < <(printf '%s\n' "$help" |
	sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\)[[:space:]].*/\1/p')
for c in "${commands[@]}"; do
	help+=$'\n'$("$vmscope" "$c" --help 2>&1) || rc=$?
done
mapfile -t opts < <(printf '%s\n' "$help" | grep -oE -- '(^|[[:space:],])--[a-z][a-z0-9-]*' |
	sed 's/^[[:space:],]*--//' | LC_ALL=C sort -u)
if [ $rc -eq 0 ] && [ ${#opts[@]} -ge 2 ]; then
	ok "vmscope --help exits 0 and lists long options (${#opts[@]}, ${#commands[@]} commands)"
else
	not_ok "vmscope --help exits 0 and lists long options" "exit $rc, ${#opts[@]} options" \
		"$(printf '%s\n' "$help" | head -n 5)"
fi

# $1: description, $2: file, $3: how the file spells option X ('X' is replaced).
check_names() {
	local what=$1 file=$2 pattern=$3 text o re missing=()
	if [ ! -f "$file" ]; then
		not_ok "$what names every option" "$file is missing"
		return
	fi
	# Man pages escape hyphens as \- ; font changes split words (\fB...\fR).
	text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' "$file")
	for o in "${opts[@]}"; do
		re=${pattern//X/$o}
		# (bash's own regex, not a grep per option: $ ends the text, and a
		# newline is one of the characters that may follow a name.)
		[[ $text =~ $re ]] || missing+=("--$o")
	done
	if [ ${#opts[@]} -gt 0 ] && [ ${#missing[@]} -eq 0 ]; then
		ok "$what names every option"
	else
		not_ok "$what names every option" "missing in $file: ${missing[*]:-no options to check}"
	fi
}

# An option name must not be followed by more name characters (--top vs --topology).
check_names "man page" man/vmscope.1 '--X([^a-z0-9-]|$)'
check_names "bash completion" completions/vmscope.bash '--X([^a-z0-9-]|$)'
check_names "zsh completion" completions/_vmscope '--X([^a-z0-9-]|$)'
check_names "fish completion" completions/vmscope.fish "(--X|(-l|--long-option|--long)[[:space:]]+['\"]?X['\"]?)([^a-z0-9-]|$)"

# The completions offer each command its own options: they are written by
# scripts/completions.py from each command's --help (tests/completions drives
# the three shells); a new option or command is missing until it is rerun.
if out=$(python3 scripts/completions.py "$vmscope" --check 2>&1); then
	ok "completions/ is what scripts/completions.py writes from each command's --help"
else
	not_ok "completions/ is what scripts/completions.py writes from each command's --help" "$out"
fi

# Every README example is a real run that scripts/readme-examples.sh refreshes:
# a block that begins with a vmscope command line follows an example marker
# the script knows.
bad=()
while IFS= read -r line; do bad+=("$line"); done < <(awk '
	/^<!-- example [a-z_]+ -->$/ { marked = $3; next }
	/^```/ { if (!inblock) { inblock = 1; first = 1; name = marked } else inblock = 0; marked = ""; next }
	inblock && first { first = 0; if ($0 ~ /^\$ (vmscope|build\/)/ && name == "") print "README.md:" NR ": an example without a marker: " $0 }
	{ marked = "" }' README.md)
for name in $(sed -n 's/^<!-- example \([a-z_]*\) -->$/\1/p' README.md); do
	grep -q "^example_$name()" scripts/readme-examples.sh || bad+=("README.md: example $name is not in scripts/readme-examples.sh")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "every README example is refreshed by scripts/readme-examples.sh"
else
	not_ok "every README example is refreshed by scripts/readme-examples.sh" "${bad[@]}"
fi

# Each page reads with man -l from the source tree: none is only a .so link,
# which man resolves from the current directory.
links=()
for page in man/*.[0-9]; do
	grep -q '^\.so ' "$page" && links+=("$page: $(grep -m1 '^\.so ' "$page")")
done
if [ ${#links[@]} -eq 0 ]; then
	ok "every man page is a page of its own (man -l reads it in the source tree)"
else
	not_ok "every man page is a page of its own (man -l reads it in the source tree)" "${links[@]}"
fi

# Each command's own man page names each of its options (the report's is vmscope(1)).
for c in "${commands[@]}"; do
	page=man/vmscope-$c.1
	[ "$c" = report ] && page=man/vmscope.1
	# A page that is only ".so man1/other.1" is documented by that page.
	so=$(sed -n '1s/^\.so man1\///p' "$page" 2>/dev/null)
	[ -n "$so" ] && page=man/$so
	mapfile -t opts < <("$vmscope" "$c" --help 2>&1 | grep -oE -- '(^|[[:space:],])--[a-z][a-z0-9-]*' |
		sed 's/^[[:space:],]*--//' | LC_ALL=C sort -u)
	check_names "man page of $c" "$page" '--X([^a-z0-9-]|$)'
done

# The house: a file over 800 lines usually has two jobs (STYLE.md).
big=()
mapfile -t files < <(c_files src include)
for f in "${files[@]}"; do
	lines=$(wc -l <"$f")
	[ "$lines" -gt 800 ] && big+=("$f: $lines lines")
done
if [ ${#big[@]} -eq 0 ]; then
	ok "no source file of src/ or include/ over 800 lines"
else
	not_ok "no source file of src/ or include/ over 800 lines" "${big[@]}"
fi

# Who calls whom, from the objects of the build: no circle between files,
# and the commands (one file each in src/cmd) called by main.c alone.
if [ -n "$builddir" ]; then
	out=$(python3 tests/callgraph.py "$builddir" . --check --commands src/cmd 2>&1)
	rc=$?
	desc=
	diag=()
	seen=0
	flush() { if [ -n "$desc" ]; then not_ok "$desc" "${diag[@]}"; fi; desc=; diag=(); }
	while IFS= read -r line; do
		case "$line" in
		'ok: '*) flush; ok "${line#ok: }"; seen=$((seen + 1)) ;;
		'not ok: '*) flush; desc=${line#not ok: }; seen=$((seen + 1)) ;;
		*) diag+=("${line#  }") ;;
		esac
	done <<<"$out"
	flush
	if [ $seen -eq 0 ] || { [ $rc -ne 0 ] && [ $failed -eq 0 ]; }; then
		not_ok "tests/callgraph.py checks the call graph" "exit $rc" "$out"
	fi
else
	skip "no circle of calls between files" "lint.sh was given no build directory"
fi

echo "1..$n"
[ $failed -eq 0 ]
