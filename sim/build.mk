# SPDX-License-Identifier: MIT
# sim/: the plant model and board firmware model (libleversim.a, no clock,
# no I/O, -fPIC so liblever can take it into a shared library), lever-simd
# (the board as a FunctionFS gadget), lever-simctl, and their tests.

LEVERSIM_SRCS := sim/plant.c sim/board.c
LEVERSIM_OBJS := $(LEVERSIM_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERSIM      := $(BUILD)/libleversim.a

$(BUILD)/obj/sim/%.o: EXTRA_CFLAGS += -Isim -fPIC
$(LEVERSIM_OBJS): EXTRA_CFLAGS += $(HOT_CFLAGS)
$(BUILD)/obj/tests/unit/sim/%.o: EXTRA_CFLAGS += -Isim \
	$(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,libusb-1.0)

$(LEVERSIM): $(LEVERSIM_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

ALL_TARGETS += $(LEVERSIM)

SIM_UNIT_NAMES := plant board
SIM_UNIT_TESTS := $(SIM_UNIT_NAMES:%=$(BUILD)/tests/unit/sim/test_%)

$(BUILD)/tests/unit/sim/test_%: $(BUILD)/obj/tests/unit/sim/test_%.o \
		$(LEVERSIM)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) -lm

ALL_TARGETS += $(SIM_UNIT_TESTS)
UNIT_TESTS  += $(SIM_UNIT_TESTS)

# lever-simd and lever-simctl
$(BUILD)/lever-simd: $(BUILD)/obj/sim/simd.o $(BUILD)/obj/sim/gadget.o \
		$(LEVERSIM)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lm -lpthread

$(BUILD)/lever-simctl: $(BUILD)/obj/sim/simctl.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^

ALL_TARGETS += $(BUILD)/lever-simd $(BUILD)/lever-simctl

# lever-simusb: libusb client of the board for the VM tests
$(BUILD)/obj/sim/simusb.o: EXTRA_CFLAGS += $(call PKG_CFLAGS,libusb-1.0)
$(BUILD)/lever-simusb: $(BUILD)/obj/sim/simusb.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libusb-1.0)

ALL_TARGETS += $(BUILD)/lever-simusb

# lever-simbench: speed of the model (make bench)
$(BUILD)/lever-simbench: $(BUILD)/obj/sim/bench.o $(LEVERSIM)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lm

ALL_TARGETS += $(BUILD)/lever-simbench
BENCH_CMDS  += $(BUILD)/lever-simbench
