// SPDX-License-Identifier: MIT
/*
 * leverctl resume: continue a paused session: the belt ramps up again from
 * standstill.
 * Only a request: leverd decides and answers with the new status.
 */
#include <stdio.h>

#include "leverctl.h"

int ctl_resume(struct ctl *c, int argc, char **argv)
{
	json_t *res;
	int ret;

	if (argc > 1)
		return ctl_usage("resume", "'resume' takes no arguments ('%s' given)",
				 argv[1]);
	ret = ctl_call(c, "resume", NULL, &res);
	if (ret)
		return ret;
	if (c->json)
		ret = ctl_print_json(res);
	else
		printf("%s\n", json_string_value(json_object_get(res, "state")) ?:
		       "ok");
	json_decref(res);
	return ret;
}
