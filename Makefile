# SPDX-License-Identifier: MIT
#
# LEVER: one Makefile for the kernel module (through Kbuild) and all of
# userspace. Each part of the tree adds its own rules in a `build.mk`
# fragment (see Documentation/testing.rst, "Adding to the build"); this
# file only holds what they share.

# ARCH=arm64: everything for a Raspberry Pi or another Debian arm64
# machine, cross-built in a build directory of its own (build-arm64/)
# with Debian's crossbuild-essential-arm64 and the :arm64 -dev packages
# (scripts/deps arm64): userspace, the unit tests (make check-arm64 runs
# them under qemu-user), lever.ko against Debian's arm64 headers, and the
# packages (make deb ARCH=arm64). CROSS_COMPILE=TRIPLET- alone names
# another toolchain; CC, AR and PKG_CONFIG follow it unless given.
ARCH      ?=
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
DEB_ARCH  := arm64
BUILD     ?= build-arm64
else ifneq ($(filter-out x86 x86_64,$(ARCH)),)
$(error ARCH=$(ARCH): only ARCH=arm64 is cross-built (or leave ARCH unset))
endif
CROSS_COMPILE ?=
ifneq ($(CROSS_COMPILE),)
ifeq ($(origin CC),default)
CC        := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR        := $(CROSS_COMPILE)ar
endif
# Debian's <triplet>-pkg-config reads that architecture's .pc files only
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
ifneq ($(SAN),)
$(error SAN=$(SAN) with CROSS_COMPILE: the sanitized tests run on the host only)
endif
endif
PKG_CONFIG ?= pkg-config

# SAN=1: userspace and the host tests with ASan and UBSan, SAN=thread:
# with TSan, each in a build directory of its own (tests/san/build.mk).
SAN       ?=
ifeq ($(SAN),1)
BUILD     ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer
else ifeq ($(SAN),thread)
BUILD     ?= build-tsan
# gcc warns that TSan does not model rt.c's seqlock fences: a warning,
# not an error, so the build goes on and TSan says what it sees there.
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan
else ifneq ($(SAN),)
$(error SAN=$(SAN): use SAN=1 (ASan, UBSan) or SAN=thread (TSan))
endif
# in CC itself: every compile and link rule of every fragment takes them
ifneq ($(SAN),)
override CC += $(SAN_FLAGS)
endif
BUILD     ?= build
ifneq ($(DEB_ARCH),)
# Debian's headers of that architecture and of the host's kernel ABI,
# unpacked into the build tree (scripts/kheaders says why not installed)
KVER      ?= $(shell scripts/kver | sed 's/-[^-]*$$/-$(DEB_ARCH)/')
KDIR      ?= $(CURDIR)/$(BUILD)/kheaders/usr/src/linux-headers-$(KVER)
endif
KVER      ?= $(shell scripts/kver)
KDIR      ?= /lib/modules/$(KVER)/build
KSRC      := $(BUILD)/ksrc
NPROC     := $(shell nproc 2>/dev/null || echo 1)
# What takes many minutes to build and depends on nothing in the tree but
# its own recipe (the debug kernel, the booted-install images), each keyed
# by a hash of that recipe: kept outside the clone, so that a fresh clone
# (CI's) finds it and builds it only when its recipe changes. Expanded
# once: an exported recursive variable would run the script again for
# every recipe line.
LEVER_CACHE ?= $(shell scripts/cachedir)
LEVER_CACHE := $(LEVER_CACHE)
export LEVER_CACHE

CC        ?= cc
CFLAGS    ?= -O2 -g
# The control cycle's and the simulation's hot code (each fragment names
# its objects): -O3 vectorises the law's harmonic fit and unrolls the
# plant's substeps, a sixth fewer instructions a running cycle. No
# -ffast-math, so the same IEEE operations in the same order: the
# numbers are -O2's bit for bit (traces, hashes, truth dumps compared).
HOT_CFLAGS ?= -O3
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	     -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS  += -D_GNU_SOURCE -Iinclude
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP
LDLIBS    ?=

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(1))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(1))

