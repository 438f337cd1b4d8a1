# SPDX-License-Identifier: GPL-2.0
# The kselftests of lever.ko's lever-safety gpiochip and LEVER console
# input device (tests/kselftest/lever_{gpio,input}_test.c). They run in the
# VM against the simulated board (tests/vm/cases/57-gpio-kselftest.sh and
# 58-input-kselftest.sh), so `make all` builds them but they are not host
# unit tests. The harness defines its fixture functions without
# prototypes.

GPIOINPUT_KSELFTESTS := $(BUILD)/tests/kselftest/lever_gpio_test \
			$(BUILD)/tests/kselftest/lever_input_test

$(BUILD)/obj/tests/kselftest/lever_gpio_test.o \
$(BUILD)/obj/tests/kselftest/lever_input_test.o: \
		EXTRA_CFLAGS += -I$(KSRC)/tools/testing/selftests -Itests/kselftest \
		-Wno-missing-prototypes
$(BUILD)/obj/tests/kselftest/lever_gpio_test.o: \
		EXTRA_CFLAGS += $(call PKG_CFLAGS,libgpiod)
$(BUILD)/obj/tests/kselftest/lever_input_test.o: \
		EXTRA_CFLAGS += $(call PKG_CFLAGS,libevdev)
$(BUILD)/obj/tests/kselftest/lever_gpio_test.o \
$(BUILD)/obj/tests/kselftest/lever_input_test.o: | $(KSRC)/.extracted

$(BUILD)/tests/kselftest/lever_gpio_test: \
		$(BUILD)/obj/tests/kselftest/lever_gpio_test.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libgpiod)

$(BUILD)/tests/kselftest/lever_input_test: \
		$(BUILD)/obj/tests/kselftest/lever_input_test.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libevdev)

ALL_TARGETS += $(GPIOINPUT_KSELFTESTS)
