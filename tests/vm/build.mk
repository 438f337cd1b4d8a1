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
