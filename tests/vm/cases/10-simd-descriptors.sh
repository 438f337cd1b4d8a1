#!/bin/bash
# SPDX-License-Identifier: MIT
# lever-simd enumerates on dummy_hcd with the descriptors of
# include/lever_wire.h, answers the identity and limits requests, STALLs
# what it cannot honour, and removes the whole gadget on SIGTERM.
source "${LEVER_VM_TOP:-$PWD}/tests/unit/sim/simd-vm-lib.sh"
echo "1..13"

check "lever-simd starts and the host configures the board" \
	simd_start --serial TEST42
desc=$(lsusb -v -d 1209:4c56 2>/dev/null)
has() { grep -Eq "$1" <<<"$desc"; }
check "lsusb shows idVendor 0x1209 idProduct 0x4c56" \
	eval 'has "idVendor +0x1209" && has "idProduct +0x4c56"'
check "one vendor-specific interface, subclass 0x4c, protocol 1" \
	eval 'has "bInterfaceClass +255" && has "bInterfaceSubClass +76" &&
	      has "bInterfaceProtocol +1" && has "bNumInterfaces +1"'
ep_block() { awk -v a="$1" '$1 == "bEndpointAddress" && $2 == a { p = 1 }
	p && /bInterval/ { print; exit } p' <<<"$desc"; }
in_ep=$(ep_block 0x81)
out_ep=$(ep_block 0x02)
check "EP 0x81 is interrupt IN, 64 bytes, bInterval 4 (1 ms at high speed)" \
	eval 'grep -q "Interrupt" <<<"$in_ep" && grep -q "0x0040" <<<"$in_ep" &&
	      grep -Eq "bInterval +4" <<<"$in_ep"'
check "EP 0x02 is interrupt OUT, 32 bytes, bInterval 4" \
	eval 'grep -q "Interrupt" <<<"$out_ep" && grep -q "0x0020" <<<"$out_ep" &&
	      grep -Eq "bInterval +4" <<<"$out_ep"'
check "serial number string is the --serial given" has "iSerial +3 TEST42"

id=$(simusb ctrl identity)
check "identity request: protocol 1, serial TEST42, 1000 Hz" \
	eval '[ "$(kv protocol_version "$id")" = 1 ] &&
	      [ "$(kv serial "$id")" = TEST42 ] &&
	      [ "$(kv sample_rate_hz "$id")" = 1000 ]'
lim=$(simusb ctrl limits)
check "limits: max pressure x force per pressure = max force" \
	eval '[ $(( $(kv max_support_pressure_pa "$lim") *
		    $(kv force_per_pressure_un_pa "$lim") / 1000 )) = \
		"$(kv max_support_force_mn "$lim")" ]'
check "limits: stop deceleration 1000 mm/s^2, watchdog 20..1000 ms" \
	eval '[ "$(kv stop_decel_mm_s2 "$lim")" = 1000 ] &&
	      [ "$(kv watchdog_min_ms "$lim")" = 20 ] &&
	      [ "$(kv watchdog_max_ms "$lim")" = 1000 ]'
r=$(simusb ctrl raw-in 0x77)
check "an unknown vendor request is STALLed (EPIPE on the host)" \
	eval '[ "$(kv result "$r")" = LIBUSB_ERROR_PIPE ]'
check "a STALL leaves the board working (identity again)" \
	eval 'simusb ctrl identity >/dev/null && [ "$(sget setup_stalled)" = 1 ]'

simd_stop
rc=$?
check "SIGTERM: lever-simd exits with status 0" [ "$rc" = 0 ]
sleep 0.5
check "SIGTERM: gadget, FunctionFS mount and device are gone" \
	eval '[ ! -e /sys/kernel/config/usb_gadget/lever_TEST42 ] &&
	      ! grep -q functionfs /proc/mounts &&
	      ! lsusb -d 1209:4c56 >/dev/null'
simd_finish
