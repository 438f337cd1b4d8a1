#!/bin/bash
# SPDX-License-Identifier: MIT
# leverctl end to end in the VM: leverd drives lever-simd through lever.ko
# (/dev/lever0, dummy_hcd). Real time, so a short 3-week test plan stands in
# for the shipped one: week3-day2 runs to completion, week3-day3 ends in a
# pain report and `leverctl next` answers week2-day1 (also after a restart).
. tests/unit/lib/vm-simd.sh
# TCG emulation cannot hold a 1 kHz loop: run the board at 250 Hz and
# leverd at a 4 ms period. A busy host also stalls the whole guest for tens
# of milliseconds now and then, which a real controller never sees: allow
# 50 periods (200 ms) before a sample is stale and 500 ms on the kernel
# watchdog. All of these stay inside SAFETY.md's bounds; this case tests the
# session flow, and the stale and watchdog rules have their own tests.
simd_start_dev_or_fail --serial VMCTL70 --rate 250

plans=$(mktemp -d /tmp/lever-vm-plans-XXXXXX)
mkdir -p "$plans/vm-short"
sed -e 's/^weeks: .*/weeks: 3/' \
	plans/bsi-2nd-metatarsal/plan > "$plans/vm-short/plan"
for w in 1 2 3; do
	for d in 1 2 3; do
		bw=$((65 + 5 * w))
		cat > "$plans/vm-short/week$w-day$d" <<SESSION
lever-session 1
title: VM test: week $w, day $d
incline: 0 %
bw: $bw %
ramp: 3 s
warmup   0:10  speed 3.0 km/h
run      0:10  speed 6.0 km/h
cooldown 0:10  speed 3.0 km/h
SESSION
	done
done
leverd_law_note
LEVER_E2E_LEVERD_ARGS="--period-us=4000 --stale-samples=50 --kernel-watchdog-ms=500 ${LEVERD_LAW_ARGS[*]}" \
	LEVER_E2E_TRANSPORT=/dev/lever0 LEVER_E2E_PLANS_DIR=$plans \
	LEVER_E2E_TOTAL=0:30 tests/unit/leverctl/test_e2e_sim.sh
rc=$?
rm -rf "$plans"
exit $rc
