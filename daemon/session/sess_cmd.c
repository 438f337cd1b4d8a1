// SPDX-License-Identifier: MIT
/*
 * sess_cmd.c - the operator's requests about sessions: start with its
 * refusals (Documentation/safety.rst rule 6), pause, resume, stop, skip,
 * pain and reset, and the dispatch of every sess_ request. A refusal is
 * one sentence that says what to do next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lever_ctl.h"
#include "sess_priv.h"

static int cmd_start(struct sess *s, const char *cmd, const json_t *args,
		     uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	struct store_athlete a;
	struct store_session *recs, last;
	struct plan *p = NULL;
	const struct plan_session *ps;
	struct next nx;
	char today[11], yesterday[11], mass_why[128];
	time_t wall;
	size_t n, i;
	double need_n, max_n;
	bool confirmed;
	int ret, tx;

	if (sess_active(s))
		return say(msg, len, -EBUSY,
			   "a session is running (%s); stop it first",
			   s->ps->name);
	if (s->have_fb && (s->fb.estop || s->fb.safety_key))
		return say(msg, len, -EIO,
			   "the %s is active; release it, run leverctl reset, then start",
			   s->fb.estop ? "e-stop" : "safety key");
	if (s->fault || (s->have_fb && s->fb.fault_latched))
		return say(msg, len, -EIO,
			   "a fault is latched (%s); clear its cause, run leverctl reset, then start",
			   s->fault ? s->fault_cause : "supervisor");
	ret = sess_get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	if (a.mass_g < MASS_MIN_G || a.mass_g > MASS_MAX_G)
		return say(msg, len, -EINVAL,
			   "athlete %s has no valid body mass; set it with: leverctl athlete set-mass %s KG",
			   a.name, a.name);
	ret = sess_pick_plan(s, args, &a, &p, msg, len);
	if (ret)
		return ret;
	ret = sess_find_session(p, sess_arg_str(args, "session"), &ps, msg,
				len);
	if (ret)
		goto out;

	/* Start criteria: confirmed once per athlete and plan. */
	ret = store_criteria_confirmed(s->store, a.id, p->id, &confirmed);
	if (ret)
		goto store_err;
	if (!confirmed && !sess_arg_bool(args, "confirm_start_criteria")) {
		ret = say(msg, len, -ECANCELED,
			  "the start criteria of plan %s were never confirmed for %s; read them with 'leverctl show --plan %s', then start with --confirm-start-criteria",
			  p->id, a.name, p->id);
		goto out;
	}

	/* Pain: only a regression may follow a session that ended in pain. */
	ret = sess_compute_next(s, &a, p, &nx, &last);
	if (ret)
		goto store_err;
	if (last.pain) {
		unsigned int pw = 1, pd, w = 1, d;
		bool regression;

		plan_session_name_parse(last.session, &pw, &pd);
		plan_session_name_parse(ps->name, &w, &d);
		regression = w < pw || (pw == 1 && !strcmp(ps->name,
							   nx.session));
		if (!regression) {
			ret = say(msg, len, -ECANCELED,
				  "%s's last session (%s on %s) ended in pain; consult the clinician, then start the regression %s (the previous week)",
				  a.name, last.session, last.date, nx.session);
			goto out;
		}
	}

	/* No back-to-back run days (any plan) unless overridden. */
	wall = s->wall(s->wall_ctx);
	sess_date_of(wall, 0, today);
	sess_date_of(wall, -1, yesterday);
	if (!sess_arg_bool(args, "override_back_to_back")) {
		ret = store_sessions(s->store, a.id, NULL, &recs, &n);
		if (ret)
			goto store_err;
		for (i = n; i-- > 0;) {
			bool y = !strcmp(recs[i].date, yesterday);

			if (!y && strcmp(recs[i].date, today))
				continue;
			ret = say(msg, len, -EAGAIN,
				  "%s ran %s (%s on %s); the plan needs a day off between run days: start %s, or override with --override-back-to-back",
				  a.name, y ? "yesterday" : "already today",
				  recs[i].session, recs[i].date,
				  y ? "tomorrow" : "the day after tomorrow");
			break;
		}
		free(recs);
		if (ret)
			goto out;
	}

	/* The mass sets the support force: dated, recent, no jump. */
	ret = sess_check_mass(s, &a, wall, sess_arg_bool(args, "confirm_mass"),
			      mass_why, sizeof(mass_why), msg, len);
	if (ret)
		goto out;

	/* Support the unit can give for this mass at the lowest BW %. */
	need_n = (1.0 - ps->bw_min_pct_x100 / (double)LEVERD_BW_FULL_X100) *
		 (a.mass_g / 1000.0) * LEVERD_G_M_S2;
	max_n = s->have_fb ? s->fb.max_support_force_n : 0.0;
	if (!(max_n > 0.0)) {
		ret = say(msg, len, -EAGAIN,
			  "the unit's maximum support force is not known yet (no data from the board); check that leverd is connected, then start again");
		goto out;
	}
	if (need_n > max_n) {
		ret = say(msg, len, -ERANGE,
			  "%s needs %.0f N of support for %s (%.1f kg at %.0f %% body weight carried) but this unit gives at most %.0f N; choose a session with more body weight carried or a unit with more support",
			  ps->name, need_n, a.name, a.mass_g / 1000.0,
			  ps->bw_min_pct_x100 / 100.0, max_n);
		goto out;
	}

	if (!confirmed) {
		ret = store_criteria_confirm(s->store, a.id, p->id, wall);
		if (ret)
			goto store_err;
	}

	/* All checks passed: replace the last session and go. */
	sess_drop(s);
	json_decref(s->summary);
	s->summary = NULL;
	ret = seq_create(&s->seq, ps->steps, ps->n_steps);
	if (ret) {
		ret = say(msg, len, ret, "out of memory");
		goto out;
	}
	s->plan = p;
	s->ps = ps;
	p = NULL;
	s->athlete = a;
	s->started_s = wall;
	snprintf(s->date, sizeof(s->date), "%s", today);
	/*
	 * The start record and its event in one commit, as the end's
	 * (sess_record_end): a power cut keeps both or neither.
	 */
	tx = store_begin(s->store);
	ret = store_session_begin(s->store, a.id, s->plan->id, ps->name,
				  today, wall, &s->rec_id);
	/* names go into event text only as "athlete NAME" (anonymise) */
	if (!ret)
		note_session(s, now_ns, "start", s->source,
			     "plan %s, session %s, athlete %s, %.1f kg%s%s",
			     s->plan->id, ps->name, a.name, a.mass_g / 1000.0,
			     mass_why[0] ? ", " : "", mass_why);
	if (!tx && ret)
		store_rollback(s->store);
	else if (!tx)
		ret = store_commit(s->store);
	if (ret) {
		sess_drop(s);
		goto store_err;
	}
	s->recorded = false;
	s->generation++;
	s->start_ns = now_ns;
	seq_start(s->seq, now_ns);
	*result = json_pack("{s:s, s:s, s:s, s:f, s:I, s:f, s:I}",
			    "plan", s->plan->id, "session", ps->name,
			    "athlete", a.name, "mass_kg", a.mass_g / 1000.0,
			    "total_s", (json_int_t)(ps->total_ms / 1000),
			    "support_needed_n", need_n,
			    "generation", (json_int_t)s->generation);
	if (*result)
		json_object_set_new(*result, "record_id",
				    json_integer(s->rec_id));
	return 0;
