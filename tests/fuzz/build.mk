# SPDX-License-Identifier: MIT
# libFuzzer targets (clang -fsanitize=fuzzer,address), built from the
# parser sources directly, and short runs of them registered as unit tests.

FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude -Idaemon/plan

$(BUILD)/fuzz/fuzz_plan: tests/fuzz/fuzz_plan.c daemon/plan/plan.c \
		daemon/plan/plan_lex.c daemon/plan/plan_session.c \
		daemon/plan/plan.h daemon/plan/plan_lex.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_plan.c \
		daemon/plan/plan.c daemon/plan/plan_lex.c \
		daemon/plan/plan_session.c

$(BUILD)/tests/fuzz/test_fuzz_plan: tests/fuzz/run-fuzz-plan.sh \
		$(BUILD)/fuzz/fuzz_plan
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/fuzz/fuzz_plan $(BUILD)/tests/fuzz/test_fuzz_plan
UNIT_TESTS  += $(BUILD)/tests/fuzz/test_fuzz_plan
