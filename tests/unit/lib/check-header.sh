#!/bin/sh
# SPDX-License-Identifier: MIT
# The public header of liblever compiles on its own as strict C99 (and as
# C11 and C++), so any user's build can include it first.
CC=${CC:-cc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '#include <lever/lever.h>\nint main(void) { return 0; }\n' > "$tmp/t.c"
echo "1..3"
n=0
for std in c99 c11; do
	n=$((n + 1))
	if $CC -std=$std -pedantic -Wall -Wextra -Werror -Iinclude \
		-c "$tmp/t.c" -o "$tmp/t.o" 2> "$tmp/err"; then
		echo "ok $n - include/lever/lever.h compiles alone with -std=$std -pedantic -Werror"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok $n - include/lever/lever.h compiles alone with -std=$std -pedantic -Werror"
	fi
done
cp "$tmp/t.c" "$tmp/t.cc"
if ${CXX:-c++} -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude \
	-c "$tmp/t.cc" -o "$tmp/t.o" 2> "$tmp/err"; then
	echo "ok 3 - include/lever/lever.h compiles alone as C++11"
else
	sed 's/^/# /' "$tmp/err"
	echo "not ok 3 - include/lever/lever.h compiles alone as C++11"
fi
