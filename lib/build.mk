# SPDX-License-Identifier: MIT
# lib/: liblever, shared (build/liblever.so.0, only lever_* exported through
# lib/liblever.map) and static (build/liblever.a, with the sim model and the
# gate inside), its pkg-config file, the example program, and its tests.

LIBLEVER_VERSION := 0.1.0
LIBLEVER_SONAME  := liblever.so.0
LIBLEVER_PKGS    := libusb-1.0 libgpiod libevdev
# make install's PREFIX unless given; LIBLEVER_LIBDIR may be a multiarch
# directory (the Debian packages: /usr/lib/<triplet>).
LIBLEVER_PREFIX  ?= $(PREFIX)
LIBLEVER_LIBDIR  ?= $(LIBLEVER_PREFIX)/lib

LIBLEVER_SRCS := lib/dev.c lib/chardev.c lib/sim.c lib/usb.c lib/gpio.c \
		 lib/keys.c
# The kernel's own safety gate, built into the sim transport from the
# driver's source file, never copied (same rules by construction).
LIBLEVER_GATE := $(BUILD)/obj/lib/gate/lever_gate.o
LIBLEVER_OBJS := $(LIBLEVER_SRCS:%.c=$(BUILD)/obj/%.o) $(LIBLEVER_GATE)
# sim/build.mk makes it; named here because that fragment is read after
# this one, too late for a prerequisite list.
LIBLEVER_SIM  := $(BUILD)/libleversim.a

LIBLEVER_SO     := $(BUILD)/liblever.so.$(LIBLEVER_VERSION)
LIBLEVER_A      := $(BUILD)/liblever.a
LIBLEVER_PC     := $(BUILD)/liblever.pc
LIBLEVER_EXAMPLE := $(BUILD)/lever-example

# libgpiod has no version macro; lib/gpio.c picks its API with this.
LIBLEVER_GPIOD_MAJOR := $(firstword $(subst ., ,$(shell $(PKG_CONFIG) \
	--modversion libgpiod 2>/dev/null)))

$(BUILD)/obj/lib/%.o: EXTRA_CFLAGS += -fPIC -fvisibility=hidden \
	-DLEVER_BUILDING_LIB -Ilib -Isim -Idriver -Iinclude/uapi \
	$(call PKG_CFLAGS,$(LIBLEVER_PKGS)) \
	$(if $(LIBLEVER_GPIOD_MAJOR),-DLEVER_GPIOD_MAJOR=$(LIBLEVER_GPIOD_MAJOR))

# the sim transport's cycle (Makefile: HOT_CFLAGS)
$(LIBLEVER_GATE) $(BUILD)/obj/lib/sim.o $(BUILD)/obj/lib/dev.o: \
	EXTRA_CFLAGS += $(HOT_CFLAGS)

$(LIBLEVER_GATE): driver/lever_gate.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(LIBLEVER_SO): $(LIBLEVER_OBJS) $(LIBLEVER_SIM) lib/liblever.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIBLEVER_SONAME) \
		-Wl,--version-script=lib/liblever.map -Wl,--no-undefined \
		-Wl,-z,relro -Wl,-z,now -o $@ $(LIBLEVER_OBJS) $(LIBLEVER_SIM) \
		$(call PKG_LIBS,$(LIBLEVER_PKGS)) -lm

$(BUILD)/$(LIBLEVER_SONAME): $(LIBLEVER_SO)
	ln -sf $(notdir $<) $@

$(BUILD)/liblever.so: $(BUILD)/$(LIBLEVER_SONAME)
	ln -sf $(notdir $<) $@

# One archive with the sim model's objects in it, so static users need
# only -llever and the libraries of liblever.pc.
$(LIBLEVER_A): $(LIBLEVER_OBJS) $(LIBLEVER_SIM)
	@mkdir -p $(@D)
	rm -f $@
	{ echo "CREATE $@"; \
	  for o in $(LIBLEVER_OBJS); do echo "ADDMOD $$o"; done; \
	  echo "ADDLIB $(LIBLEVER_SIM)"; echo SAVE; echo END; } | $(AR) -M
	$(AR) s $@

