// SPDX-License-Identifier: MIT
/*
 * sess_athlete.c - athletes: names and dated weigh-ins in the store, the
 * athlete a request means, the start's mass checks, and the athlete_*
 * requests (add, weigh, show, list, rename, anonymise, remove). A mass
 * outside 20 to 250 kg is refused here, before any session can use it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sess_priv.h"

static int check_name(const char *name, char *msg, size_t len)
{
	size_t i, n = strlen(name);

	if (n < 1 || n > NAME_MAX_LEN)
		return say(msg, len, -EINVAL,
			   "athlete name '%.40s' must be 1 to %d characters",
			   name, NAME_MAX_LEN);
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (c == '.' && i > 0)))
			return say(msg, len, -EINVAL,
				   "athlete name '%.40s' may hold only letters, digits, '-', '_' and '.'",
				   name);
	}
	return 0;
}

static int arg_mass(const json_t *args, uint32_t *mass_g, char *msg,
		    size_t len)
{
	json_t *v = args ? json_object_get(args, "mass_kg") : NULL;
	double kg;

	if (!json_is_number(v))
		return say(msg, len, -EINVAL,
			   "mass_kg is missing; give the athlete's body mass in kg (20 to 250)");
	kg = json_number_value(v);
	if (!(kg >= MASS_MIN_G / 1000.0 && kg <= MASS_MAX_G / 1000.0))
		return say(msg, len, -ERANGE,
			   "body mass %.1f kg is out of range; expected 20 to 250 kg",
			   kg);
	*mass_g = (uint32_t)lround(kg * 1000.0);
	return 0;
}

int sess_get_athlete(struct sess *s, const json_t *args,
		     struct store_athlete *a, char *msg, size_t len)
{
	const char *name = sess_arg_str(args, "athlete");
	struct store_athlete *all;
	size_t n;
	int ret;

	memset(a, 0, sizeof(*a));
	if (!name)
		name = sess_arg_str(args, "name");
	if (name) {
		ret = store_athlete_get(s->store, name, a);
		if (ret == -ENOENT)
			return say(msg, len, ret,
				   "unknown athlete '%.40s'; add them with: leverctl athlete add %.40s MASS_KG",
				   name, name);
		if (ret)
			return say(msg, len, ret, "cannot read athletes: %s",
				   strerror(-ret));
		return 0;
	}
	ret = store_athlete_list(s->store, &all, &n);
	if (ret)
		return say(msg, len, ret, "cannot read athletes: %s",
			   strerror(-ret));
	if (n == 1) {
		*a = all[0];
		free(all);
		return 0;
	}
	free(all);
	if (!n)
		return say(msg, len, -ENOENT,
			   "no athletes yet; add one with: leverctl athlete add NAME MASS_KG");
	return say(msg, len, -EINVAL,
		   "more than one athlete; name one with --athlete");
}

/* Whole days from @then to @now (0 for a moment in the future). */
static long days_since(time_t now, int64_t then)
{
	return now > then ? (long)((now - then) / 86400) : 0;
}

/* Whether the athlete's last weigh-in is too old for a start, or missing. */
static bool weighin_due(struct sess *s, const struct store_athlete *a,
			time_t now)
{
	return !a->weighed_s ||
	       now - a->weighed_s > (time_t)s->mass_max_age_days * 86400;
}

static json_t *athlete_json(struct sess *s, const struct store_athlete *a)
{
	time_t now = s->wall(s->wall_ctx);
	json_t *o = json_pack("{s:s, s:f, s:I, s:b, s:b}", "name", a->name,
			      "mass_kg", a->mass_g / 1000.0,
			      "created_s", (json_int_t)a->created_s,
			      "weighin_due", weighin_due(s, a, now),
			      "anonymised", a->anonymised_s != 0);
	char date[11];

	if (!o)
		return NULL;
	if (a->weighed_s) {
		sess_date_of((time_t)a->weighed_s, 0, date);
		json_object_set_new(o, "weighed", json_string(date));
		json_object_set_new(o, "weighed_s",
				    json_integer(a->weighed_s));
		json_object_set_new(o, "weighin_age_days",
				    json_integer(days_since(now, a->weighed_s)));
	} else {
		json_object_set_new(o, "weighed", json_null());
		json_object_set_new(o, "weighed_s", json_null());
		json_object_set_new(o, "weighin_age_days", json_null());
	}
	return o;
}

