// SPDX-License-Identifier: MIT
/*
 * sess_: what the operator asks of leverd about sessions, athletes and
 * plans. It decides whether a session may start (and says why not), runs
 * it through seq_, and records it through store_. It never touches the
 * device: the RT side follows the targets it hands out with a generation.
 */
#include "sess.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_json.h"
#include "seq.h"
#include "sess_export.h"
#include "store.h"

#define STANDARD_GRAVITY_M_S2	9.80665
#define MASS_MIN_G		20000u		/* 20 kg */
#define MASS_MAX_G		250000u		/* 250 kg */
#define NAME_MAX_LEN		32

struct sess {
	char *plans_dir;
	struct store *store;
	sess_wall_clock_fn wall;
	void *wall_ctx;

	struct sess_feedback fb;	/* last tick */
	bool have_fb;
	uint32_t generation;		/* +1 on every start and resume */

	/* the current (or last) session; plan kept for its steps */
	struct plan *plan;
	const struct plan_session *ps;
	struct seq *seq;
	struct store_athlete athlete;
	int64_t rec_id;
	int64_t started_s;
	char date[11];
	bool recorded;			/* its end is in the store */
	bool fault;			/* a fault ended it; needs reset */
	char fault_cause[128];
	json_t *summary;		/* for sess_take_summary */

	/* the recorder's view: events and the 10 Hz trace */
	uint64_t start_ns, end_ns;	/* leverd's clock */
	const char *source;		/* who asks: "operator", "key", ... */
	uint64_t events_failed;		/* events the store refused */
	int64_t step_rec_id;		/* steps table: the session and */
	int step_noted;			/* the last step noted in it */
};

/* After its end a session's trace goes on while the belt stops. */
#define TRACE_TRAIL_NS	(60ull * 1000000000ull)

static time_t default_wall(void *ctx)
{
	return time(NULL);
}

