# SPDX-License-Identifier: MIT
# libleversession.a: the session sequencer (seq_) and the operator's
# session logic inside leverd (sess_: commands, athletes, next session,
# recording, export reads); plus their cmocka tests (tests/unit/session/).
# Needs libleverstore.a and libleverplan.a after it on a link line; link
# users with $(LEVERSESSION_LIBS).

LEVERSESSION_SRCS := $(wildcard daemon/session/*.c)
LEVERSESSION_OBJS := $(LEVERSESSION_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERSESSION      := $(BUILD)/libleversession.a
LEVERSESSION_LIBS := $(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm

$(BUILD)/obj/daemon/session/%.o: EXTRA_CFLAGS += -Idaemon/session \
	-Idaemon/plan -Idaemon/store $(call PKG_CFLAGS,jansson)

$(LEVERSESSION): $(LEVERSESSION_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# Tests: tests/unit/session/test_*.c, one program each.
LEVERSESSION_TEST_SRCS := $(wildcard tests/unit/session/test_*.c)
LEVERSESSION_TESTS := $(LEVERSESSION_TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/obj/tests/unit/session/%.o: EXTRA_CFLAGS += -Idaemon/session \
	-Idaemon/plan -Idaemon/store $(call PKG_CFLAGS,cmocka) \
	$(call PKG_CFLAGS,jansson) -DLEVER_SRCDIR='"$(CURDIR)"'

$(LEVERSESSION_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.o \
		$(LEVERSESSION) $(LEVERSTORE) $(LEVERPLAN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVERSESSION_LIBS)

ALL_TARGETS += $(LEVERSESSION) $(LEVERSESSION_TESTS)
UNIT_TESTS  += $(LEVERSESSION_TESTS)
