#!/bin/bash
# SPDX-License-Identifier: MIT
# The smallest VM test: lever.ko is loaded by the runner, shows up in
# sysfs, and unloads cleanly.
echo "1..3"
if [ -d /sys/module/lever ]; then
	echo "ok 1 - lever.ko is loaded (/sys/module/lever exists)"
else
	echo "not ok 1 - lever.ko is loaded (/sys/module/lever missing)"
fi
if rmmod lever; then
	echo "ok 2 - rmmod lever succeeds"
else
	echo "not ok 2 - rmmod lever succeeds"
fi
if [ ! -d /sys/module/lever ]; then
	echo "ok 3 - /sys/module/lever is gone after unload"
else
	echo "not ok 3 - /sys/module/lever is gone after unload"
fi
