# SPDX-License-Identifier: MIT
# Shared by the lever-simd VM cases (tests/vm/cases/1x-simd-*.sh): starts
# and stops lever-simd on dummy_udc.0, reads its state, prints TAP. Runs
# inside the VM only (needs root, configfs, dummy_hcd).
# shellcheck shell=bash

SIM_B=${LEVER_VM_TOP:-$PWD}/build
SIM_SOCK=/run/lever-simd-test.sock
SIM_LOG=/run/lever-simd-test.log
SIMD_PID=
tap_n=0
tap_failed=0

ok()  { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
nok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
# check "description" command...: one TAP line from a command's status
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

simctl() { "$SIM_B/lever-simctl" "$SIM_SOCK" "$@"; }
simusb() { "$SIM_B/lever-simusb" "$@"; }
# simusb_bg ARGS...: lever-simusb in the background, its own pid in
# $sender (not a subshell's, so that `kill $sender` stops the sender)
simusb_bg() {
	"$SIM_B/lever-simusb" "$@" &
	sender=$!
}
# sget KEY: one value of `lever-simctl state`
sget() { simctl state | sed -n "s/^$1=//p"; }
# kv KEY TEXT: one value from key=value TEXT
kv() { printf '%s\n' "$2" | sed -n "s/^$1=//p"; }

# wait_state KEY VALUE SECONDS: polls the state until KEY has VALUE
wait_state() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sget "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# sample_with KEY VALUE...: the first USB sample (of up to 20, 0.1 s
# apart) whose KEYs have these VALUEs, or else the last one read, for the
# caller's check to name. lever-simd applies a simctl command at its next
# board step; on a loaded VM the sample read just after could still be
# an older one (15-simd-console once read the pain button still down).
sample_with() {
	local want=("$@") i k s ok
	for ((i = 0; i < 20; i++)); do
		s=$(simusb sample)
		ok=1
		for ((k = 0; k + 1 < ${#want[@]}; k += 2)); do
			[ "$(kv "${want[k]}" "$s")" = "${want[k + 1]}" ] || ok=0
		done
		[ $ok = 1 ] && break
		sleep 0.1
	done
	printf '%s\n' "$s"
}

# simd_start [lever-simd options]: starts it and waits for the host to
# configure the board. The driver must not hold the interface.
simd_start() {
	local i
	rmmod lever 2>/dev/null
	"$SIM_B/lever-simd" --udc dummy_udc.0 --control "$SIM_SOCK" "$@" \
		2>"$SIM_LOG" &
	SIMD_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$SIM_SOCK" ] && break
		sleep 0.1
	done
	wait_state enabled 1 20
}

simd_stop() {
	[ -n "$SIMD_PID" ] || return 0
	kill -TERM "$SIMD_PID" 2>/dev/null
	wait "$SIMD_PID"
	local rc=$?
	SIMD_PID=
	return $rc
}

simd_finish() {
	simd_stop
	echo "# lever-simd log:"
	sed 's/^/# /' "$SIM_LOG" 2>/dev/null
	exit $tap_failed
}

# in_range VALUE LOW HIGH (decimals allowed)
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }
