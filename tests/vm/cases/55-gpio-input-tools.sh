#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian's own tools against lever.ko and lever-simd: gpiodetect and
# gpioinfo show the lever-safety chip and its named lines, gpiomon sees
# the e-stop's press and release, gpioset is refused, and evtest shows the
# LEVER console and the pain button. Their output goes into the log as
# TAP comments.
stim=tests/gpioinput/stim-simd
out=/tmp/lever-tools
mkdir -p "$out"
trap '$stim stop' EXIT
. tests/gpioinput/case-lib.sh
wait_grep() { within_60s grep -sq -- "$1" "$2"; }
monitored() { gpioinfo lever-safety 2> /dev/null | grep -q '"gpiomon"'; }
gone() { ! kill -0 "$1" 2> /dev/null; }

echo "1..9"
check "the simulated board is plugged in" $stim plug

gpiodetect > "$out/detect" 2>&1
show "$out/detect"
check "gpiodetect lists lever-safety with 3 lines" \
	grep -q '\[lever-safety\] (3 lines)' "$out/detect"

gpioinfo lever-safety > "$out/info" 2>&1
show "$out/info"
check "gpioinfo names lines 0..2 estop, safety-key, harness, all inputs" \
	bash -c "grep -Eq 'line +0: +\"estop\" .* input ' '$out/info' &&
		 grep -Eq 'line +1: +\"safety-key\" .* input ' '$out/info' &&
		 grep -Eq 'line +2: +\"harness\" .* input ' '$out/info'"

$stim line estop 0
gpiomon --num-events=2 lever-safety 0 > "$out/mon" 2>&1 &
mon=$!
# Wait until gpiomon holds the line, then press and release the e-stop.
within_60s monitored
$stim line estop 1
$stim line estop 0
within_60s gone $mon
kill $mon 2> /dev/null
wait $mon
show "$out/mon"
check "gpiomon sees the e-stop press as a rising edge on offset 0" \
	bash -c "sed -n 1p '$out/mon' | grep -q 'RISING EDGE offset: 0'"
check "gpiomon sees the e-stop release as a falling edge on offset 0" \
	bash -c "sed -n 2p '$out/mon' | grep -q 'FALLING EDGE offset: 0'"

gpioset lever-safety 0=1 > "$out/set" 2>&1
setrc=$?
show "$out/set"
check "gpioset on the e-stop line is refused" \
	bash -c "[ $setrc -ne 0 ] && grep -q 'not permitted' '$out/set'"

node=
for d in /sys/class/input/event*; do
	if [ "$(cat "$d/device/name" 2> /dev/null)" = "LEVER console" ]; then
		node=/dev/input/${d##*/}
	fi
done
timeout 120 evtest "$node" < /dev/null > "$out/evtest" 2>&1 &
ev=$!
wait_grep 'Testing ...' "$out/evtest"
$stim button pain 1
wait_grep 'KEY_HELP), value 1' "$out/evtest"
$stim button pain 0
wait_grep 'KEY_HELP), value 0' "$out/evtest"
kill $ev 2> /dev/null
wait $ev 2> /dev/null
show "$out/evtest"
check "evtest shows the device named LEVER console on bus 0x3 (USB)" \
	bash -c "grep -q 'Input device name: \"LEVER console\"' '$out/evtest' &&
		 grep -q 'bus 0x3 vendor 0x1209 product 0x4c56' '$out/evtest'"
check "evtest shows the pain button as KEY_HELP down" \
	grep -q 'code 138 (KEY_HELP), value 1' "$out/evtest"
check "evtest shows the pain button as KEY_HELP up" \
	grep -q 'code 138 (KEY_HELP), value 0' "$out/evtest"
exit $fail
