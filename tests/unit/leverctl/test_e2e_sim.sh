#!/bin/bash
# SPDX-License-Identifier: MIT
# test_e2e_sim: leverctl against a real leverd on the in-process simulated
# board (--transport=sim:, virtual time as fast as possible): a 70 kg
# athlete runs week3-day2 to completion, then week3-day3 ends in a pain
# report and `leverctl next` answers week2-day1, also after a restart.
# Also used inside the VM against lever-simd (LEVER_E2E_TRANSPORT). TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
transport=${LEVER_E2E_TRANSPORT:-sim:}
speed=${LEVER_E2E_SPEED_FACTOR:-0}
plans=${LEVER_E2E_PLANS_DIR:-$top/plans}
total=${LEVER_E2E_TOTAL:-26:00}	# of week3-day2 in that plan
tmp=$(mktemp -d /tmp/lever-test-e2e-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
unset LEVER_PLANS_DIR
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap cleanup EXIT

echo "1..12"
if [ ! -x "$leverd" ]; then
	echo "not ok 1 - leverd starts # $leverd is not built"
	exit 1
fi

start_leverd && run "$ctl" --json status && pyjson "j['state'] == 'idle'"
r=$?
ok $r "leverd starts on $transport, answers leverctl status and is idle"
if [ "$r" != 0 ]; then
	echo "Bail out! leverd is not idle and fault-free before any session"
	exit 1
fi

run "$ctl" athlete add anna 70
ok $rc "athlete add anna 70"

run "$ctl" start week3-day2 --athlete anna
[ "$rc" = 1 ] && grep -q "start criteria" "$tmp/err"
ok $? "first start without confirmed start criteria is refused with the reason"

run timeout 300 "$ctl" start week3-day2 --athlete anna \
	--confirm-start-criteria --follow
[ "$rc" = 0 ] && grep -q "session week3-day2 for anna: completed after $total of $total; next: week3-day3" "$tmp/out"
ok $? "week3-day2 runs to completion with live status and a summary"

grep -q "^running .*week3-day2" "$tmp/out" && grep -q "measured .* N support" "$tmp/out"
ok $? "live status shows the running step and the measured support"

run "$ctl" next --athlete anna
[ "$rc" = 0 ] && grep -q "^week3-day3$" "$tmp/out"
ok $? "next after a completed week3-day2 is week3-day3"

run "$ctl" start week3-day3 --athlete anna
[ "$rc" = 1 ] && grep -q "already today" "$tmp/err"
ok $? "a second run the same day is refused without the override"

run "$ctl" start week3-day3 --athlete anna --override-back-to-back
started=$rc
# wait (at most 60 s) for the second step; give up at once if leverd
# does not answer or nothing runs. On virtual time as fast as possible the
# whole session takes a fraction of a second and polling for its second
# step races the clock (the session often ended first): report at once.
end=$((SECONDS + 60))
[ "$transport" = sim: ] && [ "$speed" = 0 ] && end=0
while [ "$SECONDS" -lt "$end" ] && [ "$started" = 0 ]; do
	"$ctl" --json status >"$tmp/out" 2>/dev/null || break
	pyjson "j['state'] == 'running' and j['step']['index'] >= 1" && break
	pyjson "j['state'] in ('running', 'paused', 'starting')" || break
	sleep 0.1
done
run "$ctl" pain 4
[ "$started" = 0 ] && [ "$rc" = 0 ] && grep -q "session stopped" "$tmp/out"
ok $? "a pain report during week3-day3 stops the session"

end=$((SECONDS + 30))
while [ "$SECONDS" -lt "$end" ]; do
	"$ctl" --json status >"$tmp/out" 2>/dev/null || break
	pyjson "j['state'] in ('stopped', 'stopping')" && break
	sleep 0.1
done
pyjson "j['state'] in ('stopped', 'stopping')"
ok $? "after the pain report the state is stopped"

run "$ctl" --json next --athlete anna
[ "$rc" = 0 ] && pyjson "j['session'] == 'week2-day1' and j['regression']"
ok $? "next after pain in week 3 is week2-day1 (regression)"

run "$ctl" start week3-day3 --athlete anna --override-back-to-back
[ "$rc" = 1 ] && grep -q "ended in pain" "$tmp/err"
ok $? "starting week 3 again after pain is refused"

stop_leverd
start_leverd && run "$ctl" --json next --athlete anna
[ "$rc" = 0 ] && pyjson "j['session'] == 'week2-day1'"
ok $? "after a leverd restart the records still say week2-day1"

[ "$fails" = 0 ]
