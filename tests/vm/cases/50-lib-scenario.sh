#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's shared scenario (arm, ramp, 1000 samples, stop) on
# /dev/lever0: lever.ko driving lever-simd through dummy_hcd. The same
# binary runs on "sim:" on the host (make check-unit).
. tests/unit/lib/vm-simd.sh
simd_start_dev_or_fail --serial VMLIB50
# The board's own 100 ms command watchdog would trip whenever this loaded
# VM stalls the test for a moment; the gate's watchdog is what is tested
# elsewhere, so give the board 1 s here.
"$BUILD/lever-simctl" "$SIMD_SOCK" watchdog 1000 > /dev/null
"$BUILD/tests/unit/lib/lever-scenario" /dev/lever0
