# SPDX-License-Identifier: MIT
# Every executable in tests/vm/cases/ is one VM boot of `make check-vm`;
# each prints TAP. Their names start with a number that orders them.
VM_CASES += $(wildcard tests/vm/cases/*)