static json_t *weighins_json(struct sess *s, int64_t athlete_id)
{
	struct store_weighin *w;
	json_t *arr;
	char date[11];
	size_t n;

	if (store_weighins(s->store, athlete_id, &w, &n))
		return json_null();
	arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		sess_date_of((time_t)w[i].weighed_s, 0, date);
		json_array_append_new(arr, json_pack("{s:s, s:I, s:f}",
			"date", date, "weighed_s", (json_int_t)w[i].weighed_s,
			"mass_kg", w[i].mass_g / 1000.0));
	}
	free(w);
	return arr ? arr : json_null();
}

/*
 * The start's mass checks (sess_cmd.c): the support force is the mass
 * times g times the share carried, so a start refuses a mass that was
 * never dated, is older than mass_max_age_days, or moved more than 5 %
 * since the athlete's last session, unless the operator confirms it. On a
 * confirmed start @why says what was confirmed, for the start event.
 */
int sess_check_mass(struct sess *s, const struct store_athlete *a,
		    time_t now, bool confirmed, char *why, size_t why_len,
		    char *msg, size_t len)
{
	struct store_session *recs;
	char date[11];
	double pct = 0.0;
	size_t n, i;
	int ret;

	why[0] = '\0';
	if (!a->weighed_s && !confirmed)
		return say(msg, len, -ECANCELED,
			   "%s has no dated weigh-in (the %.1f kg on record may be old); weigh them with 'leverctl athlete weigh %s KG', or start with --confirm-mass if %.1f kg is right today",
			   a->name, a->mass_g / 1000.0, a->name,
			   a->mass_g / 1000.0);
	if (!a->weighed_s) {
		snprintf(why, why_len, "mass never weighed, confirmed");
	} else if (weighin_due(s, a, now) && !confirmed) {
		sess_date_of((time_t)a->weighed_s, 0, date);
		return say(msg, len, -ECANCELED,
			   "%s was last weighed %ld days ago (%s, %.1f kg), more than the %u days allowed; weigh them with 'leverctl athlete weigh %s KG', or start with --confirm-mass if %.1f kg is still right",
			   a->name, days_since(now, a->weighed_s), date,
			   a->mass_g / 1000.0, s->mass_max_age_days, a->name,
			   a->mass_g / 1000.0);
	} else if (weighin_due(s, a, now)) {
		snprintf(why, why_len, "weigh-in %ld days old, confirmed",
			 days_since(now, a->weighed_s));
	}
	ret = store_sessions(s->store, a->id, NULL, &recs, &n);
	if (ret)
		return say(msg, len, ret, "cannot use the records database: %s",
			   strerror(-ret));
	for (i = n; i-- > 0;)
		if (recs[i].mass_g)
			break;
	if (i < n)
		pct = 100.0 * ((double)a->mass_g - recs[i].mass_g) /
		      recs[i].mass_g;
	if (fabs(pct) > SESS_MASS_CHANGE_PCT) {
		if (confirmed) {
			size_t used = strlen(why);

			/* after the weigh-in's age, if that was confirmed too */
			snprintf(why + used, why_len - used,
				 "%smass %+.1f %% since the last session, confirmed",
				 used ? "; " : "", pct);
		} else {
			ret = say(msg, len, -ECANCELED,
				  "%s's mass on record, %.1f kg, is %.1f %% %s the %.1f kg of their last session (%s on %s), and the support force follows it; check the weigh-in, then start with --confirm-mass",
				  a->name, a->mass_g / 1000.0, fabs(pct),
				  pct > 0 ? "above" : "below",
				  recs[i].mass_g / 1000.0, recs[i].session,
				  recs[i].date);
		}
	}
	free(recs);
	return ret;
}

