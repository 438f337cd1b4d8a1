#!/bin/bash
# SPDX-License-Identifier: MIT
# test_e2e_report: leverctl report and plot against a real leverd on the
# in-process simulated board (sim:, virtual time). Two sessions are
# recorded, one with a pause and one stopped for pain; the report's
# numbers must be the records' (time, distance as the integral of the
# recorded belt speed, pauses, pain), its weeks the plan's; the plot is
# checked as an image: its size, not blank, one band per step done; the
# report's PDF is one A4 page. Bad input: one sentence, its exit code and
# no file. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/lever-test-report-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
plans=$top/plans
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap cleanup EXIT

wait_state() {	# wait_state STATE...: until status is one of them
	local end=$((SECONDS + 60)) s
	while [ "$SECONDS" -lt "$end" ]; do
		s=$("$ctl" --json status 2>/dev/null |
			sed -n 's/^ *"state": *"\([a-z]*\)".*/\1/p' | head -1)
		for w in "$@"; do [ "$s" = "$w" ] && return 0; done
		sleep 0.1
	done
	return 1
}

ids() {	# the athlete's record ids, oldest first, from leverctl history
	"$ctl" history --athlete anna | awk '$1 ~ /^[0-9]+$/ { print $1 }'
}

# png_check FILE W H [BANDS]: a PNG of W x H pixels, not blank (a
# thousandth of it dark at least) and, given BANDS, whose step strip
# (plot.c's PLOT_STRIP_Y0..Y1 across PLOT_LEFT..PLOT_RIGHT) holds BANDS
# bands, dark and light in turn
png_check() {
	local got
	if [ $# = 4 ]; then
		got=$("$BUILD/tests/unit/leverctl/png-probe" "$1" 0.08 0.08 0.98)
	else
		got=$("$BUILD/tests/unit/leverctl/png-probe" "$1")
	fi || return 1
	set -- "$@" $got
	echo "# $1: ${2}x$3 asked, read $got (width height dark bands)"
	if [ $# = 8 ]; then
		[ "$5" = "$2" ] && [ "$6" = "$3" ] && [ "$7" -gt $(($2 * $3 / 1000)) ] &&
			[ "$8" = "$4" ]
	else
		[ "$4" = "$2" ] && [ "$5" = "$3" ] && [ "$6" -gt $(($2 * $3 / 1000)) ]
	fi
}

# steps_done ID...: how many of its plan's steps each session reached,
# from its recorded time and the plan (as test_e2e_export's expect)
steps_done() {
	python3 - "$tmp/hist.json" "$tmp" "$@" <<'PY'
import json, sys
hist = json.load(open(sys.argv[1]))
out = []
for sid in map(int, sys.argv[3:]):
    rec = [r for r in hist if r["id"] == sid][0]
    n, t = 0, 0.0
    for s in json.load(open("%s/plan-%d.json" % (sys.argv[2], sid)))["steps"]:
        if t >= rec["elapsed_s"] - 0.5 and n:
            break
        n += 1
        t += s["duration_s"]
    out.append(str(n))
print(" ".join(out))
PY
}

echo "1..17"
if [ ! -x "$leverd" ] || [ ! -x "$ctl" ]; then
	echo "Bail out! $leverd or $ctl is not built"
	exit 1
fi
start_leverd && run "$ctl" athlete add anna 70
if [ "$rc" != 0 ]; then
	echo "Bail out! leverd does not start or take an athlete"
	exit 1
fi

run "$ctl" report --athlete anna
[ "$rc" = 0 ] && grep -q "weeks done 0 of 6, sessions completed 0 of 18" "$tmp/out" &&
	grep -q "next: week1-day1" "$tmp/out"
ok $? "before any session the report shows the plan's weeks, none done, and the first session next"

# week1-day1 with a pause in it, then week1-day2 stopped for pain
"$ctl" start week1-day1 --athlete anna --confirm-start-criteria >/dev/null
"$ctl" pause >/dev/null
"$ctl" resume >/dev/null
wait_state finished stopped
"$ctl" start week1-day2 --athlete anna --override-back-to-back >/dev/null
"$ctl" pain 4 >/dev/null
wait_state stopped finished
"$ctl" --json history --athlete anna >"$tmp/hist.json"
read -r id1 id2 <<<"$(ids | tr '\n' ' ')"
"$ctl" trace "$id1" --csv >"$tmp/trace1.csv"
"$ctl" --json show --plan bsi-2nd-metatarsal >"$tmp/plan.json"
"$ctl" --json show week1-day1 >"$tmp/plan-$id1.json"
"$ctl" --json show week1-day2 >"$tmp/plan-$id2.json"

run "$ctl" --json report --athlete anna
cp "$tmp/out" "$tmp/report.json"
python3 - "$tmp/report.json" "$tmp/hist.json" "$tmp/trace1.csv" "$tmp/plan.json" >"$tmp/check" 2>&1 <<'PY'
import csv, json, sys
rep, hist = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows = list(csv.DictReader(open(sys.argv[3])))
plan = json.load(open(sys.argv[4]))
s1, s2 = rep["sessions"]
dist = sum(max(0.0, float(r["belt_speed_km_h_mean"])) / 3.6 * 0.1 for r in rows)
print("# session 1: %.1f s, %.1f m (trace %.1f m), %d pauses; record %.1f s"
      % (s1["timer_s"], s1["distance_m"], dist, s1["pauses"], hist[0]["elapsed_s"]))
ok = [s1["id"] == hist[0]["id"] and s2["id"] == hist[1]["id"],
      abs(s1["timer_s"] - hist[0]["elapsed_s"]) <= 1.0,
      abs(s1["distance_m"] - dist) <= 0.01 * dist,
      s1["pauses"] == 1 and s1["completed"] and s1["week"] == 1,
      s2["pain"] and s2["pain_score"] == 4 and not s2["completed"],
      rep["weeks_planned"] == 6 and rep["sessions_planned"] == 18,
      rep["sessions_completed"] == 1 and rep["weeks_done"] == 0]
print("# checks", ok)
sys.exit(0 if all(ok) else 1)
PY
r=$?; cat "$tmp/check"
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "report --json: each session's time, distance (the integral of its recorded belt speed), pauses and pain are the records'"

python3 - "$tmp/report.json" "$tmp/plan.json" >"$tmp/check" 2>&1 <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
w1 = rep["weeks"][0]
s1, s2 = rep["sessions"]
ok = [len(rep["weeks"]) == 6,
      w1["sessions_planned"] == 3 and w1["sessions_completed"] == 1 and w1["sessions_recorded"] == 2,
      abs(w1["done_s"] - s1["timer_s"] - s2["timer_s"]) < 0.01,
      abs(w1["distance_m"] - s1["distance_m"] - s2["distance_m"]) < 0.01,
      w1["pain_reports"] == 1 and w1["pain_max"] == 4 and w1["pauses"] == 1,
      all(w["sessions_recorded"] == 0 for w in rep["weeks"][1:])]
print("# week 1:", w1, ok)
sys.exit(0 if all(ok) else 1)
PY
r=$?; tail -1 "$tmp/check"
[ "$r" = 0 ]
ok $? "report --json: week 1 sums its sessions; the other weeks have none"

run "$ctl" report --athlete anna
cat "$tmp/out" | sed 's/^/# /'
[ "$rc" = 0 ] && grep -q "TRAINING LOAD BY WEEK" "$tmp/out" &&
	grep -q "^$id1 .*week1-day1 .*completed" "$tmp/out" &&
	grep -q "^$id2 .*week1-day2 .*pain 4/10" "$tmp/out" &&
	grep -q "^1    3/1 " "$tmp/out" && grep -q "weeks done 0 of 6, sessions completed 1 of 18" "$tmp/out"
ok $? "report in text: the week table, each session with its outcome, weeks done against planned"

run "$ctl" report --athlete anna -o "$tmp/report.pdf"
pdfinfo "$tmp/report.pdf" >"$tmp/info" 2>&1
[ "$rc" = 0 ] && grep -q "^Pages: *1$" "$tmp/info" &&
	grep -q "^Page size: *595 x 842 pts (A4)" "$tmp/info"
ok $? "report -o FILE.pdf writes one A4 page"

pdftotext "$tmp/report.pdf" - >"$tmp/text" 2>&1
grep -q "week1-day2" "$tmp/text" && grep -q "TRAINING LOAD BY WEEK" "$tmp/text" &&
	grep -q "running (min)" "$tmp/text"
ok $? "the report's page holds the weekly chart, its axis label, the table and the sessions"

run "$ctl" report --athlete anna -o "$tmp/report.png"
png_check "$tmp/report.png" 1240 1754 >"$tmp/check" 2>&1
r=$?; cat "$tmp/check"
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "report -o FILE.png writes an A4 page at 150 dpi, not blank"

read -r n1 n2 <<<"$(steps_done "$id1" "$id2")"
run "$ctl" plot "$id1" -o "$tmp/s1.png"
png_check "$tmp/s1.png" 1200 800 "$n1" >"$tmp/check" 2>&1
r=$?; cat "$tmp/check"
[ "$rc" = 0 ] && [ "$r" = 0 ] && grep -q "wrote $tmp/s1.png" "$tmp/out" &&
	[ "$n1" = 10 ]
ok $? "plot ID -o FILE.png: 1200x800, not blank, one band for each of the session's $n1 steps"

run "$ctl" plot "$id1" -o "$tmp/s1-small.png" --size 640x400
png_check "$tmp/s1-small.png" 640 400 "$n1" >"$tmp/check" 2>&1
r=$?; cat "$tmp/check"
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "plot --size 640x400 draws the same at that size"

run "$ctl" plot "$id1" -o "$tmp/s1.pdf"
pdfinfo "$tmp/s1.pdf" >"$tmp/info" 2>&1
pdftotext "$tmp/s1.pdf" - >"$tmp/text" 2>&1
[ "$rc" = 0 ] && grep -q "^Pages: *1$" "$tmp/info" &&
	grep -q "^Page size: *842 x 595 pts (A4)" "$tmp/info" &&
	grep -q "support force (N)" "$tmp/text" &&
	grep -q "belt speed (km/h)" "$tmp/text" && grep -q "pause" "$tmp/text"
ok $? "plot -o FILE.pdf: one A4 landscape page, axes labelled with units, the pause marked"

run "$ctl" plot "$id2" -o "$tmp/s2.png"
png_check "$tmp/s2.png" 1200 800 "$n2" >"$tmp/check" 2>&1
r=$?; cat "$tmp/check"
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "plot of the session stopped for pain: a band for each of the $n2 steps it reached"

run "$ctl" plot 9999 -o "$tmp/none.png"
[ "$rc" = 6 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -e "$tmp/none.png" ]
ok $? "plot of an unknown session: one sentence, exit 6, no file"

run "$ctl" plot "$id1" -o "$tmp/nodir/x.pdf"
[ "$rc" = 8 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "nodir" "$tmp/err" &&
	[ ! -e "$tmp/nodir" ]
ok $? "plot to an unwritable path: one sentence naming it, exit 8"

run "$ctl" plot "$id1" -o "$tmp/x.svg"
r1=$rc
run "$ctl" report --athlete nobody
[ "$r1" = 2 ] && [ "$rc" = 6 ] && [ "$(wc -l <"$tmp/err")" = 1 ]
ok $? "plot to a file neither .png nor .pdf is a usage error (2); report of an unknown athlete is 6"

# a session on the belt: not plotted, not yet in the report
"$ctl" start week1-day1 --athlete anna --override-back-to-back >/dev/null
"$ctl" pause >/dev/null
id3=$(ids | tail -1)
run "$ctl" plot "$id3" -o "$tmp/s3.png"
[ "$rc" = 7 ] && grep -q "still running" "$tmp/err" && [ ! -e "$tmp/s3.png" ]
ok $? "plot of a session still running (here paused): exit 7, no file"

run "$ctl" --json report --athlete anna
pyjson "len(j['sessions']) == 2 and j['weeks'][0]['sessions_recorded'] == 2"
ok $? "report leaves out a session still on the belt"
"$ctl" stop >/dev/null

# a record that contradicts itself (the belt ran backwards at 5 s)
wait_state stopped finished
cp "$tmp/s1.png" "$tmp/keep.png"
python3 - "$tmp/state/lever.db" "$id1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("UPDATE trace SET belt_mm_s_mean = -3000 WHERE session_id = ? AND t_ms = 5000", (int(sys.argv[2]),))
db.commit()
PY
run "$ctl" plot "$id1" -o "$tmp/s1.png"
r1=$rc; e1=$(cat "$tmp/err")
run "$ctl" report --athlete anna
[ "$r1" = 9 ] && echo "$e1" | grep -q "is corrupt: trace row 50" &&
	cmp -s "$tmp/keep.png" "$tmp/s1.png" && [ "$rc" = 0 ] &&
	grep -q "^$id1 .*(record unreadable)" "$tmp/out"
ok $? "a corrupt record: plot names it, exits 9 and leaves the older file; report lists it as unreadable"

exit $((fails > 0))
