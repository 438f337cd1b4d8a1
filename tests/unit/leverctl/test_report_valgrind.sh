#!/bin/bash
# SPDX-License-Identifier: MIT
# test_report_valgrind: leverctl plot and report -o under valgrind, on one
# short session recorded by a real leverd on the sim board: nothing read
# uninitialised, nothing written out of bounds, no block definitely lost
# (cairo's and fontconfig's caches included: draw.c frees them). Apart
# from test_e2e_report, whose budget valgrind's start-up would eat. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
ctl=$BUILD/leverctl
leverd=$BUILD/leverd
tmp=$(mktemp -d /tmp/lever-test-report-vg-XXXXXX)
export LEVER_SOCKET=$tmp/leverd.sock
plans=$top/plans
. "$top/tests/unit/leverctl/e2e-lib.sh"
trap cleanup EXIT

echo "1..3"
if ! command -v valgrind >/dev/null; then
	echo "Bail out! valgrind is not installed (scripts/deps)"
	exit 1
fi
if [ ! -x "$leverd" ] || [ ! -x "$ctl" ]; then
	echo "Bail out! $leverd or $ctl is not built"
	exit 1
fi
start_leverd && run "$ctl" athlete add anna 70
if [ "$rc" != 0 ]; then
	echo "Bail out! leverd does not start or take an athlete"
	exit 1
fi
# a session stopped for pain at once: a short trace, every mark drawn
"$ctl" start week1-day1 --athlete anna --confirm-start-criteria >/dev/null
"$ctl" pause >/dev/null
"$ctl" resume >/dev/null
"$ctl" pain 2 >/dev/null
end=$((SECONDS + 60))
while [ "$SECONDS" -lt "$end" ] &&
      ! "$ctl" status 2>/dev/null | grep -qE "finished|stopped"; do
	sleep 0.1
done
id=$("$ctl" history --athlete anna | awk '$1 ~ /^[0-9]+$/ { print $1 }')

vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
run $vg "$ctl" plot "$id" -o "$tmp/s.pdf"
[ "$rc" = 0 ] && [ -s "$tmp/s.pdf" ]
ok $? "plot -o FILE.pdf under valgrind: no error, no leak"

run $vg "$ctl" plot "$id" -o "$tmp/s.png" --size 400x300
[ "$rc" = 0 ] && [ -s "$tmp/s.png" ]
ok $? "plot -o FILE.png under valgrind: no error, no leak"

run $vg "$ctl" report --athlete anna -o "$tmp/r.pdf"
[ "$rc" = 0 ] && [ -s "$tmp/r.pdf" ]
ok $? "report -o FILE.pdf under valgrind: no error, no leak"

exit $((fails > 0))
