# SPDX-License-Identifier: MIT
# libleverplan.a: the plan parser (plan_), the session sequencer (seq_),
# the athlete/session store (store_) and the operator logic (sess_) that
# leverd links, plus their cmocka tests. Link users with
# $(LEVERPLAN_LIBS).

LEVERPLAN_SRCS := $(wildcard daemon/plan/*.c)
LEVERPLAN_OBJS := $(LEVERPLAN_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERPLAN      := $(BUILD)/libleverplan.a
LEVERPLAN_LIBS := $(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm

$(BUILD)/obj/daemon/plan/%.o: EXTRA_CFLAGS += -Idaemon/plan \
	$(call PKG_CFLAGS,jansson) $(call PKG_CFLAGS,sqlite3)

$(LEVERPLAN): $(LEVERPLAN_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Tests: tests/unit/{plan,seq,sess}/test_*.c, one program each.
LEVERPLAN_TEST_SRCS := $(wildcard tests/unit/plan/test_*.c \
	tests/unit/seq/test_*.c tests/unit/sess/test_*.c)
LEVERPLAN_TESTS := $(LEVERPLAN_TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/obj/tests/unit/plan/%.o $(BUILD)/obj/tests/unit/seq/%.o \
$(BUILD)/obj/tests/unit/sess/%.o: EXTRA_CFLAGS += -Idaemon/plan \
	$(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,jansson) \
	-DLEVER_SRCDIR='"$(CURDIR)"'

$(LEVERPLAN_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LEVERPLAN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVERPLAN_LIBS)

ALL_TARGETS += $(LEVERPLAN) $(LEVERPLAN_TESTS)
UNIT_TESTS  += $(LEVERPLAN_TESTS)
