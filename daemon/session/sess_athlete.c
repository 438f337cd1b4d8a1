// SPDX-License-Identifier: MIT
/*
 * sess_athlete.c - athletes: names and body masses in the store, the
 * athlete a request means, and the athlete_* requests. A mass outside
 * 20 to 250 kg is refused here, before any session can use it.
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

static json_t *athlete_json(const struct store_athlete *a)
{
	return json_pack("{s:s, s:f, s:I}", "name", a->name,
			 "mass_kg", a->mass_g / 1000.0,
			 "created_s", (json_int_t)a->created_s);
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
	}
	return o;
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
			json_array_append_new(arr, athlete_json(&all[i]));
		free(all);
		*result = json_pack("{s:o}", "athletes", arr ? arr : json_null());
		return 0;
	}
	if (!name)
		return say(msg, len, -EINVAL, "the athlete's name is missing");
	ret = check_name(name, msg, len);
	if (ret)
		return ret;
	if (!strcmp(cmd, "athlete_add") || !strcmp(cmd, "athlete_set_mass")) {
		ret = arg_mass(args, &mass_g, msg, len);
		if (ret)
			return ret;
		if (cmd[8] == 'a')
			ret = store_athlete_add(s->store, name, mass_g,
						s->wall(s->wall_ctx));
		else
			ret = store_athlete_set_mass(s->store, name, mass_g);
		if (ret == -EEXIST)
			return say(msg, len, ret,
				   "athlete '%s' exists already; change the mass with: leverctl athlete set-mass %s KG",
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
	*result = athlete_json(&a);
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
