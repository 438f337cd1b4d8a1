#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's shared scenario (arm, ramp, 1000 samples, stop) on
# /dev/lever0: lever.ko driving lever-simd through dummy_hcd. The same
# binary runs on "sim:" on the host (make check-unit).
. tests/unit/lib/vm-simd.sh
if ! simd_start --serial VMLIB50; then
	echo "1..1"
	echo "not ok 1 - lever-simd starts"
	exit 1
fi
if ! wait_for /dev/lever0; then
	echo "1..1"
	echo "not ok 1 - /dev/lever0 appears after lever-simd starts"
	dmesg | tail -20 | sed 's/^/# /'
	exit 1
fi
"$BUILD/tests/unit/lib/lever-scenario" /dev/lever0
