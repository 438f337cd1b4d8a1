# SPDX-License-Identifier: MIT
# libleverstore.a: the athlete/session records in SQLite (store_) and
# leverd's recorder thread (rec_), which takes the RT side's trace records
# and writes them through its own connection; plus their cmocka tests
# (tests/unit/store/). The recorder links the RT core's ring (put
# $(LEVERD_CORE) after this archive). Link users with $(LEVERSTORE_LIBS).

LEVERSTORE_SRCS := $(wildcard daemon/store/*.c)
LEVERSTORE_OBJS := $(LEVERSTORE_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERSTORE      := $(BUILD)/libleverstore.a
LEVERSTORE_LIBS := $(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm \
		   -lpthread

$(BUILD)/obj/daemon/store/%.o: EXTRA_CFLAGS += -Idaemon/store \
	$(call PKG_CFLAGS,jansson) $(call PKG_CFLAGS,sqlite3)

$(LEVERSTORE): $(LEVERSTORE_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/tests/unit/store/%.o: EXTRA_CFLAGS += -Idaemon -Idaemon/store \
	$(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,jansson) \
	-DLEVER_SRCDIR='"$(CURDIR)"'

# The store on scratch databases.
LEVERSTORE_TEST_STORE := $(BUILD)/tests/unit/store/test_store
$(LEVERSTORE_TEST_STORE): $(BUILD)/obj/tests/unit/store/test_store.o \
		$(LEVERSTORE)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVERSTORE_LIBS)

# The recorder: decimation, its ring and the records it reads back, on a
# scratch database.
LEVERSTORE_TEST_REC := $(BUILD)/tests/unit/store/test_rec
$(LEVERSTORE_TEST_REC): $(BUILD)/obj/tests/unit/store/test_rec.o \
		$(LEVERSTORE) $(LEVERD_CORE)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(LEVERSTORE_LIBS)

ALL_TARGETS += $(LEVERSTORE) $(LEVERSTORE_TEST_STORE) $(LEVERSTORE_TEST_REC)
UNIT_TESTS  += $(LEVERSTORE_TEST_STORE) $(LEVERSTORE_TEST_REC)
