#!/bin/bash
# SPDX-License-Identifier: MIT
# test_fit_decode: Garmin's own decoder (@garmin/fitsdk, from the npm
# registry into $BUILD/fitsdk, run with Debian's Node.js) reads every FIT
# file our encoder writes for sessions with a pause, a pain stop and a
# fault stop, with its integrity check on and no errors, and what it
# decodes matches the record: laps, intensities, totals, distance,
# developer fields. TAP.
set -u
top=$(pwd)
BUILD=${BUILD:-$top/build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
tmp=$(mktemp -d /tmp/lever-test-fit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/unit/export/fitsdk.sh"

if ! fitsdk_install "$BUILD/fitsdk" >"$tmp/npm.log" 2>&1; then
	# no decoder, no verdict: a failure, never a silent pass
	echo "Bail out! @garmin/fitsdk cannot be installed into $BUILD/fitsdk: $(tail -1 "$tmp/npm.log")"
	exit 1
fi
if ! "$BUILD/tests/unit/export/make-fixtures" "$tmp" >"$tmp/out" 2>&1; then
	echo "Bail out! make-fixtures: $(cat "$tmp/out")"
	exit 1
fi
rc=0
for s in pause pain fault; do
	fitsdk_check "$BUILD/fitsdk" "$tmp/$s.fit" "$tmp/$s.json" >>"$tmp/tap" || rc=1
done
echo "1..$(grep -c '^\(not \)\?ok' "$tmp/tap")"
awk '/^(not )?ok/ { n++; sub(/^ok/, "ok " n); sub(/^not ok/, "not ok " n) } { print }' "$tmp/tap"
exit $rc
