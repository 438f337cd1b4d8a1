#!/bin/bash
# SPDX-License-Identifier: MIT
# HIL fault matrix, part 1 (tests/hil/hil.py): the whole stack, lever-simd
# -> lever.ko -> leverd -> leverctl, and faults of the board and the plant
# while a session walks at 3 km/h carrying 85 % BW: e-stop, safety key,
# belt over-speed, stuck pressure sensor, stuck load cell, stuck valve, a
# noise burst on both sensors, frame loss. Each is judged on the plant's
# truth (lever-simctl state): belt stop time, support not raised, held and
# released slowly, the events recorded, reset then start. TAP.
. tests/hil/hil-lib.sh
hil_run VMHIL80 estop key overspeed pressure-stuck force-stuck valve \
	noise frames
