#!/bin/bash
# SPDX-License-Identifier: MIT
# The hard e-stop and the safety key of lever-simd cut the belt drive at
# once, with no host involved, and stay latched until the line is
# released AND a fault reset succeeds; a reset while the line is active
# is refused (STALL); after a reset nothing moves until a new RUN.
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"
echo "1..14"

check "lever-simd starts and the host configures the board" simd_start
simctl watchdog 1000

# run_belt: RUN at 2.5 m/s in the background (stop it with stop_belt);
# long enough that a slow emulator never lets the watchdog act first
run_belt() {
	simusb_bg cmd 100000 2500 0 1 6000 10
	wait_state belt_setpoint_mm_s 2500 20
	sleep 1.5
}
stop_belt() { kill $sender; wait $sender; }

# has_fault LIST NAME: LIST is NAME alone, or NAME and the watchdog
# (which a stalled emulator may latch first; nothing else may latch)
has_fault() { [ "$1" = "$2" ] || [ "$1" = "$2,watchdog" ]; }

# line_case NAME PRESS RELEASE FAULT
line_case() {
	local name=$1 press=$2 release=$3 fault=$4 st r
	run_belt
	simctl $name $press
	st=$(simctl state)
	grep -E '^(state|fault_names|drive_enabled|belt_speed)' <<<"$st" |
		sed 's/^/# /'
	# (a stalled emulator may have let the watchdog latch too)
	check "$name $press: drive cut at once, hard-stopped, $fault latched" \
		eval '[ "$(kv drive_enabled "$st")" = 0 ] &&
		      [ "$(kv state "$st")" = hard-stopped ] &&
		      has_fault "$(kv fault_names "$st")" "$fault"'
	sleep 0.5
	stop_belt
	wait_state belt_speed_mm_s 0 10
	st=$(simctl state)
	# held at what the cylinder had, its stride average (safety.rst
	# "Safe state"): 100 kPa within the few per cent a stride moves it
	check "$name: belt at rest, support held at 100 kPa +-5 % ($(kv pressure_setpoint_pa "$st")), RUN ignored" \
		eval '[ "$(kv belt_speed_mm_s "$st")" = 0 ] &&
		      in_range "$(kv pressure_setpoint_pa "$st")" 95000 105000 &&
		      [ "$(kv belt_setpoint_mm_s "$st")" = 0 ]'
	r=$(simusb ctrl reset)
	check "$name: fault reset while still active is STALLed" \
		eval '[ "$(kv result "$r")" = LIBUSB_ERROR_PIPE ] &&
		      [ "$(sget state)" = hard-stopped ]'
	simctl $name $release
	sleep 0.3
	check "$name $release: still latched without a reset" \
		eval '[ "$(sget state)" = hard-stopped ] &&
		      has_fault "$(sget fault_names)" "$fault"'
	check "$name: reset after release succeeds, board idle, no fault" \
		eval 'simusb ctrl reset && [ "$(sget state)" = idle ] &&
		      [ "$(sget faults)" = 0x0 ]'
	sleep 0.3
	check "$name: after the reset the belt stays still until a new RUN" \
		eval '[ "$(sget belt_speed_mm_s)" = 0 ] &&
		      [ "$(sget drive_enabled)" = 0 ]'
}

line_case estop press release estop
line_case key pull insert safety-key

run_belt
v=$(sget belt_speed_mm_s)
stop_belt
check "a new RUN after the resets runs the belt again ($v mm/s)" \
	[ "${v:-0}" -gt 1000 ]
simd_finish
