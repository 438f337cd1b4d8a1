#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench, inside the test VM: how close lever-simd's 1 kHz sample
# stream comes to the board's nominal rate as a libusb reader sees it,
# beside cyclictest's 1 ms wake-ups in the same guest (the reference:
# what any sleep-paced 1 kHz sender can get from this machine).
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"

simd_start >/dev/null || { echo "bench: simd did not start" >&2; exit 1; }
out=$(simusb stream 5000)
simd_stop
host_hz=$(kv host_rate_hz "$out")
echo "bench: simd_stream_host_rate_hz $host_hz Hz"
echo "bench: simd_stream_gaps_per_5000 $(kv gaps "$out") gaps"
echo "bench: simd_stream_lost_per_5000 $(kv lost "$out") frames"
awk -v h="$host_hz" 'BEGIN { printf "bench: simd_stream_rate_vs_nominal %.3f ratio\n", h / 1000 }'

# cyclictest: same period, same count, priority 50 like lever-simd's
# pacing thread; a wake-up 1 ms or more late is a period a sender misses.
cyclictest -q -m -p 50 -i 1000 -l 5000 -h 20000 >/tmp/cyclic.txt 2>&1
late=$(awk '/^[0-9]/ && $1 >= 1000 { n += $2 } END { print n + 0 }' /tmp/cyclic.txt)
p99=$(awk '/^[0-9]/ { c += $2; h[$1] = $2; if (!p && c >= 4950) p = $1 } END { print p + 0 }' /tmp/cyclic.txt)
echo "bench: vm_cyclictest_p99_us $p99 us"
echo "bench: vm_cyclictest_late_1ms_per_5000 $late wakeups"
