# SPDX-License-Identifier: MIT
#
# LEVER: one Makefile for the kernel module (through Kbuild) and all of
# userspace. Each part of the tree adds its own rules in a `build.mk`
# fragment (see Documentation/testing.rst, "Adding to the build"); this
# file only holds what they share.

BUILD     ?= build
KVER      ?= $(shell scripts/kver)
KDIR      ?= /lib/modules/$(KVER)/build
KSRC      := $(BUILD)/ksrc

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
VM_CASES    :=
BENCH_CMDS  :=
CLEAN_FILES :=

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

include $(sort $(wildcard */build.mk */*/build.mk))

userspace: $(ALL_TARGETS)

check: deps
	@$(MAKE) --no-print-directory all
	@rm -rf $(BUILD)/test-logs; mkdir -p $(BUILD)/test-logs
	@$(MAKE) --no-print-directory -k check-unit check-vm; \
	tests/tap-summary $(BUILD)/test-logs

check-unit: userspace
	@mkdir -p $(BUILD)/test-logs
	@rc=0; for t in $(UNIT_TESTS); do \
		tests/tap-run unit $$t || rc=1; \
	done; exit $$rc

check-vm: all
	@mkdir -p $(BUILD)/test-logs
	@rc=0; for c in $(sort $(VM_CASES)); do \
		tests/tap-run vm tests/vm/run $$c || rc=1; \
	done; exit $$rc

check-style: ksrc
	$(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
		-f driver/*.c driver/*.h include/uapi/linux/*.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@for b in $(BENCH_CMDS); do $$b || exit 1; done

clean: module-clean
	rm -rf $(BUILD) $(CLEAN_FILES)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
