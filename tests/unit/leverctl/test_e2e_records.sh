#!/bin/bash
# SPDX-License-Identifier: MIT
# test_e2e_records: what leverd records (safety.rst rule 7) as leverctl
# reads it back, against a real leverd on the in-process simulated board
# (--transport=sim:, virtual time as fast as possible): the events of a
# completed session, of a pain report and of a reset, the session's 10 Hz
# trace as CSV holding each step's support target, the records after a
# restart, and bad arguments named. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/lever-test-records-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
plans=$top/plans
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap cleanup EXIT
# the kinds of the events, oldest first, from leverctl --json events ...
kinds() {
	"$ctl" --json events "$@" 2>"$tmp/err" | python3 -c \
		"import json,sys; print(' '.join(e['kind'] + ':' + e['cause'] for e in json.load(sys.stdin)['events']))"
}

echo "1..15"
if [ ! -x "$leverd" ]; then
	echo "Bail out! $leverd is not built"
	exit 1
fi
start_leverd && run "$ctl" athlete add anna 70
if [ "$rc" != 0 ]; then
	echo "Bail out! leverd does not start or take an athlete"
	exit 1
fi

run timeout 300 "$ctl" start week3-day2 --athlete anna \
	--confirm-start-criteria --follow
id=$(sed -n 's/^record #\([0-9]*\):.*/\1/p' "$tmp/out")
[ "$rc" = 0 ] && [ -n "$id" ]
ok $? "a completed session names its record id"
id=${id:-1}

k=$(kinds --session "$id")
echo "# events of #$id: $k"
[ "$k" = "start:operator end:completed" ]
ok $? "leverctl events --session shows the start and the end (completed)"

run "$ctl" trace "$id" --csv
head -1 "$tmp/out" | grep -qx 't_s,samples,support_force_n_mean,support_force_n_min,support_force_n_max,support_pressure_kpa_mean,belt_speed_km_h_mean,cmd_support_pressure_kpa,cmd_belt_speed_km_h,cmd_incline_pct,faults,mode'
ok $? "leverctl trace --csv starts with a header that carries the units"

rows=$(($(wc -l <"$tmp/out") - 1))
echo "# $rows rows for 26:00 at 10 Hz"
[ "$rows" -ge 15600 ] && [ "$rows" -le 15900 ]
ok $? "the trace has a row per 100 ms of the session (and its stop)"

cp "$tmp/out" "$tmp/trace.csv"
"$ctl" --json show week3-day2 >"$tmp/plan.json"
python3 - "$tmp/trace.csv" "$tmp/plan.json" >"$tmp/out" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
steps = json.load(open(sys.argv[2]))["steps"]
mg = 70 * 9.80665
t, worst = 0.0, 0.0
for s in steps:
    # the step's steady part: after its ramp and 5 s, before its end
    a, b = t + s["ramp_s"] + 5, t + s["duration_s"] - 1
    t += s["duration_s"]
    f = [float(r["support_force_n_mean"]) for r in rows
         if a <= float(r["t_s"]) < b]
    target = (1 - s["bw_pct"] / 100) * mg
    err = abs(sum(f) / len(f) - target) / mg * 100
    print("step %d: mean %.1f N, target %.1f N, off %.2f %%BW" %
          (s["index"], sum(f) / len(f), target, err))
    worst = max(worst, err)
sys.exit(0 if worst < 2.0 else 1)
PY
ok $? "each step's recorded mean support force is within 2 %BW of its target"
sed 's/^/# /' "$tmp/out" | head -3

run "$ctl" trace "$id"
[ "$rc" = 0 ] && grep -q "rows at 10 Hz" "$tmp/out" && grep -q "faults: none" "$tmp/out"
ok $? "leverctl trace without --csv summarises the session's trace"

# pain at once: on virtual time the whole session lasts about a second
run "$ctl" start week3-day3 --athlete anna --override-back-to-back
started=$rc
run "$ctl" pain 4
k=$(kinds --limit 4)
echo "# last events: $k"
[ "$started" = 0 ] && [ "$rc" = 0 ] &&
	[ "$k" = "start:operator pain:operator stop:pain end:pain" ]
ok $? "a pain report during a session is recorded as pain, stop and end"

"$ctl" --json events --limit 3 >"$tmp/out"
pyjson "j['events'][0]['detail'].startswith('score 4/10') and j['events'][0]['athlete'] == 'anna'"
ok $? "the pain event carries the score and the athlete"

end=$((SECONDS + 30))
while [ "$SECONDS" -lt "$end" ]; do
	"$ctl" --json status >"$tmp/out" 2>/dev/null || break
	pyjson "j['state'] == 'stopped'" && break
	sleep 0.1
done
run "$ctl" reset
k=$(kinds --limit 1)
[ "$rc" = 0 ] && [ "$k" = "reset:operator" ]
ok $? "leverctl reset is recorded"

run "$ctl" --json status
pyjson "j['recorder']['dropped'] == 0 and j['recorder']['errors'] == 0 and j['rt']['trace_dropped'] == 0"
ok $? "status shows the recorder lost nothing"

stop_leverd
start_leverd
k=$(kinds --athlete anna --since 2000-01-01 --limit 100)
echo "# after a restart: $k"
case $k in
"start:operator end:completed start:operator pain:operator stop:pain end:pain") r=0 ;;
*) r=1 ;;
esac
ok $r "after a restart the athlete's events are all still there"
k=$(kinds --limit 1)
[ "$k" = "stop:signal SIGTERM" ]
ok $? "the signal that stopped leverd is recorded as a stop"

run "$ctl" events --since 2100-01-01
[ "$rc" = 0 ] && grep -q "no events recorded" "$tmp/out"
ok $? "--since in the future lists nothing"

run "$ctl" trace 999
r1=$rc; grep -q "no session record 999" "$tmp/err"; g1=$?
run "$ctl" events --session 999
[ "$r1" = 6 ] && [ "$g1" = 0 ] && [ "$rc" = 6 ] &&
	grep -q "no session record 999" "$tmp/err"
ok $? "an unknown session id is named and exits 6 (not found)"

bad=0
for args in "trace abc:SESSION-ID 'abc'" "events --since yesterday:--since 'yesterday'" \
	"events --limit ten:--limit 'ten'" "events --session x1:--session 'x1'" \
	"trace:which session" "trace 1 --bogus:unknown option '--bogus'"; do
	run "$ctl" ${args%%:*}
	if [ "$rc" != 2 ] || ! grep -qF -- "${args#*:}" "$tmp/err"; then
		echo "# leverctl ${args%%:*}: exit $rc, $(cat "$tmp/err")"
		bad=1
	fi
done
ok $bad "bad arguments exit 2 with a sentence naming the argument"

[ "$fails" = 0 ]
