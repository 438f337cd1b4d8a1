# SPDX-License-Identifier: MIT
# e2e-lib.sh: what the leverctl shell tests (and the daemon's
# tests/unit/daemon/test_leverd.sh, for ok) share, sourced from the
# source tree's top (on the host and in the VM): TAP lines, running a
# command into $tmp/out and $tmp/err, and starting and stopping leverd on
# $transport (default sim: at speed factor $speed, default 0, virtual
# time) with the plans in $plans and its records in $tmp/state. The caller
# sets tmp, ctl and leverd, and exports LEVER_SOCKET.
n=0
fails=0
pid=
transport=${transport:-sim:}
speed=${speed:-0}

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		sed 's/^/# /' "$tmp/out" "$tmp/err" 2>/dev/null | tail -15
	fi
}
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
pyjson() {
	python3 -c "import json,sys; j=json.load(open('$tmp/out')); sys.exit(0 if ($1) else 1)"
}
start_leverd() {
	local sf=
	[ "$transport" = sim: ] && sf=--speed-factor=$speed
	"$leverd" --transport="$transport" $sf \
		--socket="$LEVER_SOCKET" --plans-dir="$plans" \
		--state-dir="$tmp/state" ${LEVER_E2E_LEVERD_ARGS:-} \
		>>"$tmp/leverd.log" 2>&1 &
	pid=$!
	local end=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ -S "$LEVER_SOCKET" ] && "$ctl" status >/dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	return 1
}
stop_leverd() {
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	rm -f "$LEVER_SOCKET"
}
cleanup() {
	stop_leverd
	sed 's/^/# leverd: /' "$tmp/leverd.log" 2>/dev/null | tail -8
	rm -rf "$tmp"
}
