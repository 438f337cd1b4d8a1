#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's read-only usb: transport against lever-simd with lever.ko
# unloaded (as during installation): identity, limits, live samples,
# -EROFS for every command, -ENODEV on unplug, reopen on replug.
. tests/unit/lib/vm-simd.sh
rmmod lever 2> /dev/null
if ! simd_start --serial VMLIB51; then
	echo "1..1"
	echo "not ok 1 - lever-simd starts"
	exit 1
fi
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" usb "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
