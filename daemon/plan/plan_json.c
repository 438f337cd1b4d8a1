// SPDX-License-Identifier: MIT
/*
 * plan_json_: plans and sessions as JSON for leverd and leverctl, so the
 * daemon and the local CLI print the same numbers. Units are in the keys;
 * values are exact (integers or two-decimal fractions of them).
 */
#include "plan_json.h"

static json_t *x100(int32_t v)
{
	return json_real(v / 100.0);
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *list(const struct plan_text_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->item[i]));
	return a;
}

json_t *plan_json_session(const struct plan *p, const struct plan_session *s)
{
	json_t *o, *steps;
	size_t i;

	steps = json_array();
	for (i = 0; steps && i < s->n_steps; i++) {
		const struct plan_step *st = &s->steps[i];
		json_t *j = json_pack("{s:I, s:s, s:I, s:o, s:I, s:o, s:o, s:o, s:I}",
			"index", (json_int_t)i,
			"kind", plan_step_kind_name(st->kind),
			"duration_s", (json_int_t)(st->duration_ms / 1000),
			"belt_speed_km_h", x100(st->belt_speed_km_h_x100),
			"belt_speed_mm_s", (json_int_t)st->belt_speed_mm_s,
			"incline_pct", x100(st->incline_centi_pct),
			"bw_pct", x100(st->bw_carried_pct_x100),
			"ramp_s", json_real(st->ramp_ms / 1000.0),
			"line", (json_int_t)st->line);

		if (j && st->repeat_count)
			json_object_set_new(j, "repeat",
				json_pack("[I, I]",
					  (json_int_t)st->repeat_index,
					  (json_int_t)st->repeat_count));
		json_array_append_new(steps, j);
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
		"plan", p ? p->id : "",
		"session", s->name,
		"week", (json_int_t)s->week,
		"day", (json_int_t)s->day,
		"title", text_or_null(s->title),
		"note", text_or_null(s->note),
		"total_s", (json_int_t)(s->total_ms / 1000),
		"run_s", (json_int_t)(s->run_ms / 1000),
		"bw_min_pct", x100(s->bw_min_pct_x100),
		"bw_max_pct", x100(s->bw_max_pct_x100),
		"steps", steps ? steps : json_null());
	return o;
}

json_t *plan_json_summary(const struct plan *p)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I}",
			 "id", p->id, "name", p->name,
			 "weeks", (json_int_t)p->weeks,
			 "sessions_per_week", (json_int_t)p->sessions_per_week,
			 "sessions", (json_int_t)p->n_sessions);
}

json_t *plan_json_plan(const struct plan *p)
{
	json_t *o, *sessions, *weekly;
	uint64_t total_ms = 0, week_ms = 0, week_run_ms = 0;
	uint32_t longest_ms = 0;
	int32_t prev_bw = 0;
	bool bw_rising = true;
	size_t i, k;

	sessions = json_array();
	weekly = json_array();
	for (i = 0; sessions && weekly && i < p->n_sessions; i++) {
		const struct plan_session *s = &p->sessions[i];

		json_array_append_new(sessions,
			json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}",
				  "session", s->name,
				  "week", (json_int_t)s->week,
				  "day", (json_int_t)s->day,
				  "total_s", (json_int_t)(s->total_ms / 1000),
				  "run_s", (json_int_t)(s->run_ms / 1000),
				  "bw_min_pct", x100(s->bw_min_pct_x100),
				  "bw_max_pct", x100(s->bw_max_pct_x100)));
		total_ms += s->total_ms;
		week_ms += s->total_ms;
		week_run_ms += s->run_ms;
		if (s->total_ms > longest_ms)
			longest_ms = s->total_ms;
		for (k = 0; k < s->n_steps; k++) {
			if (s->steps[k].bw_carried_pct_x100 < prev_bw)
				bw_rising = false;
			prev_bw = s->steps[k].bw_carried_pct_x100;
		}
		if (s->day == p->sessions_per_week) {
			json_array_append_new(weekly,
				json_pack("{s:I, s:I, s:I}",
					  "week", (json_int_t)s->week,
					  "total_s", (json_int_t)(week_ms / 1000),
					  "run_s", (json_int_t)(week_run_ms / 1000)));
			week_ms = 0;
			week_run_ms = 0;
		}
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
		"id", p->id, "name", p->name, "author", p->author,
		"scope", p->scope, "description", p->description,
		"provenance", p->provenance,
		"note", text_or_null(p->note),
		"disclaimer", text_or_null(p->disclaimer));
	if (!o) {
		json_decref(sessions);
		json_decref(weekly);
		return NULL;
	}
	json_object_set_new(o, "start_criteria", list(&p->criteria));
	json_object_set_new(o, "rules", list(&p->rules));
	json_object_set_new(o, "progression", list(&p->progression));
	json_object_set_new(o, "regression", list(&p->regression));
	json_object_set_new(o, "weeks", json_integer(p->weeks));
	json_object_set_new(o, "sessions_per_week",
			    json_integer(p->sessions_per_week));
	json_object_set_new(o, "sessions", sessions ? sessions : json_null());
	json_object_set_new(o, "weekly", weekly ? weekly : json_null());
	json_object_set_new(o, "total_s", json_integer(total_ms / 1000));
	json_object_set_new(o, "weekly_average_s",
			    json_integer(p->weeks ?
					 total_ms / 1000 / p->weeks : 0));
	json_object_set_new(o, "longest_session_s",
			    json_integer(longest_ms / 1000));
	json_object_set_new(o, "bw_never_decreasing", json_boolean(bw_rising));
	return o;
}