store_err:
	say(msg, len, ret, "cannot use the records database: %s",
	    strerror(-ret));
out:
	plan_free(p);
	return ret;
}

static int need_session(struct sess *s, const char *what, char *msg,
			size_t len)
{
	if (sess_active(s))
		return 0;
	return say(msg, len, -EINVAL, "no session is running; nothing to %s",
		   what);
}

static json_t *state_result(struct sess *s, uint64_t now_ns)
{
	return sess_status(s, now_ns);
}

static void note_pain(struct sess *s, uint64_t now_ns, int64_t session_id,
		      int64_t athlete_id, int score, const char *when)
{
	char sc[32] = "no score";

	if (score >= 0)
		snprintf(sc, sizeof(sc), "score %d/10", score);
	sess_note(s, now_ns, session_id, athlete_id, "pain", s->source,
		  "%s, %s", sc, when);
}

static int cmd_pain(struct sess *s, const char *cmd, const json_t *args,
		    uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	json_t *v = args ? json_object_get(args, "score") : NULL;
	struct store_athlete a;
	struct store_session *recs;
	struct next nx;
	struct plan *p = NULL;
	int score = -1, ret;
	size_t n;

	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 10)
			return say(msg, len, -EINVAL,
				   "pain score must be a whole number from 0 to 10");
		score = (int)json_integer_value(v);
	}
	if (sess_active(s)) {
		seq_pain(s->seq, now_ns, score);
		note_pain(s, now_ns, s->rec_id, s->athlete.id, score,
			  "during the session");
		note_session(s, now_ns, "stop", "pain", NULL);
		sess_record_end(s, now_ns);
		ret = sess_compute_next(s, &s->athlete, s->plan, &nx, NULL);
		*result = json_pack("{s:s, s:s, s:o, s:b, s:s}",
				    "athlete", s->athlete.name,
				    "session", s->ps->name,
				    "pain_score", score >= 0 ?
				    json_integer(score) : json_null(),
				    "stopped", 1,
				    "next", ret ? "" : nx.session);
		return 0;
	}
	/* Pain after the run: mark the athlete's last session. */
	if (!sess_arg_str(args, "athlete") && s->plan)
		a = s->athlete;
	else if ((ret = sess_get_athlete(s, args, &a, msg, len)))
		return ret;
	ret = store_sessions(s->store, a.id, NULL, &recs, &n);
	if (ret)
		return say(msg, len, ret, "cannot use the records database: %s",
			   strerror(-ret));
	if (!n) {
		free(recs);
		return say(msg, len, -ENOENT,
			   "%s has no recorded session to report pain for",
			   a.name);
	}
	ret = store_session_set_pain(s->store, recs[n - 1].id, score);
	if (ret) {
		free(recs);
		return say(msg, len, ret, "cannot record the pain report: %s",
			   strerror(-ret));
	}
	note_pain(s, now_ns, recs[n - 1].id, a.id, score, "after the session");
	nx.session[0] = '\0';
	{
		char ignore[256];

		if (!sess_load_plan(s, recs[n - 1].plan, &p, ignore,
				    sizeof(ignore))) {
			sess_compute_next(s, &a, p, &nx, NULL);
			plan_free(p);
		}
	}
	*result = json_pack("{s:s, s:s, s:o, s:b, s:s}",
			    "athlete", a.name, "session", recs[n - 1].session,
			    "pain_score", score >= 0 ? json_integer(score) :
			    json_null(), "stopped", 0, "next", nx.session);
	free(recs);
	return 0;
}

