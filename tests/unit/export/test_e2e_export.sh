#!/bin/bash
# SPDX-License-Identifier: MIT
# test_e2e_export: leverctl export and history against a real leverd on
# the in-process simulated board (sim:, virtual time). A session with a
# pause and one stopped for pain are exported as FIT and decoded by
# Garmin's @garmin/fitsdk: running/treadmill, a lap per step done, timer
# time within 1 s of the session's, distance within 1 % of the integral of
# the recorded belt speed (leverctl trace --csv), body weight carried per
# step. TCX and CSV of the same session agree with it. Bad input (unknown
# id, a running session, an unwritable path, a corrupt record) gives one
# sentence, its documented exit code and no file. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/lever-test-export-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
plans=$top/plans
. "$top/tests/unit/leverctl/e2e-lib.sh"
. "$top/tests/unit/export/fitsdk.sh"
trap cleanup EXIT

wait_state() {	# wait_state STATE...: until status is one of them
	local end=$((SECONDS + 120)) s
	while [ "$SECONDS" -lt "$end" ]; do
		s=$("$ctl" --json status 2>/dev/null | python3 -c \
			"import json,sys; print(json.load(sys.stdin)['state'])")
		for w in "$@"; do [ "$s" = "$w" ] && return 0; done
		sleep 0.1
	done
	return 1
}

# expect ID SESSION FILE: what session ID's FIT must decode to, from its
# record, its plan and its trace (leverctl trace --csv)
expect() {
	"$ctl" --json history --athlete anna >"$tmp/hist.json" &&
	"$ctl" --json show "$2" >"$tmp/plan.json" &&
	"$ctl" trace "$1" --csv >"$tmp/trace.csv" &&
	python3 - "$1" "$tmp/hist.json" "$tmp/plan.json" "$tmp/trace.csv" >"$3" <<'PY'
import csv, json, sys
sid = int(sys.argv[1])
rec = [r for r in json.load(open(sys.argv[2])) if r["id"] == sid][0]
steps = json.load(open(sys.argv[3]))["steps"]
rows = list(csv.DictReader(open(sys.argv[4])))
# the integral of the measured belt speed, 100 ms a row
dist = sum(max(0.0, float(r["belt_speed_km_h_mean"])) / 3.6 * 0.1 for r in rows)
inten = {"warmup": "warmup", "run": "active", "walk": "rest", "cooldown": "cooldown"}
done, t = [], 0.0
for s in steps:
    if t >= rec["elapsed_s"] - 0.5 and done:
        break
    done.append(s)
    t += s["duration_s"]
print(json.dumps({"laps": len(done), "intensity": [inten[s["kind"]] for s in done],
                  "bw_pct": [s["bw_pct"] for s in done], "ramp_s": [s["ramp_s"] for s in done],
                  "bw_tol": 2.0, "timer_s": rec["elapsed_s"], "distance_m": dist,
                  "timer_events": None, "mass_kg": 70.0}))
PY
}

echo "1..20"
if [ ! -x "$leverd" ] || [ ! -x "$ctl" ]; then
	echo "Bail out! $leverd or $ctl is not built"
	exit 1
fi
if ! fitsdk_install "$BUILD/fitsdk" >"$tmp/npm.log" 2>&1; then
	echo "Bail out! @garmin/fitsdk cannot be installed into $BUILD/fitsdk: $(tail -1 "$tmp/npm.log")"
	exit 1
fi
start_leverd && run "$ctl" athlete add anna 70
if [ "$rc" != 0 ]; then
	echo "Bail out! leverd does not start or take an athlete"
	exit 1
fi

# 1: week1-day1 with a pause in its warm-up
run "$ctl" start week1-day1 --athlete anna --confirm-start-criteria
"$ctl" pause >/dev/null
"$ctl" --json history --athlete anna >"$tmp/out"
id1=$(python3 -c "import json; print(json.load(open('$tmp/out'))[-1]['id'])")
run "$ctl" export "$id1" -o "$tmp/running.fit"
[ "$rc" = 7 ] && grep -q "still running" "$tmp/err" && [ ! -e "$tmp/running.fit" ]
ok $? "a session still running (here paused) is refused with exit 7 and no file"
sleep 0.3
"$ctl" resume >/dev/null
wait_state finished stopped
"$ctl" --json history --athlete anna >"$tmp/out"
pyjson "len(j) == 1 and j[0]['end_cause'] == 'completed'"
ok $? "a session with a pause runs to its end"
id1=$(python3 -c "import json; print(json.load(open('$tmp/out'))[0]['id'])")

