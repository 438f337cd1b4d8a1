#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's gpio watcher on lever.ko's lever-safety chip (e-stop edges
# driven through lever-simd) and its key reader on the LEVER console.
. tests/unit/lib/vm-simd.sh
if ! simd_start --serial VMLIB53; then
	echo "1..1"
	echo "not ok 1 - lever-simd starts"
	exit 1
fi
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" lines "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