# Filled in by the fragments.
ALL_TARGETS :=
UNIT_TESTS  :=
LONG_UNIT_TESTS :=
CHECK_LONG_TARGETS :=
VM_CASES    :=
BENCH_CMDS  :=
CLEAN_FILES :=
INSTALL_TARGETS :=

.PHONY: all module userspace deps check check-unit check-vm check-style \
	demo bench clean ksrc
.DEFAULT_GOAL := all

all: module userspace

deps:
	@scripts/deps

ksrc: $(KSRC)/.extracted
$(KSRC)/.extracted:
	@scripts/ksrc $(KSRC)

ifeq ($(DEB_ARCH),)
module:
	@test -d "$(KDIR)" || { echo "module: no kernel headers at $(KDIR) (run make deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@mkdir -p $(BUILD)
	cp driver/lever.ko $(BUILD)/lever.ko

module-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
else
# Cross-built from a copy of the module's source, as DKMS has it, so that
# the native build's objects in driver/ are never touched; make clean
# removes it with $(BUILD).
KMOD := $(CURDIR)/$(BUILD)/kmod
module:
	@scripts/kheaders $(BUILD)/kheaders $(KVER)
	@mkdir -p $(KMOD)
	cp -Ru Kbuild driver include $(KMOD)/
	$(MAKE) -C $(KDIR) M=$(KMOD) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
		modules
	cp $(KMOD)/driver/lever.ko $(BUILD)/lever.ko

module-clean:
endif

# Generic object rule: build/obj/<path>.o from <path>.c. Fragments add
# per-directory flags with target-specific variables.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

# Where `make install` puts things (Documentation/admin-guide.rst), and so
# where leverd, leverctl and the systemd unit look for them: the one
# source of every installed path. Set here, before the fragments, because
# lib/build.mk installs under them too. The records and the control
# socket do not follow PREFIX: systemd's StateDirectory=lever and
# RuntimeDirectory=lever (udev/leverd.service) are always under /var/lib
# and /run, and a PREFIX=/usr/local install must find the same records.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
SYSCONFDIR  ?= /etc
UDEVDIR     ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
UNITDIR     ?= /usr/lib/systemd/system
LEVER_DATADIR   := $(PREFIX)/share/lever
LEVER_PLANS_DIR := $(LEVER_DATADIR)/plans
LEVER_CONFIG    := $(SYSCONFDIR)/lever/leverd.conf
LEVER_STATE_DIR := /var/lib/lever
LEVER_SOCKET    := /run/lever/leverd.sock

# The same paths for the C code: $(BUILD)/include/lever_paths.h, written
# when make reads this file and rewritten only when a path changes, so
# that `make install PREFIX=/usr` after a plain `make` rebuilds what
# includes it (through -MMD) and nothing else.
LEVER_PATHS_H := $(BUILD)/include/lever_paths.h
CPPFLAGS += -I$(BUILD)/include
define LEVER_PATHS_TEXT
/* SPDX-License-Identifier: MIT */
/* Generated by the Makefile from its install paths: do not edit. */
#ifndef LEVER_PATHS_H
#define LEVER_PATHS_H
#define LEVER_PATH_PLANS_DIR	"$(LEVER_PLANS_DIR)"
#define LEVER_PATH_CONFIG	"$(LEVER_CONFIG)"
#define LEVER_PATH_STATE_DIR	"$(LEVER_STATE_DIR)"
#define LEVER_PATH_SOCKET	"$(LEVER_SOCKET)"
#endif
endef
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(file <$(LEVER_PATHS_H)),$(LEVER_PATHS_TEXT))
$(shell mkdir -p $(BUILD)/include)
$(file >$(LEVER_PATHS_H),$(LEVER_PATHS_TEXT))
endif
endif

# The unit, the sysusers file and the default configuration name the
# same paths (make install, the packages and tests/install/ check them).
LEVER_SUBST := sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@PLANS_DIR@|$(LEVER_PLANS_DIR)|g' \
	-e 's|@CONFIG@|$(LEVER_CONFIG)|g' \
	-e 's|@STATE_DIR@|$(LEVER_STATE_DIR)|g' \
	-e 's|@SOCKET@|$(LEVER_SOCKET)|g'

