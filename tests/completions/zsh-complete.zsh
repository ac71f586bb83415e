#!/bin/zsh -f
# SPDX-License-Identifier: GPL-2.0-or-later
# zsh-complete.zsh DIR LINE: every match zsh's completion system offers at
# the end of LINE, one a line, with the completion functions of DIR. zsh is
# run in a pseudo-terminal (zsh/zpty), Tab pressed, and each compadd call
# reports what it added before adding it (the markers are split where they are
# typed, so that the terminal's echo of the definitions never matches).
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
zpty -w -n z "$line"$'\t'
out=
zpty -r -m z out '*<DONE>*' || exit 1
zpty -d z
[[ -n $VMS_DEBUG ]] && print -r -- "$out" | cat -v >&2
print -r -- "${out//$'\r'/}" | sed -n 's/^<MATCH>\(.*[^ ]\) *$/\1/p' | sort -u
