#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the plan parser's libFuzzer target for a short while (default 20 s,
# LEVER_FUZZ_SECONDS) on a seed corpus made from the shipped plan; prints
# TAP. A crash leaves its input in build/fuzz/crashes/ for replay.
set -u
top=$(pwd)
bin=$top/build/fuzz/fuzz_plan
secs=${LEVER_FUZZ_SECONDS:-20}
echo "1..1"
if [ ! -x "$bin" ]; then
	echo "not ok 1 - fuzz_plan runs ${secs} s without a crash # $bin not built"
	exit 1
fi
work=$(mktemp -d /tmp/lever-fuzz-plan-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$top/build/fuzz/crashes"
i=0
for f in "$top"/plans/*/plan "$top"/plans/*/week*-day*; do
	cp "$f" "$work/corpus/seed-$i"
	i=$((i + 1))
done
"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 \
	-artifact_prefix="$top/build/fuzz/crashes/" \
	"$work/corpus" >"$work/log" 2>&1
rc=$?
runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$work/log" |
	grep -Eo '[0-9]+$')
[ -n "$runs" ] || runs=$(grep -Eo '^#[0-9]+' "$work/log" | tail -1 | tr -d '#')
if [ "$rc" = 0 ]; then
	echo "ok 1 - fuzz_plan runs ${secs} s without a crash (${runs:-?} inputs)"
else
	tail -30 "$work/log" | sed 's/^/# /'
	echo "not ok 1 - fuzz_plan runs ${secs} s without a crash (exit $rc)"
	exit 1
fi
