#!/bin/bash
# SPDX-License-Identifier: MIT
# lever-simd's control socket: console buttons, harness line, runner and
# injected faults show up in the USB sample stream; bad commands are
# refused with an error; disconnect/reconnect unbinds and rebinds the UDC
# while the board model keeps running.
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"
echo "1..11"

check "lever-simd starts and the host configures the board" simd_start

simctl button pain press
s=$(sample_with buttons 0x8)
check "button pain press: sample buttons = 0x8 ($(kv buttons "$s"))" \
	[ "$(kv buttons "$s")" = 0x8 ]
simctl button pain release
simctl harness unclip
s=$(sample_with buttons 0x0 lines 0x0)
check "pain released, harness unclipped: buttons 0x0, lines 0x0" \
	eval '[ "$(kv buttons "$s")" = 0x0 ] && [ "$(kv lines "$s")" = 0x0 ]'
simctl harness clip
simctl estop press
s=$(sample_with lines 0x5 faults 0x1 board_state 3)
check "estop press: sample lines 0x5, faults 0x1, board_state 3" \
	eval '[ "$(kv lines "$s")" = 0x5 ] && [ "$(kv faults "$s")" = 0x1 ] &&
	      [ "$(kv board_state "$s")" = 3 ]'
simctl estop release
simctl reset

check "runner 90 3.0 is taken and shown in the state" \
	eval 'simctl runner 90 3.0 && [ "$(sget runner_mass_kg)" = 90.0 ] &&
	      [ "$(sget cadence_steps_s)" = 3.00 ]'
check "bad commands are refused with exit status 1 (runner 0, unknown fault, nonsense)" \
	eval '{ simctl runner 0 2.8 2>/dev/null; [ $? = 1 ]; } &&
	      { simctl fault nonsense on 2>/dev/null; [ $? = 1 ]; } &&
	      { simctl fly away 2>/dev/null; [ $? = 1 ]; }'

simctl fault drop-frames on
out=$(simusb stream 400)
simctl fault drop-frames off
check "fault drop-frames: the host sees seq gaps (lost $(kv lost "$out") in 400 frames)" \
	[ "$(kv lost "$out")" -ge 300 ]
check "fault state shows in the state dump and clears" \
	eval 'simctl fault force-noise on && [ "$(sget faults_injected)" = force-noise ] &&
	      simctl fault force-noise off && [ "$(sget faults_injected)" = none ]'

t0=$(sget board_time_ns)
simctl disconnect
sleep 1
check "disconnect: the board leaves the bus, connected=0" \
	eval '! lsusb -d 1209:4c56 >/dev/null && [ "$(sget connected)" = 0 ]'
check "the model keeps running while disconnected" \
	[ "$(sget board_time_ns)" -gt "$t0" ]
simctl reconnect
check "reconnect: enumerated and configured again, samples flow" \
	eval 'wait_state enabled 1 20 && lsusb -d 1209:4c56 >/dev/null &&
	      simusb sample >/dev/null'
simd_finish
