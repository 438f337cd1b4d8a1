# SPDX-License-Identifier: MIT
# make check SAN=1 (ASan and UBSan) and make check SAN=thread (TSan): the
# host tests against userspace built with the sanitizer in its own
# $(BUILD) (the Makefile sets CC and BUILD). Left out: the VM tests (they
# boot lever.ko, whose userspace side the host tests cover), the valgrind
# runs (valgrind cannot run a sanitized program), the fuzz targets
# (sanitized already), the style check and the packaging check. TSan runs the tests where
# threads meet: the RT thread against the event loop (test_rt, leverd
# whole in test_leverd and test_e2e_sim), the recorder thread (test_rec)
# and the ring between them (test_ring).

ifneq ($(SAN),)

SAN_NOT_BUILT := $(FUZZ_BINS) $(BUILD)/tests/fuzz/test_fuzz
# check-pkgconfig links a user's program, built without a sanitizer, to
# the installed library: with a sanitized one that cannot link.
SAN_NOT_RUN   := %valgrind.sh $(BUILD)/tests/fuzz/test_fuzz \
		 tests/unit/lib/check-pkgconfig.sh

ifeq ($(SAN),thread)
SAN_TESTS := $(BUILD)/tests/unit/daemon/test_rt \
	     $(BUILD)/tests/unit/store/test_rec \
	     $(BUILD)/tests/unit/daemon/test_ring \
	     tests/unit/daemon/test_leverd.sh \
	     $(BUILD)/tests/unit/leverctl/test_e2e_sim
SAN_TARGETS := $(filter $(BUILD)/%,$(SAN_TESTS)) $(BUILD)/leverd \
	       $(BUILD)/leverctl
else
SAN_TESTS := $(filter-out $(SAN_NOT_RUN),$(UNIT_TESTS))
SAN_TARGETS := $(filter-out $(SAN_NOT_BUILT),$(ALL_TARGETS))
endif

# test_wsim runs 3 times slower sanitized: a tenth of make check's.
SAN_WSIM_SEQUENCES ?= 1000

# Every report fails its test: UBSan stops at the first, TSan and ASan
# exit non-zero; LeakSanitizer (with ASan) reports leaks at exit. The
# reports go to files, one per process, because the scripts keep
# leverd's stderr to themselves: any file there fails the run.
SAN_REPORTS := $(CURDIR)/$(BUILD)/san-reports
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:log_path=$(SAN_REPORTS)/ubsan
export TSAN_OPTIONS  = halt_on_error=1:second_deadlock_stack=1:log_path=$(SAN_REPORTS)/tsan
export ASAN_OPTIONS  = detect_leaks=1:strict_string_checks=1:log_path=$(SAN_REPORTS)/asan

# What the sanitized tests need, without running them.
.PHONY: san-userspace check-san
san-userspace: $(SAN_TARGETS)

check-san:
	@$(MAKE) --no-print-directory -j$(NPROC) SAN=$(SAN) san-userspace
	@rm -rf $(BUILD)/test-logs $(SAN_REPORTS)
	@mkdir -p $(BUILD)/test-logs $(SAN_REPORTS)
	@for t in $(SAN_TESTS); do \
		BUILD=$(CURDIR)/$(BUILD) LEVER_TEST_LOGS=$(BUILD)/test-logs \
		WSIM_SEQUENCES=$(SAN_WSIM_SEQUENCES) tests/tap-run unit $$t; \
	done; \
	{ echo "1..1"; n=$$(ls $(SAN_REPORTS) | wc -l); \
	  if [ "$$n" = 0 ]; then echo "ok 1 - no sanitizer report"; \
	  else cat $(SAN_REPORTS)/* | sed 's/^/# /' | head -200; \
	       echo "not ok 1 - $$n sanitizer report(s) in $(SAN_REPORTS)"; \
	  fi; } | tee $(BUILD)/test-logs/san-reports.tap; \
	tests/tap-summary $(BUILD)/test-logs

endif
