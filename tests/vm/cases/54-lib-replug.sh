#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever on /dev/lever0 across an unplug: open by serial, -ENODEV for
# the reader and every call, reopen after replug, disarmed afterwards.
. tests/unit/lib/vm-simd.sh
simd_start_dev_or_fail --serial VMLIB54
# The board's own 100 ms command watchdog would trip whenever this loaded
# VM stalls the test for a moment; the gate's watchdog is what is tested
# elsewhere, so give the board 1 s here.
"$BUILD/lever-simctl" "$SIMD_SOCK" watchdog 1000 > /dev/null
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" replug "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
