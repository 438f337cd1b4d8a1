// SPDX-License-Identifier: MIT
/*
 * law_select.c - runs a test written for the default law with another
 * one: linked with -Wl,--wrap=cfg_defaults, every cfg_defaults() the test
 * calls names LEVERD_TEST_LAW instead. The test itself is unchanged, so a
 * law passes exactly the specification the PI passes.
 */
#include <stdio.h>

#include "cfg.h"

void __real_cfg_defaults(struct leverd_cfg *c);
void __wrap_cfg_defaults(struct leverd_cfg *c);

void __wrap_cfg_defaults(struct leverd_cfg *c)
{
	__real_cfg_defaults(c);
	snprintf(c->law, sizeof(c->law), "%s", LEVERD_TEST_LAW);
}
