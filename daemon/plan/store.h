/* SPDX-License-Identifier: MIT */
/*
 * store_: athletes and their sessions, kept in SQLite (state_dir/lever.db)
 * with synchronous=FULL so that a record acknowledged is a record kept
 * through a power cut. The one place records live; it never deletes them.
 */
#ifndef LEVER_STORE_H
#define LEVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_athlete {
	int64_t id;
	char name[64];
	uint32_t mass_g;		/* body mass, grams */
	int64_t created_s;		/* unix time */
};

struct store_session {
	int64_t id;
	int64_t athlete_id;
	char plan[64];
	char session[16];		/* "week3-day2" */
	char date[11];			/* local start date, YYYY-MM-DD */
	int64_t started_s;		/* unix time */
	int64_t ended_s;		/* 0 while running */
	bool completed;			/* reached the end of the last step */
	bool pain;			/* a pain report ended it or followed */
	int pain_score;			/* 0..10, -1 when not given */
	char end_cause[64];		/* "completed", "pain", "operator stop",
					 * fault text, "running", "interrupted" */
	uint32_t elapsed_ms;		/* time on the plan, pauses excluded */
	unsigned int steps_skipped;
};

/* Creates state_dir (one level) and the database when missing. */
int store_open(struct store **st, const char *state_dir);
void store_close(struct store *st);

/* -EEXIST when the name is taken. */
int store_athlete_add(struct store *st, const char *name, uint32_t mass_g,
		      int64_t now_s);
/* -ENOENT when unknown. */
int store_athlete_get(struct store *st, const char *name,
		      struct store_athlete *out);
int store_athlete_set_mass(struct store *st, const char *name,
			   uint32_t mass_g);
/* *list is malloc'ed (free it), sorted by name. */
int store_athlete_list(struct store *st, struct store_athlete **list,
		       size_t *n);

/* Records the start at once (end_cause "running"); *id for the end. */
int store_session_begin(struct store *st, int64_t athlete_id,
			const char *plan, const char *session,
			const char *date, int64_t started_s, int64_t *id);
int store_session_end(struct store *st, const struct store_session *rec);
/* A pain report after the session ended. */
int store_session_set_pain(struct store *st, int64_t id, int score);
/* Sessions of an athlete (plan NULL: all plans), oldest first; free it. */
int store_sessions(struct store *st, int64_t athlete_id, const char *plan,
		   struct store_session **list, size_t *n);

int store_criteria_confirmed(struct store *st, int64_t athlete_id,
			     const char *plan, bool *yes);
int store_criteria_confirm(struct store *st, int64_t athlete_id,
			   const char *plan, int64_t now_s);

/* The connection's PRAGMA synchronous (2 = FULL), or -errno. */
int store_synchronous(struct store *st);

#endif /* LEVER_STORE_H */
