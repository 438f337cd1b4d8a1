# SPDX-License-Identifier: MIT
# The installed paths (the Makefile's PREFIX and the rest, one source for
# make install, lever_paths.h, the unit and the packages): make install
# with PREFIX=/usr/local and PREFIX=/usr, each built and installed in a
# directory of its own. Two builds of leverd, leverctl and liblever: in
# make check-long.

$(BUILD)/tests/install/test_install_prefix: tests/install/test_install_prefix.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

ALL_TARGETS += $(BUILD)/tests/install/test_install_prefix
LONG_UNIT_TESTS += $(BUILD)/tests/install/test_install_prefix
