#!/bin/zsh -f
# SPDX-License-Identifier: GPL-2.0-or-later
# zsh-complete.zsh DIR [LINE]: every match zsh's completion system offers at
# the end of LINE, one a line, with the completion functions of DIR. zsh is
# run in a pseudo-terminal (zsh/zpty), Tab pressed, and each compadd call
# reports what it added before adding it (the markers are split where they are
# typed, so that the terminal's echo of the definitions never matches).
# Without LINE, one zsh completes each line read from stdin in turn, the
# line emptied (^U) after each, and ends the matches of each with <END>:
# starting zsh and its completion system took most of a completion's time.
zmodload zsh/zpty || exit 1
dir=$1 line=$2
zpty z zsh -f -i || exit 1
zpty -w z "PS1='' RPS1='' LISTMAX=100000; fpath=(${(q)dir} \$fpath)"
zpty -w z "autoload -Uz compinit && compinit -u -d ${(q)${VMS_ZCOMPDUMP:-/dev/null}}"
zpty -w z 'compadd() {
	local a
	for a in "$@"; do
		[[ $a == (-|--) ]] && break
		[[ $a == -[A-Za-z]#[OAD][A-Za-z]# ]] && { builtin compadd "$@"; return; }
	done
	local -a hits
	builtin compadd -A hits "$@"
	(( $#hits )) && print -rn -- ${hits/#/$'"'"'\n<MA'"'"'TCH$'"'"'>'"'"'} >/dev/tty
	builtin compadd "$@"
}'
zpty -w z '__vms_end() { print -rn -- $'"'"'\n<DO'"'"'NE$'"'"'>\n'"'"' >/dev/tty }'
zpty -w z '__vms_tab() { comppostfuncs=(__vms_end); _main_complete }'
zpty -w z 'zle -C __vms_tab complete-word __vms_tab; bindkey "^I" __vms_tab'
complete_line() {
	local out=
	zpty -w -n z "$1"$'\t'
	zpty -r -m z out '*<DONE>*' || return 1
	[[ -n $VMS_DEBUG ]] && print -r -- "$out" | cat -v >&2
	print -r -- "${out//$'\r'/}" | sed -n 's/^<MATCH>\(.*[^ ]\) *$/\1/p' | sort -u
}
if (( $# >= 2 )); then
	complete_line "$line" || exit 1
else
	while IFS= read -r line; do
		complete_line "$line" || exit 1
		print -r -- '<END>'
		zpty -w -n z $'\C-u'
	done
fi
zpty -d z
