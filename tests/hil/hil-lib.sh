# SPDX-License-Identifier: MIT
# Sourced by the HIL fault-matrix VM cases (tests/vm/cases/8x-hil-*.sh):
# starts lever-simd on dummy_udc.0 (tests/unit/lib/vm-simd.sh), writes a
# one-week test plan, and runs tests/hil/hil.py with the cases named; hil.py
# starts leverd on /dev/lever0 and drives it with leverctl. Only in the VM.
# shellcheck shell=bash

. tests/unit/lib/vm-simd.sh

# TCG emulation cannot hold a 1 kHz loop, and a busy host stalls the whole
# guest for 100 ms and more now and then, which a real controller never
# sees: the board at 100 Hz and leverd at its 10 ms period, 50 periods
# (500 ms) before a sample is stale, and both watchdogs (kernel, board) at
# their bound of 1000 ms (as VM case 60). All inside SAFETY.md's bounds;
# the stop bounds in hil.py count these watchdogs in, and the stale and
# watchdog rules at their defaults have their own tests.
HIL_RATE_HZ=100
HIL_PERIOD_US=10000
HIL_KERNEL_WD_MS=1000
HIL_BOARD_WD_MS=1000

# The one-week plan DIR/ID/ of three days, each 30 minutes at 3 km/h and
# 85 % BW carried, whose titles start with TITLE (the power-cut test's
# guest uses it too).
hil_plan()	# DIR ID TITLE
{
	local d
	mkdir -p "$1/$2"
	sed -e 's/^weeks: .*/weeks: 1/' \
		plans/bsi-2nd-metatarsal/plan > "$1/$2/plan"
	for d in 1 2 3; do
		cat > "$1/$2/week1-day$d" <<SESSION
lever-session 1
title: $3, day $d
incline: 0 %
bw: 85 %
ramp: 2 s
warmup   30:00  speed 3.0 km/h
cooldown 0:10  speed 3.0 km/h
SESSION
	done
}

# leverd's arguments for /dev/lever0 under TCG (the settings above),
# with SOCKET, PLANS_DIR and STATE_DIR.
hil_leverd_args()	# SOCKET PLANS_DIR STATE_DIR
{
	echo "--transport=/dev/lever0 --socket=$1" \
		"--period-us=$HIL_PERIOD_US --stale-samples=50 --rt-priority=10" \
		"--kernel-watchdog-ms=$HIL_KERNEL_WD_MS" \
		"--board-watchdog-ms=$HIL_BOARD_WD_MS" \
		"--support-rate-pct-bw-s=5 --plans-dir=$2 --state-dir=$3" \
		"${LEVERD_LAW_ARGS[@]}"
}

hil_run()	# SERIAL CASE...
{
	local serial=$1 tmp rc
	shift
	simd_start_dev_or_fail --serial "$serial" --rate "$HIL_RATE_HZ"
	"$BUILD/lever-simctl" "$SIMD_SOCK" watchdog "$HIL_BOARD_WD_MS" \
		> /dev/null

	tmp=$(mktemp -d /tmp/lever-hil-XXXXXX)
	mkdir -p "$tmp/state"
	hil_plan "$tmp/plans" hil "HIL fault matrix"
	leverd_law_note

	HIL_TMP=$tmp HIL_SIMD_SOCK=$SIMD_SOCK HIL_SOCKET=$tmp/leverd.sock \
	HIL_BW_PCT=85 HIL_SPEED_KM_H=3.0 \
	HIL_KERNEL_WD_MS=$HIL_KERNEL_WD_MS HIL_BOARD_WD_MS=$HIL_BOARD_WD_MS \
	HIL_LEVERD_ARGS=$(hil_leverd_args "$tmp/leverd.sock" "$tmp/plans" \
					  "$tmp/state") \
	BUILD=$BUILD python3 tests/hil/hil.py "$@"
	rc=$?
	sed 's/^/# leverd: /' "$tmp/leverd.err" | tail -40
	rm -rf "$tmp"
	return $rc
}