python3 - "$tmp/state/lever.db" "$id1" "$(id -u)" >"$tmp/out" 2>&1 <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
row = db.execute("SELECT mass_g, board_serial, operator_uid FROM sessions"
                 " WHERE id = ?", (int(sys.argv[2]),)).fetchone()
steps = db.execute("SELECT COUNT(*) FROM steps WHERE session_id = ?",
                   (int(sys.argv[2]),)).fetchone()[0]
print("# record: mass %s g, board %s, operator uid %s, %d steps" % (row + (steps,)))
sys.exit(0 if row == (70000, "SIM0001", int(sys.argv[3])) and steps == 10 else 1)
PY
r=$?; cat "$tmp/out"
ok $r "the record keeps the mass, the board's serial, the operator's uid and each step"

run "$ctl" export "$id1" -o "$tmp/pause.fit"
[ "$rc" = 0 ] && [ -s "$tmp/pause.fit" ] && grep -q "wrote $tmp/pause.fit" "$tmp/out"
ok $? "leverctl export ID -o FILE writes a FIT file and says where"

expect "$id1" week1-day1 "$tmp/pause.json"
fitsdk_check "$BUILD/fitsdk" "$tmp/pause.fit" "$tmp/pause.json" >"$tmp/out" 2>&1
r=$?
grep '^#' "$tmp/out"
ok $r "Garmin's decoder reads it whole: running/treadmill, a lap per step, timer, distance and developer fields match the record"

cat >"$BUILD/fitsdk/timer.mjs" <<'JS'
import { Decoder, Stream } from '@garmin/fitsdk';
import { readFileSync } from 'node:fs';
const { messages: m } = new Decoder(Stream.fromBuffer(readFileSync(process.argv[2]))).read();
console.log(m.eventMesgs.filter(e => e.event === 'timer').map(e => e.eventType).join(' '));
JS
t=$(node "$BUILD/fitsdk/timer.mjs" "$tmp/pause.fit")
echo "# timer events: $t"
[ "$t" = "start stop start stopAll" ]
ok $? "the pause and the resume are timer stop and start events"

# 2: the same session as TCX and CSV
run "$ctl" export "$id1" --format tcx -o "$tmp/pause.tcx"
[ "$rc" = 0 ] && xmllint --noout "$tmp/pause.tcx" 2>"$tmp/err" &&
	laps=$(xmllint --xpath 'count(//*[local-name()="Lap"])' "$tmp/pause.tcx") &&
	[ "$laps" = "$(python3 -c "import json; print(json.load(open('$tmp/pause.json'))['laps'])")" ]
ok $? "the TCX export is well-formed XML with a Lap per step"

run "$ctl" export "$id1" --format csv -o "$tmp/pause.csv"
python3 - "$tmp/pause.csv" "$tmp/pause.json" <<'PY' >"$tmp/out" 2>&1
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = json.load(open(sys.argv[2]))
steps = sorted({int(r["step"]) for r in rows})
d = float(rows[-1]["distance_m"])
print("# csv: steps %s, distance %.2f m vs %.2f m" % (steps, d, want["distance_m"]))
assert steps == list(range(1, want["laps"] + 1)), steps
assert abs(d - want["distance_m"]) <= want["distance_m"] * 0.01
assert any(r["timer"] == "stopped" for r in rows)
PY
r=$?; cat "$tmp/out" | grep '^#'
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "the CSV export numbers every row's step and ends at the same distance"

# 3: a pain report at once
run "$ctl" start week1-day2 --athlete anna --override-back-to-back
"$ctl" pain 4 >/dev/null
wait_state stopped finished
"$ctl" --json history --athlete anna >"$tmp/out"
id2=$(python3 -c "import json; print(json.load(open('$tmp/out'))[-1]['id'])")
run "$ctl" export "$id2" -o "$tmp/pain.fit"
expect "$id2" week1-day2 "$tmp/pain.json"
fitsdk_check "$BUILD/fitsdk" "$tmp/pain.fit" "$tmp/pain.json" >"$tmp/out" 2>&1
r=$?
grep '^#' "$tmp/out"
# a session stopped within its first second has no steady part to judge
! grep -v 'developer fields carry' "$tmp/out" | grep -q '^not ok'
r=$?
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "a session stopped for pain exports and decodes: laps, timer and distance match"

