#!/bin/sh
# SPDX-License-Identifier: MIT
# test_rec_valgrind: the recorder's, the records store's and the session
# logic's tests under valgrind's memcheck (no leak, no invalid access, and
# their own tests pass), one TAP line each, through the same script as
# liblever's tests. Run from the top of the source tree.
BUILD=${BUILD:-build}
exec tests/unit/lib/valgrind.sh "$BUILD/tests/unit/store/test_rec" \
	"$BUILD/tests/unit/store/test_store" "$BUILD/tests/unit/session/test_sess"
