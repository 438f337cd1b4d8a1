#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's read-only usb: transport against lever-simd with lever.ko
# unloaded (as during installation): identity, limits, live samples,
# -EROFS for every command, -ENODEV on unplug, reopen on replug.
. tests/unit/lib/vm-simd.sh
rmmod lever 2> /dev/null
simd_start_or_fail --serial VMLIB51
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" usb "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
