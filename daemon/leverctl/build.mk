# SPDX-License-Identifier: MIT
# leverctl: the operator's command (one file per subcommand), linked with
# libleverplan.a so that validate/show/plans parse plans exactly as leverd.

LEVERCTL_SRCS := $(wildcard daemon/leverctl/*.c)
LEVERCTL_OBJS := $(LEVERCTL_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/obj/daemon/leverctl/%.o: EXTRA_CFLAGS += -Idaemon/leverctl \
	-Idaemon/plan -Idaemon/store -Idaemon/export $(call PKG_CFLAGS,jansson) \
	$(call PKG_CFLAGS,cairo fontconfig)

# (export encodes the files itself with libleverexport.a; plot and report
# draw with cairo)
$(BUILD)/leverctl: $(LEVERCTL_OBJS) $(LEVEREXPORT) $(LEVERSTORE) $(LEVERPLAN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LEVERSTORE_LIBS) $(LEVERPLAN_LIBS) \
		$(LEVEREXPORT_LIBS) $(call PKG_LIBS,cairo fontconfig)

# Shell test: argument errors, exit codes, --json, errors without leverd,
# and the protocol against a stand-in daemon.
$(BUILD)/tests/unit/leverctl/test_leverctl: tests/unit/leverctl/test_leverctl.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/leverctl $(BUILD)/tests/unit/leverctl/test_leverctl
UNIT_TESTS  += $(BUILD)/tests/unit/leverctl/test_leverctl

# End to end on the host: leverctl against build/leverd on --transport=sim:.
$(BUILD)/tests/unit/leverctl/test_e2e_sim: tests/unit/leverctl/test_e2e_sim.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/leverctl/test_e2e_sim
UNIT_TESTS  += $(BUILD)/tests/unit/leverctl/test_e2e_sim

# What leverd records, read back with leverctl events/trace, on the host.
$(BUILD)/tests/unit/leverctl/test_e2e_records: tests/unit/leverctl/test_e2e_records.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/leverctl/test_e2e_records
UNIT_TESTS  += $(BUILD)/tests/unit/leverctl/test_e2e_records

# Weigh-ins, the start's mass checks, rename, anonymise and remove, on the
# host (leverctl against build/leverd on the sim transport).
$(BUILD)/tests/unit/leverctl/test_e2e_athletes: tests/unit/leverctl/test_e2e_athletes.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/leverctl/test_e2e_athletes
UNIT_TESTS  += $(BUILD)/tests/unit/leverctl/test_e2e_athletes

# leverctl report and plot against build/leverd on the sim transport; the
# pictures read back by png-probe (through cairo's PNG reader).
$(BUILD)/obj/tests/unit/leverctl/%.o: EXTRA_CFLAGS += $(call PKG_CFLAGS,cairo)
$(BUILD)/tests/unit/leverctl/png-probe: \
		$(BUILD)/obj/tests/unit/leverctl/png-probe.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(call PKG_LIBS,cairo)

$(BUILD)/tests/unit/leverctl/test_e2e_report: \
		tests/unit/leverctl/test_e2e_report.sh \
		$(BUILD)/tests/unit/leverctl/png-probe
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/unit/leverctl/png-probe \
	       $(BUILD)/tests/unit/leverctl/test_e2e_report
UNIT_TESTS  += $(BUILD)/tests/unit/leverctl/test_e2e_report

# The same two under valgrind, on one short session.
UNIT_TESTS  += tests/unit/leverctl/test_report_valgrind.sh