# The fragments in dependency order: each comes after those whose archives
# it links, so its prerequisite lists can name their variables. A fragment
# missing from this list stops the build rather than being left out.
BUILD_FRAGMENTS := sim/build.mk lib/build.mk \
		   daemon/control/build.mk \
		   daemon/build.mk daemon/plan/build.mk daemon/store/build.mk \
		   daemon/session/build.mk daemon/export/build.mk \
		   daemon/leverctl/build.mk \
		   $(sort $(wildcard tests/*/build.mk))
$(if $(filter-out $(BUILD_FRAGMENTS),$(wildcard */build.mk */*/build.mk)), \
	$(error $(filter-out $(BUILD_FRAGMENTS), \
		$(wildcard */build.mk */*/build.mk)): add to BUILD_FRAGMENTS))
include $(BUILD_FRAGMENTS)

userspace: $(ALL_TARGETS)

ifneq ($(SAN),)
check: deps check-san
else
check: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@rm -rf $(BUILD)/test-logs; mkdir -p $(BUILD)/test-logs
	@$(MAKE) --no-print-directory -k check-unit check-vm; \
	tests/tap-summary $(BUILD)/test-logs
endif

check-unit: userspace
	@mkdir -p $(BUILD)/test-logs
	@rc=0; for t in $(UNIT_TESTS) tests/check-style; do \
		tests/tap-run unit $$t || rc=1; \
	done; exit $$rc

check-vm: all
	@mkdir -p $(BUILD)/test-logs
	@rc=0; for c in $(sort $(VM_CASES)); do \
		tests/tap-run vm tests/vm/run $$c || rc=1; \
	done; exit $$rc

# make check-long: what takes minutes and would push make check past 15:
# the HIL fault matrix (tests/hil/), the 32-bit kselftest run (case 32),
# the host tests fragments put in LONG_UNIT_TESTS, the make targets
# they put in CHECK_LONG_TARGETS (make check-arm64, about 12 minutes),
# each with its own logs and summary line, and the cases of make
# check-debug on the debug kernel (tests/vm/build.mk; its first build
# takes long, then it is cached), then check-long's own summary.
CHECK_LONG_CASES := $(wildcard tests/vm/cases/8*-hil-*.sh) \
		    tests/vm/cases/32-lever-kselftest-compat.sh
VM_CASES := $(filter-out $(CHECK_LONG_CASES),$(VM_CASES))

.PHONY: check-long
check-long: all
	@rm -rf $(BUILD)/test-logs-long; mkdir -p $(BUILD)/test-logs-long
	@rc=0; for t in $(CHECK_LONG_TARGETS); do \
		$(MAKE) --no-print-directory $$t || rc=1; \
	done; \
	for t in $(LONG_UNIT_TESTS); do \
		LEVER_TEST_LOGS=$(BUILD)/test-logs-long tests/tap-run unit $$t; \
	done; \
	for c in $(sort $(CHECK_LONG_CASES)); do \
		LEVER_TEST_LOGS=$(BUILD)/test-logs-long \
		tests/tap-run vm tests/vm/run $$c; \
	done; \
	$(call run-debug-cases,$(BUILD)/test-logs-long); \
	tests/tap-summary $(BUILD)/test-logs-long && exit $$rc

check-style: ksrc
	$(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse --ignore CAMELCASE \
		-f $(filter-out %.mod.c,$(wildcard driver/*.c)) driver/*.h include/uapi/linux/*.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

# The demo needs leverd and leverctl only: no module, kernel headers,
# test VM or root (scripts/deps demo only checks, once they are there).
demo:
	@scripts/deps demo
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/leverd $(BUILD)/leverctl
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@for b in $(BENCH_CMDS); do $$b || exit 1; done

# Installation on the treadmill's computer (Documentation/admin-guide.rst).
# The module is built for the kernel that runs there (scripts/kver) unless
# KVER is given; PREFIX and the other paths are set above the fragments.

.PHONY: install install-module install-system dkms-install
install: install-system $(INSTALL_TARGETS)

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KVER)

install-system: $(BUILD)/leverd $(BUILD)/leverctl
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(LEVER_PLANS_DIR) \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(dir $(LEVER_CONFIG))
	install -m 0755 $(BUILD)/leverctl $(DESTDIR)$(BINDIR)/
	install -m 0755 $(BUILD)/leverd $(DESTDIR)$(SBINDIR)/
	for b in lever-simd lever-simctl; do \
		[ ! -x $(BUILD)/$$b ] || install -m 0755 $(BUILD)/$$b $(DESTDIR)$(BINDIR)/; \
	done
	cp -R plans/. $(DESTDIR)$(LEVER_PLANS_DIR)/
	install -m 0644 udev/60-lever.rules $(DESTDIR)$(UDEVDIR)/
	$(LEVER_SUBST) udev/lever-sysusers.conf \
		>$(DESTDIR)$(SYSUSERSDIR)/lever.conf
	for m in $(wildcard Documentation/man/*.1); do install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done
	for m in $(wildcard Documentation/man/*.8); do install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/; done
	[ ! -f completion/leverctl.bash ] || install -m 0644 completion/leverctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/leverctl
	for u in $(wildcard udev/*.service); do \
		$(LEVER_SUBST) $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done
	# An existing configuration is the clinic's: never overwrite it. The
	# defaults are leverd's own (the same paths), so it sets nothing.
	[ -e $(DESTDIR)$(LEVER_CONFIG) ] || \
		printf '# leverd configuration: leverd --help lists every item.\n' \
		>$(DESTDIR)$(LEVER_CONFIG)

# DKMS keeps lever.ko built for every kernel the Pi or PC updates to.
DKMS_VERSION := 0.1.0
dkms-install:
	install -d $(DESTDIR)/usr/src/lever-$(DKMS_VERSION)
	cp -R Kbuild driver include $(DESTDIR)/usr/src/lever-$(DKMS_VERSION)/
	sed 's/@VERSION@/$(DKMS_VERSION)/' scripts/dkms.conf.in \
		>$(DESTDIR)/usr/src/lever-$(DKMS_VERSION)/dkms.conf
	[ -n "$(DESTDIR)" ] || dkms install lever/$(DKMS_VERSION)

# The Debian packages (debian/, Documentation/admin-guide.rst): built from
# a copy of the tree in $(BUILD)/deb/src, for the host's architecture or
# ARCH's (dpkg-buildpackage -a, with the cross and nocheck build profiles),
# with the five .debs, the .changes and lintian's report left in
# $(BUILD)/deb/. dpkg-buildpackage gets none of this make's variables
# (make exports ARCH=arm64 and MAKEFLAGS carries it: debian/rules' own
# make would build into build-arm64/, not the build/ it installs from),
# only a cross build's CC, which dpkg-architecture checks against -a.
DEB_DIR := $(BUILD)/deb
comma := ,
DEB_CROSS := $(if $(DEB_ARCH),-a$(DEB_ARCH) -Pcross$(comma)nocheck)
.PHONY: deb check-deb
deb:
	@scripts/deps deb
	$(if $(DEB_ARCH),@scripts/deps $(DEB_ARCH))
	rm -rf $(DEB_DIR); mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		grep -zv '^$(BUILD)/' | xargs -0 cp --parents -t $(DEB_DIR)/src
	cd $(DEB_DIR)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u ARCH \
		-u CROSS_COMPILE -u BUILD \
		$(if $(DEB_ARCH),DEB_BUILD_OPTIONS=nocheck CC=$(CC)) \
		dpkg-buildpackage -b -us -uc -j$(NPROC) $(DEB_CROSS)
	lintian --fail-on error $(DEB_DIR)/*.changes | tee $(DEB_DIR)/lintian.txt

# What the packages hold and do, without installing them: a minute or more
# (a whole package build), so not in make check.
check-deb: deb
	tests/deb/check-deb $(DEB_DIR)

clean: module-clean
	rm -rf $(BUILD) $(CLEAN_FILES)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
