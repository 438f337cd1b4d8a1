#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/unit/lib/valgrind.sh PROGRAM...: runs each liblever test program
# under valgrind's memcheck and reports one TAP line per program: no leak,
# no invalid access, and the program's own tests pass. Without arguments
# it takes every liblever test program in build/ (make check-unit runs it
# so); `make check-lib-valgrind` passes them explicitly.
if [ $# -eq 0 ]; then
	b=${BUILD:-build}/tests/unit/lib
	set -- "$b"/test_* "$b"/lever-scenario
fi
echo "1..$#"
n=0
rc=0
for t in "$@"; do
	n=$((n + 1))
	log=$(mktemp)
	if CMOCKA_MESSAGE_OUTPUT=TAP valgrind -q --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 "$t" > "$log" 2>&1; then
		echo "ok $n - valgrind: $(basename "$t") has no leak or memory error"
	else
		sed 's/^/# /' "$log" | grep -v '^# ok ' | head -40
		echo "not ok $n - valgrind: $(basename "$t") has no leak or memory error"
		rc=1
	fi
	rm -f "$log"
done
exit $rc
