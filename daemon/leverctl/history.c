// SPDX-License-Identifier: MIT
/*
 * leverctl history --athlete NAME: the athlete's sessions, oldest first,
 * each with its record id (for export), date, session, time done and
 * outcome. Read from leverd's records ("athlete_show"); changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "leverctl.h"

/* completed, pain 4/10, stopped by the operator, fault: ..., interrupted */
static void outcome(char *buf, size_t len, const json_t *r)
{
	const char *cause = json_string_value(json_object_get(r,
							      "end_cause")) ?: "";
	const json_t *ps = json_object_get(r, "pain_score");

	if (json_is_true(json_object_get(r, "pain")) && json_is_integer(ps))
		snprintf(buf, len, "%s, pain %d/10", cause,
			 (int)json_integer_value(ps));
	else if (json_is_true(json_object_get(r, "pain")))
		snprintf(buf, len, "%s, pain", cause);
	else
		snprintf(buf, len, "%s", cause);
}

int ctl_history(struct ctl *c, int argc, char **argv)
{
	const char *name = NULL;
	json_t *res, *r, *recs, *mass;
	char el[32], out[128], kg[16];
	size_t i;
	int m, ret;

	for (i = 1; i < (size_t)argc; i++) {
		int j = (int)i;

		m = ctl_opt_value(argc, argv, &j, "--athlete", &name);
		if (m < 0)
			return ctl_usage("history", "--athlete needs a NAME");
		if (!m)
			return ctl_usage("history", "unknown argument '%s'",
					 argv[i]);
		i = (size_t)j;
	}
	if (!name)
		return ctl_usage("history", "whose history? give --athlete NAME ('leverctl athlete list' lists them)");
	ret = ctl_call(c, "athlete_show", json_pack("{s:s}", "name", name),
		       &res);
	if (ret)
		return ret;
	recs = json_object_get(res, "sessions");
	if (c->json) {
		ret = ctl_print_json(recs ? recs : json_array());
		json_decref(res);
		return ret;
	}
	if (!json_array_size(recs)) {
		printf("%s has no sessions recorded\n", name);
		json_decref(res);
		return LEVER_CTL_EXIT_OK;
	}
	printf("%-6s %-10s  %-12s %-9s %-8s %s\n", "ID", "DATE", "SESSION",
	       "TIME", "MASS", "OUTCOME");
	json_array_foreach(recs, i, r) {
		ctl_fmt_duration(el, sizeof(el), json_number_value(
				 json_object_get(r, "elapsed_s")));
		outcome(out, sizeof(out), r);
		mass = json_object_get(r, "mass_kg");
		if (json_is_number(mass))
			snprintf(kg, sizeof(kg), "%.1f kg",
				 json_number_value(mass));
		else
			snprintf(kg, sizeof(kg), "-");
		printf("%-6lld %-10s  %-12s %-9s %-8s %s\n",
		       (long long)json_integer_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "date")) ?: "",
		       json_string_value(json_object_get(r, "session")) ?: "",
		       el, kg, out);
	}
	printf("export one: leverctl export ID [--format fit|tcx|csv]\n");
	json_decref(res);
	return LEVER_CTL_EXIT_OK;
}
