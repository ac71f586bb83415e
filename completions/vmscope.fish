# fish completion for vmscope
# SPDX-License-Identifier: GPL-2.0-or-later

function __vmscope_processes
    ps -eo pid=,comm= 2>/dev/null | string trim | string replace -r '\s+' '\t'
end

complete -c vmscope -f
complete -c vmscope -s f -l format -x -a 'text json' -d 'Output format'
complete -c vmscope -s s -l sort -x -a 'rss pss uss size swap address' -d 'Order of the tables'
complete -c vmscope -s a -l all -d 'List every region'
complete -c vmscope -s n -l top -x -d 'How many regions and objects'
complete -c vmscope -s b -l bytes -d 'Exact byte counts'
complete -c vmscope -l color -x -a 'auto always never' -d 'Colors by region kind'
complete -c vmscope -s w -l width -x -d 'Output width in columns'
complete -c vmscope -l full -d 'Match NAME against the whole command line'
complete -c vmscope -l proc-root -r -a '(__fish_complete_directories)' -d 'Read processes from DIR'
complete -c vmscope -n __fish_use_subcommand -a 'list top watch pages' -d 'Command'
complete -c vmscope -l by -x -a 'program user cgroup region object' -d 'Group by program, user, cgroup (list) or region, object (report)'
complete -c vmscope -l sections -d 'List the ELF sections of each object listed'
complete -c vmscope -s u -l user -x -a '(__fish_complete_users)' -d 'Only the processes of USER'
complete -c vmscope -l name -x -d 'Only the processes named NAME'
complete -c vmscope -s m -l match -x -d 'Only names matching REGEX'
complete -c vmscope -s r -l reverse -d 'Reverse the order'
complete -c vmscope -s k -l kernel -d 'Include kernel threads'
complete -c vmscope -s d -l interval -x -d 'Seconds between refreshes'
complete -c vmscope -l once -d 'One plain refresh of top'
complete -c vmscope -l pages -d "Read every page's state, whatever it costs"
complete -c vmscope -l no-pages -d 'Read no page data'
complete -c vmscope -l pagemap -x -a 'scan pread' -d 'How to read pagemap'
complete -c vmscope -l reset-refs -x -d 'Clear referenced bits, wait, report the working set'
complete -c vmscope -l range -x -d 'Only the pages in A-B (pages)'
complete -c vmscope -l region -x -d 'Only region N (pages)'
complete -c vmscope -s h -l help -d 'Show help'
complete -c vmscope -s V -l version -d 'Show the version'
complete -c vmscope -n 'not string match -q -- "-*" (commandline -ct)' -a '(__vmscope_processes)'
