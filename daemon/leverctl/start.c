// SPDX-License-Identifier: MIT
/*
 * leverctl start SESSION: ask leverd to start a session. leverd decides
 * (support for this mass, its weigh-in, day off, pain, start criteria);
 * this file only
 * forwards the operator's explicit confirmations and overrides.
 */
#include <stdio.h>
#include <string.h>

#include "leverctl.h"

int ctl_start(struct ctl *c, int argc, char **argv)
{
	const char *session = NULL, *athlete = NULL, *plan = NULL;
	bool confirm = false, override = false, follow = false;
	bool confirm_mass = false;
	json_t *args, *res;
	char total[32];
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		const char *v;

		if ((r = ctl_opt_value(argc, argv, &i, "--athlete", &v))) {
			if (r < 0)
				return ctl_usage("start", "--athlete needs a name");
			athlete = v;
		} else if ((r = ctl_opt_value(argc, argv, &i, "--plan", &v))) {
			if (r < 0)
				return ctl_usage("start", "--plan needs a plan name");
			plan = v;
		} else if (ctl_opt_flag(argv[i], "--confirm-start-criteria")) {
			confirm = true;
		} else if (ctl_opt_flag(argv[i], "--confirm-mass")) {
			confirm_mass = true;
		} else if (ctl_opt_flag(argv[i], "--override-back-to-back")) {
			override = true;
		} else if (ctl_opt_flag(argv[i], "--follow")) {
			follow = true;
		} else if (argv[i][0] == '-') {
			return ctl_usage("start", "unknown option '%s'",
					 argv[i]);
		} else if (session) {
			return ctl_usage("start",
					 "one session at a time ('%s' and '%s' given)",
					 session, argv[i]);
		} else {
			session = argv[i];
		}
	}
	if (!session)
		return ctl_usage("start", "which session? name one like week1-day1 (see 'leverctl next')");
	args = json_pack("{s:s}", "session", session);
	if (!args) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	if (athlete)
		json_object_set_new(args, "athlete", json_string(athlete));
	if (plan)
		json_object_set_new(args, "plan", json_string(plan));
	if (confirm)
		json_object_set_new(args, "confirm_start_criteria",
				    json_true());
	if (override)
		json_object_set_new(args, "override_back_to_back",
				    json_true());
	if (confirm_mass)
		json_object_set_new(args, "confirm_mass", json_true());
	ret = ctl_call(c, "start", args, &res);
	if (ret)
		return ret;
	if (c->json && !follow) {
		ret = ctl_print_json(res);
	} else if (!c->json) {
		ctl_fmt_duration(total, sizeof(total),
				 json_number_value(json_object_get(res, "total_s")));
		printf("started %s of %s for %s (%.1f kg), %s\n",
		       json_string_value(json_object_get(res, "session")),
		       json_string_value(json_object_get(res, "plan")),
		       json_string_value(json_object_get(res, "athlete")),
		       json_number_value(json_object_get(res, "mass_kg")),
		       total);
	}
	json_decref(res);
	if (!ret && follow)
		ret = ctl_watch(c, 500);
	return ret;
}
