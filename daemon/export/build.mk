# SPDX-License-Identifier: MIT
# libleverexport.a: a finished session as FIT, TCX and CSV files (export_),
# linked by leverctl and the export tests. Its only inputs are the store's
# record structs (daemon/store/store.h); link users with $(LEVEREXPORT_LIBS).

LEVEREXPORT_SRCS := $(wildcard daemon/export/*.c)
LEVEREXPORT_OBJS := $(LEVEREXPORT_SRCS:%.c=$(BUILD)/obj/%.o)
LEVEREXPORT      := $(BUILD)/libleverexport.a
LEVEREXPORT_LIBS := $(call PKG_LIBS,libxml-2.0) -lm

$(BUILD)/obj/daemon/export/%.o: EXTRA_CFLAGS += -Idaemon/export -Idaemon/store \
	-Idaemon/plan \
	$(call PKG_CFLAGS,libxml-2.0)

$(LEVEREXPORT): $(LEVEREXPORT_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# Tests: tests/unit/export/test_*.c, one program each, on scratch stores.
LEVEREXPORT_TEST_SRCS := $(wildcard tests/unit/export/test_*.c)
LEVEREXPORT_TESTS := $(LEVEREXPORT_TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/obj/tests/unit/export/%.o: EXTRA_CFLAGS += -Idaemon/export \
	-Idaemon/session -Idaemon/plan -Idaemon/store $(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,libxml-2.0) \
	$(call PKG_CFLAGS,jansson) -DLEVER_SRCDIR='"$(CURDIR)"'


LEVEREXPORT_TEST_OBJS := $(BUILD)/obj/tests/unit/export/sessions.o \
	$(LEVEREXPORT) $(LEVERSESSION) $(LEVERSTORE) $(LEVERPLAN)

$(LEVEREXPORT_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.o \
		$(LEVEREXPORT_TEST_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVEREXPORT_LIBS) \
		$(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm

# The recorded sessions as FIT files with what they should decode to, for
# Garmin's own decoder (tests/unit/export/test_fit_decode.sh).
LEVEREXPORT_FIXTURES := $(BUILD)/tests/unit/export/make-fixtures
$(LEVEREXPORT_FIXTURES): $(BUILD)/obj/tests/unit/export/make-fixtures.o \
		$(LEVEREXPORT_TEST_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LEVEREXPORT_LIBS) $(call PKG_LIBS,jansson) \
		$(call PKG_LIBS,sqlite3) -lm

ALL_TARGETS += $(LEVEREXPORT) $(LEVEREXPORT_TESTS) $(LEVEREXPORT_FIXTURES)
UNIT_TESTS  += $(LEVEREXPORT_TESTS)

# Garmin's decoder over our FIT files (installs @garmin/fitsdk into build/).
$(BUILD)/tests/unit/export/test_fit_decode: tests/unit/export/test_fit_decode.sh \
		$(LEVEREXPORT_FIXTURES)
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/export/test_fit_decode
UNIT_TESTS  += $(BUILD)/tests/unit/export/test_fit_decode

# leverctl export and history against build/leverd on the sim transport.
$(BUILD)/tests/unit/export/test_e2e_export: tests/unit/export/test_e2e_export.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/export/test_e2e_export
UNIT_TESTS  += $(BUILD)/tests/unit/export/test_e2e_export

# valgrind over the export tests (one TAP line each).
UNIT_TESTS  += tests/unit/export/test_export_valgrind.sh

# Every session of the shipped plan as a FIT workout, decoded by Garmin's.
$(BUILD)/tests/unit/export/test_fit_workout: tests/unit/export/test_fit_workout.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/export/test_fit_workout
UNIT_TESTS  += $(BUILD)/tests/unit/export/test_fit_workout
