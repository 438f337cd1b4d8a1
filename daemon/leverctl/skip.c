// SPDX-License-Identifier: MIT
/*
 * leverctl skip: leave the current step now and ramp to the next one.
 * Only a request: leverd decides and answers with the new status.
 */
#include "leverctl.h"

int ctl_skip(struct ctl *c, int argc, char **argv)
{
	return ctl_state_command(c, "skip", argc, argv);
}
