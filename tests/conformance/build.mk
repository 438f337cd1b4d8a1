# SPDX-License-Identifier: MIT
# tests/conformance/: one suite of the device behaviour leverd relies on,
# on sim: here (make check-unit) and on /dev/lever0 in the VM (case 35),
# linked to the shared library as a user's program would be.

LEVER_CONFORMANCE := $(BUILD)/tests/conformance/lever-conformance

$(LEVER_CONFORMANCE): $(BUILD)/obj/tests/conformance/conformance.o \
		$(BUILD)/liblever.so
	@mkdir -p $(@D)
	$(CC) -o $@ $< -L$(BUILD) -Wl,-rpath,'$$ORIGIN/../..' -llever

ALL_TARGETS += $(LEVER_CONFORMANCE)
UNIT_TESTS  += $(LEVER_CONFORMANCE)
