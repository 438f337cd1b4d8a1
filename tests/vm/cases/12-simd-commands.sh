#!/bin/bash
# SPDX-License-Identifier: MIT
# Command frames sent by a host-side libusb program take effect in
# lever-simd's model; out-of-limit values are clamped and counted;
# malformed frames (short, long, wrong version/type/length, bad flags,
# nonzero reserved, negative speed, garbage) are rejected, counted and
# never crash the simulator.
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"
echo "1..16"

# frame VERSION TYPE LENGTH SEQ PRESSURE BELT INCLINE FLAGS RES0 RES1 RES2
# prints the 32-byte command frame as hex, little-endian
le() { local v=$(( ($1 + (1 << ($2 * 8))) % (1 << ($2 * 8)) )) i
	for ((i = 0; i < $2; i++)); do printf '%02x' $(( (v >> (8 * i)) & 255 )); done; }
frame() { le "$1" 1; le "$2" 1; le "$3" 2; le "$4" 4; le "$5" 4; le "$6" 4
	le "$7" 2; le "$8" 2; le "$9" 4; le "${10}" 4; le "${11}" 4; }
good() { frame 1 2 32 "$1" 100000 1000 0 1 0 0 0; }

check "lever-simd starts and the host configures the board" simd_start
# The watchdog is not under test here: 1 s keeps slow emulation from
# stopping the belt between the sender and the state query.
simctl watchdog 1000

simusb_bg cmd 900000 9000 5000 1 400 10
wait_state belt_setpoint_mm_s 5556 20
st=$(simctl state)
wait $sender
simctl watchdog 20
check "out-of-limit set-points are applied clamped to the limits" \
	eval '[ "$(kv state "$st")" = running ] &&
	      [ "$(kv pressure_setpoint_pa "$st")" = 600000 ] &&
	      [ "$(kv belt_setpoint_mm_s "$st")" = 5556 ] &&
	      [ "$(kv incline_setpoint_centi_pct "$st")" = 1500 ]'
st=$(simctl state)
check "every clamped frame is counted (400 accepted, 400 clamped)" \
	eval '[ "$(kv cmds_accepted "$st")" = 400 ] &&
	      [ "$(kv cmds_clamped "$st")" = 400 ]'
check "once the watchdog has stopped the belt, a fault reset succeeds" \
	eval 'wait_state state idle 30 && simctl reset'
simctl watchdog 1000

# A long sender, stopped once the state has been read. When the
# emulator stalls for longer than the watchdog (seen on a busy host),
# the board rightly stops the belt; then reset and try again, at most
# three times, saying so.
for attempt in 1 2 3; do
	base=$(sget cmds_accepted)
	simusb_bg cmd 100000 2000 0 1 3000 10
	wait_state belt_setpoint_mm_s 2000 20
	sleep 2.5
	st=$(simctl state)
	kill $sender
	wait $sender
	[ "$(kv state "$st")" = running ] && break
	echo "# attempt $attempt: not running ($(kv state "$st"), faults $(kv fault_names "$st")); the emulator stalled past the watchdog?"
	wait_state state idle 30
	simctl reset
done
grep -E '^(state|fault_names|belt_|cmds_|cmd_seq|resets)' <<<"$st" | sed 's/^/# /'
check "RUN commands start the belt: state running, set-points applied" \
	eval '[ "$(kv state "$st")" = running ] &&
	      [ "$(kv pressure_setpoint_pa "$st")" = 100000 ] &&
	      [ "$(kv belt_setpoint_mm_s "$st")" = 2000 ]'
# The cylinder pressure swings about +-16 kPa with each stride at this
# speed (the gas spring of the plant model), hence the wide band.
check "the model's belt runs at 2000 mm/s +-100 ($(kv belt_speed_mm_s "$st")) with 100 kPa +-25 kPa ($(kv support_pressure_pa "$st"))" \
	eval 'in_range "$(kv belt_speed_mm_s "$st")" 1900 2100 &&
	      in_range "$(kv support_pressure_pa "$st")" 75000 125000'
check "every frame of the last sender was applied in order, none clamped" \
	eval '[ "$(kv cmd_seq_applied "$st")" = $(( $(kv cmds_accepted "$st") - base )) ] &&
	      [ "$(kv cmds_clamped "$st")" = 400 ]'

# reject HEX ERRNO description: one malformed transfer, counted once
reject() {
	local before after last
	before=$(sget cmds_rejected)
	simusb raw "$1" || return 1
	sleep 0.05
	after=$(sget cmds_rejected)
	last=$(sget last_reject)
	[ "$after" = $((before + ${3:-1})) ] && [ "$last" = "$2" ]
}
f=$(good 1000)
check "a short frame (31 bytes) is rejected (-EMSGSIZE) and counted" \
	reject "${f:0:62}" -90
check "a long frame (33 bytes: a frame and a 1-byte packet) is counted" \
	reject "${f}00" -90
check "a wrong version is rejected (-EPROTO) and counted" \
	reject "$(frame 2 2 32 1001 0 0 0 1 0 0 0)" -71
check "a wrong type is rejected (-EBADMSG) and counted" \
	reject "$(frame 1 1 32 1002 0 0 0 1 0 0 0)" -74
check "a wrong length field is rejected (-EBADMSG) and counted" \
	reject "$(frame 1 2 31 1003 0 0 0 1 0 0 0)" -74
check "unknown flags and RUN|STOP together are rejected (-EINVAL)" \
	eval 'reject "$(frame 1 2 32 1004 0 0 0 4 0 0 0)" -22 &&
	      reject "$(frame 1 2 32 1005 0 0 0 3 0 0 0)" -22'
check "nonzero reserved words are rejected (-EINVAL) and counted" \
	reject "$(frame 1 2 32 1006 0 0 0 1 0 0 7)" -22
check "a negative belt speed is rejected (-ERANGE) and counted" \
	reject "$(frame 1 2 32 1007 0 -500 0 1 0 0 0)" -34

before=$(sget cmds_rejected)
simusb garbage 300 12345
sleep 0.1
after=$(sget cmds_rejected)
check "300 garbage transfers: lever-simd alive, rejects counted ($before -> $after)" \
	eval 'simctl ping && kill -0 $SIMD_PID && [ "$after" -gt $((before + 100)) ]'
simd_finish
