#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lever.ko's kselftest suite (tests/kselftest/lever_test.c) against
# lever-simd on dummy_hcd: starts the simulated board, waits for
# /dev/lever0, runs the suite (TAP on stdout) and stops the board.
# LEVER_KSELFTEST names another build of the suite (case 32: 32-bit).
top=${LEVER_VM_TOP:-.}
suite=${LEVER_KSELFTEST:-lever_test}
sock=/run/lever-simd.sock
log=/tmp/lever-simd.log

"$top/build/lever-simd" --udc dummy_udc.0 --control "$sock" >"$log" 2>&1 &
simd=$!
for _ in $(seq 300); do
	[ -e /dev/lever0 ] && [ -S "$sock" ] && break
	sleep 0.05
done
if [ ! -e /dev/lever0 ]; then
	echo "1..1"
	echo "not ok 1 - /dev/lever0 did not appear with lever-simd running"
	sed 's/^/# simd: /' "$log"
	dmesg | tail -n 20 | sed 's/^/# /'
	kill "$simd"
	exit 1
fi

LEVER_SIM_SOCK=$sock "$top/build/kselftest/$suite"
rc=$?
kill -TERM "$simd"
wait "$simd"
exit $rc
