# wait_ready PID FILE: waits (10 s at most) until the live target PID has
# written its "ready" line to FILE and stopped itself; status 1 if it did not
# (sourced by the live scripts).
wait_ready() {
	local i
	for i in $(seq 200); do
		grep -q '^ready$' "$2" 2>/dev/null &&
			[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	return 1
}
