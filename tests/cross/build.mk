# SPDX-License-Identifier: MIT
# make check-arm64: make check-unit's host tests cross-built for arm64
# (make ARCH=arm64, in build-arm64/) and run under qemu-user
# (tests/cross/run-unit, which lists what it cannot run and why). Long
# randomized tests take a smaller count under emulation, some 25 times
# slower than the host: test_wsim WSIM_SEQUENCES (10000 in make check),
# test_dsim and test_dsim_plant DSIM_RUNS (200). LeakSanitizer cannot stop
# the world under qemu-user, so test_gate runs with ASan and UBSan but
# without its leak check.

CROSS_WSIM_SEQUENCES ?= 400
CROSS_DSIM_RUNS      ?= 20

# Measured on 2 CPUs: 11.5 minutes beside a soak, 25 minutes at a load of
# 10 (some 10 minutes of CPU): in make check-long (and so in CI), not in
# make check.
CHECK_LONG_TARGETS += check-arm64

.PHONY: check-arm64 check-cross-unit
check-arm64:
	@scripts/deps arm64
	@$(MAKE) --no-print-directory ARCH=arm64 -j$(NPROC) userspace
	@$(MAKE) --no-print-directory ARCH=arm64 check-cross-unit

# The same list as check-unit, in the cross build's $(BUILD), with the
# cross tools for the tests that compile a user's program themselves.
check-cross-unit:
	@test -n "$(CROSS_COMPILE)" || { echo "check-cross-unit: for a cross build (make check-arm64)" >&2; exit 2; }
	@BUILD=$(BUILD) CC="$(CC)" CXX="$(CROSS_COMPILE)g++" \
		NM="$(CROSS_COMPILE)nm" PKG_CONFIG="$(PKG_CONFIG)" \
		WSIM_SEQUENCES=$(CROSS_WSIM_SEQUENCES) \
		DSIM_RUNS=$(CROSS_DSIM_RUNS) ASAN_OPTIONS=detect_leaks=0 \
		tests/cross/run-unit $(DEB_ARCH) $(UNIT_TESTS) tests/check-style
