# SPDX-License-Identifier: MIT
# Every executable in tests/vm/cases/ is one VM boot of `make check-vm`;
# each prints TAP. Their names start with a number that orders them.
VM_CASES += $(wildcard tests/vm/cases/*)

# make bench: the simulated board's stream rate in the VM (a timing
# figure of the machine, so a benchmark and not a test). The VM is an
# x86-64 one: make bench on a Raspberry Pi runs the host benchmarks only.
ifeq ($(shell uname -m),x86_64)
BENCH_CMDS += tests/vm/bench/run-simd-stream
endif

# make debug-kernel: Linux 6.1 from Debian's linux-source-6.1 with KASAN,
# UBSAN, KFENCE, lockdep, debug objects and kmemleak, everything the VM
# needs built in (tests/vm/kernel/). Long to build, so cached by the hash
# of tests/vm/kernel/debug.config and the package's version, in
# $(LEVER_KERNEL_CACHE) ($(LEVER_CACHE)/debug-kernel unless set: outside
# the clone, see LEVER_CACHE in the Makefile).
LEVER_KERNEL_CACHE ?= $(LEVER_CACHE)/debug-kernel
export LEVER_KERNEL_CACHE
DEBUG_KDIR := $(LEVER_KERNEL_CACHE)/current/obj
DEBUG_MOD  := $(abspath $(BUILD))/debug-module

.PHONY: debug-kernel debug-module check-debug
debug-kernel:
	@scripts/deps debug-kernel
	@BUILD=$(BUILD) tests/vm/kernel/build

# lever.ko for the debug kernel, from a copy of the sources: Kbuild builds
# in the module's directory, and driver/ holds the Debian kernel's build.
debug-module: debug-kernel
	rm -rf $(DEBUG_MOD)
	mkdir -p $(DEBUG_MOD)/driver
	cp Kbuild $(DEBUG_MOD)/
	cp driver/Kbuild driver/*.h $(filter-out %.mod.c,$(wildcard driver/*.c)) \
		$(DEBUG_MOD)/driver/
	cp -R include $(DEBUG_MOD)/
	$(MAKE) -C $(DEBUG_KDIR) M=$(DEBUG_MOD) modules
	cp $(DEBUG_MOD)/driver/lever.ko $(BUILD)/lever-debug.ko

# make check-debug: the driver's kselftests (ABI, gpio, input), the probe
# rejects and hostile boards, the gpio/input unplug case and the ioctl
# storm (tests/vm/debug/), each one boot of the debug kernel; any report
# of its checkers, or a leak kmemleak finds after lever.ko is unloaded,
# fails the case (tests/vm/run). Own logs and summary line.
DEBUG_VM_CASES := tests/vm/cases/30-lever-kselftest.sh \
		  tests/vm/cases/31-lever-probe-rejects.sh \
		  tests/vm/cases/32-lever-kselftest-compat.sh \
		  tests/vm/cases/33-lever-untrusted-stream.sh \
		  tests/vm/cases/57-gpio-kselftest.sh \
		  tests/vm/cases/58-input-kselftest.sh \
		  tests/vm/cases/59-gpio-input-unplug.sh \
		  $(sort $(wildcard tests/vm/debug/*.sh))

# $(call run-debug-cases,LOGDIR): make check-long runs them too. The
# kernel and lever-debug.ko are built first; a build that fails is one
# failed test in LOGDIR, so that check-long still runs the rest.
run-debug-cases = if $(MAKE) --no-print-directory debug-module; then \
		for c in $(DEBUG_VM_CASES); do \
			LEVER_VM_KERNEL=debug LEVER_TEST_LOGS=$(1) \
			tests/tap-run vm-debug tests/vm/run $$c; \
		done; \
	else \
		echo "not ok 1 - make debug-module builds the debug kernel and lever-debug.ko" \
			>$(1)/vm-debug-build.tap; \
	fi

check-debug: all
	@rm -rf $(BUILD)/test-logs-debug; mkdir -p $(BUILD)/test-logs-debug
	@$(call run-debug-cases,$(BUILD)/test-logs-debug); \
	tests/tap-summary $(BUILD)/test-logs-debug
