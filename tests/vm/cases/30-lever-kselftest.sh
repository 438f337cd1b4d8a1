#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lever.ko's kselftest suite (tests/kselftest/lever_test.c) against
# lever-simd on dummy_hcd: starts the simulated board, waits for
# /dev/lever0, runs the suite (TAP on stdout) and stops the board.
# LEVER_KSELFTEST names another build of the suite (case 32: 32-bit).
cd "${LEVER_VM_TOP:-.}" || exit 1
. tests/unit/lib/vm-simd.sh
suite=${LEVER_KSELFTEST:-lever_test}

simd_start_dev_or_fail

LEVER_SIM_SOCK=$SIMD_SOCK "$BUILD/kselftest/$suite"
