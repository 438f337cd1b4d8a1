# SPDX-License-Identifier: MIT
# make check-powercut: real power cuts under leverd's database
# (tests/powercut/run, Documentation/testing.rst). The VM is killed twenty
# times, each boot a minute or so: run by hand, in neither make check nor
# make check-long. Own logs and summary line.

POWERCUT_TIMEOUT ?= 3600

# The cut point, preloaded into leverd in the VM: a shared object, so
# built here with -fPIC rather than by the shared object rule.
$(BUILD)/tests/powercut/cutpoint.so: tests/powercut/cutpoint.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

.PHONY: check-powercut
check-powercut: all $(BUILD)/tests/powercut/cutpoint.so
	@scripts/deps powercut
	@rm -rf $(BUILD)/test-logs-powercut; mkdir -p $(BUILD)/test-logs-powercut
	@BUILD=$(BUILD) LEVER_TEST_LOGS=$(BUILD)/test-logs-powercut \
		LEVER_TEST_TIMEOUT=$(POWERCUT_TIMEOUT) \
		tests/tap-run powercut tests/powercut/run; \
	rc=$$?; tests/tap-summary $(BUILD)/test-logs-powercut && exit $$rc
