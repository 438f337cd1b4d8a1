// SPDX-License-Identifier: MIT
/*
 * leverctl reset: clear a latched fault or e-stop once its line is released;
 * nothing moves until a new start.
 * Only a request: leverd decides and answers with the new status.
 */
#include "leverctl.h"

int ctl_reset(struct ctl *c, int argc, char **argv)
{
	return ctl_state_command(c, "reset", argc, argv);
}
