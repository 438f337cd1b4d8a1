# SPDX-License-Identifier: MIT
# libFuzzer targets, one per parser of outside input (tests/fuzz/fuzz_*.c),
# built with clang from the product's own sources so that the code under
# test is instrumented too; the source lists come from the fragments that
# build the product (read before this one), so a file that moves is
# followed. `make fuzz` builds them; make check-unit runs each briefly from
# its corpus (tests/fuzz/run-fuzz); `make soak-fuzz` (part of `make soak`)
# runs each to 10^7 inputs.

FUZZ_CC     ?= clang
FUZZ_SANITIZE := address,undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,$(FUZZ_SANITIZE) \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Wall -Werror -Wno-unused-parameter -D_GNU_SOURCE -Iinclude -Iinclude/uapi \
	-I$(BUILD)/include \
	-Idaemon -Idaemon/plan -Idaemon/export -Idaemon/session \
	-Idaemon/store -Ilib -Isim -Idriver -Itests/fuzz

FUZZ_NAMES := plan cfg board usb_sample usb_reply export ctl
FUZZ_BINS  := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

# Everything liblever is made of, with the fake libusb in place of the
# real one for the usb: transport targets (lib/usb.c talks to it as to a
# board that answers whatever the fuzzer says).
FUZZ_LIB_SRCS := $(LIBLEVER_SRCS) driver/lever_gate.c $(LEVERSIM_SRCS)
FUZZ_LIB_LIBS := $(call PKG_LIBS,libgpiod libevdev) -lm
FUZZ_LIB_CFLAGS := $(call PKG_CFLAGS,libusb-1.0 libgpiod libevdev) \
	$(if $(LIBLEVER_GPIOD_MAJOR),-DLEVER_GPIOD_MAJOR=$(LIBLEVER_GPIOD_MAJOR))

