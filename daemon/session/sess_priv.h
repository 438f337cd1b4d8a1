/* SPDX-License-Identifier: MIT */
/*
 * sess_priv.h - what the files of sess_ share: the session state and the
 * helpers each part calls in another (sess.c: the session and its events
 * and records; sess_plan.c, sess_athlete.c, sess_next.c, sess_cmd.c: the
 * requests). Private to daemon/session/; nothing outside includes it.
 */
#ifndef LEVER_SESS_PRIV_H
#define LEVER_SESS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "plan.h"
#include "say.h"
#include "seq.h"
#include "sess.h"
#include "store.h"

#define MASS_MIN_G		((uint32_t)LEVER_BODY_MASS_MIN_G)
#define MASS_MAX_G		((uint32_t)LEVER_BODY_MASS_MAX_G)
#define NAME_MAX_LEN		32
/* default weigh-in age a start accepts, days (leverd: mass_max_age_days) */
#define SESS_MASS_MAX_AGE_DAYS	7
/* mass change since the last session that needs a confirmation, % */
#define SESS_MASS_CHANGE_PCT	5.0

/* After its end a session's trace goes on while the belt stops. */
#define TRACE_TRAIL_NS	(60ull * 1000000000ull)

struct sess {
	char *plans_dir;
	struct store *store;
	sess_wall_clock_fn wall;
	void *wall_ctx;
	unsigned int mass_max_age_days;	/* a weigh-in older needs confirming */

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

/* What comes next for an athlete in a plan (sess_next.c). */
struct next {
	char session[16];	/* "" when the plan is done */
	bool regression;
	char reason[192];
};

/* sess.c: the session, its events and its record */
bool sess_active(const struct sess *s);
void sess_drop(struct sess *s);
void sess_date_of(time_t t, int days, char out[11]);
int sess_note(struct sess *s, uint64_t now_ns, int64_t session_id,
	      int64_t athlete_id, const char *kind, const char *cause,
	      const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* An event of the session in progress (running, or stopping after it). */
#define note_session(s, now_ns, kind, cause, ...) \
	sess_note(s, now_ns, (s)->rec_id, (s)->athlete.id, kind, cause, \
		  __VA_ARGS__)
void sess_record_end(struct sess *s, uint64_t now_ns);
const char *sess_arg_str(const json_t *args, const char *key);
bool sess_arg_bool(const json_t *args, const char *key);

/*
 * The requests (sess_cmd.c dispatches them by name): each answers one
 * command with *result, or -errno and one sentence in @msg.
 */

/* sess_plan.c: plans */
int sess_list_plan_ids(struct sess *s, char ***ids, size_t *n);
void sess_free_ids(char **ids, size_t n);
int sess_load_plan(struct sess *s, const char *id, struct plan **p,
		   char *msg, size_t len);
int sess_pick_plan(struct sess *s, const json_t *args,
		   const struct store_athlete *a, struct plan **p,
		   char *msg, size_t len);
int sess_find_session(const struct plan *p, const char *name,
		      const struct plan_session **ps, char *msg, size_t len);
int sess_cmd_plans(struct sess *s, const char *cmd, const json_t *args,
		   uint64_t now_ns, json_t **result, char *msg, size_t len);
int sess_cmd_show(struct sess *s, const char *cmd, const json_t *args,
		  uint64_t now_ns, json_t **result, char *msg, size_t len);

/* sess_athlete.c: athletes */
int sess_get_athlete(struct sess *s, const json_t *args,
		     struct store_athlete *a, char *msg, size_t len);
int sess_cmd_athlete(struct sess *s, const char *cmd, const json_t *args,
		     uint64_t now_ns, json_t **result, char *msg, size_t len);
/*
 * A start's mass checks: 0, or -ECANCELED with the sentence; @why says
 * what the operator confirmed ("" when nothing needed it).
 */
int sess_check_mass(struct sess *s, const struct store_athlete *a,
		    time_t now, bool confirmed, char *why, size_t why_len,
		    char *msg, size_t len);

/* sess_next.c: the next session */
int sess_compute_next(struct sess *s, const struct store_athlete *a,
		      const struct plan *p, struct next *nx,
		      struct store_session *last_out);
int sess_cmd_next(struct sess *s, const char *cmd, const json_t *args,
		  uint64_t now_ns, json_t **result, char *msg, size_t len);

#endif /* LEVER_SESS_PRIV_H */
