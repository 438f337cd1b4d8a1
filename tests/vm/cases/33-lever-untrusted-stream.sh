#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lever.ko never arms behind a board it cannot see: after a valid identity
# the malformed board (tests/kselftest/lever_badboard.c) stays mute, sends
# only garbage, or halts its sample endpoint after 300 ms of good frames.
# /dev/lever0 appears each time, and ARM is refused (stale samples or the
# latched IO fault); the kernel must not oops (the runner checks the log).
top=${LEVER_VM_TOP:-.}
bad=$top/build/kselftest/lever_badboard
armcheck=$top/build/kselftest/lever_armcheck

modes=(mute garbage halt)
echo "1..${#modes[@]}"
n=0
rc=0
for mode in "${modes[@]}"; do
	n=$((n + 1))
	dmesg -C
	"$bad" dummy_udc.0 "$mode" 2>/tmp/badboard.err &
	pid=$!
	for _ in $(seq 100); do
		[ -e /dev/lever0 ] && break
		sleep 0.1
	done
	# well past the stale bound, and past 16 failed frames
	out=$("$armcheck" /dev/lever0 1500 2>&1)
	res=$?
	kill -TERM "$pid"
	wait "$pid"
	if [ "$res" -eq 0 ]; then
		echo "ok $n - $mode board: ARM refused"
	else
		echo "not ok $n - $mode board: ARM refused"
		rc=1
	fi
	printf '%s\n' "$out" | sed 's/^/# /'
	[ "$res" -eq 0 ] || {
		dmesg | tail -n 15 | sed 's/^/# /'
		sed 's/^/# badboard: /' /tmp/badboard.err
	}
	for _ in $(seq 100); do
		[ -e /sys/bus/usb/devices/1-1 ] || break
		sleep 0.05
	done
done
exit $rc
