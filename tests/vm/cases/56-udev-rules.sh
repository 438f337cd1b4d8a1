#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# udev/60-lever.rules against lever.ko and lever-simd: udevadm test
# applies it to /dev/lever0, and with systemd-udevd running, /dev/lever0,
# the lever-safety gpiochip and the LEVER console event node are group
# lever, mode 0660, /dev/lever/by-serial/<serial> points at /dev/lever0
# and goes with the board, nothing else gets group lever, and a serial
# starting with a dot (so ".." too) gets no link.
stim=tests/gpioinput/stim-simd
serial=UDEV56
export LEVER_STIM_SERIAL=$serial
# The VM is a chroot of the host's filesystem; udev refuses to act in a
# chroot unless told it is meant.
export SYSTEMD_IGNORE_CHROOT=1
udevd_pid=
cleanup()
{
	$stim stop
	[ -n "$udevd_pid" ] && kill "$udevd_pid" 2> /dev/null
}
trap cleanup EXIT
. tests/gpioinput/case-lib.sh
owner_mode() { stat -L -c '%G %a' "$1" 2> /dev/null; }
wait_for()	# test expression words: up to 60 s
{
	local end=$((SECONDS + 60))

	while [ $SECONDS -lt $end ]; do
		test "$@" && return 0
		sleep 0.1
	done
	return 1
}

echo "1..12"
# A group "lever" for the rules to use: /etc is the host's, read-only.
cp /etc/group /tmp/group.lever-udev &&
	echo "lever:x:977:" >> /tmp/group.lever-udev &&
	mount --bind /tmp/group.lever-udev /etc/group
mkdir -p /run/udev/rules.d
cp udev/60-lever.rules /run/udev/rules.d/
/lib/systemd/systemd-udevd > /tmp/udevd.log 2>&1 &
udevd_pid=$!
udevadm control --ping --timeout=30 > /dev/null 2>&1

check "the simulated board is plugged in" $stim plug
udevadm settle --timeout=60

dev=$(readlink -f /sys/class/lever/lever0)
udevadm test "$dev" > /tmp/udevadm-test.log 2>&1
grep '60-lever.rules' /tmp/udevadm-test.log | sed 's/^/#   /'
check "udevadm test applies 60-lever.rules to lever0 (GROUP, MODE, SYMLINK)" \
	bash -c "grep -q '60-lever.rules:[0-9]* GROUP' /tmp/udevadm-test.log &&
		 grep -q '60-lever.rules:[0-9]* MODE 0660' /tmp/udevadm-test.log &&
		 grep -q '60-lever.rules:[0-9]* LINK .lever/by-serial/$serial.' \
			/tmp/udevadm-test.log"

ls -l /dev/lever0 /dev/lever/by-serial/ /dev/gpiochip* 2>&1 | sed 's/^/#   /'
check "/dev/lever0 is group lever, mode 0660" \
	test "$(owner_mode /dev/lever0)" = "lever 660"
check "/dev/lever/by-serial/$serial points at /dev/lever0" \
	test "$(readlink -f /dev/lever/by-serial/$serial)" = /dev/lever0

chip=
for g in /sys/bus/gpio/devices/gpiochip*; do
	[ "$(gpiodetect 2> /dev/null | grep "^${g##*/} " | grep -c lever-safety)" = 1 ] &&
		chip=/dev/${g##*/}
done
check "the lever-safety gpiochip node is group lever, mode 0660" \
	test -n "$chip" -a "$(owner_mode "$chip")" = "lever 660"

event=
for d in /sys/class/input/event*; do
	[ "$(cat "$d/device/name" 2> /dev/null)" = "LEVER console" ] &&
		event=/dev/input/${d##*/}
done
ls -l /dev/input/ | sed 's/^/#   /'
check "the LEVER console event node is group lever, mode 0660" \
	test -n "$event" -a "$(owner_mode "$event")" = "lever 660"
check "the LEVER console is hidden from libinput" \
	bash -c "udevadm info '$event' | grep -q 'E: LIBINPUT_IGNORE_DEVICE=1'"

others=$(find /dev -group lever ! -type l 2> /dev/null |
	grep -v -x -e /dev/lever0 -e "$chip" -e "$event")
[ -n "$others" ] && echo "$others" | sed 's/^/#   also group lever: /'
check "no other device node is group lever" test -z "$others"

$stim unplug
udevadm settle --timeout=60
check "the by-serial link goes with the board" \
	wait_for ! -e "/dev/lever/by-serial/$serial"
$stim plug
udevadm settle --timeout=60
link_ok() { [ "$(readlink -f "/dev/lever/by-serial/$serial")" = /dev/lever0 ]; }
relinked()
{
	local end=$((SECONDS + 60))

	while [ $SECONDS -lt $end ]; do
		link_ok && return 0
		sleep 0.1
	done
	return 1
}
check "the by-serial link comes back with the board" relinked

# A board whose serial starts with a dot: lever.ko accepts it (dots are
# allowed), the rule must not make a link of it, so neither of "." and
# "..". (".x" here: "lever-simd --serial .." would mount on /run.)
$stim stop
udevadm settle --timeout=60
LEVER_STIM_SERIAL=.x $stim plug
udevadm settle --timeout=60
check "a board with serial '.x' still gets /dev/lever0 as group lever" \
	test "$(owner_mode /dev/lever0)" = "lever 660"
links=$(find /dev/lever/by-serial -type l 2> /dev/null)
[ -n "$links" ] && echo "$links" | sed 's/^/#   link: /'
check "a board with serial '.x' gets no by-serial link" test -z "$links"
exit $fail
