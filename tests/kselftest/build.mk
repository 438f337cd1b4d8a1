# SPDX-License-Identifier: GPL-2.0
# lever.ko's tests: the host unit test of the safety gate
# (tests/unit/gate/, driver/lever_gate.c built for userspace) and the
# kselftest suite of the driver's ABI, run inside the VM.

GATE_UNIT_TEST := $(BUILD)/tests/unit/gate/test_gate

$(BUILD)/obj/tests/unit/gate/%.o: EXTRA_CFLAGS += -Idriver \
	$(call PKG_CFLAGS,cmocka)
$(BUILD)/obj/driver/lever_gate.o: EXTRA_CFLAGS += -Idriver

$(GATE_UNIT_TEST): $(BUILD)/obj/tests/unit/gate/test_gate.o \
		$(BUILD)/obj/driver/lever_gate.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka)

ALL_TARGETS += $(GATE_UNIT_TEST)
UNIT_TESTS  += $(GATE_UNIT_TEST)
