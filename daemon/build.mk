# SPDX-License-Identifier: MIT
# leverd: the RT control loop, the support-force law, the safety supervisor
# and the event loop. The modules are kept in one internal archive so that
# unit tests, the deterministic simulation and benchmarks link the same code
# the daemon runs. (daemon/plan/, daemon/session/, daemon/store/ and
# daemon/leverctl/ have their own fragments.)

LEVERD_CORE_SRCS := daemon/cfg.c daemon/ctl.c daemon/sin.c daemon/pendant.c
LEVERD_CORE_OBJS := $(LEVERD_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
LEVERD_CORE_AR   := $(BUILD)/libleverd-core.a
# what links the core links the RT core after it (daemon/control/)
LEVERD_CORE      := $(LEVERD_CORE_AR) $(LEVERD_CONTROL)

$(BUILD)/obj/daemon/%.o: EXTRA_CFLAGS += -Idaemon
$(BUILD)/obj/tests/unit/daemon/%.o: EXTRA_CFLAGS += -Idaemon \
	$(call PKG_CFLAGS,cmocka)

$(LEVERD_CORE_AR): $(LEVERD_CORE_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# tplant: the small deterministic plant the tests and benchmarks drive
LEVERD_TPLANT := $(BUILD)/obj/tests/unit/daemon/tplant.o \
	$(BUILD)/obj/tests/unit/daemon/dsim.o

LEVERD_UNIT_NAMES := cfg ring law ramp sup loop loop_table dsim ctl pendant
LEVERD_UNIT_TESTS := $(LEVERD_UNIT_NAMES:%=$(BUILD)/tests/unit/daemon/test_%)

.SECONDARY: $(LEVERD_UNIT_NAMES:%=$(BUILD)/obj/tests/unit/daemon/test_%.o)

$(BUILD)/tests/unit/daemon/test_%: $(BUILD)/obj/tests/unit/daemon/test_%.o \
		$(LEVERD_TPLANT) $(LEVERD_CORE)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) $(call PKG_LIBS,jansson) \
		-lm -lpthread

# The same 200-seed simulation on the project's plant model (sim/plant.h)
# through a small board adapter (tests/unit/daemon/pplant.c).
LEVERD_DSIM_PLANT := $(BUILD)/tests/unit/daemon/test_dsim_plant
$(BUILD)/obj/tests/unit/daemon/pplant.o: EXTRA_CFLAGS += -Isim
$(BUILD)/obj/tests/unit/daemon/test_dsim_plant.o: tests/unit/daemon/test_dsim.c \
		daemon/build.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -DN_RUNS=200 \
		-DPLANT_NAME='"sim/plant.h"' -c -o $@ $<
$(LEVERD_DSIM_PLANT): $(BUILD)/obj/tests/unit/daemon/test_dsim_plant.o \
		$(BUILD)/obj/tests/unit/daemon/pplant.o \
		$(BUILD)/obj/tests/unit/daemon/dsim.o $(LEVERD_CORE) \
		$(BUILD)/libleversim.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) -lm -lpthread

# The RT side on liblever's sim transport.
LEVERD_TEST_RT := $(BUILD)/tests/unit/daemon/test_rt
$(LEVERD_TEST_RT): $(BUILD)/obj/tests/unit/daemon/test_rt.o $(LEVERD_CORE) \
		$(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) \
		$(call PKG_LIBS,libusb-1.0 libgpiod libevdev) -lm -lpthread

# ... and on the character-device transport, its kernel faked
# (lib/lever_priv.h's syscall table): a period under 1 ms.
LEVERD_TEST_RT_PERIOD := $(BUILD)/tests/unit/daemon/test_rt_period
$(BUILD)/obj/tests/unit/daemon/test_rt_period.o: EXTRA_CFLAGS += -Ilib \
	-Iinclude/uapi
