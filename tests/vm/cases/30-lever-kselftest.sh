#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lever.ko's kselftest suite (tests/kselftest/lever_test.c) against
# lever-simd on dummy_hcd: starts the simulated board, waits for
# /dev/lever0, runs the suite (TAP on stdout) and stops the board.
# LEVER_KSELFTEST names another build of the suite (case 32: 32-bit).
cd "${LEVER_VM_TOP:-.}" || exit 1
. tests/unit/lib/vm-simd.sh
suite=${LEVER_KSELFTEST:-lever_test}

if ! simd_start || ! wait_for /dev/lever0; then
	echo "1..1"
	echo "not ok 1 - /dev/lever0 did not appear with lever-simd running"
	sed 's/^/# simd: /' /tmp/lever-simd.log
	dmesg | tail -n 20 | sed 's/^/# /'
	exit 1
fi

LEVER_SIM_SOCK=$SIMD_SOCK "$BUILD/kselftest/$suite"
