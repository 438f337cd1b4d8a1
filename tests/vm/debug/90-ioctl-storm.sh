#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: random ioctl()s, reads and polls on /dev/lever0
# (tests/kselftest/lever_ioctl_storm.c) from four threads while lever-simd
# unplugs and replugs the board and the interface is unbound from lever
# and bound again, at random moments. The debug kernel is the judge:
# tests/vm/run fails the run on any KASAN, UBSAN, lockdep, debug-objects
# or kmemleak report. LEVER_STORM_SECONDS (60) and LEVER_STORM_SEED
# replay a run.
cd "${LEVER_VM_TOP:-.}" || exit 1
. tests/unit/lib/vm-simd.sh
secs=${LEVER_STORM_SECONDS:-60}
drv=/sys/bus/usb/drivers/lever

simd_start_dev_or_fail
# niced: four busy threads on two vCPUs would otherwise starve the loop
# below (and lever-simd), and the link would change only a few times
nice -n 10 "$BUILD/kselftest/lever_ioctl_storm" /dev/lever0 "$secs" 4 \
	${LEVER_STORM_SEED:+"$LEVER_STORM_SEED"} &
storm=$!

# The link changes while the threads run; the last one leaves the board
# plugged in and bound, so that the storm's last check finds it.
unplugs=0
unbinds=0
end=$((SECONDS + secs - 2))
while [ "$SECONDS" -lt "$end" ]; do
	sleep "0.$((RANDOM % 10))"
	if [ $((RANDOM % 3)) -eq 0 ]; then
		ifc=$(basename "$(ls -d "$drv"/*:* 2> /dev/null | head -n 1)")
		[ "$ifc" != . ] && [ -n "$ifc" ] || continue
		echo "$ifc" > "$drv/unbind"
		sleep "0.$((RANDOM % 5))"
		echo "$ifc" > "$drv/bind"
		unbinds=$((unbinds + 1))
	else
		"$BUILD/lever-simctl" "$SIMD_SOCK" disconnect > /dev/null
		sleep "0.$((RANDOM % 5))"
		"$BUILD/lever-simctl" "$SIMD_SOCK" reconnect > /dev/null
		unplugs=$((unplugs + 1))
	fi
done
wait "$storm"
rc=$?
echo "# $unplugs unplugs and $unbinds unbinds during the storm"
exit $rc
