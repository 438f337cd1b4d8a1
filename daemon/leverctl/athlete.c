// SPDX-License-Identifier: MIT
/*
 * leverctl athlete add|list|show|weigh|set-mass|rename|anonymise|remove:
 * athletes, their dated weigh-ins and their records, kept by leverd. The
 * mass sets the support force, so it is checked here for shape and by
 * leverd for range and age. Anonymising and removing cannot be undone:
 * they ask the operator to type the name (or take --yes from a script).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "leverctl.h"

#define ATHLETE_VERBS "add, list, show, weigh, rename, anonymise or remove"

static void print_athlete(const json_t *a)
{
	const json_t *d = json_object_get(a, "weighed");

	printf("%-20s %6.1f kg", json_string_value(json_object_get(a, "name")),
	       json_number_value(json_object_get(a, "mass_kg")));
	if (json_is_string(d))
		printf("  weighed %s (%lld days ago)%s", json_string_value(d),
		       json_integer_value(json_object_get(a,
						"weighin_age_days")),
		       json_is_true(json_object_get(a, "weighin_due")) ?
		       "  WEIGH-IN DUE" : "");
	else
		printf("  never weighed  WEIGH-IN DUE");
	printf("\n");
}

static void print_weighins(const json_t *w)
{
	size_t i;
	json_t *e;

	if (!json_array_size(w))
		return;
	printf("weigh-ins:\n");
	json_array_foreach(w, i, e)
		printf("  %s  %6.1f kg\n",
		       json_string_value(json_object_get(e, "date")),
		       json_number_value(json_object_get(e, "mass_kg")));
}

static void print_records(const json_t *recs)
{
	size_t i;
	json_t *r;

	if (json_array_size(recs))
		printf("sessions:\n");
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

/*
 * The operator's confirmation of an irreversible change: --yes, or the
 * name typed again at a terminal after seeing what goes.
 */
static int confirm_by_name(struct ctl *c, const char *verb, const char *name,
			   bool yes)
{
	json_t *res;
	char line[128];
	int ret;

	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return ctl_usage("athlete",
				 "'athlete %s %s' cannot be undone; add --yes to confirm it",
				 verb, name);
	ret = ctl_call(c, "athlete_show", json_pack("{s:s}", "name", name),
		       &res);
	if (ret)
		return ret;
	if (!strcmp(verb, "remove"))
		printf("This erases %s and every record of them: %zu sessions with their traces and events, %zu weigh-ins. It cannot be undone.\n",
		       name, json_array_size(json_object_get(res, "sessions")),
		       json_array_size(json_object_get(res, "weighins")));
	else
		printf("This replaces the name %s by a number in every record; the %zu sessions stay, for the clinic's statistics. It cannot be undone.\n",
		       name, json_array_size(json_object_get(res, "sessions")));
	json_decref(res);
	printf("Type the athlete's name to confirm: ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, name)) {
		ctl_err("not confirmed; %s is unchanged", name);
		return LEVER_CTL_EXIT_FAIL;
	}
	return 0;
}

/* The request for the verb and its arguments, or an exit code. */
static int athlete_args(struct ctl *c, int argc, char **argv,
			const char **cmd, json_t **args)
{
	const char *verb = argv[1];
	bool yes = false;
	double kg;
	int ret;

	*args = NULL;
	if (!strcmp(verb, "list")) {
		if (argc != 2)
			return ctl_usage("athlete", "'athlete list' takes no arguments");
		*cmd = "athlete_list";
	} else if (!strcmp(verb, "show")) {
		if (argc != 3)
			return ctl_usage("athlete", "'athlete show' needs exactly one NAME");
		*cmd = "athlete_show";
		*args = json_pack("{s:s}", "name", argv[2]);
	} else if (!strcmp(verb, "add") || !strcmp(verb, "weigh") ||
		   !strcmp(verb, "set-mass")) {
		if (argc != 4)
			return ctl_usage("athlete", "'athlete %s' needs NAME and MASS_KG",
					 verb);
		if (ctl_parse_kg(argv[3], &kg))
			return ctl_usage("athlete",
					 "body mass '%s' is not a number of kg like 70 or 68.5",
					 argv[3]);
		*cmd = verb[0] == 'a' ? "athlete_add" : "athlete_weigh";
		*args = json_pack("{s:s, s:f}", "name", argv[2], "mass_kg", kg);
	} else if (!strcmp(verb, "rename")) {
		if (argc != 4)
			return ctl_usage("athlete", "'athlete rename' needs NAME and NEW_NAME");
		*cmd = "athlete_rename";
		*args = json_pack("{s:s, s:s}", "name", argv[2], "new_name",
				  argv[3]);
	} else if (!strcmp(verb, "anonymise") || !strcmp(verb, "remove")) {
		if (argc == 4 && ctl_opt_flag(argv[3], "--yes"))
			yes = true;
		else if (argc != 3)
			return ctl_usage("athlete", "'athlete %s' needs NAME (and --yes from a script)",
					 verb);
		if (argv[2][0] == '-')
			return ctl_usage("athlete", "'athlete %s' needs NAME before its options",
					 verb);
		ret = confirm_by_name(c, verb, argv[2], yes);
		if (ret)
			return ret;
		*cmd = verb[0] == 'a' ? "athlete_anonymise" : "athlete_remove";
		*args = json_pack("{s:s, s:s}", "name", argv[2], "confirm",
				  argv[2]);
	} else {
		return ctl_usage("athlete", "unknown athlete command '%s'; say "
				 ATHLETE_VERBS, verb);
	}
	return 0;
}

static void print_result(const char *cmd, const json_t *res)
{
	size_t i;
	json_t *a;

	if (!strcmp(cmd, "athlete_list")) {
		json_array_foreach(json_object_get(res, "athletes"), i, a)
			print_athlete(a);
	} else if (!strcmp(cmd, "athlete_rename")) {
		printf("%s is now %s; their records follow the new name\n",
		       json_string_value(json_object_get(res, "was")),
		       json_string_value(json_object_get(res, "name")));
	} else if (!strcmp(cmd, "athlete_anonymise")) {
		printf("anonymised: the records are kept as %s\n",
		       json_string_value(json_object_get(res, "name")));
	} else if (!strcmp(cmd, "athlete_remove")) {
		printf("removed %s: %lld sessions, %lld events, %lld trace rows, %lld weigh-ins\n",
		       json_string_value(json_object_get(res, "removed")),
		       json_integer_value(json_object_get(res, "sessions")),
		       json_integer_value(json_object_get(res, "events")),
		       json_integer_value(json_object_get(res, "trace_rows")),
		       json_integer_value(json_object_get(res, "weighins")));
	} else {
		print_athlete(res);
		print_weighins(json_object_get(res, "weighins"));
		print_records(json_object_get(res, "sessions"));
	}
}

int ctl_athlete(struct ctl *c, int argc, char **argv)
{
	const char *cmd = NULL;
	json_t *args, *res;
	int ret;

	if (argc < 2)
		return ctl_usage("athlete", "say " ATHLETE_VERBS);
	ret = athlete_args(c, argc, argv, &cmd, &args);
	if (ret)
		return ret;
	ret = ctl_call(c, cmd, args, &res);
	if (ret)
		return ret;
	if (c->json)
		ret = ctl_print_json(res);
	else
		print_result(cmd, res);
	json_decref(res);
	return ret;
}
