#!/bin/sh
# SPDX-License-Identifier: MIT
# An installed liblever works for a user's build: `make install-liblever`
# into a scratch DESTDIR, then the example program and the shared scenario
# built with nothing but `pkg-config liblever`, against the shared and the
# static library; the scenario (deterministic, no real-time pacing) runs
# on the simulated board.
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}	# make check-arm64: the triplet's
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
if make --no-print-directory -s install-liblever DESTDIR="$tmp" \
	LIBLEVER_PREFIX=/usr/local > "$tmp/log" 2>&1; then
	echo "ok 1 - make install-liblever installs into DESTDIR"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 1 - make install-liblever installs into DESTDIR"
	exit 1
fi
export PKG_CONFIG_PATH="$tmp/usr/local/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$tmp"
cflags=$($PKG_CONFIG --cflags liblever) && libs=$($PKG_CONFIG --libs liblever)
if $CC -std=c99 -D_POSIX_C_SOURCE=200809L $cflags \
	-o "$tmp/ex" lib/examples/lever-example.c $libs 2> "$tmp/log"; then
	echo "ok 2 - the example builds with pkg-config --cflags --libs liblever"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 2 - the example builds with pkg-config --cflags --libs liblever"
fi
if $CC -std=c99 $cflags -o "$tmp/sc" tests/unit/lib/scenario.c $libs \
	2> "$tmp/log" &&
   LD_LIBRARY_PATH="$tmp/usr/local/lib" "$tmp/sc" > "$tmp/log" 2>&1; then
	echo "ok 3 - the scenario linked to the installed liblever.so passes on sim:"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 3 - the scenario linked to the installed liblever.so passes on sim:"
fi
# liblever.a itself, its dependencies shared (Debian has no static libudev
# for libusb's own static link)
slibs="$($PKG_CONFIG --libs libusb-1.0 libgpiod libevdev) -lm"
ldir=$($PKG_CONFIG --libs-only-L liblever)
if $CC -std=c99 $cflags -o "$tmp/sc-static" tests/unit/lib/scenario.c \
	$ldir -Wl,-Bstatic -llever -Wl,-Bdynamic $slibs 2> "$tmp/log" &&
   ! readelf -d "$tmp/sc-static" | grep -q 'NEEDED.*liblever' &&
   "$tmp/sc-static" > "$tmp/log" 2>&1; then
	echo "ok 4 - the scenario linked to liblever.a (dependencies shared) passes"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 4 - the scenario linked to liblever.a (dependencies shared) passes"
fi
