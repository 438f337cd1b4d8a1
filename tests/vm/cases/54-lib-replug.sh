#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever on /dev/lever0 across an unplug: open by serial, -ENODEV for
# the reader and every call, reopen after replug, disarmed afterwards.
. tests/unit/lib/vm-simd.sh
if ! simd_start --serial VMLIB54; then
	echo "1..1"
	echo "not ok 1 - lever-simd starts"
	exit 1
fi
if ! wait_for /dev/lever0; then
	echo "1..1"
	echo "not ok 1 - /dev/lever0 appears after lever-simd starts"
	exit 1
fi
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" replug "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
