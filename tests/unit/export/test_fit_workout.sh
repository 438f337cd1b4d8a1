#!/bin/bash
# SPDX-License-Identifier: MIT
# test_fit_workout: leverctl show --format fit-workout writes every session
# of the shipped plan as a FIT workout, and Garmin's own decoder
# (@garmin/fitsdk) reads each one whole, with a step per plan step (time,
# speed target, intensity, body weight carried). Needs no leverd. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
ctl="$BUILD/leverctl --plans-dir $top/plans"
plan=bsi-2nd-metatarsal
tmp=$(mktemp -d /tmp/lever-test-workout-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/unit/export/fitsdk.sh"

if ! fitsdk_install "$BUILD/fitsdk" >"$tmp/npm.log" 2>&1; then
	echo "Bail out! @garmin/fitsdk cannot be installed into $BUILD/fitsdk: $(tail -1 "$tmp/npm.log")"
	exit 1
fi
sessions=$($ctl --json show --plan "$plan" | python3 -c \
	"import json,sys; print(' '.join(s['session'] for s in json.load(sys.stdin)['sessions']))")
set -- $sessions
echo "1..$(($# + 3))"
n=0 rc=0
$ctl show --plan "$plan" --format fit-workout --dir "$tmp" >"$tmp/out" 2>&1
[ $? = 0 ] && [ "$(grep -c '^wrote ' "$tmp/out")" = $# ]
r=$?; n=$((n + 1))
[ $r = 0 ] && echo "ok $n - one file per session of $plan ($# sessions)" ||
	{ echo "not ok $n - one file per session of $plan"; rc=1; }
cp "$top/tests/unit/export/workout-check.mjs" "$BUILD/fitsdk/"
for s in "$@"; do
	$ctl --json show "$s" --plan "$plan" >"$tmp/$s.json"
	n=$((n + 1))
	out=$(node "$BUILD/fitsdk/workout-check.mjs" "$tmp/$plan-$s.fit" \
		"$tmp/$s.json" 2>&1) || rc=1
	echo "$out" | sed "1s/^\(not \)\?ok /\1ok $n /"
done

n=$((n + 1))
$ctl show week1-day1 --plan "$plan" --format fit-workout --dir "$tmp/none" \
	>"$tmp/out" 2>"$tmp/err"
r=$?
[ $r = 8 ] && grep -q "$tmp/none is not a directory" "$tmp/err" &&
	echo "ok $n - a --dir that is not a directory is named, exit 8" ||
	{ echo "not ok $n - a --dir that is not a directory is named, exit 8 (exit $r)"; rc=1; }
n=$((n + 1))
$ctl show --plan "$plan" --format gpx --dir "$tmp" >"$tmp/out" 2>"$tmp/err"
r=$?
[ $r = 2 ] && grep -q "gpx" "$tmp/err" &&
	echo "ok $n - another --format is a usage error naming it" ||
	{ echo "not ok $n - another --format is a usage error naming it (exit $r)"; rc=1; }
exit $rc