run "$ctl" history --athlete anna
grep -q "completed" "$tmp/out" && grep -q "pain, pain 4/10" "$tmp/out" &&
	grep -q "^$id1 " "$tmp/out"
ok $? "leverctl history lists the athlete's sessions with id and outcome"

# 4: everything of an athlete onto a USB stick
mkdir "$tmp/usb"
run "$ctl" export --athlete anna --dir "$tmp/usb"
files=$(ls "$tmp/usb" | wc -l)
[ "$rc" = 0 ] && [ "$files" = 2 ] &&
	[ -e "$tmp/usb/anna-$(date +%F)-week1-day1-s$id1.fit" ] &&
	[ -e "$tmp/usb/anna-$(date +%F)-week1-day2-s$id2.fit" ]
ok $? "export --athlete NAME --dir DIR writes each session that ended, named athlete-date-session-sID"

touch -d '2000-01-01' "$tmp/usb"/*
run "$ctl" export --athlete anna --dir "$tmp/usb"
[ "$rc" = 0 ] && [ "$(grep -c 'is there already' "$tmp/out")" = 2 ] &&
	[ -z "$(find "$tmp/usb" -type f -newer "$tmp/pause.fit")" ]
ok $? "a second run writes nothing: the sessions in DIR are exported already"

run "$ctl" export --athlete anna --since 2100-01-01 --dir "$tmp/usb" --format tcx
[ "$rc" = 0 ] && [ "$(ls "$tmp/usb" | wc -l)" = 2 ]
ok $? "--since DATE leaves out the sessions before it"

# 5: bad input
run "$ctl" export 999 -o "$tmp/none.fit"
[ "$rc" = 6 ] && grep -q "no session record 999" "$tmp/err" && [ ! -e "$tmp/none.fit" ]
ok $? "an unknown session id is named, exits 6 and writes nothing"

run "$ctl" export "$id1" -o "$tmp/no/such/dir/x.fit"
[ "$rc" = 8 ] && grep -q "cannot write $tmp/no/such/dir/x.fit" "$tmp/err"
ok $? "an unwritable output path is named and exits 8"

mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
run "$ctl" export "$id1" -o "$tmp/ro/x.fit"
if [ "$(id -u)" = 0 ]; then
	# root writes into a read-only directory: a full disk is what fails
	run "$ctl" export "$id1" -o /dev/full/x.fit
	[ "$rc" = 8 ]
else
	[ "$rc" = 8 ] && [ -z "$(ls -A "$tmp/ro")" ]
fi
ok $? "a failed write leaves neither the file nor a temporary one"

cp "$tmp/pause.fit" "$tmp/keep.fit"
python3 - "$tmp/state/lever.db" "$id1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("UPDATE trace SET belt_mm_s_mean = -3000 WHERE session_id = ? AND t_ms = 5000", (int(sys.argv[2]),))
db.commit()
PY
run "$ctl" export "$id1" -o "$tmp/keep.fit"
[ "$rc" = 9 ] && grep -q "is corrupt: trace row 50 (t = 5000 ms)" "$tmp/err" &&
	cmp -s "$tmp/keep.fit" "$tmp/pause.fit"
ok $? "a corrupt record is named, exits 9 and leaves the older file untouched"

bad=0
for args in "export:which session" "export abc:SESSION-ID 'abc'" \
	"export 1 --format gpx:--format 'gpx'" "export 1 --bogus:unknown option '--bogus'" \
	"history:--athlete NAME" "history --athlete:--athlete needs" \
	"export --athlete anna:--athlete needs --dir" \
	"export --athlete anna --dir /tmp --since May:--since 'May'"; do
	run "$ctl" ${args%%:*}
	if [ "$rc" != 2 ] || ! grep -qF -- "${args#*:}" "$tmp/err"; then
		echo "# leverctl ${args%%:*}: exit $rc, $(cat "$tmp/err")"
		bad=1
	fi
done
ok $bad "bad arguments exit 2 with a sentence naming the argument"

run "$ctl" history --athlete nobody
[ "$rc" = 6 ]
ok $? "history of an unknown athlete exits 6"

cd "$tmp" && run "$ctl" export "$id2"
[ "$rc" = 0 ] && ls "$tmp" | grep -qx "anna-$(date +%F)-week1-day2-s$id2.fit"
ok $? "without -o the file is named athlete-date-session-sID.fit in the current directory"
cd "$top"

[ "$fails" = 0 ]
