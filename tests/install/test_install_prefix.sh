#!/bin/bash
# SPDX-License-Identifier: MIT
# test_install_prefix: `make install` with PREFIX=/usr/local (the default)
# and PREFIX=/usr, each built in a build tree of its own and installed
# under a DESTDIR: every path that leverd, leverctl, the systemd unit and
# the sysusers file name is one that make install filled, and the
# PREFIX=/usr tree (made as debian/rules makes it) holds every path the
# packages ship (debian/*.install). Run from the top of the tree (make
# check-long does); prints TAP. Two builds: minutes, not for make check.
set -u
top=$(pwd)
tmp=$(mktemp -d /tmp/lever-test-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# ok (TAP lines), n, fails
. "$top/tests/unit/leverctl/e2e-lib.sh"
# the default leverd --help gives an item: --NAME=TYPE, then its text
leverd_default() {
	awk -v f="  --$2=" 'index($0, f) == 1 { getline; print; exit }' "$1" |
		sed -n "s/.*(default '\\(.*\\)')\$/\\1/p"
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "")

echo "1..16"
for prefix in /usr/local /usr; do
	tag=${prefix//\//-}
	root=$tmp/root$tag
	libdir=$prefix/lib
	[ "$prefix" = /usr ] && [ -n "$ma" ] && libdir=/usr/lib/$ma
	# a make of its own: none of the calling make's flags or variables
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory \
		-j"$(nproc)" BUILD="$tmp/build$tag" PREFIX="$prefix" \
		LIBLEVER_LIBDIR="$libdir" DESTDIR="$root" install dkms-install \
		>"$tmp/make$tag.log" 2>&1
	r=$?
	[ "$r" = 0 ] || tail -n 20 "$tmp/make$tag.log" | sed 's/^/# /'
	ok $r "make install PREFIX=$prefix builds and installs under DESTDIR"

	leverd=$prefix/sbin/leverd
	"$root$leverd" --help >"$tmp/leverd$tag.help" 2>&1
	unit=$root/usr/lib/systemd/system/leverd.service
	[ "$(sed -n 's/^ExecStart=//p' "$unit")" = "$leverd" ] &&
		[ -x "$root$leverd" ]
	ok $? "PREFIX=$prefix: the unit starts the installed $leverd"

	plans=$(leverd_default "$tmp/leverd$tag.help" plans-dir)
	[ "$plans" = "$prefix/share/lever/plans" ] &&
		"$root$prefix/bin/leverctl" --plans-dir "$root$plans" plans \
		>/dev/null 2>&1
	ok $? "PREFIX=$prefix: leverd's plans are the installed ones ($plans)"

	"$root$prefix/bin/leverctl" --help >"$tmp/leverctl$tag.help" 2>&1
	grep -qF -- "--plans-dir $plans (or" "$tmp/leverctl$tag.help"
	ok $? "PREFIX=$prefix: leverctl looks for the plans where leverd does"

	sock=$(leverd_default "$tmp/leverd$tag.help" socket)
	rundir=$(sed -n 's/^RuntimeDirectory=//p' "$unit")
	[ "${sock%/*}" = "/run/$rundir" ] &&
		grep -qF -- "--socket $sock (or" "$tmp/leverctl$tag.help"
	ok $? "PREFIX=$prefix: leverd and leverctl meet on $sock, in the unit's RuntimeDirectory"

	state=$(leverd_default "$tmp/leverd$tag.help" state-dir)
	[ "$state" = "/var/lib/$(sed -n 's/^StateDirectory=//p' "$unit")" ] &&
		grep -q "^u lever - .* $state\$" \
		"$root/usr/lib/sysusers.d/lever.conf"
	ok $? "PREFIX=$prefix: the records ($state) are the unit's StateDirectory and user lever's home"

	conf=$(sed -n "s/^Every item may also be set in \\(.*\\) as .*/\\1/p" \
		"$tmp/leverd$tag.help")
	[ -n "$conf" ] && [ -f "$root$conf" ] &&
		! grep -v '^#' "$root$conf" | grep -q .
	ok $? "PREFIX=$prefix: leverd reads the installed $conf, which overrides nothing"

	if [ "$prefix" = /usr/local ]; then
		[ ! -e "$root/usr/bin" ] && [ ! -e "$root/usr/sbin" ] &&
			[ ! -e "$root/usr/share" ]
		ok $? "PREFIX=/usr/local: no program, plan or page of it lands under /usr"
	fi
done

# The packages are make install with PREFIX=/usr (debian/rules): each
# path a debian/*.install ships is in that tree.
missing=
for f in "$top"/debian/*.install; do
	while read -r pat; do
		[ -n "$pat" ] || continue
		pat=${pat//\$\{DEB_HOST_MULTIARCH\}/$ma}
		# shellcheck disable=SC2086
		compgen -G "$tmp/root-usr/$pat" >/dev/null ||
			missing="$missing $(basename "$f"):$pat"
	done <"$f"
done
[ -z "$missing" ] || echo "# not installed:$missing"
[ -z "$missing" ]
ok $? "PREFIX=/usr installs every path debian/*.install ships"

[ "$n" = 16 ] || { echo "not ok $((n + 1)) - ran $n of 16 tests"; fails=1; }
[ "$fails" = 0 ]
