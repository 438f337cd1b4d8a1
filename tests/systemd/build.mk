# SPDX-License-Identifier: MIT
# The systemd unit and the udev rules as installed (udev/): a host test
# of a second or two, in make check.
UNIT_TESTS += tests/systemd/check-unit
