# SPDX-License-Identifier: MIT
# Sourced by the VM cases that need the simulated board (30, 5x, 60, 70,
# and 8x through tests/hil/hil-lib.sh): starts lever-simd on dummy_udc.0
# and waits for what the case needs, and gives leverd the law LEVER_LAW
# names. Never used on the host: it binds a USB gadget.
# shellcheck shell=bash

BUILD=${BUILD:-build}
SIMD_SOCK=/run/lever-simd.sock
SIMD_PID=

simd_start()	# [extra lever-simd args...]
{
	"$BUILD/lever-simd" --udc dummy_udc.0 --control "$SIMD_SOCK" "$@" \
		> /tmp/lever-simd.log 2>&1 &
	SIMD_PID=$!
	trap simd_stop EXIT
	for _ in $(seq 100); do
		"$BUILD/lever-simctl" "$SIMD_SOCK" ping > /dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	echo "# lever-simd did not answer on $SIMD_SOCK:"
	sed 's/^/#   /' /tmp/lever-simd.log
	return 1
}

simd_stop()
{
	[ -n "$SIMD_PID" ] || return 0
	kill "$SIMD_PID" 2> /dev/null
	for _ in $(seq 50); do
		kill -0 "$SIMD_PID" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$SIMD_PID" 2> /dev/null; then
		echo "# lever-simd ignored SIGTERM for 5 s; killing it"
		kill -9 "$SIMD_PID" 2> /dev/null
	fi
	wait "$SIMD_PID" 2> /dev/null
	SIMD_PID=
}

wait_for()	# path [tenths of a second]
{
	for _ in $(seq "${2:-150}"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# simd_start, or a one-test TAP plan saying it failed and the case ends.
simd_start_or_fail()	# [extra lever-simd args...]
{
	simd_start "$@" && return 0
	echo "1..1"
	echo "not ok 1 - lever-simd starts"
	exit 1
}

# simd_start_or_fail, then /dev/lever0 through lever.ko, or the same.
simd_start_dev_or_fail()	# [extra lever-simd args...]
{
	simd_start_or_fail "$@"
	wait_for /dev/lever0 && return 0
	echo "1..1"
	echo "not ok 1 - /dev/lever0 appears after lever-simd starts"
	dmesg | tail -20 | sed 's/^/# /'
	exit 1
}

# The support-force law leverd runs with in the VM: the one LEVER_LAW
# names (make check-vm's environment, Documentation/testing.rst), or
# leverd's default when it is unset. LEVERD_LAW_ARGS is leverd's --law
# flag for it, an empty array for the default: set here, so that every
# script that sources this file (the power-cut guest through hil-lib.sh
# too) gives leverd the same law.
# shellcheck disable=SC2034 # the scripts that source this file use it
if [ -n "${LEVER_LAW:-}" ]; then
	LEVERD_LAW_ARGS=("--law=$LEVER_LAW")
else
	LEVERD_LAW_ARGS=()
fi

# The law, in a TAP comment of the case's output.
leverd_law_note()
{
	echo "# leverd's support-force law: ${LEVER_LAW:-its default}"
}