$(LIBLEVER_PC): lib/liblever.pc.in lib/build.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(LIBLEVER_PREFIX)|' \
	    -e 's|@LIBDIR@|$(patsubst $(LIBLEVER_PREFIX)/%,$${prefix}/%,$(LIBLEVER_LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$${prefix}/include|' \
	    -e 's|@VERSION@|$(LIBLEVER_VERSION)|' $< > $@

# Built as a user's program would be: strict C99, only the public header,
# linked to the shared library.
$(LIBLEVER_EXAMPLE): lib/examples/lever-example.c $(BUILD)/liblever.so
	$(CC) -std=c99 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) -Iinclude \
		-o $@ $< -L$(BUILD) -Wl,-rpath,'$$ORIGIN' -llever

ALL_TARGETS += $(LIBLEVER_SO) $(BUILD)/$(LIBLEVER_SONAME) \
	$(BUILD)/liblever.so $(LIBLEVER_A) $(LIBLEVER_PC) $(LIBLEVER_EXAMPLE)

# --- tests ------------------------------------------------------------

$(BUILD)/obj/tests/unit/lib/%.o: EXTRA_CFLAGS += -Ilib -Iinclude/uapi \
	$(call PKG_CFLAGS,cmocka) $(call PKG_CFLAGS,libevdev)

LIBLEVER_UNIT_NAMES := $(patsubst tests/unit/lib/%.c,%,\
	$(wildcard tests/unit/lib/test_*.c))
LIBLEVER_UNIT_TESTS := $(LIBLEVER_UNIT_NAMES:%=$(BUILD)/tests/unit/lib/%)

# Linked against the static library: the tests reach the internal
# syscall table (lib/lever_priv.h) to mock the ioctl boundary.
$(BUILD)/tests/unit/lib/test_%: $(BUILD)/obj/tests/unit/lib/test_%.o \
		$(LIBLEVER_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cmocka) \
		$(call PKG_LIBS,$(LIBLEVER_PKGS)) -lm

# The shared scenario: on sim: as a unit test, on /dev/lever0 in the VM
# (tests/vm/cases/50-lib-scenario.sh), linked to the shared library.
LIBLEVER_SCENARIO := $(BUILD)/tests/unit/lib/lever-scenario
$(LIBLEVER_SCENARIO): $(BUILD)/obj/tests/unit/lib/scenario.o \
		$(BUILD)/liblever.so
	@mkdir -p $(@D)
	$(CC) -o $@ $< -L$(BUILD) -Wl,-rpath,'$$ORIGIN/../../..' -llever

# Checks that need lever-simd, lever.ko or uinput: VM only
# (tests/vm/cases/51..54-lib-*.sh).
LIBLEVER_VM_CHECKS := $(BUILD)/tests/unit/lib/lever-vm-checks
$(LIBLEVER_VM_CHECKS): $(BUILD)/obj/tests/unit/lib/vm_checks.o $(LIBLEVER_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,$(LIBLEVER_PKGS)) -lm

ALL_TARGETS += $(LIBLEVER_UNIT_TESTS) $(LIBLEVER_SCENARIO) \
	$(LIBLEVER_VM_CHECKS)
UNIT_TESTS  += $(LIBLEVER_UNIT_TESTS) $(LIBLEVER_SCENARIO) \
	tests/unit/lib/check-header.sh tests/unit/lib/check-exports.sh \
	tests/unit/lib/valgrind.sh tests/unit/lib/check-pkgconfig.sh

# Benchmark: control-loop cycles through the sim transport (make bench).
LIBLEVER_BENCH := $(BUILD)/tests/unit/lib/lever-bench-sim
$(LIBLEVER_BENCH): $(BUILD)/obj/tests/unit/lib/bench_sim.o $(LIBLEVER_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,$(LIBLEVER_PKGS)) -lm

ALL_TARGETS += $(LIBLEVER_BENCH)
BENCH_CMDS  += $(LIBLEVER_BENCH)

# make install-liblever [DESTDIR=...] [LIBLEVER_PREFIX=$(PREFIX)]
#	[LIBLEVER_LIBDIR=$(LIBLEVER_PREFIX)/lib]
.PHONY: install-liblever
INSTALL_TARGETS += install-liblever
install-liblever: $(LIBLEVER_SO) $(LIBLEVER_A) $(LIBLEVER_PC)
	install -d $(DESTDIR)$(LIBLEVER_LIBDIR)/pkgconfig \
		$(DESTDIR)$(LIBLEVER_PREFIX)/include/lever
	install -m 0644 $(LIBLEVER_SO) $(DESTDIR)$(LIBLEVER_LIBDIR)/
	ln -sf $(notdir $(LIBLEVER_SO)) \
		$(DESTDIR)$(LIBLEVER_LIBDIR)/$(LIBLEVER_SONAME)
	ln -sf $(LIBLEVER_SONAME) $(DESTDIR)$(LIBLEVER_LIBDIR)/liblever.so
	install -m 0644 $(LIBLEVER_A) $(DESTDIR)$(LIBLEVER_LIBDIR)/
	install -m 0644 include/lever/lever.h \
		$(DESTDIR)$(LIBLEVER_PREFIX)/include/lever/
	install -m 0644 $(LIBLEVER_PC) \
		$(DESTDIR)$(LIBLEVER_LIBDIR)/pkgconfig/

# valgrind over every liblever unit test (TAP, one line per program).
.PHONY: check-lib-valgrind
check-lib-valgrind: $(LIBLEVER_UNIT_TESTS) $(LIBLEVER_SCENARIO)
	tests/unit/lib/valgrind.sh $(LIBLEVER_UNIT_TESTS) $(LIBLEVER_SCENARIO)

CLEAN_FILES +=
