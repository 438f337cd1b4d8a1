// SPDX-License-Identifier: MIT
/*
 * leverctl next: which session comes next for an athlete, from leverd's
 * records (completed sessions, and pain, which regresses a week).
 */
#include <stdio.h>

#include "leverctl.h"

int ctl_next(struct ctl *c, int argc, char **argv)
{
	const char *athlete = NULL, *plan = NULL, *s;
	json_t *args, *res;
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		const char *v;

		if ((r = ctl_opt_value(argc, argv, &i, "--athlete", &v))) {
			if (r < 0)
				return ctl_usage("next", "--athlete needs a name");
			athlete = v;
		} else if ((r = ctl_opt_value(argc, argv, &i, "--plan", &v))) {
			if (r < 0)
				return ctl_usage("next", "--plan needs a plan name");
			plan = v;
		} else {
			return ctl_usage("next", "unexpected argument '%s'",
					 argv[i]);
		}
	}
	args = json_object();
	if (!args) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	if (athlete)
		json_object_set_new(args, "athlete", json_string(athlete));
	if (plan)
		json_object_set_new(args, "plan", json_string(plan));
	ret = ctl_call(c, "next", args, &res);
	if (ret)
		return ret;
	if (c->json) {
		ret = ctl_print_json(res);
	} else {
		s = json_string_value(json_object_get(res, "session"));
		printf("%s\n", s ? s : "none: the plan is complete");
		printf("(%s: %s)\n",
		       json_string_value(json_object_get(res, "athlete")),
		       json_string_value(json_object_get(res, "reason")));
	}
	json_decref(res);
	return ret;
}
