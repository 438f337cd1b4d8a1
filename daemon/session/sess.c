// SPDX-License-Identifier: MIT
/*
 * sess_: what the operator asks of leverd about sessions, athletes and
 * plans. It decides whether a session may start (and says why not), runs
 * it through seq_, and records it through store_. It never touches the
 * device: the RT side follows the targets it hands out with a generation.
 * This file holds the session itself: its events, its record, the tick
 * and the status; the requests are in sess_cmd.c and the files it calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sess_priv.h"

static time_t default_wall(void *ctx)
{
	return time(NULL);
}

int sess_open(struct sess **out, const char *plans_dir, const char *state_dir)
{
	struct sess *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->plans_dir = strdup(plans_dir);
	if (!s->plans_dir) {
		free(s);
		return -ENOMEM;
	}
	ret = store_open(&s->store, state_dir);
	if (ret) {
		free(s->plans_dir);
		free(s);
		return ret;
	}
	s->wall = default_wall;
	s->source = "operator";
	s->mass_max_age_days = SESS_MASS_MAX_AGE_DAYS;
	*out = s;
	return 0;
}

void sess_drop(struct sess *s)
{
	seq_destroy(s->seq);
	s->seq = NULL;
	plan_free(s->plan);
	s->plan = NULL;
	s->ps = NULL;
}

void sess_close(struct sess *s)
{
	if (!s)
		return;
	sess_drop(s);
	json_decref(s->summary);
	store_close(s->store);
	free(s->plans_dir);
	free(s);
}

void sess_set_wall_clock(struct sess *s, sess_wall_clock_fn fn, void *ctx)
{
	s->wall = fn ? fn : default_wall;
	s->wall_ctx = ctx;
}

void sess_set_mass_max_age(struct sess *s, unsigned int days)
{
	s->mass_max_age_days = days;
}

/* Local date of t, shifted by days. */
void sess_date_of(time_t t, int days, char out[11])
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = 12;	/* away from DST edges */
	tm.tm_isdst = -1;
	t = mktime(&tm);
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

bool sess_active(const struct sess *s)
{
	enum seq_state st = s->seq ? seq_state(s->seq) : SEQ_IDLE;

	return st == SEQ_RUNNING || st == SEQ_PAUSED;
}

/* ---- events (Documentation/safety.rst rule 7) ---- */

static int64_t wall_ms(struct sess *s)
{
	struct timespec ts;

	if (s->wall == default_wall && !clock_gettime(CLOCK_REALTIME, &ts))
		return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return (int64_t)s->wall(s->wall_ctx) * 1000;
}

/* One event, committed (synchronous=FULL) before this returns. */
int sess_note(struct sess *s, uint64_t now_ns, int64_t session_id,
	      int64_t athlete_id, const char *kind, const char *cause,
	      const char *fmt, ...)
{
	struct store_event ev;
	va_list ap;
	int ret;

	memset(&ev, 0, sizeof(ev));
	ev.wall_ms = wall_ms(s);
	ev.mono_ns = now_ns;
	ev.session_id = session_id;
	ev.athlete_id = athlete_id;
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.cause, sizeof(ev.cause), "%s", cause ? cause : "");
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(ev.detail, sizeof(ev.detail), fmt, ap);
		va_end(ap);
	}
	ret = store_event_add(s->store, &ev, NULL);
	if (ret)
		s->events_failed++;
	return ret;
}

bool sess_recording(struct sess *s, uint64_t now_ns, int64_t *id,
		    uint64_t *start_ns)
{
	bool on = s->seq && s->rec_id > 0 &&
		  (sess_active(s) || (s->recorded && s->have_fb &&
				 !s->fb.belt_stopped &&
				 now_ns - s->end_ns < TRACE_TRAIL_NS));

	if (id)
		*id = on ? s->rec_id : 0;
	if (start_ns)
		*start_ns = on ? s->start_ns : 0;
	return on;
}

int sess_event(struct sess *s, uint64_t now_ns, const char *kind,
	       const char *cause, const char *detail)
{
	bool cur = sess_recording(s, now_ns, NULL, NULL);

	return sess_note(s, now_ns, cur ? s->rec_id : 0,
			 cur ? s->athlete.id : 0, kind, cause, "%s",
			 detail ? detail : "");
}

struct store *sess_store(struct sess *s)
{
	return s->store;
}

/* ---- arguments ---- */

