// SPDX-License-Identifier: MIT
/*
 * sess_export: "export" {session: ID} answers the session's record (with
 * the mass, board and operator it ran with), its athlete's name, its
 * events oldest first, its steps and how many trace rows there are. The
 * client pages the trace with "trace" and encodes the files itself, as
 * the operator's user, where the operator can write.
 */
#include "sess_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"
#include "store.h"

static json_t *record_json(const struct store_session *r, const char *name)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:i,"
			 " s:s, s:I, s:I, s:I, s:s, s:I}",
			 "id", (json_int_t)r->id, "athlete", name,
			 "plan", r->plan, "session", r->session,
			 "date", r->date,
			 "started_s", (json_int_t)r->started_s,
			 "ended_s", (json_int_t)r->ended_s,
			 "completed", r->completed, "pain", r->pain,
			 "pain_score", r->pain_score,
			 "end_cause", r->end_cause,
			 "elapsed_ms", (json_int_t)r->elapsed_ms,
			 "steps_skipped", (json_int_t)r->steps_skipped,
			 "mass_g", (json_int_t)r->mass_g,
			 "board_serial", r->board_serial,
			 "operator_uid", (json_int_t)r->operator_uid);
}

/* [id, wall_ms, mono_ns, kind, cause, detail], oldest first */
static json_t *events_json(struct store *st, int64_t id, const char **name)
{
	struct store_event_filter f = { .session_id = id,
					.limit = SESS_EXPORT_EVENTS_MAX };
	struct store_event *ev;
	static char athlete[64];
	json_t *arr;
	size_t n, i;

	if (store_events(st, &f, &ev, &n))
		return NULL;
	arr = json_array();
	for (i = n; arr && i-- > 0;)
		json_array_append_new(arr, json_pack("[I, I, I, s, s, s]",
			(json_int_t)ev[i].id, (json_int_t)ev[i].wall_ms,
			(json_int_t)ev[i].mono_ns, ev[i].kind, ev[i].cause,
			ev[i].detail));
	snprintf(athlete, sizeof(athlete), "%s", n ? ev[0].athlete : "");
	*name = athlete;
	free(ev);
	return arr;
}

/* [t_ms, step_index, step_count, kind, bw_carried_pct_x100, belt_mm_s] */
static json_t *steps_json(struct store *st, int64_t id)
{
	struct store_step *s;
	json_t *arr;
	size_t n, i;

	if (store_steps(st, id, &s, &n))
		return NULL;
	arr = json_array();
	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("[I, i, i, s, i, i]",
			(json_int_t)s[i].t_ms, s[i].step_index,
			s[i].step_count, s[i].kind, s[i].bw_carried_pct_x100,
			s[i].belt_speed_mm_s));
	free(s);
	return arr;
}

int sess_export(struct store *st, const json_t *args, json_t **result,
		char *msg, size_t len)
{
	struct store_session rec;
	json_t *v = args ? json_object_get(args, "session") : NULL;
	json_t *ev, *steps;
	const char *name = "";
	json_int_t id;
	size_t rows;
	int ret;

	if (!v || !json_is_integer(v) || json_integer_value(v) < 1)
		return say(msg, len, -EINVAL,
			   "which session? give its record id as session");
	id = json_integer_value(v);
	ret = store_session_get(st, id, &rec);
	if (ret == -ENOENT)
		return say(msg, len, ret, "no session record %lld",
			   (long long)id);
	if (ret)
		return say(msg, len, ret, "cannot read the records: %s",
			   strerror(-ret));
	if (!strcmp(rec.end_cause, "running"))
		return say(msg, len, -EBUSY,
			   "session %lld is still running; export it after it has ended",
			   (long long)id);
	ret = store_trace_count(st, id, &rows);
	if (ret)
		return say(msg, len, ret, "cannot read the trace: %s",
			   strerror(-ret));
	ev = events_json(st, id, &name);
	steps = steps_json(st, id);
	*result = json_pack("{s:o, s:o, s:o, s:I}",
			    "record", record_json(&rec, name),
			    "events", ev ? ev : json_array(),
			    "steps", steps ? steps : json_array(),
			    "rows_total", (json_int_t)rows);
	return *result ? 0 : say(msg, len, -ENOMEM, "out of memory");
}
