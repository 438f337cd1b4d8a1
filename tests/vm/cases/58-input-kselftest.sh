#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest of lever.ko's LEVER console input device through libevdev
# (tests/kselftest/lever_input_test.c) against lever-simd through dummy_hcd.
trap 'tests/gpioinput/stim-simd stop' EXIT
build/tests/kselftest/lever_input_test
