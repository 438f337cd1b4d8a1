#!/bin/bash
# SPDX-License-Identifier: MIT
# liblever's key reader on a uinput pendant: press/release, lookup by
# name, and the SYN_DROPPED resync after the kernel's buffer overflowed.
BUILD=${BUILD:-build}
exec "$BUILD/tests/unit/lib/lever-vm-checks" keys