$(LEVERD_TEST_RT_PERIOD): $(BUILD)/obj/tests/unit/daemon/test_rt_period.o \
		$(LEVERD_CORE) $(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -Wl,--wrap=ppoll -o $@ $^ $(call PKG_LIBS,cmocka) \
		$(call PKG_LIBS,libusb-1.0 libgpiod libevdev) -lm -lpthread

# valgrind over the recorder's, the store's and the session logic's tests
# (one TAP line each); part of check-unit too.
.PHONY: check-rec-valgrind
check-rec-valgrind: $(BUILD)/tests/unit/store/test_rec \
		$(BUILD)/tests/unit/store/test_store \
		$(BUILD)/tests/unit/session/test_sess
	BUILD=$(BUILD) tests/unit/store/test_rec_valgrind.sh

# The daemon: links liblever (static, sim model inside), the session
# logic, the records store and the plan parser. Their fragments come after
# this one, because the store's recorder links the RT core above: the
# archives are named by path here until the RT core has a fragment of its
# own.
LEVERD_NONRT := $(BUILD)/libleversession.a $(BUILD)/libleverstore.a \
		$(BUILD)/libleverplan.a
LEVERD := $(BUILD)/leverd
$(BUILD)/obj/daemon/leverd.o $(BUILD)/obj/daemon/dmn.o: EXTRA_CFLAGS += $(call PKG_CFLAGS,libevdev)

$(LEVERD): $(BUILD)/obj/daemon/leverd.o $(BUILD)/obj/daemon/dmn.o \
		$(LEVERD_NONRT) $(LEVERD_CORE) $(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libusb-1.0 libgpiod libevdev) \
		$(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm -lpthread

# The whole daemon (event loop, session logic, RT side) on the sim
# transport in virtual time, judged on the plant's truth.
LEVERD_TEST_WSIM := $(BUILD)/tests/unit/daemon/test_wsim
$(BUILD)/obj/tests/unit/daemon/test_wsim.o: EXTRA_CFLAGS += \
	$(call PKG_CFLAGS,jansson) -DLEVER_SRCDIR='"$(CURDIR)"'
$(LEVERD_TEST_WSIM): $(BUILD)/obj/tests/unit/daemon/test_wsim.o \
		$(BUILD)/obj/daemon/dmn.o $(LEVERD_NONRT) $(LEVERD_CORE) \
		$(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libusb-1.0 libgpiod libevdev) \
		$(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm -lpthread

ALL_TARGETS += $(LEVERD_TEST_WSIM)
UNIT_TESTS  += $(LEVERD_TEST_WSIM)

# e-stop edge to the safe state (make bench), on virtual time and on the
# host's RT thread.
LEVERD_BENCH_ESTOP := $(BUILD)/tests/bench/bench_estop
$(LEVERD_BENCH_ESTOP): $(BUILD)/obj/tests/bench/bench_estop.o $(LEVERD_CORE) \
		$(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,libusb-1.0 libgpiod libevdev) -lm \
		-lpthread

ALL_TARGETS += $(LEVERD_BENCH_ESTOP)
BENCH_CMDS  += $(LEVERD_BENCH_ESTOP)

# By hand, not in CI: a million sequences (about an hour on 2 CPUs).
.PHONY: soak
soak: $(LEVERD_TEST_WSIM)
	WSIM_SEQUENCES=1000000 $(LEVERD_TEST_WSIM)

ALL_TARGETS += $(LEVERD_CORE) $(LEVERD_UNIT_TESTS) $(LEVERD) \
	       $(LEVERD_DSIM_PLANT) $(LEVERD_TEST_RT) $(LEVERD_TEST_RT_PERIOD)
UNIT_TESTS  += tests/unit/daemon/test_leverd.sh \
	       tests/unit/store/test_rec_valgrind.sh
UNIT_TESTS  += $(LEVERD_UNIT_TESTS) $(LEVERD_DSIM_PLANT) $(LEVERD_TEST_RT) \
	       $(LEVERD_TEST_RT_PERIOD)

# The supervisor and safety specifications once more with the "pi" law
# (the default is "afc"): the same tests, linked with
# tests/unit/daemon/law_select.c, which makes every cfg_defaults() they
# call name that law. pi is there to be chosen, so it keeps passing them.
LEVERD_PI_SELECT := $(BUILD)/obj/tests/unit/daemon/law_select_pi.o
$(LEVERD_PI_SELECT): tests/unit/daemon/law_select.c daemon/build.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EXTRA_CFLAGS) \
		-DLEVERD_TEST_LAW='"pi"' -c -o $@ $<
$(LEVERD_PI_SELECT): EXTRA_CFLAGS += -Idaemon

LEVERD_PI_TESTS := $(patsubst %,$(BUILD)/tests/unit/daemon/test_%_pi, \
		      loop loop_table dsim)
$(BUILD)/tests/unit/daemon/test_%_pi: \
		$(BUILD)/obj/tests/unit/daemon/test_%.o $(LEVERD_PI_SELECT) \
		$(LEVERD_TPLANT) $(LEVERD_CORE)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -Wl,--wrap=cfg_defaults $(call PKG_LIBS,cmocka) \
		$(call PKG_LIBS,jansson) -lm -lpthread

LEVERD_DSIM_PLANT_PI := $(BUILD)/tests/unit/daemon/test_dsim_plant_pi
$(LEVERD_DSIM_PLANT_PI): $(BUILD)/obj/tests/unit/daemon/test_dsim_plant.o \
		$(LEVERD_PI_SELECT) $(BUILD)/obj/tests/unit/daemon/pplant.o \
		$(BUILD)/obj/tests/unit/daemon/dsim.o $(LEVERD_CORE) \
		$(BUILD)/libleversim.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -Wl,--wrap=cfg_defaults $(call PKG_LIBS,cmocka) \
		-lm -lpthread

LEVERD_TEST_RT_PI := $(BUILD)/tests/unit/daemon/test_rt_pi
$(LEVERD_TEST_RT_PI): $(BUILD)/obj/tests/unit/daemon/test_rt.o \
		$(LEVERD_PI_SELECT) $(LEVERD_CORE) $(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -Wl,--wrap=cfg_defaults $(call PKG_LIBS,cmocka) \
		$(call PKG_LIBS,libusb-1.0 libgpiod libevdev) -lm -lpthread

# The whole-daemon simulation with pi (check-long).
LEVERD_TEST_WSIM_PI := $(BUILD)/tests/unit/daemon/test_wsim_pi
$(LEVERD_TEST_WSIM_PI): $(BUILD)/obj/tests/unit/daemon/test_wsim.o \
		$(LEVERD_PI_SELECT) $(BUILD)/obj/daemon/dmn.o \
		$(LEVERD_NONRT) $(LEVERD_CORE) $(BUILD)/liblever.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -Wl,--wrap=cfg_defaults \
		$(call PKG_LIBS,libusb-1.0 libgpiod libevdev) \
		$(call PKG_LIBS,jansson) $(call PKG_LIBS,sqlite3) -lm -lpthread

ALL_TARGETS += $(LEVERD_PI_TESTS) $(LEVERD_DSIM_PLANT_PI) \
	       $(LEVERD_TEST_RT_PI) $(LEVERD_TEST_WSIM_PI)
# The two 200-seed simulations with pi (35 s) and the whole-daemon one
# (10^4 sequences, about 40 s) run in make check-long, to
# keep make check under 15 minutes; the other pi variants here.
UNIT_TESTS  += $(BUILD)/tests/unit/daemon/test_loop_pi \
	       $(BUILD)/tests/unit/daemon/test_loop_table_pi \
	       $(LEVERD_TEST_RT_PI)
LONG_UNIT_TESTS += $(BUILD)/tests/unit/daemon/test_dsim_pi \
		   $(LEVERD_DSIM_PLANT_PI) $(LEVERD_TEST_WSIM_PI)
