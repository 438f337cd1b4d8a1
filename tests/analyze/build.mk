# SPDX-License-Identifier: MIT
# make analyze: cppcheck, scan-build and the kernel's Coccinelle scripts
# over the tree (tests/analyze/analyze); 0 findings, or each silenced
# where it stands with its reason. Not part of make check: it rebuilds
# userspace under the analyser (minutes).
.PHONY: analyze
analyze:
	@scripts/deps analyze
	@BUILD=$(BUILD) tests/analyze/analyze
