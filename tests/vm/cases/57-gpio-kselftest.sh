#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest of lever.ko's lever-safety gpiochip through libgpiod
# (tests/kselftest/lever_gpio_test.c) against lever-simd through dummy_hcd.
trap 'tests/gpioinput/stim-simd stop' EXIT
build/tests/kselftest/lever_gpio_test
