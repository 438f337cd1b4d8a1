// SPDX-License-Identifier: MIT
/*
 * leverctl resume: continue a paused session: the belt ramps up again from
 * standstill.
 * Only a request: leverd decides and answers with the new status.
 */
#include "leverctl.h"

int ctl_resume(struct ctl *c, int argc, char **argv)
{
	return ctl_state_command(c, "resume", argc, argv);
}
