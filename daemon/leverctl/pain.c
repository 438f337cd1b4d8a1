// SPDX-License-Identifier: MIT
/*
 * leverctl pain [SCORE]: report pain at the injury site. During a session
 * leverd stops it; after one it marks the last session. Either way the
 * plan regresses to the previous week. Never refused for a missing score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leverctl.h"

int ctl_pain(struct ctl *c, int argc, char **argv)
{
	const char *athlete = NULL, *score_s = NULL;
	json_t *args, *res;
	long score = -1;
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		const char *v;

		if ((r = ctl_opt_value(argc, argv, &i, "--athlete", &v))) {
			if (r < 0)
				return ctl_usage("pain", "--athlete needs a name");
			athlete = v;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0' &&
			   (argv[i][1] < '0' || argv[i][1] > '9')) {
			return ctl_usage("pain", "unknown option '%s'", argv[i]);
		} else if (score_s) {
			return ctl_usage("pain", "one score only ('%s' and '%s' given)",
					 score_s, argv[i]);
		} else {
			score_s = argv[i];
		}
	}
	if (score_s) {
		char *end;

		score = strtol(score_s, &end, 10);
		if (*score_s == '\0' || *end || score < 0 || score > 10)
			return ctl_usage("pain",
					 "pain score '%s' must be a whole number from 0 to 10",
					 score_s);
	}
	args = json_object();
	if (!args) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	if (score >= 0)
		json_object_set_new(args, "score", json_integer(score));
	if (athlete)
		json_object_set_new(args, "athlete", json_string(athlete));
	ret = ctl_call(c, "pain", args, &res);
	if (ret)
		return ret;
	if (c->json) {
		ret = ctl_print_json(res);
	} else {
		const char *next = json_string_value(json_object_get(res, "next"));

		printf("pain recorded for %s (%s)%s; consult the clinician%s%s\n",
		       json_string_value(json_object_get(res, "athlete")),
		       json_string_value(json_object_get(res, "session")),
		       json_is_true(json_object_get(res, "stopped")) ?
		       ", session stopped" : "",
		       next && *next ? "; next session: " : "",
		       next && *next ? next : "");
	}
	json_decref(res);
	return ret;
}
