#!/bin/sh
# SPDX-License-Identifier: MIT
# An installed liblever works for a user's build: `make install-liblever`
# into a scratch DESTDIR, then the example program built with nothing but
# `pkg-config liblever`, against the shared and the static library, and
# run on the simulated board.
CC=${CC:-cc}
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
cflags=$(pkg-config --cflags liblever) && libs=$(pkg-config --libs liblever)
if $CC -std=c99 -D_POSIX_C_SOURCE=200809L $cflags \
	-o "$tmp/ex" lib/examples/lever-example.c $libs 2> "$tmp/log"; then
	echo "ok 2 - the example builds with pkg-config --cflags --libs liblever"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 2 - the example builds with pkg-config --cflags --libs liblever"
fi
if LD_LIBRARY_PATH="$tmp/usr/local/lib" "$tmp/ex" sim:speed=1,seed=2 \
	> "$tmp/log" 2>&1 &&
   grep -q 'board SIM0001 on sim:' "$tmp/log"; then
	echo "ok 3 - the dynamically linked example runs on sim:"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 3 - the dynamically linked example runs on sim:"
fi
# liblever.a itself, its dependencies shared (Debian has no static libudev
# for libusb's own static link)
slibs="$(pkg-config --libs libusb-1.0 libgpiod libevdev) -lm"
ldir=$(pkg-config --libs-only-L liblever)
if $CC -std=c99 -D_POSIX_C_SOURCE=200809L $cflags -static-libgcc \
	-o "$tmp/ex-static" lib/examples/lever-example.c \
	$ldir -Wl,-Bstatic -llever -Wl,-Bdynamic $slibs 2> "$tmp/log" &&
   ! ldd "$tmp/ex-static" | grep -q liblever &&
   "$tmp/ex-static" sim:speed=1,seed=2 > "$tmp/log" 2>&1; then
	echo "ok 4 - the example links liblever.a (dependencies shared) and runs"
else
	sed 's/^/# /' "$tmp/log"
	echo "not ok 4 - the example links liblever.a (dependencies shared) and runs"
fi
