# SPDX-License-Identifier: MIT
# make check-install-boot: the packages of make deb installed with apt on
# a booted Debian 12 (tests/install-boot/run, Documentation/testing.rst);
# ARCH=arm64 does the same for arm64 under qemu-system-aarch64. The image
# is built once into $(LEVER_IMAGE_CACHE) (mkimage; outside the clone, see
# LEVER_CACHE in the Makefile) outside the test's time limit; each run
# installs into a throw-away overlay of it.
# lever-simd and lever-simctl, the simulated board, are in no package:
# the run copies them from $(BUILD) into the guest.

INSTALL_BOOT_ARCH := $(if $(DEB_ARCH),$(DEB_ARCH),$(shell dpkg --print-architecture 2>/dev/null))
# seconds the guest may take (the run) and tap-run's limit around it
INSTALL_BOOT_TIMEOUT ?= 1800
LEVER_IMAGE_CACHE ?= $(LEVER_CACHE)/install-boot
export LEVER_IMAGE_CACHE

# In make check-long (and so in CI): the host's architecture and, on an
# amd64 host, arm64 too. On a quiet 2-CPU host with the images cached,
# about 4 and 5 minutes with make deb; building an image the first time
# takes 1 (amd64) and 6 (arm64) minutes more on a quiet host, 21 and 59
# beside heavy work.
CHECK_LONG_TARGETS += check-install-boot
ifeq ($(INSTALL_BOOT_ARCH),amd64)
CHECK_LONG_TARGETS += check-install-boot-arm64
endif

.PHONY: check-install-boot check-install-boot-arm64
check-install-boot-arm64:
	@$(MAKE) --no-print-directory check-install-boot ARCH=arm64

check-install-boot:
	@scripts/deps install-boot
	@$(MAKE) --no-print-directory deb
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/lever-simd $(BUILD)/lever-simctl
	@tests/install-boot/mkimage $(INSTALL_BOOT_ARCH) $(LEVER_IMAGE_CACHE) >/dev/null
	@rm -rf $(BUILD)/test-logs-boot; mkdir -p $(BUILD)/test-logs-boot
	@BUILD=$(BUILD) LEVER_TEST_LOGS=$(BUILD)/test-logs-boot \
		LEVER_BOOT_TIMEOUT=$(INSTALL_BOOT_TIMEOUT) \
		LEVER_TEST_TIMEOUT=$$(($(INSTALL_BOOT_TIMEOUT) + 60)) \
		tests/tap-run boot-$(INSTALL_BOOT_ARCH) tests/install-boot/run $(INSTALL_BOOT_ARCH); \
	rc=$$?; tests/tap-summary $(BUILD)/test-logs-boot && exit $$rc
