# SPDX-License-Identifier: MIT
# libleverplan.a: the one plan parser (plan_) and its JSON view
# (plan_json_), linked by leverd's session logic and by leverctl, so both
# read plans exactly alike; plus its cmocka tests (tests/unit/plan/). Link
# users with $(LEVERPLAN_LIBS).

LEVERPLAN_SRCS := $(wildcard daemon/plan/*.c)
LEVERPLAN_OBJS := $(LEVERPLAN_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERPLAN      := $(BUILD)/libleverplan.a
LEVERPLAN_LIBS := $(call PKG_LIBS,jansson) -lm

$(BUILD)/obj/daemon/plan/%.o: EXTRA_CFLAGS += -Idaemon/plan \
	$(call PKG_CFLAGS,jansson)

$(LEVERPLAN): $(LEVERPLAN_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# Tests: tests/unit/plan/test_*.c, one program each.
LEVERPLAN_TEST_SRCS := $(wildcard tests/unit/plan/test_*.c)
LEVERPLAN_TESTS := $(LEVERPLAN_TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/obj/tests/unit/plan/%.o: EXTRA_CFLAGS += -Idaemon/plan \
	$(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,jansson) \
	-DLEVER_SRCDIR='"$(CURDIR)"'

$(LEVERPLAN_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LEVERPLAN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVERPLAN_LIBS)

ALL_TARGETS += $(LEVERPLAN) $(LEVERPLAN_TESTS)
UNIT_TESTS  += $(LEVERPLAN_TESTS)
