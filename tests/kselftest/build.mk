# SPDX-License-Identifier: GPL-2.0
# lever.ko's tests: the host unit test of the safety gate
# (tests/unit/gate/, driver/lever_gate.c built for userspace) and the
# kselftest suite of the driver's ABI, run inside the VM.

GATE_UNIT_TEST := $(BUILD)/tests/unit/gate/test_gate

$(BUILD)/obj/driver/lever_gate.o: EXTRA_CFLAGS += -Idriver

# Built from source with ASan and UBSan (the gate does integer arithmetic
# on times and rates), apart from the shared object liblever links.
$(GATE_UNIT_TEST): tests/unit/gate/test_gate.c driver/lever_gate.c \
		driver/lever_gate.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Idriver $(call PKG_CFLAGS,cmocka) \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ tests/unit/gate/test_gate.c \
		driver/lever_gate.c $(call PKG_LIBS,cmocka)

ALL_TARGETS += $(GATE_UNIT_TEST)
UNIT_TESTS  += $(GATE_UNIT_TEST)

# kselftest suite: kselftest_harness.h comes from Debian's linux-source
# (make ksrc); the harness needs looser warnings than the project's.
LEVER_KSELFTEST := $(BUILD)/kselftest/lever_test

$(LEVER_KSELFTEST): tests/kselftest/lever_test.c include/uapi/linux/lever.h \
		include/lever_wire.h $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Werror -O2 -g -D_GNU_SOURCE -Iinclude \
		-Iinclude/uapi -I$(KSRC)/tools/testing/selftests \
		-o $@ $< -lpthread

ALL_TARGETS += $(LEVER_KSELFTEST)

# A malformed board as a FunctionFS gadget, for the probe-rejection case.
LEVER_BADBOARD := $(BUILD)/kselftest/lever_badboard

$(LEVER_BADBOARD): tests/kselftest/lever_badboard.c include/lever_wire.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -O2 -g \
		-D_GNU_SOURCE -Iinclude -o $@ $< -lpthread

ALL_TARGETS += $(LEVER_BADBOARD)

# Tries ARM behind such a board (VM case 33).
LEVER_ARMCHECK := $(BUILD)/kselftest/lever_armcheck

$(LEVER_ARMCHECK): tests/kselftest/lever_armcheck.c include/uapi/linux/lever.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
		-Iinclude/uapi -o $@ $<

ALL_TARGETS += $(LEVER_ARMCHECK)

# A system sleep while armed (VM case 34).
LEVER_SUSPEND_TEST := $(BUILD)/kselftest/lever_suspend_test

$(LEVER_SUSPEND_TEST): tests/kselftest/lever_suspend_test.c \
		include/uapi/linux/lever.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
		-Iinclude/uapi -o $@ $<

ALL_TARGETS += $(LEVER_SUSPEND_TEST)

# The same suite as a 32-bit program: every ioctl through compat_ptr_ioctl
# and the 32-bit layout of the structs (needs gcc-12-multilib,
# scripts/deps.d/driver.list). x86's <asm/*.h> serve both widths; -m32
# does not search their multiarch directory, and gcc-multilib's
# /usr/include/asm link to it conflicts with the arm64 cross compiler, so
# the directory is named here, searched last. An x86-64 host's test only.
LEVER_KSELFTEST32 := $(BUILD)/kselftest/lever_test32

$(LEVER_KSELFTEST32): tests/kselftest/lever_test.c include/uapi/linux/lever.h \
		include/lever_wire.h $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) -m32 -std=gnu11 -Wall -Werror -O2 -g -D_GNU_SOURCE -Iinclude \
		-Iinclude/uapi -I$(KSRC)/tools/testing/selftests \
		-idirafter /usr/include/x86_64-linux-gnu \
		-o $@ $< -lpthread

ifeq ($(CROSS_COMPILE),)
ifneq ($(wildcard /usr/lib/gcc/x86_64-linux-gnu/*/32/crtbegin.o),)
ALL_TARGETS += $(LEVER_KSELFTEST32)
endif
endif

# Random ioctl()s from several threads while the board comes and goes
# (make check-debug, tests/vm/debug/).
LEVER_IOCTL_STORM := $(BUILD)/kselftest/lever_ioctl_storm

$(LEVER_IOCTL_STORM): tests/kselftest/lever_ioctl_storm.c \
		include/uapi/linux/lever.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
		-Iinclude/uapi -o $@ $< -lpthread

ALL_TARGETS += $(LEVER_IOCTL_STORM)