# The plan parser, the session logic and the store, whole.
FUZZ_PLAN_ALL := $(wildcard daemon/plan/*.c daemon/session/*.c \
	daemon/store/*.c)

FUZZ_PLAN_SRCS       := daemon/plan/plan.c daemon/plan/plan_lex.c \
			daemon/plan/plan_session.c
FUZZ_SRCS_plan       := $(FUZZ_PLAN_SRCS) daemon/plan/plan_json.c
FUZZ_SRCS_cfg        := daemon/cfg.c
FUZZ_SRCS_board      := $(LEVERSIM_SRCS)
FUZZ_SRCS_usb_sample := tests/fuzz/fake_libusb.c $(FUZZ_LIB_SRCS)
FUZZ_SRCS_usb_reply  := tests/fuzz/fake_libusb.c $(FUZZ_LIB_SRCS)
FUZZ_SRCS_export     := $(LEVEREXPORT_SRCS) $(FUZZ_PLAN_SRCS)
FUZZ_SRCS_ctl        := daemon/dmn.c $(LEVERD_CORE_SRCS) \
	$(LEVERD_CONTROL_SRCS) $(FUZZ_PLAN_ALL) \
	$(FUZZ_LIB_SRCS)

FUZZ_LIBS_plan       := $(call PKG_LIBS,jansson)
FUZZ_LIBS_cfg        := -lm
FUZZ_LIBS_board      := -lm
FUZZ_LIBS_usb_sample := $(FUZZ_LIB_LIBS)
FUZZ_LIBS_usb_reply  := $(FUZZ_LIB_LIBS)
FUZZ_LIBS_export     := $(call PKG_LIBS,libxml-2.0) -lm
FUZZ_LIBS_ctl        := $(FUZZ_LIB_LIBS) $(call PKG_LIBS,libusb-1.0) \
	$(call PKG_LIBS,jansson sqlite3) -lpthread

$(BUILD)/fuzz/fuzz_usb_sample $(BUILD)/fuzz/fuzz_usb_reply \
$(BUILD)/fuzz/fuzz_ctl: FUZZ_EXTRA := $(FUZZ_LIB_CFLAGS) \
	$(call PKG_CFLAGS,jansson sqlite3)
$(BUILD)/fuzz/fuzz_export: FUZZ_EXTRA := $(call PKG_CFLAGS,libxml-2.0)

# The plant, the board model and the control loop that fuzz_board and
# fuzz_ctl run between the input's operations are not where those targets'
# input is parsed: input reaches them only as physical quantities, which
# no compare against a constant unlocks. libFuzzer's compare tracing
# (-fsanitize-coverage=trace-cmp) of them took 45 % of fuzz_board's time
# and 40 % of fuzz_ctl's. They are built without it, as objects of their
# own; ASan, UBSan and the edge counters stay, so a state of the plant or
# the loop that no input reached before still counts as new coverage.
FUZZ_UNTRACED_board := sim/plant.c
FUZZ_UNTRACED_ctl   := sim/plant.c sim/board.c lib/sim.c lib/dev.c \
	driver/lever_gate.c $(LEVERD_CONTROL_SRCS)

FUZZ_OBJ_CFLAGS := $(filter-out -fsanitize=fuzzer%,$(FUZZ_CFLAGS)) \
	-fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE) \
	-fno-sanitize-coverage=trace-cmp -MMD -MP \
	$(FUZZ_LIB_CFLAGS) $(call PKG_CFLAGS,jansson sqlite3)
$(BUILD)/fuzz/obj/%.o: %.c tests/fuzz/build.mk $(LEVER_PATHS_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -c -o $@ $<
-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

define FUZZ_RULE
FUZZ_OBJS_$(1) := $(FUZZ_UNTRACED_$(1):%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_TRACED_$(1) := $(filter-out $(FUZZ_UNTRACED_$(1)),$(FUZZ_SRCS_$(1)))
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_TRACED_$(1)) \
		$$(FUZZ_OBJS_$(1)) tests/fuzz/build.mk \
		$(wildcard tests/fuzz/*.h) $(LEVER_PATHS_H)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_EXTRA) -o $$@ $$< \
		$$(FUZZ_TRACED_$(1)) $$(FUZZ_OBJS_$(1)) $(FUZZ_LIBS_$(1))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(n))))

# make check: every target briefly, one TAP line each.
$(BUILD)/tests/fuzz/test_fuzz: tests/fuzz/run-fuzz $(FUZZ_BINS)
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

.PHONY: fuzz soak-fuzz
fuzz: $(FUZZ_BINS)

# By hand (make soak): 10^7 inputs each, the count per target printed.
# A campaign: the ledger and the corpora are kept in the cache directory
# (scripts/cachedir), so that runs of the same build add up, in this
# clone or a later one, until each target has had its 10^7 (run-fuzz
# says how). FUZZ_SOAK_SECONDS=S ends each target's run after S s;
# FUZZ_SOAK_NAMES picks targets.
FUZZ_SOAK_RUNS ?= 10000000
FUZZ_SOAK_SECONDS ?=
FUZZ_SOAK_NAMES ?= $(FUZZ_NAMES)
soak-fuzz: $(FUZZ_BINS)
	LEVER_FUZZ_RUNS=$(FUZZ_SOAK_RUNS) LEVER_FUZZ_JOBS=$(NPROC) \
		LEVER_FUZZ_LEDGER=$(LEVER_CACHE)/fuzz/ledger \
		LEVER_FUZZ_CORPUS=$(LEVER_CACHE)/fuzz/corpus \
		LEVER_FUZZ_SECONDS=$(FUZZ_SOAK_SECONDS) \
		LEVER_FUZZ_BIN=$(BUILD)/fuzz \
		tests/fuzz/run-fuzz $(FUZZ_SOAK_NAMES)
soak: soak-fuzz

# Where each target's build stands in the ledger; runs nothing.
.PHONY: soak-fuzz-report
soak-fuzz-report: $(FUZZ_BINS)
	LEVER_FUZZ_REPORT=1 LEVER_FUZZ_RUNS=$(FUZZ_SOAK_RUNS) \
		LEVER_FUZZ_LEDGER=$(LEVER_CACHE)/fuzz/ledger \
		LEVER_FUZZ_BIN=$(BUILD)/fuzz \
		tests/fuzz/run-fuzz $(FUZZ_SOAK_NAMES)

# Not in a cross build (make ARCH=arm64): FUZZ_CC is the host's clang,
# and libFuzzer's ASan cannot map its shadow memory under qemu-user. The
# parsers are the same C on every architecture; make check fuzzes them.
ifeq ($(CROSS_COMPILE),)
ALL_TARGETS += $(FUZZ_BINS) $(BUILD)/tests/fuzz/test_fuzz
UNIT_TESTS  += $(BUILD)/tests/fuzz/test_fuzz
endif
