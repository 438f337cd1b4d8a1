# SPDX-License-Identifier: MIT
#
# LEVER: one Makefile for the kernel module (through Kbuild) and all of
# userspace. Each part of the tree adds its own rules in a `build.mk`
# fragment (see Documentation/testing.rst, "Adding to the build"); this
# file only holds what they share.

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
KVER      ?= $(shell scripts/kver)
KDIR      ?= /lib/modules/$(KVER)/build
KSRC      := $(BUILD)/ksrc
NPROC     := $(shell nproc 2>/dev/null || echo 1)

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	     -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS  += -D_GNU_SOURCE -Iinclude
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP
LDLIBS    ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(1))
PKG_LIBS   = $(shell pkg-config --libs $(1))

# Filled in by the fragments.
ALL_TARGETS :=
UNIT_TESTS  :=
LONG_UNIT_TESTS :=
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

module:
	@test -d "$(KDIR)" || { echo "module: no kernel headers at $(KDIR) (run make deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@mkdir -p $(BUILD)
	cp driver/lever.ko $(BUILD)/lever.ko

module-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean

# Generic object rule: build/obj/<path>.o from <path>.c. Fragments add
# per-directory flags with target-specific variables.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

# Where `make install` puts things (Documentation/admin-guide.rst); set
# here, before the fragments, because lib/build.mk installs under them too.
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
UDEVDIR     ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
UNITDIR     ?= /usr/lib/systemd/system
LEVER_DATADIR := $(PREFIX)/share/lever

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
# the host tests fragments put in LONG_UNIT_TESTS and the cases of make
# check-debug on the debug kernel (tests/vm/build.mk; its first build
# takes long, then it is cached); their own logs and summary line.
CHECK_LONG_CASES := $(wildcard tests/vm/cases/8*-hil-*.sh) \
		    tests/vm/cases/32-lever-kselftest-compat.sh
VM_CASES := $(filter-out $(CHECK_LONG_CASES),$(VM_CASES))

.PHONY: check-long
check-long: all
	@rm -rf $(BUILD)/test-logs-long; mkdir -p $(BUILD)/test-logs-long
	@for t in $(LONG_UNIT_TESTS); do \
		LEVER_TEST_LOGS=$(BUILD)/test-logs-long tests/tap-run unit $$t; \
	done; \
	for c in $(sort $(CHECK_LONG_CASES)); do \
		LEVER_TEST_LOGS=$(BUILD)/test-logs-long \
		tests/tap-run vm tests/vm/run $$c; \
	done; \
	$(call run-debug-cases,$(BUILD)/test-logs-long); \
	tests/tap-summary $(BUILD)/test-logs-long

check-style: ksrc
	$(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse --ignore CAMELCASE \
		-f $(filter-out %.mod.c,$(wildcard driver/*.c)) driver/*.h include/uapi/linux/*.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@for b in $(BENCH_CMDS); do $$b || exit 1; done

# Installation on the treadmill's computer (Documentation/admin-guide.rst).
# The module is built for the kernel that runs there unless KVER is given;
# PREFIX and the other paths are set above the fragments.

.PHONY: install install-module install-system dkms-install
install: install-system $(INSTALL_TARGETS)

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KVER)

install-system: $(BUILD)/leverd $(BUILD)/leverctl
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(LEVER_DATADIR)/plans \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(SYSCONFDIR)/lever
	install -m 0755 $(BUILD)/leverctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/leverd $(DESTDIR)$(PREFIX)/sbin/
	for b in lever-simd lever-simctl; do \
		[ ! -x $(BUILD)/$$b ] || install -m 0755 $(BUILD)/$$b $(DESTDIR)$(PREFIX)/bin/; \
	done
	cp -R plans/. $(DESTDIR)$(LEVER_DATADIR)/plans/
	install -m 0644 udev/60-lever.rules $(DESTDIR)$(UDEVDIR)/
	install -m 0644 udev/lever-sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/lever.conf
	for m in $(wildcard Documentation/man/*.1); do install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done
	for m in $(wildcard Documentation/man/*.8); do install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/; done
	[ ! -f completion/leverctl.bash ] || install -m 0644 completion/leverctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/leverctl
	for u in $(wildcard udev/*.service); do \
		install -d $(DESTDIR)$(UNITDIR); \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done
	# An existing configuration is the clinic's: never overwrite it.
	[ -e $(DESTDIR)$(SYSCONFDIR)/lever/leverd.conf ] || \
		printf '# leverd configuration: leverd --help lists every item.\nplans_dir = %s\n' \
		$(LEVER_DATADIR)/plans >$(DESTDIR)$(SYSCONFDIR)/lever/leverd.conf

# DKMS keeps lever.ko built for every kernel the Pi or PC updates to.
DKMS_VERSION := 0.1.0
dkms-install:
	install -d $(DESTDIR)/usr/src/lever-$(DKMS_VERSION)
	cp -R Kbuild driver include $(DESTDIR)/usr/src/lever-$(DKMS_VERSION)/
	sed 's/@VERSION@/$(DKMS_VERSION)/' scripts/dkms.conf.in \
		>$(DESTDIR)/usr/src/lever-$(DKMS_VERSION)/dkms.conf
	[ -n "$(DESTDIR)" ] || dkms install lever/$(DKMS_VERSION)

# The Debian packages (debian/, Documentation/admin-guide.rst): built from
# a copy of the tree in $(BUILD)/deb/src, for the host's architecture, with
# the five .debs, the .changes and lintian's report left in $(BUILD)/deb/.
DEB_DIR := $(BUILD)/deb
.PHONY: deb check-deb
deb:
	@scripts/deps deb
	rm -rf $(DEB_DIR); mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		grep -zv '^$(BUILD)/' | xargs -0 cp --parents -t $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -j$(NPROC)
	lintian --fail-on error $(DEB_DIR)/*.changes | tee $(DEB_DIR)/lintian.txt

# What the packages hold and do, without installing them: a minute or more
# (a whole package build), so not in make check.
check-deb: deb
	tests/deb/check-deb $(DEB_DIR)

clean: module-clean
	rm -rf $(BUILD) $(CLEAN_FILES)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
