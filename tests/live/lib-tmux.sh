# The live views driven in tmux (sourced by test-top.sh and test-top-keys.sh):
# T runs tmux on a server of this test's own, tmux_start opens a shell in a
# terminal of the size asked, screen prints what it shows, wait_for waits for
# a regex there, expect turns that into a TAP line (tap.sh sourced first).
sock=vmscope-test-$$
T() { tmux -L "$sock" "$@"; }
screen() { T capture-pane -p -t t; }
# Waits until the screen matches the extended regex $1 (up to 5 s).
wait_for() {
	local i
	for i in $(seq 50); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
expect() { # description, regex
	if wait_for "$2"; then ok "$1"; else not_ok "$1" "no /$2/ on the screen:" "$(screen)"; fi
}
# tmux_start COLUMNS LINES TMPDIR: a bash at 'prompt> ', or a SKIP and exit
# where tmux has no terminal (a chroot without /dev/pts).
tmux_start() {
	if ! T -u -f /dev/null new-session -d -s t -x "$1" -y "$2" "env -i PATH=$PATH TERM=xterm-256color LC_ALL=C.UTF-8 PS1='prompt> ' bash --norc -i" 2>"$3/tmux.err"; then
		echo "1..0 # SKIP tmux cannot open a terminal: $(head -1 "$3/tmux.err")"
		exit 0
	fi
	T set-option -t t status off >/dev/null
	wait_for '^prompt>' || { echo "Bail out! no shell in tmux"; exit 1; }
}
