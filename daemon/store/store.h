/* SPDX-License-Identifier: MIT */
/*
 * store_: athletes and their sessions, kept in SQLite (state_dir/lever.db)
 * with synchronous=FULL so that a record acknowledged is a record kept
 * through a power cut. The one place records live; it deletes them only
 * with their athlete, when the clinic must erase a patient's data.
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
	uint32_t mass_g;		/* body mass, grams: the last weigh-in */
	int64_t created_s;		/* unix time */
	int64_t weighed_s;		/* the last weigh-in, 0: none on record */
	int64_t anonymised_s;		/* when the name was dropped, 0: not */
};

/* One dated weigh-in (schema 4). */
struct store_weighin {
	int64_t weighed_s;		/* unix time */
	uint32_t mass_g;
};

/* What store_athlete_remove() deleted. */
struct store_removed {
	size_t sessions;
	size_t events;
	size_t trace_rows;
	size_t weighins;
};

/* Names of anonymised athletes: the prefix and the athlete's id. */
#define STORE_ANON_PREFIX	"anonymous-"

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
	/* schema 3; sessions recorded before read 0, "" and -1 */
	uint32_t mass_g;		/* the athlete's mass it ran with */
	char board_serial[32];		/* the controller board's serial */
	int64_t operator_uid;		/* who started it (control socket peer) */
};

/* Creates state_dir (one level) and the database when missing. */
int store_open(struct store **st, const char *state_dir);

/*
 * A second connection for the recorder thread: the same database in WAL
 * mode, synchronous=FULL as well (a power cut loses only the rows not yet
 * committed, never an event or a session), no clean-up of running sessions.
 * Open it after store_open() has made the schema.
 */
int store_open_trace_writer(struct store **st, const char *state_dir);
void store_close(struct store *st);

/*
 * Athletes (store_athlete.c). A new athlete's mass is their first
 * weigh-in, dated @now_s. -EEXIST when the name is taken.
 */
int store_athlete_add(struct store *st, const char *name, uint32_t mass_g,
		      int64_t now_s);
/* -ENOENT when unknown. */
int store_athlete_get(struct store *st, const char *name,
		      struct store_athlete *out);
/*
 * A dated weigh-in: kept in the athlete's history and their mass from now
 * on, in one transaction. -ENOENT when unknown.
 */
int store_athlete_weigh(struct store *st, const char *name, uint32_t mass_g,
			int64_t weighed_s);
/* Weigh-ins of an athlete, oldest first; *list malloc'ed (free it). */
int store_weighins(struct store *st, int64_t athlete_id,
		   struct store_weighin **list, size_t *n);
/* *list is malloc'ed (free it), sorted by name. */
int store_athlete_list(struct store *st, struct store_athlete **list,
		       size_t *n);
/*
 * The records follow the new name (the start events' text too).
 * -ENOENT when @name is unknown, -EEXIST when @new_name is taken.
 */
int store_athlete_rename(struct store *st, const char *name,
			 const char *new_name);
/*
 * Drops the name: the athlete becomes STORE_ANON_PREFIX and their id,
 * written into @new_name, in every record that held the name (the start
 * events' text too); their sessions, weigh-ins and traces stay.
 * -ENOENT when unknown.
 */
int store_athlete_anonymise(struct store *st, const char *name,
			    int64_t now_s, char *new_name, size_t len);
/*
 * Deletes the athlete and everything recorded about them (sessions,
 * steps, traces, events, weigh-ins, confirmations) in one transaction,
 * overwriting the freed pages (secure_delete), then moves the log into
 * the database and truncates it so no copy stays in the WAL file.
 * -ENOENT when unknown; *removed may be NULL.
 */
int store_athlete_remove(struct store *st, const char *name,
			 struct store_removed *removed);

/*
 * Records the start at once (end_cause "running") with the athlete's mass
 * as it is now; *id for the end. -ENOENT for an unknown athlete.
 */
int store_session_begin(struct store *st, int64_t athlete_id,
			const char *plan, const char *session,
			const char *date, int64_t started_s, int64_t *id);
int store_session_end(struct store *st, const struct store_session *rec);
/*
 * Several writes as one commit, so that a power cut keeps all of them or
 * none (a session's start or end record and its event): store_begin(),
 * the writes, then store_commit() or store_rollback(). A write that fails
 * inside may have ended the transaction already (an I/O error, a full
 * disk): each write after it was then its own commit and said its own
 * result, and store_commit() has nothing left to commit (0). 0 or
 * -errno.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* Commits when @ret is 0, rolls back otherwise; returns the outcome. */
int store_end(struct store *st, int ret);
/*
 * The unit a session ran on and who started it (uid, -1: unknown), set by
 * leverd after the start; -ENOENT when there is no such session.
 */
int store_session_set_unit(struct store *st, int64_t id,
			   const char *board_serial, int64_t operator_uid);
