# SPDX-License-Identifier: MIT
# fitsdk.sh: sourced by the tests that decode FIT files with Garmin's
# @garmin/fitsdk. It installs the package from the npm registry into a
# directory of the build (never system-wide) with Debian's node and npm
# (scripts/deps.d/export.list), once, pinned to a major version.
FITSDK_VERSION=${FITSDK_VERSION:-21}

fitsdk_install() {
	local d=$1
	[ -f "$d/node_modules/@garmin/fitsdk/package.json" ] && return 0
	command -v node >/dev/null || { echo "node is not installed (make deps)"; return 1; }
	command -v npm >/dev/null || { echo "npm is not installed (make deps)"; return 1; }
	mkdir -p "$d" && (cd "$d" && [ -f package.json ] || echo '{"private": true}' >package.json) &&
		timeout 300 npm install --prefix "$d" --no-audit --no-fund \
			"@garmin/fitsdk@^$FITSDK_VERSION"
}

# fitsdk_check DIR FILE.fit EXPECT.json: TAP lines from fit-check.mjs
# (copied beside node_modules: ES modules resolve packages from there)
fitsdk_check() {
	cp "$top/tests/unit/export/fit-check.mjs" "$1/fit-check.mjs" &&
		node "$1/fit-check.mjs" "$2" "$3"
}