static int cmd_status(struct sess *s, const char *cmd, const json_t *args,
		      uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	*result = sess_status(s, now_ns);
	return 0;
}

static int cmd_pause(struct sess *s, const char *cmd, const json_t *args,
		     uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	int ret;

	ret = need_session(s, "pause", msg, len);
	if (!ret && seq_pause(s->seq, now_ns))
		ret = say(msg, len, -EINVAL,
			  "the session is paused already");
	if (!ret) {
		note_session(s, now_ns, "pause", s->source, NULL);
		*result = state_result(s, now_ns);
	}
	return ret;
}

static int cmd_resume(struct sess *s, const char *cmd, const json_t *args,
		      uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	int ret;

	ret = need_session(s, "resume", msg, len);
	if (!ret && seq_state(s->seq) != SEQ_PAUSED)
		ret = say(msg, len, -EINVAL,
			  "the session is not paused; nothing to resume");
	if (!ret) {
		s->generation++;
		seq_resume(s->seq, now_ns);
		note_session(s, now_ns, "resume", s->source, NULL);
		*result = state_result(s, now_ns);
	}
	return ret;
}

static int cmd_stop(struct sess *s, const char *cmd, const json_t *args,
		    uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	int ret;

	ret = need_session(s, "stop", msg, len);
	if (!ret) {
		seq_stop(s->seq, now_ns, SEQ_END_OPERATOR);
		note_session(s, now_ns, "stop", s->source, NULL);
		sess_record_end(s, now_ns);
		*result = state_result(s, now_ns);
	}
	return ret;
}