/* A pain report after the session ended. */
int store_session_set_pain(struct store *st, int64_t id, int score);
/* Sessions of an athlete (plan NULL: all plans), oldest first; free it. */
int store_sessions(struct store *st, int64_t athlete_id, const char *plan,
		   struct store_session **list, size_t *n);

int store_criteria_confirmed(struct store *st, int64_t athlete_id,
			     const char *plan, bool *yes);
int store_criteria_confirm(struct store *st, int64_t athlete_id,
			   const char *plan, int64_t now_s);

/*
 * The schema version (PRAGMA user_version) the database is at: store_open()
 * migrates every earlier one and refuses a newer one with -EPROTO.
 */
#define STORE_SCHEMA_VERSION	4
int store_schema_version(struct store *st);

/* The connection's PRAGMA synchronous (2 = FULL), or -errno. */
int store_synchronous(struct store *st);
/*
 * The connection's WAL auto-checkpoint threshold in pages (0: this
 * connection never checkpoints on commit), or -errno.
 */
int store_wal_autocheckpoint(struct store *st);
/* The database's journal mode ("wal") into buf, or -errno. */
int store_journal_mode(struct store *st, char *buf, size_t len);

/* One session record by id; -ENOENT when there is none. */
int store_session_get(struct store *st, int64_t id,
		      struct store_session *out);

/*
 * Events: faults, stops, resets, pain reports, starts and ends, each its
 * own transaction (synchronous=FULL) written when it happens.
 */
#define STORE_EVENT_KINDS "fault", "stop", "reset", "pain", "start", \
	"pause", "resume", "skip", "estop", "safety-key", "end", "link"
#define STORE_EVENT_CAUSE_MAX	128
#define STORE_EVENT_DETAIL_MAX	256

struct store_event {
	int64_t id;
	int64_t wall_ms;		/* unix time, ms */
	uint64_t mono_ns;		/* leverd's clock (virtual on sim:) */
	int64_t session_id;		/* 0: none */
	int64_t athlete_id;		/* 0: none */
	char athlete[64];		/* name ("" when none), read only */
	char kind[16];			/* one of STORE_EVENT_KINDS */
	char cause[STORE_EVENT_CAUSE_MAX];
	char detail[STORE_EVENT_DETAIL_MAX];
};

/* -EINVAL for an unknown kind; *id may be NULL. */
int store_event_add(struct store *st, const struct store_event *ev,
		    int64_t *id);

struct store_event_filter {
	int64_t athlete_id;		/* 0: any */
	int64_t session_id;		/* 0: any */
	int64_t since_ms;		/* wall time, 0: any */
	int64_t before_id;		/* only ids below it, 0: no bound */
	unsigned int limit;		/* 1.. */
};

/* Matching events, newest first; *list is malloc'ed (free it). */
int store_events(struct store *st, const struct store_event_filter *f,
		 struct store_event **list, size_t *n);
/*
 * Rows the last store_events() stepped through in a full table scan: 0
 * when its filters found the page through an index (for tests).
 */
uint64_t store_events_scan_steps(struct store *st);

/*
 * A session's trace at 10 Hz: one row per 100 ms window from the start,
 * in the board's integer units.
 */
struct store_trace_row {
	uint32_t t_ms;			/* window start, from session start */
	uint32_t samples;		/* cycles in the window */
	int32_t force_mn_mean;		/* measured support force, mN */
	int32_t force_mn_min;
	int32_t force_mn_max;
	uint32_t pressure_pa_mean;	/* measured support pressure */
	int32_t belt_mm_s_mean;		/* measured belt speed */
	uint32_t cmd_pressure_pa;	/* commanded, at the window end */
	int32_t cmd_belt_mm_s;
	int32_t cmd_incline_centi_pct;
	uint32_t faults;		/* OR of supervisor fault bits */
	uint32_t mode;			/* loop mode at the window end */
};

/* Appends rows in one transaction. */
int store_trace_add(struct store *st, int64_t session_id,
		    const struct store_trace_row *rows, size_t n);
int store_trace_count(struct store *st, int64_t session_id, size_t *n);
/* Rows [offset, offset + limit) by time; *rows malloc'ed (free it). */
int store_trace_rows(struct store *st, int64_t session_id, size_t offset,
		     size_t limit, struct store_trace_row **rows, size_t *n);

/*
 * Schema 3: where the sequencer entered each plan step of a session (the
 * first at its start), so that exports cut it into laps as it ran, skips
 * included, whatever the plan file says today.
 */
struct store_step {
	uint32_t t_ms;			/* from session start, leverd's clock */
	int32_t step_index;		/* in the plan session, repeats unrolled */
	int32_t step_count;
	char kind[16];			/* "warmup", "walk", "run", "cooldown" */
	int32_t bw_carried_pct_x100;	/* the step's target */
	int32_t belt_speed_mm_s;	/* the step's target */
};

int store_step_add(struct store *st, int64_t session_id,
		   const struct store_step *step);
/* A session's steps in time order; *list malloc'ed (free it). */
int store_steps(struct store *st, int64_t session_id,
		struct store_step **list, size_t *n);

#endif /* LEVER_STORE_H */
