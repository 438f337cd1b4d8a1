#!/bin/sh
# SPDX-License-Identifier: MIT
# liblever.so exports only lever_* symbols (the version script and
# -fvisibility=hidden at work), and every function of the public header.
BUILD=${BUILD:-build}
NM=${NM:-nm}	# the cross build's (make check-arm64)
so=$BUILD/liblever.so
echo "1..3"
if [ ! -e "$so" ]; then
	echo "not ok 1 - $so exists (run make)"
	exit 1
fi
echo "ok 1 - $so exists"
other=$($NM -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' |
	grep -v '^lever_' | grep -v '^LIBLEVER_' )
if [ -z "$other" ]; then
	echo "ok 2 - nm -D shows only lever_ symbols"
else
	echo "$other" | sed 's/^/# not lever_: /'
	echo "not ok 2 - nm -D shows only lever_ symbols"
fi
missing=""
for f in $(grep -o 'LEVER_API [a-z ]*\*\{0,1\}lever_[a-z_]*(' include/lever/lever.h |
	   grep -o 'lever_[a-z_]*'); do
	$NM -D --defined-only "$so" | grep -q " T $f@" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	echo "ok 3 - every LEVER_API function of lever.h is exported"
else
	echo "# missing:$missing"
	echo "not ok 3 - every LEVER_API function of lever.h is exported"
fi