static json_t *record_json(const struct store_session *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:s, s:f, s:I}",
			      "plan", r->plan, "session", r->session,
			      "date", r->date,
			      "started_s", (json_int_t)r->started_s,
			      "ended_s", (json_int_t)r->ended_s,
			      "completed", r->completed, "pain", r->pain,
			      "end_cause", r->end_cause,
			      "elapsed_s", r->elapsed_ms / 1000.0,
			      "steps_skipped", (json_int_t)r->steps_skipped);

	if (o) {
		json_object_set_new(o, "pain_score",
				    r->pain_score >= 0 ?
				    json_integer(r->pain_score) : json_null());
		json_object_set_new(o, "id", json_integer(r->id));
		/* recorded from schema 3 on; unknown before, never guessed */
		json_object_set_new(o, "mass_kg", r->mass_g ?
				    json_real(r->mass_g / 1000.0) :
				    json_null());
	}
	return o;
}

/* A new name: well formed and not of the form anonymised records take. */
static int check_new_name(const char *name, char *msg, size_t len)
{
	int ret = check_name(name, msg, len);

	if (ret)
		return ret;
	if (!strncmp(name, STORE_ANON_PREFIX, strlen(STORE_ANON_PREFIX)))
		return say(msg, len, -EINVAL,
			   "athlete names beginning '%s' are kept for anonymised records; choose another",
			   STORE_ANON_PREFIX);
	return 0;
}

/*
 * Renaming, anonymising or removing the athlete on the belt would leave
 * the session in progress (and its trace, taken until the belt stops)
 * pointing at a name or a record that is gone.
 */
static int check_not_on_belt(struct sess *s, const struct store_athlete *a,
			     uint64_t now_ns, char *msg, size_t len)
{
	if (!sess_recording(s, now_ns, NULL, NULL) || s->athlete.id != a->id)
		return 0;
	return say(msg, len, -EBUSY,
		   "%s's session %s is still running or stopping; stop it and wait for the belt to stop, then try again",
		   a->name, s->ps ? s->ps->name : "");
}

/*
 * Irreversible requests name the athlete twice: "confirm" must repeat
 * the name, so that no retried or mistyped request erases a record.
 */
static int check_confirmed(const json_t *args, const char *name,
			   const char *what, char *msg, size_t len)
{
	const char *c = sess_arg_str(args, "confirm");

	if (c && !strcmp(c, name))
		return 0;
	return say(msg, len, -ECANCELED,
		   "%s %s cannot be undone; confirm it by repeating the name (leverctl athlete %s %s --yes)",
		   what, name, what, name);
}

static int athlete_change(struct sess *s, const char *cmd,
			  const char *name, const json_t *args,
			  uint64_t now_ns, json_t **result, char *msg,
			  size_t len)
{
	const char *new_name = sess_arg_str(args, "new_name");
	struct store_removed rm;
	struct store_athlete a;
	char anon[64];
	int ret;

	ret = sess_get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	ret = check_not_on_belt(s, &a, now_ns, msg, len);
	if (ret)
		return ret;
	if (!strcmp(cmd, "athlete_rename")) {
		if (!new_name)
			return say(msg, len, -EINVAL,
				   "the new name is missing");
		ret = check_new_name(new_name, msg, len);
		if (ret)
			return ret;
		ret = store_athlete_rename(s->store, name, new_name);
		if (ret == -EEXIST)
			return say(msg, len, ret,
				   "there is an athlete called '%s' already; choose another name",
				   new_name);
		if (!ret)
			*result = json_pack("{s:s, s:s}", "name", new_name,
					    "was", name);
	} else if (!strcmp(cmd, "athlete_anonymise")) {
		ret = check_confirmed(args, name, "anonymise", msg, len);
		if (ret)
			return ret;
		ret = store_athlete_anonymise(s->store, name,
					      s->wall(s->wall_ctx), anon,
					      sizeof(anon));
		if (!ret)
			*result = json_pack("{s:s}", "name", anon);
	} else {
		ret = check_confirmed(args, name, "remove", msg, len);
		if (ret)
			return ret;
		ret = store_athlete_remove(s->store, name, &rm);
		if (!ret)
			*result = json_pack("{s:s, s:I, s:I, s:I, s:I}",
				"removed", name,
				"sessions", (json_int_t)rm.sessions,
				"events", (json_int_t)rm.events,
				"trace_rows", (json_int_t)rm.trace_rows,
				"weighins", (json_int_t)rm.weighins);
	}
	if (ret)
		return say(msg, len, ret, "cannot change the athlete records: %s",
			   strerror(-ret));
	/* the copy the ended session keeps must not outlive the record */
	if (s->athlete.id == a.id && !strcmp(cmd, "athlete_remove")) {
		memset(&s->athlete, 0, sizeof(s->athlete));
		s->rec_id = 0;
	} else if (s->athlete.id == a.id) {
		snprintf(s->athlete.name, sizeof(s->athlete.name), "%s",
			 json_string_value(json_object_get(*result, "name")));
	}
	return *result ? 0 : say(msg, len, -ENOMEM, "out of memory");
}

