#!/bin/sh
# SPDX-License-Identifier: MIT
# test_export_valgrind: the export tests (model, encoders, atomic writes,
# steps) under valgrind's memcheck: no leak, no invalid access, and their
# own tests pass; one TAP line each. Run from the top of the source tree.
BUILD=${BUILD:-build}
exec tests/unit/lib/valgrind.sh "$BUILD/tests/unit/export/test_export" \
	"$BUILD/tests/unit/export/test_sess_steps"
