#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unplugging the board while Debian's gpiomon holds the e-stop line and
# evtest holds the console: both tools are told the device is gone, the
# kernel stays clean (the runner fails the run on any oops or WARNING),
# the interrupt the driver keeps for gpiomon stays requested exactly as
# long as gpiomon's request (gpiomon is stopped across the unplug so that
# it cannot notice and close early), and a replugged board works with the
# tools again.
stim=tests/gpioinput/stim-simd
out=/tmp/lever-unplug
mkdir -p "$out"
trap '$stim stop; kill $mon $ev 2> /dev/null' EXIT
. tests/gpioinput/case-lib.sh
console_node()
{
	local d
	for d in /sys/class/input/event*; do
		if [ "$(cat "$d/device/name" 2> /dev/null)" = "LEVER console" ]; then
			echo "/dev/input/${d##*/}"
		fi
	done
}
monitored() { gpioinfo lever-safety 2> /dev/null | grep -q '"gpiomon"'; }
has() { grep -sq -- "$1" "$2"; }
gone() { ! kill -0 "$1" 2> /dev/null; }
# an interrupt of the lever-safety irq_chip still requested by gpiomon
# (a freed one may stay listed, with its counts but no action name)
irq_held() { grep -qE ' lever-safety .* gpiomon$' /proc/interrupts; }
irq_freed() { ! irq_held; }
chip_gone() { ! gpiodetect 2> /dev/null | grep -q lever-safety; }

echo "1..10"
check "the simulated board is plugged in" $stim plug
$stim line estop 0
stdbuf -oL gpiomon lever-safety 0 > "$out/mon" 2>&1 &
mon=$!
node=$(console_node)
echo "# console: $node"
timeout 300 evtest "$node" < /dev/null > "$out/evtest" 2>&1 &
ev=$!
within_60s monitored || echo "# gpiomon did not request the line"
within_60s has 'Testing ...' "$out/evtest" || echo "# evtest did not start"
$stim line estop 1
check "gpiomon sees the e-stop before the unplug" \
	within_60s has 'RISING EDGE offset: 0' "$out/mon"
$stim line estop 0
within_60s has 'FALLING EDGE offset: 0' "$out/mon"
kill -STOP $mon

$stim unplug
check "the lever-safety chip is gone after the unplug" chip_gone
check "evtest is told the console is gone and ends" within_60s gone $ev
show "$out/evtest" | tail -n 3
check "the driver keeps gpiomon's interrupt after the unplug" irq_held
kill -CONT $mon
check "gpiomon, let go on, is told the line is gone and ends" \
	within_60s gone $mon
show "$out/mon"
check "the interrupt is freed once gpiomon has ended" \
	within_60s irq_freed
dmesg | grep -E 'lever|gpio' | tail -n 6 | sed 's/^/#   /'

check "a replugged board shows the lever-safety chip again" $stim plug
stdbuf -oL gpiomon --num-events=1 lever-safety 0 > "$out/mon2" 2>&1 &
mon=$!
within_60s monitored
$stim line estop 1
within_60s gone $mon
show "$out/mon2"
check "gpiomon sees the e-stop on the replugged board" \
	has 'RISING EDGE offset: 0' "$out/mon2"
$stim line estop 0
timeout 300 evtest "$(console_node)" < /dev/null > "$out/evtest2" 2>&1 &
ev=$!
within_60s has 'Testing ...' "$out/evtest2"
$stim button stop 1
$stim button stop 0
check "evtest sees the stop button on the replugged board" \
	within_60s has 'KEY_STOPCD), value 0' "$out/evtest2"
exit $fail
