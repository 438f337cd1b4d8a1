# SPDX-License-Identifier: MIT
# tests/bench: leverd's benchmarks. Each BENCH_CMDS entry is one command
# word run by `make bench`, printing `bench: NAME VALUE UNIT` lines.

LEVERD_BENCH_SUPPORT := $(BUILD)/tests/bench/bench_support

$(BUILD)/obj/tests/bench/%.o: EXTRA_CFLAGS += -Idaemon -Isim

# the sim plant's limits and one control cycle on it, for both
LEVERD_BENCH_PLANT := $(BUILD)/obj/tests/bench/bench_plant.o

$(LEVERD_BENCH_SUPPORT): $(BUILD)/obj/tests/bench/bench_support.o \
		$(LEVERD_BENCH_PLANT) $(LEVERD_CORE) $(LEVERSIM)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lm -lpthread

# the shipped plan through the control cycle, in process (and the plan
# parser of daemon/plan/)
LEVERD_BENCH_PLAN := $(BUILD)/tests/bench/bench_plan
$(BUILD)/obj/tests/bench/bench_plan.o: EXTRA_CFLAGS += -Idaemon/plan
$(LEVERD_BENCH_PLAN): $(BUILD)/obj/tests/bench/bench_plan.o \
		$(LEVERD_BENCH_PLANT) $(LEVERD_CORE) $(LEVERSIM) $(LEVERPLAN)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LEVERPLAN_LIBS) -lpthread

ALL_TARGETS += $(LEVERD_BENCH_SUPPORT) $(LEVERD_BENCH_PLAN)
BENCH_CMDS  += tests/bench/leverd-latency $(LEVERD_BENCH_SUPPORT) \
	       tests/bench/leverd-sim-speed tests/bench/leverd-plan-sim \
	       $(LEVERD_BENCH_PLAN)
