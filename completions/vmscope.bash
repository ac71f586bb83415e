# bash completion for vmscope                              -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later

_vmscope()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W 'list top watch snapshot record show diff check pages faults serve capture' -- "$cur"))
    fi
    case $prev in
        --by)
            COMPREPLY=($(compgen -W 'program user cgroup library region object' -- "$cur")); return ;;
        -u|--user)
            COMPREPLY=($(compgen -u -- "$cur")); return ;;
        -d|--interval|--name|-m|--match|-l|--listen|--cpu)
            return ;;
        -f|--format)
            COMPREPLY=($(compgen -W 'text json csv openmetrics' -- "$cur")); return ;;
        -s|--sort)
            COMPREPLY=($(compgen -W 'rss pss uss size swap address' -- "$cur")); return ;;
        --color)
            COMPREPLY=($(compgen -W 'auto always never' -- "$cur")); return ;;
        -n|--top|-w|--width)
            return ;;
        --budget)
            # a file, or - for standard input
            COMPREPLY=($(compgen -f -- "$cur") $(compgen -W '-' -- "$cur")); return ;;
        -o|--output|--baseline|--junit)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --max-pss|--max-rss|--max-uss|--max-swap|--max|--max-growth|--min-stack-headroom|--min-cgroup-headroom|--max-pte|--max-regions)
            return ;;
        --proc-root)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --pagemap)
            COMPREPLY=($(compgen -W 'scan pread' -- "$cur")); return ;;
        --reset-refs|--range|--region|--duration|--faults)
            return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--format --sort --all --top --bytes --color --width
            --full --proc-root --help --version --sections -f -s -a -n -b -w -h -V
            --pages --no-pages --pagemap --reset-refs --range --region
            --duration --major --threads --faults
            --by --user --name --match --reverse --kernel --interval --once
            -u -m -r -k -d
            --output -o --max-pss --max-rss --max-uss --max-swap --max --max-growth
            --baseline --budget --junit --min-stack-headroom --min-cgroup-headroom
            --max-pte --max-regions --listen -l --cpu --quiet -q' -- "$cur"))
        return
    fi
    # a PID or a process name
    local procs
    procs=$(ps -eo pid=,comm= 2>/dev/null | awk '{print $1; print $2}')
    COMPREPLY+=($(compgen -W "$procs" -- "$cur"))
}
complete -F _vmscope vmscope
