#!/bin/bash
# SPDX-License-Identifier: MIT
# The conformance suite (tests/conformance/) on /dev/lever0: lever.ko
# driving lever-simd through dummy_hcd. The same binary runs on "sim:" on
# the host (make check-unit); a difference between the transports fails
# one of the two runs.
. tests/unit/lib/vm-simd.sh
simd_start_dev_or_fail --serial VMCONF35
# The board's own 100 ms watchdog would trip whenever the loaded VM
# stalls; the suite's watchdog test is about the gate's.
"$BUILD/lever-simctl" "$SIMD_SOCK" watchdog 1000 > /dev/null
"$BUILD/tests/conformance/lever-conformance" /dev/lever0 "$SIMD_SOCK"