int sess_cmd_athlete(struct sess *s, const char *cmd, const json_t *args,
		     uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	const char *name = sess_arg_str(args, "name");
	struct store_athlete a, *all;
	struct store_session *recs;
	uint32_t mass_g = 0;
	size_t n;
	json_t *arr;
	int ret;

	if (!strcmp(cmd, "athlete_list")) {
		ret = store_athlete_list(s->store, &all, &n);
		if (ret)
			return say(msg, len, ret, "cannot read athletes: %s",
				   strerror(-ret));
		arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, athlete_json(s, &all[i]));
		free(all);
		*result = json_pack("{s:o}", "athletes", arr ? arr : json_null());
		return 0;
	}
	if (!name)
		return say(msg, len, -EINVAL, "the athlete's name is missing");
	ret = check_name(name, msg, len);
	if (ret)
		return ret;
	if (!strcmp(cmd, "athlete_rename") ||
	    !strcmp(cmd, "athlete_anonymise") ||
	    !strcmp(cmd, "athlete_remove"))
		return athlete_change(s, cmd, name, args, now_ns, result, msg,
				      len);
	if (!strcmp(cmd, "athlete_add") || !strcmp(cmd, "athlete_weigh") ||
	    !strcmp(cmd, "athlete_set_mass")) {
		ret = arg_mass(args, &mass_g, msg, len);
		if (ret)
			return ret;
		if (!strcmp(cmd, "athlete_add")) {
			ret = check_new_name(name, msg, len);
			if (ret)
				return ret;
			ret = store_athlete_add(s->store, name, mass_g,
						s->wall(s->wall_ctx));
		} else {
			/* set-mass, the older name: a weigh-in too */
			ret = store_athlete_weigh(s->store, name, mass_g,
						  s->wall(s->wall_ctx));
		}
		if (ret == -EEXIST)
			return say(msg, len, ret,
				   "athlete '%s' exists already; record a new weight with: leverctl athlete weigh %s KG",
				   name, name);
		if (ret == -ENOENT)
			return say(msg, len, ret,
				   "unknown athlete '%s'; add them with: leverctl athlete add %s MASS_KG",
				   name, name);
		if (ret)
			return say(msg, len, ret, "cannot write athletes: %s",
				   strerror(-ret));
	}
	ret = sess_get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	*result = athlete_json(s, &a);
	if (!strcmp(cmd, "athlete_show") && *result)
		json_object_set_new(*result, "weighins",
				    weighins_json(s, a.id));
	if (!strcmp(cmd, "athlete_show") && *result &&
	    !store_sessions(s->store, a.id, NULL, &recs, &n)) {
		arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, record_json(&recs[i]));
		free(recs);
		json_object_set_new(*result, "sessions", arr ? arr : json_null());
	}
	return 0;
}
