// SPDX-License-Identifier: MIT
/*
 * leverctl athlete add|list|show|set-mass: athletes and their records, kept
 * by leverd. The mass matters for safety (support force), so it is checked
 * here for shape and by leverd for range.
 */
#include <stdio.h>
#include <string.h>

#include "leverctl.h"

static void print_athlete(const json_t *a)
{
	printf("%-20s %6.1f kg\n",
	       json_string_value(json_object_get(a, "name")),
	       json_number_value(json_object_get(a, "mass_kg")));
}

static void print_records(const json_t *recs)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		char el[32];
		const json_t *ps = json_object_get(r, "pain_score");

		ctl_fmt_duration(el, sizeof(el),
				 json_number_value(json_object_get(r, "elapsed_s")));
		printf("  #%-4lld %s  %-12s %-8s %-14s%s",
		       json_integer_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "date")),
		       json_string_value(json_object_get(r, "session")),
		       el,
		       json_string_value(json_object_get(r, "end_cause")),
		       json_is_true(json_object_get(r, "pain")) ? "  PAIN" : "");
		if (json_is_integer(ps))
			printf(" %d/10", (int)json_integer_value(ps));
		printf("\n");
	}
}

int ctl_athlete(struct ctl *c, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	const char *cmd;
	json_t *args = NULL, *res, *a;
	double kg;
	size_t i;
	int ret;

	if (!verb)
		return ctl_usage("athlete", "say add, list, show or set-mass");
	if (!strcmp(verb, "list")) {
		if (argc != 2)
			return ctl_usage("athlete", "'athlete list' takes no arguments");
		cmd = "athlete_list";
	} else if (!strcmp(verb, "show")) {
		if (argc != 3)
			return ctl_usage("athlete", "'athlete show' needs exactly one NAME");
		cmd = "athlete_show";
		args = json_pack("{s:s}", "name", argv[2]);
	} else if (!strcmp(verb, "add") || !strcmp(verb, "set-mass")) {
		if (argc != 4)
			return ctl_usage("athlete", "'athlete %s' needs NAME and MASS_KG",
					 verb);
		if (ctl_parse_kg(argv[3], &kg))
			return ctl_usage("athlete",
					 "body mass '%s' is not a number of kg like 70 or 68.5",
					 argv[3]);
		cmd = verb[0] == 'a' ? "athlete_add" : "athlete_set_mass";
		args = json_pack("{s:s, s:f}", "name", argv[2], "mass_kg", kg);
	} else {
		return ctl_usage("athlete", "unknown athlete command '%s'; say add, list, show or set-mass",
				 verb);
	}
	ret = ctl_call(c, cmd, args, &res);
	if (ret)
		return ret;
	if (c->json) {
		ret = ctl_print_json(res);
	} else if (!strcmp(cmd, "athlete_list")) {
		json_array_foreach(json_object_get(res, "athletes"), i, a)
			print_athlete(a);
	} else {
		print_athlete(res);
		if (json_object_get(res, "sessions"))
			print_records(json_object_get(res, "sessions"));
	}
	json_decref(res);
	return ret;
}
