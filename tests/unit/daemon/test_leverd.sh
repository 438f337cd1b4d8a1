#!/bin/bash
# SPDX-License-Identifier: MIT
# test_leverd: the daemon as a whole on the host, on the in-process sim
# transport in virtual time: flags and config errors, the control socket
# (versioned JSON lines, SO_PEERCRED: others may only read), a session
# started and stopped into the safe state, and the same seed replaying to
# the same trace hash. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/leverd-test-XXXXXX)
chmod 755 "$tmp"	# a peer of another uid must reach the socket
# ok (TAP lines), n, fails, pid
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# one request line; prints the reply line
rq() {
	/usr/bin/python3 - "${sock:-$tmp/leverd.sock}" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
	c = s.recv(65536)
	if not c:
		break
	buf += c
print(buf.decode().strip())
PY
}

has() {	# reply-json python-condition
	python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"
}

echo "1..14"

"$leverd" --help >"$tmp/out" 2>"$tmp/err"
grep -q -- '--release-rate-pct-bw-s' "$tmp/out"
ok $? "--help lists the configuration items as flags"

"$leverd" --stop-decel-m-s2=5 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q 'stop_decel_m_s2.*0.5..2' "$tmp/err"
ok $? "a value out of bounds stops start-up with name and bounds"

printf 'jerk_m_s3 = 9\n' > "$tmp/bad.conf"
"$leverd" --config "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
grep -q "bad.conf:1: jerk_m_s3" "$tmp/err"
ok $? "a bad config file names file and line"

mkdir -p "$tmp/state"
"$leverd" --transport=sim: --seed=3 --speed-factor=0 \
	--socket="$tmp/leverd.sock" --plans-dir="$top/plans" \
	--state-dir="$tmp/state" >"$tmp/leverd.out" 2>"$tmp/leverd.err" &
pid=$!
for _ in $(seq 100); do [ -S "$tmp/leverd.sock" ] && break; sleep 0.05; done

r=$(rq '{"v":1,"id":1,"cmd":"hello"}')
has "$r" 'j["ok"] and j["id"] == 1 and 1 in j["result"]["protocol"]'
ok $? "hello answers with the protocol versions"

r=$(rq '{"v":1,"id":2,"cmd":"status","x":')
has "$r" 'not j["ok"] and j["id"] is None and j["error"]["code"] == "EINVAL"'
ok $? "a line that is not JSON gets EINVAL with id null"

if ! command -v setpriv >/dev/null; then
	echo "ok $((n += 1)) - # SKIP needs setpriv"
	echo "ok $((n += 1)) - # SKIP (same)"
else
	# the records hold patient data: outside root and group lever, no
	# access at all (Documentation/control-socket.rst)
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash -c "$(declare -f rq); tmp=$tmp; rq '{\"v\":1,\"id\":3,\"cmd\":\"status\"}'" \
		>"$tmp/nobody.out" 2>&1
	grep -q PermissionError "$tmp/nobody.out"
	ok $? "a peer outside root and group lever cannot connect"
	gid=$(getent group lever | cut -d: -f3)
	r=$(setpriv --reuid=65534 --regid=65534 --groups="$gid" \
		bash -c "$(declare -f rq); tmp=$tmp; rq '{\"v\":1,\"id\":4,\"cmd\":\"stop\"}'")
	has "$r" 'not j["ok"] and j["error"]["code"] == "EPERM"'
	ok $? "a peer that reaches the socket but whose account is not in group lever gets EPERM for a command"
fi

rq '{"v":1,"id":5,"cmd":"athlete_add","args":{"name":"t","mass_kg":70}}' >/dev/null
r=$(rq '{"v":1,"id":6,"cmd":"start","args":{"session":"week3-day2","athlete":"t","plan":"bsi-2nd-metatarsal","confirm_start_criteria":true}}')
has "$r" 'j["ok"]'
ok $? "a session starts"
sid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["result"]["record_id"])' "$r")
# leverd steps the sim on its own ticks: on a busy machine the belt takes
# longer to come up to speed in wall time, never in the sim's; and the
# whole 26 minutes can pass between two looks (thousands of times real
# time), then the session's records show the belt under it: the 100 ms
# row 5 minutes in, at the end of the warm-up (5 km/h)
running='j["result"]["rt"]["mode"] == "run" and j["result"]["measured"]["belt_speed_km_h"] > 1'
recorded='j["ok"] and j["result"]["rows"] and j["result"]["rows"][0][11] == "run" and j["result"]["rows"][0][6] > 1000 / 3.6'
for i in $(seq 50); do
	r=$(rq '{"v":1,"id":7,"cmd":"status"}')
	has "$r" "$running" && break
	if has "$r" 'j["result"]["state"] == "finished"'; then
		r=$(rq "{\"v\":1,\"id\":11,\"cmd\":\"trace\",\"args\":{\"session\":$sid,\"offset\":2999,\"limit\":1}}")
		has "$r" "$recorded" && break
	fi
	sleep 0.1
