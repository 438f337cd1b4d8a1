#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's gpio watcher on lever.ko's lever-safety chip (e-stop edges
# driven through lever-simd) and its key reader on the LEVER console.
. tests/unit/lib/vm-simd.sh
simd_start_or_fail --serial VMLIB53
timeout 120 "$BUILD/tests/unit/lib/lever-vm-checks" lines "$SIMD_SOCK"
rc=$?
echo "# lever-vm-checks exited with $rc"
simd_stop
exit $rc
