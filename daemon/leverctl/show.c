// SPDX-License-Identifier: MIT
/*
 * leverctl show [SESSION]: a session's steps and totals, or with no session
 * the whole plan with per-session and weekly totals, read locally with the
 * same parser and JSON as leverd, so the figures shown are the ones run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leverctl.h"
#include "plan_json.h"

static double num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_session(const json_t *s)
{
	char at[32], dur[32], total[32], run[32];
	double t = 0;
	size_t i;
	json_t *st;

	ctl_fmt_duration(total, sizeof(total), num(s, "total_s"));
	ctl_fmt_duration(run, sizeof(run), num(s, "run_s"));
	printf("%s %s: %s\n", str(s, "plan"), str(s, "session"),
	       str(s, "title"));
	printf("  %-5s %-9s %-7s %10s %9s %8s %7s\n", "at", "step", "time",
	       "speed", "incline", "BW", "ramp");
	json_array_foreach(json_object_get(s, "steps"), i, st) {
		json_t *rep = json_object_get(st, "repeat");
		char kind[32];

		ctl_fmt_duration(at, sizeof(at), t);
		ctl_fmt_duration(dur, sizeof(dur), num(st, "duration_s"));
		if (rep)
			snprintf(kind, sizeof(kind), "%s %lld/%lld",
				 str(st, "kind"),
				 json_integer_value(json_array_get(rep, 0)),
				 json_integer_value(json_array_get(rep, 1)));
		else
			snprintf(kind, sizeof(kind), "%s", str(st, "kind"));
		printf("  %-5s %-9s %-7s %5.1f km/h %7.1f %% %6.1f %% %5.0f s\n",
		       at, kind, dur, num(st, "belt_speed_km_h"),
		       num(st, "incline_pct"), num(st, "bw_pct"),
		       num(st, "ramp_s"));
		t += num(st, "duration_s");
	}
	printf("  total %s, running %s, body weight carried ", total, run);
	if (num(s, "bw_min_pct") == num(s, "bw_max_pct"))
		printf("%.1f %%\n", num(s, "bw_min_pct"));
	else
		printf("%.1f-%.1f %%\n", num(s, "bw_min_pct"),
		       num(s, "bw_max_pct"));
}

static void print_list(const char *title, const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_array_size(a))
		return;
	printf("%s:\n", title);
	json_array_foreach(a, i, v)
		printf("  - %s\n", json_string_value(v));
}

static void print_plan(const json_t *p)
{
	char a[32], b[32], c[32];
	size_t i;
	json_t *s;

	printf("%s (%s)\n\n", str(p, "name"), str(p, "id"));
	printf("%s\n\n", str(p, "description"));
	print_list("start criteria (confirm before the first session)",
		   json_object_get(p, "start_criteria"));
	print_list("rules", json_object_get(p, "rules"));
	print_list("regression", json_object_get(p, "regression"));
	printf("\n  %-12s %8s %8s %10s\n", "session", "total", "running",
	       "BW carried");
	json_array_foreach(json_object_get(p, "sessions"), i, s) {
		ctl_fmt_duration(a, sizeof(a), num(s, "total_s"));
		ctl_fmt_duration(b, sizeof(b), num(s, "run_s"));
		if (num(s, "bw_min_pct") == num(s, "bw_max_pct"))
			snprintf(c, sizeof(c), "%.0f %%", num(s, "bw_min_pct"));
		else
			snprintf(c, sizeof(c), "%.0f-%.0f %%",
				 num(s, "bw_min_pct"), num(s, "bw_max_pct"));
		printf("  %-12s %8s %8s %10s\n", str(s, "session"), a, b, c);
	}
	printf("\n  %-12s %8s %8s\n", "week", "total", "running");
	json_array_foreach(json_object_get(p, "weekly"), i, s) {
		ctl_fmt_duration(a, sizeof(a), num(s, "total_s"));
		ctl_fmt_duration(b, sizeof(b), num(s, "run_s"));
		printf("  week %-7.0f %8s %8s\n", num(s, "week"), a, b);
	}
	ctl_fmt_duration(a, sizeof(a), num(p, "weekly_average_s"));
	ctl_fmt_duration(b, sizeof(b), num(p, "longest_session_s"));
	printf("\n  weekly average %s, longest session %s, body weight carried %s\n",
	       a, b, json_is_true(json_object_get(p, "bw_never_decreasing")) ?
	       "never decreasing" : "DECREASES somewhere");
	if (json_string_value(json_object_get(p, "note")))
		printf("\nnote: %s\n", str(p, "note"));
	printf("\nprovenance: %s\n", str(p, "provenance"));
	if (json_string_value(json_object_get(p, "disclaimer")))
		printf("\n%s\n", str(p, "disclaimer"));
}

/* The only plan in the plans directory, or NULL (message said). */
static char *only_plan(struct ctl *c)
{
	const char *dir = ctl_plans_dir(c);
	struct dirent *de;
	char *found = NULL;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		ctl_err("cannot read the plans directory %s; set LEVER_PLANS_DIR or --plans-dir",
			dir);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!n++)
			found = strdup(de->d_name);
	}
	closedir(d);
	if (n == 1)
		return found;
	free(found);
	ctl_err(n ? "more than one plan in %s; name one with --plan" :
		"no plans in %s", dir);
	return NULL;
}