done
has "$r" "$running" || has "$r" "$recorded"
ok $? "the belt runs under the session"

# a reload request must never stop a runner (safety.rst, state machine)
kill -HUP "$pid"
sleep 0.3
r=$(rq '{"v":1,"id":10,"cmd":"status"}')
# on virtual time the session may have run to its end meanwhile
kill -0 "$pid" 2>/dev/null && has "$r" 'j["ok"] and j["result"]["state"] in ("running", "finished")'
ok $? "SIGHUP neither stops leverd nor the session"

# a watcher reads at its own pace: status lines at the interval asked of
# wall-clock time, not of the simulation's (thousands of times faster:
# 1 s of it at 200 ms would be some ten thousand lines)
lines=$(/usr/bin/python3 - "$tmp/leverd.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"v":1,"id":12,"cmd":"watch","args":{"interval_ms":200}}\n')
s.settimeout(0.1)
buf, end = b"", time.monotonic() + 1.0
while time.monotonic() < end:
	try:
		c = s.recv(65536)
	except socket.timeout:
		continue
	if not c:
		break
	buf += c
print(sum(1 for l in buf.split(b"\n") if b'"event":"status"' in l.replace(b" ", b"")))
PY
)
echo "# status lines in 1 s of a 200 ms watch: $lines"
[ "$lines" -ge 2 ] && [ "$lines" -le 6 ]
ok $? "a watch's interval is wall-clock time in the fast simulation"

rq '{"v":1,"id":8,"cmd":"stop"}' >/dev/null
sleep 0.5
r=$(rq '{"v":1,"id":9,"cmd":"status"}')
has "$r" 'j["result"]["rt"]["safe_state"] and abs(j["result"]["measured"]["belt_speed_km_h"]) < 0.05'
ok $? "stop ends in the safe state with the belt at zero"
kill "$pid"; wait "$pid" 2>/dev/null; pid=

replay() {
	rm -rf "$tmp/state"; mkdir -p "$tmp/state"
	"$leverd" --transport=sim: --seed=11 --speed-factor=0 \
		--sim-faults-per-min=4 --sim-duration-s=120 \
		--socket="$tmp/leverd.sock" --plans-dir="$top/plans" \
		--state-dir="$tmp/state" 2>/dev/null |
		sed -n 's/.*trace hash \([0-9a-f]*\) .*/\1/p'
}
h1=$(replay)
h2=$(replay)
echo "# trace hashes: $h1 $h2"
[ -n "$h1" ] && [ "$h1" = "$h2" ]
ok $? "the same seed replays to the same trace hash"


# make demo as an ordinary user: no RLIMIT_RTPRIO, so no SCHED_FIFO; the
# sim's loop must still run (in a plain thread), paced like the demo's
if ! command -v setpriv >/dev/null; then
	echo "ok $((n += 1)) - # SKIP needs setpriv"
else
	mkdir -p "$tmp/user/state"
	# the plans copied where that user can read them: the checkout may
	# sit under a directory only root may enter (a mktemp -d)
	cp -r "$top/plans" "$tmp/user/plans"
	chown -R 65534:65534 "$tmp/user"
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	# setpriv itself in the background, not the function: $! must be
	# leverd's pid (setpriv execs it), not a subshell's
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$leverd" --transport=sim:speed=60,pace=lockstep \
		--socket="$tmp/user/leverd.sock" --plans-dir="$tmp/user/plans" \
		--state-dir="$tmp/user/state" >"$tmp/user.out" 2>&1 &
	pid=$!
	sock=$tmp/user/leverd.sock
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	user_rq() { as_user bash -c "$(declare -f rq); tmp=$tmp; sock=$sock; rq '$1'"; }
	user_rq '{"v":1,"id":1,"cmd":"athlete_add","args":{"name":"u","mass_kg":70}}' >/dev/null
	r=$(user_rq '{"v":1,"id":2,"cmd":"start","args":{"session":"week3-day2","athlete":"u","plan":"bsi-2nd-metatarsal","confirm_start_criteria":true}}')
	# 60x real time: the belt is up to walking speed within seconds
	for _ in $(seq 100); do
		r=$(user_rq '{"v":1,"id":3,"cmd":"status"}')
		has "$r" "$running" && break
		sleep 0.1
	done
	has "$r" "$running" && grep -q 'without SCHED_FIFO' "$tmp/user.out"
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/user.out"
	ok $rc "an ordinary user's leverd (no real-time rights) runs a session on the sim"
	kill "$pid"; wait "$pid" 2>/dev/null; pid=
fi
[ $fails = 0 ]