static int cmd_skip(struct sess *s, const char *cmd, const json_t *args,
		    uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	int ret;

	ret = need_session(s, "skip", msg, len);
	if (!ret) {
		seq_skip(s->seq, now_ns);
		note_session(s, now_ns, "skip", s->source, NULL);
		sess_record_end(s, now_ns);
		*result = state_result(s, now_ns);
	}
	return ret;
}

static int cmd_reset(struct sess *s, const char *cmd, const json_t *args,
		     uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	int ret = 0;

	if (sess_active(s))
		ret = say(msg, len, -EBUSY,
			  "a session is running (%s); stop it before a reset",
			  s->ps->name);
	else if (s->have_fb && (s->fb.estop || s->fb.safety_key))
		ret = say(msg, len, -EBUSY,
			  "the %s is still active; release it, then reset",
			  s->fb.estop ? "e-stop" : "safety key");
	if (!ret) {
		sess_note(s, now_ns, 0, 0, "reset", s->source, "%s%s",
			  s->fault ? "cleared: " : "no fault latched",
			  s->fault ? s->fault_cause : "");
		s->fault = false;
		s->fault_cause[0] = '\0';
		sess_drop(s);
		*result = state_result(s, now_ns);
	}
	return ret;
}

/*
 * The requests the session answers. Which need the command right is the
 * protocol's (include/lever_ctl.h); leverd's own table (daemon/dmn.c)
 * sends these here through sess_request().
 */
static const struct {
	const char *name;
	int (*fn)(struct sess *s, const char *cmd, const json_t *args,
		  uint64_t now_ns, json_t **result, char *msg, size_t len);
} sess_cmds[] = {
	{ "status", cmd_status },
	{ "plans", sess_cmd_plans },
	{ "show", sess_cmd_show },
	{ "next", sess_cmd_next },
	{ "athlete_list", sess_cmd_athlete },
	{ "athlete_show", sess_cmd_athlete },
	{ "athlete_add", sess_cmd_athlete },
	{ "athlete_set_mass", sess_cmd_athlete },
	{ "athlete_weigh", sess_cmd_athlete },
	{ "athlete_rename", sess_cmd_athlete },
	{ "athlete_anonymise", sess_cmd_athlete },
	{ "athlete_remove", sess_cmd_athlete },
	{ "start", cmd_start },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "stop", cmd_stop },
	{ "skip", cmd_skip },
	{ "pain", cmd_pain },
	{ "reset", cmd_reset },
};

int sess_request(struct sess *s, const char *cmd, const json_t *args,
		 bool may_command, uint64_t now_ns, json_t **result,
		 char *msg, size_t len)
{
	return sess_request_from(s, "operator", cmd, args, may_command,
				 now_ns, result, msg, len);
}

static int sess_dispatch(struct sess *s, const char *cmd, const json_t *args,
			 bool may_command, uint64_t now_ns, json_t **result,
			 char *msg, size_t len)
{
	size_t i;
	int ret;

	*result = NULL;
	if (msg && len)
		msg[0] = '\0';
	for (i = 0; i < sizeof(sess_cmds) / sizeof(sess_cmds[0]); i++)
		if (!strcmp(cmd, sess_cmds[i].name))
			break;
	if (i == sizeof(sess_cmds) / sizeof(sess_cmds[0]))
		return say(msg, len, -ENOSYS, "unknown command '%.32s'", cmd);
	if (args && !json_is_object(args))
		return say(msg, len, -EINVAL, "args must be a JSON object");
	if (lever_ctl_needs_command(cmd) && !may_command)
		return say(msg, len, -EPERM,
			   "'%s' needs root or membership of the group lever",
			   cmd);
	/* Bring the session up to date before acting on it. */
	if (s->seq) {
		struct seq_out o;

		seq_update(s->seq, now_ns, &o);
		sess_record_end(s, now_ns);
	}
	ret = sess_cmds[i].fn(s, cmd, args, now_ns, result, msg, len);
	if (!ret && !*result)
		ret = say(msg, len, -ENOMEM, "out of memory");
	return ret;
}

int sess_request_from(struct sess *s, const char *source, const char *cmd,
		      const json_t *args, bool may_command, uint64_t now_ns,
		      json_t **result, char *msg, size_t len)
{
	int ret;

	s->source = source ? source : "operator";
	ret = sess_dispatch(s, cmd, args, may_command, now_ns, result, msg,
			    len);
	s->source = "operator";
	return ret;
}
