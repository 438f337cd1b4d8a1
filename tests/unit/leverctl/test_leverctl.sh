#!/bin/bash
# SPDX-License-Identifier: MIT
# test_leverctl: specification of leverctl as the operator meets it:
# argument errors and exit codes, --json output of validate/show/plans (no
# daemon needed), the sentences printed when leverd is missing or refuses,
# and the request lines sent to a stand-in daemon (python3, same protocol).
# Run from the top of the tree (make check-unit does); prints TAP.
set -u
top=$(pwd)
ctl=${BUILD:-$top/build}/leverctl
plan=$top/plans/bsi-2nd-metatarsal
tmp=$(mktemp -d /tmp/lever-test-leverctl-XXXXXX)
trap 'kill $fake_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fake_pid=
export LEVER_SOCKET=$tmp/none.sock
unset LEVER_PLANS_DIR

# ok, run (stdout to $tmp/out, stderr to $tmp/err, status in $rc) and
# pyjson 'EXPR' (EXPR on j = parsed $tmp/out)
. "$top/tests/unit/leverctl/e2e-lib.sh"

expect() {	# expect RC 'stderr substring' name
	local want=$1 needle=$2 name=$3 r=0
	[ "$rc" = "$want" ] || r=1
	if [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/err"; then
		r=1
	fi
	[ "$r" = 0 ] || echo "# exit $rc (wanted $want), stderr: $(cat "$tmp/err")"
	ok $r "$name"
}

echo "1..43"

run "$ctl"
expect 2 "usage: leverctl" "no arguments is a usage error (exit 2)"

run "$ctl" launch
expect 2 "unknown command 'launch'" "unknown command is a usage error (exit 2)"

run "$ctl" --help
[ "$rc" = 0 ] && grep -q "validate" "$tmp/out"
ok $? "--help lists the commands and exits 0"

# the paths make install puts things under (Makefile, lever_paths.h)
paths=${BUILD:-$top/build}/include/lever_paths.h
sock=$(sed -n 's/^#define LEVER_PATH_SOCKET\t"\(.*\)"$/\1/p' "$paths")
pdir=$(sed -n 's/^#define LEVER_PATH_PLANS_DIR\t"\(.*\)"$/\1/p' "$paths")
[ -n "$sock" ] && [ -n "$pdir" ] &&
	grep -qF -- "--socket $sock (or \$LEVER_SOCKET)" "$tmp/out" &&
	grep -qF -- "--plans-dir $pdir (or \$LEVER_PLANS_DIR)" "$tmp/out"
ok $? "--help names the default socket and plans directory of the install"

run "$ctl" help start
[ "$rc" = 0 ] && grep -q "^usage: leverctl .*start SESSION" "$tmp/out" &&
	grep -q -- "--confirm-start-criteria" "$tmp/out" &&
	grep -q "^exit codes:" "$tmp/out" && grep -q "^  3  leverd not running" "$tmp/out" &&
	! grep -q "validate" "$tmp/out"
ok $? "help COMMAND prints that command's usage, options and exit codes, exit 0"

run "$ctl" start --help
cp "$tmp/out" "$tmp/start-help"
run "$ctl" help start
[ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/start-help"
ok $? "COMMAND --help prints the same as help COMMAND"

run "$ctl" export -h
[ "$rc" = 0 ] && grep -q "^  7  the session still runs" "$tmp/out" &&
	grep -q "^  9  the record is empty" "$tmp/out"
ok $? "export -h lists export's own exit codes 7, 8 and 9"

run "$ctl" help validate
[ "$rc" = 0 ] && grep -q "^  5  a plan file is invalid" "$tmp/out" &&
	! grep -q "^  3 " "$tmp/out"
ok $? "help of a local command lists plan errors and not 'no leverd'"

run "$ctl" help launch
expect 2 "unknown command 'launch'" "help of an unknown command is a usage error (exit 2)"

run "$ctl" help
[ "$rc" = 0 ] && grep -q "validate" "$tmp/out"
ok $? "help alone lists the commands and exits 0"

run "$ctl" start
expect 2 "which session?" "start without a session is a usage error"

run "$ctl" start week1-day1 week1-day2
expect 2 "one session at a time" "start with two sessions is a usage error"

run "$ctl" start week1-day1 --athlete
expect 2 "--athlete needs a name" "option without its value is a usage error"

run "$ctl" pain 11
expect 2 "from 0 to 10" "pain score above 10 is a usage error"

run "$ctl" pain x
expect 2 "from 0 to 10" "pain score that is not a number is a usage error"

run "$ctl" athlete add anna heavy
expect 2 "not a number of kg" "athlete mass that is not a number is a usage error"

run "$ctl" athlete fly
expect 2 "unknown athlete command 'fly'" "unknown athlete verb is a usage error"

run "$ctl" status --interval 10
expect 2 "50 to 5000 ms" "status interval out of range is a usage error"

run "$ctl" pause now
expect 2 "takes no arguments" "pause with an argument is a usage error"

run "$ctl" validate
expect 2 "at least one" "validate without a path is a usage error"

run "$ctl" status
expect 3 "leverd --transport sim:" "no daemon: exit 3 and says how to start one"
grep -qF "systemctl start leverd" "$tmp/err"
ok $? "no daemon: the sentence names systemctl too"

run "$ctl" --socket "$tmp/other.sock" stop
expect 3 "$tmp/other.sock" "--socket overrides the socket path"

run "$ctl" validate "$plan"
expect 0 "" "validate passes on the shipped plan"

run "$ctl" --json validate "$plan"
[ "$rc" = 0 ] && pyjson "j['ok'] and j['results'][0]['ok'] and j['results'][0]['sessions'] == 18"
ok $? "validate --json reports ok and 18 sessions"

mkdir -p "$tmp/bad"
cp -r "$plan" "$tmp/bad/p"
sed -i 's/speed 8.5 km\/h/speed 8.5 mph/' "$tmp/bad/p/week3-day2"
run "$ctl" validate "$tmp/bad/p"
expect 5 "$tmp/bad/p/week3-day2:11:27: expected the unit 'km/h'" "bad plan file: exit 5 with file:line:col"

run "$ctl" --json validate "$tmp/bad/p/week3-day2" "$plan"
[ "$rc" = 5 ] && pyjson "not j['ok'] and j['results'][0]['error']['line'] == 11 and j['results'][0]['error']['col'] == 27 and j['results'][1]['ok']"
ok $? "validate --json gives line and col per path and checks every path"

run "$ctl" validate "$tmp/no-such-plan"
expect 6 "cannot read" "validate of a missing path: exit 6"

run "$ctl" --json show
[ "$rc" = 0 ] && pyjson "j['weekly_average_s'] == 79*60 and j['longest_session_s'] == 30*60 and j['bw_never_decreasing'] and len(j['sessions']) == 18 and len(j['weekly']) == 6"
ok $? "show --json: weekly average 79:00, longest 30:00, BW never decreasing"

run "$ctl" show
[ "$rc" = 0 ] && grep -q "weekly average 1:19:00, longest session 30:00, body weight carried never decreasing" "$tmp/out"
ok $? "show prints the plan's weekly average, longest session and BW rule"

run "$ctl" show week3-day2 --json
[ "$rc" = 0 ] && pyjson "j['total_s'] == 26*60 and j['steps'][1]['kind'] == 'run' and j['steps'][1]['belt_speed_km_h'] == 8.5 and j['steps'][1]['repeat'] == [1, 4]"
ok $? "show SESSION --json gives steps and total"

run "$ctl" show week3-dya2
expect 6 "closest: week3-day2" "unknown session lists the closest names (exit 6)"

run "$ctl" show --plan no-such-plan
expect 6 "unknown plan 'no-such-plan'" "unknown plan: exit 6"

run "$ctl" --json plans
[ "$rc" = 0 ] && pyjson "j['plans'][0]['id'] == 'bsi-2nd-metatarsal' and j['plans'][0]['sessions'] == 18"
ok $? "plans --json lists the shipped plan from the source tree"

LEVER_PLANS_DIR=$tmp/bad run "$ctl" plans
expect 5 "" "LEVER_PLANS_DIR is used; an invalid plan makes plans exit 5"
grep -q "INVALID: .*week3-day2:11:27" "$tmp/out"
ok $? "plans lists an invalid plan with its error"

# ---- against a stand-in daemon ----
cat > "$tmp/fake.py" <<'PY'
import json, os, socket, sys
path, log = sys.argv[1], sys.argv[2]
replies = {
    "start": {"ok": True, "result": {"plan": "bsi-2nd-metatarsal",
              "session": "week3-day2", "athlete": "anna", "mass_kg": 70.0,
              "total_s": 1560, "generation": 1}},
    "next": {"ok": False, "error": {"code": "ENOENT", "errno": 2,
             "message": "unknown athlete 'bob'; add them with: leverctl athlete add bob MASS_KG"}},
    "stop": {"ok": False, "error": {"code": "EPERM", "errno": 1,
             "message": "'stop' needs root or membership of the group lever"}},
    "status": {"ok": True, "result": {"state": "idle", "plan": None}},
    "watch": {"ok": True, "result": {"interval_ms": 500}},
}
ended = {"v": 1, "event": "session_end", "summary": {
    "plan": "bsi-2nd-metatarsal", "session": "week3-day2", "athlete": "anna",
    "completed": False, "pain": True, "pain_score": 4, "end_cause": "pain",
    "elapsed_s": 400.0, "planned_s": 1560.0, "steps_skipped": 0,
    "next": "week2-day1"}}
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
with open(log, "w") as lg:
    while True:
        c, _ = s.accept()
        f = c.makefile("rwb")
        line = f.readline()
        if not line:
            continue
        lg.write(line.decode()); lg.flush()
        req = json.loads(line)
        # an unrequested event first: leverctl must skip it
        f.write(b'{"v": 1, "event": "status", "status": {}}\n')
        r = dict(replies[req["cmd"]]); r["v"] = 1; r["id"] = req["id"]
        f.write((json.dumps(r) + "\n").encode()); f.flush()
        if req["cmd"] == "watch":
            f.write((json.dumps(ended) + "\n").encode()); f.flush()
        c.close()
PY
python3 "$tmp/fake.py" "$tmp/fake.sock" "$tmp/requests" &
fake_pid=$!
for _ in $(seq 50); do [ -S "$tmp/fake.sock" ] && break; sleep 0.1; done
export LEVER_SOCKET=$tmp/fake.sock

run "$ctl" start week3-day2 --athlete anna --confirm-start-criteria
[ "$rc" = 0 ] && grep -q "started week3-day2 of bsi-2nd-metatarsal for anna (70.0 kg), 26:00" "$tmp/out"
ok $? "start prints what leverd started (LEVER_SOCKET is used)"

tail -1 "$tmp/requests" > "$tmp/out"
pyjson "j['v'] == 1 and isinstance(j['id'], int) and j['cmd'] == 'start' and j['args'] == {'session': 'week3-day2', 'athlete': 'anna', 'confirm_start_criteria': True}"
ok $? "start sends one v1 request line with the session, athlete and confirmation"

run "$ctl" start week3-day2 --follow
[ "$rc" = 1 ] && grep -q "stopped early (pain, pain 4/10) after 6:40 of 26:00; next: week2-day1" "$tmp/out" && grep -q "consult the clinician" "$tmp/out"
ok $? "start --follow prints the summary and exits 1 when the session ended early"

run "$ctl" next --athlete bob
expect 6 "unknown athlete 'bob'" "an ENOENT refusal prints leverd's sentence, exit 6"

run "$ctl" stop
expect 4 "group lever" "an EPERM refusal names the group, exit 4"

run "$ctl" --json status
[ "$rc" = 0 ] && pyjson "j['state'] == 'idle'"
ok $? "status --json prints leverd's result as JSON"

# Permission denied on the socket itself (as an unprivileged user).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 700 "$tmp"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" status
	chmod 755 "$tmp"
	expect 4 "group lever" "EACCES on the socket names the group lever, exit 4"
else
	n=$((n + 1))
	echo "ok $n - EACCES on the socket names the group lever # SKIP needs root and setpriv"
fi

[ "$fails" = 0 ]
