#!/bin/bash
# SPDX-License-Identifier: MIT
# test_e2e_athletes: the athlete's mass as a safety input and the clinic's
# duty to correct and erase a patient's data, through leverctl against a
# real leverd on the in-process simulated board (virtual time): weigh-ins
# are dated and listed, a start after a mass change of over 5 % is refused
# with the sentence and exit 1 until confirmed, the session keeps the mass
# it ran with, a rename carries the records, anonymise and remove need the
# name typed at a terminal (or --yes) and leave no trace of the name in
# the records database. The age rule (7 days) is specified in
# tests/unit/session/test_sess.c on an injected clock. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/lever-test-athletes-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
plans=$top/plans
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap cleanup EXIT
today=$(date +%F)

# leverctl with a terminal on stdin, typing $1 at it (util-linux script)
on_tty() {
	local input=$1
	shift
	printf '%s\n' "$input" | script -qec "$*" /dev/null >"$tmp/out" 2>&1
	rc=$?
}
# whether any byte of the records database or its log holds $1
db_holds() {
	cat "$tmp/state"/lever.db* 2>/dev/null | grep -aq -- "$1"
}
# retries a request while leverd says the athlete's session still stops
until_not_busy() {
	for _ in $(seq 100); do
		run "$@"
		grep -q "still running or stopping" "$tmp/err" || return
		sleep 0.1
	done
}

echo "1..15"
if [ ! -x "$leverd" ]; then
	echo "Bail out! $leverd is not built"
	exit 1
fi
if ! start_leverd; then
	echo "Bail out! leverd does not start"
	exit 1
fi

run "$ctl" athlete add bartholomew-q 80
run "$ctl" athlete weigh bartholomew-q 81
run "$ctl" athlete show bartholomew-q
grep -q "weighed $today (0 days ago)" "$tmp/out" &&
	[ "$(grep -c "^  $today  " "$tmp/out")" = 2 ] &&
	grep -q "^  $today    81.0 kg" "$tmp/out"
ok $? "athlete weigh adds a dated weigh-in that show lists, the mass from then on"

run timeout 300 "$ctl" start week1-day1 --athlete bartholomew-q \
	--confirm-start-criteria --follow
ok $rc "a session runs with the fresh weigh-in"

run "$ctl" athlete weigh bartholomew-q 86
run "$ctl" start week1-day2 --athlete bartholomew-q --override-back-to-back
[ "$rc" = 1 ] &&
	grep -q "mass on record, 86.0 kg, is 6.2 % above the 81.0 kg of their last session (week1-day1 on $today)" "$tmp/err" &&
	grep -q -- "--confirm-mass" "$tmp/err"
ok $? "a mass 6.2 % above the last session's is refused with exit 1 and the way on"

run "$ctl" --json status
pyjson "j['state'] == 'finished'"
ok $? "nothing started on the refusal"

run "$ctl" start week1-day2 --athlete bartholomew-q --override-back-to-back \
	--confirm-mass
ok $rc "--confirm-mass starts it"
run "$ctl" stop
run "$ctl" --json events --athlete bartholomew-q
pyjson "any('mass +6.2 % since the last session, confirmed' in e['detail'] for e in j['events'] if e['kind'] == 'start')"
ok $? "the start event records what the operator confirmed"

run "$ctl" --json history --athlete bartholomew-q
pyjson "[s.get('mass_kg') for s in j] == [81.0, 86.0]"
ok $? "each session keeps the mass it ran with"

until_not_busy "$ctl" athlete rename bartholomew-q bart-q
[ "$rc" = 0 ] && grep -q "bartholomew-q is now bart-q" "$tmp/out"
ok $? "rename carries the athlete over"
run "$ctl" --json athlete show bart-q
pyjson "len(j['sessions']) == 2 and len(j['weighins']) == 3"
r=$?
run "$ctl" athlete show bartholomew-q
[ "$r" = 0 ] && [ "$rc" = 6 ]
ok $? "the sessions and weigh-ins follow the new name; the old one is unknown (exit 6)"

run "$ctl" athlete remove bart-q </dev/null
[ "$rc" = 2 ] && grep -q "cannot be undone; add --yes" "$tmp/err"
ok $? "remove from a script without --yes is refused (exit 2)"

on_tty "bart" "$ctl" athlete remove bart-q
cp "$tmp/out" "$tmp/tty"
run "$ctl" athlete show bart-q
[ "$rc" = 0 ] &&
	grep -q "This erases bart-q and every record of them: 2 sessions" "$tmp/tty" &&
	grep -q "not confirmed; bart-q is unchanged" "$tmp/tty"
ok $? "a wrongly typed name at the terminal removes nothing"

run "$ctl" athlete anonymise bart-q --yes
anon=$(sed -n 's/^anonymised: the records are kept as \(.*\)$/\1/p' "$tmp/out")
run "$ctl" --json athlete show "${anon:-x}"
pyjson "j['anonymised'] and len(j['sessions']) == 2"
ok $? "anonymise keeps the sessions under ${anon:-no name}"
stop_leverd
! db_holds "bart-q" && ! db_holds "bartholomew-q"
ok $? "no byte of the records database or its log holds either name"
start_leverd >/dev/null

on_tty "$anon" "$ctl" athlete remove "$anon"
run "$ctl" --json athlete list
pyjson "j['athletes'] == []"
r=$?
run "$ctl" events --athlete "$anon"
[ "$r" = 0 ] && [ "$rc" = 6 ]
ok $? "remove with the name typed at the terminal erases the athlete and their events"

stop_leverd
! db_holds "week1-day2"
ok $? "no byte of the records database or its log holds the removed sessions"

[ "$fails" = 0 ]
