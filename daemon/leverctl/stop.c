// SPDX-License-Identifier: MIT
/*
 * leverctl stop: end the session early: controlled stop, then support
 * released slowly.
 * Only a request: leverd decides and answers with the new status.
 */
#include "leverctl.h"

int ctl_stop(struct ctl *c, int argc, char **argv)
{
	return ctl_state_command(c, "stop", argc, argv);
}
