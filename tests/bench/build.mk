# SPDX-License-Identifier: MIT
# tests/bench: leverd's benchmarks. Each BENCH_CMDS entry is one command
# word run by `make bench`, printing `bench: NAME VALUE UNIT` lines.

LEVERD_BENCH_SUPPORT := $(BUILD)/tests/bench/bench_support

$(BUILD)/obj/tests/bench/%.o: EXTRA_CFLAGS += -Idaemon -Isim

$(LEVERD_BENCH_SUPPORT): $(BUILD)/obj/tests/bench/bench_support.o \
		$(LEVERD_CORE) $(BUILD)/libleversim.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lm -lpthread

ALL_TARGETS += $(LEVERD_BENCH_SUPPORT)
BENCH_CMDS  += tests/bench/leverd-latency $(LEVERD_BENCH_SUPPORT) \
	       tests/bench/leverd-sim-speed tests/bench/leverd-plan-sim