static int say(char *msg, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(char *msg, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return ret;
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
	*out = s;
	return 0;
}

static void drop_session(struct sess *s)
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
	drop_session(s);
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

/* Local date of t, shifted by days. */
static void date_of(time_t t, int days, char out[11])
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

static bool active(const struct sess *s)
{
	enum seq_state st = s->seq ? seq_state(s->seq) : SEQ_IDLE;

	return st == SEQ_RUNNING || st == SEQ_PAUSED;
}

/* ---- events (SAFETY.md rule 6) ---- */

static int64_t wall_ms(struct sess *s)
{
	struct timespec ts;

	if (s->wall == default_wall && !clock_gettime(CLOCK_REALTIME, &ts))
		return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return (int64_t)s->wall(s->wall_ctx) * 1000;
}

static int note(struct sess *s, uint64_t now_ns, int64_t session_id,
		int64_t athlete_id, const char *kind, const char *cause,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* One event, committed (synchronous=FULL) before this returns. */
static int note(struct sess *s, uint64_t now_ns, int64_t session_id,
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

/* An event of the session in progress (running, or stopping after it). */
#define note_session(s, now_ns, kind, cause, ...) \
	note(s, now_ns, (s)->rec_id, (s)->athlete.id, kind, cause, \
	     __VA_ARGS__)

bool sess_recording(struct sess *s, uint64_t now_ns, int64_t *id,
		    uint64_t *start_ns)
{
	bool on = s->seq && s->rec_id > 0 &&
		  (active(s) || (s->recorded && s->have_fb &&
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

	return note(s, now_ns, cur ? s->rec_id : 0,
		    cur ? s->athlete.id : 0, kind, cause, "%s",
		    detail ? detail : "");
}

struct store *sess_store(struct sess *s)
{
	return s->store;
}

/* ---- arguments ---- */

static const char *arg_str(const json_t *args, const char *key)
{
	json_t *v = args ? json_object_get(args, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool arg_bool(const json_t *args, const char *key)
{
	json_t *v = args ? json_object_get(args, key) : NULL;

	return json_is_true(v);
}

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

/* ---- plans ---- */

static int list_plan_ids(struct sess *s, char ***ids, size_t *n)
{
	DIR *d = opendir(s->plans_dir);
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0;

	*ids = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN &&
		    de->d_type != DT_LNK)
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[cnt] = strdup(de->d_name);
		if (v[cnt])
			cnt++;
	}
	closedir(d);
	for (size_t i = 1; i < cnt; i++)	/* sort: few entries */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*ids = v;
	*n = cnt;
	return 0;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void join_ids(char **ids, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", ids[i]);
}

static bool safe_id(const char *id)
{
	return id && *id && id[0] != '.' && !strchr(id, '/') &&
	       strlen(id) < 64;
}

static int load_plan(struct sess *s, const char *id, struct plan **p,
		     char *msg, size_t len)
{
	struct plan_error err;
	char path[4096], e[768], names[512];
	char **ids;
	size_t n;
	int ret;

	if (!safe_id(id)) {
		if (!list_plan_ids(s, &ids, &n)) {
			join_ids(ids, n, names, sizeof(names));
			free_ids(ids, n);
		} else {
			names[0] = '\0';
		}
		return say(msg, len, -ENOENT,
			   "unknown plan '%.64s'; plans in %s: %s",
			   id ? id : "", s->plans_dir, names);
	}
	snprintf(path, sizeof(path), "%s/%s", s->plans_dir, id);
	ret = plan_load(path, p, &err);
	if (ret == -ENOENT && !strcmp(err.file, path)) {
		ret = -ENOENT;
	} else if (ret) {
		plan_error_format(&err, e, sizeof(e));
		return say(msg, len, ret, "plan '%s' is invalid: %s", id, e);
	}
	if (ret) {
		names[0] = '\0';
		if (!list_plan_ids(s, &ids, &n)) {
			join_ids(ids, n, names, sizeof(names));
			free_ids(ids, n);
		}
		return say(msg, len, -ENOENT,
			   "unknown plan '%.64s'; plans in %s: %s", id,
			   s->plans_dir, names);
	}
	return 0;
}

/* The plan asked for, else the athlete's last one, else the only one. */
static int pick_plan(struct sess *s, const json_t *args,
		     const struct store_athlete *a, struct plan **p,
		     char *msg, size_t len)
{
	const char *id = arg_str(args, "plan");
	char **ids, names[512], last[64] = "";
	size_t n;
	int ret;

	if (id)
		return load_plan(s, id, p, msg, len);
	if (a) {
		struct store_session *recs;
		size_t nr;

		if (!store_sessions(s->store, a->id, NULL, &recs, &nr)) {
			if (nr)
				snprintf(last, sizeof(last), "%s",
					 recs[nr - 1].plan);
			free(recs);
		}
		if (last[0])
			return load_plan(s, last, p, msg, len);
	}
	ret = list_plan_ids(s, &ids, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the plans directory %s: %s",
			   s->plans_dir, strerror(-ret));
	if (n == 1) {
		ret = load_plan(s, ids[0], p, msg, len);
		free_ids(ids, n);
		return ret;
	}
	join_ids(ids, n, names, sizeof(names));
	free_ids(ids, n);
	if (!n)
		return say(msg, len, -ENOENT, "no plans in %s", s->plans_dir);
	return say(msg, len, -EINVAL,
		   "more than one plan; name one with --plan (plans: %s)",
		   names);
}

static int find_session(const struct plan *p, const char *name,
			const struct plan_session **ps, char *msg, size_t len)
{
	char near[128];

	if (!name)
		return say(msg, len, -EINVAL,
			   "which session? name one like week1-day1");
	*ps = plan_find_session(p, name);
	if (*ps)
		return 0;
	plan_suggest(p, name, near, sizeof(near));
	return say(msg, len, -ENOENT,
		   "unknown session '%.32s' in plan %s; closest: %s", name,
		   p->id, near);
}

/* ---- athletes ---- */

static int get_athlete(struct sess *s, const json_t *args,
		       struct store_athlete *a, char *msg, size_t len)
{
	const char *name = arg_str(args, "athlete");
	struct store_athlete *all;
	size_t n;
	int ret;

	if (!name)
		name = arg_str(args, "name");
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

/* ---- next session ---- */

struct next {
	char session[16];	/* "" when the plan is done */
	bool regression;
	char reason[192];
};

static void first_of_week(const struct plan *p, unsigned int week,
			  char out[16])
{
	snprintf(out, 16, "week%u-day1", week < 1 ? 1u : week % 100u);
	(void)p;
}

/* What comes next for this athlete in plan p, from the records. */
static int compute_next(struct sess *s, const struct store_athlete *a,
			const struct plan *p, struct next *nx,
			struct store_session *last_out)
{
	struct store_session *recs, *last;
	size_t n;
	int ret, idx;

	memset(nx, 0, sizeof(*nx));
	ret = store_sessions(s->store, a->id, p->id, &recs, &n);
	if (ret)
		return ret;
	if (last_out)
		memset(last_out, 0, sizeof(*last_out));
	if (!n) {
		snprintf(nx->session, sizeof(nx->session), "%s",
			 p->sessions[0].name);
		snprintf(nx->reason, sizeof(nx->reason),
			 "first session of the plan");
		free(recs);
		return 0;
	}
	last = &recs[n - 1];
	if (last_out)
		*last_out = *last;
	idx = plan_session_index(p, last->session);
	if (last->pain) {
		unsigned int w = 1, d;

		plan_session_name_parse(last->session, &w, &d);
		first_of_week(p, w > 1 ? w - 1 : 1, nx->session);
		nx->regression = true;
		snprintf(nx->reason, sizeof(nx->reason),
			 "%s on %s ended in pain: consult the clinician; the plan regresses to the previous week",
			 last->session, last->date);
	} else if (idx < 0) {
		snprintf(nx->session, sizeof(nx->session), "%s",
			 p->sessions[0].name);
		snprintf(nx->reason, sizeof(nx->reason),
			 "last recorded session %s is not in this plan",
			 last->session);
	} else if (last->completed) {
		if ((size_t)idx + 1 < p->n_sessions) {
			snprintf(nx->session, sizeof(nx->session), "%s",
				 p->sessions[idx + 1].name);
			snprintf(nx->reason, sizeof(nx->reason),
				 "%s was completed on %s", last->session,
				 last->date);
		} else {
			snprintf(nx->reason, sizeof(nx->reason),
				 "the plan is complete (%s on %s)",
				 last->session, last->date);
		}
	} else {
		snprintf(nx->session, sizeof(nx->session), "%s",
			 last->session);
		snprintf(nx->reason, sizeof(nx->reason),
			 "%s on %s was not completed (%s); repeat it",
			 last->session, last->date, last->end_cause);
	}
	free(recs);
	return 0;
}

/* ---- recording ---- */

static void record_end(struct sess *s, uint64_t now_ns)
{
	struct store_session r;
	struct seq_out o;
	struct next nx;
	enum seq_end why;
	int ret;

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
	ret = store_session_end(s->store, &r);
	s->recorded = true;
	s->end_ns = now_ns;
	note_session(s, now_ns, "end", r.end_cause,
		     "%.1f s of %.1f s planned, %u step(s) skipped%s",
		     r.elapsed_ms / 1000.0, s->ps->total_ms / 1000.0,
		     r.steps_skipped, ret ? "; the session record failed" : "");

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
	if (s->summary && !compute_next(s, &s->athlete, s->plan, &nx, NULL))
		json_object_set_new(s->summary, "next",
				    nx.session[0] ? json_string(nx.session) :
				    json_null());
}

/* ---- commands ---- */

static int cmd_start(struct sess *s, const json_t *args, uint64_t now_ns,
		     json_t **result, char *msg, size_t len)
{
	struct store_athlete a;
	struct store_session *recs, last;
	struct plan *p = NULL;
	const struct plan_session *ps;
	struct next nx;
	char today[11], yesterday[11];
	time_t wall;
	size_t n, i;
	double need_n, max_n;
	bool confirmed;
	int ret;

	if (active(s))
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
	ret = get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	if (a.mass_g < MASS_MIN_G || a.mass_g > MASS_MAX_G)
		return say(msg, len, -EINVAL,
			   "athlete %s has no valid body mass; set it with: leverctl athlete set-mass %s KG",
			   a.name, a.name);
	ret = pick_plan(s, args, &a, &p, msg, len);
	if (ret)
		return ret;
	ret = find_session(p, arg_str(args, "session"), &ps, msg, len);
	if (ret)
		goto out;

	/* Start criteria: confirmed once per athlete and plan. */
	ret = store_criteria_confirmed(s->store, a.id, p->id, &confirmed);
	if (ret)
		goto store_err;
	if (!confirmed && !arg_bool(args, "confirm_start_criteria")) {
		ret = say(msg, len, -ECANCELED,
			  "the start criteria of plan %s were never confirmed for %s; read them with 'leverctl show --plan %s', then start with --confirm-start-criteria",
			  p->id, a.name, p->id);
		goto out;
	}

	/* Pain: only a regression may follow a session that ended in pain. */
	ret = compute_next(s, &a, p, &nx, &last);
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
	date_of(wall, 0, today);
	date_of(wall, -1, yesterday);
	if (!arg_bool(args, "override_back_to_back")) {
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

	/* Support the unit can give for this mass at the lowest BW %. */
	need_n = (1.0 - ps->bw_min_pct_x100 / 10000.0) *
		 (a.mass_g / 1000.0) * STANDARD_GRAVITY_M_S2;
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
	drop_session(s);
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
	ret = store_session_begin(s->store, a.id, s->plan->id, ps->name,
				  today, wall, &s->rec_id);
	if (ret) {
		drop_session(s);
		goto store_err;
	}
	s->recorded = false;
	s->generation++;
	s->start_ns = now_ns;
	seq_start(s->seq, now_ns);
	note_session(s, now_ns, "start", s->source,
		     "plan %s, session %s, athlete %s, %.1f kg",
		     s->plan->id, ps->name, a.name, a.mass_g / 1000.0);
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
	if (active(s))
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
	note(s, now_ns, session_id, athlete_id, "pain", s->source, "%s, %s",
	     sc, when);
}

static int cmd_pain(struct sess *s, const json_t *args, uint64_t now_ns,
		    json_t **result, char *msg, size_t len)
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
	if (active(s)) {
		seq_pain(s->seq, now_ns, score);
		note_pain(s, now_ns, s->rec_id, s->athlete.id, score,
			  "during the session");
		note_session(s, now_ns, "stop", "pain", NULL);
		record_end(s, now_ns);
		ret = compute_next(s, &s->athlete, s->plan, &nx, NULL);
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
	if (!arg_str(args, "athlete") && s->plan)
		a = s->athlete;
	else if ((ret = get_athlete(s, args, &a, msg, len)))
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

		if (!load_plan(s, recs[n - 1].plan, &p, ignore,
			       sizeof(ignore))) {
			compute_next(s, &a, p, &nx, NULL);
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

static int cmd_next(struct sess *s, const json_t *args, json_t **result,
		    char *msg, size_t len)
{
	struct store_athlete a;
	struct store_session last;
	struct plan *p;
	struct next nx;
	int ret;

	ret = get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	ret = pick_plan(s, args, &a, &p, msg, len);
	if (ret)
		return ret;
	ret = compute_next(s, &a, p, &nx, &last);
	if (ret) {
		plan_free(p);
		return say(msg, len, ret, "cannot use the records database: %s",
			   strerror(-ret));
	}
	*result = json_pack("{s:s, s:s, s:o, s:b, s:s}",
			    "athlete", a.name, "plan", p->id,
			    "session", nx.session[0] ? json_string(nx.session) :
			    json_null(),
			    "regression", nx.regression,
			    "reason", nx.reason);
	plan_free(p);
	return 0;
}

static int cmd_plans(struct sess *s, json_t **result, char *msg, size_t len)
{
	char **ids;
	size_t n;
	json_t *a;
	int ret;

	ret = list_plan_ids(s, &ids, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the plans directory %s: %s",
			   s->plans_dir, strerror(-ret));
	a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		struct plan *p;
		char m[768];

		if (!load_plan(s, ids[i], &p, m, sizeof(m))) {
			json_array_append_new(a, plan_json_summary(p));
			plan_free(p);
		} else {
			json_array_append_new(a, json_pack("{s:s, s:s}",
							   "id", ids[i],
							   "error", m));
		}
	}
	free_ids(ids, n);
	*result = json_pack("{s:s, s:o}", "plans_dir", s->plans_dir, "plans",
			    a ? a : json_null());
	return 0;
}

static int cmd_show(struct sess *s, const json_t *args, json_t **result,
		    char *msg, size_t len)
{
	const struct plan_session *ps;
	const char *name = arg_str(args, "session");
	struct plan *p;
	int ret;

	ret = pick_plan(s, args, NULL, &p, msg, len);
	if (ret)
		return ret;
	if (name) {
		ret = find_session(p, name, &ps, msg, len);
		if (!ret)
			*result = plan_json_session(p, ps);
	} else {
		*result = plan_json_plan(p);
	}
	plan_free(p);
	return ret;
}

static int cmd_athlete(struct sess *s, const char *cmd, const json_t *args,
		       json_t **result, char *msg, size_t len)
{
	const char *name = arg_str(args, "name");
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
	ret = get_athlete(s, args, &a, msg, len);
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

static const char *const read_cmds[] = {
	"status", "plans", "show", "next", "athlete_list", "athlete_show",
};

static const char *const all_cmds[] = {
	"status", "plans", "show", "next", "athlete_list", "athlete_show",
	"start", "pause", "resume", "stop", "skip", "pain", "reset",
	"athlete_add", "athlete_set_mass",
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
			 char *msg, size_t len);

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

static int sess_dispatch(struct sess *s, const char *cmd, const json_t *args,
			 bool may_command, uint64_t now_ns, json_t **result,
			 char *msg, size_t len)
{
	bool known = false, read_only = false;
	int ret = 0;

	*result = NULL;
	if (msg && len)
		msg[0] = '\0';
	ret = sess_export_request(s->store, cmd, args, result, msg, len);
	if (ret <= 0)
		return ret;
	ret = 0;
	for (size_t i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++)
		known |= !strcmp(cmd, all_cmds[i]);
	for (size_t i = 0; i < sizeof(read_cmds) / sizeof(read_cmds[0]); i++)
		read_only |= !strcmp(cmd, read_cmds[i]);
	if (!known)
		return say(msg, len, -ENOSYS, "unknown command '%.32s'", cmd);
	if (args && !json_is_object(args))
		return say(msg, len, -EINVAL, "args must be a JSON object");
	if (!read_only && !may_command)
		return say(msg, len, -EPERM,
			   "'%s' needs root or membership of the group lever",
			   cmd);
	/* Bring the session up to date before acting on it. */
	if (s->seq) {
		struct seq_out o;

		seq_update(s->seq, now_ns, &o);
		record_end(s, now_ns);
	}

	if (!strcmp(cmd, "status")) {
		*result = sess_status(s, now_ns);
	} else if (!strcmp(cmd, "plans")) {
		ret = cmd_plans(s, result, msg, len);
	} else if (!strcmp(cmd, "show")) {
		ret = cmd_show(s, args, result, msg, len);
	} else if (!strcmp(cmd, "next")) {
		ret = cmd_next(s, args, result, msg, len);
	} else if (!strncmp(cmd, "athlete_", 8)) {
		ret = cmd_athlete(s, cmd, args, result, msg, len);
	} else if (!strcmp(cmd, "start")) {
		ret = cmd_start(s, args, now_ns, result, msg, len);
	} else if (!strcmp(cmd, "pain")) {
		ret = cmd_pain(s, args, now_ns, result, msg, len);
	} else if (!strcmp(cmd, "pause")) {
		ret = need_session(s, "pause", msg, len);
		if (!ret && seq_pause(s->seq, now_ns))
			ret = say(msg, len, -EINVAL,
				  "the session is paused already");
		if (!ret) {
			note_session(s, now_ns, "pause", s->source, NULL);
			*result = state_result(s, now_ns);
		}
	} else if (!strcmp(cmd, "resume")) {
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
	} else if (!strcmp(cmd, "stop")) {
		ret = need_session(s, "stop", msg, len);
		if (!ret) {
			seq_stop(s->seq, now_ns, SEQ_END_OPERATOR);
			note_session(s, now_ns, "stop", s->source, NULL);
			record_end(s, now_ns);
			*result = state_result(s, now_ns);
		}
	} else if (!strcmp(cmd, "skip")) {
		ret = need_session(s, "skip", msg, len);
		if (!ret) {
			seq_skip(s->seq, now_ns);
			note_session(s, now_ns, "skip", s->source, NULL);
			record_end(s, now_ns);
			*result = state_result(s, now_ns);
		}
	} else if (!strcmp(cmd, "reset")) {
		if (active(s))
			ret = say(msg, len, -EBUSY,
				  "a session is running (%s); stop it before a reset",
				  s->ps->name);
		else if (s->have_fb && (s->fb.estop || s->fb.safety_key))
			ret = say(msg, len, -EBUSY,
				  "the %s is still active; release it, then reset",
				  s->fb.estop ? "e-stop" : "safety key");
		if (!ret) {
			note(s, now_ns, 0, 0, "reset", s->source, "%s%s",
			     s->fault ? "cleared: " : "no fault latched",
			     s->fault ? s->fault_cause : "");
			s->fault = false;
			s->fault_cause[0] = '\0';
			drop_session(s);
			*result = state_result(s, now_ns);
		}
	}
	if (!ret && !*result)
		ret = say(msg, len, -ENOMEM, "out of memory");
	return ret;
}

void sess_fault(struct sess *s, uint64_t now_ns, const char *cause)
{
	if (!s->fault || !s->fault_cause[0])
		snprintf(s->fault_cause, sizeof(s->fault_cause), "%s",
			 cause ? cause : "fault");
	s->fault = true;
	if (active(s)) {
		seq_stop(s->seq, now_ns, SEQ_END_FAULT);
		note_session(s, now_ns, "stop", "fault", "%s", s->fault_cause);
		record_end(s, now_ns);
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
	if (active(s) && (fb->estop || fb->safety_key || fb->fault_latched))
		sess_fault(s, fb->now_ns, fb->estop ? "e-stop" :
			   fb->safety_key ? "safety key" : "supervisor fault");

	memset(out, 0, sizeof(*out));
	out->generation = s->generation;
	out->run = SESS_IDLE;
	if (!s->seq)
		return;
	seq_update(s->seq, fb->now_ns, &o);
	note_step(s, fb->now_ns, &o);
	record_end(s, fb->now_ns);
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
	/* SAFETY.md rule 6: a refused event is said, not lost silently */
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
