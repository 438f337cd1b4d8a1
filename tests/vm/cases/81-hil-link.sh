#!/bin/bash
# SPDX-License-Identifier: MIT
# HIL fault matrix, part 2 (tests/hil/hil.py): the controller and the link
# fail while a session walks: leverd SIGKILL (lever.ko stops the belt on
# close), SIGSTOP (lever.ko's watchdog stops it), the board unplugged and
# plugged back (lever-simctl disconnect/reconnect), the USB interface
# unbound from lever and bound again. Judged on the plant's truth as part
# 1; leverd must reopen the board by itself and move nothing until reset
# and a new start. TAP.
. tests/hil/hil-lib.sh
hil_run VMHIL81 sigkill sigstop unplug unbind