const char *sess_arg_str(const json_t *args, const char *key)
{
	json_t *v = args ? json_object_get(args, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool sess_arg_bool(const json_t *args, const char *key)
{
	json_t *v = args ? json_object_get(args, key) : NULL;

	return json_is_true(v);
}

/* ---- recording ---- */

void sess_record_end(struct sess *s, uint64_t now_ns)
{
	struct store_session r;
	struct seq_out o;
	struct next nx;
	enum seq_end why;
	int ret, begun, committed, noted;

	if (!s->seq || s->recorded)
		return;
	seq_update(s->seq, now_ns, &o);
	if (o.state != SEQ_STOPPED && o.state != SEQ_FINISHED)
		return;
	why = seq_end_cause(s->seq);
	memset(&r, 0, sizeof(r));
	r.id = s->rec_id;
	r.ended_s = s->wall(s->wall_ctx);
	r.completed = why == SEQ_END_COMPLETED;
	r.pain = why == SEQ_END_PAIN;
	r.pain_score = seq_pain_score(s->seq);
	if (why == SEQ_END_FAULT)
		snprintf(r.end_cause, sizeof(r.end_cause), "fault: %.56s",
			 s->fault_cause);
	else
		snprintf(r.end_cause, sizeof(r.end_cause), "%s",
			 seq_end_name(why));
	r.elapsed_ms = o.session_elapsed_ms;
	r.steps_skipped = seq_steps_skipped(s->seq);
	/*
	 * The end record and its event in one commit: a power cut keeps
	 * both or neither (Documentation/safety.rst, rule 7). The event is
	 * written even when the record failed, to say so; without the
	 * transaction (the database busy past its timeout) they are two.
	 */
	begun = store_begin(s->store);
	ret = store_session_end(s->store, &r);
	s->recorded = true;
	s->end_ns = now_ns;
	noted = note_session(s, now_ns, "end", r.end_cause,
			     "%.1f s of %.1f s planned, %u step(s) skipped%s",
			     r.elapsed_ms / 1000.0, s->ps->total_ms / 1000.0,
			     r.steps_skipped,
			     ret ? "; the session record failed" : "");
	if (!begun) {
		committed = store_commit(s->store);
		if (committed && !noted)
			s->events_failed++;	/* the commit lost it */
		ret = ret ?: committed;
	}

	json_decref(s->summary);
	s->summary = json_pack("{s:s, s:s, s:s, s:f, s:s, s:b, s:b, s:o, s:s, s:f, s:f, s:I, s:b}",
		"plan", s->plan->id, "session", s->ps->name,
		"athlete", s->athlete.name,
		"mass_kg", s->athlete.mass_g / 1000.0,
		"date", s->date,
		"completed", r.completed, "pain", r.pain,
		"pain_score", r.pain_score >= 0 ?
			      json_integer(r.pain_score) : json_null(),
		"end_cause", r.end_cause,
		"elapsed_s", r.elapsed_ms / 1000.0,
		"planned_s", s->ps->total_ms / 1000.0,
		"steps_skipped", (json_int_t)r.steps_skipped,
		"recorded", ret == 0);
	if (s->summary)
		json_object_set_new(s->summary, "record_id",
				    json_integer(s->rec_id));
	if (s->summary &&
	    !sess_compute_next(s, &s->athlete, s->plan, &nx, NULL))
		json_object_set_new(s->summary, "next",
				    nx.session[0] ? json_string(nx.session) :
				    json_null());
}


void sess_fault(struct sess *s, uint64_t now_ns, const char *cause)
{
	if (!s->fault || !s->fault_cause[0])
		snprintf(s->fault_cause, sizeof(s->fault_cause), "%s",
			 cause ? cause : "fault");
	s->fault = true;
	if (sess_active(s)) {
		seq_stop(s->seq, now_ns, SEQ_END_FAULT);
		note_session(s, now_ns, "stop", "fault", "%s", s->fault_cause);
		sess_record_end(s, now_ns);
	}
}

/*
 * Where the sequencer entered each step: exports cut laps there. The step
 * began step_elapsed before now; steps a late tick jumped over ran their
 * whole duration before it (a skip between two ticks is not seen).
 */
static void note_step(struct sess *s, uint64_t now_ns, const struct seq_out *o)
{
	const struct plan_step *ps;
	struct store_step st = { 0 };
	uint32_t t;
	int k;

	if (s->step_rec_id != s->rec_id) {
		s->step_rec_id = s->rec_id;
		s->step_noted = -1;
	}
	if ((o->state != SEQ_RUNNING && o->state != SEQ_PAUSED) ||
	    o->step_index <= s->step_noted)
		return;
	t = (uint32_t)((now_ns - s->start_ns) / 1000000u);
	t -= t < o->step_elapsed_ms ? t : o->step_elapsed_ms;
	for (k = o->step_index; k > s->step_noted; k--) {
		ps = seq_step(s->seq, k);
		st.t_ms = t;
		st.step_index = k;
		st.step_count = (int32_t)seq_n_steps(s->seq);
		snprintf(st.kind, sizeof(st.kind), "%s",
			 plan_step_kind_name(ps->kind));
		st.bw_carried_pct_x100 = ps->bw_carried_pct_x100;
		st.belt_speed_mm_s = ps->belt_speed_mm_s;
		if (store_step_add(s->store, s->rec_id, &st))
			s->events_failed++;
		if (k > 0) {
			ps = seq_step(s->seq, k - 1);
			t -= t < ps->duration_ms ? t : ps->duration_ms;
		}
	}
	s->step_noted = o->step_index;
}

void sess_tick(struct sess *s, const struct sess_feedback *fb,
	       struct sess_targets *out)
{
	struct seq_out o;

	s->fb = *fb;
	s->have_fb = true;
	/* The supervisor tells us too; do not rely on it alone. */
	if (sess_active(s) &&
	    (fb->estop || fb->safety_key || fb->fault_latched))
		sess_fault(s, fb->now_ns, fb->estop ? "e-stop" :
			   fb->safety_key ? "safety key" : "supervisor fault");

	memset(out, 0, sizeof(*out));
	out->generation = s->generation;
	out->run = SESS_IDLE;
	if (!s->seq)
		return;
	seq_update(s->seq, fb->now_ns, &o);
	note_step(s, fb->now_ns, &o);
	sess_record_end(s, fb->now_ns);
	out->mass_kg = s->athlete.mass_g / 1000.0f;
	out->incline_centi_pct = o.incline_centi_pct;
	out->bw_carried_pct_x100 = o.bw_carried_pct_x100;
	switch (o.state) {
	case SEQ_RUNNING:
		out->run = SESS_RUN;
		out->belt_speed_mm_s = o.belt_speed_mm_s;
		out->ramp_ms = o.ramp_remaining_ms;
		break;
	case SEQ_PAUSED:
		out->run = SESS_PAUSE;
		break;
	case SEQ_STOPPED:
	case SEQ_FINISHED:
		out->run = SESS_STOP;
		break;
	case SEQ_IDLE:
		out->run = SESS_IDLE;
		break;
	}
}

static const char *status_state(struct sess *s, const struct seq_out *o)
{
	if (s->fault)
		return "fault";
	if (!s->seq)
		return "idle";
	switch (o->state) {
	case SEQ_RUNNING:
		return "running";
	case SEQ_PAUSED:
		return "paused";
	case SEQ_STOPPED:
	case SEQ_FINISHED:
		if (s->have_fb && !s->fb.belt_stopped)
			return "stopping";
		return o->state == SEQ_FINISHED ? "finished" : "stopped";
	case SEQ_IDLE:
		break;
	}
	return "idle";
}

json_t *sess_status(struct sess *s, uint64_t now_ns)
{
	struct seq_out o;
	json_t *j, *step = json_null(), *target = json_null();

	memset(&o, 0, sizeof(o));
	if (s->seq)
		seq_update(s->seq, now_ns, &o);
	if (s->seq && (o.state == SEQ_RUNNING || o.state == SEQ_PAUSED)) {
		const struct plan_step *st = seq_step(s->seq, o.step_index);

		step = json_pack("{s:I, s:I, s:s, s:f, s:f}",
				 "index", (json_int_t)o.step_index,
				 "count", (json_int_t)seq_n_steps(s->seq),
				 "kind", plan_step_kind_name(st->kind),
				 "elapsed_s", o.step_elapsed_ms / 1000.0,
				 "remaining_s", o.step_remaining_ms / 1000.0);
		if (step && st->repeat_count)
			json_object_set_new(step, "repeat",
				json_pack("[I, I]",
					  (json_int_t)st->repeat_index,
					  (json_int_t)st->repeat_count));
	}
	if (s->seq && o.state != SEQ_IDLE)
		target = json_pack("{s:f, s:f, s:f, s:f}",
				   "belt_speed_km_h",
				   o.belt_speed_mm_s * 0.0036,
				   "incline_pct", o.incline_centi_pct / 100.0,
				   "bw_pct", o.bw_carried_pct_x100 / 100.0,
				   "ramp_remaining_s",
				   o.ramp_remaining_ms / 1000.0);
	j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
		"state", status_state(s, &o),
		"plan", s->seq ? json_string(s->plan->id) : json_null(),
		"session", s->seq ? json_string(s->ps->name) : json_null(),
		"athlete", s->seq ? json_string(s->athlete.name) : json_null(),
		"mass_kg", s->seq ? json_real(s->athlete.mass_g / 1000.0) :
				    json_null(),
		"step", step ? step : json_null(),
		"session_elapsed_s", s->seq ?
			json_real(o.session_elapsed_ms / 1000.0) : json_null(),
		"session_remaining_s", s->seq ?
			json_real(o.session_remaining_ms / 1000.0) :
			json_null(),
		"target", target ? target : json_null(),
		"generation", (json_int_t)s->generation);
	if (j && s->fault)
		json_object_set_new(j, "fault_cause",
				    json_string(s->fault_cause));
	/* safety.rst rule 7: a refused event is said, not lost silently */
	if (j)
		json_object_set_new(j, "events_not_recorded",
				    json_integer((json_int_t)s->events_failed));
	return j;
}

json_t *sess_take_summary(struct sess *s)
{
	json_t *j = s->summary;

	s->summary = NULL;
	return j;
}
