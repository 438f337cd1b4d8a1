// SPDX-License-Identifier: MIT
/*
 * sess_next.c - which session comes next for an athlete, from the
 * records alone: the next one after a completed session, the same one
 * after an unfinished one, a week back after pain. It only advises; the
 * start checks in sess_cmd.c enforce the pain rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sess_priv.h"

static void first_of_week(const struct plan *p, unsigned int week,
			  char out[16])
{
	snprintf(out, 16, "week%u-day1", week < 1 ? 1u : week % 100u);
	(void)p;
}

/* What comes next for this athlete in plan p, from the records. */
int sess_compute_next(struct sess *s, const struct store_athlete *a,
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

int sess_cmd_next(struct sess *s, const char *cmd, const json_t *args,
		  uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	struct store_athlete a;
	struct store_session last;
	struct plan *p;
	struct next nx;
	int ret;

	ret = sess_get_athlete(s, args, &a, msg, len);
	if (ret)
		return ret;
	ret = sess_pick_plan(s, args, &a, &p, msg, len);
	if (ret)
		return ret;
	ret = sess_compute_next(s, &a, p, &nx, &last);
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
