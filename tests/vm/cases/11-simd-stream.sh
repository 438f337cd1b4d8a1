#!/bin/bash
# SPDX-License-Identifier: MIT
# A libusb reader on the host side (lever.ko not bound) receives 5000
# consecutive sample frames from lever-simd with no sequence gap, at
# 1000 Hz +- 5 % by board time and by the host's CLOCK_MONOTONIC.
# Under QEMU TCG this measures the emulator as much as the board: the
# figures are printed as TAP comments and the bounds are not relaxed.
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"
echo "1..5"

check "lever-simd starts and the host configures the board" simd_start
out=$(simusb stream 5000)
rc=$?
sed 's/^/# /' <<<"$out"
check "the reader got 5000 frames of 64 bytes" \
	eval '[ $rc = 0 ] && [ "$(kv frames "$out")" = 5000 ] &&
	      [ "$(kv bad_length "$out")" = 0 ]'
check "no sequence gap in 5000 consecutive frames (lost $(kv lost "$out"))" \
	[ "$(kv gaps "$out")" = 0 ]
check "rate by board time is 1000 Hz +- 5 % ($(kv board_rate_hz "$out") Hz)" \
	in_range "$(kv board_rate_hz "$out")" 950 1050
check "rate by host CLOCK_MONOTONIC is 1000 Hz +- 5 % ($(kv host_rate_hz "$out") Hz)" \
	in_range "$(kv host_rate_hz "$out")" 950 1050
simctl state | grep -E '^(samples_|periods_late|board_time_ns)' | sed 's/^/# /'
simd_finish