int ctl_show(struct ctl *c, int argc, char **argv)
{
	const char *session = NULL, *plan_id = NULL, *fmt = NULL, *dir = NULL;
	const struct plan_session *ps;
	char *own = NULL, near[128];
	struct plan *p;
	json_t *j;
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		const char *v;

		if ((r = ctl_opt_value(argc, argv, &i, "--plan", &v))) {
			if (r < 0)
				return ctl_usage("show", "--plan needs a plan name");
			plan_id = v;
		} else if ((r = ctl_opt_value(argc, argv, &i, "--format", &fmt)) ||
			   (r = ctl_opt_value(argc, argv, &i, "--dir", &dir))) {
			if (r < 0)
				return ctl_usage("show", "%s needs a value", argv[i]);
		} else if (argv[i][0] == '-') {
			return ctl_usage("show", "unknown option '%s'", argv[i]);
		} else if (session) {
			return ctl_usage("show", "one session at a time ('%s' and '%s' given)",
					 session, argv[i]);
		} else {
			session = argv[i];
		}
	}
	if (fmt && strcmp(fmt, "fit-workout"))
		return ctl_usage("show", "--format '%s': show writes fit-workout files only",
				 fmt);
	if (!fmt != !dir)
		return ctl_usage("show", "--format fit-workout and --dir DIR go together");
	if (!plan_id) {
		own = only_plan(c);
		if (!own)
			return LEVER_CTL_EXIT_NOT_FOUND;
		plan_id = own;
	}
	ret = ctl_load_plan(c, plan_id, &p);
	free(own);
	if (ret)
		return ret;
	if (session) {
		ps = plan_find_session(p, session);
		if (!ps) {
			plan_suggest(p, session, near, sizeof(near));
			ctl_err("unknown session '%s' in plan %s; closest: %s",
				session, p->id, near);
			plan_free(p);
			return LEVER_CTL_EXIT_NOT_FOUND;
		}
		j = fmt ? NULL : plan_json_session(p, ps);
	} else {
		ps = NULL;
	}
	if (fmt) {
		ret = ctl_write_workouts(c, p, ps, dir);
		plan_free(p);
		return ret;
	}
	if (!session)
		j = plan_json_plan(p);
	plan_free(p);
	if (!j) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	if (c->json)
		ctl_print_json(j);
	else if (session)
		print_session(j);
	else
		print_plan(j);
	json_decref(j);
	return LEVER_CTL_EXIT_OK;
}
