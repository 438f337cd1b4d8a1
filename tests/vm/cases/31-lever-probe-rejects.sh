#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lever.ko refuses malformed boards: for each kind of bad board
# (tests/kselftest/lever_badboard.c) the probe logs one clear error line
# and no /dev/lever node appears; the kernel must not oops (the runner
# checks the log).
top=${LEVER_VM_TOP:-.}
bad=$top/build/kselftest/lever_badboard

# mode and the start of the error line lever.ko must log
cases=(
	"bulk|not a LEVER board: need exactly one interrupt IN endpoint"
	"maxp|not a LEVER board: need exactly one interrupt IN endpoint"
	"stall|cannot read the board's identity: -32"
	"short|cannot read the board's identity: -121"
	"rate0|board identity invalid"
	"limits|board limits out of the sane range"
	"serial24|board identity invalid"
)

echo "1..${#cases[@]}"
n=0
rc=0
for c in "${cases[@]}"; do
	mode=${c%%|*}
	want=${c#*|}
	n=$((n + 1))
	dmesg -C
	"$bad" dummy_udc.0 "$mode" 2>/tmp/badboard.err &
	pid=$!
	found=""
	for _ in $(seq 200); do
		if dmesg | grep -qF "$want"; then
			found=1
			break
		fi
		sleep 0.05
	done
	sleep 0.3
	node=$(ls /dev/lever* 2>/dev/null)
	lines=$(dmesg | grep -c ' lever 1-1')
	kill -TERM "$pid"
	wait "$pid"
	if [ -n "$found" ] && [ -z "$node" ] && [ "$lines" -eq 1 ]; then
		echo "ok $n - $mode board refused: $want"
	else
		echo "not ok $n - $mode board refused: $want"
		echo "# node: ${node:-none}, lever lines: $lines"
		dmesg | tail -n 15 | sed 's/^/# /'
		sed 's/^/# badboard: /' /tmp/badboard.err
		rc=1
	fi
	for _ in $(seq 100); do
		[ -e /sys/bus/usb/devices/1-1 ] || break
		sleep 0.05
	done
done
exit $rc
