// SPDX-License-Identifier: MIT
/*
 * leverctl pause: bring the belt to a controlled stop and hold the support;
 * time stands still until resume.
 * Only a request: leverd decides and answers with the new status.
 */
#include "leverctl.h"

int ctl_pause(struct ctl *c, int argc, char **argv)
{
	return ctl_state_command(c, "pause", argc, argv);
}
