#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The 32-bit build of lever.ko's kselftest suite (compat ioctls) against
# lever-simd on dummy_hcd, run the same way as case 30.
LEVER_KSELFTEST=lever_test32 exec "$(dirname "$0")/30-lever-kselftest.sh"
